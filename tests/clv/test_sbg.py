import math

import numpy as np
import pandas as pd
import pytest

from retainkit.clv import ShiftedBetaGeoModel
from retainkit.exceptions import (
    ConvergenceError,
    DataValidationError,
    NotFittedError,
    SchemaError,
)

# Fader & Hardie (2007), table 1: percent of 1,000 customers still subscribed at the start
# of years 0..12; the model is fitted on years 0..7, years 8..12 are the holdout.
REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3]
HIGH_END = [100, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4]


def _counts(percent):
    return [round(10 * p) for p in percent[:8]]


@pytest.fixture(scope="module")
def regular():
    return ShiftedBetaGeoModel().fit(_counts(REGULAR))


@pytest.fixture(scope="module")
def high_end():
    return ShiftedBetaGeoModel().fit(pd.Series(_counts(HIGH_END)))


def _survival(alpha, beta, t):
    # S(t) as the product of the retention rates (beta + k - 1) / (alpha + beta + k - 1)
    return math.prod((beta + k - 1) / (alpha + beta + k - 1) for k in range(1, t + 1))


def _log_likelihood(alpha, beta, alive):
    # churners of period t weigh P(T = t) = S(t-1) - S(t); the survivors S(n)
    n = len(alive) - 1
    ll = sum(
        (alive[t - 1] - alive[t])
        * math.log(_survival(alpha, beta, t - 1) - _survival(alpha, beta, t))
        for t in range(1, n + 1)
    )
    return ll + alive[n] * math.log(_survival(alpha, beta, n))


def test_reproduces_fader_hardie_2007_regular(regular):
    assert {k: round(v, 3) for k, v in regular.params_.items()} == {
        "alpha": 0.704,
        "beta": 1.182,
    }
    assert regular.log_likelihood_ == pytest.approx(
        _log_likelihood(**regular.params_, alive=_counts(REGULAR)), rel=1e-12
    )
    assert round(regular.log_likelihood_, 1) == -1680.3
    assert regular.n_customers_ == 1000


def test_reproduces_fader_hardie_2007_high_end(high_end):
    assert {k: round(v, 3) for k, v in high_end.params_.items()} == {
        "alpha": 0.668,
        "beta": 3.806,
    }
    assert round(high_end.log_likelihood_, 1) == -1611.2
    assert high_end.log_likelihood_ == pytest.approx(
        _log_likelihood(**high_end.params_, alive=_counts(HIGH_END)), rel=1e-12
    )


def test_derl_of_a_high_end_customer_after_seven_renewals(high_end):
    # Fader & Hardie (2010): DERL at d = 10% for a high-end customer who has made 7
    # renewals (n - 1 = 7 in their eq. 6) is 7.530
    assert round(high_end.derl(0.1, renewals=7), 3) == 7.530


def test_projection_of_years_8_to_12(regular, high_end):
    # the model's survival is the product of its retention rates, period by period
    for model in (regular, high_end):
        expected = [_survival(**model.params_, t=t) for t in range(8, 13)]
        np.testing.assert_allclose(model.survival(range(8, 13)).to_numpy(), expected)
    # table 1's years 8-12 are observed (the holdout), not projections: the model
    # projects regular 22.0, 20.4, 19.1, 18.0, 17.0 against 22.3 ... 17.3 observed, and
    # high end 46.0, 43.6, 41.4, 39.5, 37.8 against 46.8 ... 39.4 (slightly too low, as
    # in Fader & Hardie's figure)
    assert (100 * regular.survival(range(8, 13))).round(1).tolist() == [
        22.0,
        20.4,
        19.1,
        18.0,
        17.0,
    ]
    assert (100 * high_end.survival(range(8, 13))).round(1).tolist() == [
        46.0,
        43.6,
        41.4,
        39.5,
        37.8,
    ]
    gap_regular = np.array(REGULAR[8:]) - 100 * regular.survival(range(8, 13)).to_numpy()
    gap_high = np.array(HIGH_END[8:]) - 100 * high_end.survival(range(8, 13)).to_numpy()
    assert np.all((gap_regular > 0) & (gap_regular < 0.35))
    assert np.all((gap_high > 0) & (gap_high < 1.7))


def test_derl_by_brute_force(high_end):
    # DERL(d | n - 1 renewals) = sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n), summed
    # directly until the terms vanish
    p = high_end.params_
    s = [_survival(**p, t=t) for t in range(0, 400)]
    for renewals in (0, 1, 7, 20):
        n = renewals + 1
        direct = sum(s[t] / s[n - 1] / 1.1 ** (t - n) for t in range(n, 400))
        assert high_end.derl(0.1, renewals=renewals) == pytest.approx(direct, rel=1e-10)
    np.testing.assert_allclose(
        high_end.derl(0.1, renewals=np.array([0, 7])),
        [high_end.derl(0.1, 0), high_end.derl(0.1, 7)],
    )


def test_derl_by_hand():
    m = ShiftedBetaGeoModel()
    m.params_ = {"alpha": 1.0, "beta": 1.0}
    # alpha = beta = 1: S(t) = 1 / (t + 1); after 0 renewals (n = 1), x = 1 / 1.1:
    # DERL = sum_k x^k / (k + 2) = (-ln(1 - x) - x) / x^2 = (ln 11 - 10/11) / (100/121)
    #      = (2.397895 - 0.909091) / 0.826446 = 1.801453
    assert m.derl(0.1, 0) == pytest.approx((math.log(11) - 10 / 11) / (100 / 121))
    assert round(m.derl(0.1, 0), 6) == 1.801453
    # after 1 renewal (n = 2): S(t) / S(1) = 2 / (t + 1), DERL = sum_k 2 x^k / (k + 3)
    #      = 2 (-ln(1 - x) - x - x^2 / 2) / x^3
    x = 1 / 1.1
    assert m.derl(0.1, 1) == pytest.approx(2 * (math.log(11) - x - x * x / 2) / x**3)
    # without discounting DERL is the expected number of further renewals:
    # alpha = 2, beta = 1: S(t) = 2 / ((t + 1)(t + 2)), sum_{t >= 1} S(t) = 2 x 1/2 = 1
    m.params_ = {"alpha": 2.0, "beta": 1.0}
    assert m.derl(0.0, 0) == pytest.approx(1.0)
    # and infinite when alpha <= 1 (the cancellation probability can be near 0)
    m.params_ = {"alpha": 0.7, "beta": 1.0}
    assert m.derl(0.0, 0) == math.inf


def test_base_value_sums_derl_over_the_base(high_end):
    value = high_end.base_value(
        pd.Series({0: 100, 7: 50}), value_per_period=20.0, discount_rate=0.1
    )
    assert value == pytest.approx(20 * (100 * high_end.derl(0.1, 0) + 50 * high_end.derl(0.1, 7)))
    m = ShiftedBetaGeoModel()
    m.params_ = {"alpha": 1.0, "beta": 1.0}
    # 100 customers at 0 renewals, 10 a period: 100 x 10 x 1.801453 (test_derl_by_hand)
    assert round(m.base_value({0: 100}, value_per_period=10, discount_rate=0.1), 2) == 1801.45
    with pytest.raises(ValueError, match="customers must be 0 or more"):
        m.base_value({0: -1}, value_per_period=10, discount_rate=0.1)
    with pytest.raises(ValueError, match="renewals must be whole"):
        m.base_value({1.5: 10}, value_per_period=10, discount_rate=0.1)


def test_curves_by_hand():
    m = ShiftedBetaGeoModel()
    m.params_ = {"alpha": 3.0, "beta": 2.0}
    # S(1) = beta / (alpha + beta) = 2/5; S(2) = 2/5 x 3/6 = 1/5
    expected = pd.Series([1.0, 0.4, 0.2], index=pd.Index([0, 1, 2], name="period"), name="survival")
    pd.testing.assert_series_equal(m.survival(2), expected)
    rates = pd.Series([0.4, 0.5], index=pd.Index([1, 2], name="period"), name="retention_rate")
    pd.testing.assert_series_equal(m.retention_rate(2), rates)
    assert m.retention_rate([5]).tolist() == [6 / 9]  # (beta + 4) / (alpha + beta + 4)
    with pytest.raises(ValueError, match="periods must be whole"):
        m.survival(2.5)
    with pytest.raises(ValueError, match="periods must be whole"):
        m.retention_rate([0, 1])


def test_tiny_cohort_likelihood_by_hand():
    # 5 customers: 3 cancel in period 1, 1 in period 2, 1 is still subscribed after 2.
    # LL = 3 log P(T=1) + log P(T=2) + log S(2), with P(T=1) = alpha/(alpha+beta),
    # P(T=2) = S(1) (1 - r(2)), S(2) = S(1) r(2), r(2) = (beta+1)/(alpha+beta+1). Two
    # parameters, two free cell shares: the fit is exact, P(T=1) = 3/5 and r(2) = 1/2,
    # so beta/(alpha+beta) = 2/5 and (beta+1)/(alpha+beta+1) = 1/2: alpha = 3, beta = 2;
    # LL = 3 ln(3/5) + ln(1/5) + ln(1/5) = -1.532477 - 3.218876 = -4.751353
    m = ShiftedBetaGeoModel().fit([5, 2, 1])
    assert m.params_ == pytest.approx({"alpha": 3.0, "beta": 2.0}, rel=1e-5)
    assert m.log_likelihood_ == pytest.approx(3 * math.log(0.6) + 2 * math.log(0.2))
    assert round(m.log_likelihood_, 6) == -4.751353


def test_several_cohorts_by_hand():
    # cohort a as above; cohort b (younger, observed one period): 3 of 5 cancel in
    # period 1. L = P(1)^6 S(1)^4 (1 - r(2)) r(2): P(1) = 6/10 and r(2) = 1/2 again, so
    # alpha = 3, beta = 2; LL = 6 ln 0.6 + 4 ln 0.4 + 2 ln 0.5
    #   = -3.064954 - 3.665163 - 1.386294 = -8.116411
    alive = pd.DataFrame({"a": [5, 2, 1], "b": [5, 2, None]})
    m = ShiftedBetaGeoModel().fit(alive)
    assert m.params_ == pytest.approx({"alpha": 3.0, "beta": 2.0}, rel=1e-5)
    assert round(m.log_likelihood_, 6) == -8.116411
    assert m.n_customers_ == 10


def test_summary_table(regular):
    table = regular.summary()
    assert table["parameter"].tolist() == ["alpha", "beta"]
    assert table.columns.tolist() == [
        "parameter",
        "estimate",
        "standard_error",
        "lower_95",
        "upper_95",
    ]
    assert (table["standard_error"] > 0).all()
    assert (table["lower_95"] < table["estimate"]).all()
    assert table.attrs["customers"] == 1000
    assert table.attrs["model"] == "sBG"
    assert regular.standard_errors_ == {
        k: pytest.approx(v)
        for k, v in zip(table["parameter"], table["standard_error"], strict=True)
    }


@pytest.mark.parametrize(
    ("alive", "match"),
    [
        ([10, 8, 9], "rises from 8 at period 1 to 9 at period 2"),
        ([10, -1, -2], "negative value"),
        ([100, 63.1, 46.8], "not whole.*period"),
        ([0, 0, 0], "starts with 0 customers"),
        ([10, 8], "one period only"),
        ([10, "x", 5], "not a number at period 1"),
        ([10, math.inf, 5], "infinite"),
        ([10, None, 5], "missing period 1"),
        (pd.DataFrame({"a": [10, 8, 6], "b": [10, None, 5]}), "cohort 'b' is missing period 1"),
        (pd.DataFrame({"a": [10, 8, 6], "b": [10, 11, None]}), "cohort 'b' rises"),
    ],
)
def test_bad_counts_name_what_and_where(alive, match):
    with pytest.raises(DataValidationError, match=match):
        ShiftedBetaGeoModel().fit(alive)


def test_bad_input_types():
    with pytest.raises(SchemaError, match="got dict"):
        ShiftedBetaGeoModel().fit({"a": 1})
    with pytest.raises(SchemaError, match="1-d"):
        ShiftedBetaGeoModel().fit(np.ones((2, 3)))
    with pytest.raises(ConvergenceError, match="nobody"):
        ShiftedBetaGeoModel().fit([10, 10, 10])


def test_not_fitted_and_bad_arguments(regular):
    with pytest.raises(NotFittedError, match="fit\\(alive\\)"):
        ShiftedBetaGeoModel().survival(3)
    with pytest.raises(NotFittedError):
        ShiftedBetaGeoModel().derl(0.1, 0)
    with pytest.raises(ValueError, match="discount_rate"):
        regular.derl(-0.1, 0)
    with pytest.raises(ValueError, match="renewals must be whole"):
        regular.derl(0.1, -1)


def test_fit_leaves_the_input_unchanged():
    alive = pd.DataFrame({"a": [5, 2, 1], "b": [5, 2, None]})
    before = alive.copy()
    ShiftedBetaGeoModel().fit(alive)
    pd.testing.assert_frame_equal(alive, before)


def _three_customer_ll(alpha, beta):
    # A cancelled after 1 period: P(T = 1) = alpha / (alpha + beta)
    # B cancelled after 2 periods: P(T = 2) = S(1) (1 - r(2))
    #   = beta / (alpha + beta) x alpha / (alpha + beta + 1)
    # C has paid 6 periods and stays: 5 renewals made, S(5) = prod over k = 1..5 of
    #   r(k) = (beta + k - 1) / (alpha + beta + k - 1)
    ab = alpha + beta
    return (
        math.log(alpha / ab)
        + math.log(beta / ab * alpha / (ab + 1))
        + sum(math.log((beta + k - 1) / (ab + k - 1)) for k in range(1, 6))
    )


def test_fit_durations_three_customers_by_hand():
    # at alpha = beta = 1 (S(t) = 1 / (t + 1)): ln(1/2) + ln(1/2 x 1/3) + ln(1/6)
    #   = -ln 72 = -4.276666
    assert _three_customer_ll(1.0, 1.0) == pytest.approx(-math.log(72))
    m = ShiftedBetaGeoModel().fit_durations([1, 2, 6], [True, True, False])
    assert m.n_customers_ == 3
    # the fitted log-likelihood is the hand formula at the estimate ...
    assert m.log_likelihood_ == pytest.approx(_three_customer_ll(**m.params_), rel=1e-12)
    # ... at its maximum: the hand formula maximised by another optimiser agrees
    from scipy.optimize import minimize

    best = minimize(
        lambda x: -_three_customer_ll(*np.exp(x)),
        x0=[0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000},
    )
    np.testing.assert_allclose([m.params_["alpha"], m.params_["beta"]], np.exp(best.x), rtol=1e-4)
    assert m.log_likelihood_ == pytest.approx(-best.fun, abs=1e-9)
    assert round(m.log_likelihood_, 3) == -4.083  # above -ln 72 = -4.277 at (1, 1)


def test_fit_durations_is_fit_on_the_same_customers():
    # the high-end cohort, expanded: alive[t-1] - alive[t] customers cancelled after t
    # periods; the 491 still subscribed at the start of period 7 have paid 8 periods
    alive = _counts(HIGH_END)
    assert alive == [1000, 869, 743, 653, 593, 551, 517, 491]
    periods = np.r_[np.repeat(np.arange(1, 8), -np.diff(alive)), np.full(alive[-1], 8)]
    churned = np.r_[np.ones(1000 - alive[-1], bool), np.zeros(alive[-1], bool)]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(periods))  # the order of the customers does not matter
    by_customer = ShiftedBetaGeoModel().fit_durations(periods[order], churned[order])
    by_cohort = ShiftedBetaGeoModel().fit(alive)
    for name in ("alpha", "beta"):
        assert by_customer.params_[name] == pytest.approx(by_cohort.params_[name], abs=1e-6)
    assert by_customer.log_likelihood_ == pytest.approx(by_cohort.log_likelihood_, abs=1e-6)
    assert by_customer.n_customers_ == 1000
    # a subscriber in their first period tells nothing: S(0) = 1
    more = ShiftedBetaGeoModel().fit_durations(
        np.r_[periods, [1, 1]], np.r_[churned, [False, False]]
    )
    assert more.log_likelihood_ == pytest.approx(by_cohort.log_likelihood_, abs=1e-6)
    assert more.params_["alpha"] == pytest.approx(by_cohort.params_["alpha"], abs=1e-6)


def test_fit_durations_of_subscribers_who_started_at_different_times():
    # the two cohorts of test_several_cohorts_by_hand as customers: cohort b, observed one
    # period, has 2 subscribers who paid 2 periods and stay (log S(1) each)
    periods = [1, 1, 1, 2, 3, 1, 1, 1, 2, 2]
    churned = [1, 1, 1, 1, 0, 1, 1, 1, 0, 0]
    m = ShiftedBetaGeoModel().fit_durations(periods, churned)
    assert m.params_ == pytest.approx({"alpha": 3.0, "beta": 2.0}, rel=1e-5)
    assert round(m.log_likelihood_, 6) == -8.116411
    assert m.time_unit_ == "periods"


@pytest.mark.parametrize(
    ("periods", "churned", "match"),
    [
        ([1, 2], [True], "same length"),
        ([0, 2, 3], [True, True, False], "whole numbers of 1 or more.*position\\(s\\) 0"),
        ([1, 2.5, 3], [True, True, False], "position\\(s\\) 1 \\(2.5\\)"),
        ([1, 2, 3], [True, "x", False], "True or False.*position\\(s\\) 1 \\('x'\\)"),
        ([], [], "no subscribers"),
        ([1, 2, 2], [True, False, False], "past their first renewal"),
    ],
)
def test_fit_durations_bad_input(periods, churned, match):
    with pytest.raises(DataValidationError, match=match):
        ShiftedBetaGeoModel().fit_durations(periods, churned)


def test_fit_durations_where_nobody_cancels():
    with pytest.raises(DataValidationError, match="nobody has cancelled"):
        ShiftedBetaGeoModel().fit_durations([3, 4, 5], [False, False, False])


def _snapshot(alpha, beta, *, n, months, window, seed):
    """Subscribers who joined over ``months`` months, seen only in the last ``window`` months.

    Each has a chance theta ~ Beta(alpha, beta) of cancelling at each renewal. The data
    holds those still subscribed when the window opened (and everyone who joined inside
    it): periods paid by the end or until they cancelled, renewals made before the window.
    """
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, size=n)
    start = rng.integers(0, months, size=n)  # month of the first bill
    lifetime = rng.geometric(theta)  # bills paid before cancelling (T)
    opened = months - window  # bills before month `opened` came before the window
    age = months - start  # bills the subscriber could have paid by the end
    paid = np.minimum(lifetime, age)
    churned = lifetime <= age - 1  # cancelled before the end's bill would be due
    before = np.clip(opened - start, 0, None)  # bills (renewal decisions) before the window
    seen = lifetime > before  # still subscribed when the window opened
    return paid[seen], churned[seen], before[seen]


def test_left_truncated_snapshot_recovers_the_truth_where_the_plain_fit_cannot():
    # 60 months of sign-ups, a data set of the last 2 months (as the telco preset is)
    paid, churned, before = _snapshot(0.7, 2.5, n=60_000, months=60, window=2, seed=7)
    assert (before > 0).mean() > 0.8  # most joined before the window
    truncated = ShiftedBetaGeoModel().fit_durations(paid, churned, entered=before)
    plain = ShiftedBetaGeoModel().fit_durations(paid, churned)
    # the truth, within about 3 standard errors
    se = truncated.standard_errors_
    assert abs(truncated.params_["alpha"] - 0.7) < 3 * se["alpha"]
    assert abs(truncated.params_["beta"] - 2.5) < 3 * se["beta"]
    # the plain fit sees only survivors' long tenures: it makes new subscribers far too loyal
    first = 0.7 / (0.7 + 2.5)  # share cancelling at the first renewal, 21.9%
    assert 1 - truncated.retention_rate([1]).iloc[0] == pytest.approx(first, abs=0.03)
    assert 1 - plain.retention_rate([1]).iloc[0] < first / 2


def test_left_truncation_likelihood_by_hand():
    # ten subscribers: (periods paid, cancelled?, renewals made before the data began);
    # a cancellation after p bills counts P(T = p) / S(d), a stayer S(p - 1) / S(d)
    periods = [3, 4, 1, 2, 5, 1, 1, 2, 6, 3]
    churned = [1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
    entered = [2, 1, 0, 0, 3, 0, 0, 0, 4, 1]

    def ll(alpha, beta):
        total = 0.0
        for p, c, d in zip(periods, churned, entered, strict=True):
            s = [_survival(alpha, beta, t) for t in range(p + 1)]
            total += math.log(((s[p - 1] - s[p]) if c else s[p - 1]) / s[d])
        return total

    m = ShiftedBetaGeoModel().fit_durations(periods, churned, entered=entered)
    a, b = m.params_["alpha"], m.params_["beta"]
    assert m.log_likelihood_ == pytest.approx(ll(a, b), rel=1e-9)
    # the estimate is the hand likelihood's maximum: flat there (finite differences)
    h = 1e-5
    assert (ll(a + h, b) - ll(a - h, b)) / (2 * h) == pytest.approx(0, abs=1e-4)
    assert (ll(a, b + h) - ll(a, b - h)) / (2 * h) == pytest.approx(0, abs=1e-4)


@pytest.mark.parametrize(
    ("entered", "match"),
    [
        ([0, 1], "one entry per subscriber"),
        ([0, 3, 0], "position\\(s\\) 1 \\(3\\)"),
        ([0, -1, 0], "position\\(s\\) 1"),
        ([0, 0.5, 0], "whole numbers from 0 to periods - 1"),
    ],
)
def test_entered_bad_input(entered, match):
    with pytest.raises(DataValidationError, match=match):
        ShiftedBetaGeoModel().fit_durations([3, 3, 1], [1, 0, 1], entered=entered)
