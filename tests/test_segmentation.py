import itertools
import math

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import segmentation as seg
from retainkit.exceptions import SchemaError

# ------------------------------------------------------------------------- Pareto


def test_top_count_rounds_up_and_is_safe_from_float_noise():
    # ceil(0.2 x 5) = 1, ceil(0.2 x 6) = ceil(1.2) = 2; 0.1 x 30 is 3.0000000000000004 in
    # floating point but must give 3
    assert [seg.top_count(n, 0.2) for n in (1, 5, 6, 4371)] == [1, 1, 2, 875]
    assert seg.top_count(30, 0.1) == 3
    with pytest.raises(ValueError, match="top_share=0"):
        seg.top_count(10, 0)


def test_gini_by_hand():
    # x sorted = 0, 0, 10, 30; sum(i x_i) = 3*10 + 4*30 = 150;
    # G = 2*150 / (4*40) - 5/4 = 1.875 - 1.25 = 0.625
    assert seg.gini_coefficient([30.0, 0.0, 10.0, 0.0]) == pytest.approx(0.625)
    assert seg.gini_coefficient([7.0] * 5) == pytest.approx(0.0)
    # negative values count as zero: [-4, 2] -> [0, 2]: 2*(2*2)/(2*2) - 3/2 = 0.5
    assert seg.gini_coefficient([-4.0, 2.0]) == pytest.approx(0.5)
    assert math.isnan(seg.gini_coefficient([])) and math.isnan(seg.gini_coefficient([0.0, -1.0]))


def _values():
    # six customers, one with more returns than purchases
    return pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "revenue": [50.0, 30.0, 10.0, 10.0, 0.0, -5.0],
            "region": ["N", "N", "S", "S", "S", None],
        }
    )


def test_pareto_summary_by_hand():
    out = seg.pareto_summary(_values(), top_share=0.2, by="region")
    # all: N = 6 (the negative customer counts), top ceil(1.2) = 2 -> (50 + 30) / 95;
    #      Gini on 0,0,10,10,30,50 (negative as 0): sum(i x) = 30+40+150+300 = 520,
    #      2*520 / (6*100) - 7/6 = 0.566667
    # N: a, b -> top ceil(0.4) = 1 -> 50 / 80; Gini 2*(1*30 + 2*50)/(2*80) - 3/2 = 0.125
    # S: c, d, e -> top 1 -> 10 / 20; Gini on 0,10,10: 2*(2*10+3*10)/(3*20) - 4/3 = 1/3
    # unknown: f alone, net -5 -> no share (total not positive), no Gini
    expected = pd.DataFrame(
        {
            "subgroup": ["all", "region", "region", "region"],
            "group": ["all customers", "N", "S", "unknown"],
            "customers": [6, 2, 3, 1],
            "customer_share": [1.0, 2 / 6, 3 / 6, 1 / 6],
            "revenue": [95.0, 80.0, 20.0, -5.0],
            "revenue_share": [1.0, 80 / 95, 20 / 95, -5 / 95],
            "top_customers": [2, 1, 1, 1],
            "top_revenue": [80.0, 50.0, 10.0, -5.0],
            "top_revenue_share": [80 / 95, 50 / 80, 0.5, np.nan],
            "gini": [520 / 300 - 7 / 6, 0.125, 1 / 3, np.nan],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_pareto_summary_on_purchases_and_errors():
    v = pd.DataFrame({"customer_id": list("abcd"), "purchase_days": [1, 1, 2, 6]})
    row = seg.pareto_summary(v, value_col="purchase_days", top_share=0.25).iloc[0]
    # top ceil(1) = 1 customer: 6 of 10 purchases
    assert row["top_purchase_days_share"] == pytest.approx(0.6)
    with pytest.raises(SchemaError, match="revenue"):
        seg.pareto_summary(v)
    with pytest.raises(ValueError, match=r"top_share=1\.5"):
        seg.pareto_summary(v, value_col="purchase_days", top_share=1.5)


def test_lorenz_curve_matches_the_gini():
    v = pd.DataFrame({"revenue": [30.0, 0.0, 10.0, -3.0]})
    curve = seg.lorenz_curve(v)
    # sorted with negatives as 0: 0, 0, 10, 30 -> cumulative 0, 0, 0, 10, 40 of 40
    assert curve["value_share"].tolist() == [0.0, 0.0, 0.0, 0.25, 1.0]
    assert curve["customer_share"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # 1 - 2 x (area under the curve by trapezoids) is the Gini
    x, y = curve["customer_share"].to_numpy(), curve["value_share"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    assert 1 - 2 * area == pytest.approx(curve.attrs["gini"]) == pytest.approx(0.625)


def test_vital_few_ranks_breaks_ties_by_id_and_works_per_group():
    v = pd.DataFrame(
        {
            "customer_id": ["d", "a", "c", "b", "e"],
            "revenue": [10.0, 50.0, 10.0, 30.0, 0.0],
            "region": ["S", "N", "S", "N", "S"],
        }
    )
    top = seg.vital_few(v, top_share=0.6)
    # top ceil(3) = 3: a (50), b (30), then c and d tie at 10 -> c by id
    assert top["customer_id"].tolist() == ["a", "b", "c"]
    assert top["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9])
    per = seg.vital_few(v, top_share=0.5, by="region")
    # N: ceil(1) = 1 -> a; S: ceil(1.5) = 2 -> c, d (tie at 10, by id)
    assert per[["region", "customer_id", "rank"]].values.tolist() == [
        ["N", "a", 1],
        ["S", "c", 1],
        ["S", "d", 2],
    ]


def test_customer_profit_from_cost_or_margin():
    v = pd.DataFrame({"customer_id": ["a"], "revenue": [200.0]})
    assert seg.customer_profit(v, margin=0.3)["profit"].tolist() == [60.0]
    with_cost = seg.customer_profit(v.assign(cost=[150.0]), margin=0.3)
    assert with_cost["profit"].tolist() == [50.0]
    assert with_cost.attrs["profit_basis"] == "cost"
    with pytest.raises(ValueError, match="margin=30"):
        seg.customer_profit(v, margin=30)


def test_subgroups_and_attributes():
    a = pd.DataFrame(
        {
            "customer_id": ["1", "2", "3"],
            "region": ["N", "S", None],
            "score": [4.0, np.nan, 5.0],
            "email": ["x@a", "y@b", "z@c"],
        }
    )
    assert seg.subgroup_columns(a, max_groups=2) == ["region", "score"]
    assert seg.subgroup_columns(a, "email") == ["email"]
    with pytest.raises(SchemaError, match="did you mean 'region'"):
        seg.subgroup_columns(a, "regoin")
    with pytest.raises(SchemaError, match="no"):
        seg.subgroup_columns(None, "region")
    v = pd.DataFrame({"customer_id": ["1", "2", "3", "4"], "revenue": [1.0, 2.0, 3.0, 4.0]})
    joined = seg.with_attributes(v, a, columns=["region", "score"])
    assert joined["region"].tolist() == ["N", "S", "unknown", "unknown"]
    assert joined["score"].tolist() == ["4", "unknown", "5", "unknown"]


# ------------------------------------------------------------------------ scoring


def test_quantile_scores_by_hand():
    # 10 customers, bins 5. Distinct values 1..8 with counts 3,1,...,1 (cumulative
    # 3,4,5,6,7,8,9,10).
    # score 1: fair share 10/5 = 2; the smallest run is value 1 with 3 customers -> {1}
    # score 2: 7 left over 4 scores = 1.75; runs of 1 ({2}) or 2 ({2,3}): 2 is closer
    # score 3: 5 left over 3 = 1.67; {4} (1) or {4,5} (2): 2 is closer
    # score 4: 3 left over 2 = 1.5; {6} (1) and {6,7} (2) are equally close -> smaller
    # score 5: the rest {7, 8}
    values = [1, 1, 1, 2, 3, 4, 5, 6, 7, 8]
    assert seg.quantile_scores(values, bins=5).tolist() == [1, 1, 1, 2, 2, 3, 3, 4, 5, 5]


def test_quantile_scores_one_value_fills_its_score_alone():
    # 12 customers, six bought once (values 1), the others 2, 2, 3, 4, 5, 6.
    # score 1: fair share 12/5 = 2.4, but value 1 holds 6 -> {1} alone
    # score 2: 6 left over 4 = 1.5; {2} (2 customers) -- the cap keeps one value for
    #          each of the 3 scores to come, so {2} it is
    # score 3: 4 left over 3 = 1.33 -> {3}; score 4: 3 left over 2 = 1.5: {4} (1) and
    #          {4,5} (2) tie -> smaller {4}; score 5: {5, 6}
    values = [1] * 6 + [2, 2, 3, 4, 5, 6]
    assert seg.quantile_scores(values).tolist() == [1] * 6 + [2, 2, 3, 4, 5, 5]


def test_quantile_scores_never_split_ties_and_ignore_row_order():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 12, size=400).astype(float)
    scores = seg.quantile_scores(values)
    # equal values, equal scores; higher values never score lower
    frame = pd.DataFrame({"v": values, "s": scores})
    assert (frame.groupby("v")["s"].nunique() == 1).all()
    order = frame.sort_values("v")
    assert order["s"].is_monotonic_increasing
    assert set(scores) == {1, 2, 3, 4, 5}
    perm = rng.permutation(len(values))
    assert (seg.quantile_scores(values[perm]) == scores[perm]).all()


def test_quantile_scores_few_values_and_direction():
    # fewer distinct values than scores: spread over the scale, lowest 1, highest 5
    assert seg.quantile_scores([1, 1, 2, 3]).tolist() == [1, 1, 3, 5]
    # a single value: the middle score
    assert seg.quantile_scores([4, 4], bins=5).tolist() == [3, 3]
    # lower is better for recency: the most recent scores highest
    assert seg.quantile_scores([3, 40, 12], bins=3, higher_is_better=False).tolist() == [3, 1, 2]
    with pytest.raises(ValueError, match="bins=11"):
        seg.quantile_scores([1, 2], bins=11)
    with pytest.raises(ValueError, match="NaN"):
        seg.quantile_scores([1.0, np.nan])


def _summary():
    return pd.DataFrame(
        {
            "customer_id": list("abcdefg"),
            "days_since_last_purchase": [2.0, 10.0, 30.0, 60.0, 120.0, 200.0, np.nan],
            "purchase_days": [9, 5, 1, 3, 1, 2, 0],
            "revenue": [900.0, 300.0, 40.0, 150.0, 20.0, 60.0, -10.0],
        }
    )


def test_rfm_scores_by_hand():
    scores = seg.rfm_scores(_summary(), bins=3)
    # g has only returns: no purchase, no score. Six customers, 3 scores of about 2 each.
    # recency (lower is better): 2, 10 -> 3; 30, 60 -> 2; 120, 200 -> 1
    # frequency 1, 1 | 2, 3 | 5, 9 ; money 20, 40 | 60, 150 | 300, 900
    # fm = (f + m + 1) // 2: a (3,3) 3, b (3,3) 3, c (1,1) 1, d (2,2) 2, e (1,1) 1, f (2,2) 2
    assert scores["customer_id"].tolist() == list("abcdef")
    assert scores["r_score"].tolist() == [3, 3, 2, 2, 1, 1]
    assert scores["f_score"].tolist() == [3, 3, 1, 2, 1, 2]
    assert scores["m_score"].tolist() == [3, 3, 1, 2, 1, 2]
    assert scores["fm_score"].tolist() == [3, 3, 1, 2, 1, 2]
    assert scores["rfm"].tolist() == ["333", "333", "211", "222", "111", "122"]
    assert scores.attrs["unscored"] == 1 and scores.attrs["bins"] == 3


def test_fm_rounds_half_up_and_frequency_alone_without_money():
    s = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "days_since_last_purchase": [1.0, 2.0, 3.0, 4.0, 5.0],
            "purchase_days": [1, 2, 3, 4, 5],
            "revenue": [20.0, 10.0, 40.0, 30.0, 50.0],
        }
    )
    scores = seg.rfm_scores(s, bins=5)
    # f = 1..5, m = 2,1,4,3,5 -> fm = (f+m+1)//2: (1+2+1)//2 = 2, (2+1+1)//2 = 2, 4, 4, 5
    assert scores["fm_score"].tolist() == [2, 2, 4, 4, 5]
    no_money = seg.rfm_scores(s.drop(columns="revenue"))
    assert "m_score" not in no_money.columns
    assert no_money["fm_score"].tolist() == no_money["f_score"].tolist()
    assert no_money["rfm"].str.len().eq(2).all()


def test_rfm_scores_do_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    n = 300
    s = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(n)],
            "days_since_last_purchase": rng.integers(0, 200, n).astype(float),
            "purchase_days": rng.geometric(0.4, n),
            "revenue": rng.gamma(2.0, 50.0, n).round(2),
        }
    )
    a = seg.rfm_scores(s).set_index("customer_id").sort_index()
    b = seg.rfm_scores(s.sample(frac=1, random_state=5)).set_index("customer_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_rfm_cut_points_show_the_ranges_used():
    cuts = seg.rfm_cut_points(_summary(), bins=3)
    assert cuts["score"].tolist() == [3, 2, 1]
    assert cuts[["recency_days_from", "recency_days_to"]].values.tolist() == [
        [2.0, 10.0],
        [30.0, 60.0],
        [120.0, 200.0],
    ]
    assert cuts[["purchases_from", "purchases_to", "purchases_customers"]].values.tolist() == [
        [5, 9, 2],
        [2, 3, 2],
        [1, 1, 2],
    ]
    assert cuts[["revenue_from", "revenue_to"]].values.tolist() == [
        [300.0, 900.0],
        [60.0, 150.0],
        [20.0, 40.0],
    ]


# ------------------------------------------------------------------------ segments


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


# ------------------------------------------------------------------ whom to retain


def test_key_clients_per_attribute_segment_and_category():
    v = pd.DataFrame({"customer_id": list("abcde"), "revenue": [10.0, 50.0, 30.0, 30.0, -2.0]})
    attrs = pd.DataFrame({"customer_id": list("abcde"), "region": ["N", "N", "S", "S", "S"]})
    segments = pd.DataFrame(
        {"customer_id": list("abcd"), "segment": pd.Categorical(["Z", "Z", "A", "A"], ["Z", "A"])}
    )
    cats = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "category": ["tea"] * 3, "revenue": [9.0, 1.0, 5.0]}
    )
    out = seg.key_clients(v, attributes=attrs, segments=segments, category_values=cats, top_n=1)
    # category tea: a spent most there (9 of 15) although b spent more overall
    # region N: b (50 of 60); region S: c and d tie at 30 -> c by id; e (negative) never
    # segments in rule order Z, A: Z -> b; A -> c (tie with d)
    assert out[["subgroup", "group", "customer_id"]].values.tolist() == [
        ["category", "tea", "a"],
        ["region", "N", "b"],
        ["region", "S", "c"],
        ["segment", "Z", "b"],
        ["segment", "A", "c"],
    ]
    assert out["group_share"].tolist() == pytest.approx([9 / 15, 50 / 60, 0.5, 50 / 60, 0.5])
    assert out["group_customers"].tolist() == [3, 2, 3, 2, 2]
    with pytest.raises(ValueError, match="top_n=0"):
        seg.key_clients(v, top_n=0)


def _priority_values():
    return pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "purchase_days": [5, 4, 1, 6, 3, 2],
            "days_since_last_purchase": [10.0, 15.0, 5.0, 200.0, 30.0, 20.0],
            "lines": [10, 10, 2, 20, 5, 4],
            "return_lines": [1, 5, 0, 0, 1, 0],
            "sales": [500.0, 400.0, 80.0, 900.0, 100.0, 0.0],
            "returns": [25.0, 200.0, 0.0, 0.0, 10.0, 0.0],
            "revenue": [475.0, 200.0, 80.0, 900.0, 90.0, 0.0],
        }
    )


def test_retention_priority_by_hand():
    keys = pd.DataFrame(
        {
            "subgroup": ["region", "region", "segment"],
            "group": ["N", "S", "Champions"],
            "group_customers": [3, 3, 2],
            "rank": [1, 2, 1],
            "customer_id": ["d", "a", "a"],
            "value": [900.0, 475.0, 475.0],
            "group_share": [0.6, 0.3, 0.5],
        }
    )
    p = seg.retention_priority(_priority_values(), churn_days=90, key_clients=keys)
    # a: returned 25/500 = 5% <= 10% solvent; 5 purchases, 10 days ago interested; key
    # b: returned 200/400 = 50% -> not solvent -> off the list
    # c: one purchase -> not interested, not key -> off
    # d: solvent, 200 days idle -> not interested, but key -> on, "call now"
    # e: 10/100 = 10% (at the limit) solvent, interested -> on, "nurture"
    # f: no value -> not solvent -> off
    assert p["customer_id"].tolist() == ["d", "a", "e"]  # by value: 900, 475, 90
    assert p["tests_passed"].tolist() == [2, 3, 2]
    assert p["action"].tolist() == [
        "call now: key client gone quiet",
        "keep close: key client still buying",
        "nurture: repeat buyer still buying",
    ]
    assert p["reason"].tolist() == [
        "solvent: nothing returned; key client: #1 in region N",
        "solvent: 5% returned; still buying: 5 purchases, the last 10 days before the "
        "analysis date; key client: #1 in segment Champions, #2 in region S",
        "solvent: 10% returned; still buying: 3 purchases, the last 30 days before the "
        "analysis date",
    ]
    strict = seg.retention_priority(_priority_values(), churn_days=90, max_return_share=0.05)
    # without key clients, and at most 5% returned: only a
    assert strict["customer_id"].tolist() == ["a"]


def test_retention_priority_without_money_uses_returned_lines():
    v = _priority_values().drop(columns=["sales", "returns", "revenue"])
    p = seg.retention_priority(v, churn_days=90, value_col="purchase_days", max_return_share=0.2)
    # lines returned: a 1/10, b 5/10, e 1/5 = 20%, f 0/4; interested: a, b, e, f
    # b fails (50%); d not interested and no key clients
    assert p["customer_id"].tolist() == ["a", "e", "f"]
    assert p["reason"].iloc[1].startswith("solvent: 20% of lines returned")


def test_segmentation_figures_by_hand_and_without_money():
    v = pd.DataFrame({"customer_id": list("abcde"), "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    segments = pd.DataFrame(
        {"segment": pd.Categorical(["Champions", "At risk", "At risk"], ["Champions", "At risk"])}
    )
    stages = pd.DataFrame({"stage": ["loyal", "new", "repeat", "loyal", "lapsed"]})
    figs = seg.segmentation_figures(v, segments=segments, stages=stages).to_dict()
    # top ceil(1) = 1: 50 / 100; Gini on 0,10,10,30,50: 2*(2*10+3*10+4*30+5*50)/(5*100) - 6/5
    # = 0.48; loyal 2 of 4 active
    assert figs["figures"] == {
        "segmentation.customers": 5,
        "segmentation.top20_revenue_share": 0.5,
        "segmentation.gini": 0.48,
        "segmentation.champions": 1,
        "segmentation.at_risk": 2,
        "segmentation.loyal_share": 0.5,
    }
    bare = seg.segmentation_figures(
        v.drop(columns="revenue"),
        segments=pd.DataFrame({"segment": pd.Categorical(["Top"])}),
        stages=stages,
    ).to_dict()
    assert bare["figures"]["segmentation.top20_revenue_share"] is None
    assert "needs revenue" in bare["reasons"]["segmentation.top20_revenue_share"]
    assert "needs revenue" in bare["reasons"]["segmentation.gini"]
    assert "no 'Champions' segment" in bare["reasons"]["segmentation.champions"]


# --------------------------------------------------------------- real data check


@pytest.mark.slow
def test_online_retail_top20_share_matches_an_independent_pandas_computation(data_dir):
    """Recompute the top-20% share of net revenue from the raw CSV with plain pandas.

    Replicates the online_retail preset's default cleaning (retainkit.datasets.PRESETS
    and the quality report): rows without CustomerID dropped (ids like "17850.0" read as
    17850); revenue = Quantity x UnitPrice; lines with zero revenue dropped unless they
    are returns; returns and cancellations (negative quantity or revenue, or an
    InvoiceNo starting with "C") kept and netted; exact duplicate lines (equal in every
    column of the file, the description included) dropped once; text trimmed. No
    analysis date: the whole file.
    """
    raw = pd.read_csv(
        data_dir / "online_retail" / "online_retail_2010-2011.csv.gz",
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str, "Country": str},
    )
    raw = raw[raw["CustomerID"].notna()].copy()
    raw["CustomerID"] = raw["CustomerID"].str.strip().str.replace(r"\.0+$", "", regex=True)
    for col in ("InvoiceNo", "StockCode", "Country"):
        raw[col] = raw[col].str.strip()
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    is_return = (raw["revenue"] < 0) | (raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C")
    raw = raw[~((raw["revenue"] == 0) & ~is_return)]
    raw = raw.drop_duplicates(
        subset=["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                "CustomerID", "Country"]
    )  # fmt: skip
    net = raw.groupby("CustomerID")["revenue"].sum().sort_values(ascending=False)
    n = len(net)
    k = math.ceil(0.2 * n)
    expected = net.iloc[:k].sum() / net.sum()

    ds = rk.load_dataset("online_retail")
    values = rk.engine.customer_values(ds.transactions)
    assert len(values) == n == 4371  # every customer, 33 of them with returns only
    share = seg.pareto_summary(values, top_share=0.2)["top_revenue_share"].iloc[0]
    assert share == pytest.approx(expected, rel=1e-9)
    assert 0.73 < share < 0.75
    figs = seg.segmentation_figures(
        values,
        segments=seg.assign_segments(seg.rfm_scores(values)),
        stages=pd.DataFrame({"stage": ["loyal"]}),
    ).to_dict()["figures"]
    assert figs["segmentation.top20_revenue_share"] == pytest.approx(expected, rel=1e-9)
