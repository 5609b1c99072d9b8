"""RFM scores: balanced quantile bins and their cut points."""

import numpy as np
import pandas as pd
import pytest

from retainkit import segmentation as seg


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
