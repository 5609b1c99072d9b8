"""The rule detectors: falling order value, overdue regular orders, dropped product ranges."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.alerts.windows import review_windows
from retainkit.display import money

FALLING = "falling order value"


OVERDUE = "regular order overdue"


DROPPED = "product range dropped"


def falling_order_value(
    transactions: Any,
    *,
    as_of: Any = None,
    months: int = 3,
    min_orders: int = 3,
    min_drop: float = 0.35,
    currency: str = "",
) -> pd.DataFrame:
    """Flag customers whose average order value fell by ``min_drop`` or more.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
    months : int
        Length of each window in calendar months.
    min_orders : int
        Orders a customer needs in each window to be judged.
    min_drop : float
        Relative drop, 0-1 (0.35: recent orders worth 35% less on average).
    currency : str
        Currency symbol for the warning text.

    Returns
    -------
    pandas.DataFrame
        Flagged customers, largest drop first: ``customer_id``, ``orders_previous``,
        ``orders_recent``, ``order_value_previous``, ``order_value_recent``,
        ``change`` (relative) and ``warning`` (a sentence).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> falling_order_value(frame, as_of="2024-12-31", min_orders=2)[["customer_id", "change"]]
      customer_id  change
    0           a    -0.5
    """
    if not 0 < min_drop < 1:
        raise ValueError(f"min_drop={min_drop} must lie between 0 and 1")
    as_of = engine.resolve_as_of(transactions, as_of)
    stats_ = engine.window_order_stats(transactions, windows=review_windows(as_of, months=months))
    enough = (stats_["orders_previous"] >= min_orders) & (stats_["orders_recent"] >= min_orders)
    out = stats_[enough].copy()
    out["change"] = out["order_value_recent"] / out["order_value_previous"] - 1
    out = out[(out["order_value_previous"] > 0) & (out["change"] <= -min_drop)]
    out = out.sort_values(["change", S.CUSTOMER_ID]).reset_index(drop=True)
    out["warning"] = [
        f"average order down {-c:.0%} ({money(p, currency, decimals=2)} to "
        f"{money(r, currency, decimals=2)}) over the last {months} months"
        for c, p, r in zip(
            out["change"], out["order_value_previous"], out["order_value_recent"], strict=True
        )
    ]
    return out


def overdue_regulars(
    transactions: Any,
    *,
    as_of: Any = None,
    min_purchases: int = 8,
    max_variation: float = 0.5,
    overdue_factor: float = 3.0,
    max_silence_days: int | None = 365,
) -> pd.DataFrame:
    """Flag regular customers whose usual purchase is now overdue.

    A customer is *regular* with at least ``min_purchases`` purchase days whose gaps
    vary little: standard deviation at most ``max_variation`` times the mean gap
    (a coefficient of variation; random, memoryless buying gives about 1). They are
    *overdue* when the days since their last purchase reach ``overdue_factor`` times
    their median gap. Customers silent for more than ``max_silence_days`` are left out:
    they left long ago, and a phone call will not bring back this month's order.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    min_purchases : int
    max_variation : float
    overdue_factor : float
    max_silence_days : int, optional
        None keeps every overdue regular, however long ago they stopped.

    Returns
    -------
    pandas.DataFrame
        Flagged customers, most overdue first: ``customer_id``, ``purchase_days``,
        ``median_gap_days``, ``gap_variation``, ``last_purchase``,
        ``days_since_last_purchase``, ``overdue_ratio`` (days since last / median gap)
        and ``warning``.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=8, freq="30D")  # to 2024-07-29
    >>> frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    >>> out = overdue_regulars(frame, as_of="2024-11-30")
    >>> out[["customer_id", "median_gap_days", "days_since_last_purchase", "overdue_ratio"]]
      customer_id  median_gap_days  days_since_last_purchase  overdue_ratio
    0           a             30.0                       124       4.133333
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    gaps = engine.gap_statistics(transactions, as_of=as_of)
    summary = engine.customer_summary(transactions, as_of=as_of, time_unit="days")
    frame = gaps.merge(
        summary[[S.CUSTOMER_ID, "purchase_days", "last_purchase", "days_since_last_purchase"]],
        on=S.CUSTOMER_ID,
    )
    frame["gap_variation"] = frame["std_gap_days"] / frame["mean_gap_days"]
    frame["overdue_ratio"] = frame["days_since_last_purchase"] / frame["median_gap_days"]
    regular = (frame["purchase_days"] >= min_purchases) & (frame["gap_variation"] <= max_variation)
    recent = (
        frame["days_since_last_purchase"] <= max_silence_days
        if max_silence_days is not None
        else True
    )
    out = frame[regular & recent & (frame["overdue_ratio"] >= overdue_factor)]
    out = out.sort_values(["overdue_ratio", S.CUSTOMER_ID], ascending=[False, True])
    out = out[
        [
            S.CUSTOMER_ID,
            "purchase_days",
            "median_gap_days",
            "gap_variation",
            "last_purchase",
            "days_since_last_purchase",
            "overdue_ratio",
        ]
    ].reset_index(drop=True)
    out["warning"] = [
        f"usually buys every {g:.0f} days; nothing for {d} days ({r:.1f} times the usual gap)"
        for g, d, r in zip(
            out["median_gap_days"],
            out["days_since_last_purchase"],
            out["overdue_ratio"],
            strict=True,
        )
    ]
    return out


def dropped_categories(
    transactions: Any,
    *,
    as_of: Any = None,
    min_months: int = 5,
    of_months: int = 6,
    quiet_months: int = 3,
    still_buying: bool = True,
) -> pd.DataFrame:
    """Flag customers who stopped buying a product range they used to buy regularly.

    The last ``quiet_months`` calendar months (the month of ``as_of`` included) are
    the quiet window; the ``of_months`` months before it the habit window. A customer
    is flagged for a range bought in at least ``min_months`` of the habit months and in
    none of the quiet ones; with ``still_buying``, only if they bought something else
    in the quiet window (otherwise it is not one range they dropped but all of them).

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``category``.
    as_of : date-like, optional
    min_months, of_months, quiet_months : int
    still_buying : bool

    Returns
    -------
    pandas.DataFrame
        One row per flagged customer and range: ``customer_id``, ``category``,
        ``habit_months`` (months with the range in the habit window),
        ``last_month`` (last month with the range) and ``warning``.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=12, freq="MS") + pd.Timedelta(days=14)
    >>> frame = pd.DataFrame({"customer_id": "a", "order_date": months,
    ...     "category": ["Tea"] * 9 + ["Coffee"] * 3})
    >>> dropped_categories(frame, as_of="2024-12-31")[["category", "habit_months"]]
      category  habit_months
    0      Tea             6
    """
    if min_months > of_months:
        raise ValueError(f"min_months={min_months} cannot exceed of_months={of_months}")
    as_of = engine.resolve_as_of(transactions, as_of)
    this_month = as_of.to_period("M").to_timestamp()
    quiet_start = this_month - pd.DateOffset(months=quiet_months - 1)
    habit_start = quiet_start - pd.DateOffset(months=of_months)
    # counted in the engine: on 10M lines the customer-range-months are 7.2M rows
    out = engine.category_habits(
        transactions,
        as_of=as_of,
        habit_start=habit_start,
        quiet_start=quiet_start,
        min_months=max(min_months, 1),
    )
    if still_buying:
        out = out[out["buying_in_quiet"]]
    out = out.drop(columns="buying_in_quiet").reset_index(drop=True)
    out["warning"] = [
        f"bought {c} in {n} of {of_months} months; none since {m:%b %Y}"
        for c, n, m in zip(out[S.CATEGORY], out["habit_months"], out["last_month"], strict=True)
    ]
    return out
