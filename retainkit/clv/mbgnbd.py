"""The MBG/NBD model: BG/NBD where a customer may also leave at the first purchase.

Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
for customer base analysis", International Journal of Research in Marketing 24(3).
As in BG/NBD (:class:`~retainkit.clv.BetaGeoModel`) a customer buys as a Poisson process
with rate ``lambda ~ Gamma(r, rate alpha)`` while alive, and drops out right after a
purchase with probability ``p ~ Beta(a, b)``; the MBG/NBD also lets the customer drop
out right after the first purchase (time zero), so a customer with no repeat purchase is
no longer alive for sure. For a customer with ``x`` repeat purchases, the last at
``t_x``, observed for ``T`` since the first:

    L = B(a, b + x + 1) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + T)^(r + x))
      + B(a + 1, b + x) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + t_x)^(r + x))

(alive after the x + 1 dropout chances; or gone at the last purchase), with ``G`` the
gamma function and ``B`` the beta function. The likelihood, P(alive) and the
expectations follow lifetimes' ``ModifiedBetaGeoFitter`` (``_negative_log_likelihood``,
``conditional_probability_alive``, ``conditional_expected_number_of_purchases_up_to_time``,
``expected_number_of_purchases_up_to_time``) and BTYDplus's ``mbgcnbd.LL`` /
``mbgcnbd.PAlive`` / ``mbgcnbd.ConditionalExpectedTransactions`` at ``k = 1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, hyp2f1

from retainkit.clv._compressed import distinct_rows, spread_rows
from retainkit.clv.bgnbd import _NEAR_SINGULAR, BetaGeoModel, _family_neg_ll

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD: BG/NBD where a customer may also leave right after the first purchase.

    The predictions (:meth:`probability_alive`, :meth:`expected_purchases`,
    :meth:`expected_purchases_new_customer`, :meth:`predict`,
    :meth:`frequency_recency_matrix`) take the same arguments as
    :class:`~retainkit.clv.BetaGeoModel`'s; only the likelihood and the formulas differ.
    Unlike BG/NBD, a customer without repeat purchases has a probability alive below 1.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rates ``Gamma(r, rate alpha)``, ``alpha`` in
        ``time_unit_``), ``a``, ``b`` (dropout probability at each purchase, the
        first included, ``Beta(a, b)``).
    standard_errors_, log_likelihood_, n_customers_, n_rows_, time_unit_
        As for :class:`~retainkit.clv.BetaGeoModel`.

    Notes
    -----
    The summary needs ``customer_id``, ``frequency`` (repeat purchase days),
    ``recency`` (first to last purchase) and ``T`` (first purchase to the end of the
    calibration period), recency and T in one time unit.

    Examples
    --------
    >>> import retainkit as rk
    >>> summary = rk.customer_summary(rk.load_transactions("cdnow_sample"),
    ...                               as_of="1997-09-30", time_unit="weeks")
    >>> model = ModifiedBetaGeoModel().fit(summary)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
    """

    _name = "MBG/NBD"

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        # per customer (lifetimes' ModifiedBetaGeoFitter, A_4 its d):
        # LL = log G(r+x) - log G(r) + r log alpha + log B(a, b+x+1) - log B(a, b)
        #      - (r+x) log(alpha+T) + log(1 + exp(d)),
        # d = log(a / (b+x)) + (r+x) (log(alpha+T) - log(alpha+t_x)): the family's k = 1
        return _family_neg_ll(params, data, k=1, mbg=True)[:2]

    def _neg_ll_grad_hess(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray, np.ndarray]:
        return _family_neg_ll(params, data, k=1, mbg=True, hess=True)

    # --- predictions -------------------------------------------------------------------
    def _p_alive(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, cov: None = None
    ) -> np.ndarray:
        p = self._check_fitted()
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        # 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)), for every x (0 included)
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return expit(-log_odds)

    def _expected(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: Any, cov: None = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T] per customer; a 1-d ``t`` gives customers x horizons."""
        p = self._check_fitted()
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        t = np.asarray(t, dtype="float64")
        alive = self._p_alive(x, tx, T)
        pair = None
        if t.ndim == 1:
            # the horizon part depends on x and T alone: once per distinct pair
            (x, T), pair = distinct_rows([x, T])
            x, T, alive, t = x[:, None], T[:, None], alive[:, None], t[None, :]
        z = t / (alpha + T + t)

        def conditional(a: float) -> np.ndarray:
            # (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)]
            # (lifetimes), with Euler's transformation as in BetaGeoModel: the bracket's
            # second term is (1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z)
            tail = (1 - z) ** (a - 1) * hyp2f1(a + b - r, a - 1, a + b + x, z)
            return (a + b + x) / (a - 1) * (1 - tail)

        # 0/0 at a = 1: the mean of both sides is the limit to O(h^2); a + b + x > 0
        # always, so there is no second pole as in BG/NBD
        h = _NEAR_SINGULAR
        if abs(a - 1) < h:
            value = 0.5 * (conditional(1 - h) + conditional(1 + h))
        else:
            value = conditional(a)
        if pair is not None:
            return spread_rows(value, pair, alive)
        return value * alive + 0.0

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is still alive (has not dropped out) at ``T``.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T`` in the fitted time unit.

        Returns
        -------
        pandas.Series
            ``probability_alive`` (0-1) aligned with ``summary``'s index: 1 / (1 +
            a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x)), below 1 also for
            customers without repeat purchases.

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = ModifiedBetaGeoModel()
        >>> m.params_ = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [2, 0],
        ...                   "recency": [30.43, 0.0], "T": [38.86, 38.86]})
        >>> # x = 0: 1 / (1 + 0.891/1.614 (45.043/6.183)^0.525) = 1 / (1 + 1.565845) = 0.390
        >>> m.probability_alive(s).round(3).tolist()
        [0.706, 0.39]
        """
        return super().probability_alive(summary)
