"""The Pareto/NBD log-likelihood of each customer row, and its analytic gradient.

Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions": a customer with ``x`` repeat purchases, the last at ``t_x``, observed for
``T``, has

    LL = log G(r+x) - log G(r) + r log alpha + s log beta
         + log[(alpha+T)^-(r+x) (beta+T)^-s + s / (r+s+x) A0],
    A0 = t(t_x) - t(T),  t(u) = 2F1(A, b; A+1; z) / top^A,

with ``A = r+s+x``, ``top = max(alpha, beta) + u``, ``z = |alpha-beta| / top`` and
``b = s+1`` when ``alpha >= beta``, else ``b = r+x``. The hypergeometric difference is an
integral over the time the customer may have left (the note's derivation, before it is
solved):

    s / (r+s+x) A0 = s I,  I = int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du.

:func:`ll_rows_and_slopes` computes ``I`` by Gauss-Legendre quadrature in
``v = log(min(alpha, beta) + u)``, where the integrand is smooth and log-concave for
every ``z`` (the series of ``2F1`` slows down without bound as ``z`` nears 1, which
happens whenever ``alpha`` and ``beta`` are far apart), and without the cancellation of
``t(t_x) - t(T)`` when ``t_x`` is close to ``T``. The derivatives of ``I`` in ``r``,
``alpha``, ``s`` and ``beta`` are integrals of the same integrand times ``-log(alpha+u)``,
``-(r+x)/(alpha+u)``, ``-log(beta+u)`` and ``-(s+1)/(beta+u)``, taken on the same nodes:
the exact gradient for the price of one quadrature. :func:`ll_rows` and :func:`log_a0`
keep scipy's ``hyp2f1`` as the reference form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

__all__ = ["ll_rows", "ll_rows_and_slopes", "log_a0"]

#: Gauss-Legendre nodes and weights on [-1, 1] for the integral I. 24 nodes give I to
#: about 1e-13 relative wherever it was checked (tests/clv/test_pnbd_terms.py compares
#: with scipy's adaptive quad and with hyp2f1; 20 nodes leave errors near 1e-10).
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)
#: The integrand is cut off where its logarithm has fallen this far below its peak
#: (e^-40, below double precision), so steep integrands keep their nodes where the mass is.
_DROP = 40.0


def log_a0(
    r: float, alpha: Any, s: float, beta: Any, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Return log A0 of Fader and Hardie's note per row (``alpha``, ``beta`` scalar or per row).

    Computed with scipy's ``hyp2f1``; 0 < t_x <= T, and A0 is 0 (log -inf) at t_x = T.
    """
    a = r + s + x
    ge = alpha >= beta
    b = np.where(ge, s + 1.0, r + x)
    top = np.where(ge, alpha, beta)
    diff = np.abs(alpha - beta)
    base_tx, base_T = top + tx, top + T
    log_t1 = np.log(hyp2f1(a, b, a + 1.0, diff / base_tx)) - a * np.log(base_tx)
    log_t2 = np.log(hyp2f1(a, b, a + 1.0, diff / base_T)) - a * np.log(base_T)
    # t1 >= t2; where they coincide (t_x = T) A0 is 0
    gap = np.clip(log_t2 - log_t1, None, 0.0)
    with np.errstate(divide="ignore"):
        return log_t1 + np.log(-np.expm1(gap))


def ll_rows(
    r: float, alpha: Any, s: float, beta: Any, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Log-likelihood of each row (``alpha`` and ``beta`` scalar or per row), by ``hyp2f1``."""
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    log_second = np.log(s) - np.log(r + s + x) + log_a0(r, alpha, s, beta, x, tx, T)
    return head + np.logaddexp(log_first, log_second)


def _log_integral(
    r: float,
    alpha: np.ndarray,
    s: float,
    beta: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Return log I per row (t_x < T) and its derivatives in r, alpha, s and beta.

    In ``v = log(lo)``, ``lo = min(alpha, beta) + u``, ``top = lo + |alpha - beta|``, the
    integrand ``I`` sums is ``exp(g(v))``, ``g = (1 - p_lo) v - p_top log(top)``, with
    ``p_lo`` the exponent of the smaller of ``alpha+u``, ``beta+u`` and ``p_top`` the
    other's. ``g`` is concave: it peaks at ``v0 = log(lo(t_x))`` or, when ``p_lo < 1``,
    where ``g' = 0``; to its right it falls, and the range is cut where it has fallen
    :data:`_DROP` (Newton steps from ``log(lo(T))``, which stay right of that point on a
    concave function).
    """
    low = alpha <= beta  # alpha+u is the smaller factor
    gap = np.abs(alpha - beta)
    with np.errstate(divide="ignore"):
        log_gap = np.log(gap)
    p_lo = np.where(low, r + x, s + 1.0)
    p_top = np.where(low, s + 1.0, r + x)
    start = np.log(np.minimum(alpha, beta) + tx)
    end = np.log(np.minimum(alpha, beta) + T)

    def g(v: np.ndarray) -> np.ndarray:
        return (1.0 - p_lo) * v - p_top * np.logaddexp(v, log_gap)

    with np.errstate(divide="ignore", invalid="ignore"):
        # g' = 1 - p_lo - p_top lo / top vanishes at lo = gap (1 - p_lo) / (p_top - 1 + p_lo)
        peak_lo = gap * (1.0 - p_lo) / (p_top - 1.0 + p_lo)
        peak = np.where((p_lo < 1.0) & (peak_lo > 0), np.log(peak_lo), start)
    highest = g(np.clip(peak, start, end))
    floor = highest - _DROP
    for _ in range(12):
        short = g(end) - floor
        cut = short < 0
        if not cut.any():
            break
        slope = 1.0 - p_lo - p_top * expit(end - log_gap)
        end = np.where(cut, end - short / np.where(cut, slope, -1.0), end)
    half = (end - start) / 2.0
    v = np.multiply.outer(half, _NODES)
    v += (start + half)[:, None]
    lo = np.exp(v)
    top = lo + gap[:, None]
    log_top = np.log(top)
    # the integrand at the nodes over its peak (at most 1, above e^-DROP to the right of
    # the peak), times the weights; built in place, as it is the bulk of a fit's work
    weight = (1.0 - p_lo)[:, None] * v
    weight -= p_top[:, None] * log_top
    weight -= highest[:, None]
    np.exp(weight, out=weight)
    weight *= _WEIGHTS
    total = weight.sum(axis=1)
    log_i = highest + np.log(total) + np.log(half)
    # the integrand's means of log(lo), log(top), 1/lo and 1/top; alpha+u is lo or top
    np.reciprocal(lo, out=lo)
    np.reciprocal(top, out=top)
    mean = [np.einsum("ij,ij->i", weight, f) / total for f in (v, log_top, lo, top)]
    d_r = -np.where(low, mean[0], mean[1])
    d_alpha = -(r + x) * np.where(low, mean[2], mean[3])
    d_s = -np.where(low, mean[1], mean[0])
    d_beta = -(s + 1.0) * np.where(low, mean[3], mean[2])
    return log_i, d_r, d_alpha, d_s, d_beta


def ll_rows_and_slopes(
    r: float, alpha: Any, s: float, beta: Any, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Return each row's log-likelihood and its derivatives in r, alpha, s and beta.

    ``alpha`` and ``beta`` are scalars or one per row; the derivatives in them are per
    row (in each row's own ``alpha_i``, ``beta_i``). The value agrees with :func:`ll_rows`
    to about 1e-12 and the derivatives are exact for it (see the module docstring).
    """
    n = len(x)
    alpha = np.broadcast_to(np.asarray(alpha, dtype="float64"), (n,))
    beta = np.broadcast_to(np.asarray(beta, dtype="float64"), (n,))
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    # I is 0 where the last purchase is at the end (t_x = T)
    rows = np.flatnonzero(tx < T)
    log_i = np.full(n, -np.inf)
    slopes_i = np.zeros((4, n))
    if len(rows):
        log_i[rows], *slopes_i[:, rows] = _log_integral(
            r, alpha[rows], s, beta[rows], x[rows], tx[rows], T[rows]
        )
    log_second = np.log(s) + log_i
    total = np.logaddexp(log_first, log_second)
    second = np.exp(log_second - total)  # weight of the s I term in the bracket
    first = 1.0 - second
    d_r, d_alpha, d_s, d_beta = slopes_i
    return (
        head + total,
        digamma(r + x) - digamma(r) + np.log(alpha) - first * np.log(alpha + T) + second * d_r,
        r / alpha - first * (r + x) / (alpha + T) + second * d_alpha,
        np.log(beta) - first * np.log(beta + T) + second * (1.0 / s + d_s),
        s / beta - first * s / (beta + T) + second * d_beta,
    )
