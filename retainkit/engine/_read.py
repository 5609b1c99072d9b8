"""Reading files into engine tables without pulling them into pandas."""

from __future__ import annotations

import uuid
import weakref
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from retainkit.engine._backend import default_backend

__all__ = ["read_csv", "read_parquet"]


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
