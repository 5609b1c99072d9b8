"""The model view of the cost of the losses: its figures are the analysis's, in words."""

import pandas as pd

import retainkit as rk
from retainkit.display import money
from retainkit.sections import expected_value_section


def test_story_states_both_figures_and_their_ratio():
    ds = rk.load_dataset("demo")
    window = rk.groundwork.churn_window(ds.transactions)
    status = rk.groundwork.customer_status(ds.transactions, window)
    text = expected_value_section(
        ds.transactions, window, status, value=rk.ValueAssumptions(), currency="£"
    )[0].data
    model = rk.groundwork.expected_value_lost(
        ds.transactions, window, status, horizon_years=5, discount_rate=0.1
    ).iloc[0]
    same = rk.groundwork.value_lost(status, horizon_years=5, discount_rate=0.1).iloc[0]
    assert f"**{money(model['expected_profit'], '£')}** in profit over 5 years" in text
    assert f"against **{money(same['lifetime_profit_lost'], '£')}**" in text
    ratio = model["expected_profit"] / same["lifetime_profit_lost"]
    assert f"**{ratio:.2f}x**" in text
    assert f"the {int(model['customers_lost']):,} customers were expected" in text


def test_without_revenue_it_says_why():
    frame = pd.DataFrame(
        {"customer_id": ["a", "z"], "order_date": pd.to_datetime(["2023-12-20", "2023-01-02"])}
    )
    window = rk.groundwork.churn_window(frame, as_of="2024-12-31", churn_days=90)
    status = rk.groundwork.customer_status(frame, window)
    parts = expected_value_section(frame, window, status)
    assert "the data has no revenue" in parts[0].data


def test_without_losses_it_says_why():
    # z bought 2023-01-02: lost before the window (1 Jan - 31 Dec 2024, 90 days); a is active
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "z"],
            "order_date": pd.to_datetime(["2024-12-20", "2023-01-02"]),
            "revenue": [10.0, 5.0],
        }
    )
    window = rk.groundwork.churn_window(frame, as_of="2024-12-31", churn_days=90)
    status = rk.groundwork.customer_status(frame, window)
    parts = expected_value_section(frame, window, status)
    assert "no customer was lost in the window" in parts[0].data
