import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv import BetaGeoModel
from retainkit.clv import validation as V
from retainkit.exceptions import DataValidationError


@pytest.fixture
def log():
    # a: 01-01, 01-15 (calibration), 02-05, 02-06 (holdout); b: 01-08 only; c: starts in the holdout
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-15", "2024-02-05", "2024-02-06", "2024-01-08", "2024-02-01"]
            ),
            "revenue": [10.0, 20.0, 5.0, 7.0, 3.0, 9.0],
        }
    )


def test_calibration_holdout_by_hand(log):
    ch = V.calibration_holdout(log, calibration_end="2024-01-28", holdout_end="2024-02-25")
    assert ch["customer_id"].tolist() == ["a", "b"]
    assert ch["frequency"].tolist() == [1, 0]
    assert ch["frequency_holdout"].tolist() == [2, 0]
    assert ch["revenue_holdout"].tolist() == [12.0, 0.0]
    # 28 days of holdout = 4 weeks; a's T: 27 days
    assert ch["duration_holdout"].tolist() == [4.0, 4.0]
    assert ch["T"].iloc[0] == pytest.approx(27 / 7)
    with pytest.raises(DataValidationError, match="not after"):
        V.calibration_holdout(log, calibration_end="2024-03-01", holdout_end="2024-02-25")


def test_default_calibration_end():
    # 1095 days = 156.4 weeks: a third is 52.1, capped at 52
    assert V.default_calibration_end("2022-01-01", "2024-12-31") == (pd.Timestamp("2024-01-02"), 52)
    # 53 weeks of history: 17 weeks held out
    end, weeks = V.default_calibration_end("2010-12-01", "2011-12-09")
    assert weeks == 17 and end == pd.Timestamp("2011-12-09") - pd.Timedelta(weeks=17)
    with pytest.raises(DataValidationError, match="too short"):
        V.default_calibration_end("2024-01-01", "2024-03-01", holdout_weeks=10)


def test_scorecard_by_hand():
    p = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [1, 0, 2],
            "actual": [2, 0, 1],
            "predicted": [1.5, 0.5, 1.0],
            "naive": [3.0, 0.0, 4.0],
        }
    )
    card = V.holdout_scorecard(p).set_index("method")
    # model: |0.5| + |0.5| + 0 = 1.0 over 3; naive: 1 + 0 + 3 = 4 over 3
    assert card.loc["BG/NBD model", "mae_per_customer"] == pytest.approx(1 / 3)
    assert card.loc["naive: calibration rate", "mae_per_customer"] == pytest.approx(4 / 3)
    assert card.loc["BG/NBD model", "total_error"] == pytest.approx(0.0)
    assert card.loc["naive: calibration rate", "total_error"] == pytest.approx(7 / 3 - 1)
    by = V.holdout_by_frequency(p, max_frequency=1)
    assert by["frequency"].tolist() == ["0", "1+"]
    assert by["actual"].tolist() == [0.0, 1.5]


def test_cdnow_holdout_forecast_is_close_in_aggregate(cdnow_summary):
    txn = rk.load_transactions("cdnow_sample")
    ch = V.calibration_holdout(txn, calibration_end="1997-09-30", holdout_end="1998-06-30")
    model = BetaGeoModel().fit(ch)
    predictions = V.holdout_predictions(model, ch)
    card = V.holdout_scorecard(predictions).set_index("method")
    # the 39-week holdout: 1,882 repeat purchase days happened (counted below from the
    # rows: days with a purchase in the holdout by customers who bought by its start)
    rows = txn.to_pandas()
    first = rows.groupby("customer_id")["order_date"].min()
    known = first[first <= "1997-09-30"].index
    held = rows[
        rows["customer_id"].isin(known)
        & (rows["order_date"] > "1997-09-30")
        & (rows["order_date"] <= "1998-06-30")
    ]
    days = held.assign(day=held["order_date"].dt.normalize()).drop_duplicates(
        ["customer_id", "day"]
    )
    assert len(days) == 1882
    # the model expects 1,653
    # (-12%: it under-forecasts the second year's repeat buying on this sample), the naive
    # rate 2,930 (+56%); per customer the model's error is the smaller one
    assert card.loc["BG/NBD model", "actual_total"] == 1882
    assert -0.15 < card.loc["BG/NBD model", "total_error"] < 0
    assert card.loc["naive: calibration rate", "total_error"] > 0.5
    assert (
        card.loc["BG/NBD model", "mae_per_customer"]
        < card.loc["naive: calibration rate", "mae_per_customer"]
    )
    tracking = V.tracking_table(txn, model, calibration_end="1997-09-30", holdout_end="1998-06-30")
    assert tracking["actual"].iloc[-1] == ch["frequency"].sum() + ch["frequency_holdout"].sum()
    assert tracking["actual"].is_monotonic_increasing
    # cumulative forecast within 5% of the actual at the end of calibration and of the holdout
    at_cal = tracking[tracking["week_end"] <= pd.Timestamp("1997-09-30")].iloc[-1]
    assert at_cal["predicted"] == pytest.approx(at_cal["actual"], rel=0.05)
    assert tracking["predicted"].iloc[-1] == pytest.approx(tracking["actual"].iloc[-1], rel=0.07)


def test_tracking_counts_only_calibration_customers(log):
    m = BetaGeoModel()
    m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    m.time_unit_ = "weeks"
    t = V.tracking_table(log, m, calibration_end="2024-01-28", holdout_end="2024-02-11")
    # weeks end 01-07, 01-14, 01-21, 01-28, 02-04, 02-11: a's repeats on 01-15, 02-05, 02-06
    assert t["actual"].tolist() == [0, 0, 1, 1, 1, 3]
    assert (np.diff(t["predicted"]) >= 0).all()


@pytest.fixture(scope="module")
def cdnow_holdout():
    txn = rk.load_transactions("cdnow_sample")
    return V.calibration_holdout(txn, calibration_end="1997-09-30")


def test_compare_purchase_models_on_all_customers_equals_compare_models(cdnow_holdout):
    table, note = V.compare_purchase_models(cdnow_holdout, max_customers=0)
    bgnbd = BetaGeoModel().fit(cdnow_holdout)
    pareto = rk.clv.ParetoNBDModel().fit(cdnow_holdout)
    expected = V.compare_models({"BG/NBD": bgnbd, "Pareto/NBD": pareto}, cdnow_holdout)
    pd.testing.assert_frame_equal(table, expected)
    assert note == ""


def test_compare_purchase_models_samples_the_same_customers_for_both(cdnow_holdout):
    table, note = V.compare_purchase_models(cdnow_holdout, max_customers=1000, seed=3)
    again, _ = V.compare_purchase_models(cdnow_holdout, max_customers=1000, seed=3)
    pd.testing.assert_frame_equal(table, again)  # same seed, same figures
    assert note.startswith("Both models fitted on a random sample of 1,000 of the 2,357")
    # scored on the sample's holdout only: the actual totals of both rows are the sample's
    rows = np.sort(np.random.default_rng(3).choice(len(cdnow_holdout), size=1000, replace=False))
    sample_actual = cdnow_holdout["frequency_holdout"].iloc[rows].sum()
    assert table["actual_total"].tolist() == [sample_actual, sample_actual]
