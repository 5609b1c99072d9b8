"""The revenue retention section: NRR and GRR in words and by cohort, or why not."""

import pandas as pd

import retainkit as rk
from retainkit.sections import revenue_retention_row, revenue_retention_section


def _dataset(with_revenue=True):
    # a: 100 in 2022, 150 in 2023; b: 100 in 2022, nothing after; c new on 31 Dec 2023 (50);
    # as of 31 Dec 2023: the last 12 months are 2023, the 12 before them 2022
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "c"],
            "order_date": pd.to_datetime(["2022-01-01", "2022-03-01", "2023-02-01", "2023-12-31"]),
            "revenue": [100.0, 100.0, 150.0, 50.0],
        }
    )
    return rk.load_dataset(
        frame if with_revenue else frame.drop(columns="revenue"), as_of="2023-12-31", currency="$"
    )


def test_row_is_none_without_revenue():
    assert revenue_retention_row(_dataset(False).transactions) is None
    parts = revenue_retention_section(_dataset(False), None)
    assert parts[0].data == "Revenue retention needs revenue; this data has none."
    assert "not available" in parts[1].data


def test_section_reads_nrr_and_grr():
    ds = _dataset()
    row = revenue_retention_row(ds.transactions)
    # the 2 customers of the year before spent 200, then a 150 (capped at 100 for GRR):
    # NRR 150 / 200 = 75%, GRR 100 / 200 = 50%
    assert row["note"] == ""
    assert (row["base_customers"], row["nrr"], row["grr"]) == (2, 0.75, 0.5)
    story, by_cohort = revenue_retention_section(ds, row)
    text = story.data.replace("<span>&#36;</span>", "$")
    assert "The **2** customers" in text and "spent **$200** then and **$150**" in text
    assert "net revenue retention **75.0%**, gross revenue retention **50.0%**" in text
    assert "75.0%" in by_cohort.to_html()


def test_section_gives_the_note_when_not_measurable():
    row = pd.Series({"note": "history too short"})
    parts = revenue_retention_section(_dataset(), row)
    assert parts[0].data == "**Revenue retention cannot be measured:** history too short."
