"""Stated churn reasons grouped and counted, by hand."""

import pandas as pd
import pytest

from retainkit import groundwork as g


def test_reasons_grouped_and_counted(status):
    reasons = pd.DataFrame(
        {
            "customer_id": ["A", "C", "E", "B"],
            "reason": ["Moved away", "Price too high", "not stated", "Other"],
        }
    )
    table = g.reason_summary(status, reasons).set_index("reason")
    assert table["group"].to_dict() == {
        "Price too high": "controllable",
        "Moved away": "uncontrollable",
        "not stated": "not stated",
    }
    assert table.loc["Moved away", "annual_revenue_lost"] == 150.0
    assert table["share"].sum() == pytest.approx(1.0)
    own = {"price": "pricing", "moved": "life events"}
    assert set(g.classify_reasons(reasons["reason"], own)) == {
        "life events",
        "pricing",
        "not stated",
        "unclassified",
    }
