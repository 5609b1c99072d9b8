"""The groundwork's key figures, with a full and a short history."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import groundwork as g


def test_key_figures_and_short_history(shop, status):
    value = rk.ValueAssumptions(horizon_years=20, discount_rate=0)
    figs = g.loss_figures(status, value=value).to_dict()["figures"]
    assert figs["groundwork.customers_lost_12m"] == 3
    assert figs["groundwork.churn_rate_12m"] == pytest.approx(2 / 3)
    assert figs["groundwork.revenue_lost_12m"] == 225.0
    assert figs["groundwork.lifetime_value_lost"] == pytest.approx(1350.0)
    # a 450-day history cannot hold a 365-day window plus 90 days of silence
    w = g.churn_window(shop, as_of="2024-07-24", churn_days=90)
    assert (
        not w.is_full_year
        and w.lookback_days == (pd.Timestamp("2024-07-24") - pd.Timestamp("2023-05-01")).days - 90
    )
    kf = g.loss_figures(g.customer_status(shop, w), value=rk.ValueAssumptions())
    out = kf.to_dict()
    assert out["figures"]["groundwork.customers_lost_12m"] is None
    assert "not 365" in out["reasons"]["groundwork.customers_lost_12m"]
    assert "a window of 360 days" in out["reasons"]["groundwork.customers_lost_12m"]
    assert out["figures"]["groundwork.customers_lost"] is not None
