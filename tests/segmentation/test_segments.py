"""RFM segments: the rules, the segment of each customer, summary and grid."""

import itertools

import numpy as np
import pandas as pd
import pytest

from retainkit import segmentation as seg


def _all_scores(bins=5):
    combos = list(itertools.product(range(1, bins + 1), repeat=3))
    frame = pd.DataFrame(combos, columns=["r_score", "f_score", "m_score"])
    frame["fm_score"] = (frame["f_score"] + frame["m_score"] + 1) // 2
    frame.insert(0, "customer_id", [f"c{i}" for i in range(len(frame))])
    frame.attrs["bins"] = bins
    return frame


def test_default_rules_cover_every_score_combination_once():
    rules = seg.segment_rules()
    assert rules["segment"].tolist() == [
        "Champions",
        "Loyal",
        "New",
        "Promising",
        "Potential loyalists",
        "Need attention",
        "About to sleep",
        "At risk",
        "Can't lose them",
        "Hibernating",
        "Lost",
    ]
    out = seg.assign_segments(_all_scores())
    assert seg.UNASSIGNED not in out["segment"].cat.categories
    assert set(out["segment"].astype(str)) == set(rules["segment"])


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 4, "Champions"),  # fm (5+4+1)//2 = 5
        (5, 1, 5, "New"),  # one purchase, however large: New, before Potential loyalists
        (4, 1, 1, "Promising"),
        (5, 2, 3, "Potential loyalists"),  # fm 3
        (4, 4, 4, "Loyal"),
        (3, 3, 3, "Need attention"),
        (3, 1, 2, "About to sleep"),  # fm 2
        (2, 4, 3, "At risk"),  # fm 4
        (1, 5, 5, "Can't lose them"),
        (2, 2, 1, "Hibernating"),  # fm 2
        (1, 1, 2, "Lost"),  # fm 2
    ],
)
def test_default_rules_by_hand(r, f, m, segment):
    scores = pd.DataFrame(
        {
            "customer_id": ["x"],
            "r_score": [r],
            "f_score": [f],
            "m_score": [m],
            "fm_score": [(f + m + 1) // 2],
        }
    )
    assert seg.assign_segments(scores)["segment"].tolist() == [segment]


def test_first_matching_rule_wins_and_gaps_are_unassigned():
    scores = _all_scores().head(3)  # (1,1,1), (1,1,2), (1,1,3)
    text = "Low: r 1, m 1-2; Any recency one: r 1; Never: r 5"
    out = seg.assign_segments(scores, rules=text)
    assert out["segment"].tolist() == ["Low", "Low", "Any recency one"]
    gaps = seg.assign_segments(scores, rules={"Only m3": {"m": 3}})
    assert gaps["segment"].tolist() == [seg.UNASSIGNED, seg.UNASSIGNED, "Only m3"]


def test_rules_from_other_bins_are_mapped_onto_the_rule_scale():
    scores = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "r_score": [1, 2, 9, 10],
            "f_score": [10, 10, 10, 10],
            "fm_score": [10, 10, 10, 10],
        }
    )
    scores.attrs["bins"] = 10
    # 10 scores onto 5: 1 + (s - 1) * 4/9 rounded half up: 1 -> 1, 2 -> 1.44 -> 1,
    # 9 -> 4.56 -> 5, 10 -> 5
    out = seg.assign_segments(scores, rules="Recent: r 5; Gone: r 1; Rest: r 1-5")
    assert out["segment"].tolist() == ["Gone", "Gone", "Recent", "Recent"]


def test_rule_text_round_trips_and_bad_rules_say_where():
    text = seg.format_segment_rules(seg.segment_rules())
    again = seg.parse_segment_rules(text)
    pd.testing.assert_frame_equal(again, seg.segment_rules())
    assert seg.segment_rules("").equals(seg.segment_rules())
    with pytest.raises(ValueError, match="line 2"):
        seg.parse_segment_rules("A: r 1-5\nB: recency high")
    with pytest.raises(ValueError, match="segment 'B': r range"):
        seg.segment_rules("A: r 1-5; B: r 4-6")
    with pytest.raises(ValueError, match="named twice"):
        seg.segment_rules("A: r 1; A: r 2")
    with pytest.raises(ValueError, match="unknown score 'x'"):
        seg.segment_rules({"A": {"x": 1}})


def test_segment_summary_by_hand():
    segments = pd.DataFrame(
        {
            "segment": pd.Categorical(["A", "A", "B", "A"], ["A", "B", "C"]),
            "revenue": [10.0, 30.0, 60.0, 20.0],
            "recency_days": [1.0, 3.0, 9.0, 5.0],
            "purchases": [2, 4, 1, 3],
        }
    )
    out = seg.segment_summary(segments)
    # A: 3 customers, 60 of 120 revenue, 20 per customer, median recency 3, 3 purchases
    # B: 1 customer, 60; C: empty
    expected = pd.DataFrame(
        {
            "segment": ["A", "B", "C"],
            "customers": [3, 1, 0],
            "customer_share": [0.75, 0.25, 0.0],
            "revenue": [60.0, 60.0, 0.0],
            "revenue_share": [0.5, 0.5, 0.0],
            "revenue_per_customer": [20.0, 60.0, np.nan],
            "median_recency_days": [3.0, 9.0, np.nan],
            "mean_purchases": [3.0, 1.0, np.nan],
            "description": ["", "", ""],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_segment_grid_counts_cells():
    scores = _all_scores()
    grid = seg.segment_grid(seg.assign_segments(scores))
    assert len(grid) == 25 and grid["customers"].sum() == 125
    # r 5 and fm 5: f + m >= 9 -> (4,5), (5,4), (5,5): 3 customers, all Champions
    cell = grid[(grid.r_score == 5) & (grid.fm_score == 5)].iloc[0]
    assert (cell["customers"], cell["segment"]) == (3, "Champions")


@pytest.mark.parametrize("bins", [3, 5, 7])
def test_each_customer_gets_the_first_rule_holding_all_their_scores(bins):
    # the rule checked customer by customer, in plain Python, against the vectorised one
    rules_text = "Top: r 4-5, fm 4-5; Mid: r 3, m 2-4; Low f: f 1-2; Rest: r 1-2, fm 1-3"
    scores = _all_scores(bins)
    out = seg.assign_segments(scores, rules=rules_text)
    rules = seg.segment_rules(rules_text)

    def on_scale(v):  # 1..bins onto 1..5, half up, as the docstring says
        return v if bins == 5 else int(np.floor(1 + (v - 1) * 4 / (bins - 1) + 0.5))

    expected = []
    for row in scores.itertuples():
        got = {d: on_scale(getattr(row, f"{d}_score")) for d in ("r", "f", "m", "fm")}
        match = next(
            (
                rule["segment"]
                for rule in rules.to_dict("records")
                if all(rule[f"{d}_min"] <= got[d] <= rule[f"{d}_max"] for d in got)
            ),
            seg.UNASSIGNED,
        )
        expected.append(match)
    assert out["segment"].astype(str).tolist() == expected
    assert seg.UNASSIGNED in expected  # the rules leave gaps: the default is exercised


def test_rules_read_from_text_are_a_new_frame_each_time():
    # the parsed text is kept, so a caller changing its copy must not change the next one
    first = seg.segment_rules("Top: r 4-5; Rest: r 1-3")
    first.loc[0, "r_min"] = 1
    first.attrs["scale"] = 9
    again = seg.segment_rules("Top: r 4-5; Rest: r 1-3")
    assert again.loc[0, "r_min"] == 4 and again.attrs == {"scale": 5}
