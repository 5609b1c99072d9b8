"""The segmentation sections: words, tables and figures on frames checked by hand."""

import pandas as pd
import pytest
from IPython.display import Markdown

from retainkit.display import Parts
from retainkit.sections import (
    movement_section,
    pareto_section,
    rfm_section,
)
from tests.sections.segmentation_frames import ATTRS, DOLLAR, not_in_pyplot, values_frame


def test_pareto_section_headline_table_and_figure():
    parts = pareto_section(values_frame(), attributes=ATTRS, currency="$")
    assert isinstance(parts, Parts)
    head, fig, groups, vital = parts
    # top ceil(0.2 * 6) = 2 of 6 customers: 50 + 30 = 80 of 95 = 84.2%
    assert "The top 20% of customers (2 of 6) brought **84.2%** of net revenue" in head.data
    assert f"({DOLLAR}80 of {DOLLAR}95)" in head.data
    # e (0) and f (-5) have no positive net revenue
    assert "2 customers had zero or negative net revenue" in head.data
    assert "profit is taken as 30% of revenue" in head.data
    not_in_pyplot([fig])
    assert groups.data["Group"].tolist() == ["all customers", "N", "S"]
    # N: a and b, 80 of 80 net revenue in the group
    assert groups.data["Customers"].tolist() == [6, 2, 4]
    assert vital.data["Customer"].tolist() == ["a", "b"]
    assert vital.caption.startswith("The vital few: the 2 customers in the top 20%")
    none = pareto_section(values_frame(), attributes=None)[2]
    assert isinstance(none, Markdown) and "no customer attributes" in none.data


def test_pareto_section_with_cost_and_without_money():
    with_cost = values_frame().assign(cost=[40.0, 10.0, 5.0, 5.0, 0.0, 0.0])
    head = pareto_section(with_cost, currency="$")[0]
    # profit 10, 20, 5, 5, 0, -5: top 2 = 20 + 10 = 30 of 35 = 85.7%
    assert f"brought **85.7%** of the gross profit of {DOLLAR}35" in head.data
    no_money = values_frame().drop(columns="revenue")
    head = pareto_section(no_money)[0]
    # purchases 9, 5, 2, 2, 1, 1: top 2 = 14 of 20
    assert "**70.0%** of purchases (14 of 20)" in head.data and "need revenue" in head.data


def test_rfm_section_headline_cut_points_and_segments():
    head, cuts, table, fig = rfm_section(values_frame(), bins=3, currency="$")
    assert head.data.startswith("6 customers scored at 31 Dec 2024, each on a scale of 1 to 3")
    assert "and money (net revenue)." in head.data
    assert cuts.data["Score"].tolist() == [3, 2, 1]
    assert table.data["Segment"].tolist()[0] == "Champions"
    assert table.data["Customers"].sum() == 6
    not_in_pyplot([fig])
    # rules are written on the 1-5 scale; 3 scores map onto 1, 3 and 5
    table = rfm_section(values_frame(), bins=3, rules="Recent: r 4-5; Others: r 1-3")[2]
    assert table.data["Segment"].tolist() == ["Recent", "Others"]
    assert table.data["Customers"].tolist() == [2, 4]
    with pytest.raises(ValueError, match="3-"):
        rfm_section(values_frame(), rules="Recent: r 3-")


def _moves():
    # a: Jan 5 and Apr 10; b: Mar 20. Earlier date: 30 Apr - 2 months = 29 Feb 2024,
    # when only a had bought: a moved on, b is new
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-04-10", "2024-03-20"]),
            "revenue": [10.0, 5.0, 7.0],
        }
    )


def test_movement_section_summary_and_two_figures():
    summary, matrix, flow = movement_section(
        _moves(), as_of="2024-04-30", months_before=2, rules="Recent: r 4-5; Earlier: r 1-3"
    )
    shown = summary.data
    assert shown["segment"].tolist() == ["Earlier", "Not yet a customer"]
    assert shown["customers"].tolist() == [1, 1]
    assert shown.loc[0, "stayed"] == 0.0  # a left "Earlier"
    assert "Per segment at the earlier date" in summary.caption
    not_in_pyplot([matrix, flow])
    assert "29 Feb 2024 to 30 Apr 2024" in matrix.axes[0].get_title()
    assert len(flow.axes) == 1


def test_movement_section_says_when_there_is_nothing_to_compare():
    # 30 Apr 2024 - 4 months = 30 Dec 2023: before the first purchase
    parts = movement_section(_moves(), as_of="2024-04-30", months_before=4)
    assert len(parts) == 1
    assert parts[0].data.startswith(
        "The data starts after 30 Dec 2023, 4 months before the analysis date"
    )
    assert "lower `movement_months`" in parts[0].data
