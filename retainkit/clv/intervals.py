"""Intervals on each customer's forecast purchases and value, and on their totals.

Two kinds of uncertainty go into them:

- **parameter uncertainty**: the maximum-likelihood estimates are asymptotically normal
  on the log scale the optimiser works on, with covariance the inverse of the observed
  information (the Hessian of the negative log-likelihood, as behind
  ``standard_errors_``). :func:`parameter_draws` draws parameter sets from it; predicting
  with each gives the spread of the *expected* purchases, spend and lifetime value.
- **process noise**: given the parameters, what a customer actually does is random.
  Each customer's future repeat purchases are simulated from the model's posterior given
  their history: alive or not (with the probability alive), the purchase rate
  ``lambda | alive ~ Gamma(r + x, rate alpha + T)`` and the dropout still to come (BG/NBD:
  ``p | alive ~ Beta(a, b + x)``, a dropout after each purchase with probability ``p``;
  Pareto/NBD: ``mu | alive ~ Gamma(s, rate beta + T)``, an exponential remaining
  lifetime). Counts drawn this way, one per parameter draw, give a *predictive* interval:
  where the customer's count will fall.

Totals add the customers' values within each draw and then take the quantiles, so they
keep the correlation that shared parameters induce. Work is done in chunks of customers
x draws, so memory stays bounded; values reuse :func:`retainkit.clv.value.clv_forecast`
and :func:`retainkit.clv.value.customer_value` (and so the one discounting rule).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import compress, validate_summary
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.gamma_gamma import GammaGammaModel
from retainkit.clv.model_value import clv_forecast, customer_value
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

#: Most customers x draws held in one array at a time.
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
        ``<measure>_high`` (parameter uncertainty), and ``purchases_low`` /
        ``purchases_high``: the predictive interval of the repeat purchases the customer
        will make (parameter uncertainty and process noise).
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
        Parameter draws the intervals rest on.
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
    if not all(v > 0 for v in params.values()):
        raise RetainkitError(
            f"intervals draw the logarithms of positive parameters, but this "
            f"{type(model).__name__} has non-positive ones ({', '.join(params)}), as a fit "
            "with covariates does; fit it without covariates for intervals"
        )
    return params


def _fit_data(model: Any, summary: pd.DataFrame) -> dict[str, Any]:
    """Rebuild the likelihood's data of the summary the model was fitted on."""
    if isinstance(model, GammaGammaModel):
        validate_summary(
            summary,
            ("frequency", "monetary_value"),
            model=model._name,
            may_be_negative=("monetary_value",),
        )
    else:
        validate_summary(summary, model._required, model=model._name)
        unit = summary.attrs.get("time_unit")
        if unit is not None and unit != model.time_unit_:
            raise ValueError(
                f"the summary's time unit is {unit!r} but the model was fitted in "
                f"{model.time_unit_!r}; pass the summary the model was fitted on"
            )
    work = copy.copy(model)  # _columns may record counts on the model it is called on
    data = work._build(compress(work._columns(summary)))
    if round(data["n"]) != model.n_customers_:
        raise DataValidationError(
            f"the summary gives the {model._name} likelihood {round(data['n']):,} customers "
            f"but the model was fitted on {model.n_customers_:,}; parameter uncertainty "
            "comes from the fit, so pass the summary the model was fitted on (and, to "
            "predict for other customers, its parameter_draws as draws=...)"
        )
    return data


def _log_covariance(model: Any, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the log-parameters and their covariance, the inverse observed information.

    The information is the Hessian of the fit's objective (negative log-likelihood summed
    over the customers, plus the penalty), in the log-parameters, by central differences
    of its gradient.
    """
    data = _fit_data(model, summary)
    names = list(model.params_)
    phi = np.log(np.array([model.params_[k] for k in names], dtype="float64"))
    n = float(data["n"])

    def gradient(log_params: np.ndarray) -> np.ndarray:
        theta = np.exp(log_params)
        with np.errstate(all="ignore"):
            grad = model._neg_ll_and_grad(theta, data)[1]
        # chain rule d/dlog(theta) = theta d/dtheta; the penalty is n x penalizer x |phi|^2
        return grad * theta + 2.0 * model.penalizer * n * log_params

    k = len(phi)
    hessian = np.empty((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = _LOG_STEP
        hessian[:, j] = (gradient(phi + step) - gradient(phi - step)) / (2 * _LOG_STEP)
    hessian = (hessian + hessian.T) / 2
    eigen = np.linalg.eigvalsh(hessian) if np.all(np.isfinite(hessian)) else np.array([np.nan])
    if not np.all(eigen > 0):
        raise ConvergenceError(
            f"the {model._name} fit's information matrix is not positive definite, so its "
            "parameters are not all identified by the data and have no interval; refit with "
            f"a small penalizer ({type(model).__name__}(penalizer=0.001)) or on more customers"
        )
    return phi, np.linalg.inv(hessian)


def parameter_draws(
    model: Any, summary: pd.DataFrame, *, n_draws: int = 500, seed: int = 0
) -> pd.DataFrame:
    """Draw parameter sets from the estimates' asymptotic normal distribution.

    The logarithms of the parameters (the scale the optimiser works on, where the normal
    approximation is better and every draw stays positive) are drawn from a multivariate
    normal centred on the estimates, with covariance the inverse observed information of
    the fit on ``summary``: the same matrix whose diagonal gives ``standard_errors_``.

    Parameters
    ----------
    model : BetaGeoModel, ParetoNBDModel or GammaGammaModel
        Fitted on ``summary``.
    summary : pandas.DataFrame
        The per-customer summary the model was fitted on
        (:func:`retainkit.customer_summary`): ``customer_id``, ``frequency``,
        ``recency``, ``T`` (``monetary_value`` for Gamma-Gamma).
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
        For another model.
    NotFittedError
        Before ``fit``.
    DataValidationError
        When ``summary`` is not what the model was fitted on (another count of customers).
    ConvergenceError
        When the information matrix is not positive definite (unidentified parameters).

    Examples
    --------
    >>> import retainkit as rk
    >>> s = rk.customer_summary(rk.load_transactions("cdnow_sample"), as_of="1997-09-30",
    ...                         time_unit="weeks")
    >>> model = rk.clv.BetaGeoModel().fit(s)
    >>> draws = parameter_draws(model, s, n_draws=4000, seed=1)
    >>> list(draws.columns)
    ['r', 'alpha', 'a', 'b']
    >>> # the draws' spread of r is its standard error, 0.0126 on 2,357 customers
    >>> round(model.standard_errors_["r"], 4), round(float(draws["r"].std()), 3)
    (0.0126, 0.012)
    """
    params = _check_model(model, (BetaGeoModel, ParetoNBDModel, GammaGammaModel), "parameters")
    if int(n_draws) < 1:
        raise ValueError(f"n_draws={n_draws!r} must be at least 1")
    phi, cov = _log_covariance(model, summary)
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(cov)
    logs = phi + rng.standard_normal((int(n_draws), len(phi))) @ chol.T
    out = pd.DataFrame(np.exp(logs), columns=list(params))
    names = list(params)
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
            f"columns {names}, found {found}; build it with parameter_draws(model, summary)"
        )
    values = draws.to_numpy(dtype="float64")
    if len(values) == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise DataValidationError(
            f"{what} must hold at least one row of positive, finite parameters"
        )
    return values


def _with_params(model: Any, names: list[str], values: np.ndarray) -> Any:
    """Return a copy of the fitted model whose parameters are one draw."""
    clone = copy.copy(model)
    clone.params_ = dict(zip(names, values.tolist(), strict=True))
    return clone


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


def _bounds(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed quantiles over the last axis."""
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail], axis=-1)
    return low, high


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
    measure: str, estimate: float, per_draw: np.ndarray, level: float, includes: str
) -> dict[str, Any]:
    low, high = _bounds(per_draw, level)
    return {
        "measure": measure,
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
        "includes": includes,
    }


_PARAMETERS = "parameter uncertainty"
_PROCESS = "parameter uncertainty and purchase-to-purchase chance"


def _chunks(n: int, n_draws: int) -> list[slice]:
    size = max(1, _CELLS // max(n_draws, 1))
    return [slice(lo, min(lo + size, n)) for lo in range(0, n, size)] or [slice(0, 0)]


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
        Fitted purchase model.
    summary : pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T`` in the model's time unit: the
        customers to forecast, and (without ``draws``) the summary the model was fitted
        on.
    t : float
        Horizon, in the model's time unit.
    level : float
        Nominal coverage (0.9: a 90% interval from the 5% to the 95% quantile).
    draws : pandas.DataFrame, optional
        :func:`parameter_draws` of the model; default: ``n_draws`` drawn from its fit on
        ``summary``.
    n_draws : int
        Parameter draws when ``draws`` is not given.
    seed : int
        Seed of the parameter draws and of the simulated purchases.

    Returns
    -------
    ForecastIntervals
        ``customers``: ``customer_id``, ``probability_alive``, ``expected_purchases``,
        ``expected_purchases_low``, ``expected_purchases_high``, ``purchases_low``,
        ``purchases_high``; ``totals``: rows ``expected_purchases`` (parameter
        uncertainty) and ``purchases`` (also process noise); no ``curve``.

    Raises
    ------
    RetainkitError
        For another model (the simulation of purchases is written for these two).
    NotFittedError, DataValidationError, ConvergenceError
        As :func:`parameter_draws`.

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
    params = _check_model(model, tuple(_SIMULATORS), "purchases")
    if t < 0:
        raise ValueError(f"t={t!r} must be 0 or positive")
    if draws is None:
        draws = parameter_draws(model, summary, n_draws=n_draws, seed=seed)
    values = _check_draws(draws, model, "draws")
    _check_level(level, len(values))
    validate_summary(summary, ("frequency", "recency", "T"), model=model._name)
    names, simulate = list(params), _SIMULATORS[type(model)]
    rng = np.random.default_rng([seed, 1])
    x = summary["frequency"].to_numpy(dtype="float64")
    T = summary["T"].to_numpy(dtype="float64")
    point = model.predict(summary, t=t)
    n, d = len(summary), len(values)
    columns: dict[str, np.ndarray] = {k: np.empty(n) for k in ("el", "eh", "pl", "ph")}
    expected_total, count_total = np.zeros(d), np.zeros(d)
    for part in _chunks(n, d):
        chunk = summary.iloc[part]
        expected = np.empty((len(chunk), d))
        counts = np.empty((len(chunk), d))
        for j, row in enumerate(values):
            drawn = _with_params(model, names, row)
            expected[:, j] = drawn.expected_purchases(chunk, t=t).to_numpy()
            alive = drawn.probability_alive(chunk).to_numpy()
            counts[:, j] = simulate(drawn.params_, alive, x[part], T[part], t, rng)
        columns["el"][part], columns["eh"][part] = _bounds(expected, level)
        columns["pl"][part], columns["ph"][part] = _count_bounds(counts, level)
        expected_total += expected.sum(axis=0)
        count_total += counts.sum(axis=0)
    customers = pd.DataFrame(
        {
            S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
            "probability_alive": point["probability_alive"].to_numpy(),
            "expected_purchases": point["expected_purchases"].to_numpy(),
            "expected_purchases_low": columns["el"],
            "expected_purchases_high": columns["eh"],
            "purchases_low": columns["pl"],
            "purchases_high": columns["ph"],
        }
    )
    estimate = float(point["expected_purchases"].sum())
    totals = pd.DataFrame(
        [
            _total_row("expected_purchases", estimate, expected_total, level, _PARAMETERS),
            _total_row("purchases", estimate, count_total, level, _PROCESS),
        ]
    )
    return ForecastIntervals(
        customers, totals, None, level, d, float(t), str(model.time_unit_ or "weeks")
    )


# --- value -------------------------------------------------------------------------------
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

    Each draw of the purchase model's parameters (and, independently, of the spend
    model's: the two are fitted on separate likelihoods) is priced exactly as the point
    estimate is, by :func:`retainkit.clv.value.clv_forecast` and
    :func:`retainkit.clv.value.customer_value`, so the intervals sit around the values
    the lifetime value section shows. Revenue and value intervals are on the *expected*
    values (parameter uncertainty); the purchase counts also get a predictive interval.

    Parameters
    ----------
    purchases : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    spend : GammaGammaModel or None
        Fitted spend model; None (no revenue) leaves revenue and value as NaN.
    summary : pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T`` (``monetary_value`` with a
        spend model): the customers to value, and (without draws) what the models were
        fitted on.
    horizon_years, discount_rate, margin : float
        As for :func:`retainkit.clv.value.customer_value`.
    level : float
        Nominal coverage (0.9: from the 5% to the 95% quantile).
    purchase_draws, spend_draws : pandas.DataFrame, optional
        :func:`parameter_draws` of each model (equally many); default ``n_draws`` drawn
        from their fits on ``summary``.
    n_draws : int
        Parameter draws when not given.
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
    NotFittedError, DataValidationError, ConvergenceError
        As :func:`parameter_draws`.

    Warns
    -----
    UserWarning
        When some spend draws have ``q <= 1`` (no finite mean spend): their revenue and
        value count as infinite.

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
    params = _check_model(purchases, tuple(_SIMULATORS), "purchases")
    if spend is not None:
        _check_model(spend, (GammaGammaModel,), "spend")
    if purchase_draws is None:
        purchase_draws = parameter_draws(purchases, summary, n_draws=n_draws, seed=seed)
    p_values = _check_draws(purchase_draws, purchases, "purchase_draws")
    d = len(p_values)
    s_values: np.ndarray | None = None
    if spend is not None:
        if spend_draws is None:
            spend_draws = parameter_draws(spend, summary, n_draws=d, seed=seed + 1)
        s_values = _check_draws(spend_draws, spend, "spend_draws")
        if len(s_values) != d:
            raise DataValidationError(
                f"purchase_draws has {d} rows and spend_draws {len(s_values)}; draw "
                "equally many of each"
            )
    _check_level(level, d)
    if horizon_years <= 0:
        raise ValueError(f"horizon_years={horizon_years!r} must be positive")
    pricing = {"horizon_years": horizon_years, "discount_rate": discount_rate, "margin": margin}
    point_forecast = clv_forecast(purchases, spend, summary, max_horizon_years=horizon_years)
    point = customer_value(point_forecast, **pricing)
    unit = purchases.time_unit_ or "weeks"
    t = horizon_years * days_per("years") / days_per(unit)
    names, simulate = list(params), _SIMULATORS[type(purchases)]
    s_names = list(spend.params_) if spend is not None else []
    infinite = 0
    if s_values is not None:
        q_at = s_names.index("q")
        infinite = int((s_values[:, q_at] <= 1).sum())
    if infinite:
        warnings.warn(
            f"{infinite} of {d} spend-model draws have q <= 1, where the mean spend is "
            "infinite; their revenue and value count as infinite, so the upper bounds may be "
            "infinite too",
            stacklevel=2,
        )
    rng = np.random.default_rng([seed, 2])
    x = summary["frequency"].to_numpy(dtype="float64")
    T = summary["T"].to_numpy(dtype="float64")
    n = len(summary)
    measures = ("expected_purchases", "expected_revenue", "clv")
    out: dict[str, np.ndarray] = {}
    for m in measures:
        out[f"{m}_low"], out[f"{m}_high"] = np.full(n, np.nan), np.full(n, np.nan)
    out["purchases_low"], out["purchases_high"] = np.empty(n), np.empty(n)
    totals = {m: np.zeros(d) for m in (*measures, "purchases")}
    curve = np.zeros((d, len(point_forecast.grid_years)))
    for part in _chunks(n, d):
        chunk = summary.iloc[part]
        per = {m: np.empty((len(chunk), d)) for m in (*measures, "purchases")}
        for j in range(d):
            drawn = _with_params(purchases, names, p_values[j])
            drawn_spend = None
            no_mean = False
            if spend is not None and s_values is not None:
                no_mean = bool(s_values[j, q_at] <= 1)
                drawn_spend = None if no_mean else _with_params(spend, s_names, s_values[j])
            forecast = clv_forecast(drawn, drawn_spend, chunk, max_horizon_years=horizon_years)
            value = customer_value(forecast, **pricing)
            per["expected_purchases"][:, j] = value["expected_purchases"].to_numpy()
            revenue = value["expected_revenue"].to_numpy()
            clv = value["clv"].to_numpy()
            if no_mean:
                revenue, clv = np.full(len(chunk), np.inf), np.full(len(chunk), np.inf)
            per["expected_revenue"][:, j], per["clv"][:, j] = revenue, clv
            per["purchases"][:, j] = simulate(
                drawn.params_, forecast.probability_alive, x[part], T[part], t, rng
            )
            curve[j] += forecast.cumulative.sum(axis=0)
        with np.errstate(invalid="ignore"):
            for m in measures:
                if m != "expected_purchases" and spend is None:
                    continue
                out[f"{m}_low"][part], out[f"{m}_high"][part] = _bounds(per[m], level)
        out["purchases_low"][part], out["purchases_high"][part] = _count_bounds(
            per["purchases"], level
        )
        for m in totals:
            totals[m] += per[m].sum(axis=0)
    customers = pd.DataFrame({S.CUSTOMER_ID: point[S.CUSTOMER_ID].to_numpy()})
    customers["probability_alive"] = point["probability_alive"].to_numpy()
    for m in measures:
        customers[m] = point[m].to_numpy()
        customers[f"{m}_low"], customers[f"{m}_high"] = out[f"{m}_low"], out[f"{m}_high"]
    customers["purchases_low"] = out["purchases_low"]
    customers["purchases_high"] = out["purchases_high"]
    rows = [
        _total_row(
            "expected_purchases",
            point["expected_purchases"].sum(),
            totals["expected_purchases"],
            level,
            _PARAMETERS,
        ),
        _total_row(
            "purchases", point["expected_purchases"].sum(), totals["purchases"], level, _PROCESS
        ),
    ]
    for m in ("expected_revenue", "clv"):
        if spend is None:
            rows.append(
                {
                    "measure": m,
                    "estimate": np.nan,
                    "low": np.nan,
                    "high": np.nan,
                    "includes": _PARAMETERS,
                }
            )
        else:
            rows.append(_total_row(m, point[m].sum(), totals[m], level, _PARAMETERS))
    low, high = _bounds(curve.T, level)
    curve_frame = pd.DataFrame(
        {
            "horizon_years": point_forecast.grid_years,
            "estimate": point_forecast.cumulative.sum(axis=0),
            "low": low,
            "high": high,
        }
    )
    return ForecastIntervals(
        customers, pd.DataFrame(rows), curve_frame, level, d, float(horizon_years), "years"
    )
