"""The Pareto/NBD row log-likelihood by series: its value and its analytic gradient."""

import math

import numpy as np
import pytest

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
    np.testing.assert_allclose(ll, P.ll_rows(r, alpha, s, beta, x, tx, T), rtol=1e-11)
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


def test_rows_near_z_one_fall_back_to_differences():
    # beta 1000 times alpha: z = 0.999 at t_x = 0, beyond the series; same answers
    x, tx, T = np.array([0.0, 3.0]), np.array([0.0, 0.5]), np.array([20.0, 20.0])
    ll, *slopes = P.ll_rows_and_slopes(0.7, 0.05, 0.9, 50.0, x, tx, T)
    np.testing.assert_allclose(ll, P.ll_rows(0.7, 0.05, 0.9, 50.0, x, tx, T), rtol=1e-12)
    h = 1e-6
    numeric = (
        P.ll_rows(0.7, 0.05 * (1 + h), 0.9, 50.0, x, tx, T)
        - P.ll_rows(0.7, 0.05 * (1 - h), 0.9, 50.0, x, tx, T)
    ) / (2 * h * 0.05)
    np.testing.assert_allclose(slopes[1], numeric, rtol=1e-5)
