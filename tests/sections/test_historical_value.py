"""The historical value section: the lifespan, then the value per customer or per segment."""

import math

import pandas as pd
import pytest

import retainkit as rk
from retainkit.sections import historical_value_section
from retainkit.sections.historical_value import MAX_LIFESPAN_YEARS, expected_lifespan


def _dataset(customers=None):
    # a: 2 purchases of 100 a year apart; b: 1 purchase of 60; both measured over >= 1 year
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2023-01-02", "2024-01-01", "2024-01-01"]),
            "revenue": [100.0, 100.0, 60.0],
        }
    )
    return rk.load_dataset(frame, currency="$", customers=customers)


def test_lifespan_is_one_over_churn_capped_else_the_horizon():
    assert expected_lifespan(0.25, horizon_years=5)[0] == 4.0
    assert expected_lifespan(0.001, horizon_years=5)[0] == MAX_LIFESPAN_YEARS == 50.0
    years, text = expected_lifespan(math.nan, horizon_years=5)
    assert years == 5 and "churn rate cannot be measured" in text
    assert expected_lifespan(0.0, horizon_years=3)[0] == 3


def test_section_gives_mean_and_total_without_segments():
    ds = _dataset()
    summary = rk.customer_summary(ds.transactions, time_unit="weeks")
    intro, story = historical_value_section(
        ds, summary, churn_rate=0.5, horizon_years=5, margin=0.5, margin_text="M.", by=None
    )
    assert (
        intro.data
        == "M. The formula uses an expected lifespan of 2.0 years (1 / churn rate 50.0%)."
    )
    # a: 100 a purchase x 2 a year x 2 years x 50% = 200; b: 60 x 1 x 2 x 50% = 60
    text = story.data.replace("<span>&#36;</span>", "$")
    assert "**$130** per customer on average, **$260** for all customers" in text


def test_section_splits_by_segment():
    customers = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["web", "shop"]})
    ds = _dataset(customers)
    summary = rk.customer_summary(ds.transactions, time_unit="weeks")
    _, shown = historical_value_section(
        ds, summary, churn_rate=0.5, horizon_years=5, margin=0.5, margin_text="M.", by="channel"
    )
    html = shown.to_html()
    assert "by channel" in shown.caption and "200.00" in html and "60.00" in html


def test_section_without_revenue_says_so():
    frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    ds = rk.load_dataset(frame)
    parts = historical_value_section(
        ds, pd.DataFrame(), churn_rate=0.5, horizon_years=5, margin=0.3, margin_text="", by=None
    )
    assert parts[1].data.endswith("needs revenue; this data has none.")


@pytest.mark.parametrize("churn", [0.2, 0.5])
def test_lifespan_text_names_the_churn_rate(churn):
    assert f"{churn:.1%}" in expected_lifespan(churn, horizon_years=5)[1]
