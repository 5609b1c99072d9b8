import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

import retainkit as rk
from retainkit.clv import BetaGeoModel
from retainkit.clv._base import compress
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    NotFittedError,
    SchemaError,
)
from tests.clv.conftest import central_hessian

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return BetaGeoModel().fit(cdnow_summary)


def _published_model():
    m = BetaGeoModel()
    m.params_ = dict(PUBLISHED)
    m.time_unit_ = "weeks"
    return m


def test_reproduces_the_published_cdnow_estimates(fitted):
    # Fader, Hardie & Lee (2005), table 1: r=0.243, alpha=4.414, a=0.793, b=2.426, LL -9582.4
    assert {k: round(v, 3) for k, v in fitted.params_.items()} == PUBLISHED
    assert round(fitted.log_likelihood_, 1) == -9582.4
    assert fitted.n_customers_ == 2357
    assert fitted.time_unit_ == "weeks"


def test_published_point_prediction():
    # Fader, Hardie & Lee (2005), section 5: E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226
    s = pd.DataFrame({"customer_id": ["1"], "frequency": [2], "recency": [30.43], "T": [38.86]})
    got = _published_model().expected_purchases(s, t=39)
    assert round(float(got.iloc[0]), 3) == 1.226
    assert got.name == "expected_purchases_39_weeks"
    assert got.attrs == {"t": 39, "time_unit": "weeks"}


def test_probability_alive_by_hand():
    # 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
    # = 1 / (1 + 0.793/3.426 * (43.274/34.844)^2.243) = 1 / (1 + 0.23147 * 1.62582) = 0.72656
    s = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86] * 2}
    )
    p = _published_model().probability_alive(s)
    np.testing.assert_allclose(p.to_numpy(), [0.72656, 1.0], atol=1e-4)


def test_new_customer_expectation_matches_the_closed_form():
    # E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
    from scipy.special import hyp2f1

    r, alpha, a, b = PUBLISHED.values()
    t = np.array([1.0, 39.0, 78.0])
    direct = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )
    np.testing.assert_allclose(_published_model().expected_purchases_new_customer(t), direct)


def test_analytic_gradient_matches_finite_differences(cdnow_summary):
    m = BetaGeoModel()
    data = m._build(compress(m._columns(cdnow_summary)))
    for point in ([0.3, 4.0, 0.8, 2.0], [1.2, 10.0, 2.5, 0.7]):
        p = np.array(point)
        numeric = approx_fprime(p, lambda q: m._neg_ll_and_grad(q, data)[0], 1e-7)
        np.testing.assert_allclose(m._neg_ll_and_grad(p, data)[1], numeric, rtol=1e-4)


def test_compressed_rows_give_the_same_likelihood_as_every_customer(cdnow_summary):
    m = BetaGeoModel()
    rows = compress(m._columns(cdnow_summary))
    assert len(rows.weights) < len(cdnow_summary)  # identical rows do compress
    assert rows.weights.sum() == len(cdnow_summary)
    per_customer = m._build(
        type(rows)(
            [c.astype(float) for c in m._columns(cdnow_summary)],
            [np.arange(len(cdnow_summary))] * 3,
            np.ones(len(cdnow_summary)),
        )
    )
    p = np.array(list(PUBLISHED.values()))
    assert m._neg_ll_and_grad(p, m._build(rows))[0] == pytest.approx(
        m._neg_ll_and_grad(p, per_customer)[0], rel=1e-12
    )


def test_recovers_the_simulated_shop_parameters(simulated_shop):
    truth = simulated_shop.parameters
    summary = rk.customer_summary(simulated_shop.transactions, time_unit="weeks")
    m = BetaGeoModel().fit(summary)
    for name in ("r", "alpha", "a", "b"):
        est, se = m.params_[name], m.standard_errors_[name]
        assert abs(est - getattr(truth, name)) < 3 * se, (name, est, se)


def test_summary_table_has_intervals(fitted):
    table = fitted.summary()
    assert table["parameter"].tolist() == ["r", "alpha", "a", "b"]
    # the interval is symmetric on the log scale: log(upper / estimate) = 1.96 se / estimate
    np.testing.assert_allclose(
        np.log(table["upper_95"] / table["estimate"]),
        1.959964 * table["standard_error"] / table["estimate"],
        rtol=1e-6,
    )
    assert (table["lower_95"] > 0).all()
    # standard errors at the published fit, as lifetimes documents them for this data:
    # r 0.012557, alpha 0.378221, a 0.185719, b 0.705345
    np.testing.assert_allclose(table["standard_error"], [0.0126, 0.378, 0.186, 0.705], rtol=0.02)


def test_predict_and_matrix(fitted, cdnow_summary):
    out = fitted.predict(cdnow_summary.head(3), t=10)
    assert list(out.columns) == ["customer_id", "probability_alive", "expected_purchases"]
    grid = fitted.frequency_recency_matrix(T=38.86, max_frequency=5, bins=5)
    assert grid.shape == (6, 5)
    # with no repeat purchase the customer is alive for sure
    assert (grid.loc[0] == 1.0).all()


def test_errors_name_the_problem(cdnow_summary):
    with pytest.raises(NotFittedError, match="fit"):
        BetaGeoModel().probability_alive(cdnow_summary)
    with pytest.raises(SchemaError, match="recency"):
        BetaGeoModel().fit(cdnow_summary.drop(columns="recency"))
    doubled = pd.concat([cdnow_summary.head(3), cdnow_summary.head(1)])
    with pytest.raises(DataValidationError, match="repeats"):
        BetaGeoModel().fit(doubled)
    late = cdnow_summary.head(5).assign(recency=100.0)
    with pytest.raises(DataValidationError, match="exceeds 'T'"):
        BetaGeoModel().fit(late)
    with pytest.raises(ValueError, match="penalizer"):
        BetaGeoModel(penalizer=-1)
    days = cdnow_summary.head(5).copy()
    days.attrs = {"time_unit": "days"}
    with pytest.raises(ValueError, match="time unit is 'days'"):
        _published_model().probability_alive(days)


def test_boundary_fit_raises_convergence_error_with_a_remedy():
    # customers who buy every few weeks and never stop: dropout shows no spread across
    # customers, so a and b run off to infinity together
    rng = np.random.default_rng(1)
    rows = []
    for c in range(300):
        day = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 500)))
        for _ in range(int(rng.integers(1, 9))):
            rows.append((f"c{c}", day))
            day += pd.Timedelta(days=int(rng.integers(5, 121)))
            if day > pd.Timestamp("2024-06-30"):
                break
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    s = rk.customer_summary(frame, as_of="2024-06-30", time_unit="weeks")
    with pytest.raises(ConvergenceError, match="penalizer"):
        BetaGeoModel().fit(s)
    fitted, note = rk.clv.fit_with_fallback(BetaGeoModel, s)
    assert fitted.penalizer > 0 and "penalizer" in note


def test_expectation_at_a_equal_one_is_the_limit():
    # at a = 1 the closed form is 0/0; its limit, expanding (1-z)^e and 2F1(c, e; d; z)
    # to first order in e = a - 1, is (b+x) * [-ln(1-z) - sum_k (c)_k z^k / ((d)_k k)]
    # with c = b - r, d = b + x, z = t / (alpha + T + t), times P(alive)
    r, alpha, b = 0.5, 6.0, 2.0
    m = BetaGeoModel()
    m.params_ = {"r": r, "alpha": alpha, "a": 1.0, "b": b}
    m.time_unit_ = "weeks"
    s = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [0, 3], "recency": [0.0, 20.0], "T": [0.0, 30.0]}
    )
    got = m.expected_purchases(s, t=10).to_numpy()
    assert np.isfinite(got).all()
    alive = m.probability_alive(s).to_numpy()
    k = np.arange(1, 400)
    want = []
    for x, T, p in zip(s["frequency"], s["T"], alive, strict=True):
        z = 10 / (alpha + T + 10)
        ratio = np.cumprod((b - r + k - 1) / (b + x + k - 1))  # (c)_k / (d)_k
        series = np.sum(ratio * z**k / k)
        want.append((b + x) * (-np.log1p(-z) - series) * p)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_expectation_where_a_plus_b_is_one_is_continuous():
    # a + b = 1 puts the hypergeometric term's pole at x = 0; the value there lies
    # between its neighbours at b -+ 0.001 (the expectation is smooth in b)
    s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0], "T": [0.0]})

    def at(b):
        m = BetaGeoModel()
        m.params_ = {"r": 1.0, "alpha": 1.0, "a": 0.95, "b": b}
        m.time_unit_ = "weeks"
        return float(m.expected_purchases(s, t=52).iloc[0])

    low, mid, high = at(0.049), at(0.05), at(0.051)
    assert np.isfinite(mid)
    assert min(low, high) <= mid <= max(low, high)
    assert mid == pytest.approx((low + high) / 2, rel=1e-4)


def test_analytic_hessian_matches_differences_of_the_gradient(cdnow_summary):
    m = BetaGeoModel()
    data = m._build(compress(m._columns(cdnow_summary)))
    for point in ([0.3, 4.0, 0.8, 2.0], [1.2, 10.0, 2.5, 0.7]):
        p = np.array(point)
        hessian = m._neg_ll_grad_hess(p, data)[2]
        np.testing.assert_allclose(hessian, central_hessian(m, data, p), rtol=1e-5)


def test_covariates_have_no_analytic_hessian_and_fit_as_before():
    # a fit with covariates evaluates another likelihood (per row alpha, a, b): it takes
    # the finite-difference route, which needs _neg_ll_grad_hess to decline
    m = BetaGeoModel()
    m._free_names = ("trans.z", "life.z")
    rows = compress(
        [
            np.array([0.0, 1.0, 2.0]),
            np.array([0.0, 3.0, 5.0]),
            np.full(3, 9.0),
            np.array([0.0, 1.0, 1.0]),
        ]
    )
    data = m._build(rows)
    assert "Z" in data
    assert m._neg_ll_grad_hess(np.array([1.0, 2.0, 1.0, 1.0, 0.0, 0.0]), data) is None
