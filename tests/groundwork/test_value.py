"""The value lost, the lifetime annuity and the concentration of the losses, by hand."""

import pytest

from retainkit import groundwork as g


def test_value_lost_by_hand(status):
    v = g.value_lost(status, horizon_years=20, discount_rate=0).iloc[0]
    assert v["revenue_lost"] == 225.0  # 150 + 30 + 45
    assert v["profit_lost"] == pytest.approx(67.5)  # 30% margin
    assert v["lifetime_revenue_lost"] == pytest.approx(4500.0)
    assert v["lifetime_profit_lost"] == pytest.approx(1350.0)
    # a year before the window all customers brought 290, the lost ones 150 + 20
    assert v["lost_share_of_revenue"] == pytest.approx(170 / 290)


def test_lifetime_value_annuity():
    assert g.lifetime_value(12_000, horizon_years=20, discount_rate=0) == pytest.approx(240_000)
    # one year at 10%: twelve payments of 1,000 at the monthly rate 1.1 ** (1/12) - 1
    i = 1.1 ** (1 / 12) - 1
    expected = sum(1000 / (1 + i) ** k for k in range(1, 13))
    assert g.lifetime_value(12_000, horizon_years=1, discount_rate=0.1) == pytest.approx(expected)
    with pytest.raises(ValueError, match="horizon_years"):
        g.lifetime_value(1.0, horizon_years=-1, discount_rate=0)


def test_loss_concentration_and_durations(status):
    conc = g.loss_concentration(status)
    assert conc["customer_id"].tolist() == ["A", "E", "C"]
    assert conc["cumulative_share"].tolist() == pytest.approx([150 / 225, 195 / 225, 1.0])
    d = g.tenure_durations(status).set_index("customer_id")
    assert d.loc["A", "tenure_days"] == 202 and d.loc["A", "lost"]
    assert not d.loc["B", "lost"] and d.loc["D", "lost"]
