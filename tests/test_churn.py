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


def test_threshold_is_a_quantile_of_customers_usual_gaps():
    # 18 customers buying every 10 days (many gaps each) and 2 every 40 days (few gaps):
    # each customer counts once, so the 90th percentile of the 20 medians lies between
    # 10 and 40: position 0.9 * 19 = 17.1 -> 10 + 0.1 * 30 = 13 days
    frame = pd.concat(
        [_regular(f"f{i}", "2024-01-01", 10, 30) for i in range(18)]
        + [_regular(f"s{i}", "2024-01-01", 40, 3) for i in range(2)]
    )
    t = derive_churn_days(frame, quantile=0.9, minimum_days=1)
    assert (t.days, t.method, t.customers, t.gaps) == (13, "derived", 20, 18 * 29 + 2 * 2)
    assert "20 repeat customers" in t.explanation
    # 0.92: position 17.48 -> 10 + 0.48 * 30 = 24.4, rounded up to 25 days
    assert derive_churn_days(frame, quantile=0.92, minimum_days=1).days == 25


def test_minimum_days_and_fallback():
    frame = pd.concat([_regular(f"c{i}", "2024-01-01", 3, 5) for i in range(20)])
    t = derive_churn_days(frame)
    assert t.days == 30 and "raised to the minimum of 30 days" in t.explanation
    few = pd.concat([_regular(f"c{i}", "2024-01-01", 3, 5) for i in range(19)])
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
