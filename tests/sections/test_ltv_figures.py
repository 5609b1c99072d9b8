"""The lifetime value key figures: values where measured, the reason where not."""

import numpy as np
import pandas as pd

import retainkit as rk
from retainkit.clv import BetaGeoModel
from retainkit.clv.value import ClvForecast
from retainkit.sections import lifetime_value_figures
from retainkit.sections.holdout import HoldoutCheck

NAMES = [
    "ltv.crr_12m",
    "ltv.retained_share_12m",
    "ltv.nrr_12m",
    "ltv.grr_12m",
    "ltv.bgnbd_r",
    "ltv.bgnbd_alpha",
    "ltv.bgnbd_a",
    "ltv.bgnbd_b",
    "ltv.clv_mean",
    "ltv.clv_total",
    "ltv.holdout_mae",
    "ltv.max_acquisition_cost",
]


def _dataset(with_revenue):
    frame = pd.DataFrame(
        {"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"]), "revenue": [5.0]}
    )
    return rk.load_dataset(frame if with_revenue else frame.drop(columns="revenue"), currency="$")


def test_every_figure_from_hand_set_results():
    model = BetaGeoModel()
    model.params_ = {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.4}
    forecast = ClvForecast(
        np.array(["a"]), np.ones(1), np.array([9.0]), np.ones(1), np.ones((1, 1)), np.ones(1),
        9.0, "weeks",
    )  # fmt: skip
    card = pd.DataFrame({"mae_per_customer": [1.25, 1.5]})
    figures = lifetime_value_figures(
        _dataset(True),
        rates=pd.DataFrame({"crr": [0.65], "retained_share": [0.6], "note": [""]}),
        nrr=pd.Series({"nrr": 1.1, "grr": 0.9, "note": ""}),
        purchases=model,
        fit_note="",
        spend_note="",
        forecast=forecast,
        values=pd.DataFrame({"clv": [10.0, 30.0]}),
        holdout=HoldoutCheck(pd.Timestamp("2024-01-01"), 26, "", scorecard=card),
        budget=pd.DataFrame({"max_acquisition_cost": [45.0], "note": [""]}),
        horizon_years=5,
    ).to_dict()
    assert list(figures["figures"]) == NAMES
    assert list(figures["figures"].values()) == [
        0.65, 0.6, 1.1, 0.9, 0.5, 4.0, 0.8, 2.4, 20.0, 40.0, 1.25, 45.0,
    ]  # fmt: skip
    assert figures["reasons"] == {}
    assert "over 26 weeks" in figures["labels"]["ltv.holdout_mae"]
    assert "(5 years, discounted gross profit)" in figures["labels"]["ltv.clv_mean"]


def test_reasons_without_revenue_model_or_holdout():
    figures = lifetime_value_figures(
        _dataset(False),
        rates=pd.DataFrame({"crr": [np.nan], "retained_share": [np.nan], "note": ["too short"]}),
        nrr=None,
        purchases=None,
        fit_note="The BG/NBD model could not be fitted",
        spend_note="",
        forecast=None,
        values=None,
        holdout=HoldoutCheck(None, 0, ""),
        budget=None,
        horizon_years=5,
    ).to_dict()
    assert all(v is None for v in figures["figures"].values())
    reasons = figures["reasons"]
    assert reasons["ltv.crr_12m"] == reasons["ltv.retained_share_12m"] == "too short"
    assert reasons["ltv.nrr_12m"] == reasons["ltv.clv_mean"] == "the data has no revenue"
    assert reasons["ltv.max_acquisition_cost"] == "the data has no revenue"
    assert reasons["ltv.bgnbd_r"] == "The BG/NBD model could not be fitted"
    assert reasons["ltv.holdout_mae"] == "no holdout"
