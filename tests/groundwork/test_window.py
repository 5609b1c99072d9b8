"""The lookback window, by hand."""

import pandas as pd

from retainkit import groundwork as g
from tests.groundwork.conftest import AS_OF


def test_window_bounds(shop):
    w = g.churn_window(shop, as_of=AS_OF, churn_days=90)
    assert (w.start, w.lost_after, w.lost_until) == (
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2023-10-03"),
        pd.Timestamp("2024-10-02"),
    )
    assert w.is_full_year and w.churn.method == "given"
