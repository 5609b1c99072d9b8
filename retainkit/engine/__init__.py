"""The engine: every transaction-level computation, expressed once with Ibis.

DuckDB runs it in-process by default; an Ibis table from another backend (Spark, a
warehouse) runs where it lives. Only per-customer and per-period results come back,
as pandas. No other retainkit module imports ibis or duckdb.
"""

from retainkit.engine._backend import connect, default_backend, execute, to_memtable
from retainkit.engine._clean import CleaningOptions, clean_table
from retainkit.engine._cohorts import (
    cohort_activity,
    customer_windows,
    daily_purchases,
    money_totals,
)
from retainkit.engine._gaps import gap_quantile, gap_statistics
from retainkit.engine._read import read_csv, read_parquet
from retainkit.engine._summaries import (
    attributes_from_transactions,
    customer_summary,
    period_table,
    period_totals,
    resolve_as_of,
)
from retainkit.engine._transactions import Transactions, as_table

__all__ = [
    "CleaningOptions",
    "Transactions",
    "as_table",
    "attributes_from_transactions",
    "clean_table",
    "cohort_activity",
    "connect",
    "customer_summary",
    "customer_windows",
    "daily_purchases",
    "default_backend",
    "execute",
    "gap_quantile",
    "gap_statistics",
    "money_totals",
    "period_table",
    "period_totals",
    "read_csv",
    "read_parquet",
    "resolve_as_of",
    "to_memtable",
]
