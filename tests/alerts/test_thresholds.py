"""Thresholds that follow the data's purchase rhythm, and rules that fire with them."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import alerts as a


def test_review_thresholds_follow_the_data_rhythm():
    # one customer buying every 91 days: typical gap g = 91
    days = pd.date_range("2023-01-01", periods=9, freq="91D")
    frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    t = a.review_thresholds(frame)
    # months = ceil(3 x 91 / 30.44) = ceil(8.97) = 9; a window of 9 months holds 9 x 30.44 / 91
    # = 3.0 gaps (< 6): min_orders 2; min_purchases = round(365 / 91) = 4
    assert (t.months, t.min_orders, t.min_purchases) == (9, 2, 4)
    # quiet = ceil(2 x 91 / 30.44) = ceil(5.98) = 6; habit = 2 x 6 = 12;
    # min_months = round(0.8 x 12 x 30.44 / 91) = round(3.21) = 3
    assert (t.quiet_months, t.of_months, t.min_months) == (6, 12, 3)
    # monthly buyers (g = 30): 3-month windows and 8 purchase days for a regular, as before;
    monthly = pd.DataFrame(
        {"customer_id": "m", "order_date": pd.date_range("2023-01-01", periods=20, freq="30D")}
    )
    m = a.review_thresholds(monthly)
    assert (m.months, m.min_orders, m.min_purchases) == (3, 2, 8)
    # min_orders 2, since 3 months hold 3 x 30.44 / 30 = 3.04 gaps, fewer than 6; a given
    # threshold is kept
    assert a.review_thresholds(monthly, min_orders=3, months=5).min_orders == 3


def test_infrequent_buyers_get_a_call_list_and_rules_that_fire():
    # a few orders a year: purchase rate Gamma(0.8, 20) per week, about 2 a year
    shop = rk.simulate_shop(
        n_customers=800,
        alpha=20.0,
        n_falling_order_value=0,
        n_dried_up=0,
        n_dropped_category=0,
        seed=3,
    )
    txn = rk.load_transactions(shop.transactions)
    thresholds = a.review_thresholds(txn)
    assert thresholds.months > 3 and thresholds.min_orders == 2
    review = a.monthly_review(txn, thresholds=thresholds, call_list_size=20, churn_days=365)
    assert len(review.calls) == 20
    assert (review.calls["value_at_risk"] > 0).all()


def test_thresholds_are_one_settings_object():
    t = a.ReviewThresholds()
    # the defaults monthly_review has always used
    assert t.to_dict() == {
        "months": 3,
        "min_drop": 0.35,
        "min_orders": 3,
        "min_purchases": 8,
        "max_variation": 0.5,
        "overdue_factor": 3.0,
        "min_months": 5,
        "of_months": 6,
        "quiet_months": 3,
    }
    assert t.replace(min_drop=0.5).min_drop == 0.5 and t.min_drop == 0.35
    with pytest.raises(TypeError, match="unknown thresholds \\['min_dorp'\\]"):
        t.replace(min_dorp=0.5)
    with pytest.raises(TypeError, match="unknown thresholds"):
        a.review_thresholds(
            pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])}),
            min_dorp=0.5,
        )
