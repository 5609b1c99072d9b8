"""The model choice section: the candidates' table and which model to trust, in words."""

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv.choice import CANDIDATES, CHOICE_RULE, PurchaseModelChoice
from retainkit.sections import (
    holdout_check,
    model_choice_section,
    purchase_model_choice,
    values_model,
)
from retainkit.sections.holdout import HoldoutCheck
from retainkit.sections.model_choice import values_model_name

ATTRS = {
    "customers": 1000,
    "customers_total": 1000,
    "seed": 0,
    "tolerance": 0.01,
    "time_unit": "weeks",
    "calibration_end": pd.Timestamp("2024-01-02"),
    "holdout_end": pd.Timestamp("2024-12-31"),
    "duration_holdout": 52.0,
}


def handset(mae, chosen, *, k=(1, 1), aic=None, notes=None, **attrs):
    """A choice table as choose_purchase_model returns it, with the numbers given."""
    mae = np.asarray(mae, dtype="float64")
    aic = np.asarray(aic if aic is not None else [100.0, 101.0, 102.0, 103.0, 104.0])
    table = pd.DataFrame(
        {
            "model": list(CANDIDATES),
            "parameters": [4, 4, 4, 5, 5],
            "k": pd.array([None, None, None, *k], dtype="Int64"),
            "penalizer": [0.0, 0.001, 0.0, 0.0, 0.0],
            "log_likelihood": -aic / 2,
            "aic": aic,
            "bic": aic + 10,
            "predicted_total": [1100.0, 1050.0, 1020.0, 990.0, 980.0],
            "actual_total": 1000.0,
            "total_error": [0.10, 0.05, 0.02, -0.01, -0.02],
            "mae_per_customer": mae,
            "mae_vs_bgnbd": mae / mae[0] - 1,
            "chosen": [m == chosen for m in CANDIDATES],
            "note": notes or [""] * 5,
        }
    )
    table.attrs = ATTRS | attrs
    return PurchaseModelChoice(table, chosen, {}, pd.DataFrame())


def test_no_holdout_and_no_fit_say_why():
    assert purchase_model_choice(None, HoldoutCheck(None, 0, "too short")) is None
    (line,) = model_choice_section(None)
    assert line.data == "Without a holdout there is no model choice; the values below use BG/NBD."
    notes = [f"{m} did not converge (penalizers tried: 0)" for m in CANDIDATES]
    none = handset([np.nan] * 5, None, notes=notes)
    (line,) = model_choice_section(none)
    assert line.data.startswith("**No model choice:** none of the candidate")
    assert "Pareto/NBD did not converge (penalizers tried: 0)." in line.data


def test_regular_buyers_in_words():
    # BG/CNBD-k with k = 4 off by 0.90 a customer against BG/NBD's 1.00: 1 - 0.90 / 1.00 =
    # 10.0% better; gaps vary 1 / sqrt(4) = 50% as much as random buying; lowest AIC too
    choice = handset(
        [1.00, 1.02, 1.01, 0.90, 0.93],
        "BG/CNBD-k",
        k=(4, 4),
        aic=[100.0, 101.0, 102.0, 90.0, 95.0],
    )
    shown, story = model_choice_section(choice)
    text = story.data
    assert text.startswith("**BG/CNBD-k (k = 4)** is the purchase model to trust here")
    assert "over the 52 holdout weeks its forecast is off by **0.90** repeat purchases" in text
    assert "**10.0% better** than BG/NBD (1.00)." in text
    assert "vary about 50% as much as under purely random buying (regularity k = 4)" in text
    assert "It also fits the calibration period best (lowest AIC)." in text
    # the regularity model's values are too slow yet: the best of the others by the same
    # rule: BG/NBD 1.00 is lowest, MBG/NBD 1.01 ties within 1% with as many parameters
    # and BG/NBD goes first; 1 - 0.90 / 1.00 = 10.0% better, as the choice says
    assert (
        "BG/CNBD-k forecast the holdout best, but its forecast over years is slow (it sums long "
        "series for every customer), so the values use BG/NBD, the best of the other models "
        "(BG/CNBD-k forecast each customer 10.0% better). To value customers with BG/CNBD-k "
        "anyway, set the notebook parameter value_regular to True." in text
    )
    assert "On the holdout, BG/CNBD-k (k = 4) forecast 990 repeat purchases in total" in text
    allowed = model_choice_section(choice, regular=True)[1].data
    assert "The lifetime values below use BG/CNBD-k (k = 4), fitted again on the whole" in allowed
    assert "against 1,000 made (-1.0%)" in text
    assert "BG/NBD 1,100 (+10.0%)." in text
    assert CHOICE_RULE in text
    html = shown.to_html()
    assert "BG/CNBD-k (k = 4)" in html and "chosen" in html and "penalizer 0.001" in html
    assert "52-week holdout after 02 Jan 2024" in shown.caption
    assert "1,000 customers." in shown.caption


def test_bgnbd_chosen_in_words():
    choice = handset([1.00, 1.005, 1.03, 0.995, 1.04], "BG/NBD", k=(2, 1))
    shown, story = model_choice_section(choice)
    assert "k = 1 is MBG/NBD itself" in shown.to_html()
    assert "1,100" in shown.to_html()  # the predicted total, 1100.0, as a whole number
    text = story.data
    assert text.startswith("**BG/NBD** is the purchase model to trust here")
    assert "no other model forecasts the customers more than 1% better." in text
    assert "irregular, random-looking intervals" in text
    assert "The lifetime values below use BG/NBD, the model chosen." in text


def test_a_small_margin_is_said_and_a_different_aic_winner_named():
    # Pareto/NBD off by 0.998 against BG/NBD's 1.000: 0.2% better, within the 1% margin;
    # BG/CNBD-k (k = 2) has the lowest AIC
    choice = handset(
        [1.000, 0.998, 1.02, 0.99, 0.995],
        "Pareto/NBD",
        k=(2, 2),
        aic=[100.0, 101.0, 102.0, 80.0, 85.0],
        customers=500,
        customers_total=2000,
        seed=3,
    )
    shown, story = model_choice_section(choice)
    text = story.data
    assert "0.2% better than BG/NBD (1.00): a small margin, so BG/NBD serves about as well" in text
    assert "The models forecast almost alike" in text
    assert "On the calibration period alone BG/CNBD-k (k = 2) fits best (lowest AIC)" in text
    assert "random sample of 500 of the 2,000 customers (seed 3)" in shown.caption


def test_without_bgnbd_the_words_say_so():
    notes = ["BG/NBD did not converge (penalizers tried: 0)", "", "", "", ""]
    choice = handset([np.nan, 1.0, 1.1, 1.2, 1.3], "Pareto/NBD", notes=notes)
    _, story = model_choice_section(choice)
    assert "while BG/NBD could not be compared (BG/NBD did not converge" in story.data
    assert "BG/NBD has no forecast." in story.data


@pytest.mark.slow
def test_demo_end_to_end():
    ds = rk.load_dataset("demo")
    check = holdout_check(ds.transactions)
    choice = purchase_model_choice(ds.transactions, check, max_customers=1500, max_k=4)
    assert choice.table["model"].tolist() == list(CANDIDATES)
    assert choice.table.attrs["customers"] == 1500
    assert choice.table.attrs["calibration_end"] == check.calibration_end
    assert choice.table.attrs["duration_holdout"] == check.weeks * 1.0
    _, story = model_choice_section(choice)
    label = choice.table.loc[choice.table["chosen"], "model"].iloc[0]
    assert story.data.startswith(f"**{label}")


def test_the_choice_reuses_the_holdout_check_s_frame_and_fit():
    ds = rk.load_dataset("cdnow_sample")
    check = holdout_check(ds.transactions)
    assert "litt" in check.calibration.columns  # built once, with what the choice needs
    choice = purchase_model_choice(ds.transactions, check, max_k=2)
    assert choice.models["BG/NBD"] is check.model
    assert choice.table.attrs["calibration_end"] == check.calibration_end
    # the same table as a choice on a frame built afresh
    rebuilt = HoldoutCheck(
        check.calibration_end,
        check.weeks,
        check.note,
        check.calibration.drop(columns="litt"),
        check.model,
    )
    fresh = purchase_model_choice(ds.transactions, rebuilt, max_k=2)
    assert fresh.models["BG/NBD"] is not check.model
    pd.testing.assert_frame_equal(fresh.table, choice.table, rtol=1e-6)


def test_values_use_the_chosen_model_fitted_on_the_whole_history():
    ds = rk.load_dataset("cdnow_sample")
    summary = rk.customer_summary(ds.transactions, time_unit="weeks", litt=True)
    bg, note = rk.clv.fit_or_explain(rk.clv.BetaGeoModel, summary)
    check = holdout_check(ds.transactions)
    choice = purchase_model_choice(ds.transactions, check, max_k=3)
    # each candidate in turn as the choice: the values get it, fitted on every customer
    for name in ("Pareto/NBD", "MBG/NBD", "BG/CNBD-k"):
        picked = PurchaseModelChoice(choice.table, name, choice.models, choice.log_likelihood_by_k)
        model, why = values_model(picked, summary, reference=bg, note=note, regular=True)
        assert model._name == choice.models[name]._name
        assert model.n_customers_ == len(summary)
        assert model is not choice.models[name]  # calibration fit: not the values' model
        if name == "BG/CNBD-k":
            assert model.k_ == choice.models[name].k_
        assert why == ""
    # BG/NBD chosen, or no choice: the reference as it is
    picked = PurchaseModelChoice(choice.table, "BG/NBD", choice.models, choice.log_likelihood_by_k)
    assert values_model(picked, summary, reference=bg, note=note) == (bg, note)
    assert values_model(None, summary, reference=bg, note=note) == (bg, note)
    # a regularity model without litt cannot be fitted: BG/NBD, and the words say why
    regular = PurchaseModelChoice(
        choice.table, "BG/CNBD-k", choice.models, choice.log_likelihood_by_k
    )
    model, why = values_model(
        regular, summary.drop(columns="litt"), reference=bg, note="", regular=True
    )
    assert model is bg
    assert why.startswith("BG/CNBD-k was chosen but could not be fitted to all 2,357 customers")
    assert why.endswith("the values use BG/NBD.")
    # as the report runs (regularity values off): the best other model, and why
    t = choice.table.set_index("model")
    others = t.drop(index=["BG/CNBD-k", "MBG/CNBD-k"])
    model, why = values_model(regular, summary, reference=bg, note="")
    sub = values_model_name(regular)[0]
    assert sub in others.index and "CNBD" not in model._name
    assert model._name == sub
    assert why.startswith("BG/CNBD-k forecast the holdout best, but its forecast over years")
    assert f"so the values use {sub}, the best of the other models" in why
