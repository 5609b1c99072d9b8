import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

import retainkit as rk
from retainkit.clv import GammaGammaModel, independence_check
from retainkit.clv._base import compress
from retainkit.exceptions import DataValidationError, SchemaError


def _published():
    m = GammaGammaModel()
    m.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    m.time_unit_ = "weeks"
    return m


def test_reproduces_the_published_cdnow_estimates(cdnow_summary):
    # Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": the 946 repeat
    # customers give p=6.25, q=3.74, gamma=15.44, LL -4055.92
    m = GammaGammaModel().fit(cdnow_summary)
    assert {k: round(v, 2) for k, v in m.params_.items()} == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert round(m.log_likelihood_, 2) == -4055.92
    assert m.n_customers_ == 946
    assert m.excluded_customers_ == 0


def test_expected_spend_by_hand():
    # repeat customer: p (gamma + x m) / (p x + q - 1) = 6.25 * (15.44 + 2 * 22.35) / (12.5 + 2.74)
    #   = 6.25 * 60.14 / 15.24 = 24.664
    # no repeats: the population mean p gamma / (q - 1) = 6.25 * 15.44 / 2.74 = 35.219
    s = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "frequency": [2, 0, 3], "monetary_value": [22.35, 0, -4]}
    )
    got = _published().expected_spend(s).to_numpy()
    np.testing.assert_allclose(got, [24.664, 35.219, 35.219], atol=1e-3)


def test_analytic_gradient_matches_finite_differences(cdnow_summary):
    m = GammaGammaModel()
    data = m._build(compress(m._columns(cdnow_summary)))
    p = np.array([5.0, 3.0, 12.0])
    numeric = approx_fprime(p, lambda q: m._neg_ll_and_grad(q, data)[0], 1e-7)
    np.testing.assert_allclose(m._neg_ll_and_grad(p, data)[1], numeric, rtol=1e-4)


def test_recovers_the_simulated_shop_parameters(simulated_shop):
    truth = simulated_shop.parameters
    summary = rk.customer_summary(simulated_shop.transactions, time_unit="weeks")
    m = GammaGammaModel().fit(summary)
    for name in ("p", "q", "gamma"):
        est, se = m.params_[name], m.standard_errors_[name]
        assert abs(est - getattr(truth, name)) < 3 * se, (name, est, se)


def test_customers_with_net_negative_spend_are_left_out(cdnow_summary):
    s = cdnow_summary.copy()
    repeaters = s.index[s["frequency"] > 0][:3]
    s.loc[repeaters, "monetary_value"] = -1.0
    m = GammaGammaModel().fit(s)
    assert m.excluded_customers_ == 3 and m.n_customers_ == 943


def test_needs_money_and_repeat_customers(cdnow_summary):
    with pytest.raises(SchemaError, match="needs money"):
        GammaGammaModel().fit(cdnow_summary.drop(columns="monetary_value"))
    with pytest.raises(DataValidationError, match="no customers to fit"):
        GammaGammaModel().fit(cdnow_summary.assign(frequency=0))


def test_independence_check_on_cdnow(cdnow_summary):
    # Fader & Hardie (2013) report a correlation of 0.11 between frequency and spend
    check = independence_check(cdnow_summary)
    assert check["customers"] == 946
    assert round(check["pearson"], 2) == 0.11
    assert "fair approximation" in check["verdict"]
    strong = pd.DataFrame({"frequency": [1, 2, 3, 4, 5, 6], "monetary_value": [1, 2, 3, 4, 5, 7.0]})
    assert "strained" in independence_check(strong)["verdict"]
