import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from retainkit.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from retainkit.clv._base import compress
from tests.clv.test_covariates import simulate_pnbd


def test_compress_groups_identical_rows():
    x = np.array([0, 1, 1, 0, 1])
    t = np.array([5.0, 2.0, 2.0, 5.0, 3.0])
    c = compress([x, t])
    got = sorted(zip(*[v.tolist() for v in c.unique_rows], c.weights.tolist(), strict=True))
    # (0, 5) twice, (1, 2) twice, (1, 3) once
    assert got == [(0.0, 5.0, 2.0), (1.0, 2.0, 2.0), (1.0, 3.0, 1.0)]


def _grouped_by_pandas(columns, weights):
    frame = pd.DataFrame({i: c.astype(float) for i, c in enumerate(columns)})
    frame["w"] = 1.0 if weights is None else weights
    out = frame.groupby(list(range(len(columns))))["w"].sum().reset_index()
    return sorted(tuple(row) for row in out.itertuples(index=False))


@pytest.mark.parametrize("weighted", [False, True])
def test_compress_agrees_with_a_groupby_when_some_rows_are_distinct_by_one_column(weighted):
    # rows whose value of the most varied column is theirs alone skip the grouping: mix
    # such rows (continuous t) with repeated ones (t = 0, many duplicates), as exact
    # purchase times do; the result must be pandas' groupby, weights summed
    rng = np.random.default_rng(5)
    n = 400
    x = rng.integers(0, 4, n)
    t = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 10, n).round(1))
    big_t = rng.integers(1, 4, n).astype(float)
    weights = rng.uniform(0.5, 2.0, n) if weighted else None
    c = compress([x, t, big_t], weights)
    got = sorted(zip(*[v.tolist() for v in c.unique_rows], c.weights.tolist(), strict=True))
    want = _grouped_by_pandas([x, t, big_t], weights)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g[:3] == w[:3]
        assert g[3] == pytest.approx(w[3], rel=1e-12)


def test_subset_keeps_only_the_levels_its_rows_use():
    # a sample's likelihood computes terms per level: it must not carry the other rows'
    c = compress([np.array([1.0, 2.0, 3.0, 3.0]), np.array([0.5, 0.7, 0.9, 0.9])])
    keep = c.unique_rows[0] != 2.0
    s = c.subset(keep, np.array([4.0, 5.0]))
    assert sorted(s.levels[0].tolist()) == [1.0, 3.0]
    assert sorted(s.levels[1].tolist()) == [0.5, 0.9]
    rows = sorted(zip(*[u.tolist() for u in s.unique_rows], s.weights.tolist(), strict=True))
    assert rows == sorted(zip(*[u[keep].tolist() for u in c.unique_rows], [4.0, 5.0], strict=True))


# --- covariance_: the inverse observed information -------------------------------------------
def gamma_gamma_log_likelihood(params, x, m):
    """Gamma-Gamma log-likelihood of each customer's mean spend m over x purchases.

    Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", eq. 3 (the spend
    per purchase is Gamma(p, nu), nu ~ Gamma(q, gamma), so the mean of x purchases has
    density Gamma(px + q) / (Gamma(px) Gamma(q)) gamma^q m^(px - 1) x^(px)
    / (gamma + m x)^(px + q)), written here from the paper, not from the package.
    """
    p, q, g = params
    return np.sum(
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(g + m * x)
    )


def test_covariance_is_the_inverse_hessian_of_the_log_likelihood(cdnow_summary):
    model = GammaGammaModel().fit(cdnow_summary)
    cov = model.covariance_
    names = ["p", "q", "gamma"]
    assert list(cov.index) == names and list(cov.columns) == names
    # the Hessian of the paper's log-likelihood at the estimates, by central differences
    # of its values (step 1e-4 of each parameter, relative), counted in the test
    keep = (cdnow_summary["frequency"] > 0) & (cdnow_summary["monetary_value"] > 0)
    x = cdnow_summary.loc[keep, "frequency"].to_numpy(float)
    m = cdnow_summary.loc[keep, "monetary_value"].to_numpy(float)
    theta = np.array([model.params_[k] for k in names])
    h = 1e-4 * theta
    hessian = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            e_i, e_j = np.eye(3)[i] * h[i], np.eye(3)[j] * h[j]
            hessian[i, j] = (
                gamma_gamma_log_likelihood(theta + e_i + e_j, x, m)
                - gamma_gamma_log_likelihood(theta + e_i - e_j, x, m)
                - gamma_gamma_log_likelihood(theta - e_i + e_j, x, m)
                + gamma_gamma_log_likelihood(theta - e_i - e_j, x, m)
            ) / (4 * h[i] * h[j])
    # covariance = inverse of the observed information, minus the log-likelihood's Hessian
    np.testing.assert_allclose(cov.to_numpy(), np.linalg.inv(-hessian), rtol=1e-3)
    # its diagonal's square root is the standard errors, and it is symmetric
    np.testing.assert_allclose(
        np.sqrt(np.diag(cov)), [model.standard_errors_[k] for k in names], rtol=1e-12
    )
    np.testing.assert_allclose(cov.to_numpy(), cov.to_numpy().T)


def test_covariance_of_bgnbd_agrees_with_its_standard_errors(cdnow_summary):
    model = BetaGeoModel().fit(cdnow_summary)
    cov = model.covariance_
    assert list(cov.index) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(
        np.sqrt(np.diag(cov)), list(model.standard_errors_.values()), rtol=1e-12
    )
    assert np.all(np.linalg.eigvalsh(cov.to_numpy()) > 0)
    # r and alpha move together (the mean rate r / alpha is pinned down best)
    assert cov.loc["r", "alpha"] > 0
    assert BetaGeoModel().covariance_ is None


def test_covariance_follows_coefficients_scaled_back_after_a_covariate_fit():
    summary, z = simulate_pnbd(3000, 0.8, 10.0, 0.7, 12.0, [0.5], [-0.4], seed=5)
    plain = ParetoNBDModel().fit(summary, covariates=z)
    # the same column times 3: the optimiser sees z / max|z| in both fits, so the
    # coefficients of 3z are those of z divided by 3, their covariance rows and columns too
    tripled = ParetoNBDModel().fit(summary, covariates=z.assign(z0=3 * z["z0"]))
    scale = np.array([1.0, 1.0, 1.0, 1.0, 3.0, 3.0])
    np.testing.assert_allclose(
        tripled.covariance_.to_numpy(),
        plain.covariance_.to_numpy() / np.outer(scale, scale),
        rtol=1e-6,
    )
    for model in (plain, tripled):
        cov = model.covariance_
        assert list(cov.index) == list(model.params_)
        np.testing.assert_allclose(
            np.sqrt(np.diag(cov)), list(model.standard_errors_.values()), rtol=1e-12
        )
