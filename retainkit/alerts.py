"""The monthly review: early warnings about customers we are about to lose, and a call list.

Four detectors, each a pure function of the transactions at ``as_of``:

- :func:`order_value_trend`: company-level average order value, the last ``months``
  against the ``months`` before, with a Welch t-test that says whether the change is
  beyond normal variation;
- :func:`falling_order_value`: customers whose mean order value fell by at least
  ``min_drop`` between the same two windows, with at least ``min_orders`` orders in
  each;
- :func:`overdue_regulars`: regular customers (steady gaps between purchases) now
  overdue by ``overdue_factor`` times their own median gap;
- :func:`dropped_categories`: customers who bought a product range in at least
  ``min_months`` of the ``of_months`` months before the last ``quiet_months`` and
  none since, while still buying other ranges.

:func:`call_list` combines them, ranked by value at risk: the customer's net revenue
(or profit) over the last 365 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown
from scipy import stats

from retainkit import engine
from retainkit import schema as S
from retainkit.display import markdown, money, share

__all__ = [
    "DROPPED",
    "FALLING",
    "OVERDUE",
    "MonthlyReview",
    "call_list",
    "dropped_categories",
    "falling_order_value",
    "monthly_order_value",
    "monthly_review",
    "order_value_trend",
    "overdue_regulars",
    "review_story",
    "review_windows",
]

_DAY = pd.Timedelta(days=1)


def review_windows(as_of: Any, *, months: int = 3) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the two windows the review compares: the last ``months`` and those before.

    Each window holds the days after its start up to and including its end.

    Examples
    --------
    >>> w = review_windows("2024-12-31", months=3)
    >>> [(a.date().isoformat(), b.date().isoformat()) for a, b in w.values()]
    [('2024-06-30', '2024-09-30'), ('2024-09-30', '2024-12-31')]
    """
    if months <= 0:
        raise ValueError(f"months={months} must be positive")
    end = pd.Timestamp(as_of).normalize()
    middle = end - pd.DateOffset(months=months)
    start = middle - pd.DateOffset(months=months)
    return {"previous": (start, middle), "recent": (middle, end)}


def order_value_trend(
    transactions: Any, *, as_of: Any = None, months: int = 3, alpha: float = 0.05
) -> pd.DataFrame:
    """Average order value of the last ``months`` against the ``months`` before.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
        Default: last order date.
    months : int
        Window length in calendar months.
    alpha : float
        Significance level for "beyond normal variation".

    Returns
    -------
    pandas.DataFrame
        One row: ``previous_start``, ``recent_end``, ``orders_previous``,
        ``orders_recent``, ``aov_previous``, ``aov_recent`` (mean order value),
        ``change`` (relative, recent / previous - 1), ``difference_low`` and
        ``difference_high`` (95% interval of recent minus previous), ``p_value``
        (Welch's t-test on the order values), ``beyond_normal_variation``
        (p below ``alpha``) and ``verdict`` (one sentence).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": list("abcdefgh"),
    ...     "order_date": pd.to_datetime(["2024-08-01"] * 4 + ["2024-11-01"] * 4),
    ...     "revenue": [10.0, 12.0, 11.0, 9.0, 5.0, 6.0, 4.0, 5.0]})
    >>> t = order_value_trend(frame, as_of="2024-12-31")
    >>> t[["aov_previous", "aov_recent", "change"]].round(3)
       aov_previous  aov_recent  change
    0          10.5         5.0  -0.524
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    windows = review_windows(as_of, months=months)
    s = engine.order_value_stats(transactions, windows=windows).set_index("window")
    n1, m1, s1 = s.loc["previous", ["orders", "mean_order_value", "std_order_value"]]
    n2, m2, s2 = s.loc["recent", ["orders", "mean_order_value", "std_order_value"]]
    p = low = high = np.nan
    if n1 >= 2 and n2 >= 2:
        v1, v2 = s1**2 / n1, s2**2 / n2
        se = np.sqrt(v1 + v2)
        if se > 0:
            t = (m2 - m1) / se
            df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
            p = float(2 * stats.t.sf(abs(t), df))
            q = stats.t.ppf(0.975, df)
            low, high = (m2 - m1) - q * se, (m2 - m1) + q * se
    change = m2 / m1 - 1 if m1 and not np.isnan(m1) else np.nan
    beyond = bool(p < alpha) if not np.isnan(p) else False
    if np.isnan(p):
        verdict = "Too few orders in one of the windows to judge the change."
    elif beyond:
        direction = "fell" if change < 0 else "rose"
        verdict = (
            f"Average order value {direction} by {abs(change):.1%}: beyond normal variation "
            f"(p = {p:.3f})."
        )
    else:
        verdict = (
            f"Average order value changed by {change:+.1%}, within normal variation (p = {p:.2f})."
        )
    return pd.DataFrame(
        {
            "previous_start": [windows["previous"][0] + _DAY],
            "recent_end": [as_of],
            "orders_previous": [int(n1)],
            "orders_recent": [int(n2)],
            "aov_previous": [m1],
            "aov_recent": [m2],
            "change": [change],
            "difference_low": [low],
            "difference_high": [high],
            "p_value": [p],
            "beyond_normal_variation": [beyond],
            "verdict": [verdict],
        }
    )


def monthly_order_value(transactions: Any, *, as_of: Any = None, months: int = 24) -> pd.DataFrame:
    """Average order value per calendar month, for the trend plot.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
    months : int
        How many months back from the month of ``as_of``.

    Returns
    -------
    pandas.DataFrame
        ``month_start``, ``orders``, ``mean_order_value``, ``std_order_value``; the
        month of ``as_of`` may be partial.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
    ...     "revenue": [10.0, 20.0]})
    >>> monthly_order_value(frame, months=2)[["month_start", "mean_order_value"]]
      month_start  mean_order_value
    0  2024-01-01              10.0
    1  2024-02-01              20.0
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    last = as_of.to_period("M").to_timestamp()
    starts = pd.date_range(end=last, periods=months, freq="MS")
    windows = {
        f"m{i}": (start - _DAY, min(start + pd.DateOffset(months=1) - _DAY, as_of))
        for i, start in enumerate(starts)
    }
    out = engine.order_value_stats(transactions, windows=windows)
    out.insert(0, "month_start", starts)
    out = out[out["orders"] > 0].drop(columns=["window", "start", "end"])
    return out.reset_index(drop=True)


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
    activity = engine.category_month_activity(transactions, as_of=as_of)
    this_month = as_of.to_period("M").to_timestamp()
    quiet_start = this_month - pd.DateOffset(months=quiet_months - 1)
    habit_start = quiet_start - pd.DateOffset(months=of_months)
    quiet = activity["month_start"] >= quiet_start
    habit = (activity["month_start"] >= habit_start) & ~quiet
    keys = [S.CUSTOMER_ID, S.CATEGORY]
    habit_counts = activity[habit].groupby(keys).size().rename("habit_months")
    quiet_keys = activity[quiet].groupby(keys).size()
    last_month = activity.groupby(keys)["month_start"].max().rename("last_month")
    out = habit_counts[habit_counts >= min_months].to_frame()
    out = out[~out.index.isin(quiet_keys.index)].join(last_month).reset_index()
    if still_buying:
        active_now = activity.loc[quiet, S.CUSTOMER_ID].unique()
        out = out[out[S.CUSTOMER_ID].isin(active_now)]
    out = out.sort_values(keys).reset_index(drop=True)
    out["habit_months"] = out["habit_months"].astype("int64")
    out["warning"] = [
        f"bought {c} in {n} of {of_months} months; none since {m:%b %Y}"
        for c, n, m in zip(out[S.CATEGORY], out["habit_months"], out["last_month"], strict=True)
    ]
    return out


def call_list(
    transactions: Any,
    alerts: Mapping[str, pd.DataFrame],
    *,
    as_of: Any = None,
    margin: float | None = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One list of customers to call, ranked by the value at risk.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    alerts : mapping
        Name -> output of a detector (needs ``customer_id`` and ``warning``).
    as_of : date-like, optional
    margin : float, optional
        With revenue but no cost: rank by ``margin`` x revenue and call it profit.
        Without revenue the list is ranked by purchase days in the last year.
    customers : pandas.DataFrame, optional
        Attributes to show beside each customer.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``customer_id``, ``value_at_risk`` (net revenue, or profit, over the
        365 days up to ``as_of``; purchase days without revenue), ``warnings`` (the
        detectors' sentences joined by "; "), ``alerts`` (their names),
        ``last_purchase``, ``days_since_last_purchase`` and the attribute columns.
        ``attrs["value"]`` names what ``value_at_risk`` measures.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2024-06-01", "2024-05-01", "2024-07-01"]),
    ...     "revenue": [10.0, 30.0, 20.0]})
    >>> flags = {"x": pd.DataFrame({"customer_id": ["a", "b"], "warning": ["w1", "w2"]})}
    >>> call_list(frame, flags, as_of="2024-12-31")[["rank", "customer_id", "value_at_risk"]]
       rank customer_id  value_at_risk
    0     1           b           50.0
    1     2           a           10.0
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    parts = [
        frame[[S.CUSTOMER_ID, "warning"]].assign(alert=name)
        for name, frame in alerts.items()
        if len(frame)
    ]
    if not parts:
        empty = pd.DataFrame(
            columns=[
                "rank",
                S.CUSTOMER_ID,
                "value_at_risk",
                "warnings",
                "alerts",
                "last_purchase",
                "days_since_last_purchase",
            ]
        )
        empty.attrs["value"] = ""
        return empty
    flagged = pd.concat(parts, ignore_index=True)
    grouped = flagged.groupby(S.CUSTOMER_ID).agg(
        warnings=("warning", "; ".join), alerts=("alert", lambda a: ", ".join(sorted(set(a))))
    )
    year = engine.window_activity(
        transactions, windows={"year": (as_of - pd.Timedelta(days=365), as_of)}
    )
    year = year.set_index(S.CUSTOMER_ID)
    if "revenue_year" in year:
        if "cost_year" in year:
            value = year["revenue_year"] - year["cost_year"]
            label = "profit over the last 365 days"
        elif margin is not None:
            value = year["revenue_year"] * margin
            label = f"profit over the last 365 days (margin {margin:.0%} of revenue)"
        else:
            value = year["revenue_year"]
            label = "net revenue over the last 365 days"
    else:
        value = year["purchase_days_year"].astype(float)
        label = "purchase days over the last 365 days (no revenue in the data)"
    summary = engine.customer_summary(transactions, as_of=as_of, time_unit="days")
    summary = summary.set_index(S.CUSTOMER_ID)[["last_purchase", "days_since_last_purchase"]]
    out = grouped.join(value.rename("value_at_risk")).join(summary)
    out["value_at_risk"] = out["value_at_risk"].fillna(0.0)
    out = out.reset_index().sort_values(["value_at_risk", S.CUSTOMER_ID], ascending=[False, True])
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out = out[
        [
            "rank",
            S.CUSTOMER_ID,
            "value_at_risk",
            "warnings",
            "alerts",
            "last_purchase",
            "days_since_last_purchase",
        ]
    ]
    if customers is not None:
        out = out.merge(customers.drop_duplicates(S.CUSTOMER_ID), on=S.CUSTOMER_ID, how="left")
    out = out.reset_index(drop=True)
    out.attrs["value"] = label
    return out


@dataclass(frozen=True)
class MonthlyReview:
    """The monthly review's results: the trend, each detector's list and the call list.

    Attributes
    ----------
    trend : pandas.DataFrame or None
        :func:`order_value_trend` (None without revenue).
    detectors : dict
        Detector name -> flagged customers (only the detectors the data allows).
    calls : pandas.DataFrame
        :func:`call_list`.
    skipped : dict
        Detector name -> why it could not run.
    settings : dict
        The thresholds used.
    """

    trend: pd.DataFrame | None
    detectors: dict[str, pd.DataFrame]
    calls: pd.DataFrame
    skipped: dict[str, str]
    settings: dict[str, Any]

    def summary(self) -> pd.DataFrame:
        """Return one row per detector: what it looks for and how many it flagged.

        Examples
        --------
        >>> review = monthly_review(pd.DataFrame({"customer_id": ["a"],
        ...     "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [5.0]}))
        >>> review.summary()["customers_flagged"].tolist()  # no category column: no count
        [0, 0, <NA>]
        """
        s = self.settings
        definitions = {
            FALLING: (
                f"average order value down {s['min_drop']:.0%} or more, last {s['months']} "
                f"months against the {s['months']} before ({s['min_orders']}+ orders in each)"
            ),
            OVERDUE: (
                f"regular buyers ({s['min_purchases']}+ purchase days, gap variation at most "
                f"{s['max_variation']:.1f}) silent for {s['overdue_factor']:g} times their "
                "usual gap"
            ),
            DROPPED: (
                f"bought a range in {s['min_months']}+ of {s['of_months']} months, none in the "
                f"last {s['quiet_months']} months, still buying other ranges"
            ),
        }
        rows = []
        for name, definition in definitions.items():
            flagged = self.detectors.get(name)
            rows.append(
                {
                    "warning": name,
                    "definition": definition,
                    "customers_flagged": (
                        None if flagged is None else int(flagged[S.CUSTOMER_ID].nunique())
                    ),
                    "note": self.skipped.get(name, ""),
                }
            )
        out = pd.DataFrame(rows)
        out["customers_flagged"] = out["customers_flagged"].astype("Int64")
        return out


FALLING = "falling order value"
OVERDUE = "regular order overdue"
DROPPED = "product range dropped"


def monthly_review(
    transactions: Any,
    *,
    as_of: Any = None,
    months: int = 3,
    min_drop: float = 0.35,
    min_orders: int = 3,
    min_purchases: int = 8,
    max_variation: float = 0.5,
    overdue_factor: float = 3.0,
    min_months: int = 5,
    of_months: int = 6,
    quiet_months: int = 3,
    margin: float | None = None,
    customers: pd.DataFrame | None = None,
    currency: str = "",
) -> MonthlyReview:
    """Run every early warning the data allows and build the call list.

    The order-value checks need revenue and the range check needs categories;
    the ones the data cannot support are listed in ``skipped`` with the reason.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    months, min_drop, min_orders : see :func:`falling_order_value`
    min_purchases, max_variation, overdue_factor : see :func:`overdue_regulars`
    min_months, of_months, quiet_months : see :func:`dropped_categories`
    margin : float, optional
        See :func:`call_list`.
    customers : pandas.DataFrame, optional
        Attributes shown in the call list.
    currency : str
        Currency symbol for the warning texts.

    Returns
    -------
    MonthlyReview

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = monthly_review(frame, as_of="2024-12-31", min_orders=2)
    >>> review.calls[["customer_id", "alerts"]]
      customer_id               alerts
    0           a  falling order value
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    table = engine.as_table(transactions)
    detectors: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    trend = None
    if S.REVENUE in table.columns:
        trend = order_value_trend(transactions, as_of=as_of, months=months)
        detectors[FALLING] = falling_order_value(
            transactions,
            as_of=as_of,
            months=months,
            min_orders=min_orders,
            min_drop=min_drop,
            currency=currency,
        )
    else:
        skipped[FALLING] = "needs revenue"
    detectors[OVERDUE] = overdue_regulars(
        transactions,
        as_of=as_of,
        min_purchases=min_purchases,
        max_variation=max_variation,
        overdue_factor=overdue_factor,
    )
    if S.CATEGORY in table.columns:
        detectors[DROPPED] = dropped_categories(
            transactions,
            as_of=as_of,
            min_months=min_months,
            of_months=of_months,
            quiet_months=quiet_months,
        )
    else:
        skipped[DROPPED] = "needs a product category column"
    calls = call_list(transactions, detectors, as_of=as_of, margin=margin, customers=customers)
    settings = {
        "as_of": as_of,
        "months": months,
        "min_drop": min_drop,
        "min_orders": min_orders,
        "min_purchases": min_purchases,
        "max_variation": max_variation,
        "overdue_factor": overdue_factor,
        "min_months": min_months,
        "of_months": of_months,
        "quiet_months": quiet_months,
    }
    return MonthlyReview(trend, detectors, calls, skipped, settings)


def review_story(review: MonthlyReview, *, currency: str = "") -> Markdown:
    """Say in words what the monthly review found and what to do next.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = monthly_review(frame, as_of="2024-12-31", min_orders=2)
    >>> print(review_story(review, currency="£").data)  # doctest: +ELLIPSIS
    **1 customer** to call, worth £300 (net revenue over the last 365 days)...
    """
    calls = review.calls
    if calls.empty:
        return markdown(
            "No customer tripped an early warning with these thresholds. Loosen them in the "
            "parameters (or with the controls in JupyterLab) to see who comes closest."
        )
    n = len(calls)
    total = calls["value_at_risk"].sum()
    top = calls.head(10)["value_at_risk"].sum()
    value = calls.attrs.get("value", "value at risk")
    amount = money(total, currency) if "purchase days" not in value else f"{total:,.0f}"
    return markdown(
        "**{n:,} customer{plural}** to call, worth {amount} ({value}). The first ten on the "
        "list hold {top_share} of it: call them first, in the order shown, and ask what "
        "changed. The full list is in the files below.",
        n=n,
        plural="" if n == 1 else "s",
        amount=amount,
        value=value,
        top_share=share(top / total) if total else "—",
    )
