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

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, polygamma

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed
from retainkit.clv._compressed import distinct_rows, spread_rows
from retainkit.clv._covariates import CovariateFitting, summary_data
from retainkit.clv._grid import FrequencyRecencyGrid

__all__ = ["BetaGeoModel"]

#: Distance from a = 1 or a + b + x = 1 within which the conditional expectation is
#: taken as its limit there.
_NEAR_SINGULAR = 1e-4


#: Rows evaluated at once by the likelihood of the BG/NBD family (see _family_chunk).
_BLOCK = 65_536


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Return the dot product of two vectors without BLAS (whose threads stall when shared)."""
    return float(np.einsum("i,i->", u, v))


def _family_rows(rows: Compressed) -> dict[str, Any]:
    """Split compressed rows into the parts the BG/NBD family's likelihood evaluates.

    Customers without repeat purchases (``t_x = 0``) depend on ``T`` only: they collapse
    onto the levels of ``T``. Repeat customers are kept row by row (``t_x`` is nearly
    distinct per customer), with the codes of their frequency and ``T`` levels, so that
    the terms of the frequency alone (gamma and beta functions) and of ``T`` alone are
    computed once per level. Everything that does not depend on the parameters (the rows'
    ``t_x``, ``T - t_x``, the weights summed per level) is computed here, once per fit.
    """
    xl, txl, Tl = rows.levels
    xc, txc, Tc = rows.codes
    weights = rows.weights
    x = xl[xc]
    zero = x == 0
    W0 = np.bincount(Tc[zero], weights=weights[zero], minlength=len(Tl))
    z_lv = np.flatnonzero(W0 > 0)
    rep = ~zero

    def part(
        x_: np.ndarray, xc_: np.ndarray, tx_: np.ndarray, w_: np.ndarray, Ti_: np.ndarray
    ) -> dict[str, Any]:
        # the frequency levels these rows use, and each row's position among them
        used = np.bincount(xc_, minlength=len(xl)) > 0
        xi_ = (np.cumsum(used) - 1)[xc_]
        rows_ = {"x": x_, "tx": tx_, "u": Tl[Ti_] - tx_, "w": w_, "xi": xi_, "Ti": Ti_}
        return {
            "chunks": [
                {name: col[lo : lo + _BLOCK] for name, col in rows_.items()}
                for lo in range(0, len(x_), _BLOCK)
            ],
            "ux": xl[used],
            "Wx": np.bincount(xi_, weights=w_, minlength=int(used.sum())),
            "W_T": np.bincount(Ti_, weights=w_, minlength=len(Tl)),
            "WX_T": np.bincount(Ti_, weights=w_ * x_, minlength=len(Tl)),
            "N": float(w_.sum()),
        }

    zero_x = np.zeros(len(z_lv))
    zero_code = np.zeros(len(z_lv), dtype=np.int64)
    if zero.any():
        zero_code += xc[np.argmax(zero)]
    return {
        "uT": Tl,
        "parts": [
            # without repeats: one row per level of T (x = 0, t_x = 0)
            (False, part(zero_x, zero_code, zero_x, W0[z_lv], z_lv)),
            (True, part(x[rep], xc[rep], txl[txc[rep]], weights[rep], Tc[rep])),
        ],
        "n": float(weights.sum()),
        "mean_x": float(weights @ x / weights.sum()),
        "mean_T": float(weights @ Tl[Tc] / weights.sum()),
    }


def _family_part(
    params: np.ndarray,
    k: int,
    m: float,
    gone: bool,
    lnaT: np.ndarray,
    inv_aT: np.ndarray,
    c: dict[str, Any],
    hess: bool,
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Log-likelihood of some rows of the (M)BG/CNBD-k family, its gradient and Hessian.

    Per row (``m = 1`` for the MBG variants, ``k = 1`` for BG/NBD and MBG/NBD):

        LL = log B(a, b+x+m) - log B(a, b) + log G(r+kx) - log G(r) + r log(alpha)
             - (r+kx) log(alpha+T) + log(S2) + log(1 + exp(d)),
        S2 = sum_{j<k} (r+kx)_j / j! v^j,  v = (T - t_x) / (alpha + T),
        d = log(S1 / S2) = log(a / (b+x-1+m)) + (r+kx) log((alpha+T)/(alpha+t_x)) - log S2,

    with ``S1`` (gone after the last purchase) left out when ``gone`` is False (BG
    variants, customers without repeats). The terms of ``x`` alone are computed on its
    levels and those of ``T`` alone on ``T``'s, then summed with the weights per level.
    The Hessian (``hess``) is that of the level terms, plus ``(1 - q)`` times that of
    ``log S2``, ``q`` times that of ``log S1`` and ``q (1 - q)`` times the outer product
    of the gradient of ``d``, ``q = 1 / (1 + exp(-d))``.
    """
    r, alpha, a, b = params
    ux, Wx, N = c["ux"], c["Wx"], c["N"]
    if N == 0:
        return 0.0, np.zeros(4), np.zeros((4, 4)) if hess else None
    log_alpha = np.log(alpha)
    rkx_l = r + k * ux
    W_T, WX_T = c["W_T"], c["WX_T"]
    # terms of x alone, of T alone (summed per level), and r log(alpha)
    ll = Wx @ (betaln(a, b + ux + m) + gammaln(rkx_l)) - N * (betaln(a, b) + gammaln(r))
    ll += N * r * log_alpha - r * (W_T @ lnaT) - k * (WX_T @ lnaT)
    g_r = Wx @ digamma(rkx_l) - N * digamma(r) + N * log_alpha - W_T @ lnaT
    g_alpha = N * r / alpha - r * (W_T @ inv_aT) - k * (WX_T @ inv_aT)
    dab = digamma(a + b) - digamma(a + b + ux + m)
    g_a = Wx @ dab
    g_b = Wx @ (digamma(b + ux + m) + dab) - N * digamma(b)
    H = None
    if hess:
        H = np.zeros((4, 4))
        H[0, 0] = Wx @ polygamma(1, rkx_l) - N * polygamma(1, r)
        H[0, 1] = N / alpha - W_T @ inv_aT
        H[1, 1] = -N * r / alpha**2 + (r * W_T + k * WX_T) @ inv_aT**2
        t_ab = N * polygamma(1, a + b) - Wx @ polygamma(1, a + b + ux + m)
        H[2, 2] = H[2, 3] = t_ab
        H[3, 3] = t_ab + Wx @ polygamma(1, b + ux + m) - N * polygamma(1, b)
    grad = np.array([g_r, g_alpha, g_a, g_b])
    # log(a / (b+x-1+m)) and 1 / (b+x-1+m) per level of x, for the term S1 (b+x-1+m > 0)
    ib = 1.0 / (b + ux - 1 + m) if gone else ux
    per_x = (np.log(a) + np.log(ib) if gone else ux, ib)
    for chunk in c["chunks"]:
        c_ll, c_grad, c_H = _family_chunk(params, k, gone, lnaT, inv_aT, per_x, chunk, hess)
        ll += c_ll
        grad += c_grad
        if H is not None:
            H += c_H
    if H is not None:
        H = np.triu(H) + np.triu(H, 1).T
    return float(ll), grad, H


def _family_chunk(
    params: np.ndarray,
    k: int,
    gone: bool,
    lnaT: np.ndarray,
    inv_aT: np.ndarray,
    per_x: tuple[np.ndarray, np.ndarray],
    c: dict[str, np.ndarray],
    hess: bool,
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Compute the row-by-row terms of :func:`_family_part` for a block of rows.

    Blocks of at most ``_BLOCK`` rows keep the temporaries in the processor's cache:
    four times faster than whole columns, whose temporaries are fresh memory each time.
    Returns the block's log-likelihood, gradient and upper-triangular Hessian.
    """
    r, alpha, a, _ = params
    ll, g_r, g_alpha, g_a, g_b = 0.0, 0.0, 0.0, 0.0, 0.0
    H = np.zeros((4, 4)) if hess else None
    w, x, Ti = c["w"], c["x"], c["Ti"]
    iaT = inv_aT[Ti]
    rkx = r + k * x if gone or k > 1 else x
    log_s2 = None
    if k > 1:
        # S2 = sum_j t_j, t_j = t_{j-1} (r+kx+j-1) / j v, and with h_j = sum_{i<j} 1/(r+kx+i):
        # dS2/dr = sum_j t_j h_j, -dS2/dalpha = sum_j j t_j / (alpha+T); the Hessian needs
        # sum_j t_j (h_j^2 - sum_{i<j} 1/(r+kx+i)^2), sum_j j t_j h_j, sum_j j (j+1) t_j.
        # j = 1: t_1 = (r+kx) v, h_1 = 1/(r+kx), t_1 h_1 = v
        v = c["u"] * iaT
        h = 1.0 / rkx
        term = rkx * v
        s2, s2_r, s2_v = term + 1.0, v.copy(), term.copy()
        if hess:
            h2, s2_rr, s2_rv, s2_vv = h * h, 0.0, v.copy(), 2.0 * term
        for j in range(2, k):
            step = 1.0 / (rkx + (j - 1))
            term *= v / (j * step)
            h += step
            s2 += term
            s2_r += term * h
            s2_v += j * term
            if hess:
                h2 += step * step
                s2_rr += term * (h * h - h2)
                s2_rv += j * term * h
                s2_vv += (j * (j + 1)) * term
        log_s2 = np.log(s2)
        inv_s2 = np.divide(1.0, s2, out=s2)
        gr_s2 = np.multiply(s2_r, inv_s2, out=s2_r)  # d log S2 / dr
        ga_s2 = np.multiply(s2_v, inv_s2, out=s2_v)
        ga_s2 *= iaT  # -d log S2 / dalpha
        ll += _dot(w, log_s2)
        if hess:
            # the Hessian of log S2: second derivatives of S2 / S2 - the outer gradient
            h_rr = s2_rr * inv_s2 - gr_s2 * gr_s2
            h_ra = gr_s2 * ga_s2 - s2_rv * inv_s2 * iaT
            h_aa = s2_vv * inv_s2 * iaT * iaT - ga_s2 * ga_s2
    if gone:
        log_ratio, ib = per_x
        xi = c["xi"]
        inv_atx = alpha + c["tx"]
        spread = np.log(inv_atx)
        np.subtract(lnaT[Ti], spread, out=spread)  # log((alpha+T)/(alpha+t_x)) >= 0
        np.divide(1.0, inv_atx, out=inv_atx)
        d = log_ratio[xi]
        d += rkx * spread
        if log_s2 is not None:
            d -= log_s2
        # log(1 + exp(d)) = d + log1p(exp(-d)); d > -700 always within the optimiser's
        # bounds (log a > -30, log b < 30), the clip keeps exp(-d) finite regardless
        np.maximum(d, -700.0, out=d)
        e = np.exp(-d)
        ll += _dot(w, d) + _dot(w, np.log1p(e))
        e += 1.0
        q = np.divide(1.0, e, out=e)  # the slope of log(1 + exp(d)) in d
        wq = w * q
        B = iaT - inv_atx  # d spread / dalpha
        wq_rkx = wq * rkx
        g_r += _dot(wq, spread)
        g_alpha += _dot(wq_rkx, B)
        sum_wq = float(wq.sum())
        g_a += sum_wq / a
        wq_x = np.bincount(xi, weights=wq, minlength=len(ib))
        g_b -= wq_x @ ib
        if log_s2 is not None:
            wp = w - wq  # the weight of S2's share, w (1 - q)
            g_r += _dot(wp, gr_s2)
            g_alpha -= _dot(wp, ga_s2)
        if H is not None:
            # d's gradient: (d_r, d_alpha, 1/a, -1/(b+x-1+m))
            d_r, d_alpha = spread, rkx * B
            if log_s2 is not None:
                d_r = d_r - gr_s2
                d_alpha += ga_s2
                H[0, 0] += _dot(wp, h_rr)
                H[0, 1] += _dot(wp, h_ra)
                H[1, 1] += _dot(wp, h_aa)
            wqq = wq - wq * q  # w q (1 - q)
            u_r, u_alpha = wqq * d_r, wqq * d_alpha
            by_r = np.bincount(xi, weights=u_r, minlength=len(ib))
            by_alpha = np.bincount(xi, weights=u_alpha, minlength=len(ib))
            by_1 = np.bincount(xi, weights=wqq, minlength=len(ib))
            H[0, 0] += _dot(u_r, d_r)
            H[0, 1] += _dot(u_r, d_alpha) + _dot(wq, B)
            iaT += inv_atx
            H[1, 1] += _dot(u_alpha, d_alpha) - _dot(wq_rkx, B * iaT)
            H[0, 2] += by_r.sum() / a
            H[0, 3] -= by_r @ ib
            H[1, 2] += by_alpha.sum() / a
            H[1, 3] -= by_alpha @ ib
            H[2, 2] += (by_1.sum() - sum_wq) / a**2
            H[2, 3] -= by_1 @ ib / a
            H[3, 3] += (by_1 + wq_x) @ ib**2
    elif log_s2 is not None:
        g_r += _dot(w, gr_s2)
        g_alpha -= _dot(w, ga_s2)
        if H is not None:
            H[0, 0] += _dot(w, h_rr)
            H[0, 1] += _dot(w, h_ra)
            H[1, 1] += _dot(w, h_aa)
    return ll, np.array([g_r, g_alpha, g_a, g_b]), H


def _family_neg_ll(
    params: np.ndarray, data: dict[str, Any], *, k: int, mbg: bool, hess: bool = False
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Negative log-likelihood of the (M)BG/CNBD-k family, its gradient and Hessian.

    Without ``(k - 1) litt - x log((k-1)!)``, which does not depend on the parameters.
    ``k = 1`` gives BG/NBD (``mbg`` False) and MBG/NBD (``mbg`` True). The Hessian (in
    the natural parameters) is None unless ``hess``.
    """
    alpha = params[1]
    aT = alpha + data["uT"]
    lnaT, inv_aT = np.log(aT), 1.0 / aT
    m = 1.0 if mbg else 0.0
    ll, grad = 0.0, np.zeros(4)
    H = np.zeros((4, 4)) if hess else None
    for has_repeats, part in data["parts"]:
        p_ll, p_grad, p_H = _family_part(params, k, m, mbg or has_repeats, lnaT, inv_aT, part, hess)
        ll += p_ll
        grad += p_grad
        if H is not None:
            H += p_H
    return -ll, -grad, None if H is None else -H


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


class BetaGeoModel(FrequencyRecencyGrid, CovariateFitting, BaseModel):
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
    _newton_fit = True

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
        return _family_rows(rows)

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
        return _family_neg_ll(params, data, k=1, mbg=False)[:2]

    def _neg_ll_grad_hess(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray, np.ndarray] | None:
        if "Z" in data:
            return None
        return _family_neg_ll(params, data, k=1, mbg=False, hess=True)

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
        pair = None
        if t.ndim == 1:
            if cov is None:
                # the horizon part depends on x and T alone: once per distinct pair
                (x, T), pair = distinct_rows([x, T])
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
        if pair is not None:
            return spread_rows(value, pair, alive)
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
