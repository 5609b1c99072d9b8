"""When a customer counts as lost: the inactivity threshold ``churn_days``.

A transaction log never says that a customer has left; it only shows that they have
not bought for a while. retainkit calls a customer *lost* once ``churn_days`` have
passed since their last purchase. Unless the user sets it, the threshold comes from
the data: a high quantile (default the 90th percentile) over repeat customers of their
usual (median) gap between purchase days, i.e. a silence longer than nine in ten
repeat customers usually leave between purchases. Each customer counts once, so the
many gaps of a few frequent buyers do not pull the threshold down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from retainkit import engine

__all__ = ["ChurnThreshold", "derive_churn_days", "resolve_churn_days"]

#: Threshold used when the data holds too few repeat purchases to derive one.
FALLBACK_DAYS = 365
#: Fewer repeat customers than this are too few to derive a threshold from.
MIN_CUSTOMERS = 20


@dataclass(frozen=True)
class ChurnThreshold:
    """The inactivity threshold and how it was chosen.

    Attributes
    ----------
    days : int
        Days without a purchase after which a customer counts as lost.
    method : str
        ``"given"``, ``"derived"`` or ``"fallback"``.
    quantile : float or None
        The quantile of purchase gaps used, when derived.
    gaps, customers : int
        Gaps between purchase days, and the repeat customers they come from.
    explanation : str
        One plain sentence for reports.
    """

    days: int
    method: str
    quantile: float | None
    gaps: int
    customers: int
    explanation: str


def derive_churn_days(
    transactions: Any,
    *,
    quantile: float = 0.9,
    as_of: Any = None,
    minimum_days: int = 30,
) -> ChurnThreshold:
    """Derive ``churn_days`` from repeat customers' usual gaps between purchase days.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    quantile : float
        Quantile, 0-1, over repeat customers of their median gap; default 0.9.
    as_of : date-like, optional
        Only purchases up to this day count; default: last order date.
    minimum_days : int
        Lower bound of the threshold (a shop where everyone buys weekly still should
        not call a customer lost after ten days).

    Returns
    -------
    ChurnThreshold
        The quantile rounded up to whole days (at least ``minimum_days``); with fewer
        than 20 repeat customers, 365 days (``method="fallback"``).

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=4, freq="10D")
    >>> frame = pd.concat([pd.DataFrame({"customer_id": f"c{i}", "order_date": days})
    ...                    for i in range(25)])
    >>> t = derive_churn_days(frame, minimum_days=1)
    >>> t.days, t.method, t.customers, t.gaps
    (10, 'derived', 25, 75)
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile={quantile!r} must lie strictly between 0 and 1")
    stats = engine.gap_statistics(transactions, as_of=as_of)
    customers, gaps = len(stats), int(stats["gaps"].sum())
    if customers < MIN_CUSTOMERS:
        return ChurnThreshold(
            days=FALLBACK_DAYS,
            method="fallback",
            quantile=None,
            gaps=gaps,
            customers=customers,
            explanation=(
                f"Only {customers} repeat customers in the data, too few to derive a threshold; "
                f"a customer counts as lost after {FALLBACK_DAYS} days without a purchase."
            ),
        )
    value = float(np.quantile(stats["median_gap_days"].to_numpy(), quantile))
    days = max(math.ceil(value - 1e-9), minimum_days)  # 13.0000000001 is 13 days
    raised = (
        f" (raised to the minimum of {minimum_days} days)" if days > math.ceil(value - 1e-9) else ""
    )
    return ChurnThreshold(
        days=days,
        method="derived",
        quantile=quantile,
        gaps=gaps,
        customers=customers,
        explanation=(
            f"A customer counts as lost after {days} days without a purchase{raised}: "
            f"{quantile:.0%} of the {customers:,} repeat customers usually come back sooner "
            "(their median gap between purchases is shorter)."
        ),
    )


def resolve_churn_days(
    transactions: Any, churn_days: int | None = None, *, as_of: Any = None, quantile: float = 0.9
) -> ChurnThreshold:
    """Return the threshold to use: ``churn_days`` when given (> 0), else derived.

    Notebooks pass their ``churn_days`` parameter, where 0 means "derive it".

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    churn_days : int, optional
        Days; None or 0 to derive from the data.
    as_of : date-like, optional
    quantile : float
        Quantile used when deriving.

    Returns
    -------
    ChurnThreshold

    Raises
    ------
    ValueError
        For a negative ``churn_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> resolve_churn_days(frame, 90).explanation
    'A customer counts as lost after 90 days without a purchase (set in the parameters).'
    """
    if churn_days is not None and churn_days < 0:
        raise ValueError(f"churn_days={churn_days} must be positive (or 0 to derive it)")
    if churn_days:
        return ChurnThreshold(
            days=int(churn_days),
            method="given",
            quantile=None,
            gaps=0,
            customers=0,
            explanation=(
                f"A customer counts as lost after {int(churn_days)} days without a purchase "
                "(set in the parameters)."
            ),
        )
    return derive_churn_days(transactions, quantile=quantile, as_of=as_of)
