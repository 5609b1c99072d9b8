"""The Pareto/NBD model of repeat purchases and dropout (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, rate
alpha)``; their lifetime is exponential with rate ``mu ~ Gamma(s, rate beta)``, so
unlike BG/NBD a customer can leave at any time, not only right after a purchase. The
likelihood follows Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
Related Expressions"; the log-likelihood of each customer row and its analytic gradient
are in :mod:`retainkit.clv._pnbd_terms`.

Static covariates follow CLVTools' ``pnbd`` with static covariates (Fader & Hardie 2007,
"Incorporating time-invariant covariates into the Pareto/NBD and BG/NBD models"): a
customer with attributes ``z`` has ``alpha_i = alpha exp(-gamma_trans . z)`` and
``beta_i = beta exp(-gamma_life . z)``, so ``exp(gamma_trans)`` multiplies the mean
purchase rate ``r / alpha_i`` and ``exp(gamma_life)`` the mean dropout rate ``s / beta_i``.
The gradient is taken per customer row in ``alpha_i`` and ``beta_i`` and carried to the
coefficients by the chain rule (so its cost does not grow with the number of covariates).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed
from retainkit.clv._compressed import distinct_rows, spread_rows
from retainkit.clv._covariates import CovariateFitting, summary_data
from retainkit.clv._grid import FrequencyRecencyGrid
from retainkit.clv._pnbd_terms import ll_rows_and_slopes, log_a0

__all__ = ["ParetoNBDModel"]


class ParetoNBDModel(FrequencyRecencyGrid, CovariateFitting, BaseModel):
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
    # estimates below 1e-3 or above 1e6 are the model's degenerate limits (no dropout, no
    # spread of rates) where the likelihood is flat: stop there and let a penalizer take
    # over. The upper bound is the edge rule's 1e6: alpha and beta are in the time unit,
    # and in days they are seven times their values in weeks (a beta of 1,386 days, 198
    # weeks, is an ordinary fit; an upper bound of 1e3 made it fail)
    _log_bounds = (-6.9, 13.8)

    # alpha_i = alpha exp(-trans . z), beta_i = beta exp(-life . z)
    _links = (None, ("trans", -1), None, ("life", -1))

    def _row_terms(self, *args: Any) -> tuple[np.ndarray, ...]:
        return ll_rows_and_slopes(*args)

    def _build(self, rows: Compressed) -> dict[str, Any]:
        return summary_data(rows)

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        rate = data["mean_x"] / max(data["mean_T"], 1e-12)
        alpha = 1.0 / rate if rate > 0 else 1.0
        start = np.array([1.0, alpha, 1.0, data["mean_T"]])
        return np.concatenate([start, np.zeros(len(self._free_names))])

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        if "Z" in data:
            return self._covariate_neg_ll(params, data)
        w = data["w"]
        ll, *slopes = ll_rows_and_slopes(*params, data["x"], data["tx"], data["T"])
        return -float(w @ ll), -np.array([w @ g for g in slopes])

    # --- predictions -------------------------------------------------------------------
    def _p_alive(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, z: np.ndarray | None = None
    ) -> np.ndarray:
        r, alpha, s, beta = self._individual(z)
        log_odds = (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + log_a0(r, alpha, s, beta, x, tx, T)
        )
        return expit(-log_odds)

    def _expected(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: Any, z: np.ndarray | None = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]; a 1-d ``t`` gives customers x horizons."""
        r, alpha, s, beta = self._individual(z)
        t = np.asarray(t, dtype="float64")
        alive = self._p_alive(x, tx, T, z)
        base, at = T, None
        if t.ndim == 1:
            if z is None:
                # the horizon enters through T alone: the shrink once per distinct T
                (base,), at = distinct_rows([T])
                base = base[:, None]
            x, T, alive, t = x[:, None], T[:, None], alive[:, None], t[None, :]
            if z is not None:
                alpha, beta, base = alpha[:, None], beta[:, None], T
        ratio = (beta + base) / (beta + base + t)
        # (1 - ratio^(s-1)) / (s-1), with its limit -log(ratio) at s = 1
        shrink = (
            -np.log(ratio) if abs(s - 1) < 1e-9 else -np.expm1((s - 1) * np.log(ratio)) / (s - 1)
        )
        value = (r + x) * (beta + T) / (alpha + T)
        if at is None:
            return value * shrink * alive + 0.0
        return spread_rows(shrink, at, value, alive)

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
        return self._new_customer(t, covariates)

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
