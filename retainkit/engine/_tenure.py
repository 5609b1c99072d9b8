"""A customer's rhythm of purchase days, computed in the engine: count, span, gaps, last bill.

The transaction-level part of telling a subscription business (one bill a month) from a
shop, and of measuring each subscriber's tenure in bills.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute
from retainkit.engine._gaps import _purchase_days
from retainkit.engine._summaries import resolve_as_of
from retainkit.engine._transactions import as_table, remember

__all__ = ["purchase_rhythm"]


def _days(transactions: Any, as_of: pd.Timestamp) -> ir.Table:
    """One row per customer and purchase day up to ``as_of``, with the day's revenue."""
    if S.REVENUE in as_table(transactions).columns:
        days = _purchase_days(transactions, as_of, revenue=True)
        return days.rename(day_revenue="value")
    days = _purchase_days(transactions, as_of)
    return days.mutate(day_revenue=ibis.null().cast("float64"))


@remember
def purchase_rhythm(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Per customer: purchase days, calendar months with one, first and last, and the gaps.

    A purchase day is a day with a line that is not a return; in a subscription export
    each is a bill.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase day, sorted by customer: ``customer_id``,
        ``purchase_days``, ``first_purchase``, ``last_purchase`` (days),
        ``last_day_revenue`` (revenue of the last purchase day's lines, NaN without
        revenue), ``min_gap_days``,
        ``median_gap_days``, ``max_gap_days`` (days between consecutive purchase days;
        NaN for one purchase day). ``attrs["as_of"]`` is the analysis day.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31",
    ...                                   "2024-03-05"]),
    ...     "revenue": [10.0, 10.0, 12.0, 5.0]})
    >>> rhythm = purchase_rhythm(frame)  # a: gaps of 29 and 31 days
    >>> rhythm[["customer_id", "purchase_days", "last_purchase", "last_day_revenue"]]
      customer_id  purchase_days last_purchase  last_day_revenue
    0           a              3    2024-03-31              12.0
    1           b              1    2024-03-05               5.0
    >>> rhythm[["min_gap_days", "median_gap_days", "max_gap_days"]]
       min_gap_days  median_gap_days  max_gap_days
    0          29.0             30.0          31.0
    1           NaN              NaN           NaN
    """
    as_of = resolve_as_of(transactions, as_of)
    days = _days(transactions, as_of)
    order = ibis.window(group_by=days[S.CUSTOMER_ID], order_by=days.day)
    latest = ibis.window(group_by=days[S.CUSTOMER_ID], order_by=ibis.desc(days.day))
    days = days.mutate(
        gap_days=days.day.delta(days.day.lag().over(order), unit="day"),
        _recent=ibis.row_number().over(latest),
    )
    out = execute(
        days.group_by(S.CUSTOMER_ID)
        .aggregate(
            purchase_days=days.count(),
            first_purchase=days.day.min(),
            last_purchase=days.day.max(),
            last_day_revenue=days.day_revenue.max(where=days._recent == 0),
            min_gap_days=days.gap_days.min(),
            median_gap_days=days.gap_days.quantile(0.5),
            max_gap_days=days.gap_days.max(),
        )
        .order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out["purchase_days"] = out["purchase_days"].astype("int64")
    for c in ("first_purchase", "last_purchase"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    for c in ("last_day_revenue", "min_gap_days", "median_gap_days", "max_gap_days"):
        out[c] = out[c].astype("float64")
    out.attrs = {"as_of": as_of}
    return out.reset_index(drop=True)
