import numpy as np
import pytest

from retainkit.clv.model_value import ClvForecast, customer_value
from retainkit.clv.scenarios import scenario_table, sensitivity_table
from tests.clv.conftest import flat_forecast


def test_scenarios():
    f = flat_forecast(months=120)
    t = scenario_table(f, baseline_retention=0.6, retention_uplift_points=0.0, horizon_years=5)
    np.testing.assert_allclose(t["change"], 0.0)
    up = scenario_table(f, baseline_retention=0.6, retention_uplift_points=5.0, horizon_years=5)
    assert (up["change"] > 0).all()
    # by hand for one year, no discount: sum 0.65^(k/12) / sum 0.6^(k/12), k = 1..12
    one = scenario_table(
        f, baseline_retention=0.6, retention_uplift_points=5.0, horizon_years=1, discount_rate=0.0
    )
    k = np.arange(1, 13) / 12
    assert one["change"].iloc[0] == pytest.approx((0.65**k).sum() / (0.6**k).sum() - 1)
    sens = sensitivity_table(f, baseline_retention=0.6)
    assert len(sens) == 12
    base = sens[(sens["lever"] == "discount rate") & (sens["value"] == "10% a year")]
    assert base["change"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def _three_customers(spend_b):
    # a buys 0.5 a month at 100, b 0.25 a month at spend_b (NaN: no spend known), c 1 a
    # month at 40; 24 months
    months = np.arange(1, 25)
    cum = np.vstack([0.5 * months, 0.25 * months, 1.0 * months])
    return ClvForecast(
        customer_id=np.array(["a", "b", "c"]),
        probability_alive=np.ones(3),
        expected_spend=np.array([100.0, spend_b, 40.0]),
        grid_years=months / 12,
        cumulative=cum,
        new_cumulative=0.5 * months,
        new_spend=80.0,
        time_unit="weeks",
    )


def test_scenario_totals_are_customer_value_totals_skipping_unpriced_customers():
    # undiscounted, 1 year, margin 0.5: a 6 purchases x 100 x 0.5 = 300; c 12 x 40 x 0.5
    # = 240; b has no spend, so customer_value's clv is NaN for b and the sum and mean
    # skip b: total 540, mean 270 (not 540 / 3)
    nan_b = _three_customers(float("nan"))
    t = scenario_table(
        nan_b, baseline_retention=0.6, discount_rate=0.0, margin=0.5, horizon_years=1.0
    ).set_index("measure")["baseline"]
    assert t["lifetime value of all current customers"] == pytest.approx(540.0)
    assert t["lifetime value per customer"] == pytest.approx(270.0)
    # revenue: a 600 + c 480
    assert t["expected revenue from current customers over the horizon"] == pytest.approx(1080.0)
    # another forecast right after (the sums of the last one are kept): b at 20 adds
    # 3 purchases x 20 x 0.5 = 30, mean (300 + 30 + 240) / 3 = 190
    priced_b = _three_customers(20.0)
    for forecast, total, mean in ((priced_b, 570.0, 190.0), (nan_b, 540.0, 270.0)):
        t = scenario_table(
            forecast, baseline_retention=0.6, discount_rate=0.0, margin=0.5, horizon_years=1.0
        ).set_index("measure")["baseline"]
        values = customer_value(forecast, horizon_years=1.0, discount_rate=0.0, margin=0.5)
        assert t["lifetime value of all current customers"] == pytest.approx(total)
        assert t["lifetime value per customer"] == pytest.approx(mean)
        assert values["clv"].sum() == pytest.approx(total)
        assert values["clv"].mean() == pytest.approx(mean)
