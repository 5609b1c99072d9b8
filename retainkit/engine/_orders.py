"""Order-level views computed in the engine: order values, windows, categories.

An *order* is an order id where the data has one, else a distinct order timestamp of a
customer. Its value is the net revenue of its purchase lines (returns are not part of
an order's value; they count against the customer's revenue elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute
from retainkit.engine._summaries import _money, _until, resolve_as_of
from retainkit.engine._transactions import as_table, remember
from retainkit.engine._transactions import order_key as _order_key

__all__ = [
    "category_month_activity",
    "customer_behaviour",
    "first_purchase_category",
    "order_value_by_month",
    "order_value_stats",
    "revenue_before_last_purchase",
    "window_activity",
    "window_order_stats",
]

Window = tuple[pd.Timestamp, pd.Timestamp]


def _orders(t: ir.Table) -> ir.Table:
    """One row per order: customer, order key, first timestamp, value (and cost)."""
    purchase = t.filter(~t[S.IS_RETURN])
    key = _order_key(purchase)
    aggs: dict[str, ir.Value] = {"order_date": purchase[S.ORDER_DATE].min()}
    if S.REVENUE in t.columns:
        aggs["value"] = purchase[S.REVENUE].sum()
    return purchase.group_by([purchase[S.CUSTOMER_ID], key.name("order_key")]).aggregate(**aggs)


def _mean_money(total: Any, count: Any) -> Any:
    """Mean of money from its sum and count: the sum rounded as :func:`_money` rounds it.

    A mean the engine computes adds in a different order on every run: an average order
    of 92.945 would show as $92.95 on one run and $92.94 on the next. NaN for no count.
    """
    total = _money(pd.Series(total, dtype="float64"))
    count = pd.Series(count, dtype="float64").fillna(0.0)
    return (total / count.where(count > 0)).to_numpy()


def _in(col: ir.TimestampValue, window: Window) -> ir.BooleanValue:
    """Inside the days (start, end]: after the start day, up to and including the end day."""
    start, end = window
    return (col >= start + pd.Timedelta(days=1)) & (col < end + pd.Timedelta(days=1))


def _check_windows(windows: Mapping[str, Window]) -> dict[str, Window]:
    out = {}
    for name, (start, end) in windows.items():
        start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
        if end <= start:
            raise ValueError(f"window {name!r} ends ({end:%Y-%m-%d}) before it starts")
        out[name] = (start, end)
    return out


@remember
def window_order_stats(transactions: Any, *, windows: Mapping[str, Window]) -> pd.DataFrame:
    """Per customer and named window: orders and their mean value.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    windows : mapping
        Name -> (start, end) days; a window holds the days after ``start`` up to and
        including ``end``.

    Returns
    -------
    pandas.DataFrame
        One row per customer with an order in at least one window: ``customer_id``,
        then ``orders_<name>`` and ``order_value_<name>`` (mean order value, NaN
        without orders) for every window.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-02-20"]),
    ...     "revenue": [10.0, 4.0, 6.0]})
    >>> window_order_stats(frame, windows={
    ...     "jan": ("2023-12-31", "2024-01-31"), "feb": ("2024-01-31", "2024-02-29")})
      customer_id  orders_jan  order_value_jan  orders_feb  order_value_feb
    0           a           1             10.0           2              5.0
    """
    windows = _check_windows(windows)
    t = as_table(transactions, need=(S.REVENUE,))
    orders = _orders(t)
    aggs: dict[str, ir.Value] = {}
    for name, window in windows.items():
        inside = _in(orders.order_date, window)
        aggs[f"orders_{name}"] = inside.sum()
        aggs[f"order_total_{name}"] = orders.value.sum(where=inside)
    any_in = ibis.or_(*[_in(orders.order_date, w) for w in windows.values()])
    out = execute(
        orders.filter(any_in).group_by(S.CUSTOMER_ID).aggregate(**aggs).order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    for name in windows:
        out[f"orders_{name}"] = out[f"orders_{name}"].fillna(0).astype("int64")
        total = out.pop(f"order_total_{name}")
        out[f"order_value_{name}"] = _mean_money(total, out[f"orders_{name}"])
    columns = [S.CUSTOMER_ID] + [f"{k}_{n}" for n in windows for k in ("orders", "order_value")]
    return out[columns].reset_index(drop=True)


@remember
def window_activity(transactions: Any, *, windows: Mapping[str, Window]) -> pd.DataFrame:
    """Per customer and named window: purchase days, net revenue and cost.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    windows : mapping
        Name -> (start, end) days; a window holds the days after ``start`` up to and
        including ``end``.

    Returns
    -------
    pandas.DataFrame
        One row per customer with any row in any window, sorted by customer:
        ``customer_id`` and, for every window, ``purchase_days_<name>`` (days with a
        purchase) and, where the data has them, ``revenue_<name>`` (net, returns
        included) and ``cost_<name>``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-02-07"]),
    ...     "revenue": [10.0, 4.0, 6.0]})
    >>> window_activity(frame, windows={"jan": ("2023-12-31", "2024-01-31")})
      customer_id  purchase_days_jan  revenue_jan
    0           a                  1         10.0
    """
    windows = _check_windows(windows)
    t = as_table(transactions)
    day = t[S.ORDER_DATE].truncate("D")
    aggs: dict[str, ir.Value] = {}
    for name, window in windows.items():
        inside = _in(t[S.ORDER_DATE], window)
        aggs[f"purchase_days_{name}"] = day.nunique(where=inside & ~t[S.IS_RETURN])
        for col in (S.REVENUE, S.COST):
            if col in t.columns:
                aggs[f"{col}_{name}"] = t[col].sum(where=inside)
    any_in = ibis.or_(*[_in(t[S.ORDER_DATE], w) for w in windows.values()])
    out = execute(
        t.filter(any_in).group_by(S.CUSTOMER_ID).aggregate(**aggs).order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    for c in out.columns:
        if c.startswith("purchase_days_"):
            out[c] = out[c].fillna(0).astype("int64")
        elif c != S.CUSTOMER_ID:
            out[c] = _money(out[c].fillna(0.0))  # the same on every run
    return out.reset_index(drop=True)


@remember
def order_value_stats(transactions: Any, *, windows: Mapping[str, Window]) -> pd.DataFrame:
    """Company-level order value per named window: count, mean and spread.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    windows : mapping
        Name -> (start, end) days, as in :func:`window_order_stats`.

    Returns
    -------
    pandas.DataFrame
        One row per window, in the order given: ``window``, ``start``, ``end``,
        ``orders``, ``mean_order_value``, ``std_order_value`` (sample standard
        deviation of the order values).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-02-05"]),
    ...     "revenue": [10.0, 20.0, 6.0]})
    >>> stats = order_value_stats(frame, windows={"jan": ("2023-12-31", "2024-01-31")})
    >>> stats[["window", "orders", "mean_order_value"]]
      window  orders  mean_order_value
    0    jan       2              15.0
    """
    windows = _check_windows(windows)
    t = as_table(transactions, need=(S.REVENUE,))
    orders = _orders(t)
    aggs: dict[str, ir.Value] = {}
    for i, window in enumerate(windows.values()):
        inside = _in(orders.order_date, window)
        aggs[f"n{i}"] = inside.sum()
        aggs[f"t{i}"] = orders.value.sum(where=inside)
        aggs[f"s{i}"] = orders.value.std(where=inside)
    row = execute(orders.aggregate(**aggs)).iloc[0]
    return pd.DataFrame(
        {
            "window": list(windows),
            "start": [w[0] for w in windows.values()],
            "end": [w[1] for w in windows.values()],
            "orders": [
                0 if pd.isna(row[f"n{i}"]) else int(row[f"n{i}"]) for i in range(len(windows))
            ],
            "mean_order_value": _mean_money(
                [row[f"t{i}"] for i in range(len(windows))],
                [row[f"n{i}"] for i in range(len(windows))],
            ),
            "std_order_value": [float(row[f"s{i}"]) for i in range(len(windows))],
        }
    )


@remember
def order_value_by_month(transactions: Any, *, first_month: Any, as_of: Any = None) -> pd.DataFrame:
    """Company-level order value per calendar month: count, mean and spread, in one query.

    What :func:`order_value_stats` gives for one window per month, from the month of
    ``first_month`` to the month of ``as_of`` (that one up to ``as_of``), grouped once
    instead of one filtered aggregate per month.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    first_month : date-like
        A day in the first month counted.
    as_of : date-like, optional
        Last day counted; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per month with an order, in order: ``month_start``, ``orders``,
        ``mean_order_value``, ``std_order_value`` (sample standard deviation, NaN for
        one order).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-03-05"]),
    ...     "revenue": [10.0, 20.0, 6.0]})
    >>> order_value_by_month(frame, first_month="2024-01-01", as_of="2024-03-31")
      month_start  orders  mean_order_value  std_order_value
    0  2024-01-01       2              15.0         7.071068
    1  2024-03-01       1               6.0              NaN
    """
    as_of = resolve_as_of(transactions, as_of)
    start = pd.Timestamp(first_month).to_period("M").to_timestamp()
    t = as_table(transactions, need=(S.REVENUE,))
    orders = _orders(t)
    kept = orders.filter(
        (orders.order_date >= start) & (orders.order_date < as_of + pd.Timedelta(days=1))
    )
    out = execute(
        kept.group_by(kept.order_date.truncate("M").name("month_start"))
        .aggregate(
            orders=kept.count(),
            total=kept.value.sum(),
            std_order_value=kept.value.std(),
        )
        .order_by("month_start")
    )
    out["orders"] = out["orders"].astype("int64")
    out.insert(2, "mean_order_value", _mean_money(out.pop("total"), out["orders"]))
    out["std_order_value"] = out["std_order_value"].astype("float64")
    return out.reset_index(drop=True)


@remember
def revenue_before_last_purchase(
    transactions: Any, *, days: int = 365, as_of: Any = None
) -> pd.DataFrame:
    """Each customer's net revenue (and cost) in the ``days`` up to their last purchase.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``; uses ``cost`` where present.
    days : int
        Length of the window ending on (and including) the last purchase day.
    as_of : date-like, optional
        Rows after this day are ignored; default: last order date.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``last_purchase`` (day), ``revenue_window`` (net, returns
        included) and, with cost, ``cost_window``; sorted by customer. Customers
        without a purchase are absent.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-03-01"]),
    ...     "revenue": [50.0, 20.0, 30.0]})
    >>> revenue_before_last_purchase(frame, days=365)[["last_purchase", "revenue_window"]]
      last_purchase  revenue_window
    0    2024-03-01            50.0
    """
    as_of = resolve_as_of(transactions, as_of)
    t = _until(as_table(transactions, need=(S.REVENUE,)), as_of)
    last = (
        t.filter(~t[S.IS_RETURN])
        .group_by(S.CUSTOMER_ID)
        .aggregate(last_purchase=lambda x: x[S.ORDER_DATE].max().truncate("D"))
    )
    j = t.inner_join(last, S.CUSTOMER_ID)
    inside = (j[S.ORDER_DATE] >= j.last_purchase - ibis.interval(days=days - 1)) & (
        j[S.ORDER_DATE] < j.last_purchase + ibis.interval(days=1)
    )
    aggs: dict[str, ir.Value] = {
        "last_purchase": j.last_purchase.max(),
        "revenue_window": j[S.REVENUE].sum(where=inside),
    }
    if S.COST in t.columns:
        aggs["cost_window"] = j[S.COST].sum(where=inside)
    out = execute(j.group_by(S.CUSTOMER_ID).aggregate(**aggs).order_by(S.CUSTOMER_ID))
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    for c in ("revenue_window", "cost_window"):
        if c in out:
            out[c] = _money(out[c].fillna(0.0))
    out.attrs = {"as_of": as_of, "days": days}
    return out.reset_index(drop=True)


@remember
def first_purchase_category(transactions: Any) -> pd.DataFrame:
    """Return the product category of each customer's first purchase.

    On the first purchase day, the category with the most revenue counts (then the
    alphabetically first), so the answer does not depend on row order.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``category``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``first_category``; sorted by customer.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
    ...     "category": ["Tea", "Coffee", "Gifts"], "revenue": [5.0, 9.0, 50.0]})
    >>> first_purchase_category(frame)
      customer_id first_category
    0           a         Coffee
    """
    t = as_table(transactions, need=(S.CATEGORY,))
    p = t.filter(~t[S.IS_RETURN] & t[S.CATEGORY].notnull())
    day = p[S.ORDER_DATE].truncate("D")
    # without revenue each line weighs 1: the category with most lines that day
    value = p[S.REVENUE] if S.REVENUE in p.columns else p[S.ORDER_DATE].notnull().cast("int64")
    # the lines of each customer's first purchase day only, then their categories ranked:
    # ranking every customer-day-category took 5.4 s on 10M lines, this 1.6 s
    lines = p.select(S.CUSTOMER_ID, S.CATEGORY, day=day, v=value)
    first_day = lines.group_by(S.CUSTOMER_ID).aggregate(first_day=lines.day.min())
    lines = lines.inner_join(first_day, S.CUSTOMER_ID)
    lines = lines.filter(lines.day == lines.first_day)
    per = lines.group_by([S.CUSTOMER_ID, S.CATEGORY]).aggregate(v=lines.v.sum())
    w = ibis.window(group_by=per[S.CUSTOMER_ID], order_by=[ibis.desc(per.v), per[S.CATEGORY]])
    first = per.mutate(rank=ibis.row_number().over(w)).filter(lambda x: x["rank"] == 0)
    out = execute(
        first.select(S.CUSTOMER_ID, first_category=first[S.CATEGORY]).order_by(S.CUSTOMER_ID)
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    return out.reset_index(drop=True)


@remember
def category_month_activity(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Which product categories each customer bought in which calendar month.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``category``.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per customer, category and month with a purchase of that category:
        ``customer_id``, ``category``, ``month_start``; sorted.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-01"]),
    ...     "category": ["Tea", "Tea", "Coffee"]})
    >>> category_month_activity(frame)
      customer_id category month_start
    0           a   Coffee  2024-02-01
    1           a      Tea  2024-01-01
    """
    as_of = resolve_as_of(transactions, as_of)
    t = _until(as_table(transactions, need=(S.CATEGORY,)), as_of)
    p = t.filter(~t[S.IS_RETURN] & t[S.CATEGORY].notnull())
    out = execute(
        p.select(S.CUSTOMER_ID, S.CATEGORY, month_start=p[S.ORDER_DATE].truncate("M"))
        .distinct()
        .order_by([S.CUSTOMER_ID, S.CATEGORY, "month_start"])
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out[S.CATEGORY] = out[S.CATEGORY].astype(str)
    out.attrs = {"as_of": as_of}
    return out.reset_index(drop=True)


@remember
def category_habits(
    transactions: Any,
    *,
    as_of: Any = None,
    habit_start: Any,
    quiet_start: Any,
    min_months: int = 1,
) -> pd.DataFrame:
    """Return the ranges each customer bought in ``min_months`` habit months, no quiet one.

    Months are those of :func:`category_month_activity`. The habit window runs from
    ``habit_start`` to before ``quiet_start``, the quiet window from ``quiet_start`` to
    ``as_of``. Counted in the engine, which returns only the pairs asked for (10M lines:
    7.2M customer-range-months stay there).

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``category``.
    as_of : date-like, optional
        Last day included; default: last order date.
    habit_start, quiet_start : date-like
        First days of the habit and of the quiet window (month starts).
    min_months : int
        Habit months a range needs.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``category``, ``habit_months``, ``last_month`` (the last month
        with the range, any time before ``as_of``) and ``buying_in_quiet`` (the customer
        bought some range in the quiet window); sorted by customer and category.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": "a",
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-04-05"]),
    ...     "category": ["Tea", "Tea", "Coffee"]})
    >>> category_habits(frame, habit_start="2024-01-01", quiet_start="2024-03-01",
    ...                 min_months=2)[["category", "habit_months", "buying_in_quiet"]]
      category  habit_months  buying_in_quiet
    0      Tea             2             True
    """
    as_of = resolve_as_of(transactions, as_of)
    habit_start, quiet_start = pd.Timestamp(habit_start), pd.Timestamp(quiet_start)
    t = _until(as_table(transactions, need=(S.CATEGORY,)), as_of)
    p = t.filter(~t[S.IS_RETURN] & t[S.CATEGORY].notnull())
    months = p.select(S.CUSTOMER_ID, S.CATEGORY, month=p[S.ORDER_DATE].truncate("M")).distinct()
    quiet = months.month >= quiet_start
    habit = (months.month >= habit_start) & ~quiet
    pairs = months.group_by([S.CUSTOMER_ID, S.CATEGORY]).aggregate(
        habit_months=habit.cast("int64").sum(),
        quiet_months=quiet.cast("int64").sum(),
        last_month=months.month.max(),
    )
    pairs = pairs.filter((pairs.habit_months >= min_months) & (pairs.quiet_months == 0))
    buying = months.filter(quiet).select(S.CUSTOMER_ID).distinct().mutate(buying_in_quiet=True)
    joined = pairs.left_join(buying, S.CUSTOMER_ID)
    out = execute(
        joined.select(
            S.CUSTOMER_ID,
            S.CATEGORY,
            "habit_months",
            "last_month",
            buying_in_quiet=joined.buying_in_quiet.fill_null(False),
        )
    )
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)
    out[S.CATEGORY] = out[S.CATEGORY].astype(str)
    out["habit_months"] = out["habit_months"].astype("int64")
    out["buying_in_quiet"] = out["buying_in_quiet"].astype(bool)
    return out.sort_values([S.CUSTOMER_ID, S.CATEGORY]).reset_index(drop=True)


@remember
def customer_behaviour(
    transactions: Any, *, as_of: Any = None, recent_orders: int = 3
) -> pd.DataFrame:
    """Per customer: recent against earlier order value, breadth of buying, returns.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Last day included; default: last order date.
    recent_orders : int
        How many of the latest orders count as recent.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``lines``, ``return_lines``, ``categories`` (distinct
        categories bought; NaN without a category column) and, with revenue,
        ``recent_order_value`` (mean of the last ``recent_orders`` orders) and
        ``earlier_order_value`` (mean of the orders before them; NaN when there are
        none). Sorted by customer.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
    ...                                   "2024-04-01"]),
    ...     "revenue": [40.0, 10.0, 20.0, -5.0]})
    >>> b = customer_behaviour(frame, recent_orders=2)
    >>> b[["lines", "return_lines", "recent_order_value", "earlier_order_value"]]
       lines  return_lines  recent_order_value  earlier_order_value
    0      4             1                15.0                 40.0
    """
    as_of = resolve_as_of(transactions, as_of)
    t = _until(as_table(transactions), as_of)
    aggs: dict[str, ir.Value] = {
        "lines": t.count(),
        "return_lines": t[S.IS_RETURN].sum(),
    }
    if S.CATEGORY in t.columns:
        aggs["categories"] = t[S.CATEGORY].nunique(where=~t[S.IS_RETURN])
    base = execute(t.group_by(S.CUSTOMER_ID).aggregate(**aggs).order_by(S.CUSTOMER_ID))
    base[S.CUSTOMER_ID] = base[S.CUSTOMER_ID].astype(str)
    base["lines"] = base["lines"].astype("int64")
    base["return_lines"] = base["return_lines"].fillna(0).astype("int64")
    if "categories" not in base:
        base["categories"] = float("nan")
    if S.REVENUE in t.columns:
        orders = _orders(t)
        w = ibis.window(
            group_by=orders[S.CUSTOMER_ID],
            order_by=[ibis.desc(orders.order_date), ibis.desc(orders.order_key)],
        )
        ranked = orders.mutate(rank=ibis.row_number().over(w))
        recent = ranked["rank"] < recent_orders
        values = execute(
            ranked.group_by(S.CUSTOMER_ID).aggregate(
                recent_total=ranked.value.sum(where=recent),
                recent_orders=recent.sum(),
                earlier_total=ranked.value.sum(where=~recent),
                earlier_orders=(~recent).sum(),
            )
        )
        values[S.CUSTOMER_ID] = values[S.CUSTOMER_ID].astype(str)
        for when in ("recent", "earlier"):
            values[f"{when}_order_value"] = _mean_money(
                values.pop(f"{when}_total"), values.pop(f"{when}_orders")
            )
        base = base.merge(values, on=S.CUSTOMER_ID, how="left")
    base.attrs = {"as_of": as_of, "recent_orders": recent_orders}
    return base
