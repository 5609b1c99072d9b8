import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import lifecycle
from retainkit.exceptions import SchemaError


def _journeys():
    # as of 2024-12-31
    # a: first 01-01, repeat 01-31 (30 days), loyal 07-15 (166 days after repeat)
    # b: first 01-01, repeat 03-01 (60 days), never loyal
    # c: first 01-01, one purchase only
    # d: first 11-01 (60 days before as_of), one purchase only
    # e: first 06-01, repeat 06-11 (10 days), loyal 12-01 (173 days after repeat); last 12-01
    j = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "first_purchase": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-01", "2024-11-01", "2024-06-01"]
            ),
            "repeat_date": pd.to_datetime(["2024-01-31", "2024-03-01", None, None, "2024-06-11"]),
            "loyal_date": pd.to_datetime(["2024-07-15", None, None, None, "2024-12-01"]),
            "last_purchase": pd.to_datetime(
                ["2024-07-15", "2024-10-20", "2024-01-01", "2024-11-01", "2024-12-01"]
            ),
        }
    )
    j.attrs["as_of"] = pd.Timestamp("2024-12-31")
    return j


def test_lifecycle_stage_by_hand():
    stages = lifecycle.lifecycle_stage(_journeys(), churn_days=90)
    # a: last purchase 169 days ago -> lapsed although loyal; b: 72 days -> repeat
    # c: 365 days -> lapsed; d: 60 days -> new; e: 30 days -> loyal
    assert stages["stage"].tolist() == ["lapsed", "repeat", "lapsed", "new", "loyal"]
    bare = _journeys()
    bare.attrs = {}
    with pytest.raises(SchemaError, match="as_of"):
        lifecycle.lifecycle_stage(bare, churn_days=90)
    with pytest.raises(SchemaError, match="loyal_date"):
        lifecycle.lifecycle_stage(_journeys().drop(columns="loyal_date"), churn_days=90)


def test_conversion_curve_is_kaplan_meier_by_hand():
    curve = lifecycle.conversion_curve(_journeys(), transition="new → repeat")
    # durations from the first purchase: a 30 (event), b 60 (event), c 365 (censored),
    # d 60 (censored: 60 days observed), e 10 (event)
    # t=10: 5 at risk, 1 converts -> S = 4/5
    # t=30: 4 at risk (a, b, c, d), 1 converts -> S = 4/5 * 3/4 = 3/5
    # t=60: 3 at risk (b, c, d: censored at 60 still counts), 1 converts -> S = 3/5 * 2/3
    assert curve["days"].tolist() == [10, 30, 60]
    assert curve["at_risk"].tolist() == [5, 4, 3]
    assert curve["share_converted"].tolist() == pytest.approx([0.2, 0.4, 0.6])
    assert curve.attrs["customers"] == 5 and curve.attrs["followed_days"] == 365
    loyal = lifecycle.conversion_curve(_journeys(), transition="repeat → loyal")
    # from the repeat date: e 173 (event), a 166 (event), b 305 (censored)
    assert loyal["days"].tolist() == [166, 173]
    assert loyal["share_converted"].tolist() == pytest.approx([1 / 3, 2 / 3])
    with pytest.raises(ValueError, match="transition='new → gone'"):
        lifecycle.conversion_curve(_journeys(), transition="new → gone")


def test_stage_conversion_reads_the_curves_at_horizons():
    table = lifecycle.stage_conversion(_journeys(), horizons_days=(30, 90, 200), min_followed=4)
    first = table.iloc[0]
    # new -> repeat: within 30 days 0.4; within 90 days 0.6 (d followed 60 days only, but
    # 4 customers have 90+ days: a, b, c, e -- enough); 200 days: followed a, b, c, e = 4
    assert first["transition"] == "new → repeat"
    assert (first["customers"], first["converted"]) == (5, 3)
    assert [first["within_30_days"], first["within_90_days"], first["within_200_days"]] == (
        pytest.approx([0.4, 0.6, 0.6])
    )
    assert first["median_days"] == 60.0  # the share first reaches 50% on day 60
    second = table.iloc[1]
    # repeat -> loyal: 3 customers reached repeat (a 335, b 305, e 203 days before as_of):
    # fewer than 4 followed at any horizon -> blank; the median is the day the share
    # reaches 2/3 >= 1/2: day 173
    assert second["customers"] == 3 and np.isnan(second["within_200_days"])
    assert np.isnan(second["within_30_days"])
    assert second["median_days"] == 173.0


def test_stages_agree_with_the_engine_counts():
    ds = rk.load_dataset("cdnow_sample")
    journeys = rk.engine.purchase_journeys(ds.transactions, loyal_purchases=4, loyal_months=6)
    counts = rk.engine.lifecycle_counts(
        ds.transactions, churn_days=120, loyal_purchases=4, loyal_months=6
    )
    stages = lifecycle.lifecycle_stage(journeys, churn_days=120)["stage"].value_counts()
    last = counts.iloc[-1]
    assert {s: int(stages[s]) for s in ("new", "repeat", "loyal", "lapsed")} == {
        s: int(last[s]) for s in ("new", "repeat", "loyal", "lapsed")
    }
    assert last[["new", "repeat", "loyal", "lapsed"]].sum() == len(journeys) == 2357
