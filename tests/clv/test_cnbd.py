import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import gammaln

import retainkit as rk
from retainkit.clv import (
    BetaGeoCNBDModel,
    BetaGeoModel,
    ModifiedBetaGeoCNBDModel,
    ModifiedBetaGeoModel,
)
from retainkit.clv._base import compress
from retainkit.clv.cnbd import _row_log_likelihood
from retainkit.exceptions import DataValidationError, NotFittedError, SchemaError
from tests.clv.conftest import central_hessian

BG_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
MBG_CDNOW = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
TRUTH = {"r": 2.0, "alpha": 4.0, "a": 0.8, "b": 3.0}


def simulate(n, k, r, alpha, a, b, *, mbg, seed, horizon=0.0):
    """Customers of the (M)BG/CNBD-k model: summary (with litt) and holdout purchases.

    Erlang-k gaps with rate lambda ~ Gamma(r, rate alpha); dropout with p ~ Beta(a, b)
    after each repeat purchase (and, for the MBG variant, after the first); T uniform on
    52..104 weeks; purchases in (T, T + horizon] counted as the holdout.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.uniform(52, 104, n)
    alive = rng.random(n) >= p if mbg else np.ones(n, dtype=bool)
    t, x, tx, litt, hold = (np.zeros(n) for _ in range(5))
    while alive.any():
        gap = rng.gamma(k, 1 / lam)
        new = t + gap
        cal = alive & (new <= T)
        x[cal] += 1
        tx[cal] = new[cal]
        litt[cal] += np.log(gap[cal])
        hold[alive & (new > T) & (new <= T + horizon)] += 1
        alive = alive & (new <= T + horizon) & (rng.random(n) >= p)
        t = new
    ids = [f"c{i:05d}" for i in range(n)]
    summary = pd.DataFrame(
        {"customer_id": ids, "frequency": x, "recency": tx, "T": T, "litt": litt}
    )
    summary.attrs["time_unit"] = "weeks"
    return summary, hold


@pytest.fixture(scope="module")
def cdnow_litt():
    return rk.customer_summary(
        rk.load_transactions("cdnow_sample"), as_of="1997-09-30", time_unit="weeks", litt=True
    )


@pytest.fixture(scope="module")
def cdnow_fits(cdnow_litt):
    return BetaGeoCNBDModel().fit(cdnow_litt), ModifiedBetaGeoCNBDModel().fit(cdnow_litt)


@pytest.fixture(scope="module", params=[False, True], ids=["BG", "MBG"])
def regular(request):
    """2,000 simulated customers with k = 3 and their fit over k = 1..12 (seed 7)."""
    mbg = request.param
    summary, hold = simulate(2000, 3, **TRUTH, mbg=mbg, seed=7, horizon=52)
    model = (ModifiedBetaGeoCNBDModel if mbg else BetaGeoCNBDModel)().fit(summary)
    return mbg, summary, hold, model


def _fixed(cls, k, params):
    m = cls(k=k)
    m.params_ = dict(params)
    m.k_ = k
    m.time_unit_ = "weeks"
    return m


def test_btydplus_reference_log_likelihoods():
    # BTYDplus's own unit test of xbgcnbd_ll_cpp (src/, BG variant): k, r, alpha, a, b =
    # 3, 0.5, 2, 0.3, 0.6 at x = 3, 4, t_x = 12, T = 14, litt = 3 -> -10.42500, -12.22396
    got = _row_log_likelihood(
        (0.5, 2.0, 0.3, 0.6), 3, [3.0, 4.0], [12.0, 12.0], [14.0, 14.0], [3.0, 3.0], mbg=False
    )
    np.testing.assert_array_equal(np.round(got, 5), [-10.42500, -12.22396])


def test_likelihood_by_hand():
    # k = 2, r = 1, alpha = 2, a = 1, b = 2; one repeat purchase after a gap of 2, T = 5:
    # Erlang-2 gap density lambda^2 g exp(-lambda g) at g = 2; alive needs the next gap
    # to last over u = 3: exp(-3 lambda) (1 + 3 lambda). With lambda ~ Gamma(1, rate 2):
    #   alive: 4 int lambda^2 exp(-7 lambda) (1 + 3 lambda) = 4 (2/343 + 18/2401) = 128/2401
    #   gone after the purchase: 4 int lambda^2 exp(-4 lambda) = 4 * 2/64 = 1/8
    # BG: alive E[1-p] = 2/3, gone E[p] = 1/3: L = 256/7203 + 1/24
    # MBG: alive E[(1-p)^2] = 1/2, gone E[p(1-p)] = 1/6: L = 64/2401 + 1/48
    # MBG, no repeat purchase, T = 5: alive E[1-p] = 2/3 times P(gap > 5) =
    #   int (1 + 5 lambda) exp(-5 lambda) 2 exp(-2 lambda) = 2/7 + 10/49 = 24/49, or gone at
    #   once (1/3): L = 16/49 + 1/3 = 97/147
    args = ((1.0, 2.0, 1.0, 2.0), 2)
    bg = _row_log_likelihood(*args, [1.0], [2.0], [5.0], [math.log(2)], mbg=False)
    mbg = _row_log_likelihood(*args, [1.0, 0.0], [2.0, 0.0], [5.0, 5.0], [math.log(2), 0], mbg=True)
    np.testing.assert_allclose(bg, [math.log(256 / 7203 + 1 / 24)], rtol=1e-12)
    np.testing.assert_allclose(mbg, [math.log(64 / 2401 + 1 / 48), math.log(97 / 147)], rtol=1e-12)


@pytest.mark.parametrize(
    ("cls", "base", "params"),
    [
        (BetaGeoCNBDModel, BetaGeoModel, BG_CDNOW),
        (ModifiedBetaGeoCNBDModel, ModifiedBetaGeoModel, MBG_CDNOW),
        (BetaGeoCNBDModel, BetaGeoModel, {"r": 1.2, "alpha": 10.0, "a": 2.5, "b": 0.7}),
        (
            ModifiedBetaGeoCNBDModel,
            ModifiedBetaGeoModel,
            {"r": 1.2, "alpha": 10.0, "a": 2.5, "b": 0.7},
        ),
    ],
)
def test_k_one_is_bgnbd_and_mbgnbd(cls, base, params, cdnow_litt):
    # the same log-likelihood (to 1e-8) and predictions at the same parameters
    rows = compress(base()._columns(cdnow_litt))
    p = np.array(list(params.values()))
    want = -base()._neg_ll_and_grad(p, base()._build(rows))[0]
    m = _fixed(cls, 1, params)
    got = -m._neg_ll_and_grad(p, m._build(rows))[0]
    assert got == pytest.approx(want, abs=1e-8)
    x, tx, T = base()._columns(cdnow_litt)
    per_customer = _row_log_likelihood(p, 1, x, tx, T, cdnow_litt["litt"], mbg=cls._mbg)
    assert per_customer.sum() == pytest.approx(want, abs=1e-8)
    reference = base()
    reference.params_, reference.time_unit_ = dict(params), "weeks"
    np.testing.assert_allclose(
        m.probability_alive(cdnow_litt), reference.probability_alive(cdnow_litt), rtol=1e-12
    )
    np.testing.assert_allclose(
        m.expected_purchases(cdnow_litt, t=39),
        reference.expected_purchases(cdnow_litt, t=39),
        rtol=1e-8,
        atol=1e-12,
    )
    t = np.array([0.0, 10.0, 52.0])
    np.testing.assert_allclose(
        m.expected_purchases_new_customer(t),
        reference.expected_purchases_new_customer(t),
        rtol=1e-8,
    )


def test_analytic_gradient_matches_finite_differences(cdnow_litt):
    for cls in (BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel):
        m = _fixed(cls, 3, BG_CDNOW)
        data = m._build(compress(m._columns(cdnow_litt)))
        for point in ([0.5, 6.0, 0.9, 1.6], [1.2, 10.0, 2.5, 0.7]):
            p = np.array(point)
            numeric = approx_fprime(
                p, lambda q, m=m, data=data: m._neg_ll_and_grad(q, data)[0], 1e-7
            )
            np.testing.assert_allclose(m._neg_ll_and_grad(p, data)[1], numeric, rtol=1e-4)


def _btydplus_pmf(params, t, xs, mbg):
    """BTYDplus's xbgcnbd_pmf_cpp (src/), transcribed: P(X(t) = x) for a new customer."""
    k, r, alpha, a, b = params
    xs = np.asarray(xs)
    i = np.arange(k * (xs.max() + 1))
    nbd = np.exp(
        gammaln(r + i)
        + r * np.log(alpha)
        + i * np.log(t)
        - gammaln(i + 1)
        - gammaln(r)
        - (r + i) * np.log(alpha + t)
    )
    cmf = np.r_[0.0, np.cumsum(nbd)]  # cmf[m] = sum of nbd[0..m-1]
    out = []
    for x in xs:
        survivals = x - 1 + (1 if mbg else 0)
        p1 = math.exp(
            gammaln(b + survivals + 1)
            + gammaln(a + b)
            - gammaln(b)
            - gammaln(a + b + survivals + 1)
        )
        p2a = cmf[k * x + k] - cmf[k * x]
        p2b = 0.0 if (not mbg and x == 0) else a / (b + survivals) * (1 - cmf[k * x])
        out.append(p1 * (p2a + p2b))
    return np.array(out)


def test_new_customer_expectation_is_btydplus_exact_expectation():
    # BTYDplus's unit test: pmf(t = 10, x = 2) is 0.05669 (BG) and 0.04548 (MBG); its
    # xbgcnbd.Expectation is the sum of x pmf(x), which our series must equal
    params = (3, 0.5, 2.0, 0.3, 0.6)
    assert round(float(_btydplus_pmf(params, 10.0, [2], False)[0]), 5) == 0.05669
    assert round(float(_btydplus_pmf(params, 10.0, [2], True)[0]), 5) == 0.04548
    for cls in (BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel):
        m = _fixed(cls, 3, {"r": 0.5, "alpha": 2.0, "a": 0.3, "b": 0.6})
        for t in (10.0, 52.0):
            xs = np.arange(3000)
            want = float(xs @ _btydplus_pmf(params, t, xs, cls._mbg))
            assert float(m.expected_purchases_new_customer(t)) == pytest.approx(want, rel=1e-9)


def test_cdnow_is_irregular_so_k_is_one(cdnow_fits):
    # CDNOW's buyers are not regular: the search keeps k = 1, i.e. BG/NBD's and MBG/NBD's
    # published fits, and the likelihood falls with k
    bg, mbg = cdnow_fits
    assert bg.k_ == 1 and mbg.k_ == 1
    assert {k: round(v, 3) for k, v in bg.params_.items()} == BG_CDNOW
    assert {k: round(v, 3) for k, v in mbg.params_.items()} == MBG_CDNOW
    assert round(bg.log_likelihood_, 1) == -9582.4
    lls = bg.log_likelihood_by_k_
    assert lls.index.tolist() == list(range(1, 13))
    assert (lls.diff().dropna() < 0).all()
    assert bg.summary().attrs["k"] == 1


def test_recovers_k_and_parameters_of_simulated_regular_buyers(regular):
    # 2,000 customers, k = 3: k exactly, each parameter within 3 standard errors (about
    # 10% here: r 1.95 / 1.97, alpha 4.06 / 4.03, a 0.88 / 0.81, b 3.32 / 3.08)
    _, _, _, model = regular
    assert model.k_ == 3
    assert int(model.log_likelihood_by_k_.idxmax()) == 3
    for name, true in TRUTH.items():
        est, se = model.params_[name], model.standard_errors_[name]
        assert abs(est - true) < 3 * se, (name, est, se)
        assert abs(est / true - 1) < 0.15, (name, est)


def test_forecasts_the_simulated_holdout(regular):
    # the same customers' purchases over the next 52 weeks (3,390 BG, 3,422 MBG): the
    # exact conditional expectation gets the total within 5% (3,372 and 3,336), and beats
    # the k = 1 model (BG/NBD or MBG/NBD), which ignores the regularity, per customer
    mbg, summary, hold, model = regular
    expected = model.expected_purchases(summary, t=52)
    assert expected.sum() == pytest.approx(hold.sum(), rel=0.05)
    plain = (ModifiedBetaGeoModel if mbg else BetaGeoModel)().fit(summary)
    plain_error = np.abs(plain.expected_purchases(summary, t=52) - hold).mean()
    assert np.abs(expected - hold).mean() < 0.95 * plain_error


def test_probability_alive_is_s2_over_s1_plus_s2():
    # BTYDplus xbgcnbd.PAlive; k = 2, r = 1, alpha = 2, a = 1, b = 2, x = 1, t_x = 2,
    # T = 5: S1 = a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+kx) = 1/2 (7/4)^3 = 343/128,
    # S2 = 1 + (r+kx) u/(alpha+T) = 1 + 9/7 = 16/7: P = (16/7) / (16/7 + 343/128)
    m = _fixed(BetaGeoCNBDModel, 2, {"r": 1.0, "alpha": 2.0, "a": 1.0, "b": 2.0})
    s = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [1, 0], "recency": [2.0, 0.0], "T": [5.0, 5.0]}
    )
    want = (16 / 7) / (16 / 7 + 343 / 128)
    np.testing.assert_allclose(m.probability_alive(s), [want, 1.0], rtol=1e-12)


def test_errors_name_the_problem(cdnow_litt):
    with pytest.raises(NotFittedError, match="fit"):
        BetaGeoCNBDModel().probability_alive(cdnow_litt)
    with pytest.raises(SchemaError, match="litt"):
        BetaGeoCNBDModel().fit(cdnow_litt.drop(columns="litt"))
    with pytest.raises(SchemaError, match="litt"):
        ModifiedBetaGeoCNBDModel(k=2).fit(cdnow_litt.drop(columns="litt"))
    # k = 1 does not need litt
    assert BetaGeoCNBDModel(k=1).fit(cdnow_litt.drop(columns="litt")).k_ == 1
    with pytest.raises(DataValidationError, match="litt"):
        BetaGeoCNBDModel().fit(
            cdnow_litt.assign(litt=np.where(cdnow_litt["frequency"] == 0, 1.0, cdnow_litt["litt"]))
        )
    # litt in days with recency in weeks: each gap's log is log(7) too large
    days = cdnow_litt.assign(litt=cdnow_litt["litt"] + cdnow_litt["frequency"] * np.log(7))
    with pytest.raises(DataValidationError, match="time unit"):
        BetaGeoCNBDModel().fit(days)
    with pytest.raises(DataValidationError, match="frequency"):
        BetaGeoCNBDModel().fit(cdnow_litt.head(5).assign(frequency=-1))
    with pytest.raises(DataValidationError, match="exceeds 'T'"):
        BetaGeoCNBDModel().fit(cdnow_litt.head(5).assign(recency=100.0))
    with pytest.raises(DataValidationError, match="litt"):
        BetaGeoCNBDModel().fit(cdnow_litt.head(5).assign(litt=np.inf))
    for bad in (0, 1.5, -2, True):
        with pytest.raises(ValueError, match="k="):
            BetaGeoCNBDModel(k=bad)
    with pytest.raises(ValueError, match="max_k"):
        BetaGeoCNBDModel(max_k=0)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_analytic_hessian_matches_differences_of_the_gradient(k, cdnow_litt):
    # the fits' Newton steps and covariance use the analytic Hessian: it must be the
    # derivative of the (separately tested) gradient, for both variants and every k
    # (k = 1 has no S2 terms; k = 2 only the first; k >= 3 the recursion)
    for cls in (BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel):
        m = _fixed(cls, k, BG_CDNOW)
        data = m._build(compress(m._columns(cdnow_litt)))
        for point in ([0.5, 6.0, 0.9, 1.6], [1.2, 10.0, 2.5, 0.7]):
            p = np.array(point)
            value, grad, hessian = m._neg_ll_grad_hess(p, data)
            assert (value, *grad) == (
                m._neg_ll_and_grad(p, data)[0],
                *m._neg_ll_and_grad(p, data)[1],
            )
            numeric = central_hessian(m, data, p)
            np.testing.assert_allclose(
                hessian, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max()
            )


@pytest.mark.parametrize("cls", [BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel])
def test_newton_fit_on_a_sample_gives_the_lbfgs_estimates(cls, monkeypatch):
    # 25,000 customers with exact times are 25,000 distinct rows, above the 20,000 from
    # which the fit starts on a sample and polishes with Newton steps on all of them; the
    # old route (L-BFGS-B on all the rows, as for small data) must give the same estimates
    summary, _ = simulate(25000, 2, **TRUTH, mbg=cls._mbg, seed=3)
    fast = cls(k=2).fit(summary)
    assert fast.n_rows_ > cls._warm_start_rows
    monkeypatch.setattr(cls, "_warm_start_rows", 10**9)
    slow = cls(k=2).fit(summary)
    for name in TRUTH:
        assert fast.params_[name] == pytest.approx(slow.params_[name], rel=1e-6)
        # analytic Hessian against differences of the gradient: to 1e-4 of the error
        assert fast.standard_errors_[name] == pytest.approx(slow.standard_errors_[name], rel=1e-4)
    assert fast.log_likelihood_ == pytest.approx(slow.log_likelihood_, rel=1e-12)


def _reference_series(model, x, tx, T, t):
    """E[Y(t) | x, t_x, T], the module's formula term by term (the former implementation).

    P(alive) sum_j w_j sum_n B(a, b + x + m + n - 1) / B(a, b + x + m) P(NB(r + k x + j,
    (alpha + T) / (alpha + T + t)) >= k n - j), the tail from scipy's regularised
    incomplete beta function, n run to 20,000 (past every tail here: 1e-12).
    """
    from scipy.special import betainc, betaln, softmax

    from retainkit.clv.cnbd import _log_terms

    params, k = model._params()
    r, alpha, a, b = params
    m = 1.0 if model._mbg else 0.0
    _, terms = _log_terms(params, k, model._mbg, x, tx, T)
    weights = softmax(terms[:, 1:], axis=1)
    n = np.arange(1, 20_001, dtype="float64")[None, :]
    b_alive = (b + x + m)[:, None]
    survive = np.exp(betaln(a, b_alive + n - 1) - betaln(a, b_alive))
    prob = ((alpha + T) / (alpha + T + t))[:, None]
    out = np.zeros(len(x))
    for j in range(k):
        tail = betainc(k * n - j, (r + k * x + j)[:, None], 1 - prob)
        out += weights[:, j] * np.sum(survive * tail, axis=1)
    return out * model._p_alive(x, tx, T)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("cls", [BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel])
def test_expectation_on_a_grid_is_the_term_by_term_series(cls, k):
    # the windowed sum over stages for all horizons at once against the series summed
    # term by term, per horizon: the same to 1e-10 relative (new, light, heavy, lapsed
    # and just-bought customers; the horizons of a 10-year monthly forecast's ends)
    m = _fixed(cls, k, {"r": 0.76, "alpha": 2.9, "a": 0.56, "b": 2.7})
    x = np.array([0.0, 0.0, 1.0, 3.0, 12.0, 40.0, 96.0, 5.0])
    tx = np.array([0.0, 0.0, 2.0, 30.0, 50.0, 99.0, 100.0, 6.0])
    T = np.array([0.0, 20.0, 60.0, 52.0, 100.0, 100.0, 101.0, 104.0])
    grid = np.array([0.0, 4.348, 52.18, 260.9, 521.8])
    got = m._expected(x, tx, T, grid)
    assert got.shape == (len(x), len(grid))
    assert np.all(got[:, 0] == 0)
    for h, t in enumerate(grid[1:], start=1):
        want = _reference_series(m, x, tx, T, np.full(len(x), t))
        np.testing.assert_allclose(got[:, h], want, rtol=1e-10)
        np.testing.assert_allclose(m._expected(x, tx, T, t), want, rtol=1e-10)
