"""The company's average order value: Welch's test by hand."""

import pandas as pd
import pytest

from retainkit import alerts as a
from tests.alerts.conftest import _orders


def test_order_value_trend_welch_by_hand():
    frame = pd.concat(
        [
            _orders("a", ["2024-08-01"] * 4, [10.0, 12.0, 11.0, 9.0]),
            _orders("b", ["2024-11-01"] * 4, [5.0, 6.0, 4.0, 5.0]),
        ]
    )
    # without order ids, rows of one customer at one timestamp are one order: give ids
    frame["order_id"] = [f"o{i}" for i in range(8)]
    t = a.order_value_trend(frame, as_of="2024-12-31").iloc[0]
    assert (t["aov_previous"], t["aov_recent"]) == (10.5, 5.0)
    # Welch by hand: s1^2 = 5/3, s2^2 = 2/3, n = 4 each; t = -5.5 / sqrt((5/3 + 2/3) / 4)
    se = ((5 / 3 + 2 / 3) / 4) ** 0.5
    df = (5 / 3 / 4 + 2 / 3 / 4) ** 2 / ((5 / 3 / 4) ** 2 / 3 + (2 / 3 / 4) ** 2 / 3)
    from scipy import stats

    assert t["p_value"] == pytest.approx(2 * stats.t.sf(5.5 / se, df))
    assert t["beyond_normal_variation"] and "fell by 52.4%" in t["verdict"]
