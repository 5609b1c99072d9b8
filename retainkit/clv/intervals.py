"""Intervals on each customer's forecast purchases and value, and on their totals.

Two kinds of uncertainty go into them:

- **parameter uncertainty**: the maximum-likelihood estimates are asymptotically normal,
  with the covariance the fit keeps as ``covariance_`` (the inverse observed
  information, whose diagonal gives ``standard_errors_``); on the logarithms of the
  (positive) parameters, where the approximation is better, that covariance is
  ``covariance_ / outer(theta, theta)`` (the delta method). The *expected* purchases,
  spend and lifetime value then get intervals by the delta method too: their gradient in
  the log-parameters, by central differences (two predictions per parameter, instead of
  one per parameter draw), gives their variance, and the interval is symmetric on the
  log scale of the value (``estimate x exp(+-z se / estimate)``), so it stays positive.
  :func:`parameter_draws` draws parameter sets from the same normal distribution.
- **process noise**: given the parameters, what a customer actually does is random.
  Each customer's future repeat purchases are simulated from the model's posterior given
  their history, once per parameter draw: alive or not (with the probability alive), the
  purchase rate ``lambda | alive ~ Gamma(r + x, rate alpha + T)`` and the dropout still
  to come (BG/NBD: ``p | alive ~ Beta(a, b + x)``, a dropout after each purchase with
  probability ``p``; Pareto/NBD: ``mu | alive ~ Gamma(s, rate beta + T)``, an
  exponential remaining lifetime). These counts give a *predictive* interval: where the
  customer's count will fall, parameter uncertainty included.

Totals add the customers' gradients (expected values) or their simulated counts within
each draw (purchases) before the interval is taken, so they keep the correlation that
shared parameters induce. Values reuse :func:`retainkit.clv.value.clv_forecast` and
:func:`retainkit.clv.value.customer_value` (and so the one discounting rule).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from retainkit import schema as S
from retainkit.clv._base import validate_summary
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.gamma_gamma import GammaGammaModel
from retainkit.clv.model_value import ClvForecast, clv_forecast, customer_value
from retainkit.clv.pareto_nbd import ParetoNBDModel
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    NotFittedError,
    RetainkitError,
)
from retainkit.units import days_per

__all__ = [
    "ForecastIntervals",
    "parameter_draws",
    "purchase_intervals",
    "value_intervals",
]

#: Most customers x draws (or customers x monthly steps) held in one array at a time.
_CELLS = 2_000_000
#: Step of the central differences of the gradient, on the log scale of the parameters.
_LOG_STEP = 1e-4


@dataclass(frozen=True)
class ForecastIntervals:
    """Intervals on a forecast, per customer and in total.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer of the summary, in its order: ``customer_id``, then each
        measure's estimate (at the fitted parameters) with ``<measure>_low`` and
        ``<measure>_high`` (parameter uncertainty, delta method), and ``purchases_low`` /
        ``purchases_high``: the predictive interval of the repeat purchases the customer
        will make (parameter uncertainty and process noise, simulated).
    totals : pandas.DataFrame
        One row per measure, summed over the customers: ``measure``, ``estimate``,
        ``low``, ``high``, ``includes`` (which uncertainty the interval covers).
    curve : pandas.DataFrame or None
        Total expected repeat purchases from now to each step of a monthly grid:
        ``horizon_years``, ``estimate``, ``low``, ``high`` (parameter uncertainty); None
        from :func:`purchase_intervals`.
    level : float
        Nominal coverage of every interval (0.9: from the 5% to the 95% quantile).
    n_draws : int
        Parameter draws the simulated purchase counts rest on.
    horizon : float
        Length of the forecast, in ``horizon_unit``.
    horizon_unit : str
        ``"years"``, or the model's time unit.
    """

    customers: pd.DataFrame
    totals: pd.DataFrame
    curve: pd.DataFrame | None
    level: float
    n_draws: int
    horizon: float
    horizon_unit: str


# --- parameter uncertainty -------------------------------------------------------------
def _check_model(model: Any, allowed: tuple[type, ...], role: str) -> dict[str, float]:
    if type(model) not in allowed:
        names = " and ".join(c.__name__ for c in allowed)
        raise RetainkitError(
            f"intervals on {role} support {names}, got {type(model).__name__}; fit one of "
            f"those (e.g. retainkit.clv.{allowed[0].__name__}().fit(summary))"
        )
    if model.params_ is None:
        raise NotFittedError(
            f"this {type(model).__name__} is not fitted yet; call .fit(summary) first, with "
            "summary = retainkit.customer_summary(...)"
        )
    params = dict(model.params_)
    if getattr(model, "_free_names", ()) or not all(v > 0 for v in params.values()):
        raise RetainkitError(
            f"intervals work on the logarithms of positive parameters, but this "
            f"{type(model).__name__} has coefficients that may be negative "
            f"({', '.join(params)}), as a fit with covariates does; fit it without "
            "covariates for intervals"
        )
    return params


def _log_covariance(model: Any) -> np.ndarray:
    """Return the covariance of the log-parameters: ``covariance_ / outer(theta, theta)``."""
    names = list(model.params_)
    cov = model.covariance_
    theta = np.array([model.params_[k] for k in names], dtype="float64")
    values = (
        cov.loc[names, names].to_numpy(dtype="float64") / np.outer(theta, theta)
        if cov is not None
        else np.full((len(names), len(names)), np.nan)
    )
    finite = bool(np.all(np.isfinite(values)))
    if not finite or not np.all(np.linalg.eigvalsh(values) > 0):
        raise ConvergenceError(
            f"the data do not pin down every parameter of the {model._name} model (its "
            "information matrix is not positive definite), so its forecasts have no "
            f"interval; refit with a small penalizer ({type(model).__name__}(penalizer=0.001)) "
            "or on more customers"
        )
    return values


def parameter_draws(model: Any, *, n_draws: int = 500, seed: int = 0) -> pd.DataFrame:
    """Draw parameter sets from the estimates' asymptotic normal distribution.

    The logarithms of the parameters (where the normal approximation is better and every
    draw stays positive) are drawn from a multivariate normal centred on the estimates,
    with the fit's covariance (``covariance_``, whose diagonal gives
    ``standard_errors_``) carried to the log scale by the delta method:
    ``covariance_ / outer(theta, theta)``.

    Parameters
    ----------
    model : BetaGeoModel, ParetoNBDModel or GammaGammaModel
        Fitted, without covariates.
    n_draws : int
        Parameter sets drawn.
    seed : int
        Seed of the random draws.

    Returns
    -------
    pandas.DataFrame
        ``n_draws`` rows, one column per parameter (``r``, ``alpha``, ``a``, ``b`` for
        BG/NBD); ``attrs`` holds ``model`` and ``log_covariance`` (the covariance of the
        log-parameters, a frame).

    Raises
    ------
    RetainkitError
        For another model, or one fitted with covariates.
    NotFittedError
        Before ``fit``.
    ConvergenceError
        When the information matrix is not positive definite (unidentified parameters).

    Examples
    --------
    >>> import retainkit as rk
    >>> s = rk.customer_summary(rk.load_transactions("cdnow_sample"), as_of="1997-09-30",
    ...                         time_unit="weeks")
    >>> model = rk.clv.BetaGeoModel().fit(s)
    >>> draws = parameter_draws(model, n_draws=4000, seed=1)
    >>> list(draws.columns)
    ['r', 'alpha', 'a', 'b']
    >>> # the draws' spread of r is its standard error, 0.0126 on 2,357 customers
    >>> round(model.standard_errors_["r"], 4), round(float(draws["r"].std()), 3)
    (0.0126, 0.012)
    """
    params = _check_model(model, (BetaGeoModel, ParetoNBDModel, GammaGammaModel), "parameters")
    if int(n_draws) < 1:
        raise ValueError(f"n_draws={n_draws!r} must be at least 1")
    names = list(params)
    phi = np.log(np.array([params[k] for k in names], dtype="float64"))
    cov = _log_covariance(model)
    rng = np.random.default_rng(seed)
    logs = phi + rng.standard_normal((int(n_draws), len(phi))) @ np.linalg.cholesky(cov).T
    out = pd.DataFrame(np.exp(logs), columns=names)
    out.attrs = {
        "model": model._name,
        "log_covariance": pd.DataFrame(cov, index=names, columns=names),
    }
    return out


def _check_draws(draws: pd.DataFrame, model: Any, what: str) -> np.ndarray:
    names = list(model.params_)
    if not isinstance(draws, pd.DataFrame) or list(draws.columns) != names:
        found = list(draws.columns) if isinstance(draws, pd.DataFrame) else type(draws).__name__
        raise DataValidationError(
            f"{what} must be a frame of {type(model).__name__} parameter draws with the "
            f"columns {names}, found {found}; build it with parameter_draws(model)"
        )
    values = draws.to_numpy(dtype="float64")
    if len(values) < 2 or not np.all(np.isfinite(values) & (values > 0)):
        raise DataValidationError(
            f"{what} must hold at least two rows of positive, finite parameters"
        )
    return values


def _draws_covariance(values: np.ndarray) -> np.ndarray:
    """Covariance of the logarithms of given parameter draws (rows)."""
    return np.atleast_2d(np.cov(np.log(values), rowvar=False))


def _with_params(model: Any, names: list[str], values: np.ndarray) -> Any:
    """Return a copy of the fitted model whose parameters are one draw."""
    clone = copy.copy(model)
    clone.params_ = dict(zip(names, values.tolist(), strict=True))
    return clone


def _gradient(
    model: Any, evaluate: Callable[[Any], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Central differences of ``evaluate(model with other parameters)`` in the log-parameters.

    Each array ``evaluate`` returns gains a last axis, one entry per parameter.
    """
    names = list(model.params_)
    phi = np.log(np.array([model.params_[k] for k in names], dtype="float64"))
    slopes: dict[str, list[np.ndarray]] = {}
    for j in range(len(phi)):
        step = np.zeros(len(phi))
        step[j] = _LOG_STEP
        up = evaluate(_with_params(model, names, np.exp(phi + step)))
        down = evaluate(_with_params(model, names, np.exp(phi - step)))
        for key, value in up.items():
            slopes.setdefault(key, []).append((value - down[key]) / (2 * _LOG_STEP))
    return {key: np.stack(parts, axis=-1) for key, parts in slopes.items()}


def _variance(gradient: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """``g' cov g`` over the last axis of ``gradient`` (0 where rounding makes it negative)."""
    return np.maximum(np.einsum("...j,jk,...k->...", gradient, cov, gradient), 0.0)


def _delta_bounds(
    estimate: np.ndarray, variance: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a value from its variance: symmetric on the log scale when positive.

    ``estimate x exp(+-z se / estimate)`` (the delta method applied to log(value), which
    keeps a positive value's interval positive); ``estimate +- z se`` where the estimate
    is 0 or negative (spend per purchase can be).
    """
    z = float(norm.ppf(1 - (1 - level) / 2))
    estimate = np.asarray(estimate, dtype="float64")
    se = np.sqrt(variance)
    positive = estimate > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        spread = np.exp(z * se / np.where(positive, estimate, 1.0))
        low = np.where(positive, estimate / spread, estimate - z * se)
        high = np.where(positive, estimate * spread, estimate + z * se)
    return low, high


# --- process noise ---------------------------------------------------------------------
def _simulate_bgnbd(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under BG/NBD.

    Given alive at ``T``: ``lambda ~ Gamma(r + x, alpha + T)`` and ``p ~ Beta(a, b + x)``.
    A Poisson process of rate ``lambda`` gives ``K`` purchase chances in ``t``; the
    customer drops out after purchase ``G ~ Geometric(p)``, so buys ``min(K, G)`` times.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    is_alive = rng.random(len(x)) < alive
    rate = rng.gamma(r + x, 1.0 / (alpha + T))
    p = np.clip(rng.beta(a, b + x), 1e-12, 1.0)
    chances = rng.poisson(rate * t)
    until_dropout = rng.geometric(p)
    return np.where(is_alive, np.minimum(chances, until_dropout), 0)


def _simulate_pareto(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under Pareto/NBD.

    Given alive at ``T``: ``lambda ~ Gamma(r + x, alpha + T)``, ``mu ~ Gamma(s, beta + T)``
    and (memoryless) the remaining lifetime ``~ Exponential(mu)``; purchases are Poisson
    with mean ``lambda x min(lifetime, t)``.
    """
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    is_alive = rng.random(len(x)) < alive
    rate = rng.gamma(r + x, 1.0 / (alpha + T))
    dropout = rng.gamma(s, 1.0 / (beta + T), size=len(x))
    lifetime = rng.exponential(1.0, size=len(x)) / np.maximum(dropout, 1e-300)
    return np.where(is_alive, rng.poisson(rate * np.minimum(lifetime, t)), 0)


_SIMULATORS: dict[type, Callable[..., np.ndarray]] = {
    BetaGeoModel: _simulate_bgnbd,
    ParetoNBDModel: _simulate_pareto,
}


# --- quantiles ---------------------------------------------------------------------------
def _check_level(level: float, n_draws: int) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1 (0.9 for a 90% interval)")
    need = math.ceil(2 / (1 - level))
    if n_draws < need:
        raise ValueError(
            f"n_draws={n_draws} is too few for a {level:.0%} interval: its tails need at "
            f"least {need} draws (500 or more give stable bounds)"
        )


def _count_bounds(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Predictive interval of counts (draws on the last axis): observed counts as bounds.

    Equal tails where the lower tail leaves out some positive counts; where the count is 0
    in at least the lower tail's share of the draws the interval starts at 0, the floor,
    and all of the share it leaves out is at the top (the ``level`` quantile), since no
    count lies below 0.
    """
    tail = (1 - level) / 2
    low, high = np.quantile(counts, [tail, 1 - tail], axis=-1, method="inverted_cdf")
    floor_high = np.quantile(counts, level, axis=-1, method="inverted_cdf")
    high = np.where(low <= 0, floor_high, high)
    return low.astype("float64"), high.astype("float64")


def _total_row(
    measure: str, estimate: float, low: float, high: float, includes: str
) -> dict[str, Any]:
    return {
        "measure": measure,
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
        "includes": includes,
    }


_PARAMETERS = "parameter uncertainty"
_PROCESS = "parameter uncertainty and purchase-to-purchase chance"


def _chunks(n: int, per_customer: int) -> list[slice]:
    size = max(1, _CELLS // max(per_customer, 1))
    return [slice(lo, min(lo + size, n)) for lo in range(0, n, size)] or [slice(0, 0)]


def _predictive_counts(
    model: Any,
    summary: pd.DataFrame,
    values: np.ndarray,
    t: float,
    level: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate each customer's repeat purchases in ``t``, once per parameter draw.

    The probability alive under each draw is computed once per distinct (frequency,
    recency, T) row. Returns each customer's predictive bounds and the total per draw.
    """
    names, simulate = list(model.params_), _SIMULATORS[type(model)]
    x, tx, T = model._columns(summary)
    n, d = len(x), len(values)
    low, high, total = np.empty(n), np.empty(n), np.zeros(d)
    for part in _chunks(n, d):
        codes, rows = pd.factorize(pd.MultiIndex.from_arrays([x[part], tx[part], T[part]]))
        ux, utx, uT = (rows.get_level_values(i).to_numpy(dtype="float64") for i in range(3))
        counts = np.empty((len(codes), d))
        for j, row in enumerate(values):
            drawn = _with_params(model, names, row)
            alive = drawn._p_alive(ux, utx, uT)[codes]
            counts[:, j] = simulate(drawn.params_, alive, x[part], T[part], t, rng)
        low[part], high[part] = _count_bounds(counts, level)
        total += counts.sum(axis=0)
    return low, high, total


def _uncertainty(
    model: Any, draws: pd.DataFrame | None, n_draws: int, seed: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return the parameter draws and the log-parameters' covariance the deltas use.

    Without ``draws``: ``n_draws`` from the fit and the fit's own covariance; with them,
    the covariance of their logarithms (so draws all at the estimate give no spread).
    """
    if draws is None:
        values = parameter_draws(model, n_draws=n_draws, seed=seed).to_numpy(dtype="float64")
        return values, _log_covariance(model)
    values = _check_draws(draws, model, what)
    return values, _draws_covariance(values)


# --- purchases --------------------------------------------------------------------------
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
    model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model, without covariates.
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
        For another model (the simulation of purchases is written for these two).
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
    purchases : BetaGeoModel or ParetoNBDModel
        Fitted purchase model, without covariates.
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
