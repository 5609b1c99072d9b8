"""The lifecycle sections: stages over time and conversion between them."""

import pandas as pd

import retainkit as rk
from retainkit.sections import (
    conversion_section,
    lifecycle_section,
)
from tests.sections.segmentation_frames import not_in_pyplot


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
    not_in_pyplot([fig])
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
    not_in_pyplot([fig])
    assert len(fig.axes[0].get_lines()) >= len(rk.lifecycle.TRANSITIONS)
