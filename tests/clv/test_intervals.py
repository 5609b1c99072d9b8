import copy

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from retainkit.clv import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from retainkit.clv.intervals import (
    _simulate_bgnbd,
    _simulate_pareto,
    parameter_draws,
    purchase_intervals,
    value_intervals,
)
from retainkit.clv.model_value import clv_forecast, customer_value
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    NotFittedError,
    RetainkitError,
)

#: A lively BG/NBD population (about 2.3 repeat purchases per customer in 39 weeks), so
#: that the counts are not nearly all 0 and a 90% interval can miss on both sides.
LIVELY = {"r": 1.0, "alpha": 5.0, "a": 1.0, "b": 6.0}


def simulate_bgnbd(n, *, r, alpha, a, b, holdout, seed):
    """Simulate BG/NBD customers: a calibration summary and each one's holdout count.

    Each customer is born at 0 with lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b),
    observed for T ~ Uniform(26, 52) weeks, then for ``holdout`` more weeks; purchases
    are a Poisson process and after each repeat purchase the customer leaves with
    probability p (the generative process of Fader, Hardie & Lee 2005).
    """
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.uniform(26, 52, n)
    now, x, tx, held = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():  # one loop step per purchase, vectorised over the customers
        now = now + rng.exponential(1.0, n) / lam
        alive &= now <= T + holdout
        in_calibration = alive & (now <= T)
        x += in_calibration
        tx = np.where(in_calibration, now, tx)
        held += alive & (now > T)
        alive &= rng.random(n) >= p
    summary = pd.DataFrame({"customer_id": np.arange(n), "frequency": x, "recency": tx, "T": T})
    summary.attrs["time_unit"] = "weeks"
    return summary, held


def simulate_pareto(n, *, r, alpha, s, beta, holdout, seed):
    """Simulate Pareto/NBD customers: lambda ~ Gamma(r, alpha), lifetime ~ Exp(mu ~ Gamma(s,
    beta)); a calibration summary over T ~ Uniform(26, 52) weeks and the holdout counts."""
    rng = np.random.default_rng(seed)
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    T = rng.uniform(26, 52, n)
    death = rng.exponential(1.0, n) / mu
    now, x, tx, held = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    going = np.ones(n, dtype=bool)
    while going.any():
        now = now + rng.exponential(1.0, n) / lam
        going &= (now <= T + holdout) & (now <= death)
        in_calibration = going & (now <= T)
        x += in_calibration
        tx = np.where(in_calibration, now, tx)
        held += going & (now > T)
    summary = pd.DataFrame({"customer_id": np.arange(n), "frequency": x, "recency": tx, "T": T})
    summary.attrs["time_unit"] = "weeks"
    return summary, held


@pytest.fixture(scope="module")
def cdnow_bgnbd(cdnow_summary):
    return BetaGeoModel().fit(cdnow_summary)


@pytest.fixture(scope="module")
def cdnow_gamma_gamma(cdnow_summary):
    return GammaGammaModel().fit(cdnow_summary)


def covered(held, frame):
    return float(((held >= frame["purchases_low"]) & (held <= frame["purchases_high"])).mean())


# --- parameter draws ---------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["cdnow_bgnbd", "cdnow_gamma_gamma"])
def test_draw_covariance_agrees_with_the_standard_errors(fixture, cdnow_summary, request):
    model = request.getfixturevalue(fixture)
    draws = parameter_draws(model, n_draws=10, seed=0)
    cov = draws.attrs["log_covariance"]
    # delta method: the standard error of log(theta) is se(theta) / theta, so
    # sqrt(var(log theta)) x theta is the model's own standard error (both come from the
    # fit's covariance_), and the correlations are the fit's
    for name, value in model.params_.items():
        assert np.sqrt(cov.loc[name, name]) * value == pytest.approx(
            model.standard_errors_[name], rel=1e-9
        )
    natural = model.covariance_.to_numpy()
    scale = np.sqrt(np.diag(natural))
    log_scale = np.sqrt(np.diag(cov.to_numpy()))
    np.testing.assert_allclose(
        cov.to_numpy() / np.outer(log_scale, log_scale), natural / np.outer(scale, scale)
    )


def test_draws_are_centred_on_the_estimates_with_that_covariance(cdnow_bgnbd, cdnow_summary):
    draws = parameter_draws(cdnow_bgnbd, n_draws=20000, seed=3)
    logs = np.log(draws.to_numpy())
    cov = draws.attrs["log_covariance"].to_numpy()
    centre = np.log(list(cdnow_bgnbd.params_.values()))
    # mean of 20,000 normal draws: within 4 standard errors sqrt(var / 20000)
    assert np.all(np.abs(logs.mean(axis=0) - centre) < 4 * np.sqrt(np.diag(cov) / 20000))
    # variances within 5% (a sample variance of 20,000 draws is off by sqrt(2/20000) = 1%
    # in one standard error), and the correlations (r with alpha is strong) are drawn
    # too: a sample correlation's standard error is at most 1 / sqrt(20000) = 0.007
    np.testing.assert_allclose(logs.var(axis=0, ddof=1), np.diag(cov), rtol=0.05)
    scale = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(np.corrcoef(logs.T), cov / np.outer(scale, scale), atol=0.03)
    assert cov[0, 1] / (scale[0] * scale[1]) > 0.5
    assert np.all(draws.to_numpy() > 0)


def test_same_seed_same_draws(cdnow_bgnbd, cdnow_summary):
    one = parameter_draws(cdnow_bgnbd, n_draws=5, seed=7)
    two = parameter_draws(cdnow_bgnbd, n_draws=5, seed=7)
    pd.testing.assert_frame_equal(one, two)


# --- process noise -------------------------------------------------------------------------
PROFILES = pd.DataFrame(
    {
        "customer_id": ["new", "regular", "lapsed"],
        "frequency": [0, 6, 3],
        "recency": [0.0, 36.0, 8.0],
        "T": [20.0, 38.0, 38.0],
    }
)
PROFILES.attrs["time_unit"] = "weeks"


@pytest.mark.parametrize(
    ("model_class", "params", "simulate"),
    [
        (BetaGeoModel, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, _simulate_bgnbd),
        (
            ParetoNBDModel,
            {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
            _simulate_pareto,
        ),
    ],
)
def test_simulated_purchases_average_to_the_closed_form(model_class, params, simulate):
    model = model_class()
    model.params_, model.time_unit_ = params, "weeks"
    copies = 100_000
    rows = PROFILES.loc[PROFILES.index.repeat(copies)]
    alive = np.repeat(model.probability_alive(PROFILES).to_numpy(), copies)
    counts = simulate(
        params,
        alive,
        rows["frequency"].to_numpy(float),
        rows["T"].to_numpy(float),
        39.0,
        np.random.default_rng(0),
    ).reshape(len(PROFILES), copies)
    closed = model.expected_purchases(PROFILES, t=39).to_numpy()
    # the model's conditional expectation, within 4 Monte Carlo standard errors
    error = counts.std(axis=1) / np.sqrt(copies)
    assert np.all(np.abs(counts.mean(axis=1) - closed) < 4 * error)


# --- the anchor: coverage on data simulated with known parameters --------------------------
def test_predictive_intervals_cover_about_90_percent_of_customers():
    summary, held = simulate_bgnbd(3000, **LIVELY, holdout=39, seed=21)
    model = BetaGeoModel().fit(summary)
    iv = purchase_intervals(model, summary, t=39, level=0.9, n_draws=300, seed=1)
    share = covered(held, iv.customers)
    # nominal 90%; counts are whole numbers, so each customer's interval covers at least
    # 90% of their own predictive distribution: the share may run a little over 90%
    assert 0.85 <= share <= 0.95
    # the parameter-only interval of the *expected* count is far narrower: it misses
    # many actual counts (it is not a predictive interval)
    expected_only = (
        (held >= iv.customers["expected_purchases_low"])
        & (held <= iv.customers["expected_purchases_high"])
    ).mean()
    assert expected_only < 0.5


def test_predictive_intervals_of_pareto_nbd_cover_about_90_percent_of_customers():
    summary, held = simulate_pareto(3000, r=1.0, alpha=5.0, s=0.8, beta=30.0, holdout=39, seed=5)
    model = ParetoNBDModel().fit(summary)
    iv = purchase_intervals(model, summary, t=39, n_draws=200, seed=2)
    assert 0.85 <= covered(held, iv.customers) <= 0.95


@pytest.mark.slow
def test_total_interval_covers_the_simulated_total_in_most_replications():
    hits = 0
    for seed in range(20):
        summary, held = simulate_bgnbd(2000, **LIVELY, holdout=39, seed=100 + seed)
        model = BetaGeoModel().fit(summary)
        iv = purchase_intervals(model, summary, t=39, n_draws=200, seed=seed)
        total = iv.totals.set_index("measure").loc["purchases"]
        hits += bool(total["low"] <= held.sum() <= total["high"])
    # each replication covers with probability 0.9, so hits ~ Binomial(20, 0.9):
    # P(hits <= 14) = binom.cdf(14, 20, 0.9) = 0.011, and the test asserts 15 or more
    assert stats.binom.cdf(14, 20, 0.9) == pytest.approx(0.0113, abs=1e-4)
    assert hits >= 15


@pytest.mark.slow
def test_parameter_intervals_shrink_as_customers_grow():
    widths = {}
    for n in (1000, 9000):
        summary, _ = simulate_bgnbd(n, **LIVELY, holdout=0, seed=n)
        model = BetaGeoModel().fit(summary)
        draws = parameter_draws(model, n_draws=500, seed=1)
        iv = purchase_intervals(model, PROFILES, t=39, draws=draws, seed=1)
        c = iv.customers
        widths[n] = (c["expected_purchases_high"] - c["expected_purchases_low"]).to_numpy()
    # standard errors fall as 1 / sqrt(customers): nine times the customers, a third of
    # the width (the ratio sqrt(9) = 3, give or take the sampling of the two fits)
    ratio = widths[1000] / widths[9000]
    assert np.all((ratio > 2.0) & (ratio < 4.5))


# --- intervals around the point forecast ------------------------------------------------------
def test_purchase_intervals_bracket_the_point_forecast(cdnow_bgnbd, cdnow_summary):
    iv = purchase_intervals(cdnow_bgnbd, cdnow_summary, t=39, n_draws=200, seed=0)
    c = iv.customers
    point = cdnow_bgnbd.predict(cdnow_summary, t=39)
    np.testing.assert_allclose(c["expected_purchases"], point["expected_purchases"])
    assert list(c[["customer_id"]].columns) == ["customer_id"]
    assert (c["expected_purchases_low"] <= c["expected_purchases"] * (1 + 1e-9) + 1e-12).all()
    assert (c["expected_purchases_high"] >= c["expected_purchases"] * (1 - 1e-9)).all()
    assert (c["purchases_low"] <= c["purchases_high"]).all()
    assert (c["purchases_low"] == np.round(c["purchases_low"])).all()
    totals = iv.totals.set_index("measure")
    assert totals.loc["expected_purchases", "estimate"] == pytest.approx(
        point["expected_purchases"].sum()
    )
    # the predictive total adds the customers' own chance: wider than parameters alone
    width = totals["high"] - totals["low"]
    assert width["purchases"] > width["expected_purchases"]
    assert (iv.level, iv.n_draws, iv.horizon, iv.horizon_unit) == (0.9, 200, 39.0, "weeks")


def test_draws_at_the_estimate_collapse_the_value_intervals(
    cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary
):
    # every draw equal to the estimates: each draw prices exactly like the point forecast
    p_draws = pd.DataFrame([cdnow_bgnbd.params_] * 25)
    s_draws = pd.DataFrame([cdnow_gamma_gamma.params_] * 25)
    iv = value_intervals(
        cdnow_bgnbd,
        cdnow_gamma_gamma,
        cdnow_summary,
        horizon_years=2,
        discount_rate=0.1,
        margin=0.3,
        purchase_draws=p_draws,
        spend_draws=s_draws,
    )
    forecast = clv_forecast(cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary, max_horizon_years=2)
    point = customer_value(forecast, horizon_years=2, discount_rate=0.1, margin=0.3)
    c = iv.customers
    for m in ("expected_purchases", "expected_revenue", "clv"):
        np.testing.assert_allclose(c[m], point[m])
        np.testing.assert_allclose(c[f"{m}_low"], point[m], rtol=1e-12)
        np.testing.assert_allclose(c[f"{m}_high"], point[m], rtol=1e-12)
    totals = iv.totals.set_index("measure")
    assert totals.loc["clv", "estimate"] == pytest.approx(point["clv"].sum())
    assert totals.loc["clv", "low"] == pytest.approx(point["clv"].sum())
    # the curve ends at the horizon's total; 24 monthly steps in 2 years
    assert len(iv.curve) == 24
    assert iv.curve["estimate"].iloc[-1] == pytest.approx(point["expected_purchases"].sum())


def test_value_intervals_are_the_delta_method_over_every_customer(
    cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary
):
    # the delta method the long way: central differences (step 1e-4) of clv_forecast and
    # customer_value priced over every customer, one parameter of one model at a time
    pricing = {"horizon_years": 2, "discount_rate": 0.1, "margin": 0.3}
    iv = value_intervals(cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary, n_draws=40, **pricing)

    def priced(purchases, spend):
        f = clv_forecast(purchases, spend, cdnow_summary, max_horizon_years=2)
        v = customer_value(f, **pricing)
        measures = ("expected_purchases", "expected_revenue", "clv")
        return {m: v[m].to_numpy() for m in measures} | {"curve": f.cumulative.sum(axis=0)}

    def slopes(moving):
        names = list(moving.params_)
        phi = np.log(list(moving.params_.values()))
        parts = []
        for j in range(len(names)):
            ends = []
            for sign in (1, -1):
                drawn = copy.copy(moving)
                step = sign * 1e-4 * np.eye(len(phi))[j]
                drawn.params_ = dict(zip(names, np.exp(phi + step), strict=True))
                both = (drawn, cdnow_gamma_gamma) if moving is cdnow_bgnbd else (cdnow_bgnbd, drawn)
                ends.append(priced(*both))
            parts.append({k: (ends[0][k] - ends[1][k]) / 2e-4 for k in ends[0]})
        return {k: np.stack([p[k] for p in parts], axis=-1) for k in parts[0]}

    def variance(slope, model):
        cov = parameter_draws(model, n_draws=2).attrs["log_covariance"].to_numpy()
        return np.einsum("...j,jk,...k->...", slope, cov, slope)

    p_slope, s_slope = slopes(cdnow_bgnbd), slopes(cdnow_gamma_gamma)
    point = priced(cdnow_bgnbd, cdnow_gamma_gamma)
    z = stats.norm.ppf(0.95)
    totals = iv.totals.set_index("measure")
    for m in ("expected_purchases", "expected_revenue", "clv"):
        var = variance(p_slope[m], cdnow_bgnbd) + variance(s_slope[m], cdnow_gamma_gamma)
        total = variance(p_slope[m].sum(axis=0), cdnow_bgnbd) + variance(
            s_slope[m].sum(axis=0), cdnow_gamma_gamma
        )
        # the package's forward differences (step 1e-6) are off by half the step times
        # the curvature, at most about 1e-5 of a slope; the interval's half-width on the
        # log scale, z se / estimate, moves by as much: within 3e-5 of it
        for name, estimate, v in [
            (m, point[m], var),
            (None, point[m].sum(), total),
        ]:
            half = z * np.sqrt(v) / estimate
            got = (
                iv.customers[[f"{m}_low", f"{m}_high"]].to_numpy().T
                if name
                else totals.loc[m, ["low", "high"]].to_numpy(dtype=float)
            )
            np.testing.assert_allclose(np.log(got[1] / estimate), half, rtol=3e-5, atol=1e-12)
            np.testing.assert_allclose(np.log(estimate / got[0]), half, rtol=3e-5, atol=1e-12)
    curve_half = z * np.sqrt(variance(p_slope["curve"], cdnow_bgnbd)) / point["curve"]
    np.testing.assert_allclose(
        np.log(iv.curve["high"] / iv.curve["estimate"]), curve_half, rtol=1e-4
    )


def test_value_intervals_spread_and_without_spend(cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary):
    iv = value_intervals(
        cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary, horizon_years=1, n_draws=100, seed=4
    )
    totals = iv.totals.set_index("measure")
    assert list(totals.index) == ["expected_purchases", "purchases", "expected_revenue", "clv"]
    assert (totals["low"] < totals["estimate"]).all() and (
        totals["estimate"] < totals["high"]
    ).all()
    curve = iv.curve
    assert (curve["low"] <= curve["estimate"]).all() and (curve["estimate"] <= curve["high"]).all()
    assert curve["estimate"].is_monotonic_increasing
    bare = value_intervals(cdnow_bgnbd, None, cdnow_summary, horizon_years=1, n_draws=40, seed=4)
    assert bare.customers["clv"].isna().all() and bare.customers["clv_high"].isna().all()
    assert bare.totals.set_index("measure")["estimate"].isna().tolist() == [
        False,
        False,
        True,
        True,
    ]


@pytest.mark.slow
def test_delta_intervals_agree_with_pricing_every_parameter_draw(
    cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary
):
    iv = value_intervals(
        cdnow_bgnbd, cdnow_gamma_gamma, cdnow_summary, horizon_years=1, n_draws=40, seed=0
    )
    # the slow way: draw both models' parameters 400 times and price each draw in full
    d = 400
    p_draws = parameter_draws(cdnow_bgnbd, n_draws=d, seed=3)
    s_draws = parameter_draws(cdnow_gamma_gamma, n_draws=d, seed=4)
    clv = np.empty((len(cdnow_summary), d))
    for j in range(d):
        p, g = copy.copy(cdnow_bgnbd), copy.copy(cdnow_gamma_gamma)
        p.params_, g.params_ = dict(p_draws.iloc[j]), dict(s_draws.iloc[j])
        forecast = clv_forecast(p, g, cdnow_summary, max_horizon_years=1)
        clv[:, j] = customer_value(forecast, horizon_years=1, discount_rate=0.1, margin=0.3)["clv"]
    low, high = np.quantile(clv, [0.05, 0.95], axis=1)
    # A 5% quantile of 400 normal draws is off by sqrt(0.05 x 0.95 / 400) / phi(1.645)
    # = 0.0109 / 0.1031 = 0.106 standard deviations, 0.106 / 3.29 = 3% of the 90% width
    # (3.29 standard deviations), so a width by about 4.5%: the delta method's widths
    # match in the median within 5%, 99% of the customers' within 15% (3.3 such errors)
    # and all 2,357 within 20% (4.4); on CDNOW the parameters are well pinned down, so
    # the linear approximation holds
    c = iv.customers
    ratio = (c["clv_high"] - c["clv_low"]).to_numpy() / (high - low)
    assert abs(np.median(ratio) - 1) < 0.05
    assert np.mean(np.abs(ratio - 1) < 0.15) >= 0.99
    assert np.all(np.abs(ratio - 1) < 0.2)
    total = iv.totals.set_index("measure").loc["clv"]
    t_low, t_high = np.quantile(clv.sum(axis=0), [0.05, 0.95])
    assert abs(total["low"] - t_low) < 0.1 * (t_high - t_low)
    assert abs(total["high"] - t_high) < 0.1 * (t_high - t_low)


# --- errors ---------------------------------------------------------------------------------
def test_errors_say_what_is_wrong(cdnow_bgnbd, cdnow_summary):
    with pytest.raises(NotFittedError, match="not fitted"):
        parameter_draws(BetaGeoModel())
    with pytest.raises(NotFittedError, match="not fitted"):
        purchase_intervals(ModifiedBetaGeoModel(), cdnow_summary, t=39)
    with pytest.raises(RetainkitError, match="GammaGammaModel"):
        value_intervals(cdnow_bgnbd, cdnow_bgnbd, cdnow_summary)
    with_covariates = copy.copy(cdnow_bgnbd)
    with_covariates.params_ = {**cdnow_bgnbd.params_, "trans.plan=pro": 0.3}
    with_covariates._free_names = ("trans.plan=pro",)
    with pytest.raises(RetainkitError, match="fit it without covariates"):
        parameter_draws(with_covariates)
    unidentified = copy.copy(cdnow_bgnbd)
    unidentified._information_inverse = (np.full((4, 4), np.nan), np.full(4, np.nan))
    with pytest.raises(ConvergenceError, match="do not pin down every parameter of the BG/NBD"):
        purchase_intervals(unidentified, cdnow_summary, t=39)
    with pytest.raises(ValueError, match=r"level=1\.5"):
        purchase_intervals(cdnow_bgnbd, cdnow_summary, t=39, level=1.5, n_draws=50)
    with pytest.raises(ValueError, match="n_draws=5 is too few"):
        purchase_intervals(cdnow_bgnbd, cdnow_summary, t=39, n_draws=5)
    with pytest.raises(DataValidationError, match=r"\['r', 'alpha', 'a', 'b'\]"):
        purchase_intervals(cdnow_bgnbd, PROFILES, t=39, draws=pd.DataFrame({"r": [1.0]}))
