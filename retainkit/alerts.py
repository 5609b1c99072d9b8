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

:func:`call_list` ranks every active customer who is slipping away by expected value at
risk (:mod:`retainkit.calls`); the detectors' warnings are the reasons on their lines.
:func:`review_thresholds` fits the detectors' thresholds to the data's purchase rhythm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown
from scipy import stats

from retainkit import calls, engine
from retainkit import schema as S
from retainkit.display import Parts, markdown, money, share, table

__all__ = [
    "DROPPED",
    "FALLING",
    "OVERDUE",
    "MonthlyReview",
    "call_list",
    "detector_tables",
    "dropped_categories",
    "falling_order_value",
    "monthly_order_value",
    "monthly_review",
    "order_value_trend",
    "overdue_regulars",
    "review_story",
    "review_thresholds",
    "review_windows",
    "trend_section",
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
    risk: pd.DataFrame,
    alerts: Mapping[str, pd.DataFrame],
    *,
    size: int | None = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the call list: slipping customers by value at risk, with the rules' warnings.

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk`.
    alerts : mapping
        Detector name -> output of a detector (needs ``customer_id`` and ``warning``);
        their warnings become the ``reasons`` of each customer's line.
    size : int, optional
        Length of the list; None or 0 keeps every slipping customer with value at risk.
    customers : pandas.DataFrame, optional
        Attributes to show beside each customer.

    Returns
    -------
    pandas.DataFrame
        :func:`retainkit.calls.rank_calls` of the ``slipping`` group.

    Examples
    --------
    >>> risk = pd.DataFrame({"customer_id": ["a", "b"], "group": "slipping",
    ...     "value_at_risk": [5.0, 9.0], "p_alive": 0.5, "value_recent": 10.0,
    ...     "value_year": 10.0, "expected_value": 4.0, "evidence": "",
    ...     "last_purchase": pd.Timestamp("2024-01-01"), "days_since_last_purchase": 9})
    >>> flags = {"x": pd.DataFrame({"customer_id": ["a"], "warning": ["w1"]})}
    >>> call_list(risk, flags)[["rank", "customer_id", "reasons"]]
       rank customer_id reasons
    0     1           b
    1     2           a   x: w1
    """
    return calls.rank_calls(
        risk, size=size, reasons=calls.reasons_by_customer(alerts), customers=customers
    )


def review_thresholds(transactions: Any, *, as_of: Any = None, **given: Any) -> dict[str, Any]:
    """Return thresholds of the rule detectors that fit the data's purchase rhythm.

    Thresholds passed in ``given`` with a value above 0 are kept; the others are derived
    from the data's typical gap ``g`` between purchase days (the median over repeat
    customers of their median gap, :func:`retainkit.calls.typical_gap_days`), so that a
    business whose customers buy a few times a year gets rules that can fire:

    - ``months`` (each order-value window): ``ceil(3 g / 30.44)`` months, 3 to 12;
    - ``min_orders`` (per window): 3 when a window holds 6 typical gaps or more, else 2;
    - ``min_purchases`` (a regular): half the purchase days of two years at that
      rhythm, ``round(365 / g)``, 4 to 8;
    - ``quiet_months``: ``ceil(2 g / 30.44)``, 3 to 12; ``of_months``: twice that, 6 to
      12; ``min_months``: 80% of the habit months in which a customer buying every
      ``g`` days would buy, at least 2;
    - ``min_drop``, ``max_variation``, ``overdue_factor``: 0.35, 0.5, 3.0.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    **given
        Any of the thresholds of :func:`monthly_review`; 0 or None means "derive".

    Returns
    -------
    dict
        Every threshold, by the names :func:`monthly_review` takes.

    Examples
    --------
    >>> days = pd.date_range("2023-01-01", periods=9, freq="91D")  # every 13 weeks
    >>> frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    >>> t = review_thresholds(frame, months=4)
    >>> t["months"], t["min_orders"], t["min_purchases"], t["quiet_months"], t["min_months"]
    (4, 2, 4, 6, 3)
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    gap = calls.typical_gap_days(engine.gap_statistics(transactions, as_of=as_of))
    g = gap if np.isfinite(gap) and gap > 0 else 30.44
    month = 30.44
    months = int(np.clip(np.ceil(3 * g / month), 3, 12))
    quiet = int(np.clip(np.ceil(2 * g / month), 3, 12))
    of_months = int(np.clip(2 * quiet, 6, 12))
    derived = {
        "months": months,
        "min_drop": 0.35,
        "min_orders": 3 if months * month / g >= 6 else 2,
        "min_purchases": int(np.clip(round(365 / g), 4, 8)),
        "max_variation": 0.5,
        "overdue_factor": 3.0,
        "quiet_months": quiet,
        "of_months": of_months,
        "min_months": max(2, round(0.8 * of_months * min(1.0, month / g))),
    }
    unknown = sorted(set(given) - set(derived))
    if unknown:
        raise TypeError(f"unknown thresholds {unknown}; use {sorted(derived)}")
    out = {k: given[k] if given.get(k) else v for k, v in derived.items()}
    if out["min_months"] > out["of_months"]:
        out["min_months"] = out["of_months"]
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
        :func:`call_list`: the slipping customers to call, first ``call_list_size``.
    skipped : dict
        Detector name -> why it could not run.
    settings : dict
        The thresholds used.
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk` of every active customer.
    winback : pandas.DataFrame
        Customers to win back (already lost), ranked by their value in the last year.
    """

    trend: pd.DataFrame | None
    detectors: dict[str, pd.DataFrame]
    calls: pd.DataFrame
    skipped: dict[str, str]
    settings: dict[str, Any]
    risk: pd.DataFrame
    winback: pd.DataFrame

    def curve(self) -> pd.DataFrame:
        """Return :func:`retainkit.calls.calls_curve` of the slipping customers."""
        return calls.calls_curve(self.risk)

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
    call_list_size: int = 50,
    horizon_days: int = 180,
    churn_days: int | None = None,
    winback_below: float = 0.1,
    purchase_model: calls.PurchaseModel | None = None,
    risk: pd.DataFrame | None = None,
    margin: float | None = None,
    customers: pd.DataFrame | None = None,
    currency: str = "",
) -> MonthlyReview:
    """Run every early warning the data allows and build the call list.

    The call list ranks every active customer who is slipping away by expected value at
    risk (:func:`retainkit.calls.customer_risk`); the rule detectors add their warnings
    to the lines of the customers they flag. The order-value checks need revenue and the
    range check needs categories; the ones the data cannot support are listed in
    ``skipped`` with the reason. :func:`review_thresholds` gives thresholds that fit the
    data's rhythm.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    months, min_drop, min_orders : see :func:`falling_order_value`
    min_purchases, max_variation, overdue_factor : see :func:`overdue_regulars`
    min_months, of_months, quiet_months : see :func:`dropped_categories`
    call_list_size : int
        Customers on the call list (0: every slipping customer with value at risk).
    horizon_days, churn_days, winback_below, purchase_model
        See :func:`retainkit.calls.customer_risk`.
    risk : pandas.DataFrame, optional
        A :func:`retainkit.calls.customer_risk` computed already for this ``as_of``
        (scenario controls reuse it instead of refitting the model).
    margin : float, optional
        Gross margin for profit when the data has no cost.
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
    >>> review.calls[["customer_id", "reasons"]].to_dict("records")  # doctest: +ELLIPSIS
    [{'customer_id': 'a', 'reasons': 'falling order value: average order down 50%...'}]
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
    if risk is None:
        risk = calls.customer_risk(
            transactions,
            as_of=as_of,
            horizon_days=horizon_days,
            churn_days=churn_days,
            winback_below=winback_below,
            margin=margin,
            purchase_model=purchase_model,
            currency=currency,
        )
    reasons = calls.reasons_by_customer(detectors)
    shown = {"size": call_list_size, "reasons": reasons, "customers": customers}
    ranked = calls.rank_calls(risk, **shown)
    winback = calls.rank_calls(risk, group=calls.WIN_BACK, **shown)
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
        "call_list_size": call_list_size,
        "horizon_days": risk.attrs.get("horizon_days", horizon_days),
    }
    return MonthlyReview(trend, detectors, ranked, skipped, settings, risk, winback)


def review_story(review: MonthlyReview, *, currency: str = "") -> Markdown:
    """Say in words what the call list holds and what to do next.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = monthly_review(frame, as_of="2024-12-31", min_orders=2)
    >>> print(review_story(review, currency="£").data)  # doctest: +ELLIPSIS
    The model expects the 1 customer who bought in the last 180 days (and does not count as lost)...
    """
    risk, ranked = review.risk, review.calls
    days = review.settings["horizon_days"]
    slipping = risk[(risk["group"] == calls.SLIPPING) & (risk["value_at_risk"] > 0)]
    n_back = int((risk["group"] == calls.WIN_BACK).sum())
    value = risk.attrs.get("value", "value")
    unit = risk.attrs.get("unit", "money")

    def amount(v: float) -> str:
        return money(v, currency) if unit == "money" else f"{v:,.0f} purchase days"

    back = (
        f" Another {n_back:,} customer{'' if n_back == 1 else 's'} already count as lost and "
        "have nothing left at risk or little chance of still buying: they are listed "
        "separately below, to win back."
        if n_back
        else ""
    )
    if slipping.empty:
        return markdown(
            "No active customer is expected to spend less in the next {days} days than in the "
            "last {days}: nobody is slipping away by this measure.{back}",
            days=days,
            back=back,
        )
    total = slipping["value_at_risk"].sum()
    top = ranked["value_at_risk"].sum()
    n = len(slipping)
    quiet = int(risk.set_index(S.CUSTOMER_ID)["quiet"].reindex(ranked[S.CUSTOMER_ID]).sum())
    return markdown(
        "The model expects the {n:,} customer{plural} who bought in the last {days} days (and {do} "
        "not count as lost) to bring {total} less {value} in the next {days} days than in the "
        "last {days}: that is the value at risk. "
        "**The {shown:,} customers on the call list hold {top} ({top_share}) of it**: call them "
        "in the order shown, and ask what changed. Of them, {quiet} gone quiet for at least "
        "their usual gap; {busy} still buying but expected to spend less than in the last "
        "{days} days (the evidence column says which): for those, a call to review the "
        "account. The model knows no seasons: if the last {days} days held your "
        "busy season, part of the shortfall is the season.{back} {model}",
        n=n,
        plural="" if n == 1 else "s",
        do="does" if n == 1 else "do",
        total=amount(total),
        value=value,
        days=days,
        shown=len(ranked),
        top=amount(top),
        top_share=share(top / total) if total else "—",
        quiet=f"{quiet:,} {'has' if quiet == 1 else 'have'}",
        busy=f"{len(ranked) - quiet:,} {'is' if len(ranked) - quiet == 1 else 'are'}",
        back=back,
        model=risk.attrs.get("model_note", ""),
    )


def trend_section(review: MonthlyReview, transactions: Any, *, currency: str = "") -> Parts:
    """Return what the order-value trend part of the review shows: a verdict and a plot.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> trend_section(monthly_review(frame), frame)[0].data
    'The order-value checks need revenue; the data has none.'
    """
    import matplotlib.pyplot as plt

    from retainkit.plotting import plot_order_value_trend

    if review.trend is None:
        return Parts([markdown("The order-value checks need revenue; the data has none.")])
    fig, ax = plt.subplots(figsize=(10, 3.6))
    monthly = monthly_order_value(transactions, as_of=review.settings["as_of"])
    plot_order_value_trend(monthly, review.trend, currency=currency, ax=ax)
    plt.close(fig)
    return Parts([markdown("**{verdict}**", verdict=review.trend["verdict"].iloc[0]), fig])


def detector_tables(review: MonthlyReview, *, currency: str = "", rows_shown: int = 20) -> Parts:
    """Return one table per rule detector: the customers it flagged.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> len(detector_tables(monthly_review(frame)))  # only the overdue check runs
    1
    """
    out = Parts()
    for name, flagged in review.detectors.items():
        out.append(
            table(
                flagged.drop(columns="warning"),
                currency=currency,
                max_rows=rows_shown,
                money_columns=[
                    c for c in ("order_value_previous", "order_value_recent") if c in flagged
                ],
                share_columns=["change"] if "change" in flagged else [],
                date_columns=[c for c in ("last_purchase", "last_month") if c in flagged],
                caption=f"{name.capitalize()}: {len(flagged):,} customers",
            )
        )
    return out
