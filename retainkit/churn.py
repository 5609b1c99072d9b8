"""When a customer counts as lost: the inactivity threshold ``churn_days``.

A transaction log never says that a customer has left; it only shows that they have
not bought for a while. retainkit calls a customer *lost* once ``churn_days`` have
passed since their last purchase. Unless the user sets it, the threshold comes from
the data: a high quantile (default the 90th percentile) of the gaps between
consecutive purchase days of repeat customers, i.e. a silence longer than nine in ten
of the pauses customers who came back actually took.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from retainkit import engine

__all__ = ["ChurnThreshold", "derive_churn_days", "resolve_churn_days"]

#: Threshold used when the data holds too few repeat purchases to derive one.
FALLBACK_DAYS = 365
#: Fewer gaps than this are too few to derive a threshold from.
MIN_GAPS = 30


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
        Gaps and repeat customers the quantile was computed from.
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
    """Derive ``churn_days`` from the gaps between purchase days of repeat customers.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    quantile : float
        Quantile of the pooled gaps, 0-1; default 0.9.
    as_of : date-like, optional
        Only purchases up to this day count; default: last order date.
    minimum_days : int
        Lower bound of the threshold (a shop where everyone buys weekly still should
        not call a customer lost after ten days).

    Returns
    -------
    ChurnThreshold
        The quantile rounded up to whole days (at least ``minimum_days``); with fewer
        than 30 gaps, 365 days (``method="fallback"``).

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=40, freq="10D")
    >>> frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    >>> t = derive_churn_days(frame, minimum_days=1)
    >>> t.days, t.method, t.gaps
    (10, 'derived', 39)
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile={quantile!r} must lie strictly between 0 and 1")
    value, gaps, customers = engine.gap_quantile(transactions, q=quantile, as_of=as_of)
    if gaps < MIN_GAPS or math.isnan(value):
        return ChurnThreshold(
            days=FALLBACK_DAYS,
            method="fallback",
            quantile=None,
            gaps=gaps,
            customers=customers,
            explanation=(
                f"Only {gaps} repeat purchases in the data, too few to derive a threshold; "
                f"a customer counts as lost after {FALLBACK_DAYS} days without a purchase."
            ),
        )
    days = max(math.ceil(value), minimum_days)
    pct = f"{quantile:.0%}"
    raised = f" (raised to the minimum of {minimum_days} days)" if days > math.ceil(value) else ""
    return ChurnThreshold(
        days=days,
        method="derived",
        quantile=quantile,
        gaps=gaps,
        customers=customers,
        explanation=(
            f"A customer counts as lost after {days} days without a purchase: {pct} of the "
            f"{gaps:,} gaps between purchases of the {customers:,} repeat customers were "
            f"shorter{raised}."
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
