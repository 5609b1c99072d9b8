"""The segmentation notebook's lifecycle: stages over time and conversion between them."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from retainkit import display as D
from retainkit import engine, lifecycle
from retainkit.display import Parts
from retainkit.plotting._segmentation import (
    plot_conversion,
    plot_lifecycle,
)

__all__ = ["conversion_section", "lifecycle_section"]


def lifecycle_section(
    transactions: Any,
    *,
    churn_days: int,
    as_of: Any = None,
    loyal_purchases: int = 4,
    loyal_months: float = 6,
) -> Parts:
    """Show the active customers in each lifecycle stage at the end of every month.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``.
    churn_days : int
        Days without a purchase after which a customer counts as lapsed.
    as_of : date-like, optional
        Analysis date; default: the last order date.
    loyal_purchases, loyal_months
        What makes a loyal customer (see :func:`retainkit.engine.lifecycle_counts`).

    Returns
    -------
    Parts
        The stacked stages per month (a Figure) and the counts of the last six months (a
        Styler with ``period_start``, ``period_end``, ``new``, ``repeat``, ``loyal``,
        ``lapsed`` and ``active``).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-20"])})
    >>> fig, counts = lifecycle_section(frame, churn_days=90)
    >>> counts.data[["new", "repeat", "active"]].to_dict("list")
    {'new': [1, 1], 'repeat': [0, 1], 'active': [1, 2]}
    """
    counts = engine.lifecycle_counts(
        transactions,
        churn_days=churn_days,
        as_of=as_of,
        loyal_purchases=loyal_purchases,
        loyal_months=loyal_months,
    )
    fig = Figure(figsize=(12, 4.5))
    plot_lifecycle(counts, ax=fig.subplots())
    shown = D.table(
        counts.tail(6),
        date_columns=["period_start", "period_end"],
        integer_columns=["new", "repeat", "loyal", "lapsed", "active"],
        caption="Customers per stage at the end of the last six months "
        "(period end: the day counted)",
    )
    return Parts([fig, shown])


def conversion_section(journeys: pd.DataFrame) -> Parts:
    """Show how many customers move on between lifecycle stages, and how fast.

    Parameters
    ----------
    journeys : pandas.DataFrame
        From :func:`retainkit.engine.purchase_journeys`.

    Returns
    -------
    Parts
        :func:`retainkit.lifecycle.stage_conversion` as a table (a Styler: ``transition``,
        ``customers``, ``converted``, the shares ``within_*`` and ``median_days``) and the
        conversion curves of every transition (a Figure).

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-20"])})
    >>> table, fig = conversion_section(rk.engine.purchase_journeys(frame))
    >>> table.data[["transition", "customers", "converted"]]
           transition  customers  converted
    0    new → repeat          2          1
    1  repeat → loyal          1          0
    2     new → loyal          2          0
    """
    conversion = lifecycle.stage_conversion(journeys)
    shares = conversion.columns[conversion.columns.str.startswith("within")]
    shown = D.table(
        conversion,
        integer_columns=["customers", "converted", "median_days"],
        share_columns=list(shares),
        caption="Conversion between lifecycle stages: customers who reached the "
        "earlier stage, converted by the analysis date, share converted "
        "within 90, 180 and 365 days, and median days to convert",
    )
    curves = [lifecycle.conversion_curve(journeys, transition=t) for t in lifecycle.TRANSITIONS]
    fig = Figure(figsize=(10, 4.5))
    plot_conversion(curves, ax=fig.subplots())
    return Parts([shown, fig])
