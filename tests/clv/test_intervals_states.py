"""The simulation's short cuts (linear states, inverted draws, chunks) against the long way."""

import numpy as np
import pandas as pd
import pytest

from retainkit.clv import (
    BetaGeoModel,
    ModifiedBetaGeoCNBDModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
)
from retainkit.clv.intervals import _simulate as sim
from retainkit.clv.intervals import _states as st
from retainkit.clv.intervals import parameter_draws, purchase_intervals
from tests.clv.test_intervals import simulate_pareto

#: The published CDNOW fits (Fader, Hardie & Lee 2005; Fader & Hardie 2005), set by hand.
BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
#: Regular, lively buyers (tests/clv/test_intervals_models.py's TRUTH), for the CNBD.
REGULAR = {"r": 2.0, "alpha": 4.0, "a": 0.8, "b": 3.0}


def _fixed(model, params, k=None):
    model.params_, model.time_unit_ = dict(params), "weeks"
    if k is not None:
        model.k_ = k
    return model


@pytest.fixture(scope="module")
def cdnow_pareto(cdnow_summary):
    return ParetoNBDModel().fit(cdnow_summary)


@pytest.fixture(scope="module")
def cdnow_rows(cdnow_pareto, cdnow_summary):
    return st._distinct(cdnow_pareto, cdnow_summary)


# --- states at T -----------------------------------------------------------------------------
def test_pareto_slopes_are_the_derivatives_of_its_probability_alive(cdnow_pareto, cdnow_rows):
    rows = cdnow_rows
    centre, slopes = st._pareto_linear(cdnow_pareto, rows.x, rows.tx, rows.T)
    # the quadrature's log-odds give the model's own P(alive) (its hypergeometric form)
    alive = cdnow_pareto._p_alive(rows.x, rows.tx, rows.T)
    np.testing.assert_allclose(st._alive_probability(centre), alive, rtol=1e-10)
    # customers whose last purchase is at T are alive for sure, whatever the parameters
    at_end = rows.tx == rows.T
    assert at_end.any() and np.all(centre[at_end, 0] == -np.inf)
    assert np.all(slopes[at_end] == 0)
    # the analytic slopes against central differences of the hypergeometric log-odds,
    # step 1e-5 in each log-parameter (error about 1e-10 x the third derivative)
    names = list(PARETO)
    phi = np.log([cdnow_pareto.params_[k] for k in names])
    inside = ~at_end
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-5
        up = st._state_logits(
            st._with_params(cdnow_pareto, names, np.exp(phi + step)), rows.x, rows.tx, rows.T
        )
        down = st._state_logits(
            st._with_params(cdnow_pareto, names, np.exp(phi - step)), rows.x, rows.tx, rows.T
        )
        numeric = (up[inside, 0] - down[inside, 0]) / 2e-5
        np.testing.assert_allclose(slopes[inside, 0, j], numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("model", "params", "k"),
    [
        (ParetoNBDModel(), PARETO, None),
        (BetaGeoModel(), BGNBD, None),
        (ModifiedBetaGeoCNBDModel(k=3), REGULAR, 3),
    ],
    ids=["pareto", "bgnbd", "mbgcnbd3"],
)
def test_states_give_the_models_probability_alive_and_stages(model, params, k, cdnow_rows):
    model = _fixed(model, params, k)
    rows = cdnow_rows
    logits = st._state_logits(model, rows.x, rows.tx, rows.T)
    alive = model._p_alive(rows.x, rows.tx, rows.T)
    np.testing.assert_allclose(st._alive_probability(logits), alive, rtol=1e-12)
    # the stages given alive: the states' probabilities over P(alive), summed up
    states = st._state_probabilities(logits)
    cumulative = st._stage_cumulative(logits)
    if k is None:
        assert cumulative is None and states.shape[1] == 2
    else:
        expected = np.cumsum(states[:, 1:], axis=1)[:, :-1] / alive[:, None]
        np.testing.assert_allclose(cumulative, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("model", "params", "k"),
    [
        (ParetoNBDModel(), PARETO, None),
        (BetaGeoModel(), BGNBD, None),
        (ModifiedBetaGeoModel(), BGNBD, None),
        (ModifiedBetaGeoCNBDModel(k=3), REGULAR, 3),
    ],
    ids=["pareto", "bgnbd", "mbgnbd", "mbgcnbd3"],
)
def test_expanded_states_are_off_by_the_next_power_of_the_step(model, params, k, cdnow_rows):
    # a tangent's error is second order: halving the step quarters it (a wrong slope
    # would leave a first-order error, halved with the step); with the curvature the
    # error is third order, an eighth
    model = _fixed(model, params, k)
    rows = cdnow_rows
    names = list(params)
    phi = np.log([params[n] for n in names])
    pareto = isinstance(model, ParetoNBDModel)
    linear = st._pareto_linear if pareto else st._numeric_linear
    centre, slopes = linear(model, rows.x, rows.tx, rows.T)
    curvature = (st._pareto_curvature if pareto else st._numeric_curvature)(
        model, rows.x, rows.tx, rows.T
    )
    direction = np.array([0.1, -0.08, 0.15, 0.2])

    def error(size, second):
        drawn = st._with_params(model, names, np.exp(phi + size * direction))
        exact = st._state_probabilities(st._state_logits(drawn, rows.x, rows.tx, rows.T))
        steps = size * direction[None, :]
        coefficients, features = (
            st._second_order(slopes, curvature, steps) if second else (slopes, steps)
        )
        expanded = st._state_probabilities(centre + coefficients @ features[0])
        return float(np.nanmax(np.abs(exact - expanded)))

    first = error(0.5, False) / error(0.25, False)
    assert 3.0 < first < 5.0, first
    second = error(1.0, True) / error(0.5, True)
    assert 6.0 < second < 10.0, second
    assert error(0.5, True) < error(0.5, False) / 4


def test_states_are_exact_below_the_threshold_and_linear_above_once_checked(
    cdnow_pareto, cdnow_rows, monkeypatch
):
    rows = cdnow_rows
    values = parameter_draws(cdnow_pareto, n_draws=200, seed=0).to_numpy()
    # 1,218 distinct rows x 200 draws: below the threshold, every draw is exact
    assert len(rows.x) * 200 <= st._LINEAR_CELLS
    assert st._states(cdnow_pareto, values, rows).centre is None
    monkeypatch.setattr(st, "_LINEAR_CELLS", 0)
    # on 2,357 customers the draws lie far enough from the estimate (s and beta have
    # standard errors of 18% and 40%) that the tangent is off by more than the
    # tolerance: the check sends it back to exact evaluation
    assert st._states(cdnow_pareto, values, rows).centre is None
    # draws ten times closer (as a hundred times the customers would give): it holds,
    # and at every draw, not only at the ones it was checked at
    phi = np.log(list(cdnow_pareto.params_.values()))
    close = np.exp(phi + 0.1 * (np.log(values) - phi))
    states = st._states(cdnow_pareto, close, rows)
    assert states.centre is not None
    exact = st._States(cdnow_pareto, close, rows).logits(0, len(rows.x))
    gap = np.abs(
        st._alive_probability(states.logits(0, len(rows.x))) - st._alive_probability(exact)
    )
    assert 0 < gap.max() < st._LINEAR_TOLERANCE
    # a third of the way (as nine times the customers): first order is off by about
    # 0.04 / 9 = 0.0045, over the tolerance, and second order takes over
    third = np.exp(phi + 0.3 * (np.log(values) - phi))
    states = st._states(cdnow_pareto, third, rows)
    assert states.slopes is not None and states.slopes.shape[-1] == 4 + 10
    exact = st._States(cdnow_pareto, third, rows).logits(0, len(rows.x))
    gap = np.abs(
        st._alive_probability(states.logits(0, len(rows.x))) - st._alive_probability(exact)
    )
    assert 0 < gap.max() < st._LINEAR_TOLERANCE


def test_predictive_intervals_on_linear_states_cover_about_90_percent(monkeypatch):
    # the linear path end to end: draws ten times closer than the fit's (where the
    # tangent holds), so the interval is mostly the customers' own chance; nominal 90%
    summary, held = simulate_pareto(3000, r=1.0, alpha=5.0, s=0.8, beta=30.0, holdout=39, seed=5)
    model = ParetoNBDModel().fit(summary)
    draws = parameter_draws(model, n_draws=200, seed=2)
    phi = np.log(list(model.params_.values()))
    draws.loc[:, :] = np.exp(phi + 0.1 * (np.log(draws.to_numpy()) - phi))
    monkeypatch.setattr(st, "_LINEAR_CELLS", 0)
    used = []
    states = st._states

    def spy(*args):
        used.append(states(*args))
        return used[-1]

    monkeypatch.setattr(sim, "_states", spy)
    iv = purchase_intervals(model, summary, t=39, draws=draws, seed=2)
    assert used[0].centre is not None
    c = iv.customers
    share = float(((held >= c["purchases_low"]) & (held <= c["purchases_high"])).mean())
    assert 0.85 <= share <= 0.95, share


# --- draws -------------------------------------------------------------------------------
def test_geometric_by_inversion_is_geometric():
    # P(G > g) = (1 - p)^g: at p = 0.3, 0.7, 0.49, 0.343 for g = 1, 2, 3; each share of
    # 400,000 draws within 4 standard errors sqrt(q (1 - q) / n) <= 0.0008
    rng = np.random.default_rng(4)
    drawn = sim._geometric(0.3, rng.random(400_000))
    assert drawn.min() == 1
    for g, q in [(1, 0.7), (2, 0.49), (3, 0.343)]:
        assert (drawn > g).mean() == pytest.approx(q, abs=4 * np.sqrt(q * (1 - q) / 400_000))
    # p = 1 leaves at once, p = 0 never
    assert np.all(sim._geometric(1.0, np.array([0.2, 0.9])) == 1)
    assert np.all(np.isinf(sim._geometric(0.0, np.array([0.2, 0.9]))))


def test_pareto_lifetime_by_inversion_is_lomax():
    # given alive, purchases stop with the remaining lifetime L, and P(L > u) = ((beta +
    # T) / (beta + T + u))^s. With r + x = 1e6 and alpha + T = 10 the purchase rate is
    # 1e5 a week to within 0.1%, so counts / 1e5 is the exposure min(L, t) to within 0.2%
    rng = np.random.default_rng(5)
    n, t = 200_000, 30.0
    params = {"r": 1e6, "alpha": 0.0, "s": 0.8, "beta": 10.0}
    counts = sim._alive_pareto(params, np.zeros(n), np.full(n, 10.0), t, rng.random(n), rng)
    exposure = counts / 1e5
    # by hand: (20 / 25)^0.8 = 0.8365 and (20 / 40)^0.8 = 0.5743; each share within 4
    # standard errors (at most 0.0045) and the exposure's 0.2%
    for u, surv in [(5.0, 0.8365), (20.0, 0.5743)]:
        assert (20 / (20 + u)) ** 0.8 == pytest.approx(surv, abs=1e-4)
        assert (exposure > u).mean() == pytest.approx(surv, abs=4 * np.sqrt(0.25 / n) + 1e-3)
    # the horizon caps the rest: (20 / 50)^0.8 = 0.4804 of them bought for all of t
    assert (20 / 50) ** 0.8 == pytest.approx(0.4804, abs=1e-4)
    at_t = np.abs(exposure - t) < 0.1
    assert at_t.mean() == pytest.approx(0.4804, abs=4 * np.sqrt(0.25 / n) + 1e-3)


# --- chunks ------------------------------------------------------------------------------
def test_each_customer_keeps_their_own_interval_across_chunks(monkeypatch):
    # gone customers (5 purchases, the last 199 weeks ago: P(alive) = 5e-8 under the
    # CDNOW BG/NBD) interleaved with lively ones (20 purchases, the last just now),
    # shuffled, repeated, and cut into chunks of two customers
    model = _fixed(BetaGeoModel(), BGNBD)
    gone = {"frequency": 5, "recency": 1.0, "T": 200.0}
    lively = {"frequency": 20, "recency": 100.0, "T": 100.0}
    kinds = np.random.default_rng(0).permutation(["gone"] * 15 + ["lively"] * 15)
    summary = pd.DataFrame([gone if k == "gone" else lively for k in kinds])
    summary.insert(0, "customer_id", [f"c{i}" for i in range(len(kinds))])
    summary.attrs["time_unit"] = "weeks"
    draws = pd.DataFrame([BGNBD] * 50)
    monkeypatch.setattr(sim, "_CELLS", 100)
    iv = purchase_intervals(model, summary, t=52, draws=draws, seed=0)
    c = iv.customers
    assert c["customer_id"].tolist() == summary["customer_id"].tolist()
    assert (c.loc[kinds == "gone", "purchases_high"] == 0).all()
    # lively: about 20.2 / 104.4 = 0.19 purchases a week, about 10 in a year
    assert (c.loc[kinds == "lively", "purchases_high"] >= 5).all()


def test_threads_do_not_change_the_result(cdnow_pareto, cdnow_summary, monkeypatch):
    # each chunk draws from its own generator and the chunks' sums are added in order:
    # one thread or three, the same intervals to the last digit
    monkeypatch.setattr(sim, "_CELLS", 20_000)  # 100 customers x 200 draws a chunk
    results = []
    for workers in (1, 3):
        monkeypatch.setattr(sim, "_WORKERS", workers)
        results.append(purchase_intervals(cdnow_pareto, cdnow_summary, t=39, n_draws=200))
    pd.testing.assert_frame_equal(results[0].customers, results[1].customers)
    pd.testing.assert_frame_equal(results[0].totals, results[1].totals)


def test_count_bounds_are_numpys_inverted_cdf_quantiles():
    rng = np.random.default_rng(0)
    counts = rng.poisson(rng.gamma(0.5, 4.0, (500, 1)), (500, 200)).astype(np.int32)
    low, high = sim._count_bounds(counts, 0.9)
    q_low, q_high, floor = np.quantile(counts, [0.05, 0.95, 0.9], axis=-1, method="inverted_cdf")
    np.testing.assert_array_equal(low, q_low)
    np.testing.assert_array_equal(high, np.where(q_low <= 0, floor, q_high))
    # by hand, 0..199: the 5% quantile is the 10th smallest (9), the 95% the 190th (189)
    low, high = sim._count_bounds(np.arange(200)[None, :], 0.9)
    assert (low[0], high[0]) == (9.0, 189.0)
    # ten zeros (5% of 200) start the interval at 0, and it ends at the 90% quantile,
    # the 180th smallest of 0 x 10, 1..190: 170
    ten_zeros = np.concatenate([np.zeros(10), np.arange(1, 191)])[None, :]
    low, high = sim._count_bounds(ten_zeros, 0.9)
    assert (low[0], high[0]) == (0.0, 170.0)


def test_grid_expectations_follow_each_row():
    # the models compute the horizon part once per distinct (frequency, T) pair (or T):
    # customers sharing them but not their recency keep their own forecast, the one
    # computed at each horizon on its own
    x = np.array([2.0, 2.0, 2.0, 0.0, 5.0, 2.0])
    tx = np.array([10.0, 30.0, 10.0, 0.0, 35.0, 30.0])
    T = np.array([38.0, 38.0, 38.0, 38.0, 38.0, 20.0])
    grid = np.array([4.0, 13.0, 52.0])
    for model, params in [
        (BetaGeoModel(), BGNBD),
        (ModifiedBetaGeoModel(), BGNBD),
        (ParetoNBDModel(), PARETO),
    ]:
        model = _fixed(model, params)
        table = model._expected(x, tx, T, grid)
        one_by_one = np.stack([model._expected(x, tx, T, h) for h in grid], axis=1)
        np.testing.assert_allclose(table, one_by_one, rtol=1e-13)
        assert table[0, 2] != table[1, 2]  # same x and T, other recency
