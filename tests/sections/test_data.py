"""The data section: its parts in order, the activity figure on data with and without money."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit.sections import activity_figure, data_section


def _dataset(with_revenue):
    # a: Jan 10 + Feb 20; b: Feb 5; months Jan and Feb 2024
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-10"]),
            "revenue": [10.0, 20.0, 5.0],
        }
    )
    return rk.load_dataset(frame if with_revenue else frame.drop(columns="revenue"))


def test_data_section_shows_the_parts_in_order():
    ds = _dataset(True)
    parts = data_section(ds)
    assert parts[0] is ds
    assert parts[1] is ds.transactions.quality
    assert "Where each column came from" in parts[2].data
    assert "customer_id" in parts[3].to_html()
    assert parts[5].to_frame().equals(ds.key_figures().to_frame())


@pytest.mark.parametrize(("with_revenue", "left"), [(True, 35.0), (False, 3.0)])
def test_activity_figure_plots_money_or_orders_per_month(with_revenue, left):
    # per month: revenue 10 and 25 (35 in all), or orders 1 and 2 (3); active customers 1 and 2
    open_before = set(plt.get_fignums())
    fig = activity_figure(_dataset(with_revenue))
    assert set(plt.get_fignums()) == open_before  # closed: a notebook shows it once
    bars = [sum(p.get_height() for p in ax.patches) for ax in fig.axes]
    assert bars == [left, 3.0]
