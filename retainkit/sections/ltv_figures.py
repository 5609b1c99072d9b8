"""The lifetime value notebook's key figures: the 12 named numbers of the manifest."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit.clv.model_value import ClvForecast
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.sections.holdout import HoldoutCheck

__all__ = ["lifetime_value_figures"]

_NO_REVENUE = "the data has no revenue"


def lifetime_value_figures(
    dataset: Any,
    *,
    rates: pd.DataFrame,
    nrr: pd.Series | None,
    purchases: Any,
    fit_note: str,
    spend_note: str,
    forecast: ClvForecast | None,
    values: pd.DataFrame | None,
    holdout: HoldoutCheck,
    budget: pd.DataFrame | None,
    horizon_years: float,
) -> KeyFigures:
    """Collect the notebook's key figures, each with the reason when it is missing.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: ``transactions.has_revenue`` and ``currency``.
    rates : pandas.DataFrame
        :func:`retainkit.metrics.retention_rates` over a year (``crr``,
        ``retained_share``, ``note``).
    nrr : pandas.Series or None
        :func:`retainkit.sections.revenue_retention_row` (``nrr``, ``grr``, ``note``).
    purchases : BetaGeoModel or None
        The fitted purchase model (``params_``: ``r``, ``alpha``, ``a``, ``b``).
    fit_note, spend_note : str
        Why the purchase and spend models could not be fitted, if not.
    forecast, values
        :func:`retainkit.sections.model_values` (``values``: ``clv``).
    holdout : HoldoutCheck
        :func:`retainkit.sections.holdout_check` (``scorecard``: ``mae_per_customer``).
    budget : pandas.DataFrame or None
        :func:`retainkit.sections.new_customer_budget` (first row:
        ``max_acquisition_cost``, ``note``).
    horizon_years : float
        For the labels.

    Returns
    -------
    KeyFigures
        ``ltv.crr_12m``, ``ltv.retained_share_12m``, ``ltv.nrr_12m``, ``ltv.grr_12m``,
        ``ltv.bgnbd_r``, ``ltv.bgnbd_alpha``, ``ltv.bgnbd_a``, ``ltv.bgnbd_b``,
        ``ltv.clv_mean``, ``ltv.clv_total``, ``ltv.holdout_mae``,
        ``ltv.max_acquisition_cost``.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    >>> rates = pd.DataFrame({"crr": [0.5], "retained_share": [0.6], "note": [""]})
    >>> figs = lifetime_value_figures(rk.load_dataset(frame), rates=rates, nrr=None,
    ...     purchases=None, fit_note="no model", spend_note="", forecast=None, values=None,
    ...     holdout=HoldoutCheck(None, 0, "too short"), budget=None, horizon_years=5)
    >>> shown = figs.to_dict()
    >>> shown["figures"]["ltv.retained_share_12m"], shown["reasons"]["ltv.nrr_12m"]
    (0.6, 'the data has no revenue')
    """
    rate = rates.iloc[0]
    has_revenue = dataset.transactions.has_revenue
    has_value = forecast is not None and forecast.has_spend and values is not None
    money_reason = (spend_note or fit_note or "no estimate") if has_revenue else _NO_REVENUE
    rate_reason = rate["note"] or "not measured"
    nrr_reason = _NO_REVENUE if nrr is None else (nrr["note"] or "not measured")
    params = purchases.params_ if purchases is not None else {}
    overall = budget.iloc[0] if budget is not None else None
    card = holdout.scorecard
    return key_figures(
        [
            figure(
                "ltv.crr_12m",
                rate["crr"],
                "Customer retention rate (E - N) / S, last 12 months",
                unit="share",
                reason=rate_reason,
            ),
            figure(
                "ltv.retained_share_12m",
                rate["retained_share"],
                "Share of the customers active 12 months ago still active",
                unit="share",
                reason=rate_reason,
            ),
            figure(
                "ltv.nrr_12m",
                None if nrr is None else nrr["nrr"],
                "Net revenue retention, last 12 months",
                unit="share",
                reason=nrr_reason,
            ),
            figure(
                "ltv.grr_12m",
                None if nrr is None else nrr["grr"],
                "Gross revenue retention, last 12 months",
                unit="share",
                reason=nrr_reason,
            ),
            figure(
                "ltv.bgnbd_r",
                params.get("r"),
                "BG/NBD r (shape of the purchase rates; time in weeks)",
                reason=fit_note,
            ),
            figure(
                "ltv.bgnbd_alpha",
                params.get("alpha"),
                "BG/NBD alpha (scale of the purchase rates)",
                unit="weeks",
                reason=fit_note,
            ),
            figure(
                "ltv.bgnbd_a",
                params.get("a"),
                "BG/NBD a (dropout probability, Beta a)",
                reason=fit_note,
            ),
            figure(
                "ltv.bgnbd_b",
                params.get("b"),
                "BG/NBD b (dropout probability, Beta b)",
                reason=fit_note,
            ),
            figure(
                "ltv.clv_mean",
                values["clv"].mean() if has_value else None,
                f"Lifetime value per customer ({horizon_years:g} years, discounted gross profit)",
                unit="currency",
                reason=money_reason,
            ),
            figure(
                "ltv.clv_total",
                values["clv"].sum() if has_value else None,
                f"Lifetime value of all customers ({horizon_years:g} years)",
                unit="currency",
                reason=money_reason,
            ),
            figure(
                "ltv.holdout_mae",
                None if card is None else card.iloc[0]["mae_per_customer"],
                f"Holdout error: repeat purchases per customer over {holdout.weeks} weeks "
                "(mean absolute)",
                reason=holdout.note or "no holdout",
            ),
            figure(
                "ltv.max_acquisition_cost",
                None if overall is None else overall["max_acquisition_cost"],
                "Allowable acquisition cost per new customer",
                unit="currency",
                reason=_NO_REVENUE if overall is None else (overall["note"] or "not estimated"),
            ),
        ],
        currency=dataset.currency,
    )
