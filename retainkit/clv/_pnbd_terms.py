"""The Pareto/NBD log-likelihood of each customer row, and its analytic gradient.

Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions": a customer with ``x`` repeat purchases, the last at ``t_x``, observed for
``T``, has

    LL = log G(r+x) - log G(r) + r log alpha + s log beta
         + log[(alpha+T)^-(r+x) (beta+T)^-s + s / (r+s+x) A0],
    A0 = t(t_x) - t(T),  t(u) = 2F1(A, b; A+1; z) / top^A,

with ``A = r+s+x``, ``top = max(alpha, beta) + u``, ``z = |alpha-beta| / top`` and
``b = s+1`` when ``alpha >= beta``, else ``b = r+x``. Euler's transformation writes the
hypergeometric term as ``(1-z)^(1-b) S`` with ``S = sum_n c_n z^n``,
``c_n = prod_{k<n} (A+1-b+k) / (A+1+k)``: a series of positive terms whose ratio is
below ``z``, differentiated term by term in ``r``, ``s`` (through ``A`` and ``A+1-b``) and
``z``. That gives the exact gradient for the price of one series, instead of the central
differences (two likelihoods per parameter) scipy's ``hyp2f1`` would need, whose
derivatives in its parameters scipy does not provide. Rows where ``z`` is close to 1
(the series converges slowly) fall back to ``hyp2f1`` and central differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, gammaln, hyp2f1

__all__ = ["ll_rows", "ll_rows_and_slopes", "log_a0"]

#: Rows with z above this at either end use hyp2f1 and central differences.
_SERIES_LIMIT = 0.95
#: Most terms of the series (enough for z = 0.95 to double precision).
_MAX_TERMS = 1200


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


def _log_t(
    r: float, alpha: np.ndarray, s: float, beta: np.ndarray, x: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Return log t(u) and its derivatives in r, alpha, s, beta, by the series.

    ``log t = (1-b) (log lo - log top) - A log top + log S`` with ``lo = min(alpha,beta)
    + u``; the caller keeps z = 1 - lo / top at most ``_SERIES_LIMIT``.
    """
    ge = alpha >= beta
    top = np.where(ge, alpha, beta) + u
    lo = np.where(ge, beta, alpha) + u
    z = 1.0 - lo / top
    A = r + s + x
    b = np.where(ge, s + 1.0, r + x)
    start = A + 1.0 - b  # the series' numerator: r+x when alpha >= beta, else s+1
    n_rows = len(z)
    # columns: S, dS/dz, dS/dstart, dS/dA; the loop works on the unfinished rows only,
    # dropping the finished ones every few terms
    sums = np.zeros((4, n_rows))
    sums[0] = 1.0
    active = np.arange(n_rows)
    st, a1, zz = start, A + 1.0, z
    term, h_start, h_A = np.ones(n_rows), np.zeros(n_rows), np.zeros(n_rows)
    acc = np.zeros((4, n_rows))
    acc[0] = 1.0
    for n in range(_MAX_TERMS):
        num, den = st + n, a1 + n
        ratio = num / den
        # d/dz of c_{n+1} z^(n+1) is (n+1) c_{n+1} z^n = (n+1) term_n ratio
        step = term * ratio
        acc[1] += (n + 1) * step
        h_start += 1.0 / num
        h_A += 1.0 / den
        term = step * zz
        acc[0] += term
        acc[2] += term * h_start
        acc[3] -= term * h_A
        if n % 16 == 15 or n == _MAX_TERMS - 1:
            # every series has positive terms with ratio below z: the tail left out is
            # below the last term x (n+2) / (1-z)^2, relative to the smallest sum it feeds
            tail = term * (n + 2) * (1.0 + h_start + h_A)
            done = tail <= 1e-17 * (1.0 - zz) ** 2 * np.minimum(acc[0], acc[1])
            if np.any(done):
                sums[:, active[done]] = acc[:, done]
                keep = ~done
                active, st, a1, zz = active[keep], st[keep], a1[keep], zz[keep]
                term, h_start, h_A, acc = term[keep], h_start[keep], h_A[keep], acc[:, keep]
            if not len(active):
                break
    sums[:, active] = acc
    S, S_z, S_start, S_A = sums
    log_ratio = np.log(lo) - np.log(top)
    log_top = np.log(top)
    value = (1.0 - b) * log_ratio - A * log_top + np.log(S)
    dz = S_z / S
    d_top = -(1.0 - b) / top - A / top + dz * lo / top**2
    d_lo = (1.0 - b) / lo - dz / top
    d_A = -log_top + S_A / S  # A = r+s+x as it stands, the series' start held
    d_b = -log_ratio  # b as it stands in (1-b) log(lo/top)
    d_start = S_start / S  # the series' start A+1-b, which is r+x or s+1
    # alpha >= beta: b = s+1, start = r+x; otherwise b = r+x, start = s+1
    d_r = d_A + np.where(ge, d_start, d_b)
    d_s = d_A + np.where(ge, d_b, d_start)
    slopes = (d_r, np.where(ge, d_top, d_lo), d_s, np.where(ge, d_lo, d_top))
    unfinished = np.zeros(n_rows, dtype=bool)
    unfinished[active] = True
    return value, *slopes, unfinished


def ll_rows_and_slopes(
    r: float, alpha: Any, s: float, beta: Any, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Return each row's log-likelihood and its derivatives in r, alpha, s and beta.

    ``alpha`` and ``beta`` are scalars or one per row; the derivatives in them are per
    row (in each row's own ``alpha_i``, ``beta_i``). Exact (the series) where ``z`` is at
    most 0.95 at both ends; elsewhere central differences of :func:`ll_rows`.
    """
    n = len(x)
    alpha = np.broadcast_to(np.asarray(alpha, dtype="float64"), (n,))
    beta = np.broadcast_to(np.asarray(beta, dtype="float64"), (n,))
    top, diff = np.maximum(alpha, beta), np.abs(alpha - beta)
    series = np.maximum(diff / (top + tx), diff / (top + T)) <= _SERIES_LIMIT
    rows = np.flatnonzero(series)
    k = len(rows)
    # both ends in one pass: the rows at t_x, then the same rows at T
    log_t, *slopes, unfinished = _log_t(
        r,
        np.tile(alpha[rows], 2),
        s,
        np.tile(beta[rows], 2),
        np.tile(x[rows], 2),
        np.concatenate([tx[rows], T[rows]]),
    )
    a_i, b_i, x_i, T_i = alpha[rows], beta[rows], x[rows], T[rows]
    # log A0 = log(t1 - t2); its slopes are (t1 dlog t1 - t2 dlog t2) / (t1 - t2)
    gap = np.clip(log_t[k:] - log_t[:k], None, 0.0)
    share = np.exp(gap)  # t2 / t1
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a0_k = log_t[:k] + np.log(-np.expm1(gap))
        a0_slopes = [
            np.where(gap < 0, (g[:k] - share * g[k:]) / -np.expm1(gap), 0.0) for g in slopes
        ]
    head = gammaln(r + x_i) - gammaln(r) + r * np.log(a_i) + s * np.log(b_i)
    log_first = -(r + x_i) * np.log(a_i + T_i) - s * np.log(b_i + T_i)
    log_second = np.log(s) - np.log(r + s + x_i) + log_a0_k
    total = np.logaddexp(log_first, log_second)
    second = np.exp(log_second - total)  # weight of the A0 term in the bracket
    first = 1.0 - second
    out = np.empty((5, n))
    out[0, rows] = head + total
    out[1, rows] = (
        digamma(r + x_i)
        - digamma(r)
        + np.log(a_i)
        - first * np.log(a_i + T_i)
        + second * (a0_slopes[0] - 1.0 / (r + s + x_i))
    )
    out[2, rows] = r / a_i - first * (r + x_i) / (a_i + T_i) + second * a0_slopes[1]
    out[3, rows] = (
        np.log(b_i)
        - first * np.log(b_i + T_i)
        + second * (a0_slopes[2] + 1.0 / s - 1.0 / (r + s + x_i))
    )
    out[4, rows] = s / b_i - first * s / (b_i + T_i) + second * a0_slopes[3]
    slow = np.flatnonzero(~series)
    slow = np.concatenate([slow, rows[unfinished[:k] | unfinished[k:]]])
    if len(slow):
        out[:, slow] = _by_differences(r, alpha[slow], s, beta[slow], x[slow], tx[slow], T[slow])
    return tuple(out)


def _by_differences(
    r: float,
    alpha: np.ndarray,
    s: float,
    beta: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Return :func:`ll_rows` and its central differences (relative step 1e-5), as rows."""
    args = [r, alpha, s, beta]
    out = [ll_rows(*args, x, tx, T)]
    for which in range(4):
        h = 1e-5 * args[which]
        up, down = list(args), list(args)
        up[which] = args[which] + h
        down[which] = args[which] - h
        out.append((ll_rows(*up, x, tx, T) - ll_rows(*down, x, tx, T)) / (2 * h))
    return np.array(out)
