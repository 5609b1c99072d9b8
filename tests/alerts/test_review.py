"""The monthly review: the call list and the checks the data cannot support."""

import pandas as pd

from retainkit import alerts as a
from tests.alerts.conftest import _orders


def test_call_list_ranks_slipping_by_value_at_risk_and_joins_warnings():
    risk = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "group": ["slipping", "slipping", "win-back", "slipping"],
            "value_at_risk": [10.0, 50.0, 90.0, 0.0],
            "p_alive": 0.5,
            "value_recent": 60.0,
            "value_year": [10.0, 50.0, 900.0, 5.0],
            "expected_value": 1.0,
            "evidence": "",
            "last_purchase": pd.Timestamp("2024-06-01"),
            "days_since_last_purchase": 30,
        }
    )
    flags = {
        "x": pd.DataFrame({"customer_id": ["a", "b"], "warning": ["w1", "w2"]}),
        "y": pd.DataFrame({"customer_id": ["b", "c"], "warning": ["w3", "w4"]}),
    }
    calls = a.call_list(risk, flags)
    # c is to win back, d has nothing at risk: b (50) then a (10)
    assert calls["customer_id"].tolist() == ["b", "a"]
    assert calls.set_index("customer_id").loc["b", "reasons"] == "x: w2; y: w3"
    assert a.call_list(risk, flags, size=1)["customer_id"].tolist() == ["b"]


def test_review_skips_what_the_data_cannot_support():
    frame = _orders("a", ["2024-01-01"], 1.0).drop(columns="revenue")
    review = a.monthly_review(frame)
    assert review.trend is None
    assert set(review.skipped) == {a.FALLING, a.DROPPED}


def test_review_keeps_the_purchase_model_behind_its_risk():
    import retainkit as rk

    txn = rk.load_transactions("cdnow_sample")
    review = a.monthly_review(txn, as_of="1998-06-30", horizon_days=180)
    chosen = review.purchase_model
    assert review.risk.attrs["model"] == chosen.name
    assert review.risk.attrs["model_note"] == chosen.note
    # the review's p_alive is the kept model's
    summary = rk.customer_summary(txn, as_of="1998-06-30", time_unit="days")
    alive = chosen.model.probability_alive(summary).set_axis(summary["customer_id"])
    got = review.risk.set_index("customer_id")["p_alive"]
    pd.testing.assert_series_equal(got, alive.reindex(got.index), check_names=False)
    given = a.monthly_review(txn, as_of="1998-06-30", risk=review.risk)
    assert given.purchase_model is None
