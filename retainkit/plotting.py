"""Plots: thin seaborn/matplotlib wrappers that take results and return the Axes.

Every plot takes the output of a retainkit function (it never aggregates), draws on
``ax`` (the current Axes when None), labels what is shown, its unit and the period it
covers, and returns ``ax``. Nothing here calls ``plt.show()`` or changes global style;
call :func:`set_style` for the house look.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

__all__ = ["money_formatter", "plot_activity", "set_style"]


def set_style() -> None:
    """Apply retainkit's plot style (seaborn "whitegrid", readable sizes).

    Examples
    --------
    >>> set_style()
    """
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.figsize": (9, 4),
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "figure.dpi": 100,
        }
    )


def money_formatter(currency: str = "") -> FuncFormatter:
    """Return a tick formatter for money: ``£1.2M``, ``£350k``, ``£90``.

    Examples
    --------
    >>> money_formatter("$")(1_250_000, 0)
    '$1.2M'
    """

    def fmt(value: float, _pos: Any) -> str:
        sign = "-" if value < 0 else ""
        v = abs(value)
        if v >= 1e6:
            return f"{sign}{currency}{v / 1e6:.1f}M"
        if v >= 1e3:
            return f"{sign}{currency}{v / 1e3:.0f}k"
        return f"{sign}{currency}{v:,.0f}"

    return FuncFormatter(fmt)


def _period_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


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
    >>> ax = plot_activity(totals)
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
        _period_label(totals["period_start"].min(), totals["period_end"].max())
        if len(totals)
        else "no data"
    )
    ax.set(
        title=f"{title} per {period} ({definition}), {span}",
        xlabel=period.capitalize(),
        ylabel=ylabel,
    )
    ax.figure.autofmt_xdate()
    return ax
