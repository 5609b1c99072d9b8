"""What the customers lost were expected to be worth, by the purchase model, when they last bought.

The groundwork figure "the same spend for N years" (:func:`retainkit.groundwork.value_lost`)
assumes each lost customer would have kept buying as in their last year, for the whole
horizon. The purchase model gives the other side: when a customer last bought, the chance
that they would stay and how much they would buy were already uncertain. Here each customer
lost in the window is priced as the lifetime value notebook prices a customer (BG/NBD for the
purchases, Gamma-Gamma for the spend per purchase, both fitted on every customer's history up
to the analysis date), but as of their own last purchase: with their purchases up to then and
no silence after it (``T = recency``). The sum is the value the business could expect from
them at that moment, the model's counterpart of the "same spend" figure.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.clv import BetaGeoModel, GammaGammaModel, fit_or_explain
from retainkit.clv.margin import resolve_margin
from retainkit.clv.model_value import clv_forecast, customer_value
from retainkit.groundwork.window import ChurnWindow

__all__ = ["expected_value_lost"]

_LOST = "lost in window"


def expected_value_lost(
    transactions: Any,
    window: ChurnWindow,
    status: pd.DataFrame,
    *,
    horizon_years: float,
    discount_rate: float,
    margin: float = 0.3,
    purchases: BetaGeoModel | None = None,
    spend: GammaGammaModel | None = None,
) -> pd.DataFrame:
    """Sum the model's expected lifetime value of the lost customers at their last purchase.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        With revenue.
    window : ChurnWindow
        :func:`retainkit.groundwork.churn_window`; the models are fitted on the history up
        to ``window.as_of``.
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`: who was lost in the window.
    horizon_years, discount_rate : float
        As for :func:`retainkit.groundwork.value_lost` (see :mod:`retainkit.discounting`).
    margin : float
        Gross margin when the data has no cost (:func:`retainkit.clv.margin.resolve_margin`).
    purchases, spend : BetaGeoModel, GammaGammaModel, optional
        Fitted in weeks; default: fitted here on every customer's history up to
        ``window.as_of``.

    Returns
    -------
    pandas.DataFrame
        One row: ``customers_lost``, ``expected_purchases`` (over the horizon, from their
        last purchase), ``expected_revenue`` (undiscounted), ``expected_profit``
        (discounted gross profit, the model lifetime value), ``p_alive_mean`` (average
        chance, at their last purchase, that they would still be buying), ``margin``.
        ``attrs``: ``note`` (how the models were fitted, or why there is no figure) and
        ``margin_note``. With no model, the figures are NaN.

    Examples
    --------
    >>> import retainkit as rk
    >>> ds = rk.load_dataset("demo")
    >>> w = rk.groundwork.churn_window(ds.transactions)
    >>> st = rk.groundwork.customer_status(ds.transactions, w)
    >>> v = expected_value_lost(ds.transactions, w, st, horizon_years=5, discount_rate=0.1)
    >>> int(v["customers_lost"].iloc[0]) == int((st["status"] == "lost in window").sum())
    True
    """
    lost_ids = status.loc[status["status"] == _LOST, S.CUSTOMER_ID].astype(str)
    summary = engine.customer_summary(transactions, as_of=window.as_of, time_unit="weeks")
    margin_used, margin_note = resolve_margin(transactions, margin)
    note = spend_note = ""
    if purchases is None:
        purchases, note = fit_or_explain(BetaGeoModel, summary)
    if spend is None:
        spend, spend_note = fit_or_explain(GammaGammaModel, summary)
    row = {
        "customers_lost": len(lost_ids),
        "expected_purchases": float("nan"),
        "expected_revenue": float("nan"),
        "expected_profit": float("nan"),
        "p_alive_mean": float("nan"),
        "margin": margin_used,
    }
    if purchases is not None and spend is not None and len(lost_ids):
        at_last = summary[summary[S.CUSTOMER_ID].isin(lost_ids)]
        at_last = at_last.assign(T=at_last["recency"])
        forecast = clv_forecast(purchases, spend, at_last, max_horizon_years=horizon_years)
        values = customer_value(
            forecast, horizon_years=horizon_years, discount_rate=discount_rate, margin=margin_used
        )
        row.update(
            expected_purchases=float(values["expected_purchases"].sum()),
            expected_revenue=float(values["expected_revenue"].sum()),
            expected_profit=float(values["clv"].sum()),
            p_alive_mean=float(values["probability_alive"].mean()),
        )
    elif purchases is not None and spend is None:
        note = spend_note
    out = pd.DataFrame([row])
    out.attrs = {"note": note, "margin_note": margin_note}
    return out
