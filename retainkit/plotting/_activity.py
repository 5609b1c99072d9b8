"""Activity over time: revenue, customers and orders per calendar period."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from retainkit.plotting._base import money_formatter, period_label

__all__ = ["plot_activity"]


def plot_activity(
    totals: pd.DataFrame,
    *,
    measure: str = "revenue",
    currency: str = "",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Bar chart of one measure per calendar period.

    Parameters
    ----------
    totals : pandas.DataFrame
        Output of :func:`retainkit.engine.period_totals`.
    measure : {"revenue", "active_customers", "new_customers", "orders"}
    currency : str
        Currency symbol for revenue.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> totals = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                        "period_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
    ...                        "days_covered": [31, 29], "revenue": [10.0, 12.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_activity(totals, ax=ax)
    >>> len(ax.patches)
    2
    """
    ax = ax if ax is not None else plt.gca()
    period = totals.attrs.get("period", "month")
    titles = {
        "revenue": (
            "Net revenue",
            f"Net revenue ({currency or 'currency'})",
            "sales minus returns",
        ),
        "active_customers": ("Active customers", "Customers", "customers with a purchase"),
        "new_customers": ("New customers", "Customers", "first purchase in the period"),
        "orders": ("Orders", "Orders", "distinct orders, returns excluded"),
    }
    if measure not in titles:
        raise ValueError(f"measure={measure!r} is not one of {list(titles)}")
    title, ylabel, definition = titles[measure]
    x = totals["period_start"]
    width = {"week": 5, "month": 25, "quarter": 80, "year": 300}.get(period, 25)
    kwargs.setdefault("color", "#4C72B0")
    ax.bar(x, totals[measure], width=width, align="edge", **kwargs)
    if "days_covered" in totals and len(totals):
        full_days = {"week": 7, "month": 28, "quarter": 90, "year": 365}.get(period, 28)
        partial = totals["days_covered"] < full_days
        for xi, yi, part in zip(x, totals[measure], partial, strict=True):
            if part:
                ax.annotate(
                    "part",
                    (xi, yi),
                    textcoords="offset points",
                    xytext=(0, 3),
                    fontsize=8,
                    color="grey",
                )
    if measure == "revenue":
        ax.yaxis.set_major_formatter(money_formatter(currency))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    span = (
        period_label(totals["period_start"].min(), totals["period_end"].max())
        if len(totals)
        else "no data"
    )
    ax.set(
        title=f"{title} per {period}\n{definition}; {span}",
        xlabel=period.capitalize(),
        ylabel=ylabel,
    )
    ax.figure.autofmt_xdate()
    return ax
