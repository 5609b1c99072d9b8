import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from retainkit.clv import ModifiedBetaGeoModel
from retainkit.clv._base import compress
from retainkit.exceptions import DataValidationError, NotFittedError, SchemaError
from tests.clv.conftest import central_hessian

# Batislam, Denizel & Filiztekin (2007) model on the CDNOW sample calibration (weeks), as
# lifetimes' ModifiedBetaGeoFitter and BTYDplus's mbgnbd.EstimateParameters report it
PUBLISHED = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return ModifiedBetaGeoModel().fit(cdnow_summary)


def _model(params=PUBLISHED):
    m = ModifiedBetaGeoModel()
    m.params_ = dict(params)
    m.time_unit_ = "weeks"
    return m


def _log_likelihood(params, x, tx, T):
    m = ModifiedBetaGeoModel()
    data = m._build(compress([np.array(x, float), np.array(tx, float), np.array(T, float)]))
    return -m._neg_ll_and_grad(np.array(list(params.values()), float), data)[0]


def test_reproduces_the_published_cdnow_estimates(fitted, cdnow_summary):
    assert {k: round(v, 3) for k, v in fitted.params_.items()} == PUBLISHED
    assert fitted.n_customers_ == len(cdnow_summary) == 2357
    assert fitted.time_unit_ == "weeks"
    table = fitted.summary()
    assert table["parameter"].tolist() == ["r", "alpha", "a", "b"]
    assert table.attrs["model"] == "MBG/NBD"
    assert (table["standard_error"] > 0).all()


def test_likelihood_by_hand():
    # r = 1, alpha = 2, a = 1, b = 2.
    # x = 0, T = 5: alive after the first purchase, E[1 - p] = b / (a + b) = 2/3, and no
    #   purchase in 5 weeks, E[exp(-5 lambda)] = (alpha / (alpha + 5))^r = 2/7; or gone at
    #   once, E[p] = 1/3: L = 4/21 + 1/3 = 11/21.
    # x = 1, t_x = 2, T = 5: alive, E[(1-p)^2] = B(1, 4) / B(1, 2) = 1/2, times
    #   E[lambda exp(-5 lambda)] = r alpha^r / (alpha + 5)^(r+1) = 2/49; or gone at the
    #   repeat purchase, E[p (1-p)] = B(2, 3) / B(1, 2) = 1/6, times 2/16:
    #   L = 1/49 + 1/48.
    params = {"r": 1.0, "alpha": 2.0, "a": 1.0, "b": 2.0}
    got = _log_likelihood(params, [0, 1], [0.0, 2.0], [5.0, 5.0])
    assert got == pytest.approx(math.log(11 / 21) + math.log(1 / 49 + 1 / 48), rel=1e-12)


def test_analytic_gradient_matches_finite_differences(cdnow_summary):
    m = ModifiedBetaGeoModel()
    data = m._build(compress(m._columns(cdnow_summary)))
    for point in ([0.5, 6.0, 0.9, 1.6], [1.2, 10.0, 2.5, 0.7]):
        p = np.array(point)
        numeric = approx_fprime(p, lambda q: m._neg_ll_and_grad(q, data)[0], 1e-7)
        np.testing.assert_allclose(m._neg_ll_and_grad(p, data)[1], numeric, rtol=1e-4)


def test_probability_alive_by_hand():
    # 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)):
    # x = 2: 0.891/3.614 * (45.043/36.613)^2.525 = 0.246541 * 1.687446 = 0.416025 -> 0.706202
    # x = 0: 0.891/1.614 * (45.043/6.183)^0.525 = 0.552045 * 2.836447 = 1.565845 -> 0.389735
    s = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86] * 2}
    )
    np.testing.assert_allclose(_model().probability_alive(s), [0.706202, 0.389735], atol=1e-6)


def test_expectations_match_the_closed_forms():
    # lifetimes' ModifiedBetaGeoFitter: new customer b/(a-1) [1 - (alpha/(alpha+t))^r
    # 2F1(r, b+1; a+b; t/(alpha+t))]; conditional (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))
    # ^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))] P(alive)
    r, alpha, a, b = PUBLISHED.values()
    t = np.array([1.0, 39.0, 78.0])
    new = b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1, a + b, t / (alpha + t)))
    m = _model()
    np.testing.assert_allclose(m.expected_purchases_new_customer(t), new, rtol=1e-10)
    x, tx, T = 2.0, 30.43, 38.86
    s = pd.DataFrame({"customer_id": ["a"], "frequency": [x], "recency": [tx], "T": [T]})
    alive = float(m.probability_alive(s).iloc[0])
    z = 39 / (alpha + T + 39)
    direct = (
        (a + b + x)
        / (a - 1)
        * (1 - ((alpha + T) / (alpha + T + 39)) ** (r + x) * hyp2f1(r + x, b + x + 1, a + b + x, z))
        * alive
    )
    assert float(m.expected_purchases(s, t=39).iloc[0]) == pytest.approx(direct, rel=1e-10)


def test_expectation_at_a_equal_one_lies_between_its_neighbours():
    s = pd.DataFrame({"customer_id": ["a"], "frequency": [3], "recency": [20.0], "T": [30.0]})

    def at(a):
        return float(
            _model({"r": 0.5, "alpha": 6.0, "a": a, "b": 2.0}).expected_purchases(s, t=10).iloc[0]
        )

    low, mid, high = at(0.999), at(1.0), at(1.001)
    assert np.isfinite(mid)
    assert mid == pytest.approx((low + high) / 2, rel=1e-5)


def test_one_time_buyers_are_not_all_alive(fitted, cdnow_summary):
    once = cdnow_summary[cdnow_summary["frequency"] == 0]
    p = fitted.probability_alive(once)
    assert (p < 1).all() and (p > 0).all()
    out = fitted.predict(cdnow_summary.head(3), t=10)
    assert list(out.columns) == ["customer_id", "probability_alive", "expected_purchases"]


def test_errors_name_the_problem(cdnow_summary):
    with pytest.raises(NotFittedError, match="fit"):
        ModifiedBetaGeoModel().probability_alive(cdnow_summary)
    with pytest.raises(SchemaError, match="recency"):
        ModifiedBetaGeoModel().fit(cdnow_summary.drop(columns="recency"))
    with pytest.raises(DataValidationError, match="exceeds 'T'"):
        ModifiedBetaGeoModel().fit(cdnow_summary.head(5).assign(recency=100.0))
    with pytest.raises(DataValidationError, match="frequency"):
        ModifiedBetaGeoModel().fit(cdnow_summary.head(5).assign(frequency=-1))
    with pytest.raises(ValueError, match="penalizer"):
        ModifiedBetaGeoModel(penalizer=-1)


def test_analytic_hessian_matches_differences_of_the_gradient(cdnow_summary):
    m = ModifiedBetaGeoModel()
    data = m._build(compress(m._columns(cdnow_summary)))
    for point in ([0.5, 6.0, 0.9, 1.6], [1.2, 10.0, 2.5, 0.7]):
        p = np.array(point)
        hessian = m._neg_ll_grad_hess(p, data)[2]
        np.testing.assert_allclose(hessian, central_hessian(m, data, p), rtol=1e-5)
