import numpy as np
import pandas as pd
import pytest

from retainkit import cohorts


@pytest.fixture
def log():
    # Jan cohort: a (10 + 5 on 01-20), b (30); a again in Mar (6). Feb cohort: c (8), c in Mar (4)
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "a", "c", "c"],
            "order_date": pd.to_datetime(
                ["2024-01-05", "2024-01-20", "2024-01-25", "2024-03-03", "2024-02-02", "2024-03-15"]
            ),
            "revenue": [10.0, 5.0, 30.0, 6.0, 8.0, 4.0],
        }
    )


def test_cohort_table_by_hand(log):
    t = cohorts.cohort_table(log, period="month", as_of="2024-03-20")
    jan = t[t["cohort_start"] == pd.Timestamp("2024-01-01")]
    assert jan["age"].tolist() == [0, 1, 2]
    assert jan["active_customers"].tolist() == [2, 0, 1]
    assert jan["retained_share"].tolist() == [1.0, 0.0, 0.5]
    # revenue 45, 0, 6: retained 100%, 0%, 6/45; cumulative per customer 22.5, 22.5, 25.5
    np.testing.assert_allclose(jan["revenue_retained_share"], [1.0, 0.0, 6 / 45])
    np.testing.assert_allclose(jan["cumulative_revenue_per_customer"], [22.5, 22.5, 25.5])
    assert t["complete"].tolist() == [True, True, False, True, False]


def test_triangle_leaves_out_the_partial_period(log):
    t = cohorts.cohort_table(log, period="month", as_of="2024-03-20")
    tri = cohorts.cohort_triangle(t, measure="retained_share")
    assert tri.index.tolist() == ["2024-01", "2024-02"]
    assert tri.columns.tolist() == [0, 1]
    assert tri.loc["2024-01"].tolist() == [1.0, 0.0]
    full = cohorts.cohort_triangle(t, measure="retained_share", include_incomplete=True)
    assert full.loc["2024-02", 1] == 1.0
    assert tri.attrs["cohort_customers"] == {"2024-01": 2, "2024-02": 1}


def test_quarters_and_frequency_only(log):
    t = cohorts.cohort_table(log.drop(columns="revenue"), period="quarter", as_of="2024-03-31")
    assert t["cohort_customers"].tolist() == [3]
    assert "revenue" not in t
    tri = cohorts.cohort_triangle(t)
    assert tri.index.tolist() == ["2024 Q1"]
    with pytest.raises(ValueError, match="no revenue"):
        cohorts.cohort_triangle(t, measure="revenue_retained_share")
