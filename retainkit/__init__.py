"""retainkit: customer-retention analysis from a plain transaction log.

Typical use in a notebook::

    import retainkit as rk
    data = rk.load_dataset("demo")            # or rk.load_transactions("my_orders.csv")
    summary = rk.customer_summary(data.transactions, time_unit="weeks")

Importing retainkit is quick: each public name is imported from its module the first
time it is used (PEP 562), so ``retainkit presets`` does not load Ibis, DuckDB,
matplotlib or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    "ValueAssumptions",
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
    "sections",
    "segmentation",
    "set_style",
    "simulate_shop",
    "survival",
    "widgets",
    "write_table",
]

#: Subpackages and modules offered as attributes (``rk.clv``, ``rk.plotting``...).
_SUBMODULES = frozenset(
    {
        "alerts",
        "calls",
        "churn",
        "clv",
        "cohorts",
        "display",
        "engine",
        "groundwork",
        "lifecycle",
        "metrics",
        "plotting",
        "sections",
        "segmentation",
        "survival",
        "widgets",
    }
)

#: Public name -> the module that defines it.
_ATTRIBUTES = {
    "ConvergenceError": "retainkit.exceptions",
    "DataValidationError": "retainkit.exceptions",
    "Dataset": "retainkit.datasets",
    "MissingDependencyError": "retainkit.exceptions",
    "NotFittedError": "retainkit.exceptions",
    "QualityReport": "retainkit.quality",
    "ReportError": "retainkit.exceptions",
    "RetainkitError": "retainkit.exceptions",
    "SchemaError": "retainkit.exceptions",
    "Transactions": "retainkit.engine",
    "ValueAssumptions": "retainkit.assumptions",
    "customer_summary": "retainkit.engine",
    "figure": "retainkit.figures",
    "key_figures": "retainkit.figures",
    "list_presets": "retainkit.presets",
    "list_profiles": "retainkit.io",
    "load_churn_reasons": "retainkit.io",
    "load_customers": "retainkit.io",
    "load_dataset": "retainkit.datasets",
    "load_transactions": "retainkit.io",
    "period_table": "retainkit.engine",
    "period_totals": "retainkit.engine",
    "plot_activity": "retainkit.plotting",
    "set_style": "retainkit.plotting",
    "simulate_shop": "retainkit.simulate",
    "write_table": "retainkit.io",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is used (PEP 562)."""
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own, for completion in notebooks."""
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what the lazy imports above resolve to, for type checkers and editors
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
        sections,
        segmentation,
        survival,
        widgets,
    )
    from retainkit.assumptions import ValueAssumptions
    from retainkit.datasets import Dataset, load_dataset
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
    from retainkit.presets import list_presets
    from retainkit.quality import QualityReport
    from retainkit.simulate import simulate_shop
