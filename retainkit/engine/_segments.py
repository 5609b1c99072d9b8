"""Per-customer values, purchase journeys and lifecycle-stage counts, computed in the engine.

The segmentation notebook needs a few things the general summaries do not give: every
customer's net revenue including customers whose only rows are returns (the Pareto
share counts them), how much of what a customer bought came back, their value per
product category, and when each customer became a repeat and a loyal buyer. All of it
is aggregated here, with Ibis; only per-customer or per-period rows come back.

A *purchase* is a day with at least one purchase line (several orders on one day count
once), as in :func:`retainkit.customer_summary` and the churn threshold.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute, to_memtable
from retainkit.engine._customer_days import customer_days
from retainkit.engine._summaries import _TRUNC, _money, _until, resolve_as_of
from retainkit.engine._transactions import as_table, remember
from retainkit.engine._transactions import order_key as _order_key
from retainkit.units import check_period, days_per

__all__ = ["category_values", "customer_values", "lifecycle_counts", "purchase_journeys"]

#: Lifecycle stages in the order they are reached (``lapsed`` can follow any of them).
STAGES: tuple[str, ...] = ("new", "repeat", "loyal", "lapsed")


@remember
def customer_values(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Per customer: purchases, net revenue, returns and cost up to ``as_of``.

    Unlike :func:`retainkit.customer_summary`, every customer with a row in the period
    is here, including customers whose only rows are returns or cancellations (of
    purchases made before the data starts): they have no purchase dates and a zero
    or negative net revenue.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``; uses ``revenue``, ``cost``,
        ``order_id`` and ``is_return`` where present.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer, sorted by ``customer_id``:

        - ``first_purchase``, ``last_purchase``: first and last purchase day (NaT
          without a purchase)
        - ``purchase_days``: days with a purchase (0 for returns only)
        - ``orders``: distinct orders, returns excluded
        - ``days_since_last_purchase``: ``as_of`` minus the last purchase day (NaN
          without a purchase)
        - ``lines``, ``return_lines``: all lines, and return or cancellation lines
        - with revenue: ``revenue`` (net: sales minus returns), ``sales`` (purchase
          lines) and ``returns`` (the value of return lines, as a positive amount)
        - with cost: ``cost`` (net of returned cost)

        ``attrs``: ``as_of`` (the analysis date) and ``first_date`` (the first purchase
        day in the data).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-20",
    ...                                   "2024-01-08"]),
    ...     "revenue": [10.0, 5.0, -5.0, -7.0]})
    >>> v = customer_values(frame, as_of="2024-01-31")
    >>> v[["customer_id", "purchase_days", "revenue", "sales", "returns"]]
      customer_id  purchase_days  revenue  sales  returns
    0           a              1     10.0   15.0      5.0
    1           b              0     -7.0    0.0      7.0
    """
    table = as_table(transactions)
    as_of = resolve_as_of(transactions, as_of)
    t = _until(table, as_of)
    purchase = ~t[S.IS_RETURN]
    day = t[S.ORDER_DATE].truncate("D")
    order_key = _order_key(t)
    aggs: dict[str, ir.Value] = {
        "first_purchase": day.min(where=purchase),
        "last_purchase": day.max(where=purchase),
        "purchase_days": day.nunique(where=purchase),
        "orders": order_key.nunique(where=purchase),
        "lines": t.count(),
        "return_lines": t[S.IS_RETURN].sum(),
    }
    if S.REVENUE in t.columns:
        rev = t[S.REVENUE]
        aggs["revenue"] = rev.sum()
        aggs["sales"] = rev.sum(where=purchase)
        aggs["returns"] = -rev.sum(where=t[S.IS_RETURN])
    if S.COST in t.columns:
        aggs["cost"] = t[S.COST].sum()
    out = execute(t.group_by(S.CUSTOMER_ID).aggregate(**aggs).order_by(S.CUSTOMER_ID))
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    for c in ("purchase_days", "orders", "lines", "return_lines"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("revenue", "sales", "returns", "cost"):
        if c in out.columns:
            # a customer whose returns cancel their purchases is exactly 0 on every run
            out[c] = _money(out[c].fillna(0.0))
    out["days_since_last_purchase"] = (as_of - out["last_purchase"]).dt.days.astype("float64")
    cols = [
        S.CUSTOMER_ID,
        "first_purchase",
        "last_purchase",
        "purchase_days",
        "orders",
        "days_since_last_purchase",
        "lines",
        "return_lines",
    ] + [c for c in ("revenue", "sales", "returns", "cost") if c in out.columns]
    out = out[cols].reset_index(drop=True)
    out.attrs = {"as_of": as_of, "first_date": out["first_purchase"].min()}
    return out


@remember
def category_values(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Per customer and product category: net revenue and purchase days up to ``as_of``.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id``, ``order_date`` and ``category``; uses ``revenue``.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``category``, ``purchase_days`` (days with a purchase in the
        category) and, with revenue, ``revenue`` (net), sorted by customer and
        category. Lines without a category are left out.

    Raises
    ------
    SchemaError
        When the transactions have no ``category``.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"], "category": ["tea", "cups", "tea"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-08"]),
    ...     "revenue": [10.0, 4.0, 7.0]})
    >>> category_values(frame)
      customer_id category  purchase_days  revenue
    0           a     cups              1      4.0
    1           a      tea              1     10.0
    2           b      tea              1      7.0
    """
    table = as_table(transactions, need=(S.CATEGORY,))
    as_of = resolve_as_of(transactions, as_of)
    t = _until(table, as_of)
    t = t.filter(t[S.CATEGORY].notnull())
    purchase = ~t[S.IS_RETURN]
    aggs: dict[str, ir.Value] = {
        "purchase_days": t[S.ORDER_DATE].truncate("D").nunique(where=purchase)
    }
    if S.REVENUE in t.columns:
        aggs["revenue"] = t[S.REVENUE].sum()
    out = execute(
        t.group_by([S.CUSTOMER_ID, S.CATEGORY])
        .aggregate(**aggs)
        .order_by([S.CUSTOMER_ID, S.CATEGORY])
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out[S.CATEGORY] = out[S.CATEGORY].astype(str)
    out["purchase_days"] = out["purchase_days"].fillna(0).astype("int64")
    if "revenue" in out.columns:
        out["revenue"] = _money(out["revenue"])
    out.attrs = {"as_of": as_of}
    return out.reset_index(drop=True)


def _check_loyalty(loyal_purchases: int, loyal_months: float) -> None:
    if int(loyal_purchases) != loyal_purchases or loyal_purchases < 2:
        raise ValueError(
            f"loyal_purchases={loyal_purchases!r} must be a whole number of at least 2 "
            "(a loyal customer has bought more than once)"
        )
    if loyal_months < 0:
        raise ValueError(f"loyal_months={loyal_months!r} must be 0 or more")


def _purchase_days(
    transactions: Any, as_of: pd.Timestamp, loyal_purchases: int, loyal_months: float
) -> ir.Table:
    """One row per customer and purchase day: its number, and whether it made them loyal."""
    relation = customer_days(transactions)
    bought = relation.purchases(as_of)
    days = relation.ids(bought.select(bought[relation.key], bought.day))
    w = ibis.window(group_by=days[S.CUSTOMER_ID], order_by=days.day)
    days = days.mutate(n=ibis.row_number().over(w) + 1, first=days.day.min().over(w))
    span_days = days.day.delta(days.first, unit="day")
    loyal = (days.n >= int(loyal_purchases)) & (span_days >= loyal_months * days_per("months"))
    return days.mutate(makes_loyal=loyal)


def purchase_journeys(
    transactions: Any,
    *,
    as_of: Any = None,
    loyal_purchases: int = 4,
    loyal_months: float = 6,
) -> pd.DataFrame:
    """Per customer: when they first bought, bought again, and became loyal.

    A customer becomes *repeat* on their second purchase day and *loyal* on the first
    purchase day by which they have bought on at least ``loyal_purchases`` days spread
    over at least ``loyal_months`` months (from the first purchase day to that day).

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Last day included; default: last order date.
    loyal_purchases : int
        Purchase days needed to be loyal (at least 2).
    loyal_months : float
        Months the purchases must span (30.436875 days each).

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase, sorted by customer: ``customer_id``,
        ``first_purchase``, ``repeat_date`` (second purchase day, NaT if none),
        ``loyal_date`` (NaT if not reached), ``last_purchase``, ``purchase_days``.
        ``attrs`` holds ``as_of``, ``loyal_purchases`` and ``loyal_months``.

    Raises
    ------
    ValueError
        For ``loyal_purchases`` below 2 or negative ``loyal_months``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
    ...                                   "2024-04-01", "2024-01-05"])})
    >>> j = purchase_journeys(frame, loyal_purchases=3, loyal_months=1)
    >>> j[["customer_id", "repeat_date", "loyal_date", "purchase_days"]]
      customer_id repeat_date loyal_date  purchase_days
    0           a  2024-02-01 2024-03-01              4
    1           b         NaT        NaT              1
    """
    _check_loyalty(loyal_purchases, loyal_months)
    as_of = resolve_as_of(transactions, as_of)
    d = _purchase_days(transactions, as_of, loyal_purchases, loyal_months)
    out = execute(
        d.group_by(S.CUSTOMER_ID)
        .aggregate(
            first_purchase=d.day.min(),
            repeat_date=d.day.min(where=d.n == 2),
            loyal_date=d.day.min(where=d.makes_loyal),
            last_purchase=d.day.max(),
            purchase_days=d.count(),
        )
        .order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out["purchase_days"] = out["purchase_days"].astype("int64")
    out.attrs = {
        "as_of": as_of,
        "loyal_purchases": int(loyal_purchases),
        "loyal_months": loyal_months,
    }
    return out.reset_index(drop=True)


def lifecycle_counts(
    transactions: Any,
    *,
    churn_days: int,
    period: str = "month",
    as_of: Any = None,
    loyal_purchases: int = 4,
    loyal_months: float = 6,
) -> pd.DataFrame:
    """Count the customers in each lifecycle stage at the end of every calendar period.

    At the end of a period (or at ``as_of`` for the last one) every customer who has
    bought by then is in exactly one stage:

    - ``lapsed``: more than ``churn_days`` days since their last purchase;
    - otherwise ``loyal``: they have become loyal (see :func:`purchase_journeys`);
    - otherwise ``repeat``: two or more purchase days;
    - otherwise ``new``: one purchase day.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    churn_days : int
        Days without a purchase after which a customer counts as lost (see
        :func:`retainkit.churn.resolve_churn_days`).
    period : {"week", "month", "quarter", "year"}
    as_of : date-like, optional
        Last day included; default: last order date.
    loyal_purchases : int
        Purchase days needed to be loyal.
    loyal_months : float
        Months the purchases must span to be loyal.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first purchase to ``as_of``: ``period_start``,
        ``period_end`` (the day counted, capped at ``as_of``), then the customers in
        each stage ``new``, ``repeat``, ``loyal``, ``lapsed``, and ``active``
        (``new + repeat + loyal``).

    Raises
    ------
    ValueError
        For a ``churn_days`` below 1 or the errors of :func:`purchase_journeys`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20"])})
    >>> lifecycle_counts(frame, churn_days=30, as_of="2024-02-29")[
    ...     ["period_end", "new", "repeat", "lapsed"]]
      period_end  new  repeat  lapsed
    0 2024-01-31    2       0       0
    1 2024-02-29    0       1       1
    """
    if churn_days < 1:
        raise ValueError(f"churn_days={churn_days!r} must be at least 1 day")
    check_period(period)
    _check_loyalty(loyal_purchases, loyal_months)
    as_of = resolve_as_of(transactions, as_of)
    d = _purchase_days(transactions, as_of, loyal_purchases, loyal_months)
    bought = customer_days(transactions).purchases(as_of)  # d's days, without its windows
    first = execute(bought.aggregate(first=bought.day.min()))["first"].iloc[0]
    if pd.isna(first):
        raise ValueError("the transactions hold no purchase up to as_of")
    freq = {"week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}[period]
    start = pd.Timestamp(first).to_period(_TRUNC[period]).start_time
    starts = pd.date_range(start, as_of, freq=freq)
    step = {
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
        "year": pd.DateOffset(years=1),
    }[period]
    ends = [min(s + step - pd.Timedelta(days=1), as_of) for s in starts]
    grid = to_memtable(pd.DataFrame({"period_start": starts, "period_end": pd.to_datetime(ends)}))
    pairs = d.inner_join(grid, d.day <= grid.period_end)
    state = pairs.group_by([pairs[S.CUSTOMER_ID], pairs.period_start, pairs.period_end]).aggregate(
        n=pairs.n.max(),
        last=pairs.day.max(),
        loyal=pairs.makes_loyal.any(),
    )
    idle = state.period_end.delta(state["last"], unit="day")
    stage = ibis.cases(
        (idle > int(churn_days), "lapsed"),
        (state.loyal, "loyal"),
        (state.n >= 2, "repeat"),
        else_="new",
    )
    counts = execute(
        state.mutate(stage=stage)
        .group_by(["period_start", "period_end", "stage"])
        .aggregate(customers=lambda x: x.count())
    )
    wide = counts.pivot_table(
        index=["period_start", "period_end"], columns="stage", values="customers", fill_value=0
    )
    wide = wide.reindex(columns=list(STAGES), fill_value=0).astype("int64")
    wide.columns.name = None
    out = wide.reset_index().sort_values("period_start").reset_index(drop=True)
    out["active"] = out["new"] + out["repeat"] + out["loyal"]
    out.attrs = {
        "as_of": as_of,
        "period": period,
        "churn_days": int(churn_days),
        "loyal_purchases": int(loyal_purchases),
        "loyal_months": loyal_months,
    }
    return out
