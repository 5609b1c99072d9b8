"""The Pareto/NBD model of repeat purchases and dropout (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, rate
alpha)``; their lifetime is exponential with rate ``mu ~ Gamma(s, rate beta)``, so
unlike BG/NBD a customer can leave at any time, not only right after a purchase. The
likelihood follows Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
Related Expressions". Its gradient involves derivatives of the Gaussian hypergeometric
function in its parameters, which scipy does not provide, so it is taken by central
differences of the (cheap, compressed) log-likelihood.

Static covariates follow CLVTools' ``pnbd`` with static covariates (Fader & Hardie 2007,
"Incorporating time-invariant covariates into the Pareto/NBD and BG/NBD models"): a
customer with attributes ``z`` has ``alpha_i = alpha exp(-gamma_trans . z)`` and
``beta_i = beta exp(-gamma_life . z)``, so ``exp(gamma_trans)`` multiplies the mean
purchase rate ``r / alpha_i`` and ``exp(gamma_life)`` the mean dropout rate ``s / beta_i``.
With covariates the gradient is still by central differences, taken per customer row in
``alpha_i`` and ``beta_i`` and carried to the coefficients by the chain rule (so its cost
does not grow with the number of covariates).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, hyp2f1

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed, validate_summary
from retainkit.clv._covariates import CovariateFitting

__all__ = ["ParetoNBDModel"]


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Return log A0 of Fader and Hardie's note, for each customer (tx <= T)."""
    a = r + s + x
    if alpha >= beta:
        b, base_tx, base_T, diff = s + 1.0, alpha + tx, alpha + T, alpha - beta
    else:
        b, base_tx, base_T, diff = r + x, beta + tx, beta + T, beta - alpha
    log_t1 = np.log(hyp2f1(a, b, a + 1.0, diff / base_tx)) - a * np.log(base_tx)
    log_t2 = np.log(hyp2f1(a, b, a + 1.0, diff / base_T)) - a * np.log(base_T)
    # t1 >= t2; where they coincide (t_x = T) A0 is 0
    gap = np.clip(log_t2 - log_t1, None, 0.0)
    with np.errstate(divide="ignore"):
        return log_t1 + np.log(-np.expm1(gap))


def _log_a0_rows(
    r: float,
    alpha: np.ndarray,
    s: float,
    beta: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Return log A0 as :func:`_log_a0` does, with ``alpha`` and ``beta`` per customer."""
    a = r + s + x
    ge = alpha >= beta
    b = np.where(ge, s + 1.0, r + x)
    top = np.where(ge, alpha, beta)
    diff = np.abs(alpha - beta)
    base_tx, base_T = top + tx, top + T
    log_t1 = np.log(hyp2f1(a, b, a + 1.0, diff / base_tx)) - a * np.log(base_tx)
    log_t2 = np.log(hyp2f1(a, b, a + 1.0, diff / base_T)) - a * np.log(base_T)
    gap = np.clip(log_t2 - log_t1, None, 0.0)
    with np.errstate(divide="ignore"):
        return log_t1 + np.log(-np.expm1(gap))


def _ll_rows(
    r: float,
    alpha: np.ndarray,
    s: float,
    beta: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Log-likelihood of each row, with ``alpha`` and ``beta`` per row."""
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    log_second = np.log(s) - np.log(r + s + x) + _log_a0_rows(r, alpha, s, beta, x, tx, T)
    return head + np.logaddexp(log_first, log_second)


class ParetoNBDModel(CovariateFitting, BaseModel):
    """Pareto/NBD: purchases while alive, and a lifetime that can end at any moment.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rates), ``s``, ``beta`` (dropout rates); ``alpha``
        and ``beta`` in ``time_unit_``. A fit with covariates adds ``trans.<column>``
        and ``life.<column>`` per covariate column: customer i has
        ``alpha_i = alpha exp(-sum(trans.<c> z_ic))`` and
        ``beta_i = beta exp(-sum(life.<c> z_ic))``, so ``exp(trans.<c>)`` multiplies the
        mean purchase rate and ``exp(life.<c>)`` the mean dropout rate per unit of
        ``z_c`` (CLVTools' parametrisation).
    covariate_levels_ : dict or None
        Per covariate: ``None`` for a numeric one; for a categorical (bool, string,
        category) one ``{"reference": level, "levels": [...]}``. The reference level is
        the most frequent (the first in sorted order on a tie); each other level gets a
        column ``<column>=<level>``. None when fitted without covariates.
    standard_errors_, log_likelihood_, n_customers_, n_rows_, time_unit_
        As for :class:`~retainkit.clv.BetaGeoModel`.

    Examples
    --------
    >>> import retainkit as rk
    >>> summary = rk.customer_summary(rk.load_transactions("cdnow_sample"),
    ...                               as_of="1997-09-30", time_unit="weeks")
    >>> model = ParetoNBDModel().fit(summary)
    >>> {k: round(v, 2) for k, v in model.params_.items()}
    {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
    """

    _param_names = ("r", "alpha", "s", "beta")
    _required = ("frequency", "recency", "T")
    _name = "Pareto/NBD"
    _bounded = ("r", "alpha", "s", "beta")
    _warm_start_rows = 50_000
    # estimates beyond 1e-3..1e3 (time in weeks or days) are the model's degenerate limits
    # (no dropout, no spread of rates) where the likelihood is flat and the hypergeometric
    # terms get slow: stop there and let a penalizer take over
    _log_bounds = (-6.9, 6.9)

    def _columns(self, summary: pd.DataFrame) -> list[np.ndarray]:
        x = summary["frequency"].to_numpy(dtype="float64")
        tx = np.where(x > 0, summary["recency"].to_numpy(dtype="float64"), 0.0)
        return [x, tx, summary["T"].to_numpy(dtype="float64")]

    def fit(
        self,
        summary: pd.DataFrame,
        *,
        covariates: pd.DataFrame | None = None,
        time_unit: str | None = None,
    ) -> ParetoNBDModel:
        """Fit the model by maximum likelihood, optionally with static covariates.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T``
            (:func:`retainkit.customer_summary`).
        covariates : pandas.DataFrame, optional
            One row of attributes per customer: a ``customer_id`` column (or index of
            that name) matching the summary's, or else the summary's own index; every
            other column is a covariate. Numeric columns enter as they are; bool, string
            and categorical ones are one-hot encoded against their most frequent level
            (``covariate_levels_`` names it). Extra customers are ignored. A penalizer
            also pulls the coefficients towards 0 (those of each column divided by its
            largest absolute value).
        time_unit : str, optional
            Unit of ``recency`` and ``T`` when ``summary.attrs`` does not name it.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When a column is missing.
        DataValidationError
            When the summary is invalid, or a customer has no covariate row, a covariate
            is missing, constant, or a combination of the others.
        ConvergenceError
            When the optimiser fails; the message says what to try.

        Examples
        --------
        >>> s = pd.DataFrame({"customer_id": list("abcdef"), "frequency": [0, 2, 1, 4, 0, 3],
        ...                   "recency": [0.0, 20.0, 5.0, 30.0, 0.0, 12.0], "T": [40.0] * 6})
        >>> c = pd.DataFrame({"customer_id": list("abcdef"),
        ...                   "plan": ["basic", "pro", "basic", "pro", "basic", "basic"]})
        >>> m = ParetoNBDModel(penalizer=0.01).fit(s, covariates=c)
        >>> [k for k in m.params_], m.covariate_levels_["plan"]["reference"]
        (['r', 'alpha', 's', 'beta', 'trans.plan=pro', 'life.plan=pro'], 'basic')
        """
        return self._fit_covariates(summary, covariates, time_unit)

    def _build(self, rows: Compressed) -> dict[str, Any]:
        if self._free_names:
            return self._build_covariates(rows)
        x, tx, T = rows.unique_rows
        w = rows.weights
        return {
            "x": x,
            "tx": tx,
            "T": T,
            "w": w,
            "n": float(w.sum()),
            "mean_x": float(w @ x / w.sum()),
            "mean_T": float(w @ T / w.sum()),
        }

    def _build_covariates(self, rows: Compressed) -> dict[str, Any]:
        x, tx, T, *z = rows.unique_rows
        w = rows.weights
        return {
            "x": x,
            "tx": tx,
            "T": T,
            "Z": np.column_stack(z),
            "w": w,
            "n": float(w.sum()),
            "mean_x": float(w @ x / w.sum()),
            "mean_T": float(w @ T / w.sum()),
        }

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        rate = data["mean_x"] / max(data["mean_T"], 1e-12)
        alpha = 1.0 / rate if rate > 0 else 1.0
        start = np.array([1.0, alpha, 1.0, data["mean_T"]])
        return np.concatenate([start, np.zeros(len(self._free_names))])

    def _individual(self, params: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return each row's ``alpha_i`` and ``beta_i`` from all parameters."""
        k = z.shape[1]
        g_trans, g_life = params[4 : 4 + k], params[4 + k :]
        return params[1] * np.exp(-(z @ g_trans)), params[3] * np.exp(-(z @ g_life))

    def _neg_ll_and_grad_covariates(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        r, s = params[0], params[2]
        x, tx, T, w, z = data["x"], data["tx"], data["T"], data["w"], data["Z"]
        alpha_i, beta_i = self._individual(params, z)
        value = float(w @ _ll_rows(r, alpha_i, s, beta_i, x, tx, T))

        # central differences per row in alpha_i and beta_i, and in r and s
        def slope(which: int) -> np.ndarray:
            args = [r, alpha_i, s, beta_i]
            h = 1e-5 * args[which]
            up, down = list(args), list(args)
            up[which] = args[which] + h
            down[which] = args[which] - h
            return (_ll_rows(*up, x, tx, T) - _ll_rows(*down, x, tx, T)) / (2 * h)

        d_r, d_alpha_i, d_s, d_beta_i = (slope(j) for j in range(4))
        wa, wb = w * d_alpha_i * alpha_i, w * d_beta_i * beta_i  # d/dlog(alpha_i), beta_i
        grad = np.concatenate(
            [
                [w @ d_r, wa.sum() / params[1], w @ d_s, wb.sum() / params[3]],
                -(z.T @ wa),
                -(z.T @ wb),
            ]
        )
        return -value, -grad

    @staticmethod
    def _ll(params: np.ndarray, data: dict[str, Any]) -> float:
        r, alpha, s, beta = params
        x, tx, T, w = data["x"], data["tx"], data["T"], data["w"]
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        log_second = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, T)
        return float(w @ (head + np.logaddexp(log_first, log_second)))

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        if "Z" in data:
            return self._neg_ll_and_grad_covariates(params, data)
        value = self._ll(params, data)
        grad = np.empty(len(params))
        for j in range(len(params)):
            h = 1e-5 * params[j]
            up, down = params.copy(), params.copy()
            up[j] += h
            down[j] -= h
            grad[j] = (self._ll(up, data) - self._ll(down, data)) / (2 * h)
        return -value, -grad

    # --- predictions -------------------------------------------------------------------
    def _rates(self, z: np.ndarray | None) -> tuple[Any, Any]:
        """Return ``alpha`` and ``beta``: the fitted ones, or each customer's from ``z``."""
        p = self._check_fitted()
        self._require_covariates(z)
        if z is None:
            return p["alpha"], p["beta"]
        g_trans, g_life = self._gammas()
        return p["alpha"] * np.exp(-(z @ g_trans)), p["beta"] * np.exp(-(z @ g_life))

    def _p_alive(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, z: np.ndarray | None = None
    ) -> np.ndarray:
        p = self._check_fitted()
        r, s = p["r"], p["s"]
        alpha, beta = self._rates(z)
        log_a0 = (
            _log_a0(r, alpha, s, beta, x, tx, T)
            if z is None
            else _log_a0_rows(r, alpha, s, beta, x, tx, T)
        )
        log_odds = (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + log_a0
        )
        return expit(-log_odds)

    def _expected(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: Any, z: np.ndarray | None = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]; a 1-d ``t`` gives customers x horizons."""
        p = self._check_fitted()
        r, s = p["r"], p["s"]
        alpha, beta = self._rates(z)
        t = np.asarray(t, dtype="float64")
        alive = self._p_alive(x, tx, T, z)
        if t.ndim == 1:
            x, T, alive, t = x[:, None], T[:, None], alive[:, None], t[None, :]
            if z is not None:
                alpha, beta = alpha[:, None], beta[:, None]
        ratio = (beta + T) / (beta + T + t)
        # (1 - ratio^(s-1)) / (s-1), with its limit -log(ratio) at s = 1
        shrink = (
            -np.log(ratio) if abs(s - 1) < 1e-9 else -np.expm1((s - 1) * np.log(ratio)) / (s - 1)
        )
        return (r + x) * (beta + T) / (alpha + T) * shrink * alive + 0.0

    def _arrays(
        self, summary: pd.DataFrame, covariates: pd.DataFrame | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        self._check_fitted()
        validate_summary(summary, self._required, model=self._name)
        self._check_unit(summary)
        x, tx, T = self._columns(summary)
        return x, tx, T, self._covariate_matrix(summary, covariates)

    def probability_alive(
        self, summary: pd.DataFrame, *, covariates: pd.DataFrame | None = None
    ) -> pd.Series:
        """Return the probability that each customer is still alive at ``T``.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T`` in the fitted time unit.
        covariates : pandas.DataFrame, optional
            The customers' attributes, shaped as at fit; required when the fit used
            covariates, refused otherwise.

        Returns
        -------
        pandas.Series
            ``probability_alive`` (0-1), aligned with ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataValidationError
            When covariates are missing, incomplete, or hold a level the fit did not see.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
        ...                   "T": [38.86]})
        >>> 0 < float(m.probability_alive(s).iloc[0]) < 1
        True
        """
        x, tx, T, z = self._arrays(summary, covariates)
        return pd.Series(self._p_alive(x, tx, T, z), index=summary.index, name="probability_alive")

    def expected_purchases(
        self, summary: pd.DataFrame, *, t: float, covariates: pd.DataFrame | None = None
    ) -> pd.Series:
        """Return the expected repeat purchases of each customer in the next ``t``.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T`` in the fitted time unit.
        t : float
            Horizon in the summary's time unit.
        covariates : pandas.DataFrame, optional
            The customers' attributes, as for :meth:`probability_alive`.

        Returns
        -------
        pandas.Series
            Named ``expected_purchases_<t>_<unit>``; ``attrs`` holds ``t`` and
            ``time_unit``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                   "T": [0.0]})
        >>> # a brand-new customer: r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1))
        >>> # = 0.61003 x (1 - 0.23030^-0.394) / -0.394 = 0.61003 x 1.98840
        >>> round(float(m.expected_purchases(s, t=39).iloc[0]), 3)
        1.213
        """
        if t < 0:
            raise ValueError(f"t={t!r} must be 0 or positive")
        x, tx, T, z = self._arrays(summary, covariates)
        unit = self._check_unit(summary)
        out = pd.Series(
            self._expected(x, tx, T, t, z),
            index=summary.index,
            name=f"expected_purchases_{t:g}_{unit}",
        )
        out.attrs = {"t": t, "time_unit": unit}
        return out

    def expected_purchases_new_customer(self, t: Any, *, covariates: Any = None) -> np.ndarray:
        """Return the expected repeat purchases of a new customer within ``t`` of the first.

        Parameters
        ----------
        t : float or array
            Time since the first purchase, in ``time_unit_``.
        covariates : dict or pandas.DataFrame, optional
            The new customer's attributes (``{column: value}`` or a one-row frame);
            required when the fit used covariates.

        Returns
        -------
        numpy.ndarray
            Same shape as ``t``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> m.expected_purchases_new_customer([0.0, 39.0]).round(3).tolist()
        [0.0, 1.213]
        """
        t = np.asarray(t, dtype="float64")
        z = self._one_customer(covariates)
        zero = np.zeros(1)
        return self._expected(zero, zero, zero, t.ravel(), z)[0].reshape(t.shape)

    def predict(
        self, summary: pd.DataFrame, *, t: float, covariates: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Return per customer the probability alive and expected repeat purchases over ``t``.

        Parameters
        ----------
        summary : pandas.DataFrame
        t : float
            Horizon in the summary's time unit.
        covariates : pandas.DataFrame, optional
            The customers' attributes, as for :meth:`probability_alive`.

        Returns
        -------
        pandas.DataFrame
            ``customer_id``, ``probability_alive``, ``expected_purchases``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                   "T": [0.0]})
        >>> list(m.predict(s, t=39).columns)
        ['customer_id', 'probability_alive', 'expected_purchases']
        """
        expected = self.expected_purchases(summary, t=t, covariates=covariates)
        out = pd.DataFrame(
            {
                S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
                "probability_alive": self.probability_alive(
                    summary, covariates=covariates
                ).to_numpy(),
                "expected_purchases": expected.to_numpy(),
            }
        )
        out.attrs = dict(expected.attrs)
        return out
