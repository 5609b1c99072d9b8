"""Lost against retained customers' behaviour, by hand."""

import numpy as np
import pandas as pd
import pytest

from retainkit import groundwork as g


def test_behaviour_comparison_by_hand():
    ids = [f"c{i}" for i in range(12)]
    status = pd.DataFrame(
        {
            "customer_id": ids,
            "in_base": True,
            "status": ["lost in window"] * 6 + ["active"] * 6,
            "satisfaction": [2, 2, 3, 2, 1, 2, 4, 5, 4, 4, 5, 4],
        }
    )
    behaviour = pd.DataFrame(
        {
            "customer_id": ids,
            "lines": 10,
            "return_lines": [2] * 6 + [0] * 6,
            "categories": [1.0] * 6 + [3.0] * 6,
            "recent_order_value": 10.0,
            "earlier_order_value": 20.0,
        }
    )
    gaps = pd.DataFrame(
        {"customer_id": ids, "median_gap_days": 10.0, "last_gap_days": [30] * 6 + [10] * 6}
    )
    out = g.behaviour_comparison(status, behaviour, gaps, satisfaction="satisfaction")
    out = out.set_index("measure")
    assert out.loc["returns share", ["lost_mean", "retained_mean"]].tolist() == pytest.approx(
        [0.2, 0.0]
    )
    assert out.loc["purchase slowdown (last gap / median gap)", "lost_mean"] == 3.0
    assert out.loc["satisfaction score", "lost_mean"] == pytest.approx(2.0)
    assert out.loc["returns share", "p_value"] < 0.01
    assert np.isnan(out.loc["order value trend (recent / earlier)", "p_value"])  # all equal
