"""The frequency/recency grid of every purchase model (retainkit/clv/_grid.py)."""

import numpy as np
import pytest

from retainkit.clv import (
    BetaGeoCNBDModel,
    BetaGeoModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
)

PARAMS = {
    BetaGeoModel: {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    ModifiedBetaGeoModel: {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
    ParetoNBDModel: {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    BetaGeoCNBDModel: {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5},
}


@pytest.mark.parametrize("cls", list(PARAMS))
def test_each_cell_is_the_model_s_own_prediction(cls):
    m = cls()
    m.params_ = PARAMS[cls]
    m.time_unit_ = "weeks"
    if cls is BetaGeoCNBDModel:
        m.k_ = 2
    alive = m.frequency_recency_matrix(T=39, max_frequency=3, bins=4)
    bought = m.frequency_recency_matrix(T=39, t=52, max_frequency=3, bins=4)
    assert alive.shape == bought.shape == (4, 4)
    assert alive.attrs["measure"] == "probability_alive"
    assert bought.attrs["measure"] == "expected_purchases"
    # the cell for 2 repeat purchases, the last at recency 26 (the third of 4 steps of 13)
    x, tx, T = np.array([2.0]), np.array([26.0]), np.array([39.0])
    assert alive.loc[2].iloc[2] == pytest.approx(float(m._p_alive(x, tx, T)[0]), rel=1e-12)
    assert bought.loc[2].iloc[2] == pytest.approx(float(m._expected(x, tx, T, 52.0)[0]), rel=1e-12)
    # a recent buyer is more likely alive than one who stopped long ago
    assert alive.loc[3].iloc[-1] > alive.loc[3].iloc[0]
