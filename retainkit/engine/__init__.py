"""The engine: every transaction-level computation, expressed once with Ibis.

DuckDB runs it in-process by default; an Ibis table from another backend (Spark, a
warehouse) runs where it lives. Only per-customer and per-period results come back,
as pandas. No other retainkit module imports ibis or duckdb.
"""

from retainkit.engine._backend import (
    connect,
    connect_spark,
    default_backend,
    execute,
    materialize,
    to_memtable,
)
from retainkit.engine._clean import clean_table
from retainkit.engine._cohorts import (
    cohort_activity,
    customer_windows,
    daily_purchases,
    money_totals,
)
from retainkit.engine._customer_days import CustomerDays, customer_days
from retainkit.engine._gaps import gap_statistics, purchase_day_values
from retainkit.engine._options import CleaningOptions, SourceInfo
from retainkit.engine._orders import (
    category_habits,
    category_month_activity,
    customer_behaviour,
    first_purchase_category,
    order_value_by_month,
    order_value_stats,
    revenue_before_last_purchase,
    window_activity,
    window_order_stats,
)
from retainkit.engine._read import (
    RejectedLines,
    hide_password,
    read_csv,
    read_parquet,
    read_url,
    union_by_name,
)
from retainkit.engine._segments import (
    category_values,
    customer_values,
    lifecycle_counts,
    purchase_journeys,
)
from retainkit.engine._summaries import (
    attributes_from_transactions,
    customer_ids,
    customer_summary,
    date_span,
    period_table,
    period_totals,
    resolve_as_of,
    write_period_table,
)
from retainkit.engine._tenure import purchase_rhythm
from retainkit.engine._transactions import KeyedRows, Transactions, as_table

__all__ = [
    "CleaningOptions",
    "CustomerDays",
    "KeyedRows",
    "RejectedLines",
    "SourceInfo",
    "Transactions",
    "as_table",
    "attributes_from_transactions",
    "category_habits",
    "category_month_activity",
    "category_values",
    "clean_table",
    "cohort_activity",
    "connect",
    "connect_spark",
    "customer_behaviour",
    "customer_days",
    "customer_ids",
    "customer_summary",
    "customer_values",
    "customer_windows",
    "daily_purchases",
    "date_span",
    "default_backend",
    "execute",
    "first_purchase_category",
    "gap_statistics",
    "hide_password",
    "lifecycle_counts",
    "materialize",
    "money_totals",
    "order_value_by_month",
    "order_value_stats",
    "period_table",
    "period_totals",
    "purchase_day_values",
    "purchase_journeys",
    "purchase_rhythm",
    "read_csv",
    "read_parquet",
    "read_url",
    "resolve_as_of",
    "revenue_before_last_purchase",
    "to_memtable",
    "union_by_name",
    "window_activity",
    "window_order_stats",
    "write_period_table",
]
