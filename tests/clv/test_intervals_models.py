"""Intervals for MBG/NBD and the (M)BG/CNBD-k: their simulators and their coverage."""

import numpy as np
import pandas as pd
import pytest

from retainkit.clv import (
    BetaGeoCNBDModel,
    GammaGammaModel,
    ModifiedBetaGeoCNBDModel,
    ModifiedBetaGeoModel,
)
from retainkit.clv.intervals import _simulate as sim
from retainkit.clv.intervals import parameter_draws, purchase_intervals
from retainkit.exceptions import RetainkitError
from tests.clv.test_cnbd import simulate

#: Regular, lively buyers (a purchase every k alpha / r = 4 weeks at k = 2 while alive).
TRUTH = {"r": 2.0, "alpha": 4.0, "a": 0.8, "b": 3.0}

#: For the coverage: dropout rare enough (p ~ Beta(1, 40)) that not most counts are 0;
#: dead customers' whole-number intervals [0, 0] cover for sure and push the share up.
STAYING = {"r": 1.0, "alpha": 4.0, "a": 1.0, "b": 40.0}

PROFILES = pd.DataFrame(
    {
        "customer_id": ["new", "regular", "lapsed", "just_bought"],
        "frequency": [0, 6, 3, 4],
        "recency": [0.0, 36.0, 8.0, 38.0],
        "T": [20.0, 38.0, 38.0, 38.0],
    }
)
PROFILES.attrs["time_unit"] = "weeks"


def _fixed(cls, params, k=None):
    model = cls() if k is None else cls(k=k)
    model.params_, model.time_unit_ = dict(params), "weeks"
    if k is not None:
        model.k_ = k
    return model


def _simulated_means(model, copies, seed):
    """Each profile's mean simulated purchases given alive at T, and its standard error.

    Given alive, not with each profile's probability alive: the lapsed profile is alive
    with probability 4e-5 at k = 4, so 200,000 copies hold about 8 alive ones, too few
    for their sample standard error to mean anything (its mean then moves by several of
    them with the seed).
    """
    rows = PROFILES.loc[PROFILES.index.repeat(copies)]
    x, tx, T = (rows[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    alive = np.ones(len(rows))
    counts = sim._simulate(model, alive, x, tx, T, 39.0, np.random.default_rng(seed))
    counts = counts.reshape(len(PROFILES), copies)
    return counts.mean(axis=1), counts.std(axis=1) / np.sqrt(copies)


def _expected_given_alive(model):
    # a customer who is gone buys nothing: E[Y] = P(alive) E[Y | alive]
    closed = model.expected_purchases(PROFILES, t=39).to_numpy()
    return closed / model.probability_alive(PROFILES).to_numpy()


CASES = [
    (ModifiedBetaGeoModel, None),
    (BetaGeoCNBDModel, 1),
    (BetaGeoCNBDModel, 2),
    (ModifiedBetaGeoCNBDModel, 2),
    (BetaGeoCNBDModel, 4),
    (ModifiedBetaGeoCNBDModel, 3),
]


@pytest.mark.parametrize(("cls", "k"), CASES)
def test_simulated_purchases_average_to_the_model_expectation(cls, k):
    # the model's exact conditional expectation (its own _expected), within 4 Monte
    # Carlo standard errors of 200,000 simulated copies of each profile
    model = _fixed(cls, TRUTH, k)
    mean, error = _simulated_means(model, 200_000, seed=1)
    closed = _expected_given_alive(model)
    assert np.all(np.abs(mean - closed) < 4 * error), (mean, closed, error)


@pytest.mark.parametrize(("cls", "k"), [(BetaGeoCNBDModel, 2), (ModifiedBetaGeoCNBDModel, 3)])
def test_a_simulator_one_stage_off_is_caught(cls, k, monkeypatch):
    # the same check must fail when every customer is drawn one Erlang stage later than
    # the posterior says (or MBG's dropout at the first purchase is forgotten)
    model = _fixed(cls, TRUTH, k)
    closed = _expected_given_alive(model)
    right = sim._stages
    monkeypatch.setattr(sim, "_stages", lambda *a: right(*a) + 1)
    mean, error = _simulated_means(model, 200_000, seed=1)
    assert np.any(np.abs(mean - closed) > 8 * error)


def test_mbgnbd_simulator_needs_the_dropout_at_the_first_purchase():
    model = _fixed(ModifiedBetaGeoModel, TRUTH)
    copies = 200_000
    rows = PROFILES.loc[PROFILES.index.repeat(copies)]
    x, T = rows["frequency"].to_numpy(float), rows["T"].to_numpy(float)
    alive = np.repeat(model.probability_alive(PROFILES).to_numpy(), copies)
    # BG/NBD's p | alive ~ Beta(a, b + x) in place of Beta(a, b + x + 1): too many drop
    wrong = sim._simulate_bgnbd(TRUTH, alive, x, T, 39.0, np.random.default_rng(1))
    wrong = wrong.reshape(len(PROFILES), copies)
    closed = model.expected_purchases(PROFILES, t=39).to_numpy()
    error = wrong.std(axis=1) / np.sqrt(copies)
    assert np.any(np.abs(wrong.mean(axis=1) - closed) > 8 * error)


def covered(held, frame):
    return float(((held >= frame["purchases_low"]) & (held <= frame["purchases_high"])).mean())


@pytest.mark.parametrize(
    ("cls", "k", "mbg"),
    [
        (ModifiedBetaGeoModel, 1, True),
        (BetaGeoCNBDModel, 2, False),
        (ModifiedBetaGeoCNBDModel, 2, True),
    ],
)
def test_predictive_intervals_cover_about_90_percent_of_customers(cls, k, mbg):
    # customers simulated from the model (tests/clv/test_cnbd.py's simulator: Erlang-k
    # gaps, T uniform on 52..104 weeks), fitted at the true k, and their purchases in
    # the next 39 weeks: nominal 90% predictive intervals (whole-number counts, so a
    # little over 90% per customer) cover 85-95% of the customers (seen: 93.1% MBG/NBD,
    # 93.6% BG/CNBD-2, 94.3% MBG/CNBD-2)
    summary, held = simulate(3000, k, **STAYING, mbg=mbg, seed=11, horizon=39)
    model = (cls() if cls is ModifiedBetaGeoModel else cls(k=k)).fit(summary)
    iv = purchase_intervals(model, summary, t=39, level=0.9, n_draws=200, seed=3)
    share = covered(held, iv.customers)
    assert 0.85 <= share <= 0.95, share
    point = model.expected_purchases(summary, t=39).to_numpy()
    np.testing.assert_allclose(iv.customers["expected_purchases"], point)


def test_parameter_draws_of_the_regular_models_are_r_alpha_a_b():
    summary, _ = simulate(1000, 2, **TRUTH, mbg=True, seed=2)
    model = ModifiedBetaGeoCNBDModel(k=2).fit(summary)
    draws = parameter_draws(model, n_draws=50, seed=0)
    assert list(draws.columns) == ["r", "alpha", "a", "b"]
    assert draws.attrs["model"] == "MBG/CNBD-k"


def test_other_models_are_still_refused():
    gg = GammaGammaModel()
    gg.params_ = {"p": 6.0, "q": 4.0, "v": 15.0}
    with pytest.raises(RetainkitError, match="BetaGeoCNBDModel"):
        purchase_intervals(gg, PROFILES, t=39)
