"""Intervals on purchases and on value, per customer and in total."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import validate_summary
from retainkit.clv.gamma_gamma import GammaGammaModel
from retainkit.clv.intervals._delta import _delta_bounds, _gradient, _variance
from retainkit.clv.intervals._draws import (
    ForecastIntervals,
    _check_draws,
    _check_model,
    _draws_covariance,
    _log_covariance,
)
from retainkit.clv.intervals._simulate import (
    _PARAMETERS,
    _PROCESS,
    _SIMULATORS,
    _check_level,
    _chunks,
    _predictive_counts,
    _total_row,
    _uncertainty,
)
from retainkit.clv.model_value import ClvForecast, clv_forecast, customer_value
from retainkit.units import days_per

__all__ = ["purchase_intervals", "value_intervals"]


def purchase_intervals(
    model: Any,
    summary: pd.DataFrame,
    *,
    t: float,
    level: float = 0.9,
    draws: pd.DataFrame | None = None,
    n_draws: int = 500,
    seed: int = 0,
) -> ForecastIntervals:
    """Intervals on each customer's repeat purchases over the next ``t``, and their total.

    Parameters
    ----------
    model : purchase model
        Fitted, without covariates: BetaGeoModel, ModifiedBetaGeoModel,
        BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel (at ``k_``) or ParetoNBDModel.
    summary : pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T`` in the model's time unit: the
        customers to forecast (those the model was fitted on, or others).
    t : float
        Horizon, in the model's time unit.
    level : float
        Nominal coverage (0.9: a 90% interval from the 5% to the 95% quantile).
    draws : pandas.DataFrame, optional
        :func:`parameter_draws` of the model, for the simulated counts; the covariance of
        their logarithms then also replaces the fit's in the delta method. Default:
        ``n_draws`` drawn from the fit.
    n_draws : int
        Parameter draws when ``draws`` is not given.
    seed : int
        Seed of the parameter draws and of the simulated purchases.

    Returns
    -------
    ForecastIntervals
        ``customers``: ``customer_id``, ``probability_alive``, ``expected_purchases``,
        ``expected_purchases_low``, ``expected_purchases_high`` (parameter uncertainty,
        delta method), ``purchases_low``, ``purchases_high`` (predictive, simulated);
        ``totals``: rows ``expected_purchases`` and ``purchases``; no ``curve``.

    Raises
    ------
    RetainkitError
        For another model (the simulation of purchases is written for these five).
    NotFittedError, ConvergenceError
        As :func:`parameter_draws`.
    DataValidationError
        When ``draws`` does not hold the model's parameters.

    Examples
    --------
    >>> import retainkit as rk
    >>> s = rk.customer_summary(rk.load_transactions("cdnow_sample"), as_of="1997-09-30",
    ...                         time_unit="weeks")
    >>> model = rk.clv.BetaGeoModel().fit(s)
    >>> iv = purchase_intervals(model, s, t=39, n_draws=50, seed=1)
    >>> total = iv.totals.set_index("measure")
    >>> bool(total.loc["purchases", "low"] < total.loc["expected_purchases", "estimate"]
    ...      < total.loc["purchases", "high"])
    True
    """
    _check_model(model, tuple(_SIMULATORS), "purchases")
    if t < 0:
        raise ValueError(f"t={t!r} must be 0 or positive")
    values, cov = _uncertainty(model, draws, n_draws, seed, "draws")
    _check_level(level, len(values))
    validate_summary(summary, ("frequency", "recency", "T"), model=model._name)
    point = model.predict(summary, t=t)
    expected = point["expected_purchases"].to_numpy(dtype="float64")
    slope = _gradient(model, lambda m: {"e": m.expected_purchases(summary, t=t).to_numpy()})["e"]
    low, high = _delta_bounds(expected, _variance(slope, cov), level)
    total_low, total_high = _delta_bounds(expected.sum(), _variance(slope.sum(axis=0), cov), level)
    rng = np.random.default_rng([seed, 1])
    count_low, count_high, count_total = _predictive_counts(model, summary, values, t, level, rng)
    customers = pd.DataFrame(
        {
            S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
            "probability_alive": point["probability_alive"].to_numpy(),
            "expected_purchases": expected,
            "expected_purchases_low": low,
            "expected_purchases_high": high,
            "purchases_low": count_low,
            "purchases_high": count_high,
        }
    )
    estimate = float(expected.sum())
    tail = (1 - level) / 2
    totals = pd.DataFrame(
        [
            _total_row("expected_purchases", estimate, total_low, total_high, _PARAMETERS),
            _total_row(
                "purchases", estimate, *np.quantile(count_total, [tail, 1 - tail]), _PROCESS
            ),
        ]
    )
    return ForecastIntervals(
        customers, totals, None, level, len(values), float(t), str(model.time_unit_ or "weeks")
    )


# --- value -------------------------------------------------------------------------------
_MEASURES = ("expected_purchases", "expected_revenue", "clv")


def _part(forecast: ClvForecast, part: slice) -> ClvForecast:
    """Return the forecast of some customers (rows ``part``)."""
    return replace(
        forecast,
        customer_id=forecast.customer_id[part],
        probability_alive=forecast.probability_alive[part],
        expected_spend=forecast.expected_spend[part],
        cumulative=forecast.cumulative[part],
    )


def value_intervals(
    purchases: Any,
    spend: Any,
    summary: pd.DataFrame,
    *,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    level: float = 0.9,
    purchase_draws: pd.DataFrame | None = None,
    spend_draws: pd.DataFrame | None = None,
    n_draws: int = 500,
    seed: int = 0,
) -> ForecastIntervals:
    """Intervals on each customer's purchases, revenue and lifetime value, and their totals.

    The values are priced exactly as the point estimate is, by
    :func:`retainkit.clv.value.clv_forecast` and :func:`retainkit.clv.value.customer_value`,
    at the estimates and at parameters a small step away on each side (one parameter at
    a time, spend held at its estimate while the purchase model moves and the other way
    round: the two models are fitted on separate likelihoods, so their estimates are
    independent); the slopes and the fits' covariances give each value's variance (the
    delta method), so the intervals sit around the values the lifetime value section
    shows. Revenue and value intervals are on the *expected* values (parameter
    uncertainty); the purchase counts also get a predictive interval, simulated once per
    parameter draw.

    Parameters
    ----------
    purchases : purchase model
        Fitted, without covariates: BetaGeoModel, ModifiedBetaGeoModel,
        BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel (at ``k_``) or ParetoNBDModel.
    spend : GammaGammaModel or None
        Fitted spend model; None (no revenue) leaves revenue and value as NaN.
    summary : pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T`` (``monetary_value`` with a
        spend model): the customers to value.
    horizon_years, discount_rate, margin : float
        As for :func:`retainkit.clv.value.customer_value`.
    level : float
        Nominal coverage (0.9: from the 5% to the 95% quantile).
    purchase_draws, spend_draws : pandas.DataFrame, optional
        :func:`parameter_draws` of each model: the covariance of their logarithms
        replaces the fit's, and the purchase draws drive the simulated counts. Default:
        the fits' covariances and ``n_draws`` purchase draws.
    n_draws : int
        Purchase-model draws for the simulated counts, when not given.
    seed : int
        Seed of the draws and of the simulated purchases.

    Returns
    -------
    ForecastIntervals
        ``customers``: ``customer_id``, ``probability_alive``, then
        ``expected_purchases``, ``expected_revenue``, ``clv`` each with ``_low`` and
        ``_high``, and ``purchases_low``, ``purchases_high``; ``totals``: rows
        ``expected_purchases``, ``purchases``, ``expected_revenue``, ``clv``; ``curve``:
        total expected repeat purchases to each month of the horizon.
        ``horizon_unit`` is ``"years"``.

    Raises
    ------
    RetainkitError
        For other models.
    NotFittedError, ConvergenceError
        As :func:`parameter_draws`.
    DataValidationError
        When the draws do not hold the models' parameters.

    Examples
    --------
    >>> import retainkit as rk
    >>> s = rk.customer_summary(rk.load_transactions("cdnow_sample"), as_of="1997-09-30",
    ...                         time_unit="weeks")
    >>> bg = rk.clv.BetaGeoModel().fit(s)
    >>> gg = rk.clv.GammaGammaModel().fit(s)
    >>> iv = value_intervals(bg, gg, s, horizon_years=1, n_draws=40, seed=1)
    >>> row = iv.totals.set_index("measure").loc["clv"]
    >>> bool(row["low"] < row["estimate"] < row["high"])
    True
    """
    _check_model(purchases, tuple(_SIMULATORS), "purchases")
    if spend is not None:
        _check_model(spend, (GammaGammaModel,), "spend")
    if horizon_years <= 0:
        raise ValueError(f"horizon_years={horizon_years!r} must be positive")
    values, p_cov = _uncertainty(purchases, purchase_draws, n_draws, seed, "purchase_draws")
    s_cov = None
    if spend is not None:
        s_cov = (
            _log_covariance(spend)
            if spend_draws is None
            else _draws_covariance(_check_draws(spend_draws, spend, "spend_draws"))
        )
    _check_level(level, len(values))
    pricing = {"horizon_years": horizon_years, "discount_rate": discount_rate, "margin": margin}
    forecast = clv_forecast(purchases, spend, summary, max_horizon_years=horizon_years)
    point = customer_value(forecast, **pricing)
    n, steps = len(summary), len(forecast.grid_years)

    def priced(f: ClvForecast) -> dict[str, np.ndarray]:
        v = customer_value(f, **pricing)
        return {m: v[m].to_numpy(dtype="float64") for m in _MEASURES} | {
            "curve": f.cumulative.sum(axis=0)
        }

    variance = {m: np.zeros(n) for m in _MEASURES}
    total_slope = {m: 0.0 for m in _MEASURES}
    s_total = {m: 0.0 for m in _MEASURES}
    curve_slope = np.zeros((steps, len(purchases.params_)))
    for part in _chunks(n, steps):
        chunk, here = summary.iloc[part], _part(forecast, part)
        # the purchase model moves, spend stays at its estimate
        p_slope = _gradient(
            purchases,
            lambda m, chunk=chunk, here=here: priced(
                replace(
                    clv_forecast(m, None, chunk, max_horizon_years=horizon_years),
                    expected_spend=here.expected_spend,
                )
            ),
        )
        curve_slope += p_slope["curve"]
        for m in _MEASURES:
            variance[m][part] += _variance(p_slope[m], p_cov)
            total_slope[m] = total_slope[m] + p_slope[m].sum(axis=0)
        if spend is not None and s_cov is not None:
            # the spend model moves, purchases stay at their estimates
            s_slope = _gradient(
                spend,
                lambda m, chunk=chunk, here=here: priced(
                    replace(here, expected_spend=m.expected_spend(chunk).to_numpy())
                ),
            )
            for m in ("expected_revenue", "clv"):
                variance[m][part] += _variance(s_slope[m], s_cov)
                s_total[m] = s_total[m] + s_slope[m].sum(axis=0)
    customers = pd.DataFrame({S.CUSTOMER_ID: point[S.CUSTOMER_ID].to_numpy()})
    customers["probability_alive"] = point["probability_alive"].to_numpy()
    totals: dict[str, tuple[float, float, float]] = {}
    for m in _MEASURES:
        estimate = point[m].to_numpy(dtype="float64")
        customers[m] = estimate
        customers[f"{m}_low"], customers[f"{m}_high"] = _delta_bounds(estimate, variance[m], level)
        total_variance = _variance(np.asarray(total_slope[m]), p_cov)
        if m != "expected_purchases" and s_cov is not None:
            total_variance = total_variance + _variance(np.asarray(s_total[m]), s_cov)
        totals[m] = (estimate.sum(), *_delta_bounds(estimate.sum(), total_variance, level))
    t = horizon_years * days_per("years") / days_per(purchases.time_unit_ or "weeks")
    rng = np.random.default_rng([seed, 2])
    count_low, count_high, count_total = _predictive_counts(
        purchases, summary, values, t, level, rng
    )
    customers["purchases_low"], customers["purchases_high"] = count_low, count_high
    tail = (1 - level) / 2
    rows = [
        _total_row("expected_purchases", *totals["expected_purchases"], _PARAMETERS),
        _total_row(
            "purchases",
            totals["expected_purchases"][0],
            *np.quantile(count_total, [tail, 1 - tail]),
            _PROCESS,
        ),
    ]
    rows += [_total_row(m, *totals[m], _PARAMETERS) for m in ("expected_revenue", "clv")]
    curve_estimate = forecast.cumulative.sum(axis=0)
    low, high = _delta_bounds(curve_estimate, _variance(curve_slope, p_cov), level)
    curve = pd.DataFrame(
        {
            "horizon_years": forecast.grid_years,
            "estimate": curve_estimate,
            "low": low,
            "high": high,
        }
    )
    return ForecastIntervals(
        customers, pd.DataFrame(rows), curve, level, len(values), float(horizon_years), "years"
    )
