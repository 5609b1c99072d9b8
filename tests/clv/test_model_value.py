import numpy as np
import pandas as pd
import pytest

from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.clv.model_value import (
    acquisition_budget,
    clv_forecast,
    customer_value,
    incentive_check,
    new_customer_value,
    payback_months,
)
from tests.clv.conftest import flat_forecast


def test_customer_value_by_hand():
    f = flat_forecast()
    # no discount: 12 months x 0.5 purchases x 100 x 0.4 margin = 240
    v = customer_value(f, horizon_years=1, discount_rate=0.0, margin=0.4)
    assert v["expected_purchases"].iloc[0] == pytest.approx(6.0)
    assert v["expected_revenue"].iloc[0] == pytest.approx(600.0)
    assert v["clv"].iloc[0] == pytest.approx(240.0)
    # 10% a year: each month's 20 of profit discounted by 1.1^-(k/12)
    expected = sum(20 * 1.1 ** (-k / 12) for k in range(1, 13))
    v = customer_value(f, horizon_years=1, discount_rate=0.1, margin=0.4)
    assert v["clv"].iloc[0] == pytest.approx(expected)
    # half a year counts six months
    v = customer_value(f, horizon_years=0.5, discount_rate=0.0, margin=0.4)
    assert v["clv"].iloc[0] == pytest.approx(120.0)
    with pytest.raises(ValueError, match="exceeds"):
        customer_value(f, horizon_years=3)


def test_new_customer_value_and_payback_by_hand():
    f = flat_forecast()
    # first purchase 100 x 0.4 = 40, then 6 repeats a year x 40 = 240: 280 undiscounted
    assert new_customer_value(f, horizon_years=1, discount_rate=0.0, margin=0.4) == pytest.approx(
        280.0
    )
    # cost 40 is paid by the first purchase; cost 60 needs half a repeat = one month
    assert payback_months(f, cost=40, margin=0.4) == 0.0
    assert payback_months(f, cost=60, margin=0.4) == pytest.approx(1.0)
    assert np.isnan(payback_months(f, cost=1e9, margin=0.4))


def test_model_clv_on_cdnow(cdnow_summary):
    bg = BetaGeoModel().fit(cdnow_summary)
    gg = GammaGammaModel().fit(cdnow_summary)
    f = clv_forecast(bg, gg, cdnow_summary, max_horizon_years=2)
    v = customer_value(f, horizon_years=1, discount_rate=0.0, margin=1.0)
    # undiscounted expected purchases over a year equal the model's own prediction
    one_year = 365.2425 / 7
    np.testing.assert_allclose(
        v["expected_purchases"], bg.expected_purchases(cdnow_summary, t=one_year), rtol=1e-9
    )
    np.testing.assert_allclose(
        v["clv"], v["expected_purchases"] * gg.expected_spend(cdnow_summary), rtol=1e-9
    )
    discounted = customer_value(f, horizon_years=1, discount_rate=0.1, margin=1.0)
    assert (discounted["clv"] <= v["clv"] + 1e-12).all()


def test_acquisition_budget_on_cdnow(cdnow_summary):
    segments = pd.DataFrame(
        {
            "customer_id": cdnow_summary["customer_id"],
            "half": np.where(np.arange(len(cdnow_summary)) % 2 == 0, "even", "odd"),
        }
    )
    b = acquisition_budget(
        cdnow_summary,
        segments=segments,
        by="half",
        horizon_years=2,
        discount_rate=0.1,
        margin=0.3,
        target_profit_share=0.5,
    )
    assert b["segment"].tolist() == ["all customers", "even", "odd"]
    assert b["customers"].tolist() == [2357, 1179, 1178]
    np.testing.assert_allclose(b["max_acquisition_cost"], b["new_customer_value"] * 0.5)
    # two random halves of one population are worth about the same
    assert b["new_customer_value"].iloc[1] == pytest.approx(
        b["new_customer_value"].iloc[2], rel=0.25
    )


def test_acquisition_budget_reuses_fits_of_all_customers(cdnow_summary):
    options = {"horizon_years": 2, "discount_rate": 0.1, "margin": 0.3, "target_profit_share": 0.5}
    plain = acquisition_budget(cdnow_summary, **options)
    bg = BetaGeoModel().fit(cdnow_summary)
    gg = GammaGammaModel().fit(cdnow_summary)
    reused = acquisition_budget(cdnow_summary, purchases=bg, spend=gg, **options)
    pd.testing.assert_frame_equal(reused, plain)  # the same fits, not fitted again
    # the models given are the ones used: fits on half the customers give another value
    half = cdnow_summary.iloc[::2]
    other = acquisition_budget(
        cdnow_summary,
        purchases=BetaGeoModel().fit(half),
        spend=GammaGammaModel().fit(half),
        **options,
    )
    assert other["new_customer_value"].iloc[0] != pytest.approx(
        plain["new_customer_value"].iloc[0], rel=1e-6
    )
    assert other["new_customer_value"].iloc[0] == pytest.approx(
        acquisition_budget(half, **options)["new_customer_value"].iloc[0], rel=1e-9
    )


def test_incentive_check_by_hand():
    t = incentive_check(10_000, 199, lifespan_years=5, target_profit_share=0.5, currency="$")
    values = dict(zip(t["measure"], t["value"], strict=True))
    assert values["incentive as a share of the lifetime value"] == pytest.approx(0.0199)
    assert values["allowable acquisition cost"] == 5000.0
    # 10,000 over 60 months = 166.67 a month: 199 / 166.67 = 1.194 months
    assert values["months to pay back the incentive"] == pytest.approx(1.194, abs=1e-3)
    assert t["shown"].iloc[2] == "$5,000"
