"""The model's expected value of the lost customers, at their last purchase."""

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.groundwork import churn_window, customer_status, expected_value_lost


def _frame():
    # a: bought once on 2024-01-10 (lost in the year to 2024-12-31 with a 90-day threshold);
    # b: bought on 2024-12-20 (active); c: 2023-01-02 (lost before; gives the history that
    # a year's window with a 90-day threshold needs)
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "order_date": pd.to_datetime(["2024-01-10", "2024-12-20", "2023-01-02"]),
            "revenue": [50.0, 80.0, 10.0],
        }
    )


def _models():
    bg = BetaGeoModel()
    bg.params_ = {"r": 0.5, "alpha": 10.0, "a": 0.8, "b": 2.5}
    bg.time_unit_ = "weeks"
    gg = GammaGammaModel()
    gg.params_ = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    gg.time_unit_ = "weeks"
    return bg, gg


def test_a_one_day_customer_is_priced_as_a_new_customer():
    # a bought once: at that purchase x = 0, t_x = T = 0, exactly a new customer. Over 1 year
    # undiscounted: E[purchases] = the model's new-customer expectation at 52.18 weeks, spend
    # the population mean p gamma / (q - 1) = 6 x 15 / 3 = 30, profit = purchases x 30 x margin
    frame = _frame()
    window = churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    status = customer_status(frame, window)
    bg, gg = _models()
    v = expected_value_lost(
        frame,
        window,
        status,
        horizon_years=1,
        discount_rate=0.0,
        margin=0.5,
        purchases=bg,
        spend=gg,
    ).iloc[0]
    weeks = 365.2425 / 7
    new = float(np.asarray(bg.expected_purchases_new_customer(weeks)).ravel()[0])
    assert v["customers_lost"] == 1
    assert v["expected_purchases"] == pytest.approx(new, rel=1e-9)
    assert v["expected_revenue"] == pytest.approx(new * 30.0, rel=1e-9)
    assert v["expected_profit"] == pytest.approx(new * 30.0 * 0.5, rel=1e-9)
    assert v["p_alive_mean"] == 1.0


def test_without_lost_customers_the_figures_are_missing():
    frame = _frame()
    window = churn_window(frame, as_of="2024-12-31", churn_days=400, lookback_days=365)
    status = customer_status(frame, window)
    bg, gg = _models()
    v = expected_value_lost(
        frame, window, status, horizon_years=1, discount_rate=0.1, purchases=bg, spend=gg
    ).iloc[0]
    assert v["customers_lost"] == 0
    assert np.isnan(v["expected_profit"])


def test_on_the_demo_the_model_counts_every_lost_customer():
    ds = rk.load_dataset("demo")
    window = churn_window(ds.transactions)
    status = customer_status(ds.transactions, window)
    v = expected_value_lost(ds.transactions, window, status, horizon_years=5, discount_rate=0.1)
    lost = int((status["status"] == "lost in window").sum())
    assert v["customers_lost"].iloc[0] == lost
    # discounting only lowers the profit: undiscounted revenue x margin is an upper bound
    assert 0 < v["expected_profit"].iloc[0] < v["expected_revenue"].iloc[0] * v["margin"].iloc[0]
