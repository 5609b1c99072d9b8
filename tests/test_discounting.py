"""The one discounting rule, on paper, and the three lifetime values that use it."""

import numpy as np
import pytest

from retainkit.clv.scenarios import _retention_factor
from retainkit.discounting import annuity_factor, monthly_step_ends, step_weights
from retainkit.groundwork import lifetime_value


def test_step_weights_by_hand():
    # monthly steps, 2.5 months at 12.68250301% a year (1% a month): 1.01^-1, 1.01^-2, half 1.01^-3
    d = 1.01**12 - 1
    w = step_weights(monthly_step_ends(2.5 / 12), horizon_years=2.5 / 12, discount_rate=d)
    np.testing.assert_allclose(w, [1.01**-1, 1.01**-2, 0.5 * 1.01**-3])


def test_step_weights_of_uneven_steps():
    # steps ending at 0.5, 1 and 3 years, 2 years counted, undiscounted: 1, 1 and half of the last
    w = step_weights(np.array([0.5, 1.0, 3.0]), horizon_years=2.0, discount_rate=0.0)
    np.testing.assert_allclose(w, [1.0, 1.0, 0.5])


def test_zero_horizon_weighs_nothing():
    assert annuity_factor(horizon_years=0, discount_rate=0.1) == 0.0
    assert step_weights(np.array([1.0]), horizon_years=0, discount_rate=0.1).tolist() == [0.0]


@pytest.mark.parametrize(
    ("horizon", "rate"), [(-1.0, 0.1), (1.0, -1.0), (1.0, -1.5)], ids=["horizon", "rate", "below"]
)
def test_impossible_inputs_are_refused(horizon, rate):
    with pytest.raises(ValueError, match="must"):
        annuity_factor(horizon_years=horizon, discount_rate=rate)


def test_annuity_is_the_closed_form_over_whole_months():
    # 1/12 x (1 - (1 + i)^-n) / i, i = 1.1^(1/12) - 1, n = 60 months
    i = 1.1 ** (1 / 12) - 1
    assert annuity_factor(horizon_years=5, discount_rate=0.1) == pytest.approx(
        (1 - (1 + i) ** -60) / i / 12, rel=1e-12
    )


def test_lost_value_pro_rates_a_month_partly_inside():
    # $1,000 a month for 1.5 months undiscounted: 1,000 + 500
    assert lifetime_value(12_000, horizon_years=1.5 / 12, discount_rate=0) == pytest.approx(1_500)
    # the seed articles' figure: $1,000 a month for 20 years is $240,000
    assert lifetime_value(12_000, horizon_years=20, discount_rate=0) == pytest.approx(240_000)


def test_retention_factor_uses_the_same_weights():
    # 80% retention raised by 10 points, 3 months at 0%: sum .9^(k/12) / sum .8^(k/12), k = 1..3
    k = np.arange(1, 4) / 12
    expected = (0.9**k).sum() / (0.8**k).sum()
    assert _retention_factor(0.8, 10, 0.25, 0.0) == pytest.approx(expected, rel=1e-12)
    # 2.5 months: the third month counts half
    w = np.array([1, 1, 0.5])
    assert _retention_factor(0.8, 10, 2.5 / 12, 0.0) == pytest.approx(
        (w * 0.9**k).sum() / (w * 0.8**k).sum(), rel=1e-12
    )
