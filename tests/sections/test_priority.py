"""The priority sections: key customers of each subgroup and whom to keep first."""

import pandas as pd
from IPython.display import Markdown

import retainkit as rk
from retainkit.sections import (
    key_clients_table,
    priority_section,
    priority_table,
)


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
