"""Shared fit machinery of the lifetime-value models.

Every model here is fitted by maximum likelihood on the per-customer summary
(:func:`retainkit.customer_summary`). Identical rows are compressed to one row with a
weight, the log-likelihood and its analytic gradient are vectorised with numpy/scipy,
and the optimiser works on the logarithms of the (positive) parameters. Standard
errors come from the inverse of the observed information (the Hessian of the negative
log-likelihood, differentiated numerically from the analytic gradient), which every
fitted model keeps as ``covariance_``. The summary is checked first, in
:mod:`retainkit.clv._summary_checks`; the rows are grouped by
:mod:`retainkit.clv._compressed`; :mod:`retainkit.clv._fallback` retries a failed fit
with small penalizers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.stats import norm

from retainkit.clv._compressed import Compressed, compress
from retainkit.clv._summary_checks import _first as _first
from retainkit.clv._summary_checks import summary_time_unit, validate_summary
from retainkit.exceptions import ConvergenceError, DataValidationError, NotFittedError

__all__ = [
    "BaseModel",
    "Compressed",
    "compress",
    "summary_time_unit",
    "validate_summary",
]


@dataclass(frozen=True)
class _Fit:
    log_params: np.ndarray
    log_likelihood: float
    iterations: int


class BaseModel:
    """Maximum-likelihood fitting shared by the models: not used directly.

    Subclasses define ``_param_names``, ``_required``, ``_columns(summary)`` (the
    numeric columns the likelihood uses, one entry per customer fitted),
    ``_build(columns, weights)`` (the data the likelihood evaluates, from the
    compressed rows), ``_neg_ll_and_grad(params, data)`` (negative log-likelihood
    summed with the weights, and its gradient in the natural parameters) and
    ``_initial(data)``.

    Every fitted model has ``params_``, ``standard_errors_``, ``covariance_``,
    ``log_likelihood_``, ``n_customers_``, ``n_rows_``, ``time_unit_`` and
    ``iterations_``. ``covariance_`` is the estimates' asymptotic covariance on the
    scale of ``params_`` (the natural parameters, not their logarithms): the inverse of
    the observed information, the Hessian of the negative log-likelihood in the
    natural parameters (without the penalty), a DataFrame indexed and columned by the
    parameter names; the square roots of its diagonal are ``standard_errors_``. It is
    None before ``fit`` and NaN where the information matrix cannot be inverted. The
    covariance of the logarithms of positive parameters follows by the delta method:
    ``covariance_ / outer(theta, theta)``.
    """

    _param_names: tuple[str, ...] = ()
    _required: tuple[str, ...] = ()
    _name: str = "model"
    #: Range of the logarithms of the parameters the optimiser may search.
    _log_bounds: tuple[float, float] = (-30.0, 30.0)
    #: Parameters whose estimate must stay within 1e-6 and 1e6 (scale-free ones).
    _bounded: tuple[str, ...] = ()
    #: Above this many distinct rows, a fit on a sample of customers gives the start.
    _warm_start_rows: int = 20_000
    #: Fit the sample, then polish on all customers, with Newton steps (``_newton``; the
    #: model's analytic Hessian when it has one) rather than L-BFGS-B on the sample and
    #: Newton steps with the sample's Hessian: a few evaluations on all customers instead
    #: of ten or more, and none for the covariance with an analytic Hessian.
    _newton_fit: bool = False
    #: Range the optimiser may search for a covariate coefficient (unconstrained).
    _free_bounds: tuple[float, float] = (-50.0, 50.0)
    #: What to fit on, for the message of NotFittedError.
    _fit_hint: str = ".fit(summary) first, with summary = retainkit.customer_summary(...)"
    #: What to try when the fit does not converge, after the penalizer.
    _advice: str = (
        "more customers or a longer calibration period; check the summary's time unit "
        "(weeks suit the published starting values) and that frequency counts repeat "
        "purchases only."
    )

    def __init__(self, penalizer: float = 0.0) -> None:
        if penalizer < 0:
            raise ValueError(f"penalizer={penalizer!r} must be 0 or positive")
        self.penalizer = float(penalizer)
        self.params_: dict[str, float] | None = None
        self.standard_errors_: dict[str, float] | None = None
        #: The inverse information at the fit and the standard errors it gave then.
        self._information_inverse: tuple[np.ndarray, np.ndarray] | None = None
        self.log_likelihood_: float | None = None
        self.n_customers_: int | None = None
        self.n_rows_: int | None = None
        self.time_unit_: str | None = None
        self.iterations_: int | None = None
        self._last_eval: tuple[Any, ...] | None = None
        #: Names of the trailing parameters that are not positive (covariate
        #: coefficients): the optimiser searches them as they are, not as logarithms.
        self._free_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"{type(self).__name__}(penalizer={self.penalizer}) (not fitted)"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return (
            f"{type(self).__name__}({shown}; {self.n_customers_:,} customers, "
            f"time in {self.time_unit_})"
        )

    # --- to be defined by subclasses -------------------------------------------------
    def _columns(self, summary: pd.DataFrame) -> list[np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _build(self, rows: Compressed) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _initial(self, data: dict[str, Any]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _neg_ll_grad_hess(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray, np.ndarray] | None:
        """Return ``_neg_ll_and_grad`` and the Hessian, or None without an analytic one."""
        return None

    # --- shared ------------------------------------------------------------------------
    @property
    def _all_names(self) -> tuple[str, ...]:
        """The fitted parameters: the model's own, then any covariate coefficients."""
        return self._param_names + getattr(self, "_free_names", ())

    def _natural(self, theta: np.ndarray) -> np.ndarray:
        """Map the optimiser's point to the parameters (exp of the positive ones)."""
        free = len(getattr(self, "_free_names", ()))
        if not free:
            return np.exp(theta)
        return np.concatenate([np.exp(theta[:-free]), theta[-free:]])

    def _to_search(self, params: np.ndarray) -> np.ndarray:
        """Map parameters to the optimiser's point (log of the positive ones)."""
        free = len(getattr(self, "_free_names", ()))
        if not free:
            return np.log(params)
        return np.concatenate([np.log(params[:-free]), params[-free:]])

    def _chain(self, params: np.ndarray) -> np.ndarray:
        """Return d(parameter)/d(search point): the parameter itself, or 1 when free."""
        free = len(getattr(self, "_free_names", ()))
        if not free:
            return params
        return np.concatenate([params[:-free], np.ones(free)])

    def _bounds(self) -> list[tuple[float, float]]:
        free = len(getattr(self, "_free_names", ()))
        return [self._log_bounds] * len(self._param_names) + [self._free_bounds] * free

    def _raw(self, params: np.ndarray, data: dict[str, Any]) -> tuple[float, np.ndarray]:
        """Return the negative log-likelihood and its gradient; remember the last point."""
        last = self._last_eval
        if last is not None and last[0] is data and np.array_equal(last[1], params):
            return last[2], last[3]
        with np.errstate(all="ignore"):
            value, grad = self._neg_ll_and_grad(params, data)
        self._last_eval = (data, params.copy(), value, grad, None)
        return value, grad

    def _raw_hessian(self, params: np.ndarray, data: dict[str, Any]) -> np.ndarray | None:
        """Return the analytic Hessian of the negative log-likelihood (None without one).

        Remembers the point, with its value and gradient, as ``_raw`` does.
        """
        last = self._last_eval
        if (
            last is not None
            and last[0] is data
            and last[4] is not None
            and np.array_equal(last[1], params)
        ):
            return last[4]
        with np.errstate(all="ignore"):
            out = self._neg_ll_grad_hess(params, data)
        if out is None:
            return None
        self._last_eval = (data, params.copy(), *out)
        return out[2]

    def _objective(self, log_params: np.ndarray, data: dict[str, Any]) -> tuple[float, np.ndarray]:
        params = self._natural(log_params)
        value, grad = self._raw(params, data)
        n = data["n"]
        # the penalty is on the logarithms: it pulls the parameters towards 1 and keeps
        # them off both edges (0 and infinity), where the model degenerates
        value = value / n + self.penalizer * float(np.sum(log_params**2))
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(log_params)
        # chain rule: d/dlog(theta) = theta d/dtheta
        return value, grad / n * self._chain(params) + 2 * self.penalizer * log_params

    def _minimise(self, data: dict[str, Any], start: np.ndarray) -> Any:
        return optimize.minimize(
            self._objective,
            start,
            args=(data,),
            jac=True,
            method="L-BFGS-B",
            bounds=self._bounds(),
            options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
        )

    def _log_hessian(self, log_params: np.ndarray, data: dict[str, Any]) -> np.ndarray:
        """Hessian of the (mean, penalised) objective in log parameters.

        From the analytic Hessian when the model has one (chain rule: for theta =
        exp(phi), d2/dphi_i dphi_j = theta_i theta_j H_ij + [i = j] theta_i g_i), else
        by forward differences of the gradient.
        """
        params = self._natural(log_params)
        hessian = self._raw_hessian(params, data)
        if hessian is not None:
            grad = self._raw(params, data)[1]
            chain = self._chain(params)
            free = len(getattr(self, "_free_names", ()))
            curve = grad * params
            if free:
                curve[-free:] = 0.0
            out = (hessian * np.outer(chain, chain) + np.diag(curve)) / data["n"]
            return out + 2 * self.penalizer * np.eye(len(log_params))
        k = len(log_params)
        base = self._objective(log_params, data)[1]
        hessian = np.empty((k, k))
        for j in range(k):
            step = np.zeros(k)
            step[j] = 1e-6
            hessian[:, j] = (self._objective(log_params + step, data)[1] - base) / 1e-6
        return (hessian + hessian.T) / 2

    def _polish(self, data: dict[str, Any], start: np.ndarray, hessian: np.ndarray) -> Any:
        """Newton steps on all customers with the Hessian of a sample fit.

        The sample's (mean) Hessian approximates the full one, so each step costs one
        evaluation on all customers and the error shrinks fast. Returns None when it
        does not converge in a few steps (the caller then runs L-BFGS-B).
        """
        try:
            inverse = np.linalg.inv(hessian)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.linalg.eigvalsh(hessian) > 0):
            return None
        theta = start.copy()
        value, grad = self._objective(theta, data)
        for iteration in range(1, 25):
            if not np.isfinite(value):
                return None
            if float(np.max(np.abs(grad))) < 1e-8:
                return optimize.OptimizeResult(
                    x=theta, fun=value, nit=iteration, message="Newton steps converged"
                )
            step = -inverse @ grad
            for _ in range(20):  # backtrack if a step overshoots
                trial = theta + step
                t_value, t_grad = self._objective(trial, data)
                if np.isfinite(t_value) and t_value <= value + 1e-12 * abs(value):
                    break
                step = step / 2
            else:
                return None
            theta, value, grad = trial, t_value, t_grad
        return None

    def _newton(
        self, data: dict[str, Any], start: np.ndarray, *, tol: float = 1e-8, far: bool = False
    ) -> Any:
        """Newton steps with the Hessian of ``data``.

        With the model's analytic Hessian (``_neg_ll_grad_hess``) each point costs one
        evaluation, Hessian included, and the last one gives the covariance for free.
        Otherwise the Hessian is the difference of the analytic gradient (one evaluation
        per parameter), computed again only when a step does not make the gradient ten
        times smaller, so that near the optimum (the full data, started from a sample's
        estimate) the steps converge in two or three evaluations. ``far``: the start may
        be far from the optimum (a sample fitted from the initial values): a Hessian that
        is not positive definite has its eigenvalues made positive, and steps move each
        logarithm by at most 2. Stops when the largest gradient (of the mean objective) is
        below ``tol``. Returns None when a Hessian is not usable or the steps do not
        converge in 50 (the caller then runs L-BFGS-B). Pure numpy: no BLAS threads,
        which on a busy machine cost L-BFGS-B milliseconds an iteration.
        """
        lo, hi = np.array(self._bounds()).T
        theta = start.copy()
        # with an analytic Hessian every point gets one (one evaluation each): plain Newton
        analytic = self._raw_hessian(self._natural(theta), data) is not None
        value, grad = self._objective(theta, data)
        inverse = None
        for iteration in range(1, 51):
            if not np.isfinite(value):
                return None
            size = float(np.max(np.abs(grad)))
            if size < tol:
                return optimize.OptimizeResult(
                    x=theta, fun=value, nit=iteration, message="Newton steps converged"
                )
            if inverse is None:
                hessian = self._log_hessian(theta, data)
                if not np.all(np.isfinite(hessian)):
                    return None
                eig, vec = np.linalg.eigh(hessian)
                if not np.all(eig > 0):
                    if not far:
                        return None
                    eig = np.maximum(np.abs(eig), 1e-6 * max(float(np.max(np.abs(eig))), 1e-8))
                inverse = (vec / eig) @ vec.T
            step = -inverse @ grad
            longest = float(np.max(np.abs(step)))
            if far and longest > 2.0:
                step *= 2.0 / longest
            for _ in range(30):  # backtrack if a step overshoots
                trial = np.clip(theta + step, lo, hi)
                if analytic:
                    self._raw_hessian(self._natural(trial), data)
                t_value, t_grad = self._objective(trial, data)
                if np.isfinite(t_value) and t_value <= value + 1e-12 * abs(value):
                    break
                step = step / 2
                inverse = None
            else:
                return None
            if analytic or float(np.max(np.abs(t_grad))) > 0.1 * size:
                inverse = None
            theta, value, grad = trial, t_value, t_grad
        return None

    def _optimise(self, data: dict[str, Any], sample: dict[str, Any] | None) -> _Fit:
        start = self._to_search(np.asarray(self._initial(data), dtype="float64"))
        lo, hi = np.array(self._bounds()).T
        result = None
        if sample is not None:
            warm = None
            if self._newton_fit:
                warm = self._newton(sample, start, tol=1e-6, far=True)
            if warm is None:
                warm = self._minimise(sample, start)
            if np.all(np.isfinite(warm.x)) and np.all((warm.x > lo + 0.01) & (warm.x < hi - 0.01)):
                start = warm.x
                if self._newton_fit:
                    result = self._newton(data, start)
                else:
                    result = self._polish(data, start, self._log_hessian(start, sample))
        if result is None:
            result = self._minimise(data, start)
        params = self._natural(result.x)
        value, grad = self._raw(params, data)
        scaled = grad / data["n"] * self._chain(params) + 2 * self.penalizer * result.x
        at_bound = bool(np.any((result.x <= lo + 0.01) | (result.x >= hi - 0.01)))
        # an estimate that runs off to 0 or infinity is a limit of the model (no spread of
        # rates, no dropout), not a fit: say so rather than predict from it
        edge = [
            name
            for name, v in zip(self._all_names, params, strict=True)
            if name in self._bounded and not 1e-6 < v < 1e6
        ]
        ok = (
            np.isfinite(value)
            and not at_bound
            and not edge
            and float(np.max(np.abs(scaled))) < 1e-4
        )
        if not ok:
            shown = ", ".join(f"{k}={v:.4g}" for k, v in zip(self._all_names, params, strict=True))
            where = (
                f"{', '.join(edge)} ran off to the edge of the parameter space"
                if edge
                else f"optimizer: {result.message}"
            )
            raise ConvergenceError(
                f"The {self._name} fit did not converge on {data['n']:,.0f} customers "
                f"({where}; reached {shown}). Try: a small penalizer "
                f"({type(self).__name__}(penalizer=0.001)); {self._advice}"
            )
        return _Fit(result.x, -float(value), int(result.nit))

    def _prepare(self, rows: Compressed) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Return the data of all the rows and of the warm start's sample (or None)."""
        return self._build(rows), self._sample(rows)

    def _sample(self, rows: Compressed) -> dict[str, Any] | None:
        """Build the data of a random sample of customers (fixed seed), for a warm start."""
        weights = rows.weights
        if len(weights) <= self._warm_start_rows:
            return None
        rng = np.random.default_rng(0)
        draws = rng.choice(len(weights), size=self._warm_start_rows, p=weights / weights.sum())
        counts = np.bincount(draws, minlength=len(weights)).astype("float64")
        keep = counts > 0
        return self._build(rows.subset(keep, counts[keep]))

    def fit(self, summary: pd.DataFrame, *, time_unit: str | None = None) -> BaseModel:
        """Fit the model by maximum likelihood on a per-customer summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            One row per customer, as :func:`retainkit.customer_summary` returns; see
            the class docstring for the columns used.
        time_unit : str, optional
            Unit of ``recency`` and ``T`` when ``summary.attrs`` does not name it
            (default ``"weeks"``).

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When a column is missing.
        DataValidationError
            When customers repeat, values are invalid, or no customer can be fitted.
        ConvergenceError
            When the optimiser fails; the message says what to try.
        """
        validate_summary(summary, self._required, model=self._name)
        self.time_unit_ = summary_time_unit(summary, time_unit)
        return self._fit_rows(compress(self._columns(summary)))

    def _fit_rows(
        self, rows: Compressed, *, prepared: tuple[dict[str, Any], Any] | None = None
    ) -> Any:
        """Fit on compressed rows (validated) and set the fitted attributes; return self.

        Models whose input is not a per-customer summary (a cohort's survivors, data
        published grouped with weights) validate it, set ``time_unit_``, compress it and
        call this. ``prepared``: the rows' ``_build`` and ``_sample`` from an earlier fit
        of the same rows (a search over a structural parameter builds them once).
        """
        if len(rows.weights) == 0:
            raise DataValidationError(
                f"the {self._name} model has no customers to fit: {self._empty}"
            )
        data, sample = prepared if prepared is not None else self._prepare(rows)
        fit = self._optimise(data, sample)
        params = self._natural(fit.log_params)
        self.params_ = dict(zip(self._all_names, params.tolist(), strict=True))
        self.log_likelihood_ = fit.log_likelihood
        self.iterations_ = fit.iterations
        self.n_customers_ = round(data["n"])
        self.n_rows_ = len(rows.weights)
        cov = self._inverse_information(params, data)
        diag = np.diag(cov)
        se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
        self.standard_errors_ = dict(zip(self._all_names, se.tolist(), strict=True))
        self._information_inverse = (cov, se)
        self._last_eval = None
        return self

    _empty: str = "the summary has no rows"

    @property
    def covariance_(self) -> pd.DataFrame | None:
        """Asymptotic covariance of the estimates in ``params_``; see the class docstring.

        A fit that scales some parameters back after the optimiser (covariate
        coefficients fitted on scaled columns) rescales ``standard_errors_``; the
        covariance follows them, each row and column multiplied by its parameter's
        factor, so its diagonal stays the squared standard errors.
        """
        if self._information_inverse is None or self.params_ is None:
            return None
        cov, se_at_fit = self._information_inverse
        names = list(self.params_)
        now = np.array([(self.standard_errors_ or {}).get(k, np.nan) for k in names])
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(se_at_fit > 0, now / se_at_fit, 1.0)
        factor = np.where(np.isfinite(factor), factor, 1.0)
        return pd.DataFrame(cov * np.outer(factor, factor), index=names, columns=names)

    def _inverse_information(self, params: np.ndarray, data: dict[str, Any]) -> np.ndarray:
        """Return the inverse of the observed information (NaN when it is singular).

        The Hessian of the negative log-likelihood is the model's analytic one when it has
        one (``_neg_ll_grad_hess``), else the forward difference of its analytic gradient
        (relative step 1e-6; an absolute step of 1e-6 for a covariate coefficient below 1
        in size), made symmetric.
        """
        k = len(params)
        n_own = len(self._param_names)
        analytic = self._raw_hessian(params, data)
        if analytic is not None:
            hessian = analytic
        else:
            with np.errstate(all="ignore"):
                base = self._raw(params, data)[1]
                hessian = np.empty((k, k))
                for j in range(k):
                    h = 1e-6 * (params[j] if j < n_own else max(abs(params[j]), 1.0))
                    up = params.copy()
                    up[j] += h
                    hessian[:, j] = (self._neg_ll_and_grad(up, data)[1] - base) / h
            hessian = (hessian + hessian.T) / 2
        try:
            return np.linalg.inv(hessian)
        except np.linalg.LinAlgError:
            return np.full((k, k), np.nan)

    def _check_fitted(self) -> dict[str, float]:
        if self.params_ is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call {self._fit_hint}"
            )
        return self.params_

    def _check_unit(self, summary: pd.DataFrame) -> str:
        unit = summary.attrs.get("time_unit")
        if unit is not None and unit != self.time_unit_:
            raise ValueError(
                f"the summary's time unit is {unit!r} but the model was fitted in "
                f"{self.time_unit_!r}; build the summary with time_unit={self.time_unit_!r}"
            )
        return self.time_unit_ or "weeks"

    def summary(self) -> pd.DataFrame:
        """Return the parameter table: estimate, standard error and 95% interval.

        Returns
        -------
        pandas.DataFrame
            One row per parameter: ``parameter``, ``estimate``, ``standard_error``,
            ``lower_95``, ``upper_95`` (the Wald interval on the log scale,
            estimate x exp(± 1.96 standard error / estimate), which stays positive like
            the parameters; for a covariate coefficient ``trans.<column>`` or
            ``life.<column>``, which may be negative, estimate ± 1.96 standard error).
            ``attrs`` holds the log-likelihood, customers and time unit.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        params = self._check_fitted()
        se = self.standard_errors_ or {}
        z = float(norm.ppf(0.975))
        # the parameters are positive: the interval is symmetric on the log scale
        # (delta method, se of log(theta) = se / theta), so it never crosses zero
        free = set(getattr(self, "_free_names", ()))
        rows = [
            {
                "parameter": name,
                "estimate": value,
                "standard_error": se.get(name, np.nan),
                "lower_95": value - z * se.get(name, np.nan)
                if name in free
                else value * np.exp(-z * se.get(name, np.nan) / value),
                "upper_95": value + z * se.get(name, np.nan)
                if name in free
                else value * np.exp(z * se.get(name, np.nan) / value),
            }
            for name, value in params.items()
        ]
        out = pd.DataFrame(rows)
        out.attrs = {
            "log_likelihood": self.log_likelihood_,
            "customers": self.n_customers_,
            "time_unit": self.time_unit_,
            "model": self._name,
        }
        return out
