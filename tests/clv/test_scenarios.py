import numpy as np
import pytest

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
