"""Segment movement between two dates."""

import numpy as np
import pandas as pd
import pytest

from retainkit import segmentation as seg


def test_segment_movement_and_summary_by_hand():
    cats = ["Top", "Mid", "Low"]
    earlier = pd.DataFrame(
        {"customer_id": list("abcd"), "segment": pd.Categorical(["Top", "Top", "Mid", "Low"], cats)}
    )
    later = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "segment": pd.Categorical(["Top", "Mid", "Mid", "Low", "Top"], cats),
        }
    )
    m = seg.segment_movement(earlier, later)
    expected = pd.DataFrame(
        [[1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]],
        index=["Top", "Mid", "Low", seg.NOT_YET_A_CUSTOMER],
        columns=cats,
    )
    pd.testing.assert_frame_equal(m, expected, check_dtype=False)
    s = seg.movement_summary(m)
    # Top: 2 customers, 1 stayed, the other went to Mid
    assert s.iloc[0][["segment", "customers", "stayed", "main_destination"]].tolist() == [
        "Top",
        2,
        0.5,
        "Mid",
    ]
    assert s.iloc[-1]["segment"] == seg.NOT_YET_A_CUSTOMER and np.isnan(s.iloc[-1]["stayed"])


def test_movement_between_scores_each_date_on_its_own_data():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-04-10", "2024-01-20", "2024-04-25"]),
            "revenue": [10.0, 5.0, 7.0, 9.0],
        }
    )
    m = seg.movement_between(
        frame, as_of="2024-04-30", months_before=2, rules="Recent: r 4-5; Earlier: r 1-3"
    )
    # 29 Feb: a (55 days) and b (40 days): b more recent -> b 5 (Recent), a 1 (Earlier)
    # 30 Apr: a 20 days, b 101, c 5 -> c 5, a 3, b 1 (spread over 1-5) -> c Recent,
    #         a Earlier, b Earlier
    assert m.loc["Earlier", "Earlier"] == 1  # a
    assert m.loc["Recent", "Earlier"] == 1  # b
    assert m.loc[seg.NOT_YET_A_CUSTOMER, "Recent"] == 1  # c
    assert m.attrs["earlier_as_of"] == pd.Timestamp("2024-02-29")
    assert m.attrs["earlier_customers"] == 2
    with pytest.raises(ValueError, match="months_before=0"):
        seg.movement_between(frame, months_before=0)


def test_movement_between_with_no_customer_at_the_earlier_date():
    # a two-month export looked at six months back: nobody had bought yet (a tool's short
    # export made the segmentation report stop here)
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "order_date": pd.to_datetime(["2024-03-05", "2024-04-10"]),
            "revenue": [10.0, 5.0],
        }
    )
    m = seg.movement_between(frame, as_of="2024-04-30", months_before=6)
    assert m.attrs["earlier_customers"] == 0
    assert m.loc[seg.NOT_YET_A_CUSTOMER].sum() == 2
