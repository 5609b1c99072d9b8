"""Cohorts, time windows and daily purchase counts, computed in the engine.

The transaction-level part of retention rates, revenue retention, cohort triangles and
the lifetime-value holdout checks: per customer activity in named date windows, cohort
x period activity, and purchase days per calendar day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute
from retainkit.engine._customer_days import customer_days
from retainkit.engine._summaries import _TRUNC, _money, _until, resolve_as_of
from retainkit.engine._transactions import as_table
from retainkit.units import check_period

__all__ = ["cohort_activity", "customer_windows", "daily_purchases", "money_totals"]


def _day(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def customer_windows(
    transactions: Any,
    *,
    windows: Mapping[str, tuple[Any, Any]],
    as_of: Any = None,
) -> pd.DataFrame:
    """Per customer: first purchase day, and purchase days and revenue in each window.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    windows : mapping
        Name -> (first day, last day), both included.
    as_of : date-like, optional
        Rows after this day are ignored; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase up to ``as_of``, sorted by customer:
        ``customer_id``, ``first_purchase`` and, per window ``w``,
        ``w_purchase_days`` (days with a purchase in it) and, with revenue,
        ``w_revenue`` (net revenue in it, returns included). ``attrs`` holds
        ``as_of`` and ``windows``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10"]),
    ...     "revenue": [10.0, 4.0, 7.0]})
    >>> w = customer_windows(frame, windows={"jan": ("2024-01-01", "2024-01-31"),
    ...                                      "feb_mar": ("2024-02-01", "2024-03-31")})
    >>> w[["customer_id", "jan_purchase_days", "jan_revenue", "feb_mar_revenue"]]
      customer_id  jan_purchase_days  jan_revenue  feb_mar_revenue
    0           a                  1         10.0              4.0
    1           b                  0          0.0              7.0
    """
    as_of = resolve_as_of(transactions, as_of)
    relation = customer_days(transactions)
    days = relation.until(as_of)
    buys = days.purchase_lines > 0
    has_rev = relation.has_revenue
    aggs: dict[str, ir.Value] = {"first_purchase": days.day.min(where=buys)}
    for name, (start, end) in windows.items():
        lo, hi = _day(start), _day(end)
        inside = (days.day >= lo) & (days.day <= hi)
        aggs[f"{name}_purchase_days"] = (inside & buys).cast("int64").sum()
        if has_rev:
            aggs[f"{name}_revenue"] = days.day_revenue.sum(where=inside)
    per_customer = relation.ids(days.group_by(relation.key).aggregate(**aggs)).relocate(
        S.CUSTOMER_ID
    )
    out = execute(per_customer.order_by(S.CUSTOMER_ID))
    out = out[out["first_purchase"].notna()].reset_index(drop=True)
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    for name in windows:
        out[f"{name}_purchase_days"] = out[f"{name}_purchase_days"].fillna(0).astype("int64")
        if has_rev:
            out[f"{name}_revenue"] = _money(out[f"{name}_revenue"].fillna(0.0))
    out.attrs = {
        "as_of": as_of,
        "windows": {k: (_day(a), _day(b)) for k, (a, b) in windows.items()},
    }
    return out


def cohort_activity(transactions: Any, *, period: str = "month", as_of: Any = None) -> pd.DataFrame:
    """Cohort x period activity: customers buying and revenue, by acquisition period.

    A customer's cohort is the calendar period of their first purchase day.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    period : {"week", "month", "quarter", "year"}
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per cohort and period with activity, sorted: ``cohort_start``,
        ``period_start``, ``active_customers`` (customers of the cohort with a
        purchase in the period) and, with revenue, ``revenue`` (the cohort's net
        revenue in the period). ``attrs`` holds ``as_of`` and ``period``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10",
    ...                                   "2024-03-02"]),
    ...     "revenue": [10.0, 4.0, 7.0, 1.0]})
    >>> cohort_activity(frame)
      cohort_start period_start  active_customers  revenue
    0   2024-01-01   2024-01-01                 1     10.0
    1   2024-01-01   2024-03-01                 1      4.0
    2   2024-02-01   2024-02-01                 1      7.0
    3   2024-02-01   2024-03-01                 1      1.0
    """
    check_period(period)
    as_of = resolve_as_of(transactions, as_of)
    relation = customer_days(transactions)
    t = relation.until(as_of)
    unit = _TRUNC[period]
    # customer-days to customer-periods; a customer's cohort is their first period with a
    # purchase (truncation keeps order, so it is the period of their first purchase day),
    # and each customer-period row counts once: no distinct count needed
    start = t.day.truncate(unit).name("period_start")
    per: dict[str, ir.Value] = {"purchase_lines": t.purchase_lines.sum()}
    if relation.has_revenue:
        per["period_revenue"] = t.day_revenue.sum()
    periods = t.group_by([t[relation.key], start]).aggregate(**per)
    buys = periods.purchase_lines > 0
    first = periods.group_by(relation.key).aggregate(
        cohort_start=periods.period_start.min(where=buys)
    )
    first = first.filter(first.cohort_start.notnull())
    joined = periods.inner_join(first, relation.key)
    aggs: dict[str, ir.Value] = {"active_customers": joined.count(where=joined.purchase_lines > 0)}
    if "period_revenue" in joined.columns:
        aggs["revenue"] = joined.period_revenue.sum()
    out = execute(
        joined.group_by(["cohort_start", "period_start"])
        .aggregate(**aggs)
        .order_by(["cohort_start", "period_start"])
    )
    out["active_customers"] = out["active_customers"].astype("int64")
    if "revenue" in out.columns:
        out["revenue"] = _money(out["revenue"])
    out.attrs = {"as_of": as_of, "period": period}
    return out.reset_index(drop=True)


def daily_purchases(
    transactions: Any, *, as_of: Any = None, acquired_until: Any = None
) -> pd.DataFrame:
    """Per calendar day: first purchases and repeat purchase days of the customers.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Last day included; default: last order date.
    acquired_until : date-like, optional
        Count only customers whose first purchase is on or before this day (the
        calibration period's customers); default: all.

    Returns
    -------
    pandas.DataFrame
        One row per day with activity, sorted: ``day``, ``first_purchases``
        (customers whose first purchase day it is), ``repeat_purchases`` (customers
        with a purchase that day that is not their first).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03",
    ...                                   "2024-01-03"])})
    >>> daily_purchases(frame)
             day  first_purchases  repeat_purchases
    0 2024-01-01                1                 0
    1 2024-01-03                1                 1
    """
    as_of = resolve_as_of(transactions, as_of)
    relation = customer_days(transactions)
    days = relation.purchases(as_of)
    first = days.group_by(relation.key).aggregate(first_day=days.day.min())
    if acquired_until is not None:
        first = first.filter(first.first_day <= _day(acquired_until))
    joined = days.inner_join(first, relation.key)
    is_first = joined.day == joined.first_day
    out = execute(
        joined.group_by("day")
        .aggregate(
            first_purchases=is_first.cast("int64").sum(),
            repeat_purchases=(~is_first).cast("int64").sum(),
        )
        .order_by("day")
    )
    for c in ("first_purchases", "repeat_purchases"):
        out[c] = out[c].astype("int64")
    out.attrs = {"as_of": as_of, "acquired_until": acquired_until}
    return out.reset_index(drop=True)


def money_totals(transactions: Any, *, start: Any = None, as_of: Any = None) -> dict[str, float]:
    """Net revenue and, where the data has it, cost, summed over a date range.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    start : date-like, optional
        First day included; default: the first order date.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    dict
        ``revenue`` and ``cost`` (NaN without a cost column).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-03"]),
    ...     "revenue": [10.0, 30.0], "cost": [6.0, 18.0]})
    >>> money_totals(frame)
    {'revenue': 40.0, 'cost': 24.0}
    """
    as_of = resolve_as_of(transactions, as_of)
    t = _until(as_table(transactions, need=(S.REVENUE,)), as_of)
    if start is not None:
        t = t.filter(t[S.ORDER_DATE] >= _day(start))
    aggs: dict[str, ir.Value] = {"revenue": t[S.REVENUE].sum()}
    if S.COST in t.columns:
        aggs["cost"] = t[S.COST].sum()
    row = execute(t.aggregate(**aggs)).iloc[0]
    revenue = float(row["revenue"]) if pd.notna(row["revenue"]) else 0.0
    cost = float(row["cost"]) if "cost" in row and pd.notna(row["cost"]) else float("nan")
    return {"revenue": revenue, "cost": cost}
