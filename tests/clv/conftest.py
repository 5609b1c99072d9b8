import numpy as np
import pytest

import retainkit as rk
from retainkit.clv.model_value import ClvForecast


@pytest.fixture(scope="module")
def cdnow_summary():
    """The 1-in-10 CDNOW sample's calibration summary: 39 weeks to 1997-09-30, in weeks."""
    return rk.customer_summary(
        rk.load_transactions("cdnow_sample"), as_of="1997-09-30", time_unit="weeks"
    )


@pytest.fixture(scope="module")
def simulated_shop():
    """A shop simulated from known parameters, planted patterns off, more customers."""
    return rk.simulate_shop(
        n_customers=20000,
        n_falling_order_value=0,
        n_dried_up=0,
        n_dropped_category=0,
        return_share=0.0,
        seed=11,
    )


def flat_forecast(months=24, spend=100.0, per_month=0.5):
    """One customer expected to buy `per_month` times a month, at `spend` each."""
    grid = np.arange(1, months + 1) / 12
    cum = per_month * np.arange(1, months + 1)
    return ClvForecast(
        customer_id=np.array(["a"]),
        probability_alive=np.ones(1),
        expected_spend=np.array([spend]),
        grid_years=grid,
        cumulative=cum[None, :],
        new_cumulative=cum,
        new_spend=spend,
        time_unit="weeks",
    )


def central_hessian(m, data, p):
    """Central differences of a model's analytic gradient (relative step 1e-6), made symmetric."""
    out = np.empty((len(p), len(p)))
    for j in range(len(p)):
        h = 1e-6 * p[j]
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        out[:, j] = (m._neg_ll_and_grad(up, data)[1] - m._neg_ll_and_grad(down, data)[1]) / (2 * h)
    return (out + out.T) / 2
