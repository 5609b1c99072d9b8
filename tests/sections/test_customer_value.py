"""The customer value section: the total and top decile in words, top 10, per segment."""

import numpy as np
import pandas as pd

import retainkit as rk
from retainkit.clv.value import ClvForecast
from retainkit.sections import customer_value_section, model_values
from retainkit.sections.customer_value import top_decile_share


def _forecast(spend):
    return ClvForecast(
        np.array(["a"]), np.ones(1), np.array([spend]), np.arange(1, 13) / 12,
        np.arange(1, 13)[None, :] / 12, np.arange(1, 13) / 12, spend, "weeks",
    )  # fmt: skip


# 11 customers: c0 is worth 100, the others 10 each: 200 in all, the top 10% (1 customer)
# hold 100 / 200 = 50%
VALUES = pd.DataFrame(
    {
        "customer_id": [f"c{i}" for i in range(11)],
        "probability_alive": [0.5] * 11,
        "expected_purchases": [2.0] + [1.0] * 10,
        "expected_spend": [50.0] * 11,
        "expected_revenue": [100.0] * 11,
        "clv": [100.0] + [10.0] * 10,
    }
)


def _dataset():
    frame = pd.DataFrame(
        {"customer_id": ["c0"], "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [1.0]}
    )
    customers = pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(11)], "channel": ["web"] + ["shop"] * 10}
    )
    return rk.load_dataset(frame, customers=customers, currency="$")


def test_top_decile_share():
    assert top_decile_share(VALUES["clv"]) == 0.5


def test_section_reads_the_values_and_splits_them():
    story, top, segments = customer_value_section(
        _dataset(), _forecast(50.0), VALUES, fit_note="", horizon_years=5, discount_rate=0.1,
        by="channel",
    )  # fmt: skip
    text = story.data.replace("<span>&#36;</span>", "$")
    assert "the **11** customers are worth **$200** in gross profit: **$18.18** each" in text
    assert "the top 10% of them hold **50%** of it" in text
    assert "first 10" not in top.caption and top.to_html().count("<tr") == 11  # header + 10
    html = segments.to_html()
    assert "Lifetime value by channel" in segments.caption and "50.0%" in html  # web: 100 of 200


def test_section_in_purchases_without_spend():
    story, _, none = customer_value_section(
        _dataset(), _forecast(np.nan), VALUES, fit_note="", horizon_years=5, discount_rate=0.1,
        by="channel",
    )  # fmt: skip
    assert "expected to make **12** repeat purchases over the next 5 years" in story.data
    assert none.data.startswith("No customer attributes to split by, or no revenue")


def test_model_values_without_a_purchase_model():
    assert model_values(None, None, VALUES, horizon_years=5, discount_rate=0.1, margin=0.3) == (
        None,
        None,
    )
    parts = customer_value_section(
        None, None, None, fit_note="No fit.", horizon_years=5, discount_rate=0.1
    )
    assert parts[0].data == "No lifetime values: No fit."
