"""Groundwork: whom we lost in the lookback window, why, and what it cost.

Definitions (``as_of``, ``churn_days`` and ``lookback_days`` are parameters):

- The *window* is the ``lookback_days`` up to ``as_of``; it starts on
  ``start = as_of - lookback_days``.
- A customer is *lost in the window* when their last purchase L satisfies
  ``as_of - lookback_days - churn_days < L <= as_of - churn_days``: the day they count
  as lost, L + churn_days, falls inside the window.
- The *active base at the start* is the customers with a purchase in the
  ``churn_days`` up to ``start``. The *churn rate* is the share of that base lost in
  the window; the rest is the retained share. Customers first seen during the window
  and lost before ``as_of`` are counted among the losses but not in the rate.
- *Revenue lost* for a lost customer is their net revenue in the 365 days up to and
  including L, their annual run rate; *profit lost* the same for profit (revenue minus
  cost where the data has cost, else ``margin`` x revenue).
- *Lifetime value lost* is that annual value received monthly over ``horizon_years``
  and discounted at ``discount_rate`` a year: $1,000 a month for 20 years,
  undiscounted, is $240,000.

All functions are pure: transaction-level work goes through :mod:`retainkit.engine`;
the rest is vectorised pandas on per-customer results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown
from scipy import stats

from retainkit import engine
from retainkit import schema as S
from retainkit.churn import ChurnThreshold, resolve_churn_days
from retainkit.display import markdown, money, share
from retainkit.exceptions import SchemaError
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.profit import profit
from retainkit.survival import kaplan_meier

__all__ = [
    "CONTROLLABLE",
    "DEFAULT_REASON_GROUPS",
    "UNCONTROLLABLE",
    "ChurnWindow",
    "attribute_columns",
    "behaviour_comparison",
    "behaviour_story",
    "churn_by_attribute",
    "churn_summary",
    "churn_window",
    "classify_reasons",
    "cost_story",
    "customer_status",
    "lifetime_value",
    "loss_concentration",
    "loss_figures",
    "loss_overview",
    "loss_story",
    "losses_by",
    "losses_by_month",
    "lost_customers",
    "pool_small_groups",
    "reason_story",
    "reason_summary",
    "survival_by",
    "tenure_durations",
    "value_lost",
    "wilson_interval",
]

CONTROLLABLE = "controllable"
UNCONTROLLABLE = "uncontrollable"
UNCLASSIFIED = "unclassified"

#: Keyword (matched case-insensitively inside the stated reason) -> group. The first
#: matching keyword in this order wins; replace or extend it with ``groups=``.
DEFAULT_REASON_GROUPS: dict[str, str] = {
    "moved": UNCONTROLLABLE,
    "relocat": UNCONTROLLABLE,
    "closed": UNCONTROLLABLE,
    "closing": UNCONTROLLABLE,
    "bankrupt": UNCONTROLLABLE,
    "out of business": UNCONTROLLABLE,
    "died": UNCONTROLLABLE,
    "deceased": UNCONTROLLABLE,
    "death": UNCONTROLLABLE,
    "passed away": UNCONTROLLABLE,
    "no longer need": UNCONTROLLABLE,
    "retired": UNCONTROLLABLE,
    "deceas": UNCONTROLLABLE,
    "quality": CONTROLLABLE,
    "value for money": CONTROLLABLE,
    "service": CONTROLLABLE,
    "support": CONTROLLABLE,
    "attitude": CONTROLLABLE,
    "price": CONTROLLABLE,
    "expensive": CONTROLLABLE,
    "charge": CONTROLLABLE,
    "competitor": CONTROLLABLE,
    "offer": CONTROLLABLE,
    "delivery": CONTROLLABLE,
    "slow": CONTROLLABLE,
    "reliab": CONTROLLABLE,
    "dissatisf": CONTROLLABLE,
    "product": CONTROLLABLE,
    "speed": CONTROLLABLE,
    "network": CONTROLLABLE,
    "data": CONTROLLABLE,
    "extra": CONTROLLABLE,
    "fee": CONTROLLABLE,
}

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class ChurnWindow:
    """The lookback window and the churn threshold it is read with.

    Attributes
    ----------
    as_of : pandas.Timestamp
        End of the window (inclusive day).
    churn : ChurnThreshold
        ``churn.days`` is the inactivity threshold, with its explanation.
    lookback_days : int
        Window length actually used.
    requested_lookback_days : int
        Window length asked for; longer than ``lookback_days`` when the history is
        too short (see ``note``).
    start : pandas.Timestamp
        ``as_of - lookback_days``.
    history_start : pandas.Timestamp
        First order day in the data.
    feasible : bool
        False when the history is too short for any window (``note`` says why).
    note : str
        Plain-words statement of the window, for reports.
    """

    as_of: pd.Timestamp
    churn: ChurnThreshold
    lookback_days: int
    requested_lookback_days: int
    start: pd.Timestamp
    history_start: pd.Timestamp
    feasible: bool
    note: str

    @property
    def churn_days(self) -> int:
        """The inactivity threshold in days."""
        return self.churn.days

    @property
    def lost_after(self) -> pd.Timestamp:
        """Lost customers' last purchase falls after this day ..."""
        return self.start - pd.Timedelta(days=self.churn_days)

    @property
    def lost_until(self) -> pd.Timestamp:
        """... and on or before this one."""
        return self.as_of - pd.Timedelta(days=self.churn_days)

    @property
    def is_full_year(self) -> bool:
        """True when the window is the 365 days the ``_12m`` key figures need."""
        return self.feasible and self.lookback_days == 365


def churn_window(
    transactions: Any,
    *,
    as_of: Any = None,
    churn_days: int | None = 0,
    lookback_days: int = 365,
    min_lookback_days: int = 60,
) -> ChurnWindow:
    """Fix the analysis window, shortening it when the history is too short.

    Counting the customers lost in a window needs ``lookback_days + churn_days`` of
    history before ``as_of`` (the active base at the start looks ``churn_days``
    further back). With less, the window is shortened to what the history allows, and
    ``note`` says so; below ``min_lookback_days`` the window is not feasible.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        End of the window; default: last order date.
    churn_days : int, optional
        Inactivity threshold in days; 0 or None derives it from the data
        (:func:`retainkit.churn.resolve_churn_days`).
    lookback_days : int
        Window length in days.
    min_lookback_days : int
        Shortest window worth reporting.

    Returns
    -------
    ChurnWindow

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2022-01-01", "2024-12-31"])})
    >>> w = churn_window(frame, churn_days=90)
    >>> w.start.date(), w.lost_after.date(), w.lost_until.date(), w.is_full_year
    (datetime.date(2024, 1, 1), datetime.date(2023, 10, 3), datetime.date(2024, 10, 2), True)
    """
    if lookback_days <= 0:
        raise ValueError(f"lookback_days={lookback_days} must be positive")
    as_of = engine.resolve_as_of(transactions, as_of)
    churn = resolve_churn_days(transactions, churn_days, as_of=as_of)
    history_start = _first_day(transactions)
    available = (as_of - history_start).days - churn.days
    used = min(lookback_days, available)
    feasible = used >= min_lookback_days
    if not feasible:
        used = lookback_days
        note = (
            f"The data covers {(as_of - history_start).days} days up to {as_of:%d %b %Y}; "
            f"counting losses needs at least {min_lookback_days + churn.days} days "
            f"({churn.days} days of inactivity plus a window of {min_lookback_days} days), "
            "so this section cannot be computed."
        )
    elif used < lookback_days:
        note = (
            f"The data covers only {(as_of - history_start).days} days up to {as_of:%d %b %Y}, "
            f"too short for a {lookback_days}-day window with a {churn.days}-day inactivity "
            f"threshold; losses are counted over the last {used} days instead."
        )
    else:
        note = (
            f"Losses are counted over the {used} days from "
            f"{as_of - pd.Timedelta(days=used) + _DAY:%d %b %Y} to {as_of:%d %b %Y}."
        )
    return ChurnWindow(
        as_of=as_of,
        churn=churn,
        lookback_days=int(used),
        requested_lookback_days=int(lookback_days),
        start=as_of - pd.Timedelta(days=int(used)),
        history_start=history_start,
        feasible=feasible,
        note=note,
    )


def _first_day(transactions: Any) -> pd.Timestamp:
    return engine.date_span(transactions)[0].normalize()


def _profit(revenue: pd.Series, cost: pd.Series | None, margin: float) -> pd.Series:
    return profit(revenue, cost=cost, margin=margin)


def customer_status(
    transactions: Any,
    window: ChurnWindow,
    *,
    margin: float = 0.3,
    customers: pd.DataFrame | None = None,
    first_category: bool = True,
) -> pd.DataFrame:
    """Classify every customer against the window: lost in it, lost before it, active.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    window : ChurnWindow
        From :func:`churn_window`.
    margin : float
        Gross margin 0-1 for profit when the data has no ``cost``.
    customers : pandas.DataFrame, optional
        Attributes to join (``customer_id`` plus columns).
    first_category : bool
        With a ``category`` column, add ``first_category``: the range of the
        customer's first purchase (an attribute like the others).

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase up to ``as_of``:

        - ``customer_id``, ``first_purchase``, ``last_purchase``, ``orders``,
          ``days_since_last_purchase``
        - ``status``: ``"lost in window"``, ``"lost before window"`` or ``"active"``
        - ``lapse_date``: last purchase + churn_days, the day they count as lost
        - ``in_base``: in the active base at the start of the window
        - ``new_in_window``: first purchase after the start
        - with revenue: ``revenue``, ``profit`` (all history to ``as_of``),
          ``annual_revenue`` and ``annual_profit`` (the 365 days up to and including
          the last purchase), ``revenue_before_window`` (net revenue in the 365 days up
          to the start)
        - the attribute columns of ``customers``

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01",
    ...                                   "2023-12-28"]),
    ...     "revenue": [100.0, 50.0, 20.0, 30.0]})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90, min_lookback_days=30)
    >>> customer_status(frame, w)[["customer_id", "status", "in_base", "annual_revenue"]]
      customer_id              status  in_base  annual_revenue
    0           a      lost in window     True           150.0
    1           b              active    False            20.0
    2           c      lost in window     True            30.0
    """
    summary = engine.customer_summary(transactions, as_of=window.as_of, time_unit="days")
    base_window = (window.start - pd.Timedelta(days=window.churn_days), window.start)
    year_before = (window.start - pd.Timedelta(days=365), window.start)
    act = engine.window_activity(transactions, windows={"base": base_window, "prior": year_before})
    out = summary[
        [S.CUSTOMER_ID, "first_purchase", "last_purchase", "orders", "days_since_last_purchase"]
    ].merge(act, on=S.CUSTOMER_ID, how="left")
    last = out["last_purchase"]
    out["status"] = np.select(
        [last <= window.lost_after, last <= window.lost_until],
        ["lost before window", "lost in window"],
        default="active",
    )
    if not window.feasible:
        out["status"] = "unknown"
    out["lapse_date"] = last + pd.Timedelta(days=window.churn_days)
    out["in_base"] = out["purchase_days_base"].fillna(0).astype("int64") > 0
    out["new_in_window"] = out["first_purchase"] > window.start
    has_money = "revenue" in summary.columns
    if has_money:
        runrate = engine.revenue_before_last_purchase(transactions, days=365, as_of=window.as_of)
        out = out.merge(runrate.drop(columns="last_purchase"), on=S.CUSTOMER_ID, how="left")
        cost_total = None
        if "cost_window" in runrate.columns:
            totals = engine.window_activity(
                transactions,
                windows={"all": (window.history_start - pd.Timedelta(days=1), window.as_of)},
            )
            out = out.merge(totals[[S.CUSTOMER_ID, "cost_all"]], on=S.CUSTOMER_ID, how="left")
            cost_total = out["cost_all"].fillna(0.0)
        out["revenue"] = summary["revenue"].to_numpy()
        out["profit"] = _profit(out["revenue"], cost_total, margin)
        out["annual_revenue"] = out["revenue_window"].fillna(0.0)
        out["annual_profit"] = _profit(
            out["annual_revenue"],
            out["cost_window"].fillna(0.0) if "cost_window" in out else None,
            margin,
        )
        out["revenue_before_window"] = out.get("revenue_prior", 0.0)
        out["revenue_before_window"] = out["revenue_before_window"].fillna(0.0)
    keep = [
        S.CUSTOMER_ID,
        "first_purchase",
        "last_purchase",
        "orders",
        "days_since_last_purchase",
        "status",
        "lapse_date",
        "in_base",
        "new_in_window",
    ]
    if has_money:
        keep += ["revenue", "profit", "annual_revenue", "annual_profit", "revenue_before_window"]
    out = out[keep]
    if customers is not None:
        attrs = customers.drop_duplicates(S.CUSTOMER_ID)
        out = out.merge(attrs, on=S.CUSTOMER_ID, how="left")
    if first_category and S.CATEGORY in engine.as_table(transactions).columns:
        out = out.merge(engine.first_purchase_category(transactions), on=S.CUSTOMER_ID, how="left")
    out.attrs = {
        "window": window,
        "margin": margin,
        "profit_from_cost": has_money and "cost_window" in out.columns,
    }
    return out


def churn_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Count the active base, the losses and the churn rate, with a 95% interval.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        One row: ``active_at_start``, ``lost_from_base``, ``retained_from_base``,
        ``churn_rate`` (lost_from_base / active_at_start), ``churn_rate_low`` and
        ``churn_rate_high`` (Wilson 95% interval), ``retained_share``,
        ``new_in_window``, ``lost_new_in_window`` (first bought during the window and
        already lost), ``lost_in_window`` (all losses in the window).

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active", "active",
    ...                                   "lost in window"],
    ...                        "in_base": [True, True, False, False],
    ...                        "new_in_window": [False, False, True, True]})
    >>> churn_summary(status)[["active_at_start", "lost_in_window", "churn_rate"]]
       active_at_start  lost_in_window  churn_rate
    0                2               2         0.5
    """
    lost = status["status"] == "lost in window"
    base = status["in_base"]
    n_base = int(base.sum())
    n_lost_base = int((lost & base).sum())
    low, high = wilson_interval(n_lost_base, n_base)
    return pd.DataFrame(
        {
            "active_at_start": [n_base],
            "lost_from_base": [n_lost_base],
            "retained_from_base": [n_base - n_lost_base],
            "churn_rate": [n_lost_base / n_base if n_base else float("nan")],
            "churn_rate_low": [low],
            "churn_rate_high": [high],
            "retained_share": [1 - n_lost_base / n_base if n_base else float("nan")],
            "new_in_window": [int(status["new_in_window"].sum())],
            "lost_new_in_window": [int((lost & status["new_in_window"]).sum())],
            "lost_in_window": [int(lost.sum())],
        }
    )


def wilson_interval(
    successes: int, trials: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval of a proportion (NaN, NaN without trials).

    Examples
    --------
    >>> [round(float(x), 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if trials <= 0:
        return float("nan"), float("nan")
    low, high = _wilson_vec(np.array([successes]), np.array([trials]), confidence)
    return float(low[0]), float(high[0])


def _wilson_vec(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + confidence / 2)
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    # the interval holds p exactly (at p = 0 the lower end is 0 in exact arithmetic)
    low = np.clip(np.minimum(p, centre - half), 0, 1)
    return low, np.clip(np.maximum(p, centre + half), 0, 1)


def losses_by_month(status: pd.DataFrame) -> pd.DataFrame:
    """Count the customers lost in the window by the month they counted as lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``month_start``, ``customers_lost``, and with revenue ``annual_revenue_lost``;
        every month of the window appears, with zeros where nobody lapsed.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window"] * 2 + ["active"],
    ...     "lapse_date": pd.to_datetime(["2024-01-10", "2024-03-02", "2024-03-05"])})
    >>> losses_by_month(status)
      month_start  customers_lost
    0  2024-01-01               1
    1  2024-02-01               0
    2  2024-03-01               1
    """
    lost = status[status["status"] == "lost in window"]
    window = status.attrs.get("window")
    month = lost["lapse_date"].dt.to_period("M").dt.to_timestamp()
    aggs = {"customers_lost": (S.CUSTOMER_ID if S.CUSTOMER_ID in lost else "status", "size")}
    if "annual_revenue" in lost:
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = lost.assign(month_start=month).groupby("month_start").agg(**aggs)
    if window is not None and window.feasible:
        first = (window.start + _DAY).to_period("M").to_timestamp()
        last = window.as_of.to_period("M").to_timestamp()
    elif len(out):
        first, last = out.index.min(), out.index.max()
    else:
        return out.reset_index()
    months = pd.date_range(first, last, freq="MS", name="month_start").astype(
        out.index.dtype if len(out) else "datetime64[ns]"
    )
    out = out.reindex(months, fill_value=0).reset_index()
    out["customers_lost"] = out["customers_lost"].astype("int64")
    return out


def churn_by_attribute(
    status: pd.DataFrame, attribute: str, *, min_customers: int = 20
) -> pd.DataFrame:
    """Churn rate of the active base per value of a customer attribute, with 95% CIs.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` with the attribute joined.
    attribute : str
        Column name (region, channel, first_category...).
    min_customers : int
        Values with fewer customers in the active base are pooled as ``"(other)"``:
        a rate from a handful of customers says little.

    Returns
    -------
    pandas.DataFrame
        ``attribute`` (the name), ``value``, ``active_at_start``, ``lost``,
        ``churn_rate``, ``churn_rate_low``, ``churn_rate_high``, sorted by churn
        rate, highest first. Customers without a value count as ``"(unknown)"``.

    Raises
    ------
    SchemaError
        When the column is absent.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active", "active"],
    ...     "in_base": [True, True, True], "region": ["N", "N", "S"]})
    >>> churn_by_attribute(status, "region", min_customers=1)[["value", "active_at_start",
    ...                                                         "churn_rate"]]
      value  active_at_start  churn_rate
    0     N                2         0.5
    1     S                1         0.0
    """
    if attribute not in status.columns:
        raise SchemaError(
            f"no customer attribute {attribute!r}; attributes are "
            f"{[c for c in status.columns if c not in _STATUS_COLUMNS]}"
        )
    base = status[status["in_base"]]
    value = pool_small_groups(base[attribute], min_customers=min_customers)
    lost = (base["status"] == "lost in window").astype(int)
    grouped = pd.DataFrame({"value": value.astype(str), "lost": lost}).groupby("value")["lost"]
    out = pd.DataFrame({"active_at_start": grouped.size(), "lost": grouped.sum()}).reset_index()
    out["churn_rate"] = out["lost"] / out["active_at_start"]
    low, high = _wilson_vec(out["lost"].to_numpy(), out["active_at_start"].to_numpy())
    out["churn_rate_low"], out["churn_rate_high"] = low, high
    out.insert(0, "attribute", attribute)
    return out.sort_values(["churn_rate", "value"], ascending=[False, True]).reset_index(drop=True)


_STATUS_COLUMNS = {
    S.CUSTOMER_ID,
    "first_purchase",
    "last_purchase",
    "orders",
    "days_since_last_purchase",
    "status",
    "lapse_date",
    "in_base",
    "new_in_window",
    "revenue",
    "profit",
    "annual_revenue",
    "annual_profit",
    "revenue_before_window",
}


def pool_small_groups(values: pd.Series, *, min_customers: int = 20) -> pd.Series:
    """Return the values as text, with rare ones pooled as ``"(other)"``.

    Missing values become ``"(unknown)"`` (and are pooled too when rare).

    Examples
    --------
    >>> pool_small_groups(pd.Series(["UK"] * 3 + ["FR", None]), min_customers=2).tolist()
    ['UK', 'UK', 'UK', '(other)', '(other)']
    """
    text = values.astype(object).where(values.notna(), "(unknown)").astype(str)
    sizes = text.map(text.value_counts())
    return text.where(sizes >= min_customers, "(other)")


def survival_by(
    status: pd.DataFrame, attribute: str | None = None, *, min_customers: int = 20
) -> pd.DataFrame:
    """Kaplan-Meier curves of customer tenure, overall or per attribute value.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    attribute : str, optional
        Customer attribute splitting the curves; values with fewer than
        ``min_customers`` customers are pooled as ``"(other)"``.
    min_customers : int

    Returns
    -------
    pandas.DataFrame
        Output of :func:`retainkit.survival.kaplan_meier` over
        :func:`tenure_durations`.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-12-01"]),
    ...     "status": ["lost in window", "active"]})
    >>> survival_by(status)["survival"].tolist()
    [1.0, 0.5, 0.5]
    """
    durations = tenure_durations(status)
    if attribute is None:
        return kaplan_meier(durations)
    durations[attribute] = pool_small_groups(durations[attribute], min_customers=min_customers)
    return kaplan_meier(durations, group=attribute)


def attribute_columns(status: pd.DataFrame, *, max_values: int = 60) -> list[str]:
    """List the customer attributes in a status frame that make sensible groups.

    Columns with at most ``max_values`` distinct values (text or small integers such
    as a satisfaction score) qualify; ids and amounts do not.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a"], "status": ["active"], "region": ["N"]})
    >>> attribute_columns(status)
    ['region']
    """
    out = []
    for c in status.columns:
        if c in _STATUS_COLUMNS:
            continue
        values = status[c].dropna()
        if 0 < values.nunique() <= max_values:
            out.append(c)
    return out


def losses_by(status: pd.DataFrame, column: str) -> pd.DataFrame:
    """Losses in the window per value of a column: customers and annual value lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (with the column joined).
    column : str

    Returns
    -------
    pandas.DataFrame
        ``value``, ``customers_lost``, ``share_of_losses`` and, with revenue,
        ``annual_revenue_lost``; largest first.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window"] * 3,
    ...     "first_category": ["Tea", "Tea", "Coffee"], "annual_revenue": [1.0, 2.0, 3.0]})
    >>> losses_by(status, "first_category")
        value  customers_lost  share_of_losses  annual_revenue_lost
    0     Tea               2         0.666667                  3.0
    1  Coffee               1         0.333333                  3.0
    """
    lost = status[status["status"] == "lost in window"]
    value = lost[column].astype(object).where(lost[column].notna(), "(unknown)").astype(str)
    frame = pd.DataFrame({"value": value})
    aggs: dict[str, tuple[str, str]] = {"customers_lost": ("value", "size")}
    if "annual_revenue" in lost:
        frame["annual_revenue"] = lost["annual_revenue"].to_numpy()
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = frame.groupby("value").agg(**aggs).reset_index()
    total = out["customers_lost"].sum()
    out.insert(2, "share_of_losses", out["customers_lost"] / total if total else np.nan)
    return out.sort_values(["customers_lost", "value"], ascending=[False, True]).reset_index(
        drop=True
    )


def classify_reasons(reasons: pd.Series, groups: Mapping[str, str] | None = None) -> pd.Series:
    """Group stated churn reasons into controllable and uncontrollable by keywords.

    Parameters
    ----------
    reasons : pandas.Series
        Reason texts.
    groups : mapping, optional
        Keyword -> group, tried in order, matched case-insensitively anywhere in the
        reason; default :data:`DEFAULT_REASON_GROUPS`. A key equal to a whole reason
        works as an exact override.

    Returns
    -------
    pandas.Series
        The group of each reason; ``"unclassified"`` where no keyword matches and
        ``"not stated"`` for blank reasons.

    Examples
    --------
    >>> classify_reasons(pd.Series(["Moved away", "Price increase", "Other", "not stated"]))
    0    uncontrollable
    1      controllable
    2      unclassified
    3        not stated
    dtype: object
    """
    groups = dict(DEFAULT_REASON_GROUPS if groups is None else groups)
    text = reasons.astype(str).str.lower()
    result = pd.Series(UNCLASSIFIED, index=reasons.index, dtype=object)
    decided = pd.Series(False, index=reasons.index)
    for keyword, group in groups.items():
        hit = ~decided & text.str.contains(keyword.lower(), regex=False)
        result[hit] = group
        decided |= hit
    result[text.isin(["not stated", "", "nan"])] = "not stated"
    return result


def reason_summary(
    status: pd.DataFrame,
    reasons: pd.DataFrame,
    *,
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Stated reasons of the customers lost in the window: counts, shares, value lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    reasons : pandas.DataFrame
        ``customer_id``, ``reason`` (from :func:`retainkit.load_churn_reasons`). A
        customer with several reasons counts once per reason.
    groups : mapping, optional
        Keyword -> group for :func:`classify_reasons`.

    Returns
    -------
    pandas.DataFrame
        One row per reason: ``group``, ``reason``, ``customers``, ``share`` (of the
        lost customers who gave a reason) and, with revenue, ``annual_revenue_lost``;
        sorted by group then customers. ``attrs["lost_without_reason"]`` counts lost
        customers who gave none.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "status": ["lost in window"] * 3, "annual_revenue": [10.0, 20.0, 5.0]})
    >>> reasons = pd.DataFrame({"customer_id": ["a", "b"], "reason": ["Moved", "Price"]})
    >>> reason_summary(status, reasons)[["group", "reason", "customers", "share"]]
                group reason  customers  share
    0    controllable  Price          1    0.5
    1  uncontrollable  Moved          1    0.5
    """
    lost = status[status["status"] == "lost in window"]
    cols = [S.CUSTOMER_ID] + (["annual_revenue"] if "annual_revenue" in lost else [])
    joined = reasons[[S.CUSTOMER_ID, S.REASON]].merge(lost[cols], on=S.CUSTOMER_ID, how="inner")
    joined["group"] = classify_reasons(joined[S.REASON], groups)
    aggs: dict[str, tuple[str, str]] = {"customers": (S.CUSTOMER_ID, "nunique")}
    if "annual_revenue" in joined:
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = joined.groupby(["group", S.REASON]).agg(**aggs).reset_index()
    with_reason = joined[S.CUSTOMER_ID].nunique()
    out.insert(3, "share", out["customers"] / with_reason if with_reason else np.nan)
    out = out.sort_values(["group", "customers", S.REASON], ascending=[True, False, True])
    out = out.reset_index(drop=True)
    out.attrs["lost_without_reason"] = int(len(lost) - with_reason)
    out.attrs["lost_with_reason"] = int(with_reason)
    return out


def behaviour_comparison(
    status: pd.DataFrame,
    behaviour: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    satisfaction: str | None = None,
) -> pd.DataFrame:
    """Compare lost with retained base customers: what changed before they left.

    Each measure is taken over the customer's history up to ``as_of`` (for lost
    customers that is up to their last purchase):

    - *order value trend*: mean value of the last orders over the mean of the earlier
      ones (below 1: they were spending less per order);
    - *purchase slowdown*: the last gap between purchase days over the customer's
      median gap (above 1: they were coming back more slowly);
    - *categories bought*: distinct product categories;
    - *returns share*: return lines over all lines;
    - *satisfaction*: the score column, when given.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (attributes joined for satisfaction).
    behaviour : pandas.DataFrame
        Output of :func:`retainkit.engine.customer_behaviour`.
    gaps : pandas.DataFrame
        Output of :func:`retainkit.engine.gap_statistics`.
    satisfaction : str, optional
        Column of ``status`` holding a satisfaction score.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``lost_mean``, ``retained_mean``,
        ``lost_customers``, ``retained_customers`` (with a value), ``difference``
        (lost minus retained) and ``p_value`` (two-sided Mann-Whitney U test; NaN with
        fewer than 5 customers on a side). Only base customers are compared.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": list("abcdefghij"),
    ...     "status": ["lost in window"] * 5 + ["active"] * 5, "in_base": [True] * 10})
    >>> behaviour = pd.DataFrame({"customer_id": list("abcdefghij"), "lines": [4] * 10,
    ...     "return_lines": [1] * 5 + [0] * 5, "categories": [1.0] * 10})
    >>> gaps = pd.DataFrame({"customer_id": [], "median_gap_days": [], "last_gap_days": []})
    >>> out = behaviour_comparison(status, behaviour, gaps)
    >>> out.set_index("measure").loc["returns share", ["lost_mean", "retained_mean"]].tolist()
    [0.25, 0.0]
    """
    base = status.loc[status["in_base"], [S.CUSTOMER_ID, "status"]]
    cols = [S.CUSTOMER_ID, "lines", "return_lines", "categories"]
    cols += [c for c in ("recent_order_value", "earlier_order_value") if c in behaviour]
    frame = base.merge(behaviour[cols], on=S.CUSTOMER_ID, how="left")
    frame = frame.merge(
        gaps[[S.CUSTOMER_ID, "median_gap_days", "last_gap_days"]], on=S.CUSTOMER_ID, how="left"
    )
    measures: dict[str, pd.Series] = {}
    if "recent_order_value" in frame:
        measures["order value trend (recent / earlier)"] = (
            frame["recent_order_value"] / frame["earlier_order_value"]
        ).where(frame["earlier_order_value"] > 0)
    measures["purchase slowdown (last gap / median gap)"] = (
        frame["last_gap_days"] / frame["median_gap_days"]
    ).where(frame["median_gap_days"] > 0)
    if frame["categories"].notna().any():
        measures["categories bought"] = frame["categories"]
    measures["returns share"] = frame["return_lines"] / frame["lines"]
    if satisfaction:
        scores = status.set_index(S.CUSTOMER_ID)[satisfaction]
        measures["satisfaction score"] = pd.to_numeric(
            frame[S.CUSTOMER_ID].map(scores), errors="coerce"
        )
    is_lost = frame["status"] == "lost in window"
    rows = []
    for name, values in measures.items():
        values = values.replace([np.inf, -np.inf], np.nan)
        a, b = values[is_lost].dropna(), values[~is_lost].dropna()
        p = np.nan
        if (
            len(a) >= 5
            and len(b) >= 5
            and (pd.concat([a, b]) != a.iloc[0]).any()  # all equal: nothing to test
        ):
            p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        rows.append(
            {
                "measure": name,
                "lost_mean": a.mean() if len(a) else np.nan,
                "retained_mean": b.mean() if len(b) else np.nan,
                "lost_customers": len(a),
                "retained_customers": len(b),
                "difference": (a.mean() - b.mean()) if len(a) and len(b) else np.nan,
                "p_value": p,
            }
        )
    return pd.DataFrame(rows)


def lifetime_value(
    annual_value: float | np.ndarray | pd.Series,
    *,
    horizon_years: float,
    discount_rate: float,
) -> float | np.ndarray | pd.Series:
    """Present value of an annual amount received monthly for ``horizon_years``.

    Each month pays ``annual_value / 12`` at its end, discounted at the monthly rate
    equivalent to ``discount_rate`` a year: ``(1 + discount_rate) ** (1/12) - 1``.
    Undiscounted it is simply ``annual_value * horizon_years``.

    Parameters
    ----------
    annual_value : float or array
        Value per year (revenue or profit).
    horizon_years : float
        Years counted; fractions of a year count whole months only.
    discount_rate : float
        Yearly rate, e.g. 0.1 for 10%.

    Returns
    -------
    float or array

    Examples
    --------
    >>> lifetime_value(12_000, horizon_years=20, discount_rate=0)  # $1,000 a month
    240000.0
    >>> round(lifetime_value(12_000, horizon_years=1, discount_rate=0.1), 2)
    11400.49
    """
    if horizon_years < 0:
        raise ValueError(f"horizon_years={horizon_years} must not be negative")
    if discount_rate <= -1:
        raise ValueError(f"discount_rate={discount_rate} must be above -1")
    months = math.floor(horizon_years * 12 + 1e-9)
    i = (1 + discount_rate) ** (1 / 12) - 1
    factor = months if abs(i) < 1e-15 else (1 - (1 + i) ** -months) / i
    return annual_value / 12 * factor


def value_lost(status: pd.DataFrame, *, horizon_years: float, discount_rate: float) -> pd.DataFrame:
    """Sum what the customers lost in the window cost: revenue, profit, lifetime value.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (needs revenue).
    horizon_years, discount_rate : float
        For :func:`lifetime_value`.

    Returns
    -------
    pandas.DataFrame
        One row: ``customers_lost``, ``revenue_lost`` and ``profit_lost`` (sums of the
        annual run rates), ``lifetime_revenue_lost`` and ``lifetime_profit_lost``,
        ``revenue_before_window`` (all customers' net revenue in the 365 days before the
        window), ``lost_share_of_revenue`` (the lost customers' part of it).

    Raises
    ------
    SchemaError
        Without revenue.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active"],
    ...     "annual_revenue": [12_000.0, 500.0], "annual_profit": [6_000.0, 100.0],
    ...     "revenue_before_window": [3_000.0, 1_000.0]})
    >>> v = value_lost(status, horizon_years=20, discount_rate=0)
    >>> v[["revenue_lost", "lifetime_revenue_lost", "lost_share_of_revenue"]]
       revenue_lost  lifetime_revenue_lost  lost_share_of_revenue
    0       12000.0               240000.0                   0.75
    """
    if "annual_revenue" not in status:
        raise SchemaError("the value of lost customers needs revenue; the data has none")
    lost = status[status["status"] == "lost in window"]
    before = status["revenue_before_window"].sum()
    revenue, profit = lost["annual_revenue"].sum(), lost["annual_profit"].sum()
    return pd.DataFrame(
        {
            "customers_lost": [len(lost)],
            "revenue_lost": [revenue],
            "profit_lost": [profit],
            "lifetime_revenue_lost": [
                lifetime_value(revenue, horizon_years=horizon_years, discount_rate=discount_rate)
            ],
            "lifetime_profit_lost": [
                lifetime_value(profit, horizon_years=horizon_years, discount_rate=discount_rate)
            ],
            "revenue_before_window": [before],
            "lost_share_of_revenue": [
                lost["revenue_before_window"].sum() / before if before > 0 else np.nan
            ],
        }
    )


def loss_concentration(status: pd.DataFrame, *, value: str = "annual_revenue") -> pd.DataFrame:
    """Rank the lost customers by the value they took: the Pareto view of the losses.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    value : str
        ``"annual_revenue"`` or ``"annual_profit"``.

    Returns
    -------
    pandas.DataFrame
        Lost customers, largest first: ``rank``, ``customer_id``, the value,
        ``customer_share`` (rank / number lost) and ``cumulative_share`` of the value
        lost.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "status": ["lost in window"] * 4, "annual_revenue": [10.0, 60.0, 20.0, 10.0]})
    >>> loss_concentration(status)[["customer_id", "cumulative_share"]]
      customer_id  cumulative_share
    0           b               0.6
    1           c               0.8
    2           a               0.9
    3           d               1.0
    """
    lost = status.loc[status["status"] == "lost in window", [S.CUSTOMER_ID, value]]
    lost = lost.sort_values([value, S.CUSTOMER_ID], ascending=[False, True]).reset_index(drop=True)
    total = lost[value].sum()
    lost.insert(0, "rank", np.arange(1, len(lost) + 1))
    lost["customer_share"] = lost["rank"] / max(len(lost), 1)
    lost["cumulative_share"] = lost[value].cumsum() / total if total else np.nan
    return lost


def tenure_durations(status: pd.DataFrame) -> pd.DataFrame:
    """Durations for a survival curve of customer tenure.

    A customer's tenure runs from their first purchase to their last one. It is
    *observed* (they were lost) when their last purchase lies more than ``churn_days``
    before ``as_of``; otherwise it is *censored*: they are still buying, and their
    tenure will be at least this long.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``tenure_days``, ``lost`` (True when observed), plus the
        attribute columns of ``status``.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-12-01"]),
    ...     "status": ["lost in window", "active"]})
    >>> tenure_durations(status)
      customer_id  tenure_days   lost
    0           a           31   True
    1           b          275  False
    """
    out = status[[S.CUSTOMER_ID]].copy()
    out["tenure_days"] = (status["last_purchase"] - status["first_purchase"]).dt.days
    out["lost"] = status["status"].isin(["lost in window", "lost before window"]).to_numpy()
    extra = [c for c in status.columns if c not in _STATUS_COLUMNS]
    for c in extra:
        out[c] = status[c].to_numpy()
    return out


def loss_figures(
    status: pd.DataFrame,
    *,
    horizon_years: float,
    discount_rate: float,
    currency: str = "",
) -> KeyFigures:
    """Collect the groundwork key figures: how many customers were lost, what it cost.

    The ``_12m`` figures need a full 365-day window; with a shorter history they are
    missing, with the reason, and the window figures (``customers_lost``,
    ``churn_rate``) give the shorter window's values.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    horizon_years, discount_rate : float
        For the lifetime value lost.
    currency : str

    Returns
    -------
    KeyFigures
        ``groundwork.as_of``, ``groundwork.churn_days``, ``groundwork.window_days``,
        ``groundwork.customers_active_at_start``, ``groundwork.customers_lost``,
        ``groundwork.churn_rate``, ``groundwork.customers_lost_12m``,
        ``groundwork.churn_rate_12m``, ``groundwork.revenue_lost_12m``,
        ``groundwork.profit_lost_12m``, ``groundwork.lifetime_value_lost``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90, min_lookback_days=30)
    >>> kf = loss_figures(customer_status(frame, w), horizon_years=1, discount_rate=0)
    >>> kf.to_dict()["figures"]["groundwork.lifetime_value_lost"]
    45.0
    """
    window: ChurnWindow = status.attrs["window"]
    summary = churn_summary(status).iloc[0]
    money = "annual_revenue" in status
    full = window.is_full_year
    short = (
        f"the history allows a window of {window.lookback_days} days, not 365"
        if window.feasible
        else window.note
    )
    lost = (
        value_lost(status, horizon_years=horizon_years, discount_rate=discount_rate)
        if (money and window.feasible)
        else None
    )
    basis = "profit" if money and lost is not None else "revenue"
    no_money = "the data has no revenue"
    figs = [
        figure("groundwork.as_of", window.as_of, "Analysis date", unit="date"),
        figure(
            "groundwork.churn_days",
            window.churn_days,
            "Days without a purchase after which a customer counts as lost",
            unit="days",
        ),
        figure(
            "groundwork.window_days",
            window.lookback_days if window.feasible else None,
            "Length of the window in which losses are counted",
            unit="days",
            reason=window.note,
        ),
        figure(
            "groundwork.customers_active_at_start",
            int(summary["active_at_start"]) if window.feasible else None,
            "Active customers at the start of the window",
            unit="customers",
            reason=window.note,
        ),
        figure(
            "groundwork.customers_lost",
            int(summary["lost_in_window"]) if window.feasible else None,
            f"Customers lost in the window ({window.lookback_days} days)",
            unit="customers",
            reason=window.note,
        ),
        figure(
            "groundwork.churn_rate",
            summary["churn_rate"] if window.feasible else None,
            "Churn rate of the active base in the window",
            unit="share",
            reason=window.note,
        ),
        figure(
            "groundwork.customers_lost_12m",
            int(summary["lost_in_window"]) if full else None,
            "Customers lost in the last 12 months",
            unit="customers",
            reason=short,
        ),
        figure(
            "groundwork.churn_rate_12m",
            summary["churn_rate"] if full else None,
            "Churn rate of the active base, last 12 months",
            unit="share",
            reason=short,
        ),
        figure(
            "groundwork.revenue_lost_12m",
            float(lost["revenue_lost"].iloc[0]) if full and lost is not None else None,
            "Annual revenue of the customers lost in the last 12 months",
            unit="currency",
            reason=no_money if not money else short,
        ),
        figure(
            "groundwork.profit_lost_12m",
            float(lost["profit_lost"].iloc[0]) if full and lost is not None else None,
            "Annual profit of the customers lost in the last 12 months",
            unit="currency",
            reason=no_money if not money else short,
        ),
        figure(
            "groundwork.lifetime_value_lost",
            float(lost["lifetime_profit_lost"].iloc[0]) if lost is not None else None,
            f"Lifetime value lost ({basis}, {horizon_years:g} years, {discount_rate:.0%} discount)",
            unit="currency",
            reason=no_money if not money else window.note,
        ),
    ]
    return key_figures(figs, currency=currency)


def loss_overview(
    transactions: Any,
    *,
    as_of: Any = None,
    churn_days: int | None = 0,
    lookback_days: int = 365,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    currency: str = "",
) -> KeyFigures:
    """Answer "how many did we lose and what did it cost" for one set of assumptions.

    The report shows it at the notebook's parameter values; the scenario widget
    calls it again as the controls move.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of, churn_days, lookback_days : see :func:`churn_window`
    margin : float
        Gross margin 0-1 when the data has no cost.
    horizon_years, discount_rate : float
        For the lifetime value lost.
    currency : str

    Returns
    -------
    KeyFigures
        As :func:`loss_figures`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> kf = loss_overview(frame, as_of="2024-12-31", churn_days=90)
    >>> kf.to_dict()["figures"]["groundwork.customers_lost_12m"]
    1
    """
    window = churn_window(
        transactions, as_of=as_of, churn_days=churn_days, lookback_days=lookback_days
    )
    status = customer_status(transactions, window, margin=margin)
    return loss_figures(
        status, horizon_years=horizon_years, discount_rate=discount_rate, currency=currency
    )


def lost_customers(status: pd.DataFrame) -> pd.DataFrame:
    """List the customers lost in the window, most valuable first.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``first_purchase``, ``last_purchase``, ``lapse_date``,
        ``orders``, ``annual_revenue`` and ``annual_profit`` (with revenue), then the
        attribute columns; sorted by annual revenue (or last purchase without money).

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"], "status": ["lost in window"] * 2,
    ...     "first_purchase": pd.to_datetime(["2024-01-01"] * 2),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-03-01"]),
    ...     "lapse_date": pd.to_datetime(["2024-05-01", "2024-06-01"]), "orders": [2, 3],
    ...     "annual_revenue": [10.0, 30.0], "annual_profit": [3.0, 9.0]})
    >>> lost_customers(status)["customer_id"].tolist()
    ['b', 'a']
    """
    lost = status[status["status"] == "lost in window"]
    cols = [S.CUSTOMER_ID, "first_purchase", "last_purchase", "lapse_date", "orders"]
    money = [c for c in ("annual_revenue", "annual_profit") if c in lost]
    extra = [c for c in lost.columns if c not in _STATUS_COLUMNS]
    by = (["annual_revenue"] if money else ["last_purchase"]) + [S.CUSTOMER_ID]
    return lost.sort_values(by, ascending=[False, True])[cols + money + extra].reset_index(
        drop=True
    )


def loss_story(status: pd.DataFrame) -> Markdown:
    """Say in words how many customers were lost and what share of the base that is.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> print(loss_story(customer_status(frame, w)).data)  # doctest: +ELLIPSIS
    In the 365 days to 31 Dec 2024 we lost **1 customer**...
    """
    window: ChurnWindow = status.attrs["window"]
    if not window.feasible:
        return markdown("**Not enough history.** {note}", note=window.note)
    s = churn_summary(status).iloc[0]
    n = int(s["lost_in_window"])
    text = (
        "In the {days} days to {end} we lost **{n:,} customer{plural}**. "
        "Of the {base:,} customer{base_plural} active when the window opened, {lost_base:,} "
        "left: a churn rate of **{rate}** (95% interval {low} to {high}); {kept:,} are still "
        "buying. Another {lost_new:,} of the {new:,} customer{new_plural} who first bought "
        "during the window were lost before its end."
    )
    # the rest bought before the window, had lapsed when it opened, came back in it and
    # were lost again: said so that the counts add up for the reader
    returned = n - int(s["lost_from_base"]) - int(s["lost_new_in_window"])
    if returned:
        text += (
            " The other {returned:,} had lapsed before the window opened, came back during it "
            "and {were} lost again."
        )
    return markdown(
        text,
        days=window.lookback_days,
        end=f"{window.as_of:%d %b %Y}",
        n=n,
        plural="" if n == 1 else "s",
        base=int(s["active_at_start"]),
        base_plural="" if int(s["active_at_start"]) == 1 else "s",
        new_plural="" if int(s["new_in_window"]) == 1 else "s",
        were="was" if returned == 1 else "were",
        lost_base=int(s["lost_from_base"]),
        rate=share(s["churn_rate"]),
        low=share(s["churn_rate_low"]),
        high=share(s["churn_rate_high"]),
        kept=int(s["retained_from_base"]),
        lost_new=int(s["lost_new_in_window"]),
        new=int(s["new_in_window"]),
        returned=returned,
    )


def reason_story(reasons: pd.DataFrame) -> Markdown:
    """Say in words how many stated reasons are controllable.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["controllable", "uncontrollable"],
    ...     "reason": ["Price", "Moved"], "customers": [3, 1], "share": [0.75, 0.25]})
    >>> table.attrs.update(lost_with_reason=4, lost_without_reason=6)
    >>> print(reason_story(table).data)  # doctest: +ELLIPSIS
    4 of the 10 customers lost gave a reason. **75.0%** of them gave a reason the business...
    """
    with_reason = reasons.attrs.get("lost_with_reason", int(reasons["customers"].sum()))
    without = reasons.attrs.get("lost_without_reason", 0)
    if not with_reason:
        return markdown(
            "None of the customers lost in the window is in the reasons table, so the stated "
            "reasons say nothing about these losses."
        )
    ctrl = reasons.loc[reasons["group"] == CONTROLLABLE, "customers"].sum() / with_reason
    top = reasons.sort_values("customers", ascending=False).iloc[0]
    return markdown(
        "{n:,} of the {total:,} customers lost gave a reason. **{ctrl}** of them gave a reason "
        "the business can act on (controllable); the most common reason was "
        '"{top}" ({top_share}).',
        n=with_reason,
        total=with_reason + without,
        ctrl=share(ctrl),
        top=str(top[S.REASON]),
        top_share=share(top["share"]),
    )


def behaviour_story(comparison: pd.DataFrame) -> Markdown:
    """Name the measures on which lost customers differed clearly from retained ones.

    Examples
    --------
    >>> comparison = pd.DataFrame({"measure": ["returns share"], "lost_mean": [0.2],
    ...     "retained_mean": [0.05], "difference": [0.15], "p_value": [0.001]})
    >>> print(behaviour_story(comparison).data)  # doctest: +ELLIPSIS
    Before they left, lost customers differed clearly (p < 0.05) on: returns share...
    """
    clear = comparison[comparison["p_value"] < 0.05]
    if clear.empty:
        return markdown(
            "None of the measures separates the lost customers clearly from those who stayed "
            "(no difference significant at 5%)."
        )
    parts = [
        f"{m} ({lost:.2f} against {kept:.2f})"
        for m, lost, kept in zip(
            clear["measure"], clear["lost_mean"], clear["retained_mean"], strict=True
        )
    ]
    return markdown(
        "Before they left, lost customers differed clearly (p < 0.05) on: {parts}. These are "
        "the signals the monthly review below watches for.",
        parts="; ".join(parts),
    )


def cost_story(
    status: pd.DataFrame, *, horizon_years: float, discount_rate: float, currency: str = ""
) -> Markdown:
    """Say in words what the losses cost.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> st = customer_status(frame, w)
    >>> print(cost_story(st, horizon_years=1, discount_rate=0, currency="£").data)
    ... # doctest: +ELLIPSIS
    The 1 customer lost in the window was worth **£150 a year** in net revenue...
    """
    window: ChurnWindow = status.attrs["window"]
    if "annual_revenue" not in status:
        return markdown(
            "**This section needs revenue.** The data has no revenue column (nor quantity and "
            "unit price to derive it), so the cost of the losses cannot be measured."
        )
    if not window.feasible:
        return markdown("**Not enough history.** {note}", note=window.note)
    v = value_lost(status, horizon_years=horizon_years, discount_rate=discount_rate).iloc[0]
    basis = (
        "revenue minus cost"
        if status.attrs.get("profit_from_cost")
        else f"{status.attrs.get('margin', 0):.0%} margin on revenue"
    )
    share_text = (
        f"A year before the window they brought {share(v['lost_share_of_revenue'])} of all "
        "net revenue."
        if pd.notna(v["lost_share_of_revenue"])
        else "The data does not reach back a year before the window, so their earlier share "
        "of revenue is unknown."
    )
    return markdown(
        "The {n:,} customer{plural} lost in the window {were} worth **{rev} a year** in net "
        "revenue and **{profit} a year** in profit ({basis}). Kept for {years:g} more years and "
        "discounted at {rate:.0%} a year, that profit would have been worth **{ltv}** today. "
        "{share_text}",
        n=int(v["customers_lost"]),
        plural="" if int(v["customers_lost"]) == 1 else "s",
        were="was" if int(v["customers_lost"]) == 1 else "were",
        rev=money(v["revenue_lost"], currency),
        profit=money(v["profit_lost"], currency),
        basis=basis,
        years=horizon_years,
        rate=discount_rate,
        ltv=money(v["lifetime_profit_lost"], currency),
        share_text=share_text,
    )
