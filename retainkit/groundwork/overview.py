"""The groundwork's key figures: how many customers were lost and what it cost."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit.assumptions import ValueAssumptions
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.groundwork.churn_rate import churn_summary
from retainkit.groundwork.status import customer_status
from retainkit.groundwork.value import value_lost
from retainkit.groundwork.window import ChurnWindow, churn_window


def loss_figures(
    status: pd.DataFrame,
    *,
    value: ValueAssumptions | None = None,
    currency: str = "",
) -> KeyFigures:
    """Collect the groundwork key figures: how many customers were lost, what it cost.

    The ``_12m`` figures need a full 365-day window; with a shorter history they are
    missing, with the reason, and the window figures (``customers_lost``,
    ``churn_rate``) give the shorter window's values.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (its profit already used the margin).
    value : ValueAssumptions, optional
        Horizon and discount rate of the lifetime value lost; default
        ``ValueAssumptions()``.
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
    >>> from retainkit import ValueAssumptions
    >>> kf = loss_figures(customer_status(frame, w),
    ...                   value=ValueAssumptions(horizon_years=1, discount_rate=0))
    >>> kf.to_dict()["figures"]["groundwork.lifetime_value_lost"]
    45.0
    """
    v = ValueAssumptions() if value is None else value
    horizon_years, discount_rate = v.horizon_years, v.discount_rate
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
    value = ValueAssumptions(
        margin=margin, horizon_years=horizon_years, discount_rate=discount_rate
    )
    status = customer_status(transactions, window, margin=value.margin)
    return loss_figures(status, value=value, currency=currency)
