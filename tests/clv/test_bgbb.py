import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import gammaln

from retainkit.clv import BetaGeoBetaBinomModel
from retainkit.exceptions import DataValidationError, NotFittedError, SchemaError
from tests.conftest import DATA

PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


@pytest.fixture(scope="module")
def donations():
    return pd.read_csv(DATA / "donations" / "donations.csv")


@pytest.fixture(scope="module")
def fitted(donations):
    return BetaGeoBetaBinomModel().fit(donations)


def _by_quadrature(params, x, tx, n):
    """The likelihood as integrals over p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta).

    Alive through period n: p^x (1-p)^(n-x) (1-theta)^n; dropped out at the start of
    period t_x + i + 1: p^x (1-p)^(t_x-x+i) theta (1-theta)^(t_x+i).
    """
    p_dist = stats.beta(params["alpha"], params["beta"])
    t_dist = stats.beta(params["gamma"], params["delta"])

    def mean(dist, f):
        return integrate.quad(lambda u: f(u) * dist.pdf(u), 0, 1, epsabs=1e-13, limit=200)[0]

    total = mean(p_dist, lambda p: p**x * (1 - p) ** (n - x)) * mean(t_dist, lambda t: (1 - t) ** n)
    for i in range(n - tx):
        total += mean(p_dist, lambda p, i=i: p**x * (1 - p) ** (tx - x + i)) * mean(
            t_dist, lambda t, i=i: t * (1 - t) ** (tx + i)
        )
    return total


def test_donations_file_is_the_published_one(donations):
    # counted independently of the model: 22 patterns, 11,104 donors, six periods
    assert len(donations) == 22
    assert donations["weights"].sum() == 11104
    assert set(donations["periods"]) == {6}


def test_reproduces_the_published_donations_fit(fitted, donations):
    # Fader, Hardie & Shang (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783,
    # LL -33,225.6
    assert {k: round(v, 3) for k, v in fitted.params_.items()} == PUBLISHED
    assert round(fitted.log_likelihood_, 1) == -33225.6
    assert fitted.n_customers_ == donations["weights"].sum()
    assert fitted.n_rows_ == 22


def test_log_likelihood_is_the_model_likelihood(fitted, donations):
    # the fitted log-likelihood, summed by quadrature at the fitted parameters
    by_quadrature = sum(
        w * math.log(_by_quadrature(fitted.params_, x, tx, n))
        for x, tx, n, w in donations[["frequency", "recency", "periods", "weights"]].itertuples(
            index=False
        )
    )
    assert fitted.log_likelihood_ == pytest.approx(by_quadrature, rel=1e-9)


def test_expected_transactions_of_a_new_donor(fitted):
    # published: 0.4985, 0.9234, 1.2969, 1.6323, 1.9382 over 1..5 periods; the fitted
    # parameters give 0.49854, 0.92335, 1.29687, 1.63231, 1.93814: within 1e-4 (one in
    # the last published digit; the published figures come from the authors' rounded
    # optimum)
    published = [0.4985, 0.9234, 1.2969, 1.6323, 1.9382]
    got = fitted.expected_transactions(np.arange(1, 6))
    np.testing.assert_allclose(got, published, atol=1e-4, rtol=0)
    # the closed form, eq. 7: alpha/(alpha+beta) delta/(gamma-1)
    #   x [1 - Gamma(gamma+delta)/Gamma(gamma+delta+n) Gamma(1+delta+n)/Gamma(1+delta)]
    a, b, g, d = (fitted.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    n = np.arange(1, 6)
    closed = (
        a
        / (a + b)
        * d
        / (g - 1)
        * (1 - np.exp(gammaln(g + d) - gammaln(g + d + n) + gammaln(1 + d + n) - gammaln(1 + d)))
    )
    np.testing.assert_allclose(got, closed, rtol=1e-12)
    assert fitted.expected_transactions(0) == 0.0
    assert isinstance(fitted.expected_transactions(3), float)


def test_tiny_likelihood_by_hand():
    # alpha = beta = gamma = delta = 1 (uniform p and theta), n = 2 periods:
    # B(1+x, 1+n-x)/B(1,1) = x!(n-x)!/(n+1)!, B(1, 1+k) = 1/(1+k), B(2, 1+k) = 1/((k+1)(k+2))
    # x=0, t_x=0: B(1,3) B(1,3) + B(1,1) B(2,1) + B(1,2) B(2,2) = 1/9 + 1/2 + 1/12 = 25/36
    # x=1, t_x=1: B(2,2) B(1,3) + B(2,1) B(2,2) = 1/18 + 1/12 = 5/36
    # x=2, t_x=2: B(3,1) B(1,3) = 1/9
    # (with x=1, t_x=2: B(2,2) B(1,3) = 1/18, the four patterns sum to 1)
    # LL = ln(25/36) + ln(5/36) + ln(1/9) = -0.364643 - 1.974081 - 2.197225 = -4.535949
    m = BetaGeoBetaBinomModel()
    params = np.ones(4)
    x, tx, n = np.array([0.0, 1, 2, 1]), np.array([0.0, 1, 2, 2]), np.full(4, 2.0)
    rows = np.exp(m._row_log_likelihood(params, x, tx, n))
    np.testing.assert_allclose(rows, [25 / 36, 5 / 36, 1 / 9, 1 / 18])
    assert round(float(np.log(rows[:3]).sum()), 6) == -4.535949
    # through the public API: P(alive in period 3) = B(1+x, 1+n-x) B(1, 4) / L
    # x=0: (1/3)(1/4) / (25/36) = 0.12; x=1, t_x=1: (1/6)(1/4) / (5/36) = 0.3;
    # x=2: (1/3)(1/4) / (1/9) = 0.75
    m.params_ = dict.fromkeys(("alpha", "beta", "gamma", "delta"), 1.0)
    s = pd.DataFrame({"frequency": [0, 1, 2], "recency": [0, 1, 2], "periods": 2})
    np.testing.assert_allclose(m.probability_alive(s).to_numpy(), [0.12, 0.3, 0.75])


def test_fit_matches_the_likelihood_on_a_small_weighted_sample():
    summary = pd.DataFrame(
        {
            "frequency": [0, 1, 2, 3, 1, 2],
            "recency": [0, 1, 3, 3, 3, 2],
            "periods": 3,
            "weights": [40, 15, 10, 25, 5, 5],
        }
    )
    m = BetaGeoBetaBinomModel().fit(summary)
    by_quadrature = sum(
        w * math.log(_by_quadrature(m.params_, x, tx, n))
        for x, tx, n, w in summary.itertuples(index=False)
    )
    assert m.log_likelihood_ == pytest.approx(by_quadrature, rel=1e-9)
    # one row per customer instead of weights: the same fit
    expanded = summary.loc[summary.index.repeat(summary["weights"])].drop(columns="weights")
    again = BetaGeoBetaBinomModel().fit(expanded)
    assert again.params_ == pytest.approx(m.params_, rel=1e-5)
    assert again.log_likelihood_ == pytest.approx(m.log_likelihood_, rel=1e-9)


def test_probability_alive_matches_eq_11(fitted, donations):
    # eq. 11: B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n+1)/B(gamma,delta) / L
    p = fitted.params_
    p_dist = stats.beta(p["alpha"], p["beta"])
    t_dist = stats.beta(p["gamma"], p["delta"])
    got = fitted.probability_alive(donations)
    for row, (x, tx, n) in donations[["frequency", "recency", "periods"]].iterrows():
        alive = p_dist.expect(lambda q, x=x, n=n: q**x * (1 - q) ** (n - x)) * t_dist.expect(
            lambda t, n=n: (1 - t) ** (n + 1)
        )
        assert got[row] == pytest.approx(alive / _by_quadrature(p, x, tx, n), rel=1e-7)
    assert got.name == "probability_alive"
    assert got.index.equals(donations.index)


def test_conditional_expectation_matches_eq_13(fitted, donations):
    # eq. 13: 1/L B(alpha+x+1, beta+n-x)/B(alpha,beta) delta/(gamma-1)
    #   Gamma(gamma+delta)/Gamma(1+delta)
    #   [Gamma(1+delta+n)/Gamma(gamma+delta+n) - Gamma(1+delta+n+n*)/Gamma(gamma+delta+n+n*)]
    a, b, g, d = (fitted.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    got = fitted.conditional_expected_transactions(donations, n_periods=5)
    assert got.name == "expected_transactions_5_periods"
    for row, (x, tx, n) in donations[["frequency", "recency", "periods"]].iterrows():
        like = _by_quadrature(fitted.params_, x, tx, n)
        head = math.exp(
            gammaln(a + x + 1)
            + gammaln(b + n - x)
            - gammaln(a + b + n + 1)
            - (gammaln(a) + gammaln(b) - gammaln(a + b))
        )
        tail = math.exp(gammaln(1 + d + n) - gammaln(g + d + n)) - math.exp(
            gammaln(1 + d + n + 5) - gammaln(g + d + n + 5)
        )
        closed = head * d / (g - 1) * math.exp(gammaln(g + d) - gammaln(1 + d)) * tail / like
        assert got[row] == pytest.approx(closed, rel=1e-7)
    zero = fitted.conditional_expected_transactions(donations, n_periods=0)
    assert (zero == 0).all()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            {"recency": [7]},
            DataValidationError,
            "'recency'.*exceeds 'periods' in 1 row\\(s\\), index 0;",
        ),
        ({"frequency": [3], "recency": [2]}, DataValidationError, "'frequency' exceeds"),
        ({"frequency": [0], "recency": [2]}, DataValidationError, "'recency' is above 0"),
        ({"frequency": [-1]}, DataValidationError, "'frequency' is missing, negative"),
        ({"frequency": [1.5]}, DataValidationError, "'frequency' is not a whole number"),
        ({"weights": [-2.0]}, DataValidationError, "'weights' is missing, negative"),
        ({"periods": [np.nan]}, DataValidationError, "'periods' is missing"),
    ],
)
def test_bad_values_name_the_rows(change, error, match):
    summary = pd.DataFrame({"frequency": [2, 1], "recency": [4, 1], "periods": 6, "weights": 1})
    for col, values in change.items():
        summary[col] = summary[col].astype("float64")
        summary.loc[[0], col] = values
    with pytest.raises(error, match=match):
        BetaGeoBetaBinomModel().fit(summary)


def test_messages_name_customers_and_missing_columns():
    summary = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [2, 1], "recency": [8, 1], "periods": 6}
    )
    with pytest.raises(DataValidationError, match=r"in 1 customer\(s\) a;"):
        BetaGeoBetaBinomModel().fit(summary)
    with pytest.raises(SchemaError, match="'recency' \\(did you mean 'recence'\\?\\)"):
        BetaGeoBetaBinomModel().fit(summary.rename(columns={"recency": "recence"}))
    with pytest.raises(SchemaError, match="got list"):
        BetaGeoBetaBinomModel().fit([1, 2])
    empty = pd.DataFrame({"frequency": [1], "recency": [1], "periods": [6], "weights": [0]})
    with pytest.raises(DataValidationError, match="no customers to fit"):
        BetaGeoBetaBinomModel().fit(empty)


def test_not_fitted_and_bad_arguments(fitted, donations):
    with pytest.raises(NotFittedError, match="'frequency', 'recency', 'periods'"):
        BetaGeoBetaBinomModel().expected_transactions(3)
    with pytest.raises(NotFittedError):
        BetaGeoBetaBinomModel().probability_alive(donations)
    with pytest.raises(ValueError, match="n_periods must be whole"):
        fitted.expected_transactions(-1)
    with pytest.raises(ValueError, match="n_periods must be whole"):
        fitted.conditional_expected_transactions(donations, n_periods=1.5)


def test_summary_table(fitted):
    table = fitted.summary()
    assert table["parameter"].tolist() == ["alpha", "beta", "gamma", "delta"]
    assert (table["standard_error"] > 0).all()
    assert table.attrs["customers"] == 11104
    assert table.attrs["model"] == "BG/BB"


def test_fit_leaves_the_input_unchanged(donations):
    before = donations.copy()
    BetaGeoBetaBinomModel().fit(donations)
    pd.testing.assert_frame_equal(donations, before)
