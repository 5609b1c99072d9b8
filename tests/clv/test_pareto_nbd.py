import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv import BetaGeoModel, ParetoNBDModel
from retainkit.clv import validation as V
from retainkit.exceptions import NotFittedError
from tests.conftest import DATA


def test_reproduces_the_published_cdnow_estimates(cdnow_summary):
    # Fader, Hardie & Lee (2005), table 1, Pareto/NBD on the same data:
    # r=0.553, alpha=10.578, s=0.606, beta=11.669, LL -9595.0
    m = ParetoNBDModel().fit(cdnow_summary)
    assert {k: round(v, 3) for k, v in m.params_.items()} == {
        "r": 0.553,
        "alpha": 10.578,
        "s": 0.606,
        "beta": 11.669,
    }
    assert round(m.log_likelihood_, 1) == -9595.0


def test_new_customer_expectation_by_hand():
    m = ParetoNBDModel()
    m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    m.time_unit_ = "weeks"
    t = np.array([13.0, 39.0, 78.0])
    r, alpha, s, beta = 0.553, 10.578, 0.606, 11.669
    direct = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    np.testing.assert_allclose(m.expected_purchases_new_customer(t), direct)


def test_probability_alive_falls_with_a_long_silence():
    m = ParetoNBDModel()
    m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    m.time_unit_ = "weeks"
    s = pd.DataFrame(
        {
            "customer_id": ["recent", "silent"],
            "frequency": [5, 5],
            "recency": [38.0, 5.0],
            "T": [39.0, 39.0],
        }
    )
    alive = m.probability_alive(s)
    assert 0 < alive.iloc[1] < alive.iloc[0] < 1
    with pytest.raises(NotFittedError):
        ParetoNBDModel().probability_alive(s)


def test_compared_with_bgnbd_on_the_cdnow_holdout():
    txn = rk.load_transactions("cdnow_sample")
    ch = V.calibration_holdout(txn, calibration_end="1997-09-30", holdout_end="1998-06-30")
    table = V.compare_models(
        {"BG/NBD": BetaGeoModel().fit(ch), "Pareto/NBD": ParetoNBDModel().fit(ch)}, ch
    )
    assert table["model"].tolist() == ["BG/NBD", "Pareto/NBD"]
    # both models are scored on the same 1,882 holdout repeat-purchase days, counted here
    # with pandas on the raw file: distinct (customer, day) with a purchase after
    # 1997-09-30 up to 1998-06-30, by customers whose first purchase was by 1997-09-30
    raw = pd.read_csv(
        DATA / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "customer", "date", "cds", "dollars"],
    )
    raw["day"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    first = raw.groupby("customer")["day"].min()
    held = raw[
        raw["customer"].isin(first[first <= "1997-09-30"].index)
        & (raw["day"] > "1997-09-30")
        & (raw["day"] <= "1998-06-30")
    ]
    repeat_days = len(held.drop_duplicates(["customer", "day"]))
    assert repeat_days == 1882
    assert (table["actual_total"] == repeat_days).all()
    # the two models forecast the holdout within a few percent of each other
    totals = table["predicted_total"].to_numpy()
    assert abs(totals[1] / totals[0] - 1) < 0.05


def test_fit_in_a_finer_time_unit_is_the_same_fit_rescaled(cdnow_summary):
    # the likelihood is equivariant in the time unit: with recency and T in hours (168 to
    # a week) alpha and beta are 168 times their weekly values and r, s unchanged; here
    # beta becomes 11.669 x 168 = 1,960, above the 1e3 bound that once made such a fit
    # fail (a beta of 1,386 days on a 10M-line log)
    weekly = ParetoNBDModel().fit(cdnow_summary)
    hours = cdnow_summary.assign(recency=cdnow_summary["recency"] * 168, T=cdnow_summary["T"] * 168)
    hourly = ParetoNBDModel().fit(hours, time_unit="hours")
    scale = {"r": 1.0, "alpha": 168.0, "s": 1.0, "beta": 168.0}
    for name, value in weekly.params_.items():
        assert hourly.params_[name] == pytest.approx(value * scale[name], rel=1e-4)
    assert hourly.params_["beta"] > 1e3
