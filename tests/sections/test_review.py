"""The monthly review's sections: what each shows for two customers checked by hand."""

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from retainkit import alerts
from retainkit.calls import CallListBacktest
from retainkit.sections import (
    backtest_section,
    call_list_section,
    calls_curve_section,
    warnings_section,
    winback_section,
)

# as_of 2024-12-31, the last 3 months (Oct-Dec) against the 3 before (Jul-Sep), horizon 180 days
# (from 2024-07-04), churn after 90 days:
# a: Aug 100, Sep 100 | Nov 40, Dec 60    order value 100 -> 50 (-50%), $300 in the last 180 days
# b: Jan 10 70, Feb 1 30                  silent 334 days: lost, nothing recent: to win back,
#                                         $100 in the last 365 days
FRAME = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "b", "b"],
        "order_date": pd.to_datetime(
            ["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01", "2024-01-10", "2024-02-01"]
        ),
        "revenue": [100.0, 100.0, 40.0, 60.0, 70.0, 30.0],
    }
)


@pytest.fixture(scope="module")
def review():
    return alerts.monthly_review(
        FRAME,
        as_of="2024-12-31",
        thresholds=alerts.ReviewThresholds(min_orders=2),
        churn_days=90,
        call_list_size=5,
    )


def _captions(styled):
    return re.findall(r"<caption>(.*?)</caption>", styled.to_html())


def test_warnings_section_shows_trend_summary_and_flagged_customers(review):
    verdict, fig, summary, falling, overdue = warnings_section(review, FRAME, currency="$")
    # orders of the last 3 months average 50 against 100 before
    assert verdict.data.startswith("**Average order value changed by -50.0%")
    assert not plt.fignum_exists(fig.number)
    assert _captions(summary) == [
        "Early warnings: what each looks for and how many customers it flagged"
    ]
    assert "needs a product category column" in summary.to_html()
    assert _captions(falling) == ["Falling order value: 1 customers"]
    assert "$100" in falling.to_html() and "$50" in falling.to_html()
    assert _captions(overdue) == ["Regular order overdue: 0 customers"]


def test_warnings_section_without_revenue_says_the_trend_needs_it():
    frame = FRAME.drop(columns="revenue")
    parts = warnings_section(alerts.monthly_review(frame, as_of="2024-12-31"), frame)
    assert parts[0].data == "The order-value checks need revenue; the data has none."
    assert [type(p).__name__ for p in parts[1:]] == ["Styler", "Styler"]  # summary, overdue


def test_call_list_section_tells_and_lists_whom_to_call(review):
    story, styled = call_list_section(review, currency="$")
    assert story.data.startswith("The model expects the 1 customer who bought in the last 180 days")
    assert "Another 1 customer already count as lost" in story.data  # b
    assert _captions(styled) == [
        "Customers to call (1), ranked by value at risk: expected shortfall of net revenue in "
        "the next 180 days against the last 180; P alive = probability still buying"
    ]
    html = styled.to_html()
    assert ">a<" in html and ">b<" not in html and "$300" in html  # a's last 180 days
    assert "Called" not in html  # the caller's columns are for the file


def test_calls_curve_section_marks_the_list_length(review):
    fig, styled = calls_curve_section(review, currency="$")
    assert not plt.fignum_exists(fig.number)
    assert fig.axes[0].get_title().startswith("How much the first calls cover")
    assert _captions(styled) == [
        "Value at risk covered by the first N calls (next 180 days); per call = value at risk "
        "of the last customer reached"
    ]
    assert "100.0%" in styled.to_html()  # one slipping customer: the first call covers all


def test_winback_section_lists_the_lost_by_last_year_value(review):
    (styled,) = winback_section(review, currency="$")
    assert _captions(styled) == [
        "Customers to win back (first 1), ranked by net revenue in the last 365 days"
    ]
    html = styled.to_html()
    assert ">b<" in html and "$100" in html and "Value at risk" not in html


def test_backtest_section_tells_and_compares_lists():
    lists = pd.DataFrame(
        {
            "list": ["the call list", "top value", "value among the silent", "value x overdue"],
            "customers": 2,
            "stopped": [1, 0, 1, 0],
            "stopped_share": [0.5, 0, 0.5, 0],
            "revenue_decline": [300.0, 200.0, 100.0, 50.0],
            "share_of_decline": [0.3, 0.2, 0.1, 0.05],
        }
    )
    bt = CallListBacktest(pd.Timestamp("2024-06-01"), 180, lists, 40, 1000.0, "money", "")
    story, styled = backtest_section(bt, currency="$")
    # 300 caught against 200 by the best list without a model: 1.5 times
    assert "That is 1.5 times the best list that needs no model (top value" in story.data
    html = styled.to_html()
    assert "Revenue decline" in html and "$300" in html and "value x overdue" in html
