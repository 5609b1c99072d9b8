"""The groundwork's loss sections: what each shows on a shop small enough to check by hand."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit import groundwork as g
from retainkit.sections import (
    behaviour_section,
    churn_by_group_section,
    cost_section,
    loss_section,
    lost_customers_section,
    reasons_section,
    tenure_section,
    window_section,
)
from retainkit.sections.groundwork import NO_ATTRIBUTES, NO_REASONS

#: the lifetime value over one year, undiscounted: easy to check by hand
_ONE_YEAR = rk.ValueAssumptions(horizon_years=1, discount_rate=0)

AS_OF = "2024-12-31"

# as_of 2024-12-31, churn_days 90, lookback 365: lost when the last purchase L is in
# (2023-10-03, 2024-10-02]; the active base bought in the 90 days before the window opened.
# A: 2023-06-01 100, 2023-12-20 50            base, lost (lapses 2024-03-19), a year: 150
# B: 2023-11-15 40, 2024-11-30 60             base, active
# C: 2024-03-01 30                            new in the window, lost (lapses 2024-05-30): 30
# D: 2023-05-01 80                            lost before the window
# E: 2023-12-31 20, 2024-02-10 25, return 2024-03-01 -10
#                                             base, lost (L 2024-02-10, lapses 2024-05-10): 45
# F: 2024-12-20 10                            new, active
ROWS = [
    ("A", "2023-06-01", 100.0),
    ("A", "2023-12-20", 50.0),
    ("B", "2023-11-15", 40.0),
    ("B", "2024-11-30", 60.0),
    ("C", "2024-03-01", 30.0),
    ("D", "2023-05-01", 80.0),
    ("E", "2023-12-31", 20.0),
    ("E", "2024-02-10", 25.0),
    ("E", "2024-03-01", -10.0),
    ("F", "2024-12-20", 10.0),
]
REGIONS = pd.DataFrame({"customer_id": list("ABCDEF"), "region": list("NNSSNS")})


@pytest.fixture
def shop():
    frame = pd.DataFrame(ROWS, columns=["customer_id", "order_date", "revenue"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def _status(frame, customers=None):
    window = g.churn_window(frame, as_of=AS_OF, churn_days=90)
    return g.customer_status(frame, window, margin=0.3, customers=customers)


@pytest.fixture
def status(shop):
    return _status(shop, REGIONS)


@pytest.fixture
def short_status(shop):
    # 31 days of data: a window needs 90 + 60 days, so no section can count losses
    return _status(shop[shop["order_date"] > "2024-11-01"], REGIONS)


def _heights(fig):
    return [int(p.get_height()) for p in fig.axes[0].patches]


def test_window_section_says_threshold_then_window(shop):
    window = g.churn_window(shop, as_of=AS_OF, churn_days=90)
    (text,) = window_section(window)
    first, second = text.data.split("\n\n")
    assert first.startswith("A customer counts as lost after 90 days without a purchase")
    assert second == "Losses are counted over the 365 days from 02 Jan 2024 to 31 Dec 2024."


def test_loss_section_counts_the_losses_and_shows_them_per_month(status):
    open_before = set(plt.get_fignums())
    story, fig = loss_section(status)
    assert set(plt.get_fignums()) == open_before  # closed: the notebook shows it once
    # A, C, E lost; of the base A, B, E, two left (2/3 = 66.7%); C was new
    assert "we lost **3 customers**" in story.data
    assert "Of the 3 customers active when the window opened, 2 left" in story.data
    assert "**66.7%**" in story.data
    # lapse months Jan-Dec 2024: A in March, E and C in May
    assert _heights(fig) == [0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0]


def test_loss_section_without_enough_history_shows_only_why(short_status):
    (story,) = loss_section(short_status)
    assert story.data.startswith("**Not enough history.** The data covers 31 days")


def test_churn_by_group_section_draws_one_panel_per_attribute(status):
    (fig,) = churn_by_group_section(status)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["Churn rate by region"]
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("customers", [None, REGIONS])
def test_churn_by_group_section_says_when_there_is_nothing_to_break_down(shop, customers):
    # no attributes; or attributes, but a window too short to count losses in
    frame = shop if customers is None else shop[shop["order_date"] > "2024-11-01"]
    (note,) = churn_by_group_section(_status(frame, customers))
    assert note.data == NO_ATTRIBUTES


def test_lost_customers_section_lists_the_lost_most_valuable_first(status):
    (styled,) = lost_customers_section(status, currency="£", rows_shown=2)
    html = styled.to_html()
    # A £150, E £45, C £30: two rows shown of three
    assert "<caption>Customers lost in the window (3); annual = " in html
    assert "last purchase (first 2 of 3 rows)</caption>" in html
    assert html.index(">A<") < html.index(">E<") and ">C<" not in html
    assert "£150" in html and "2024-03-19" in html  # A's lapse date


def test_reasons_section_shows_story_chart_and_table(status):
    reasons = pd.DataFrame({"customer_id": ["A", "C"], "reason": ["Price too high", "Moved away"]})
    story, fig, styled = reasons_section(status, reasons, currency="£")
    # 2 of the 3 lost gave a reason; one (A, price) is controllable
    assert story.data.startswith(
        "2 of the 3 customers lost gave a reason. **50.0%** of them gave a reason the business "
        "can act on"
    )
    assert len(fig.axes[0].patches) == 2
    html = styled.to_html()
    assert "Price too high" in html and "£150" in html and "£30" in html


def test_reasons_section_without_reasons_of_lost_customers_has_no_chart(status):
    (story,) = reasons_section(status, pd.DataFrame({"customer_id": ["B"], "reason": ["Price"]}))
    assert story.data.startswith("None of the customers lost in the window is in the reasons")


def test_reasons_section_says_how_to_give_reasons(status, short_status):
    reasons = pd.DataFrame({"customer_id": ["A"], "reason": ["Price"]})
    assert [p.data for p in reasons_section(status, None)] == [NO_REASONS]
    assert [p.data for p in reasons_section(short_status, reasons)] == [NO_REASONS]


def test_behaviour_section_compares_lost_with_retained_base(shop, status, short_status):
    story, styled = behaviour_section(status, shop)
    assert story.data.startswith("None of the measures separates the lost customers clearly")
    html = styled.to_html()
    # base A, B, E: A and E lost, B retained
    assert "Lost against retained customers of the active base" in html
    assert "returns share" in html
    assert behaviour_section(short_status, shop) == []


def test_tenure_section_adds_a_panel_by_the_first_attribute(shop, status):
    (fig,) = tenure_section(status)
    titles = [ax.get_title().split("\n")[0] for ax in fig.axes]
    assert titles == ["Customers still buying", "Customers still buying by region"]
    (fig,) = tenure_section(_status(shop))
    assert [ax.get_visible() for ax in fig.axes] == [True, False]


def test_cost_section_says_what_the_losses_cost(status):
    story, fig = cost_section(status, value=_ONE_YEAR, currency="£")
    # 150 + 30 + 45 = £225 a year; profit at 30%: £67.5, shown £68
    assert "were worth **£225 a year** in net revenue and **£68 a year** in profit" in story.data
    assert not plt.fignum_exists(fig.number)


def test_cost_section_without_revenue_or_losses_has_no_chart(shop, short_status):
    (story,) = cost_section(_status(shop.drop(columns="revenue")), value=_ONE_YEAR)
    assert story.data.startswith("**This section needs revenue.**")
    (story,) = cost_section(short_status, value=_ONE_YEAR)
    assert story.data.startswith("**Not enough history.**")
