"""Connections and execution: the only place that decides where a query runs."""

from __future__ import annotations

import functools
import os
import sys
import uuid
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

__all__ = [
    "connect",
    "connect_spark",
    "default_backend",
    "execute",
    "is_duckdb",
    "one_of",
    "to_memtable",
    "whole",
    "whole_value_pattern",
]

# The datetime resolution this pandas gives by default (microseconds on pandas 3,
# nanoseconds on pandas 2): engine results use it so they compare equal to frames
# the user builds with pandas.to_datetime.
_DATETIME_DTYPE = pd.Series(pd.to_datetime(["2000-01-01"])).dtype
# and the text dtype it gives by default (str on pandas 3, object on pandas 2)
_STRING_DTYPE = pd.Series(["a"]).dtype


_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")

#: Environment variable holding :func:`connect`'s default number of DuckDB threads. The
#: report runner sets it for notebooks it runs side by side, so that they share the
#: cores instead of each taking all of them.
THREADS_ENV = "RETAINKIT_THREADS"


def whole_value_pattern(values: Any) -> str:
    r"""Return a regular expression matching a whole value that is one of ``values``.

    Examples
    --------
    >>> print(whole_value_pattern(["x", "a.b"]))
    ^(?:x|a\.b)$
    """
    escaped = ["".join("\\" + c if c in _REGEX_SPECIAL else c for c in str(v)) for v in values]
    return "^(?:" + "|".join(escaped) + ")$"


def one_of(value: ir.Value, values: Any) -> ir.BooleanValue:
    """Flag the rows whose text is one of a list of constants (exactly).

    Written as one anchored regular expression: DuckDB plans ``IN (...)`` (and
    ``array_contains`` of a constant list) over a computed value as a join, one per use,
    which made cleaning a 500,000-line file five times slower.

    Examples
    --------
    >>> t = ibis.memtable({"a": ["x", "y", None, "a.b"]})
    >>> execute(t.select(f=one_of(t.a.upper(), ["X", "Z", "A.B"])))["f"].tolist()
    [True, False, False, True]
    """
    items = [str(v) for v in values]
    if not items:
        return ibis.literal(False)
    return value.re_search(whole_value_pattern(items)).fill_null(False)


def whole(value: Any) -> int:
    """Read a count from an engine result: NULL or NaN (an aggregate over no rows) is 0.

    Examples
    --------
    >>> whole(float("nan")), whole(None), whole(3.0)
    (0, 0, 3)
    """
    return 0 if value is None or pd.isna(value) else int(value)


def connect(
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    database: str = ":memory:",
) -> Any:
    """Open an in-process DuckDB connection through Ibis.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's memory limit, e.g. ``"4GB"``; beyond it DuckDB spills to disk.
    threads : int, optional
        Worker threads. Default: the ``RETAINKIT_THREADS`` environment variable when it
        is set (the report runner sets it for notebooks run side by side), otherwise
        DuckDB's default, one per core.
    temp_directory : str, optional
        Where DuckDB spills.
    database : str
        A DuckDB database file, or ``":memory:"``. With a file, the cleaned rows that
        :func:`retainkit.load_transactions` keeps in the engine are written into it as
        compressed tables named ``retainkit_rows_*`` (about a quarter of the memory of
        an in-memory table), which lets a data set larger than memory be held: give a
        scratch file, not a database you keep.

    Returns
    -------
    ibis.backends.duckdb.Backend

    Raises
    ------
    RetainkitError
        When ``RETAINKIT_THREADS`` is set to anything but a whole number of at least 1.

    Examples
    --------
    >>> con = connect(memory_limit="1GB")
    >>> con.name
    'duckdb'
    """
    config: dict[str, Any] = {}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if threads is None:
        threads = _threads_from_environment()
    if threads is not None:
        config["threads"] = threads
    if temp_directory is not None:
        config["temp_directory"] = temp_directory
    con = ibis.duckdb.connect(database, **config)
    con._retainkit_file_backed = database != ":memory:"
    # DuckDB's progress bar for queries longer than two seconds, on a terminal only: in a
    # notebook kernel it would print into the cells' output
    con.raw_sql(
        f"SET enable_progress_bar = {'true' if sys.stderr.isatty() else 'false'}"
    ).fetchall()
    return con


def _threads_from_environment() -> int | None:
    """Read ``RETAINKIT_THREADS``: None when unset or empty."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if not text:
        return None
    try:
        threads = int(text)
    except ValueError:
        threads = 0
    if threads < 1:
        from retainkit.exceptions import RetainkitError

        raise RetainkitError(
            f"{THREADS_ENV}={text!r}: expected a whole number of DuckDB threads, at least 1; "
            "unset it for DuckDB's default (one per core)"
        )
    return threads


@functools.cache
def default_backend() -> Any:
    """Return the shared in-process DuckDB connection, opened on first use.

    Returns
    -------
    ibis.backends.duckdb.Backend

    Examples
    --------
    >>> default_backend() is default_backend()
    True
    """
    return connect()


def to_memtable(frame: pd.DataFrame) -> ir.Table:
    """Wrap a pandas frame as an Ibis table without copying it into a database.

    Object columns holding mixed Python values (ids read as numbers and text) become
    text, which every backend accepts.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    ibis.expr.types.Table

    Examples
    --------
    >>> to_memtable(pd.DataFrame({"a": [1, "x"]})).schema()["a"].is_string()
    True
    """
    fixed = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object:  # mixed values: make them text, keep missing as missing
            fixed[name] = col.map(lambda v: v if v is None or isinstance(v, str) else str(v))
            fixed[name] = fixed[name].where(col.notna(), None)
    if fixed:
        frame = frame.assign(**fixed)
    frame = frame.rename(columns=str)
    return ibis.memtable(frame)


def materialize(expr: ir.Table) -> ir.Table:
    """Compute a table once and keep it in its engine for the queries that follow.

    On a DuckDB connection opened on a database file (``connect(database=...)``) the
    rows go into a regular, compressed table of that file; elsewhere into the engine's
    cache (an in-memory temporary table on DuckDB, a cached DataFrame on Spark).

    Parameters
    ----------
    expr : ibis.expr.types.Table

    Returns
    -------
    ibis.expr.types.Table
        A table reading the stored rows.

    Examples
    --------
    >>> t = materialize(ibis.memtable({"a": [1, 2]}).mutate(b=ibis._.a * 2))
    >>> execute(t)["b"].tolist()
    [2, 4]
    """
    try:
        con = expr._find_backend(use_default=True)
    except Exception:
        return expr.cache()
    if getattr(con, "_retainkit_file_backed", False):
        name = f"retainkit_rows_{uuid.uuid4().hex[:12]}"
        return con.create_table(name, expr)
    return expr.cache()


def is_duckdb(table: ir.Table) -> bool:
    """Return True when ``table`` runs on DuckDB (unbound in-memory tables do too).

    Examples
    --------
    >>> is_duckdb(ibis.memtable({"a": [1]}))
    True
    """
    try:
        return table._find_backend(use_default=True).name == "duckdb"
    except Exception:
        return True


def execute(expr: ir.Expr) -> Any:
    """Run an Ibis expression and return pandas objects with stable dtypes.

    Datetime columns come back at this pandas version's default resolution, whatever
    the backend returns (DuckDB: microseconds or seconds, Spark: nanoseconds).

    Parameters
    ----------
    expr : ibis expression
        A table, column or scalar expression.

    Returns
    -------
    pandas.DataFrame, pandas.Series or scalar

    Examples
    --------
    >>> execute(ibis.literal(2) + 3)
    5
    """
    if isinstance(expr, ir.Table):
        result = _arrow_to_pandas(expr.to_pyarrow())
    else:
        result = expr.to_pandas()
    if isinstance(result, pd.DataFrame):
        dt_cols = [
            c
            for c in result.columns
            if pd.api.types.is_datetime64_any_dtype(result[c])
            and getattr(result[c].dtype, "tz", None) is None
        ]
        if dt_cols:
            result = result.astype({c: _DATETIME_DTYPE for c in dt_cols})
    elif isinstance(result, pd.Series) and pd.api.types.is_datetime64_any_dtype(result):
        if getattr(result.dtype, "tz", None) is None:
            result = result.astype(_DATETIME_DTYPE)
    return result


def _arrow_to_pandas(table: Any) -> pd.DataFrame:
    """Convert an Arrow result to pandas directly.

    Ibis's own conversion of a large result costs about a second per million rows
    more. Decimals become floats and dates become datetimes.
    """
    import pyarrow as pa

    fields = []
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            fields.append(pa.field(field.name, pa.float64()))
        elif pa.types.is_date(field.type):
            fields.append(pa.field(field.name, pa.timestamp("us")))
        else:
            fields.append(field)
    table = table.cast(pa.schema(fields))
    frame = table.to_pandas()
    string_cols = [
        f.name
        for f in table.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    if string_cols:  # the default string dtype of this pandas, as Ibis gives it
        frame = frame.astype({c: _STRING_DTYPE for c in string_cols})
    return frame


def connect_spark(session: Any = None, *, master: str = "local[*]") -> Any:
    """Connect Ibis to Spark, for data that lives in a Spark cluster or lakehouse.

    Parameters
    ----------
    session : pyspark.sql.SparkSession, optional
        An existing session (on a cluster, the one you have). Default: the active
        session, or a new local one on this machine.
    master : str
        Spark master for a new local session.

    Returns
    -------
    ibis.backends.pyspark.Backend
        Pass its tables (``con.table("orders")``) to :func:`retainkit.load_transactions`.

    Raises
    ------
    MissingDependencyError
        When pyspark is not installed (``pip install "retainkit[spark]"``).

    Notes
    -----
    The session's time zone is set to UTC so that timestamps mean the same wall-clock
    times as in DuckDB (Spark otherwise shifts them by the machine's zone).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        from retainkit.exceptions import MissingDependencyError

        raise MissingDependencyError(
            'Spark support needs pyspark: pip install "retainkit[spark]" (Java 17 or newer '
            "must be installed too)"
        ) from None
    if session is None:
        session = (
            SparkSession.builder.master(master)
            .appName("retainkit")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4" if master.startswith("local") else "200")
            .getOrCreate()
        )
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return ibis.pyspark.connect(session)
