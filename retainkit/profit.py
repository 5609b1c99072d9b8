"""Profit: the one rule for turning revenue into the value a business keeps.

Revenue minus cost where the data has a cost column; else ``margin`` x revenue where a
gross margin is given; else revenue itself (and callers say so in their labels).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["profit", "value_label"]


def profit(
    revenue: pd.Series, *, cost: pd.Series | None = None, margin: float | None = None
) -> pd.Series:
    """Return the value kept from ``revenue``: minus ``cost``, or times ``margin``.

    Parameters
    ----------
    revenue : pandas.Series
        Net revenue (returns netted).
    cost : pandas.Series, optional
        Cost of the same rows; used when given.
    margin : float, optional
        Gross margin 0-1, used when there is no cost; neither: revenue is returned.

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> profit(pd.Series([100.0, 50.0]), cost=pd.Series([60.0, 20.0])).tolist()
    [40.0, 30.0]
    >>> profit(pd.Series([100.0]), margin=0.3).tolist()
    [30.0]
    """
    if cost is not None:
        return revenue - cost
    if margin is not None:
        return revenue * margin
    return revenue


def value_label(*, has_cost: bool, margin: float | None) -> str:
    """Name what :func:`profit` returns, for captions and stories.

    Examples
    --------
    >>> value_label(has_cost=False, margin=0.3)
    'profit (margin 30% of revenue)'
    >>> value_label(has_cost=False, margin=None)
    'net revenue'
    """
    if has_cost:
        return "profit (revenue - cost)"
    if margin is not None:
        return f"profit (margin {margin:.0%} of revenue)"
    return "net revenue"
