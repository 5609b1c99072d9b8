import pytest

import retainkit as rk


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
