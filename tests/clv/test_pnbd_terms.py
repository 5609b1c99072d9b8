"""The Pareto/NBD row log-likelihood by quadrature: its value and its analytic gradient."""

import math

import numpy as np
import pytest
from scipy import integrate

from retainkit.clv import _pnbd_terms as P


def _rows(seed):
    rng = np.random.default_rng(seed)
    n = 400
    x = rng.integers(0, 40, n).astype("float64")
    T = rng.uniform(1.0, 80.0, n)
    tx = np.where(x > 0, rng.uniform(0.0, 1.0, n) * T, 0.0)
    tx[:10] = T[:10]  # last purchase at the end: A0 = 0
    alpha = np.exp(rng.uniform(-2.0, 4.0, n))
    beta = np.exp(rng.uniform(-2.0, 4.0, n))
    return x, tx, T, alpha, beta


def test_equal_rates_by_hand():
    # alpha = beta = 5 makes z = 0: t(u) = (5+u)^-(r+s+x), so with r=0.5, s=0.8, x=2,
    # t_x=10, T=30: LL = lgamma(2.5) - lgamma(0.5) + 0.5 log 5 + 0.8 log 5
    #   + log(35^-2.5 35^-0.8 + 0.8/3.3 (15^-3.3 - 35^-3.3))
    by_hand = (
        math.lgamma(2.5)
        - math.lgamma(0.5)
        + 1.3 * math.log(5.0)
        + math.log(35**-3.3 + 0.8 / 3.3 * (15**-3.3 - 35**-3.3))
    )
    ll, *_ = P.ll_rows_and_slopes(
        0.5, 5.0, 0.8, 5.0, np.array([2.0]), np.array([10.0]), np.array([30.0])
    )
    assert ll[0] == pytest.approx(by_hand, rel=1e-13)


@pytest.mark.parametrize(("r", "s"), [(0.55, 0.61), (1.0, 1.3), (3.0, 0.2), (0.2, 5.0)])
def test_value_matches_hyp2f1_and_gradient_matches_differences(r, s):
    x, tx, T, alpha, beta = _rows(int(10 * r + s))
    ll, *slopes = P.ll_rows_and_slopes(r, alpha, s, beta, x, tx, T)
    # hyp2f1's difference t(t_x) - t(T) loses digits where t_x is close to T, so values
    # near 0 are compared to 1e-12 absolute
    np.testing.assert_allclose(ll, P.ll_rows(r, alpha, s, beta, x, tx, T), rtol=1e-11, atol=1e-12)
    args = [r, alpha, s, beta]
    for j in range(4):
        # Richardson-extrapolated central differences of the value (error O(h^4))
        def diff(rel, j=j):
            up, down = list(args), list(args)
            up[j] = args[j] * (1 + rel)
            down[j] = args[j] * (1 - rel)
            return (
                P.ll_rows_and_slopes(*up, x, tx, T)[0] - P.ll_rows_and_slopes(*down, x, tx, T)[0]
            ) / (2 * rel * args[j])

        numeric = (4 * diff(5e-4) - diff(1e-3)) / 3
        np.testing.assert_allclose(slopes[j], numeric, rtol=1e-5, atol=1e-7)


def _log_integral_by_quad(r, alpha, s, beta, x, tx, T):
    """log of int_tx^T (alpha+u)^-(r+x) (beta+u)^-(s+1) du by scipy's adaptive quad.

    Integrated in v = log(alpha+u) with the integrand divided by its value at t_x, so that
    quad works on numbers near 1 (an independent check: no nodes, no cut-off).
    """

    def log_f(v):
        u = np.exp(v) - alpha
        return v - (r + x) * v - (s + 1) * np.log(beta + u)

    v0, v1 = math.log(alpha + tx), math.log(alpha + T)
    ref = log_f(v0)
    value, _ = integrate.quad(
        lambda v: np.exp(log_f(v) - ref), v0, v1, epsabs=0, epsrel=1e-13, limit=500
    )
    return ref + math.log(value)


def test_integral_matches_adaptive_quadrature_far_from_the_series():
    # rates far apart (z up to 0.9999 at t_x, where the 2F1 series needs some 10^5 terms),
    # many repeat purchases, t_x just before T: log I to 1e-11 against scipy's quad
    rng = np.random.default_rng(3)
    cases = [
        (0.7, 0.05, 0.9, 500.0, 0.0, 0.0, 20.0),
        (0.7, 500.0, 0.9, 0.05, 0.0, 0.0, 20.0),
        (0.95, 6.0, 5.9, 1900.0, 12.0, 3.0, 150.0),
        (2.0, 3000.0, 0.3, 0.2, 140.0, 1.0, 300.0),
        (0.2, 1.0, 8.0, 1.0, 3.0, 10.0 - 1e-7, 10.0),
    ]
    for _ in range(200):
        T = math.exp(rng.uniform(0.0, 6.5))
        x = float(rng.integers(0, 150))
        cases.append(
            (
                math.exp(rng.uniform(-2.5, 2.0)),
                math.exp(rng.uniform(-3.0, 8.0)),
                math.exp(rng.uniform(-2.5, 2.5)),
                math.exp(rng.uniform(-3.0, 8.0)),
                x,
                T * rng.uniform(0.0, 1.0) if x else 0.0,
                T,
            )
        )
    rows = np.array(cases).T
    got = P._log_integral(*rows)[0]
    expected = [_log_integral_by_quad(*c) for c in cases]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-11)


@pytest.mark.parametrize(("alpha", "beta"), [(0.05, 50.0), (50.0, 0.05)])
def test_rows_near_z_one_are_exact(alpha, beta):
    # one rate 1000 times the other: z = 0.999 at t_x = 0. The value agrees with hyp2f1
    # and the slopes with Richardson-extrapolated central differences of the value
    x, tx, T = np.array([0.0, 3.0, 60.0]), np.array([0.0, 0.5, 19.0]), np.array([20.0] * 3)
    args = [0.7, alpha, 0.9, beta]
    ll, *slopes = P.ll_rows_and_slopes(*args, x, tx, T)
    np.testing.assert_allclose(ll, P.ll_rows(*args, x, tx, T), rtol=1e-12, atol=1e-12)
    for j in range(4):

        def diff(rel, j=j):
            up, down = list(args), list(args)
            up[j] = args[j] * (1 + rel)
            down[j] = args[j] * (1 - rel)
            return (P.ll_rows(*up, x, tx, T) - P.ll_rows(*down, x, tx, T)) / (2 * rel * args[j])

        numeric = (4 * diff(5e-4) - diff(1e-3)) / 3
        np.testing.assert_allclose(slopes[j], numeric, rtol=1e-6, atol=1e-9)
