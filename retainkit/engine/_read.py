"""Reading files into engine tables without pulling them into pandas."""

from __future__ import annotations

import uuid
import weakref
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from retainkit.engine._backend import default_backend

__all__ = ["hide_password", "read_csv", "read_parquet", "read_url"]


def read_csv(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    names: tuple[str, ...] | list[str] | None = None,
    materialize: bool = True,
    backend: Any = None,
) -> ir.Table:
    """Read a delimited text file (optionally compressed) with every column as text.

    Typing happens later, in cleaning, so that unreadable values are counted and
    reported instead of failing the whole read.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.tsv`` or ``.txt`` file, optionally ``.gz`` or ``.zst``.
    delimiter : str, optional
        Field separator; DuckDB's sniffer detects it when None.
    encoding : {"utf-8", "latin-1", "utf-16"}
    names : sequence of str, optional
        Column names for a file without a header row.
    materialize : bool
        Read the file once into a temporary table (dropped when no expression uses
        it any more); False leaves a view that re-reads the file for every query.
    backend : ibis backend, optional
        Default: the shared in-process DuckDB connection.

    Returns
    -------
    ibis.expr.types.Table
    """
    con = backend or default_backend()
    options: dict[str, Any] = {
        "all_varchar": True,
        "header": names is None,
        "encoding": encoding,
        "null_padding": True,
        "strict_mode": False,
    }
    if delimiter is not None:
        options["delim"] = delimiter
    if names is not None:
        options["names"] = list(names)
    if not materialize:
        return con.read_csv(str(path), **options)
    # one pass over the file; Ibis's read_csv would sniff it again before caching
    name = f"retainkit_csv_{uuid.uuid4().hex}"
    args = ", ".join(f"{k} := {_sql_literal(v)}" for k, v in options.items())
    con.raw_sql(
        f"CREATE TEMP TABLE {name} AS SELECT * FROM read_csv({_sql_literal(str(path))}, {args})"
    )
    table = con.table(name)
    weakref.finalize(table.op(), _drop_quietly, con, name)
    return table


def _drop_quietly(con: Any, name: str) -> None:
    try:
        con.raw_sql(f"DROP TABLE IF EXISTS {name}")
    except Exception:
        pass


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_sql_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def read_parquet(path: str | Path, *, backend: Any = None) -> ir.Table:
    """Read a Parquet file, folder (read recursively) or glob as an engine table.

    Parameters
    ----------
    path : str or Path
    backend : ibis backend, optional

    Returns
    -------
    ibis.expr.types.Table
    """
    con = backend or default_backend()
    p = Path(path)
    target = str(p / "**" / "*.parquet") if p.is_dir() else str(path)
    return con.read_parquet(target, hive_partitioning=p.is_dir())


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
