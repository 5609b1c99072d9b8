"""Intervals on purchases and on value, per customer and in total."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import validate_summary
from retainkit.clv._compressed import first_positions
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
    _in_threads,
    _predictive_counts,
    _total_row,
    _uncertainty,
)
from retainkit.clv.intervals._states import _distinct, _Rows
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
    # slopes once per distinct (frequency, recency, T) row, from the point forecast
    rows = _distinct(model, summary)
    slope = _gradient(
        model,
        lambda m: {"e": m._expected(rows.x, rows.tx, rows.T, t)},
        centre={"e": expected[_first_customers(rows)]},
    )["e"]
    low, high = _delta_bounds(expected, _variance(slope, cov)[rows.codes], level)
    total_slope = rows.weights @ slope
    total_low, total_high = _delta_bounds(expected.sum(), _variance(total_slope, cov), level)
    rng = np.random.default_rng([seed, 1])
    count_low, count_high, count_total = _predictive_counts(model, rows, values, t, level, rng)
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


def _first_customers(rows: _Rows) -> np.ndarray:
    """Return the position of each distinct row's first customer."""
    return first_positions(rows.codes)


def _row_slopes(
    purchases: Any, forecast: ClvForecast, rows: _Rows, pricing: dict[str, float]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Slopes in the purchase model's log-parameters, per distinct row, at unit spend.

    ``expected_purchases`` and ``clv`` (the value of one currency unit of spend per
    purchase: a customer's value is that times their expected spend, the way
    :func:`retainkit.clv.value.customer_value` prices it) per row, rows x parameters,
    and ``curve``, the total expected purchases to each step of the grid over all
    customers, steps x parameters. The forecasts are ``clv_forecast``'s: the model's
    expectation on the same grid, priced by ``customer_value``'s weights; at the
    estimates they are read off ``forecast``. Rows go in order of frequency and age, so
    that a chunk holds few distinct (frequency, T) pairs, which the models' expectations
    compute once. Also returns each row's ``clv`` per unit of spend at the estimates.
    """
    grid = forecast.grid_years * days_per("years") / days_per(forecast.time_unit)
    weights = rows.weights
    order = np.lexsort((rows.T, rows.x))
    first = _first_customers(rows)
    # customer_value is linear in the cumulative purchases (it prices their increments
    # step by step): priced at one unit of spend, the grid's unit vectors give its weights
    steps = len(grid)
    basis = replace(
        forecast,
        customer_id=np.arange(steps),
        probability_alive=np.zeros(steps),
        expected_spend=np.ones(steps),
        cumulative=np.eye(steps),
    )
    basis_value = customer_value(basis, **pricing)
    price = np.stack(
        [basis_value[m].to_numpy(dtype="float64") for m in ("expected_purchases", "clv")], axis=1
    )

    def priced(cumulative: np.ndarray, at: np.ndarray) -> dict[str, np.ndarray]:
        both = cumulative @ price
        return {
            "expected_purchases": both[:, 0],
            "clv": both[:, 1],
            # einsum, not @: OpenBLAS's vector-matrix product is slow on these shapes
            "curve": np.einsum("i,ij->j", weights[at], cumulative),
        }

    slopes = {
        "expected_purchases": np.zeros((len(rows.x), len(purchases.params_))),
        "clv": np.zeros((len(rows.x), len(purchases.params_))),
        "curve": np.zeros((len(grid), len(purchases.params_))),
    }
    clv_per_spend = np.zeros(len(rows.x))

    def chunk(part: slice) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
        at = order[part]
        centre = priced(forecast.cumulative[first[at]], at)
        here = _gradient(
            purchases,
            lambda m: priced(m._expected(rows.x[at], rows.tx[at], rows.T[at], grid), at),
            centre=centre,
        )
        return at, centre, here

    for at, centre, here in _in_threads(chunk, _chunks(len(rows.x), len(grid))):
        slopes["expected_purchases"][at] = here["expected_purchases"]
        slopes["clv"][at] = here["clv"]
        slopes["curve"] += here["curve"]
        clv_per_spend[at] = centre["clv"]
    return slopes, clv_per_spend


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

    The point values are :func:`retainkit.clv.value.clv_forecast` and
    :func:`retainkit.clv.value.customer_value`'s, so the intervals sit around the values
    the lifetime value section shows. Their slopes come from the same forecast (the
    model's expectation on the same monthly grid, priced by ``customer_value``'s weights)
    at parameters a small step away (one parameter at a time, spend held at its estimate
    while the purchase model moves and the other way round: the two models are fitted on
    separate likelihoods, so their estimates are independent), once per distinct
    (frequency, recency, T) row: revenue and value are linear in each customer's expected
    spend. The slopes and the fits' covariances give each value's variance (the delta
    method). Revenue and value intervals are on the *expected* values (parameter
    uncertainty); the purchase counts also get a predictive interval, simulated once per
    parameter draw (see :mod:`retainkit.clv.intervals._simulate` for how that stays quick
    on hundreds of thousands of customers).

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
    rows = _distinct(purchases, summary)
    # the purchase model moves, spend stays at its estimate: revenue and value are linear
    # in each customer's spend, so the slopes of one unit of spend per row carry over
    p_slope, clv_per_row = _row_slopes(purchases, forecast, rows, pricing)
    spend_i = forecast.expected_spend
    spend_by_row = np.bincount(rows.codes, weights=spend_i, minlength=len(rows.x))
    unit = {m: _variance(p_slope[m], p_cov)[rows.codes] for m in ("expected_purchases", "clv")}
    variance = {
        "expected_purchases": unit["expected_purchases"],
        "expected_revenue": spend_i**2 * unit["expected_purchases"],
        "clv": spend_i**2 * unit["clv"],
    }
    total_slope = {
        "expected_purchases": rows.weights @ p_slope["expected_purchases"],
        "expected_revenue": spend_by_row @ p_slope["expected_purchases"],
        "clv": spend_by_row @ p_slope["clv"],
    }
    s_total: dict[str, np.ndarray] = {}
    if spend is not None and s_cov is not None:
        # the spend model moves, purchases stay at their estimates
        d_spend = _gradient(
            spend,
            lambda m: {"spend": m.expected_spend(summary).to_numpy(dtype="float64")},
            centre={"spend": spend_i},
        )["spend"]
        spend_variance = _variance(d_spend, s_cov)
        purchases_i = point["expected_purchases"].to_numpy(dtype="float64")
        clv_per_spend = clv_per_row[rows.codes]
        variance["expected_revenue"] += purchases_i**2 * spend_variance
        variance["clv"] += clv_per_spend**2 * spend_variance
        s_total = {"expected_revenue": purchases_i @ d_spend, "clv": clv_per_spend @ d_spend}
    customers = pd.DataFrame({S.CUSTOMER_ID: point[S.CUSTOMER_ID].to_numpy()})
    customers["probability_alive"] = point["probability_alive"].to_numpy()
    totals: dict[str, tuple[float, float, float]] = {}
    for m in _MEASURES:
        estimate = point[m].to_numpy(dtype="float64")
        customers[m] = estimate
        customers[f"{m}_low"], customers[f"{m}_high"] = _delta_bounds(estimate, variance[m], level)
        total_variance = _variance(np.asarray(total_slope[m]), p_cov)
        if m in s_total and s_cov is not None:
            total_variance = total_variance + _variance(s_total[m], s_cov)
        totals[m] = (estimate.sum(), *_delta_bounds(estimate.sum(), total_variance, level))
    t = horizon_years * days_per("years") / days_per(purchases.time_unit_ or "weeks")
    rng = np.random.default_rng([seed, 2])
    count_low, count_high, count_total = _predictive_counts(purchases, rows, values, t, level, rng)
    customers["purchases_low"], customers["purchases_high"] = count_low, count_high
    tail = (1 - level) / 2
    total_rows = [
        _total_row("expected_purchases", *totals["expected_purchases"], _PARAMETERS),
        _total_row(
            "purchases",
            totals["expected_purchases"][0],
            *np.quantile(count_total, [tail, 1 - tail]),
            _PROCESS,
        ),
    ]
    total_rows += [_total_row(m, *totals[m], _PARAMETERS) for m in ("expected_revenue", "clv")]
    curve_estimate = forecast.cumulative.sum(axis=0)
    low, high = _delta_bounds(curve_estimate, _variance(p_slope["curve"], p_cov), level)
    curve = pd.DataFrame(
        {
            "horizon_years": forecast.grid_years,
            "estimate": curve_estimate,
            "low": low,
            "high": high,
        }
    )
    return ForecastIntervals(
        customers,
        pd.DataFrame(total_rows),
        curve,
        level,
        len(values),
        float(horizon_years),
        "years",
    )
