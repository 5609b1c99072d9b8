import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.figures import MIMETYPE, format_value


def test_values_become_json():
    kf = rk.key_figures(
        [
            rk.figure("a.n", np.int64(3), "N"),
            rk.figure("a.x", np.float64(0.1) + np.float64(0.2), "X", unit="share"),
            rk.figure("a.d", pd.Timestamp("2024-01-31"), "D", unit="date"),
            rk.figure("a.m", float("nan"), "M", reason="needs revenue"),
        ]
    )
    out = kf.to_dict()
    assert out["figures"] == {"a.n": 3, "a.x": 0.3, "a.d": "2024-01-31", "a.m": None}
    assert out["reasons"] == {"a.m": "needs revenue"}
    bundle = kf._repr_mimebundle_()
    assert bundle[MIMETYPE] == out
    assert "not available: needs revenue" in bundle["text/html"]


def test_missing_value_needs_a_reason_and_names_are_unique():
    with pytest.raises(ValueError, match="give the reason"):
        rk.figure("a.x", None, "X")
    with pytest.raises(ValueError, match="named twice"):
        rk.key_figures([rk.figure("a", 1, "A"), rk.figure("a", 2, "A")])


def test_format_value():
    assert format_value(0.0512, "share") == "5.1%"
    assert format_value(-1234.4, "currency", "$") == "-$1,234"
    assert format_value(12, "days") == "12 days"
    assert format_value("2024-01-01", "date") == "2024-01-01"
