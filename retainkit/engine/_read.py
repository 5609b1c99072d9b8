"""Reading files into engine tables without pulling them into pandas."""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from retainkit.engine._backend import default_backend
from retainkit.schema import FILE_COLUMN

__all__ = [
    "RejectedLines",
    "hide_password",
    "read_csv",
    "read_parquet",
    "read_url",
    "union_by_name",
]


@dataclass(frozen=True)
class RejectedLines:
    """Records of a text file that do not split into the header's fields.

    Attributes
    ----------
    rows : int
        Physical lines they cover (an unterminated quote can swallow many lines).
    examples : tuple of (int, str, str)
        Up to five ``(line, problem, text)``: the line number in the file as DuckDB
        counts it (the caller turns it into a physical line), what is wrong, the raw text.
    byte_offsets : tuple of int
        Byte offset of each example, to find its physical line.
    """

    rows: int = 0
    examples: tuple[tuple[int, str, str], ...] = ()
    byte_offsets: tuple[int, ...] = ()


_PROBLEMS = {
    "TOO MANY COLUMNS": "more fields than the header",
    "MISSING COLUMNS": "fewer fields than the header",
    "UNQUOTED VALUE": "a quote that is never closed",
    "INVALID UNICODE": "bytes that are not valid text",
    "LINE SIZE OVER MAXIMUM": "a line longer than 64 MB",
}


def read_csv(
    path: str | Path,
    *,
    columns: tuple[str, ...] | list[str],
    delimiter: str = ",",
    quote: str = '"',
    escape: str = '"',
    skip: int = 0,
    header: bool = True,
    compression: str | None = None,
    materialize: bool = True,
    backend: Any = None,
) -> tuple[ir.Table, RejectedLines]:
    """Read a UTF-8 delimited text file with a stated layout, every column as text.

    Nothing is sniffed: the layout comes from the caller (see
    :func:`retainkit.reading.sniff_layout`). Records whose field count differs from
    the header's, or with a quote that is never closed, are not shifted into other
    columns: they are set aside and returned as :class:`RejectedLines`. Typing happens
    later, in cleaning, so that unreadable values are counted instead of failing the
    read.

    Parameters
    ----------
    path : str or Path
    columns : sequence of str
        The column names, in file order.
    delimiter, quote, escape : str
    skip : int
        Physical lines before the header (or before the first record when ``header``
        is False).
    header : bool
    compression : {"gzip", "zstd"}, optional
        Of the file's bytes (not guessed from its name).
    materialize : bool
        Read the file once into a temporary table (dropped when no expression uses it
        any more); False leaves a view that re-reads the file for every query.
    backend : ibis backend, optional
        Default: the shared in-process DuckDB connection.

    Returns
    -------
    (ibis.expr.types.Table, RejectedLines)
    """
    con = backend or default_backend()
    options: dict[str, Any] = {
        "auto_detect": False,
        "columns": {name: "VARCHAR" for name in columns},
        "header": header,
        "skip": skip,
        "delim": delimiter,
        "quote": quote,
        "escape": escape,
        "compression": compression or "none",
        "strict_mode": True,
        "ignore_errors": True,
        # a note or description field can be long; 2 MB (DuckDB's default) has been seen
        "max_line_size": 64 * 1024 * 1024,
    }
    tag = uuid.uuid4().hex
    rejects = {
        "store_rejects": True,
        "rejects_table": f"retainkit_rejects_{tag}",
        "rejects_scan": f"retainkit_scans_{tag}",
    }
    source = f"read_csv({_sql_literal(str(path))}, {_sql_args({**options, **rejects})})"
    if materialize:
        name = f"retainkit_csv_{tag}"
        con.raw_sql(f"CREATE TEMP TABLE {name} AS SELECT * FROM {source}").fetchall()
        table = con.table(name)
        weakref.finalize(table.op(), _drop_quietly, con, name)
    else:
        con.raw_sql(f"SELECT count(*) FROM {source}").fetchall()
        name = f"retainkit_csv_view_{tag}"
        view = f"read_csv({_sql_literal(str(path))}, {_sql_args(options)})"
        con.raw_sql(f"CREATE TEMP VIEW {name} AS SELECT * FROM {view}").fetchall()
        table = con.table(name)
    return table, _collect_rejects(con, rejects)


def _sql_args(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} := {_sql_literal(v)}" for k, v in options.items())


def _collect_rejects(con: Any, rejects: dict[str, Any]) -> RejectedLines:
    table, scans = rejects["rejects_table"], rejects["rejects_scan"]
    try:
        rows = con.raw_sql(
            f"SELECT line, min(line_byte_position), string_agg(DISTINCT error_type, ', '), "
            f"any_value(csv_line) FROM {table} GROUP BY line ORDER BY line"
        ).fetchall()
    finally:
        _drop_quietly(con, table)
        _drop_quietly(con, scans)
    if not rows:
        return RejectedLines()
    lines = 0
    examples = []
    offsets = []
    for line, offset, errors, text in rows:
        text = (text or "").lstrip("\r\n")
        lines += text.count("\n") + 1
        if len(examples) < 5:
            problem = "; ".join(
                _PROBLEMS.get(e.strip(), e.strip().lower()) for e in errors.split(",")
            )
            examples.append((int(line), problem, text))
            offsets.append(int(offset or 0))
    return RejectedLines(rows=lines, examples=tuple(examples), byte_offsets=tuple(offsets))


def _drop_quietly(con: Any, name: str) -> None:
    try:
        con.raw_sql(f"DROP TABLE IF EXISTS {name}")
    except Exception:
        pass


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_sql_literal(k)}: {_sql_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_sql_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def read_parquet(
    path: str | Path | list[str],
    *,
    backend: Any = None,
    nanoseconds: dict[str, bool] | None = None,
) -> ir.Table:
    """Read a Parquet file, a list of files, a folder (read recursively) or a glob.

    Parameters
    ----------
    path : str, Path or list of str
    backend : ibis backend, optional
    nanoseconds : dict, optional
        Timestamp columns stored in nanoseconds -> whether they carry a time zone. They
        are read in microseconds, rounded down (a cast would round 23:59:59.9999999 up
        to the next day), which Ibis also understands.

    Returns
    -------
    ibis.expr.types.Table
    """
    con = backend or default_backend()
    if isinstance(path, list):
        target: Any = path
        hive = False
    else:
        p = Path(path)
        target = str(p / "**" / "*.parquet") if p.is_dir() else str(path)
        hive = p.is_dir()
    if not nanoseconds:
        return (
            con.read_parquet(target, hive_partitioning=hive) if hive else con.read_parquet(target)
        )
    replaced = []
    for name, zoned in nanoseconds.items():
        col = '"' + name.replace('"', '""') + '"'
        ns = f"epoch_ns({col})"
        micros = f"(({ns} - ((({ns} % 1000) + 1000) % 1000)) // 1000)"
        value = f"make_timestamp({micros})"
        if zoned:
            value = f"timezone('UTC', {value})"
        replaced.append(f"{value} AS {col}")
    name = f"retainkit_parquet_{uuid.uuid4().hex}"
    source = f"read_parquet({_sql_literal(target)}, hive_partitioning := {_sql_literal(hive)})"
    con.raw_sql(
        f"CREATE TEMP VIEW {name} AS SELECT * REPLACE ({', '.join(replaced)}) FROM {source}"
    ).fetchall()
    return con.table(name)


def union_by_name(
    tables: list[ir.Table], labels: list[str], *, materialize: bool = True
) -> ir.Table:
    """Stack tables of text columns, matching columns by name, with a file label.

    A column missing from one table is empty (NULL) in its rows.

    Parameters
    ----------
    tables : list of ibis.expr.types.Table
    labels : list of str
        One per table: where its rows came from, in :data:`retainkit.schema.FILE_COLUMN`.
    materialize : bool
        Store the result in the engine.

    Returns
    -------
    ibis.expr.types.Table
    """
    import ibis

    from retainkit.engine._backend import materialize as store

    columns: list[str] = []
    for t in tables:
        columns += [c for c in t.columns if c not in columns]
    parts = [
        t.select(
            *[
                t[c].cast("string").name(c) if c in t.columns else ibis.null("string").name(c)
                for c in columns
            ],
            **{FILE_COLUMN: ibis.literal(label)},
        )
        for t, label in zip(tables, labels, strict=True)
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part, distinct=False)
    return store(out) if materialize else out


def read_url(url: str) -> ir.Table:
    """Open a table named in a connection URL: ``<backend>://<connection>?table=<name>``.

    Examples of URLs: ``duckdb:///data/shop.duckdb?table=orders``,
    ``postgres://user:secret@db.example.com:5432/sales?table=orders``,
    ``pyspark://?table=orders`` (a table or view of the active Spark session).
    Any backend Ibis can connect to works once its extra is installed.

    Parameters
    ----------
    url : str

    Returns
    -------
    ibis.expr.types.Table

    Raises
    ------
    SchemaError
        Without ``table=``, or when the table does not exist (the message lists the
        tables there).
    MissingDependencyError
        When the backend's driver is not installed.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    import ibis

    from retainkit.exceptions import MissingDependencyError, SchemaError

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    table = query.pop("table", None)
    base = url.split("?", 1)[0] + ("?" + urlencode(query) if query else "")
    try:
        if parts.scheme == "pyspark":
            from pyspark.sql import SparkSession

            con = ibis.pyspark.connect(SparkSession.builder.getOrCreate())
        else:
            con = ibis.connect(base)
    except (ImportError, ModuleNotFoundError) as exc:
        extra = "spark" if parts.scheme == "pyspark" else parts.scheme
        raise MissingDependencyError(
            f"cannot connect to {parts.scheme!r}: {exc}. Install the backend, e.g. "
            f'pip install "retainkit[{extra}]" or pip install "ibis-framework[{parts.scheme}]"'
        ) from None
    if table:
        try:
            return con.table(table)
        except Exception:
            pass
    what = "names no table" if not table else f"has no table {table!r}"
    raise SchemaError(
        f"the URL {hide_password(url.split('?')[0])!r} {what}; add ?table=<name>, one of "
        f"{_table_names(con)[:20]}"
    )


def _table_names(con: Any) -> list[str]:
    """List the backend's tables for messages (Ibis 12's list_tables fails on DuckDB 2)."""
    try:
        return sorted(con.list_tables())
    except Exception:
        try:
            rows = con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()
        except Exception:
            return []
        return sorted(r[0] for r in rows)


def hide_password(url: str) -> str:
    """Return the URL with its password replaced by ``***``, for reports and messages.

    Examples
    --------
    >>> hide_password("postgres://ann:s3cret@db:5432/sales?table=orders")
    'postgres://ann:***@db:5432/sales?table=orders'
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
