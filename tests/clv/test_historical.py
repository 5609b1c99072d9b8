import numpy as np
import pandas as pd
import pytest

from retainkit.clv.historical import historical_clv, historical_clv_by_segment
from retainkit.exceptions import SchemaError


def test_historical_clv_by_hand():
    s = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "revenue": [300.0, 50.0, -20.0],
            "purchase_days": [3, 1, 1],
            "T": [104.0, 13.0, 52.0],
        }
    )
    s.attrs["time_unit"] = "weeks"
    h = historical_clv(s, lifespan_years=2, margin=0.5)
    # a: AOV 100, 3 purchases over 728/365.2425 years = 1.5051 a year: 100 x 1.5051 x 2 x 0.5
    # b: 13 weeks counts as one year: 50 x 1 x 2 x 0.5 = 50; c: returns outweigh: 0
    np.testing.assert_allclose(h["historical_clv"], [150.51, 50.0, 0.0], atol=0.01)
    seg = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["web", "shop"]})
    by = historical_clv_by_segment(s, seg, by="channel", lifespan_years=2, margin=0.5)
    assert by["segment"].tolist() == ["shop", "unknown", "web"]
    with pytest.raises(SchemaError, match="revenue"):
        historical_clv(s.drop(columns="revenue"), lifespan_years=2)
