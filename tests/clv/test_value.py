import numpy as np
import pandas as pd
import pytest

from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.clv import value as V
from retainkit.exceptions import SchemaError


def _flat_forecast(months=24, spend=100.0, per_month=0.5):
    """One customer expected to buy `per_month` times a month, at `spend` each."""
    grid = np.arange(1, months + 1) / 12
    cum = per_month * np.arange(1, months + 1)
    return V.ClvForecast(
        customer_id=np.array(["a"]),
        probability_alive=np.ones(1),
        expected_spend=np.array([spend]),
        grid_years=grid,
        cumulative=cum[None, :],
        new_cumulative=cum,
        new_spend=spend,
        time_unit="weeks",
    )


def test_customer_value_by_hand():
    f = _flat_forecast()
    # no discount: 12 months x 0.5 purchases x 100 x 0.4 margin = 240
    v = V.customer_value(f, horizon_years=1, discount_rate=0.0, margin=0.4)
    assert v["expected_purchases"].iloc[0] == pytest.approx(6.0)
    assert v["expected_revenue"].iloc[0] == pytest.approx(600.0)
    assert v["clv"].iloc[0] == pytest.approx(240.0)
    # 10% a year: each month's 20 of profit discounted by 1.1^-(k/12)
    expected = sum(20 * 1.1 ** (-k / 12) for k in range(1, 13))
    v = V.customer_value(f, horizon_years=1, discount_rate=0.1, margin=0.4)
    assert v["clv"].iloc[0] == pytest.approx(expected)
    # half a year counts six months
    v = V.customer_value(f, horizon_years=0.5, discount_rate=0.0, margin=0.4)
    assert v["clv"].iloc[0] == pytest.approx(120.0)
    with pytest.raises(ValueError, match="exceeds"):
        V.customer_value(f, horizon_years=3)


def test_new_customer_value_and_payback_by_hand():
    f = _flat_forecast()
    # first purchase 100 x 0.4 = 40, then 6 repeats a year x 40 = 240: 280 undiscounted
    assert V.new_customer_value(f, horizon_years=1, discount_rate=0.0, margin=0.4) == pytest.approx(
        280.0
    )
    # cost 40 is paid by the first purchase; cost 60 needs half a repeat = one month
    assert V.payback_months(f, cost=40, margin=0.4) == 0.0
    assert V.payback_months(f, cost=60, margin=0.4) == pytest.approx(1.0)
    assert np.isnan(V.payback_months(f, cost=1e9, margin=0.4))


def test_model_clv_on_cdnow(cdnow_summary):
    bg = BetaGeoModel().fit(cdnow_summary)
    gg = GammaGammaModel().fit(cdnow_summary)
    f = V.clv_forecast(bg, gg, cdnow_summary, max_horizon_years=2)
    v = V.customer_value(f, horizon_years=1, discount_rate=0.0, margin=1.0)
    # undiscounted expected purchases over a year equal the model's own prediction
    one_year = 365.2425 / 7
    np.testing.assert_allclose(
        v["expected_purchases"], bg.expected_purchases(cdnow_summary, t=one_year), rtol=1e-9
    )
    np.testing.assert_allclose(
        v["clv"], v["expected_purchases"] * gg.expected_spend(cdnow_summary), rtol=1e-9
    )
    discounted = V.customer_value(f, horizon_years=1, discount_rate=0.1, margin=1.0)
    assert (discounted["clv"] <= v["clv"] + 1e-12).all()


def test_historical_clv_by_hand():
    s = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "revenue": [300.0, 50.0, -20.0],
            "purchase_days": [3, 1, 1],
            "T": [104.0, 13.0, 52.0],
        }
    )
    s.attrs["time_unit"] = "weeks"
    h = V.historical_clv(s, lifespan_years=2, margin=0.5)
    # a: AOV 100, 3 purchases over 728/365.2425 years = 1.5051 a year: 100 x 1.5051 x 2 x 0.5
    # b: 13 weeks counts as one year: 50 x 1 x 2 x 0.5 = 50; c: returns outweigh: 0
    np.testing.assert_allclose(h["historical_clv"], [150.51, 50.0, 0.0], atol=0.01)
    seg = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["web", "shop"]})
    by = V.historical_clv_by_segment(s, seg, by="channel", lifespan_years=2, margin=0.5)
    assert by["segment"].tolist() == ["shop", "unknown", "web"]
    with pytest.raises(SchemaError, match="revenue"):
        V.historical_clv(s.drop(columns="revenue"), lifespan_years=2)


def test_acquisition_budget_on_cdnow(cdnow_summary):
    segments = pd.DataFrame(
        {
            "customer_id": cdnow_summary["customer_id"],
            "half": np.where(np.arange(len(cdnow_summary)) % 2 == 0, "even", "odd"),
        }
    )
    b = V.acquisition_budget(
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


def test_incentive_check_by_hand():
    t = V.incentive_check(10_000, 199, lifespan_years=5, target_profit_share=0.5, currency="$")
    values = dict(zip(t["measure"], t["value"], strict=True))
    assert values["incentive as a share of the lifetime value"] == pytest.approx(0.0199)
    assert values["allowable acquisition cost"] == 5000.0
    # 10,000 over 60 months = 166.67 a month: 199 / 166.67 = 1.194 months
    assert values["months to pay back the incentive"] == pytest.approx(1.194, abs=1e-3)
    assert t["shown"].iloc[2] == "$5,000"


def test_scenarios():
    f = _flat_forecast(months=120)
    t = V.scenario_table(f, baseline_retention=0.6, retention_uplift_points=0.0, horizon_years=5)
    np.testing.assert_allclose(t["change"], 0.0)
    up = V.scenario_table(f, baseline_retention=0.6, retention_uplift_points=5.0, horizon_years=5)
    assert (up["change"] > 0).all()
    # by hand for one year, no discount: sum 0.65^(k/12) / sum 0.6^(k/12), k = 1..12
    one = V.scenario_table(
        f, baseline_retention=0.6, retention_uplift_points=5.0, horizon_years=1, discount_rate=0.0
    )
    k = np.arange(1, 13) / 12
    assert one["change"].iloc[0] == pytest.approx((0.65**k).sum() / (0.6**k).sum() - 1)
    sens = V.sensitivity_table(f, baseline_retention=0.6)
    assert len(sens) == 12
    base = sens[(sens["lever"] == "discount rate") & (sens["value"] == "10% a year")]
    assert base["change"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def test_clv_by_segment_and_helpers():
    v = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "probability_alive": [1.0, 0.5, 0.5],
            "clv": [30.0, 10.0, 60.0],
        }
    )
    seg = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["web", "web", "app"]})
    out = V.clv_by_segment(v, seg, by="channel")
    assert out["clv_total"].tolist() == [60.0, 40.0]
    assert V.pick_segment_column(None) is None
    assert V.pick_segment_column(seg.rename(columns={"channel": "region"})) == "region"
    frame = pd.DataFrame(
        {"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [10.0]}
    )
    assert V.resolve_margin(frame, 0.25)[0] == 0.25
