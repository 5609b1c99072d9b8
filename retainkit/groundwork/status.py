"""Each customer's status against the lookback window: lost in it, lost before it or active."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.groundwork.window import ChurnWindow
from retainkit.profit import profit


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
    >>> from retainkit.groundwork import churn_window
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
