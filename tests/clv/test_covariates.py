"""Static covariates of the Pareto/NBD and BG/NBD models (CLVTools' parametrisation)."""

import math

import numpy as np
import pandas as pd
import pytest

from retainkit.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel
from retainkit.clv._base import compress
from retainkit.clv._covariates import design_for
from retainkit.exceptions import DataValidationError, SchemaError


# --- simulators: customers drawn from the models with known coefficients ----------------
def simulate_pnbd(n, r, alpha, s, beta, g_trans, g_life, *, seed):
    """Pareto/NBD customers with 0/1 covariates z: alpha_i = alpha e^(-g_trans.z), ..."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, size=(n, len(g_trans))).astype(float)
    alpha_i = alpha * np.exp(-z @ np.asarray(g_trans))
    beta_i = beta * np.exp(-z @ np.asarray(g_life))
    lam = rng.gamma(r, 1 / alpha_i)  # numpy's gamma takes a scale: 1 / rate
    mu = rng.gamma(s, 1 / beta_i)
    T = rng.uniform(20, 52, n)
    alive_for = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * alive_for)
    # given x events of a Poisson process on [0, L], the last is L times the max of x
    # uniforms, which is Beta(x, 1)
    tx = np.where(x > 0, alive_for * rng.beta(np.maximum(x, 1), 1), 0.0)
    return _frames(x, tx, T, z)


def simulate_bgnbd(n, r, alpha, a, b, g_trans, g_life, *, seed):
    """BG/NBD customers: alpha_i = alpha e^(-g_trans.z), a_i, b_i = a, b times e^(g_life.z)."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, size=(n, len(g_trans))).astype(float)
    alpha_i = alpha * np.exp(-z @ np.asarray(g_trans))
    grow = np.exp(z @ np.asarray(g_life))
    lam = rng.gamma(r, 1 / alpha_i)
    p = rng.beta(a * grow, b * grow)
    T = rng.uniform(20, 52, n)
    t, x, tx = np.zeros(n), np.zeros(n), np.zeros(n)
    on = np.ones(n, dtype=bool)
    while on.any():  # one repeat purchase per pass, then a coin for dropping out
        t = t + rng.exponential(1 / lam)
        on &= t <= T
        x += on
        tx = np.where(on, t, tx)
        on &= rng.uniform(size=n) >= p
    return _frames(x, tx, T, z)


def _frames(x, tx, T, z):
    ids = [f"c{i}" for i in range(len(x))]
    summary = pd.DataFrame({"customer_id": ids, "frequency": x, "recency": tx, "T": T})
    summary.attrs["time_unit"] = "weeks"
    cov = pd.DataFrame({"customer_id": ids, **{f"z{j}": z[:, j] for j in range(z.shape[1])}})
    return summary, cov


@pytest.fixture(scope="module")
def pnbd_fit():
    truth = {"trans.z0": 0.5, "trans.z1": -0.3, "life.z0": -0.4, "life.z1": 0.6}
    summary, cov = simulate_pnbd(8000, 0.8, 10.0, 0.7, 12.0, [0.5, -0.3], [-0.4, 0.6], seed=3)
    return ParetoNBDModel().fit(summary, covariates=cov), truth, summary, cov


@pytest.fixture(scope="module")
def bgnbd_fit():
    truth = {"trans.z0": 0.5, "trans.z1": -0.3, "life.z0": 0.7, "life.z1": -0.5}
    summary, cov = simulate_bgnbd(8000, 0.8, 6.0, 0.8, 2.5, [0.5, -0.3], [0.7, -0.5], seed=2)
    return BetaGeoModel().fit(summary, covariates=cov), truth, summary, cov


@pytest.mark.parametrize("which", ["pnbd_fit", "bgnbd_fit"])
def test_recovers_the_simulated_coefficients(which, request):
    model, truth, _, _ = request.getfixturevalue(which)
    assert list(model.params_)[4:] == ["trans.z0", "trans.z1", "life.z0", "life.z1"]
    for name, true in truth.items():
        est, se = model.params_[name], model.standard_errors_[name]
        # 8,000 customers: the purchase coefficients are known to about +-0.04, the
        # dropout ones (fewer visible dropouts) to about +-0.15
        assert 0.01 < se < 0.25, (name, se)
        assert abs(est - true) < 3 * se, (name, est, true, se)


def test_summary_table_lists_the_coefficients_with_symmetric_intervals(bgnbd_fit):
    model = bgnbd_fit[0]
    table = model.summary().set_index("parameter")
    row = table.loc["trans.z0"]
    # a coefficient may be negative: estimate +- 1.96 standard errors
    assert row["lower_95"] == pytest.approx(row["estimate"] - 1.959964 * row["standard_error"])
    assert row["upper_95"] == pytest.approx(row["estimate"] + 1.959964 * row["standard_error"])
    assert table.loc["life.z1", "estimate"] < 0
    assert len(table) == 8


def _pnbd_ll_by_hand(r, alpha, s, beta, x, tx, T):
    """Fader & Hardie (2005) eq. (22) when alpha = beta: the 2F1 terms are 1, so
    A0 = (alpha+tx)^-(r+s+x) - (alpha+T)^-(r+s+x)."""
    assert alpha == pytest.approx(beta)
    head = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    first = (alpha + T) ** -(r + x) * (beta + T) ** -s
    a0 = (alpha + tx) ** -(r + s + x) - (alpha + T) ** -(r + s + x)
    return head + math.log(first + s / (r + s + x) * a0)


def test_pareto_nbd_likelihood_by_hand():
    # r=0.5, alpha=10, s=0.8, beta=8; coefficients trans=log 2, life=log 1.6, so a customer
    # with z=1 has alpha_i = 10/2 = 5 and beta_i = 8/1.6 = 5: the hand formula applies
    params = np.array([0.5, 10.0, 0.8, 8.0, math.log(2.0), math.log(1.6)])
    m = ParetoNBDModel()
    m._free_names = ("trans.z", "life.z")
    rows = compress([np.array([2.0, 0.0]), np.array([10.0, 0.0]), np.array([30.0, 30.0])])
    rows = compress([*rows.unique_rows, np.array([1.0, 1.0])], weights=rows.weights)
    data = m._build(rows)
    value, _ = m._neg_ll_and_grad(params, data)
    by_hand = _pnbd_ll_by_hand(0.5, 5.0, 0.8, 5.0, 2, 10.0, 30.0) + _pnbd_ll_by_hand(
        0.5, 5.0, 0.8, 5.0, 0, 0.0, 30.0
    )
    assert -value == pytest.approx(by_hand, rel=1e-10)


def test_bgnbd_likelihood_by_hand():
    # Fader, Hardie & Lee (2005) eq. (6) with alpha_i = 4 e^-0.5, a_i = 0.8 e^0.3,
    # b_i = 2.5 e^0.3 for a customer with z = 1 (x = 3, t_x = 20, T = 36)
    r, x, tx, T = 0.6, 3, 20.0, 36.0
    alpha, a, b = 4 * math.exp(-0.5), 0.8 * math.exp(0.3), 2.5 * math.exp(0.3)

    def lbeta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    alive = math.exp(lbeta(a, b + x) - lbeta(a, b) - (r + x) * math.log(alpha + T))
    gone = math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b) - (r + x) * math.log(alpha + tx))
    by_hand = common + math.log(alive + gone)
    m = BetaGeoModel()
    m._free_names = ("trans.z", "life.z")
    data = m._build(compress([np.array([x]), np.array([tx]), np.array([T]), np.array([1.0])]))
    value, _ = m._neg_ll_and_grad(np.array([r, 4.0, 0.8, 2.5, 0.5, 0.3]), data)
    assert -value == pytest.approx(by_hand, rel=1e-12)


def _covariate_data(model, summary, z):
    model._free_names = tuple(f"trans.{j}" for j in range(z.shape[1])) + tuple(
        f"life.{j}" for j in range(z.shape[1])
    )
    return model._build(compress([*model._columns(summary), *z.T]))


@pytest.mark.parametrize(
    ("model_type", "base", "tol"),
    [
        (BetaGeoModel, [0.7, 5.0, 0.9, 2.2], 1e-6),
        (ParetoNBDModel, [0.7, 5.0, 0.9, 9.0], 1e-6),
        # beta 200 times alpha: z at t_x above 0.95 for 98% of the rows (median 0.988), where
        # the 2F1 series needs thousands of terms
        (ParetoNBDModel, [0.7, 5.0, 0.9, 1000.0], 1e-6),
    ],
)
def test_gradient_matches_finite_differences(model_type, base, tol):
    summary, _ = simulate_bgnbd(400, 0.8, 6.0, 0.8, 2.5, [0.5, -0.3], [0.7, -0.5], seed=5)
    rng = np.random.default_rng(1)
    z = np.column_stack([rng.integers(0, 2, 400), rng.normal(0, 1, 400)])
    model = model_type()
    data = _covariate_data(model, summary, z)
    params = np.array([*base, 0.3, -0.2, -0.4, 0.25])
    _, grad = model._neg_ll_and_grad(params, data)
    numeric = np.empty(len(params))
    for j in range(len(params)):
        h = 1e-6 * max(abs(params[j]), 1.0)
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        numeric[j] = (
            model._neg_ll_and_grad(up, data)[0] - model._neg_ll_and_grad(down, data)[0]
        ) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=tol, atol=tol * np.abs(numeric).max())


@pytest.mark.parametrize("model_type", [BetaGeoModel, ParetoNBDModel])
def test_zero_covariates_give_the_plain_likelihood(model_type, cdnow_summary):
    plain = model_type()
    plain_data = plain._build(compress(plain._columns(cdnow_summary)))
    with_cov = model_type()
    data = _covariate_data(with_cov, cdnow_summary, np.zeros((len(cdnow_summary), 1)))
    base = np.array([0.5, 8.0, 0.7, 3.0])
    # any coefficient multiplies a zero column: the likelihood is the plain one
    value = with_cov._neg_ll_and_grad(np.array([*base, 0.8, -1.3]), data)[0]
    assert value == pytest.approx(plain._neg_ll_and_grad(base, plain_data)[0], rel=1e-9)


@pytest.mark.parametrize("model_type", [BetaGeoModel, ParetoNBDModel])
def test_fit_with_a_zero_column_equals_the_plain_fit(model_type, cdnow_summary):
    plain = model_type().fit(cdnow_summary)
    # a zero column is refused at the public boundary (not identifiable), so it is fitted
    # through the shared machinery directly: the coefficients stay at 0, the rest must
    # equal the plain fit
    model = model_type()
    model.time_unit_ = "weeks"
    model._free_names = ("trans.zero", "life.zero")
    zero = np.zeros(len(cdnow_summary))
    model._fit_rows(compress([*model._columns(cdnow_summary), zero]))
    for name, value in plain.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-6)
    assert model.params_["trans.zero"] == 0.0
    assert model.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-9)


def test_predictions_use_each_customers_rates(bgnbd_fit, pnbd_fit):
    for (model, _, summary, cov), plain_type in (
        (bgnbd_fit, BetaGeoModel),
        (pnbd_fit, ParetoNBDModel),
    ):
        p = model.params_
        pick = summary.iloc[[0, 1, 2, 3, 4, 5]]
        alive = model.probability_alive(pick, covariates=cov)
        expected = model.expected_purchases(pick, t=26, covariates=cov)
        for i, (_, row) in enumerate(pick.iterrows()):
            z = cov.set_index("customer_id").loc[row["customer_id"]].to_numpy()
            trans = z @ [p["trans.z0"], p["trans.z1"]]
            life = z @ [p["life.z0"], p["life.z1"]]
            # the customer's own rates, as CLVTools builds them
            own = {
                "r": p["r"],
                "alpha": p["alpha"] * math.exp(-trans),
                "a": p.get("a", 0) * math.exp(life),
                "b": p.get("b", 0) * math.exp(life),
                "s": p.get("s", 0),
                "beta": p.get("beta", 0) * math.exp(-life),
            }
            plain = plain_type()
            plain.params_ = {k: own[k] for k in plain_type._param_names}
            plain.time_unit_ = "weeks"
            one = pick.iloc[[i]]
            assert float(plain.probability_alive(one).iloc[0]) == pytest.approx(
                float(alive.iloc[i]), rel=1e-12
            )
            assert float(plain.expected_purchases(one, t=26).iloc[0]) == pytest.approx(
                float(expected.iloc[i]), rel=1e-10
            )
        new = model.expected_purchases_new_customer([0.0, 26.0], covariates={"z0": 0, "z1": 0})
        base = plain_type()
        base.params_ = {k: p[k] for k in plain_type._param_names}
        base.time_unit_ = "weeks"
        np.testing.assert_allclose(new, base.expected_purchases_new_customer([0.0, 26.0]))


def test_matrix_and_predict_take_covariates(bgnbd_fit):
    model, _, summary, cov = bgnbd_fit
    grid = model.frequency_recency_matrix(
        T=39, max_frequency=3, bins=4, covariates={"z0": 1, "z1": 0}
    )
    assert grid.shape == (4, 4)
    out = model.predict(summary.head(3), t=10, covariates=cov)
    assert list(out.columns) == ["customer_id", "probability_alive", "expected_purchases"]


def test_categorical_columns_are_one_hot_against_the_most_frequent_level():
    frame = pd.DataFrame(
        {
            "contract": ["Two year", "Monthly", "Monthly", "One year", "Monthly", "Two year"],
            "paperless": [True, False, True, False, True, False],  # 3 and 3: a tie
        }
    )
    design, z = design_for(frame)
    # Monthly is the most frequent; on the tie False < True in sorted order
    assert design.levels["contract"]["reference"] == "Monthly"
    assert design.levels["paperless"]["reference"] == "False"
    assert design.names == ("contract=One year", "contract=Two year", "paperless=True")
    np.testing.assert_array_equal(
        z,
        [[0, 1, 1], [0, 0, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]],
    )


def test_fit_by_index_and_levels_attribute():
    summary, cov = simulate_bgnbd(1500, 0.8, 6.0, 0.8, 2.5, [0.5], [0.2], seed=7)
    labels = np.where(cov["z0"] == 1, "gold", "basic")
    by_index = pd.DataFrame({"tier": labels}, index=summary.index)
    model = BetaGeoModel().fit(summary, covariates=by_index)
    reference = "basic" if (labels == "basic").sum() > (labels == "gold").sum() else "gold"
    assert model.covariate_levels_ == {
        "tier": {"reference": reference, "levels": ["basic", "gold"]}
    }
    other = "gold" if reference == "basic" else "basic"
    assert f"trans.tier={other}" in model.params_
    # the same customers matched by id, in another order, give the same fit
    by_id = pd.DataFrame({"customer_id": summary["customer_id"], "tier": labels}).iloc[::-1]
    again = BetaGeoModel().fit(summary, covariates=by_id)
    assert again.params_ == pytest.approx(model.params_)


def _small():
    summary, cov = simulate_bgnbd(300, 0.8, 6.0, 0.8, 2.5, [0.5], [0.2], seed=9)
    return summary, cov


def test_errors_name_the_problem():
    summary, cov = _small()
    with pytest.raises(DataValidationError, match=r"have no row.*c299"):
        BetaGeoModel().fit(summary, covariates=cov.iloc[:-1])
    with pytest.raises(DataValidationError, match=r"more than one row.*c0"):
        BetaGeoModel().fit(summary, covariates=pd.concat([cov, cov.iloc[[0]]]))
    nan = cov.assign(z0=cov["z0"].where(cov.index != 4))
    with pytest.raises(DataValidationError, match=r"'z0' has 1 missing values \(customers c4\)"):
        BetaGeoModel().fit(summary, covariates=nan)
    with pytest.raises(DataValidationError, match="'flat' is 1 for every customer"):
        BetaGeoModel().fit(summary, covariates=cov.assign(flat=1.0))
    with pytest.raises(DataValidationError, match="'plan' is 'pro' for every customer"):
        ParetoNBDModel().fit(summary, covariates=cov.assign(plan="pro"))
    with pytest.raises(DataValidationError, match="'twice' is a combination"):
        BetaGeoModel().fit(summary, covariates=cov.assign(twice=2 * cov["z0"]))
    with pytest.raises(SchemaError, match="no attribute columns"):
        BetaGeoModel().fit(summary, covariates=cov[["customer_id"]])
    with pytest.raises(ValueError, match="MBG/NBD model does not take covariates"):
        ModifiedBetaGeoModel().fit(summary, covariates=cov)


def test_prediction_errors_name_the_problem():
    summary, cov = _small()
    labelled = cov.assign(tier=np.where(cov["z0"] == 1, "gold", "basic")).drop(columns="z0")
    model = BetaGeoModel().fit(summary, covariates=labelled)
    with pytest.raises(DataValidationError, match=r"fitted with the covariates \['tier'\]"):
        model.probability_alive(summary)
    with pytest.raises(DataValidationError, match="'tier' has the level 'platinum'"):
        model.expected_purchases(summary, t=10, covariates=labelled.assign(tier="platinum"))
    with pytest.raises(SchemaError, match=r"'tier'.*missing"):
        model.probability_alive(summary, covariates=labelled.drop(columns="tier").assign(x=1))
    with pytest.raises(DataValidationError, match="new customer's attributes"):
        model.expected_purchases_new_customer(5.0)
    plain = BetaGeoModel().fit(summary)
    with pytest.raises(ValueError, match="fitted without covariates"):
        plain.probability_alive(summary, covariates=labelled)
    # the internal helpers used by the value forecast refuse to guess either
    with pytest.raises(DataValidationError, match="need each customer's attributes"):
        model._p_alive(np.zeros(1), np.zeros(1), np.ones(1))
