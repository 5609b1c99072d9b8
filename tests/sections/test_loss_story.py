"""The story of the losses: its counts add up."""

import pandas as pd

from retainkit import groundwork as g
from retainkit.sections import loss_story, reason_story


def test_loss_story_counts_add_up():
    # window 1 Jan - 31 Dec 2024, churn after 90 days: losses are last purchases in
    # (3 Oct 2023, 2 Oct 2024]; the base bought in (3 Oct 2023, 1 Jan 2024]
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "c", "d"],
            "order_date": pd.to_datetime(
                ["2023-12-20", "2024-03-01", "2023-05-01", "2024-04-01", "2024-12-01"]
            ),
        }
    )
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    text = loss_story(g.customer_status(frame, w)).data
    # a: from the base; b: new in the window; c: lapsed in 2023, back in April, lost again
    assert "we lost **3 customers**" in text
    assert "Of the 1 customer active when the window opened, 1 left" in text
    assert "Another 1 of the 2 customers who first bought during the window" in text
    assert "The other 1 had lapsed before the window opened" in text


def test_loss_story_without_returning_customers_says_nothing_of_them():
    frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2023-12-20"])})
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    assert "lapsed before" not in loss_story(g.customer_status(frame, w)).data


def test_loss_story_says_one_is_still_buying():
    # base: a and e bought in (3 Oct 2023, 1 Jan 2024]; a is lost, e buys again in December;
    # z (January 2023, lost before the window) gives the year of history the window needs
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "e", "e", "z"],
            "order_date": pd.to_datetime(["2023-12-20", "2023-12-21", "2024-12-01", "2023-01-02"]),
        }
    )
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    text = loss_story(g.customer_status(frame, w)).data
    assert "Of the 2 customers active when the window opened, 1 left" in text
    assert "; 1 is still buying." in text


def test_reason_story_of_one_lost_customer_is_singular():
    # a is lost in the window; z (January 2023) gives the history the window needs
    frame = pd.DataFrame(
        {"customer_id": ["a", "z"], "order_date": pd.to_datetime(["2023-12-20", "2023-01-02"])}
    )
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    status = g.customer_status(frame, w)
    reasons = pd.DataFrame({"customer_id": ["a"], "reason": ["Price"]})
    text = reason_story(g.reason_summary(status, reasons)).data
    assert text.startswith("1 of the 1 customer lost gave a reason.")
