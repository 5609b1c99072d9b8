"""The BG/NBD model of repeat purchases and dropout (Fader, Hardie & Lee 2005).

While alive, a customer makes repeat purchases as a Poisson process with rate
``lambda``; across customers ``lambda ~ Gamma(r, rate alpha)``. After each purchase
the customer drops out for good with probability ``p``; across customers
``p ~ Beta(a, b)``. Time is in the summary's unit (weeks in the papers), so ``alpha``
is in that unit and ``r / alpha`` is the mean purchase rate per unit of time.

Static covariates follow CLVTools' ``bgnbd`` with static covariates: a customer with
attributes ``z`` has ``alpha_i = alpha exp(-gamma_trans . z)``, ``a_i = a exp(gamma_life . z)``
and ``b_i = b exp(gamma_life . z)``. So ``exp(gamma_trans)`` multiplies the mean purchase
rate ``r / alpha_i``, while ``gamma_life`` scales ``a`` and ``b`` together: the mean
dropout probability ``a / (a + b)`` stays the same and only its spread across customers
(smaller when ``a + b`` grows) depends on the covariates.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed
from retainkit.clv._covariates import CovariateFitting, summary_data

__all__ = ["BetaGeoModel"]

#: Distance from a = 1 or a + b + x = 1 within which the conditional expectation is
#: taken as its limit there.
_NEAR_SINGULAR = 1e-4


#: Worker threads for the per-customer part of the likelihood (numpy releases the GIL).
_WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Below this many distinct repeat rows one thread is faster.
_PARALLEL_ROWS = 200_000
_POOL: ThreadPoolExecutor | None = None


def _map(fn: Any, chunks: list[dict[str, np.ndarray]]) -> list[Any]:
    global _POOL
    if len(chunks) == 1:
        return [fn(chunks[0])]
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="retainkit-clv")
    return list(_POOL.map(fn, chunks))


def _chunks(arrays: dict[str, np.ndarray], *, parts: int) -> list[dict[str, np.ndarray]]:
    n = len(next(iter(arrays.values())))
    bounds = np.linspace(0, n, parts + 1).astype(int)
    return [{k: v[lo:hi] for k, v in arrays.items()} for lo, hi in itertools.pairwise(bounds)]


def _log1p_part(levels: tuple[Any, ...], c: dict[str, np.ndarray]) -> tuple[Any, ...]:
    """Per-customer part of the repeat customers' LL, log(1 + exp(-d)), and its gradient."""
    r, log_ratio, lnaT, lnatx, inv_aT, inv_atx, n_x = levels
    Ti, txi = c["Ti"], c["txi"]
    diff = lnaT[Ti] - lnatx[txi]  # log((alpha+T)/(alpha+t_x)) >= 0
    rx = r + c["x"]
    d = np.maximum(log_ratio[c["xi"]] + rx * diff, -700.0)
    e = np.exp(-d)
    w = c["w"]
    ll = w @ np.log1p(e)
    # derivative of log(1 + exp(-d)) is -q dd, q = exp(-d) / (1 + exp(-d)) = 1 - p2
    wq = w * (e / (1.0 + e))
    g_r = -(wq @ diff)
    dinv = inv_aT[Ti] - inv_atx[txi]  # d(diff)/d(alpha)
    g_alpha = -(wq @ (rx * dinv))
    g_a = wq.sum()  # dd/da = 1/a; the caller divides
    g_b_x = np.bincount(c["xi"], weights=wq, minlength=n_x)  # dd/db = -1/(b+x-1)
    return ll, g_r, g_alpha, g_a, g_b_x


def _ll_rows_and_slopes(
    r: float,
    alpha: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Log-likelihood of each row with ``alpha``, ``a``, ``b`` per row, and its slopes.

    LL = log G(r+x) - log G(r) + r log alpha - (r+x) log(alpha+T) + log B(a, b+x)
         - log B(a, b) + log(1 + [x > 0] exp(d)),
    d = log(a / (b+x-1)) + (r+x) (log(alpha+T) - log(alpha+t_x)).
    Returns the LL and its derivatives in r, alpha, a and b, row by row.
    """
    rx = r + x
    lnaT, lnatx = np.log(alpha + T), np.log(alpha + tx)
    repeat = x > 0
    d = np.where(
        repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + rx * (lnaT - lnatx), 0
    )
    tail = np.where(repeat, np.logaddexp(0.0, d), 0.0)
    q = np.where(repeat, expit(d), 0.0)  # d tail / d d
    ll = (
        gammaln(rx)
        - gammaln(r)
        + r * np.log(alpha)
        - rx * lnaT
        + betaln(a, b + x)
        - betaln(a, b)
        + tail
    )
    d_r = digamma(rx) - digamma(r) + np.log(alpha) - lnaT + q * (lnaT - lnatx)
    d_alpha = r / alpha - rx / (alpha + T) + q * rx * (1 / (alpha + T) - 1 / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x) + q / a
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
    d_b = d_b - q / np.where(repeat, b + x - 1, 1.0)
    return ll, d_r, d_alpha, d_a, d_b


class BetaGeoModel(CovariateFitting, BaseModel):
    """BG/NBD: how often customers buy and when they silently leave.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters, added to the mean negative
        log-likelihood (0: plain maximum likelihood). A small value (0.001) keeps small or
        odd data from running the estimates to 0 or infinity.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (in ``time_unit_``), ``a``, ``b``. A fit with covariates adds
        ``trans.<column>`` and ``life.<column>`` per covariate column: customer i has
        ``alpha_i = alpha exp(-sum(trans.<c> z_ic))``, ``a_i = a exp(sum(life.<c> z_ic))``
        and ``b_i = b exp(sum(life.<c> z_ic))`` (CLVTools' parametrisation), so
        ``exp(trans.<c>)`` multiplies the mean purchase rate per unit of ``z_c``.
    covariate_levels_ : dict or None
        Per covariate: ``None`` for a numeric one; for a categorical (bool, string,
        category) one ``{"reference": level, "levels": [...]}`` (levels as text). The
        reference level is the most frequent (the first in sorted order on a tie); each
        other level gets a column ``<column>=<level>``. None when fitted without
        covariates.
    standard_errors_ : dict
        Standard errors of the parameters (inverse observed information).
    log_likelihood_ : float
        Log-likelihood at the estimate, summed over customers.
    n_customers_, n_rows_ : int
        Customers fitted, and distinct (frequency, recency, T) rows they compress to.
    time_unit_ : str
        Unit of ``recency`` and ``T`` in the fitted summary.

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
    >>> model = BetaGeoModel().fit(summary)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    """

    _param_names = ("r", "alpha", "a", "b")
    _required = ("frequency", "recency", "T")
    _name = "BG/NBD"
    _bounded = ("r", "alpha", "a", "b")

    # alpha_i = alpha exp(-trans . z); a_i, b_i = a, b times exp(life . z)
    _links = (None, ("trans", -1), ("life", 1), ("life", 1))

    def _takes_covariates(self) -> bool:
        # the models built on BG/NBD replace its likelihood and take no covariates
        return type(self)._neg_ll_and_grad is BetaGeoModel._neg_ll_and_grad

    def _row_terms(self, *args: Any) -> tuple[np.ndarray, ...]:
        return _ll_rows_and_slopes(*args)

    def _build(self, rows: Compressed) -> dict[str, Any]:
        if self._free_names:
            return summary_data(rows)
        xl, txl, Tl = rows.levels
        xc, txc, Tc = rows.codes
        weights = rows.weights
        x = xl[xc]
        zero = x == 0
        # customers without repeats: their likelihood depends on T only
        W0 = np.bincount(Tc[zero], weights=weights[zero], minlength=len(Tl))
        rep = ~zero
        xr, wr, Ti, txi = x[rep], weights[rep], Tc[rep], txc[rep]
        ux, xi = np.unique(xr, return_inverse=True)
        wx = wr * xr
        return {
            "W0": W0,
            "N0": float(W0.sum()),
            "ux": ux,
            "Wx": np.bincount(xi, weights=wr, minlength=len(ux)),
            "uT": Tl,
            "utx": txl,
            # repeat customers' weights and weight x frequency summed per level of T and
            # of t_x: the terms linear in the customers collapse onto those levels
            "W_T": np.bincount(Ti, weights=wr, minlength=len(Tl)),
            "WX_T": np.bincount(Ti, weights=wx, minlength=len(Tl)),
            "WX_tx": np.bincount(txi, weights=wx, minlength=len(txl)),
            "W_tx": np.bincount(txi, weights=wr, minlength=len(txl)),
            "chunks": _chunks(
                {"x": xr, "w": wr, "wx": wx, "xi": xi, "Ti": Ti, "txi": txi},
                parts=_WORKERS if len(xr) >= _PARALLEL_ROWS else 1,
            ),
            "n": float(weights.sum()),
            "mean_x": float(weights @ x / weights.sum()),
            "mean_T": float(weights @ Tl[Tc] / weights.sum()),
        }

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        rate = data["mean_x"] / max(data["mean_T"], 1e-12)
        alpha = 1.0 / rate if rate > 0 else 1.0
        start = np.array([1.0, alpha, 1.0, 1.0])
        return np.concatenate([start, np.zeros(len(self._free_names))])

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        if "Z" in data:
            return self._covariate_neg_ll(params, data)
        r, alpha, a, b = params
        log_alpha = np.log(alpha)
        N0 = data["N0"]
        aT, atx = alpha + data["uT"], alpha + data["utx"]
        lnaT, lnatx = np.log(aT), np.log(atx)
        inv_aT, inv_atx = 1.0 / aT, 1.0 / atx
        # customers without repeats: LL = r log(alpha) - r log(alpha + T)
        W0 = data["W0"]
        ll = N0 * r * log_alpha - r * (W0 @ lnaT)
        g_r = N0 * log_alpha - W0 @ lnaT
        g_alpha = N0 * r / alpha - r * (W0 @ inv_aT)
        g_a = 0.0
        g_b = 0.0
        ux, Wx = data["ux"], data["Wx"]
        if len(ux):
            # repeat customers: LL_i = per_x + log(exp(t1) + exp(t2)) with
            # t1 = -(r+x) log(alpha+T), t2 = log(a/(b+x-1)) - (r+x) log(alpha+t_x)
            #    = per_x + t2 + log(1 + exp(-d)),  d = t2 - t1
            log_ratio = np.log(a) - np.log(b + ux - 1)
            per_x = gammaln(r + ux) - gammaln(r) + r * log_alpha + betaln(a, b + ux) - betaln(a, b)
            W_tx, WX_tx = data["W_tx"], data["WX_tx"]
            ll += Wx @ (per_x + log_ratio) - r * (W_tx @ lnatx) - WX_tx @ lnatx
            # d/dr of t2 and d/dalpha of t2; the log(1 + exp(-d)) part is per customer
            g_r += Wx @ (digamma(r + ux) - digamma(r) + log_alpha) - W_tx @ lnatx
            g_alpha += Wx.sum() * r / alpha - r * (W_tx @ inv_atx) - WX_tx @ inv_atx
            g_a = Wx @ (digamma(a + b) - digamma(a + b + ux)) + Wx.sum() / a
            g_b = Wx @ (digamma(b + ux) - digamma(a + b + ux) - digamma(b) + digamma(a + b))
            g_b -= Wx @ (1.0 / (b + ux - 1))
            levels = (r, log_ratio, lnaT, lnatx, inv_aT, inv_atx, len(ux))
            parts = _map(lambda c: _log1p_part(levels, c), data["chunks"])
            (ll_p, gr_p, galpha_p, ga_p, gb_x) = (sum(v) for v in zip(*parts, strict=True))
            ll += ll_p
            g_r += gr_p
            g_alpha += galpha_p
            g_a -= ga_p / a
            g_b += gb_x @ (1.0 / (b + ux - 1))
        return -float(ll), -np.array([g_r, g_alpha, g_a, g_b], dtype="float64")

    # --- predictions -------------------------------------------------------------------
    def _p_alive(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, cov: np.ndarray | None = None
    ) -> np.ndarray:
        r, alpha, a, b = self._individual(cov)
        repeat = x > 0
        if cov is not None:
            alpha, a, b = alpha[repeat], a[repeat], b[repeat]
        log_odds = np.full(len(x), -np.inf)
        log_odds[repeat] = (
            np.log(a)
            - np.log(b + x[repeat] - 1)
            + (r + x[repeat]) * (np.log(alpha + T[repeat]) - np.log(alpha + tx[repeat]))
        )
        return expit(-log_odds)

    def _expected(
        self,
        x: np.ndarray,
        tx: np.ndarray,
        T: np.ndarray,
        t: Any,
        cov: np.ndarray | None = None,
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T] per customer; a 1-d ``t`` gives customers x horizons."""
        r, alpha, a, b = self._individual(cov)
        t = np.asarray(t, dtype="float64")
        alive = self._p_alive(x, tx, T, cov)
        if t.ndim == 1:
            x, T, alive, t = x[:, None], T[:, None], alive[:, None], t[None, :]
            if cov is not None:
                alpha, a, b = alpha[:, None], a[:, None], b[:, None]
        z = t / (alpha + T + t)

        def conditional(a: float, b: float) -> np.ndarray:
            # Euler's transformation keeps the hypergeometric term bounded:
            # ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)
            #   = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)
            tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
            return (a + b + x - 1) / (a - 1) * (1 - tail)

        # The formula is 0/0 at a = 1, and 0 * inf where a + b + x = 1; both have finite
        # limits, smooth in the parameters: there the mean of both sides is the limit to
        # O(h^2).
        h = _NEAR_SINGULAR
        with np.errstate(invalid="ignore", divide="ignore"):  # at the pole; replaced below
            if cov is not None:  # a per customer
                value = conditional(a, b)
                near = np.abs(a - 1) < h
                if np.any(near):
                    limit = 0.5 * (conditional(1 - h, b) + conditional(1 + h, b))
                    value = np.where(near, limit, value)
            elif abs(a - 1) < h:
                value = 0.5 * (conditional(1 - h, b) + conditional(1 + h, b))
            else:
                value = conditional(a, b)
            pole = np.abs(a + b + x - 1) < h
            if np.any(pole):
                side = 0.5 * (conditional(a, b - h) + conditional(a, b + h))
                value = np.where(pole, side, value)
        return value * alive + 0.0

    def probability_alive(
        self, summary: pd.DataFrame, *, covariates: pd.DataFrame | None = None
    ) -> pd.Series:
        """Probability that each customer is still alive (has not dropped out) at ``T``.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T`` in the fitted time unit.
        covariates : pandas.DataFrame, optional
            The customers' attributes, shaped as at fit (a ``customer_id`` column or the
            summary's index); required when the fit used covariates, refused otherwise.

        Returns
        -------
        pandas.Series
            ``probability_alive`` (0-1) aligned with ``summary``'s index; 1 for
            customers without repeat purchases (the model lets them drop out only at a
            purchase).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataValidationError
            When covariates are missing, incomplete, or hold a level the fit did not see.

        Examples
        --------
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [2, 0],
        ...                   "recency": [30.43, 0.0], "T": [38.86, 38.86]})
        >>> m.probability_alive(s).round(3).tolist()
        [0.727, 1.0]
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
            Horizon, in the summary's time unit (``summary.attrs["time_unit"]``, else
            the fitted one).
        covariates : pandas.DataFrame, optional
            The customers' attributes, shaped as at fit (a ``customer_id`` column or the
            summary's index); required when the fit used covariates, refused otherwise.

        Returns
        -------
        pandas.Series
            Named ``expected_purchases_<t>_<unit>``, aligned with ``summary``;
            ``attrs`` holds ``t`` and ``time_unit``.

        Examples
        --------
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
        ...                   "T": [38.86]})
        >>> round(float(m.expected_purchases(s, t=39).iloc[0]), 3)
        1.226
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
            E[X(t)], same shape as ``t``.

        Examples
        --------
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> m.expected_purchases_new_customer([0, 52]).round(3).tolist()
        [0.0, 1.446]
        """
        return self._new_customer(t, covariates)

    def predict(
        self, summary: pd.DataFrame, *, t: float, covariates: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Per customer: probability alive and expected repeat purchases over ``t``.

        Parameters
        ----------
        summary : pandas.DataFrame
        t : float
            Horizon in the summary's time unit.
        covariates : pandas.DataFrame, optional
            The customers' attributes, shaped as at fit (a ``customer_id`` column or the
            summary's index); required when the fit used covariates, refused otherwise.

        Returns
        -------
        pandas.DataFrame
            ``customer_id``, ``probability_alive``, ``expected_purchases``; ``attrs``
            holds ``t`` and ``time_unit``.

        Examples
        --------
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
        ...                   "T": [38.86]})
        >>> m.predict(s, t=39).round(3)
          customer_id  probability_alive  expected_purchases
        0           a              0.727               1.226
        """
        more = {} if covariates is None else {"covariates": covariates}
        expected = self.expected_purchases(summary, t=t, **more)
        out = pd.DataFrame(
            {
                S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
                "probability_alive": self.probability_alive(summary, **more).to_numpy(),
                "expected_purchases": expected.to_numpy(),
            }
        )
        out.attrs = dict(expected.attrs)
        return out

    def frequency_recency_matrix(
        self,
        *,
        T: float,
        t: float | None = None,
        max_frequency: int | None = None,
        bins: int = 20,
        covariates: Any = None,
    ) -> pd.DataFrame:
        """Model outputs on a grid of frequency and recency for a customer of age ``T``.

        Parameters
        ----------
        T : float
            Customer age (first purchase to now), in ``time_unit_``.
        t : float, optional
            Horizon for expected purchases; None gives the probability alive.
        max_frequency : int, optional
            Largest frequency shown (default 20).
        bins : int
            Recency steps from 0 to ``T``.
        covariates : dict or pandas.DataFrame, optional
            The attributes of the customer profile shown (``{column: value}`` or a
            one-row frame); required when the fit used covariates.

        Returns
        -------
        pandas.DataFrame
            Rows: ``frequency`` 0..max; columns: recency values; cells: probability
            alive, or expected purchases over ``t``. ``attrs`` holds ``T``, ``t``,
            ``time_unit`` and ``measure``.

        Examples
        --------
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> grid = m.frequency_recency_matrix(T=39, max_frequency=3, bins=4)
        >>> grid.shape, float(grid.iloc[3, -1]) > float(grid.iloc[3, 0])
        ((4, 4), True)
        """
        self._check_fitted()
        top = 20 if max_frequency is None else int(max_frequency)
        freq = np.arange(top + 1, dtype="float64")
        rec = np.linspace(0.0, T, bins)
        xx, rr = np.meshgrid(freq, rec, indexing="ij")
        x, tx, TT = xx.ravel(), rr.ravel(), np.full(xx.size, float(T))
        one = self._one_customer(covariates)
        z = None if one is None else np.repeat(one, len(x), axis=0)
        values = self._p_alive(x, tx, TT, z) if t is None else self._expected(x, tx, TT, t, z)
        out = pd.DataFrame(
            values.reshape(xx.shape),
            index=pd.Index(freq.astype(int), name="frequency"),
            columns=pd.Index(np.round(rec, 2), name="recency"),
        )
        out.attrs = {
            "T": T,
            "t": t,
            "time_unit": self.time_unit_,
            "measure": "probability_alive" if t is None else "expected_purchases",
        }
        return out
