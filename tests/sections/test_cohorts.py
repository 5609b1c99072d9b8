"""The cohort section: the customers heatmap, then the revenue heatmaps or why not."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit.sections import cohort_section


def _dataset(with_revenue):
    # cohort Jan 2024: a and b; a buys again in Feb, so Feb keeps 1 of 2; March closes the
    # last full month
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "c"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-02-03", "2024-03-31"]),
            "revenue": [10.0, 20.0, 5.0, 1.0],
        }
    )
    return rk.load_dataset(frame if with_revenue else frame.drop(columns="revenue"))


@pytest.mark.parametrize(("with_revenue", "figures"), [(True, 2), (False, 1)])
def test_cohort_section_shows_each_figure_once(with_revenue, figures):
    open_before = set(plt.get_fignums())
    parts = cohort_section(_dataset(with_revenue))
    assert set(plt.get_fignums()) == open_before  # closed: a notebook shows them once
    assert sum(isinstance(p, plt.Figure) for p in parts) == figures
    if not with_revenue:
        assert parts[1].data == "Revenue cohorts need revenue; this data has none."
    texts = [t.get_text() for t in parts[0].axes[0].texts]
    assert "50%" in texts  # January's cohort: 1 of its 2 customers bought in February
