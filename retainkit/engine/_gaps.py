"""A customer's purchase days, computed in the engine: the gaps between them and their size."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute
from retainkit.engine._customer_days import customer_days
from retainkit.engine._summaries import resolve_as_of
from retainkit.engine._transactions import remember

__all__ = ["gap_statistics", "purchase_day_values"]


def _purchase_days(transactions: Any, as_of: pd.Timestamp, *, revenue: bool = False) -> ir.Table:
    """One row per customer and purchase day (a day with a non-return line), up to ``as_of``.

    With ``revenue``, the column ``value`` holds the day's revenue of those lines.
    """
    relation = customer_days(transactions, need=(S.REVENUE,) if revenue else ())
    days = relation.purchases(as_of)
    cols: dict[str, ir.Value] = {"day": days.day}
    if revenue:
        cols["value"] = days.purchase_revenue
    return relation.ids(days.select(days[relation.key], **cols))


def _gaps(transactions: Any, as_of: pd.Timestamp) -> ir.Table:
    """One row per repeat purchase day: customer and days since their previous one."""
    days = _purchase_days(transactions, as_of)
    w = ibis.window(group_by=days[S.CUSTOMER_ID], order_by=days.day)
    previous = days.day.lag().over(w)
    gaps = days.mutate(gap_days=days.day.delta(previous, unit="day"))
    return gaps.filter(gaps.gap_days.notnull())


@remember
def gap_statistics(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Per customer: how regularly they buy, from the gaps between purchase days.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least two purchase days, sorted by customer:
        ``customer_id``, ``gaps`` (number of gaps), ``median_gap_days``,
        ``mean_gap_days``, ``std_gap_days`` (sample standard deviation; NaN for one
        gap), ``last_gap_days`` (the most recent gap).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31",
    ...                                   "2024-02-10"])})
    >>> gap_statistics(frame)[["customer_id", "gaps", "median_gap_days", "last_gap_days"]]
      customer_id  gaps  median_gap_days  last_gap_days
    0           a     3             10.0             10
    """
    as_of = resolve_as_of(transactions, as_of)
    g = _gaps(transactions, as_of)
    last = ibis.window(group_by=g[S.CUSTOMER_ID], order_by=ibis.desc(g.day))
    g = g.mutate(_recent=ibis.row_number().over(last))
    out = execute(
        g.group_by(S.CUSTOMER_ID)
        .aggregate(
            gaps=g.count(),
            median_gap_days=g.gap_days.quantile(0.5),
            mean_gap_days=g.gap_days.mean(),
            std_gap_days=g.gap_days.std(),
            last_gap_days=g.gap_days.max(where=g._recent == 0),
        )
        .order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out["gaps"] = out["gaps"].astype("int64")
    out["last_gap_days"] = out["last_gap_days"].astype("int64")
    for c in ("median_gap_days", "mean_gap_days", "std_gap_days"):
        out[c] = out[c].astype("float64")
    out.attrs = {"as_of": as_of}
    return out.reset_index(drop=True)


@remember
def purchase_day_values(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Per customer: the revenue of each purchase day, its mean and spread.

    A purchase day's revenue is the sum of the customer's non-return lines that day.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        With a ``revenue`` column.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase day, sorted by customer: ``customer_id``,
        ``purchase_days``, ``mean_day_revenue``, ``std_day_revenue`` (sample standard
        deviation; NaN for one day).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05",
    ...                                   "2024-01-02"]),
    ...     "revenue": [10.0, 20.0, 50.0, 8.0]})
    >>> purchase_day_values(frame)  # a: days of 30 and 50, sd sqrt(200)
      customer_id  purchase_days  mean_day_revenue  std_day_revenue
    0           a              2              40.0        14.142136
    1           b              1               8.0              NaN
    """
    as_of = resolve_as_of(transactions, as_of)
    days = _purchase_days(transactions, as_of, revenue=True)
    out = execute(
        days.group_by(S.CUSTOMER_ID)
        .aggregate(
            purchase_days=days.count(),
            mean_day_revenue=days.value.mean(),
            std_day_revenue=days.value.std(),
        )
        .order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out["purchase_days"] = out["purchase_days"].astype("int64")
    for c in ("mean_day_revenue", "std_day_revenue"):
        out[c] = out[c].astype("float64")
    out.attrs = {"as_of": as_of}
    return out.reset_index(drop=True)
