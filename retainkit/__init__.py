"""retainkit: customer-retention analysis from a plain transaction log.

Typical use in a notebook::

    import retainkit as rk
    data = rk.load_dataset("demo")            # or rk.load_transactions("my_orders.csv")
    summary = rk.customer_summary(data.transactions, time_unit="weeks")
"""

from retainkit import (
    alerts,
    calls,
    churn,
    clv,
    cohorts,
    display,
    engine,
    groundwork,
    lifecycle,
    metrics,
    plotting,
    segmentation,
    survival,
    widgets,
)
from retainkit.datasets import Dataset, list_presets, load_dataset
from retainkit.engine import Transactions, customer_summary, period_table, period_totals
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    MissingDependencyError,
    NotFittedError,
    ReportError,
    RetainkitError,
    SchemaError,
)
from retainkit.figures import figure, key_figures
from retainkit.io import (
    list_profiles,
    load_churn_reasons,
    load_customers,
    load_transactions,
    write_table,
)
from retainkit.plotting import plot_activity, set_style
from retainkit.quality import QualityReport
from retainkit.simulate import simulate_shop

__version__ = "0.1.0"

__all__ = [
    "ConvergenceError",
    "DataValidationError",
    "Dataset",
    "MissingDependencyError",
    "NotFittedError",
    "QualityReport",
    "ReportError",
    "RetainkitError",
    "SchemaError",
    "Transactions",
    "__version__",
    "alerts",
    "calls",
    "churn",
    "clv",
    "cohorts",
    "customer_summary",
    "display",
    "engine",
    "figure",
    "groundwork",
    "key_figures",
    "lifecycle",
    "list_presets",
    "list_profiles",
    "load_churn_reasons",
    "load_customers",
    "load_dataset",
    "load_transactions",
    "metrics",
    "period_table",
    "period_totals",
    "plot_activity",
    "plotting",
    "segmentation",
    "set_style",
    "simulate_shop",
    "survival",
    "widgets",
    "write_table",
]
