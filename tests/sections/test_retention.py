"""The retention section: the 12-month rates read in words, the quarterly table, the benchmark."""

import matplotlib.pyplot as plt
import pandas as pd

from retainkit.sections import benchmark_section, retention_history_section, retention_rates_section


def _rates(note=""):
    # the docstring's shop: S = 100 active at the start, N = 30 won, E = 95 active at the end,
    # 60 of the 100 kept: CRR (95 - 30) / 100 = 65%, retained share 60%, churn 40%
    rates = pd.DataFrame(
        {
            "period_start": [pd.Timestamp("2024-01-01")],
            "period_end": [pd.Timestamp("2024-12-31")],
            "customers_at_start": [100],
            "customers_at_end": [95],
            "new_customers": [30],
            "retained_customers": [60],
            "crr": [(95 - 30) / 100],
            "retained_share": [60 / 100],
            "churn_rate": [1 - 60 / 100],
            "repeat_purchase_rate": [0.25],
            "churn_days": [90],
            "note": [note],
        }
    )
    rates.attrs["churn_explanation"] = "Lost after 90 days without a purchase."
    return rates


def test_rates_section_reads_the_rates_in_words_and_a_table():
    explanation, shown, story = retention_rates_section(_rates())
    assert explanation.data == "Lost after 90 days without a purchase."
    html = shown.to_html()
    assert "CRR (E - N) / S" in html and "65.0%" in html and "2024-01-01" in html
    assert "Note" not in html and "Churn days" not in html
    assert "Of the **100** customers active on 01 Jan 2024, **60** were still active" in story.data
    assert "retained share of **60.0%** and a churn rate of **40.0%**" in story.data
    assert "(E - N) / S is **65.0%**" in story.data and "**25.0%** of the year's" in story.data


def test_rates_section_says_why_the_rates_cannot_be_measured():
    parts = retention_rates_section(_rates(note="history too short"))
    assert parts[1].data == "**The 12-month rates cannot be measured:** history too short."
    assert "quarterly rates below" in parts[2].data


def test_history_section_shows_one_row_per_quarter():
    history = pd.concat([_rates(), _rates()], ignore_index=True)
    (shown,) = retention_history_section(history)
    assert shown.to_html().count("65.0%") == 2
    assert "per quarter" in shown.caption
    assert retention_history_section(history.iloc[:0])[0].data.startswith("The history is too")


def test_benchmark_section_returns_one_closed_figure():
    open_before = set(plt.get_fignums())
    (fig,) = benchmark_section(_rates(), industry="Retail")
    assert set(plt.get_fignums()) == open_before  # closed: a notebook shows it once
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("Retail" in label for label in labels)
