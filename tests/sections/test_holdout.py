"""The holdout sections: the scorecard read in words and the figure."""

import dataclasses

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit.sections import (
    holdout_check,
    holdout_figure,
    holdout_section,
)
from retainkit.sections.holdout import HoldoutCheck


@pytest.fixture(scope="module")
def demo():
    ds = rk.load_dataset("demo")
    return ds, holdout_check(ds.transactions)


def test_no_holdout_says_why_everywhere():
    check = HoldoutCheck(None, 0, "history too short.")
    assert [p.data for p in holdout_section(check)] == [
        "**No holdout check:** history too short.",
        "Without a holdout there is no scorecard.",
    ]
    assert len(holdout_figure(None, check)) == 0


def test_holdout_check_on_two_weeks_of_data_has_no_scorecard():
    frame = pd.DataFrame(
        {"customer_id": ["a", "b"], "order_date": pd.to_datetime(["2024-01-05", "2024-01-20"])}
    )
    check = holdout_check(rk.load_transactions(frame))
    assert check.calibration_end is None and check.scorecard is None and check.note


def test_holdout_section_reads_the_scorecard(demo):
    _, check = demo
    card = check.scorecard
    model, naive = card.iloc[0], card.iloc[1]
    shown, story = holdout_section(check)
    assert f"{check.weeks} weeks after {check.calibration_end:%d %b %Y}" in shown.caption
    assert f"expected **{model['predicted_total']:,.0f}** repeat purchases" in story.data
    assert f"there were **{model['actual_total']:,.0f}**" in story.data
    assert f"off by **{model['mae_per_customer']:.2f}**" in story.data
    assert f"against **{naive['mae_per_customer']:.2f}** for the naive" in story.data


def test_handset_scorecard_verdict():
    # the model off by 0.5 a customer, the naive forecast by 0.8: the model is better
    card = pd.DataFrame(
        {
            "forecast": ["BG/NBD", "naive"],
            "predicted_total": [110.0, 90.0],
            "actual_total": [100, 100],
            "total_error": [0.1, -0.1],
            "mae_per_customer": [0.5, 0.8],
        }
    )
    cal = pd.DataFrame({"customer_id": ["a", "b"]})
    check = HoldoutCheck(pd.Timestamp("2024-06-30"), 26, "", cal, None, None, card)
    shown, story = holdout_section(check)
    assert "26 weeks after 30 Jun 2024, 2 customers" in shown.caption
    assert "**110** repeat purchases and there were **100** (+10.0%)" in story.data
    assert story.data.endswith("the model forecasts individual customers better.")
    worse = dataclasses.replace(check, scorecard=card.assign(mae_per_customer=[0.9, 0.8]))
    assert "no better than the naive forecast" in holdout_section(worse)[1].data


def test_figure(demo):
    ds, check = demo
    open_before = set(plt.get_fignums())
    (fig,) = holdout_figure(ds.transactions, check)
    assert set(plt.get_fignums()) == open_before
    assert len([ax for ax in fig.axes if ax.get_title()]) == 2
