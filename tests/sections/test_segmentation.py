"""The segmentation sections: words, tables and figures on frames checked by hand."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from IPython.display import Markdown
from matplotlib.figure import Figure

import retainkit as rk
from retainkit.display import Parts
from retainkit.sections import (
    conversion_section,
    key_clients_table,
    lifecycle_section,
    movement_section,
    pareto_section,
    priority_section,
    priority_table,
    rfm_section,
)

DOLLAR = "<span>&#36;</span>"  # "$" escaped, so that JupyterLab's MathJax leaves it alone


def _values():
    v = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "revenue": [50.0, 30.0, 10.0, 10.0, 0.0, -5.0],
            "days_since_last_purchase": [1.0, 5.0, 20.0, 40.0, 80.0, 200.0],
            "purchase_days": [9, 5, 2, 2, 1, 1],
        }
    )
    v.attrs = {"as_of": pd.Timestamp("2024-12-31")}
    return v


ATTRS = pd.DataFrame({"customer_id": list("abcdef"), "region": ["N", "N", "S", "S", "S", "S"]})


def _not_in_pyplot(figures):
    # built without pyplot: a notebook shows each figure once, as a part
    assert all(isinstance(f, Figure) for f in figures)
    assert not plt.get_fignums()


def test_pareto_section_headline_table_and_figure():
    parts = pareto_section(_values(), attributes=ATTRS, currency="$")
    assert isinstance(parts, Parts)
    head, fig, groups, vital = parts
    # top ceil(0.2 * 6) = 2 of 6 customers: 50 + 30 = 80 of 95 = 84.2%
    assert "The top 20% of customers (2 of 6) brought **84.2%** of net revenue" in head.data
    assert f"({DOLLAR}80 of {DOLLAR}95)" in head.data
    # e (0) and f (-5) have no positive net revenue
    assert "2 customers had zero or negative net revenue" in head.data
    assert "profit is taken as 30% of revenue" in head.data
    _not_in_pyplot([fig])
    assert groups.data["Group"].tolist() == ["all customers", "N", "S"]
    # N: a and b, 80 of 80 net revenue in the group
    assert groups.data["Customers"].tolist() == [6, 2, 4]
    assert vital.data["Customer"].tolist() == ["a", "b"]
    assert vital.caption.startswith("The vital few: the 2 customers in the top 20%")
    none = pareto_section(_values(), attributes=None)[2]
    assert isinstance(none, Markdown) and "no customer attributes" in none.data


def test_pareto_section_with_cost_and_without_money():
    with_cost = _values().assign(cost=[40.0, 10.0, 5.0, 5.0, 0.0, 0.0])
    head = pareto_section(with_cost, currency="$")[0]
    # profit 10, 20, 5, 5, 0, -5: top 2 = 20 + 10 = 30 of 35 = 85.7%
    assert f"brought **85.7%** of the gross profit of {DOLLAR}35" in head.data
    no_money = _values().drop(columns="revenue")
    head = pareto_section(no_money)[0]
    # purchases 9, 5, 2, 2, 1, 1: top 2 = 14 of 20
    assert "**70.0%** of purchases (14 of 20)" in head.data and "need revenue" in head.data


def test_rfm_section_headline_cut_points_and_segments():
    head, cuts, table, fig = rfm_section(_values(), bins=3, currency="$")
    assert head.data.startswith("6 customers scored at 31 Dec 2024, each on a scale of 1 to 3")
    assert "and money (net revenue)." in head.data
    assert cuts.data["Score"].tolist() == [3, 2, 1]
    assert table.data["Segment"].tolist()[0] == "Champions"
    assert table.data["Customers"].sum() == 6
    _not_in_pyplot([fig])
    # rules are written on the 1-5 scale; 3 scores map onto 1, 3 and 5
    table = rfm_section(_values(), bins=3, rules="Recent: r 4-5; Others: r 1-3")[2]
    assert table.data["Segment"].tolist() == ["Recent", "Others"]
    assert table.data["Customers"].tolist() == [2, 4]
    with pytest.raises(ValueError, match="3-"):
        rfm_section(_values(), rules="Recent: r 3-")


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
    _not_in_pyplot([matrix, flow])
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


def _shop(with_revenue=True, customers=None):
    # a: 10 on 5 Jan (tea) and 5 on 10 Mar (cups): 15 over 2 purchase days, 10 days ago;
    # b: 7 on 20 Mar (tea), one purchase. As of 20 Mar, churn after 90 days
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-03-10", "2024-03-20"]),
            "revenue": [10.0, 5.0, 7.0],
            "category": ["tea", "cups", "tea"],
        }
    )
    if not with_revenue:
        frame = frame.drop(columns="revenue")
    ds = rk.load_dataset(frame, customers=customers, currency="$")
    values = rk.engine.customer_values(ds.transactions)
    segments = rk.segmentation.assign_segments(rk.segmentation.rfm_scores(values))
    return ds, values, segments


def test_priority_section_without_attributes_says_so_and_lists_by_value():
    ds, values, segments = _shop()
    note, clients, head, table = priority_section(ds, values, segments=segments, churn_days=90)
    assert note.data.startswith(
        "This data set has no customer attributes (region, channel...), so key clients are "
        "shown per RFM segment and product category only"
    )
    keys = clients.data
    assert set(keys["Subgroup"]) == {"segment", "category"}
    tea = keys.loc[keys["Group"] == "tea", "Key clients, most valuable first"].item()
    assert tea == "a ($10, 58.8%), b ($7, 41.2%)"  # of the 17 spent on tea
    # a: repeat buyer within 90 days and key client (keep close); b: key client with one
    # purchase (call now); the list is by net revenue, 15 then 7
    assert head.data == (
        "**2** customers are on the list, the most valuable first: **1** key clients who pay "
        "but have gone quiet (call now), 1 key clients still buying (keep close) and 0 other "
        "repeat buyers still buying (nurture)."
    )
    assert table.data["Customer"].tolist() == ["a", "b"]
    assert table.data["Net revenue"].tolist() == [15.0, 7.0]
    assert table.data["Action"].str.split(":").str[0].tolist() == ["keep close", "call now"]


def test_priority_section_with_attributes_and_without_revenue():
    attrs = pd.DataFrame({"customer_id": ["a", "b"], "region": ["N", "S"]})
    ds, values, segments = _shop(with_revenue=False, customers=attrs)
    parts = priority_section(ds, values, segments=segments, churn_days=90, subgroup="region")
    clients, head, table = parts  # attributes given: no note
    keys = clients.data
    assert keys.loc[keys["Group"] == "N", "Key clients, most valuable first"].item() == (
        "a (2 purchases, 100.0%)"
    )
    assert "by purchases in the group" in clients.caption
    assert head.data.startswith("**2** customers are on the list")
    assert table.data["Purchases"].tolist() == [2, 1]


def test_key_clients_and_priority_tables():
    clients = pd.DataFrame(
        {
            "subgroup": ["region", "region", "region"],
            "group": ["N", "N", "S"],
            "group_customers": [2, 2, 4],
            "rank": [1, 2, 1],
            "customer_id": ["a", "b", "c"],
            "value": [50.0, 30.0, 10.0],
            "group_share": [0.625, 0.375, 0.5],
        }
    )
    view = key_clients_table(clients, currency="£")
    assert view.data["Key clients, most valuable first"].tolist() == [
        "a (£50, 62.5%), b (£30, 37.5%)",
        "c (£10, 50.0%)",
    ]
    assert isinstance(key_clients_table(clients.iloc[0:0]), Markdown)
    p = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "revenue": [90.0, 50.0],
            "purchase_days": [1, 3],
            "days_since_last_purchase": [200.0, 3.0],
            "return_share": [0.0, 0.02],
            "action": ["call now: key client gone quiet", "keep close: key client still buying"],
            "reason": ["x", "y"],
        }
    )
    head, table = priority_table(p, currency="$", rows=1)
    assert head.data.startswith("**2** customers are on the list, the most valuable first: **1**")
    assert table.data["Action"].tolist() == ["call now: key client gone quiet"]
    assert (
        table.caption == "Retention priority: the first 1 of 2 customers, the most valuable first"
    )


def _journeys():
    # a: 5 Jan and 10 Feb (new, then repeat); b: 20 Feb (new). As of 20 Feb
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-20"]),
        }
    )
    return frame


def test_lifecycle_section_figure_and_last_months():
    fig, counts = lifecycle_section(_journeys(), churn_days=90)
    _not_in_pyplot([fig])
    assert fig.axes[0].get_ylabel()
    shown = counts.data
    # end of January: a new; 20 February: a repeat, b new
    assert shown[["new", "repeat", "loyal", "lapsed", "active"]].to_dict("list") == {
        "new": [1, 1],
        "repeat": [0, 1],
        "loyal": [0, 0],
        "lapsed": [0, 0],
        "active": [1, 2],
    }
    assert counts.caption.startswith("Customers per stage at the end of the last six months")


def test_conversion_section_table_and_curves():
    journeys = rk.engine.purchase_journeys(_journeys())
    table, fig = conversion_section(journeys)
    shown = table.data
    # new -> repeat: a and b were new, a bought again; nobody became loyal
    assert shown["transition"].tolist() == ["new → repeat", "repeat → loyal", "new → loyal"]
    assert shown["customers"].tolist() == [2, 1, 2]
    assert shown["converted"].tolist() == [1, 0, 0]
    # fewer than 50 customers followed 90 days: the shares are left blank
    assert shown.filter(like="within").isna().all().all()
    assert "Conversion between lifecycle stages" in table.caption
    _not_in_pyplot([fig])
    assert len(fig.axes[0].get_lines()) >= len(rk.lifecycle.TRANSITIONS)
