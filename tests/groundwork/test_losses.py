"""The lost customers counted by month and by attribute, by hand."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import groundwork as g


def test_losses_by_month_and_attribute(status):
    months = g.losses_by_month(status)
    assert len(months) == 12  # Jan to Dec 2024
    assert months.set_index("month_start")["customers_lost"][lambda x: x > 0].to_dict() == {
        pd.Timestamp("2024-03-01"): 1,
        pd.Timestamp("2024-05-01"): 2,
    }
    by_region = g.churn_by_attribute(status, "region", min_customers=1).set_index("value")
    # base: A (N, lost), B (N, active), E (N, lost)
    assert by_region.loc["N", ["active_at_start", "lost"]].tolist() == [3, 2]
    pooled = g.churn_by_attribute(status, "region", min_customers=4)  # N has 3: pooled
    assert pooled[["value", "active_at_start", "lost"]].values.tolist() == [["(other)", 3, 2]]
    with pytest.raises(rk.SchemaError, match="no customer attribute 'channel'"):
        g.churn_by_attribute(status, "channel")
    by = g.losses_by(status, "region").set_index("value")
    assert by["customers_lost"].to_dict() == {"N": 2, "S": 1}
    assert by.loc["N", "annual_revenue_lost"] == 195.0
