"""Subgroups: attribute columns and their text labels."""

import numpy as np
import pandas as pd
import pytest

from retainkit import segmentation as seg
from retainkit.exceptions import SchemaError


def test_subgroups_and_attributes():
    a = pd.DataFrame(
        {
            "customer_id": ["1", "2", "3"],
            "region": ["N", "S", None],
            "score": [4.0, np.nan, 5.0],
            "email": ["x@a", "y@b", "z@c"],
        }
    )
    assert seg.subgroup_columns(a, max_groups=2) == ["region", "score"]
    assert seg.subgroup_columns(a, "email") == ["email"]
    with pytest.raises(SchemaError, match="did you mean 'region'"):
        seg.subgroup_columns(a, "regoin")
    with pytest.raises(SchemaError, match="no"):
        seg.subgroup_columns(None, "region")
    v = pd.DataFrame({"customer_id": ["1", "2", "3", "4"], "revenue": [1.0, 2.0, 3.0, 4.0]})
    joined = seg.with_attributes(v, a, columns=["region", "score"])
    assert joined["region"].tolist() == ["N", "S", "unknown", "unknown"]
    assert joined["score"].tolist() == ["4", "unknown", "5", "unknown"]
