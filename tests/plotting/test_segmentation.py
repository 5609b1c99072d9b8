import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle

import retainkit as rk
from retainkit import lifecycle
from retainkit import segmentation as seg


def _values():
    v = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "revenue": [50.0, 30.0, 10.0, 10.0, 0.0, -5.0],
            "days_since_last_purchase": [1.0, 5.0, 20.0, 40.0, 80.0, 200.0],
            "purchase_days": [9, 5, 2, 2, 1, 1],
        }
    )
    v.attrs = {"as_of": pd.Timestamp("2024-12-31"), "first_date": pd.Timestamp("2024-01-01")}
    return v


def test_lorenz_draws_curve_diagonal_and_marks_the_top_share():
    _fig, ax = plt.subplots()
    v = _values()
    out = rk.plotting.plot_lorenz(seg.lorenz_curve(v), pareto=seg.pareto_summary(v), ax=ax)
    assert out is ax
    # curve, equality line, and the marked point
    assert len(ax.lines) == 3
    assert [t.get_text() for t in ax.texts] == ["top 20% of customers:\n84.2% of net revenue"]
    assert "Lorenz curve of net revenue per customer" in ax.get_title()
    assert "Gini 0.57" in ax.get_title() and "01 Jan 2024 to 31 Dec 2024" in ax.get_title()
    assert ax.get_xlabel() == "Share of customers (lowest value first)"


def test_segment_bars_and_map():
    segments = seg.assign_segments(seg.rfm_scores(_values()))
    summary = seg.segment_summary(segments)
    _fig, (left, right) = plt.subplots(1, 2)
    assert rk.plotting.plot_segments(summary, ax=left) is left
    # 11 segments x (customers, revenue) bars
    assert len([p for p in left.patches if isinstance(p, Rectangle)]) == 22
    assert left.get_yticklabels()[0].get_text() == "Champions"
    assert "Share of customers and net revenue per RFM segment" in left.get_title()
    assert "segments at 31 Dec 2024" in left.get_title()
    rk.plotting.plot_segment_grid(seg.segment_grid(segments), ax=right)
    assert len(right.patches) == 25 and len(right.texts) == 25
    assert right.get_ylabel() == "Recency score (5 = most recent)"


def test_movement_heatmap_and_flow():
    m = pd.DataFrame([[3, 1, 0], [0, 2, 0], [1, 0, 4]], index=["A", "B", "Not yet a customer"],
                     columns=["A", "B", "C"])  # fmt: skip
    m.attrs = {
        "earlier_as_of": pd.Timestamp("2024-09-30"),
        "later_as_of": pd.Timestamp("2024-12-31"),
    }
    _fig, (left, right) = plt.subplots(1, 2)
    assert rk.plotting.plot_segment_movement(m, ax=left) is left
    assert len(left.texts) == 9 and left.texts[0].get_text() == "3"
    assert "30 Sep 2024 to 31 Dec 2024" in left.get_title()
    assert rk.plotting.plot_segment_flow(m, ax=right) is right
    bands = [p for p in right.patches if isinstance(p, PathPatch)]
    nodes = [p for p in right.patches if isinstance(p, Rectangle)]
    assert len(bands) == 5  # non-zero cells
    assert len(nodes) == 6  # 3 earlier rows + 3 later columns, all non-empty
    labels = sorted(t.get_text() for t in right.texts)
    assert "Not yet a customer (5)" in labels and "C (4)" in labels


def test_lifecycle_bars_and_conversion_curves():
    counts = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "period_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
            "new": [2, 1],
            "repeat": [0, 1],
            "loyal": [0, 1],
            "lapsed": [0, 1],
        }
    )
    counts.attrs = {"period": "month", "churn_days": 90, "loyal_purchases": 4, "loyal_months": 6}
    _fig, (left, right) = plt.subplots(1, 2)
    assert rk.plotting.plot_lifecycle(counts, ax=left) is left
    assert len(left.patches) == 6  # 2 months x 3 active stages
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["new", "repeat", "loyal"]
    assert "loyal: 4+ purchases over 6+ months" in left.get_title()
    assert "lapsed (over 90 days without a purchase) not shown" in left.get_title()
    j = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "repeat_date": pd.to_datetime(["2024-01-11", None]),
            "loyal_date": pd.NaT,
            "last_purchase": pd.NaT,
        }
    )
    j.attrs["as_of"] = pd.Timestamp("2024-03-01")
    curves = [lifecycle.conversion_curve(j, transition=t) for t in lifecycle.TRANSITIONS]
    assert rk.plotting.plot_conversion(curves, ax=right) is right
    assert len(right.lines) == 3
    assert right.get_ylabel() == "Share converted"
