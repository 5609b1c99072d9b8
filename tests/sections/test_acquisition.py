"""The acquisition sections: the budget table, its notes, and the worked incentive example."""

import pandas as pd

import retainkit as rk
from retainkit.sections import acquisition_section, incentive_section, new_customer_budget


def _budget(note=""):
    # a new customer worth 90 in gross profit; keeping half leaves 45 to spend on winning one
    return pd.DataFrame(
        {
            "segment": ["all customers"],
            "customers": [1200],
            "new_customer_value": [90.0],
            "max_acquisition_cost": [45.0],
            "payback_months": [7.5],
            "note": [note],
        }
    )


def test_budget_table_hides_an_empty_note_column():
    (shown,) = acquisition_section(_budget(), target_profit_share=0.5, currency="$")
    html = shown.to_html()
    assert "Allowable acquisition cost" in html and "45.00" in html and "1,200" in html
    assert "Note" not in html
    assert "keeping 50% of the lifetime profit" in shown.caption
    (noted,) = acquisition_section(_budget("few repeat buyers"), target_profit_share=0.5)
    assert "few repeat buyers" in noted.to_html()


def test_no_budget_without_revenue():
    frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    ds = rk.load_dataset(frame)
    budget = new_customer_budget(
        ds, pd.DataFrame(), by=None, horizon_years=5, discount_rate=0.1, margin=0.3,
        target_profit_share=0.5,
    )  # fmt: skip
    assert budget is None
    (text,) = acquisition_section(None, target_profit_share=0.5)
    assert text.data == "The acquisition budget needs revenue; this data has none."


def test_incentive_example():
    (shown,) = incentive_section(horizon_years=5, target_profit_share=0.5)
    html = shown.to_html()
    # $199 of $10,000 is 2.0% of the value; keeping half, $5,000 is the allowable cost
    assert "2.0%" in html and "5,000" in html
    assert "earned evenly over 5 years" in shown.caption
