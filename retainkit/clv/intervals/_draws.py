"""Parameter uncertainty: the fit's covariance on the log scale and draws from it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from retainkit.clv.gamma_gamma import GammaGammaModel
from retainkit.clv.mbgnbd import ModifiedBetaGeoModel
from retainkit.clv.pareto_nbd import ParetoNBDModel
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    NotFittedError,
    RetainkitError,
)

__all__ = ["ForecastIntervals", "parameter_draws"]

#: The purchase models with intervals (the (M)BG/CNBD-k at their fitted ``k``).
_PURCHASE_MODELS: tuple[type, ...] = (
    BetaGeoModel,
    ModifiedBetaGeoModel,
    BetaGeoCNBDModel,
    ModifiedBetaGeoCNBDModel,
    ParetoNBDModel,
)


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


def _check_model(model: Any, allowed: tuple[type, ...], role: str) -> dict[str, float]:
    if type(model) not in allowed:
        names = ", ".join(c.__name__ for c in allowed)
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
    model : purchase model or GammaGammaModel
        Fitted, without covariates: BetaGeoModel, ModifiedBetaGeoModel,
        BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel (``k`` stays at ``k_``),
        ParetoNBDModel, or the spend model.
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
    params = _check_model(model, (*_PURCHASE_MODELS, GammaGammaModel), "parameters")
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
