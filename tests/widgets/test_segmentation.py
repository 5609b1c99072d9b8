import pandas as pd
import pytest
from IPython.display import Markdown
from matplotlib.figure import Figure

from retainkit import sections, widgets


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


def test_views_are_the_report_sections():
    # the widgets show what the report shows: the same section functions
    head, fig, groups, vital = widgets.pareto_view(_values(), attributes=ATTRS, currency="$")
    section = sections.pareto_section(_values(), attributes=ATTRS, currency="$")
    assert head.data == section[0].data
    assert isinstance(fig, Figure)
    assert groups.data.equals(section[2].data) and vital.data.equals(section[3].data)
    rfm = widgets.rfm_view(_values(), bins=3)
    assert rfm[2].data.equals(sections.rfm_section(_values(), bins=3)[2].data)
    assert widgets.key_clients_view is sections.key_clients_table


def test_pareto_panel_follows_its_controls():
    panel = widgets.pareto_panel(_values(), attributes=ATTRS, top_share=0.2)
    assert [o[0] for o in panel.controls["subgroup"].options] == ["every attribute", "region"]
    panel.controls["top_share"].value = 0.5
    # top 3: 50 + 30 + 10 = 90 of 95
    assert "**94.7%**" in panel.last_result[0].data
    expected = sections.pareto_section(_values(), attributes=ATTRS, top_share=0.5)
    assert panel.last_result[0].data == expected[0].data
    # the Output widget holds what was drawn (headline, figure, two tables)
    assert len(panel.output.outputs) == 4


def test_rfm_panel_with_edited_rules():
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


def test_priority_view_is_the_priority_table():
    p = pd.DataFrame(
        {
            "customer_id": ["a"],
            "revenue": [90.0],
            "purchase_days": [1],
            "days_since_last_purchase": [200.0],
            "return_share": [0.0],
            "action": ["call now: key client gone quiet"],
            "reason": ["x"],
        }
    )
    head, table = widgets.priority_view(p, currency="$")
    assert head.data == sections.priority_table(p, currency="$")[0].data
    assert table.data["Action"].tolist() == ["call now: key client gone quiet"]


# --- the scenario tables: the panels' functions at preset settings ---------------------------


def test_pareto_table_by_hand():
    # revenue 50, 30, 10, 10, 0 (total 100); 5 customers. Top 10%, 20%, 40%: ceil(0.5) = 1,
    # ceil(1) = 1, ceil(2) = 2 customers, bringing 50, 50, 80 of 100
    v = pd.DataFrame({"customer_id": list("abcde"), "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    t = widgets.pareto_panel_table(v, top_share=0.2, currency="$").data
    assert t["top_share"].tolist() == [0.1, 0.2, 0.4]
    assert t["top_customers"].tolist() == [1, 1, 2]
    assert t["top_revenue"].tolist() == [50.0, 50.0, 80.0]
    assert t["top_revenue_share"].tolist() == [0.5, 0.5, 0.8]
    # a share above 100% is capped: every customer, all the revenue
    capped = widgets.pareto_panel_table(v, top_share=0.6, factors=(2,)).data
    assert capped[["top_share", "top_customers", "top_revenue_share"]].values.tolist() == [
        [1.0, 5, 1.0]
    ]


def test_pareto_table_rows_are_the_section_s_headline():
    v = _values()
    t = widgets.pareto_panel_table(v, top_share=0.5, factors=(1,)).data
    head = sections.pareto_section(v, top_share=0.5)[0].data
    assert f"**{t['top_revenue_share'].iloc[0]:.1%}**" in head


def test_rfm_table_counts_each_segment_at_each_number_of_bins():
    from retainkit import segmentation as seg

    rules = "Recent: r 4-5\nOthers: r 1-3"
    t = widgets.rfm_panel_table(_values(), bins=5, rules=rules, presets=(2, 3)).data
    assert t.columns.tolist() == [
        "segment",
        "customers_2_bins",
        "customers_3_bins",
        "customers_5_bins",
    ]
    for n in (2, 3, 5):
        counts = seg.assign_segments(seg.rfm_scores(_values(), bins=n), rules=rules)
        expected = counts["segment"].value_counts()
        got = t.set_index("segment")[f"customers_{n}_bins"]
        assert got[got > 0].to_dict() == expected.to_dict()
    # 6 customers, each scored: every column adds up to them
    assert t.drop(columns="segment").sum().tolist() == [6, 6, 6]


def test_rfm_table_wants_whole_numbers_of_bins():
    from retainkit.exceptions import DataValidationError

    with pytest.raises(DataValidationError, match="presets"):
        widgets.rfm_panel_table(_values(), presets=(2.5,))
