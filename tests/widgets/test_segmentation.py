import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from retainkit import widgets


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


def test_pareto_view_headline_table_and_figure():
    head, fig, groups, vital = widgets.pareto_view(_values(), attributes=ATTRS, currency="$")
    # top ceil(1.2) = 2 of 6 customers: 80 of 95
    assert "The top 20% of customers (2 of 6) brought **84.2%** of net revenue" in head.data
    # "$" escaped: unescaped, JupyterLab's MathJax typesets "$80 of $95" as a formula
    dollar = "<span>&#36;</span>"
    assert (
        f"({dollar}80 of {dollar}95)" in head.data
        and "2 customers had zero or negative" in head.data
    )
    assert "profit is taken as 30% of revenue" in head.data
    assert isinstance(fig, Figure)
    assert groups.data["Group"].tolist() == ["all customers", "N", "S"]
    assert vital.data["Customer"].tolist() == ["a", "b"]
    _, _, none, _ = widgets.pareto_view(_values(), attributes=None)
    assert isinstance(none, Markdown) and "no customer attributes" in none.data


def test_pareto_view_with_cost_and_without_money():
    with_cost = _values().assign(cost=[40.0, 10.0, 5.0, 5.0, 0.0, 0.0])
    head = widgets.pareto_view(with_cost, currency="$")[0]
    # profit 10, 20, 5, 5, 0, -5: top 2 = 30 of 35
    assert "brought **85.7%** of the gross profit of <span>&#36;</span>35" in head.data
    no_money = _values().drop(columns="revenue")
    head = widgets.pareto_view(no_money)[0]
    # purchases 9, 5, 2, 2, 1, 1: top 2 = 14 of 20
    assert "**70.0%** of purchases" in head.data and "need revenue" in head.data


def test_pareto_panel_follows_its_controls():
    panel = widgets.pareto_panel(_values(), attributes=ATTRS, top_share=0.2)
    assert [o[0] for o in panel.controls["subgroup"].options] == ["every attribute", "region"]
    panel.controls["top_share"].value = 0.5
    # top 3: 90 of 95
    assert "**94.7%**" in panel.last_result[0].data
    # the Output widget holds what was drawn (headline, figure, two tables)
    assert len(panel.output.outputs) == 4


def test_rfm_view_and_panel_with_edited_rules():
    head, cuts, table, fig = widgets.rfm_view(_values(), bins=3, currency="$")
    assert head.data.startswith("6 customers scored at 31 Dec 2024")
    assert cuts.data["Score"].tolist() == [3, 2, 1]
    assert table.data["Segment"].tolist()[0] == "Champions"
    assert isinstance(fig, Figure)
    panel = widgets.rfm_panel(_values(), bins=3)
    assert panel.controls["rules"].value.startswith("Champions: r 5, fm 4-5")
    # rules are written on the 1-5 scale; 3 scores map onto 1, 3 and 5
    panel.controls["rules"].value = "Recent: r 4-5; Others: r 1-3"
    assert panel.last_result[2].data["Segment"].tolist() == ["Recent", "Others"]
    assert panel.last_result[2].data["Customers"].tolist() == [2, 4]
    # a rule being typed shows a message, not an error
    panel.controls["rules"].value = "Recent: r 3-"
    assert isinstance(panel.last_result, Markdown)
    assert "cannot read" in panel.last_result.data.lower()
    panel.controls["bins"].value = 5
    panel.controls["rules"].value = ""
    assert panel.last_result[2].data["Segment"].tolist()[-1] == "Lost"


def test_key_clients_and_priority_views():
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
    view = widgets.key_clients_view(clients, currency="£")
    assert view.data["Key clients, most valuable first"].tolist() == [
        "a (£50, 62.5%), b (£30, 37.5%)",
        "c (£10, 50.0%)",
    ]
    empty = widgets.key_clients_view(clients.iloc[0:0])
    assert isinstance(empty, Markdown)
    p = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "revenue": [90.0, 50.0],
            "purchase_days": [1, 3],
            "days_since_last_purchase": [200.0, 3.0],
            "return_share": [0.0, 0.02],
            "tests_passed": [2, 3],
            "action": ["call now: key client gone quiet", "keep close: key client still buying"],
            "reason": ["x", "y"],
        }
    )
    head, table = widgets.priority_view(p, currency="$")
    assert head.data.startswith("**2** customers are on the list, the most valuable first: **1**")
    assert table.data["Action"].tolist() == p["action"].tolist()
