"""The churn rate and its Wilson interval, by hand."""

import math

import numpy as np
import pytest

from retainkit import groundwork as g


def test_churn_summary_by_hand(status):
    s = g.churn_summary(status).iloc[0]
    assert (s["active_at_start"], s["lost_from_base"], s["lost_in_window"]) == (3, 2, 3)
    assert (s["new_in_window"], s["lost_new_in_window"]) == (2, 1)
    assert s["churn_rate"] == pytest.approx(2 / 3)
    # Wilson interval written out: p = 2/3, n = 3, z = 1.96
    z, p, n = 1.959963985, 2 / 3, 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (s["churn_rate_low"], s["churn_rate_high"]) == pytest.approx(
        (centre - half, centre + half)
    )


def test_wilson_interval_holds_the_point_estimate_at_the_ends():
    # by hand: with no losses the lower end is 0 exactly, with all lost the upper end is 1
    for trials in (1, 3, 7, 10, 49, 1000):
        low, high = g.wilson_interval(0, trials)
        assert low == 0.0 < high
        low, high = g.wilson_interval(trials, trials)
        assert low < high == 1.0
    low, high = g._wilson_vec(np.array([0, 3]), np.array([3, 3]))
    assert low[0] == 0.0 and high[1] == 1.0
