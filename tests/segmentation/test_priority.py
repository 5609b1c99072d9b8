"""Whom to retain: key clients and the retention-priority list."""

import pandas as pd
import pytest

from retainkit import segmentation as seg


def test_key_clients_per_attribute_segment_and_category():
    v = pd.DataFrame({"customer_id": list("abcde"), "revenue": [10.0, 50.0, 30.0, 30.0, -2.0]})
    attrs = pd.DataFrame({"customer_id": list("abcde"), "region": ["N", "N", "S", "S", "S"]})
    segments = pd.DataFrame(
        {"customer_id": list("abcd"), "segment": pd.Categorical(["Z", "Z", "A", "A"], ["Z", "A"])}
    )
    cats = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "category": ["tea"] * 3, "revenue": [9.0, 1.0, 5.0]}
    )
    out = seg.key_clients(v, attributes=attrs, segments=segments, category_values=cats, top_n=1)
    # category tea: a spent most there (9 of 15) although b spent more overall
    # region N: b (50 of 60); region S: c and d tie at 30 -> c by id; e (negative) never
    # segments in rule order Z, A: Z -> b; A -> c (tie with d)
    assert out[["subgroup", "group", "customer_id"]].values.tolist() == [
        ["category", "tea", "a"],
        ["region", "N", "b"],
        ["region", "S", "c"],
        ["segment", "Z", "b"],
        ["segment", "A", "c"],
    ]
    assert out["group_share"].tolist() == pytest.approx([9 / 15, 50 / 60, 0.5, 50 / 60, 0.5])
    assert out["group_customers"].tolist() == [3, 2, 3, 2, 2]
    with pytest.raises(ValueError, match="top_n=0"):
        seg.key_clients(v, top_n=0)


def _priority_values():
    return pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "purchase_days": [5, 4, 1, 6, 3, 2],
            "days_since_last_purchase": [10.0, 15.0, 5.0, 200.0, 30.0, 20.0],
            "lines": [10, 10, 2, 20, 5, 4],
            "return_lines": [1, 5, 0, 0, 1, 0],
            "sales": [500.0, 400.0, 80.0, 900.0, 100.0, 0.0],
            "returns": [25.0, 200.0, 0.0, 0.0, 10.0, 0.0],
            "revenue": [475.0, 200.0, 80.0, 900.0, 90.0, 0.0],
        }
    )


def test_retention_priority_by_hand():
    keys = pd.DataFrame(
        {
            "subgroup": ["region", "region", "segment"],
            "group": ["N", "S", "Champions"],
            "group_customers": [3, 3, 2],
            "rank": [1, 2, 1],
            "customer_id": ["d", "a", "a"],
            "value": [900.0, 475.0, 475.0],
            "group_share": [0.6, 0.3, 0.5],
        }
    )
    p = seg.retention_priority(_priority_values(), churn_days=90, key_clients=keys)
    # a: returned 25/500 = 5% <= 10% solvent; 5 purchases, 10 days ago interested; key
    # b: returned 200/400 = 50% -> not solvent -> off the list
    # c: one purchase -> not interested, not key -> off
    # d: solvent, 200 days idle -> not interested, but key -> on, "call now"
    # e: 10/100 = 10% (at the limit) solvent, interested -> on, "nurture"
    # f: no value -> not solvent -> off
    assert p["customer_id"].tolist() == ["d", "a", "e"]  # by value: 900, 475, 90
    assert p["tests_passed"].tolist() == [2, 3, 2]
    assert p["action"].tolist() == [
        "call now: key client gone quiet",
        "keep close: key client still buying",
        "nurture: repeat buyer still buying",
    ]
    assert p["reason"].tolist() == [
        "solvent: nothing returned; key client: #1 in region N",
        "solvent: 5% returned; still buying: 5 purchases, the last 10 days before the "
        "analysis date; key client: #1 in segment Champions, #2 in region S",
        "solvent: 10% returned; still buying: 3 purchases, the last 30 days before the "
        "analysis date",
    ]
    strict = seg.retention_priority(_priority_values(), churn_days=90, max_return_share=0.05)
    # without key clients, and at most 5% returned: only a
    assert strict["customer_id"].tolist() == ["a"]


def test_retention_priority_without_money_uses_returned_lines():
    v = _priority_values().drop(columns=["sales", "returns", "revenue"])
    p = seg.retention_priority(v, churn_days=90, value_col="purchase_days", max_return_share=0.2)
    # lines returned: a 1/10, b 5/10, e 1/5 = 20%, f 0/4; interested: a, b, e, f
    # b fails (50%); d not interested and no key clients
    assert p["customer_id"].tolist() == ["a", "e", "f"]
    assert p["reason"].iloc[1].startswith("solvent: 20% of lines returned")
