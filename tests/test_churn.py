import pandas as pd
import pytest

import retainkit as rk
from retainkit.churn import derive_churn_days, resolve_churn_days


def _regular(customer, start, every_days, n):
    return pd.DataFrame(
        {
            "customer_id": customer,
            "order_date": pd.date_range(start, periods=n, freq=f"{every_days}D"),
        }
    )


def test_threshold_is_the_quantile_of_pooled_gaps_rounded_up():
    # 20 gaps of 10 days and 20 of 31 days: 90th percentile is 31 days
    frame = pd.concat([_regular("a", "2024-01-01", 10, 21), _regular("b", "2024-01-01", 31, 21)])
    t = derive_churn_days(frame, quantile=0.9, minimum_days=1)
    assert (t.days, t.method, t.gaps, t.customers) == (31, "derived", 40, 2)
    assert "40 gaps" in t.explanation and "2 repeat customers" in t.explanation
    # the median of the same gaps interpolates between 10 and 31: 20.5 -> 21 days
    assert derive_churn_days(frame, quantile=0.5, minimum_days=1).days == 21


def test_minimum_days_and_fallback():
    frame = _regular("a", "2024-01-01", 3, 40)
    t = derive_churn_days(frame)
    assert t.days == 30 and "raised to the minimum of 30 days" in t.explanation
    few = _regular("a", "2024-01-01", 3, 5)
    t = derive_churn_days(few)
    assert (t.days, t.method) == (365, "fallback")


def test_given_threshold_wins_and_negative_is_refused(tiny):
    assert resolve_churn_days(tiny, 45).days == 45
    assert resolve_churn_days(tiny, 0).method == "fallback"
    with pytest.raises(ValueError, match="churn_days=-1"):
        resolve_churn_days(tiny, -1)


def test_gap_statistics_by_hand(tiny):
    stats = rk.engine.gap_statistics(tiny)
    # only a has two purchase days: 2024-01-01 and 2024-01-15; one gap has no spread
    expected = pd.DataFrame(
        {
            "customer_id": ["a"],
            "gaps": [1],
            "median_gap_days": [14.0],
            "mean_gap_days": [14.0],
            "std_gap_days": [float("nan")],
            "last_gap_days": [14],
        }
    )
    pd.testing.assert_frame_equal(stats, expected, check_dtype=False)
