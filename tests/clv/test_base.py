import numpy as np
import pandas as pd

from retainkit.clv._base import compress, summary_time_unit, validate_summary


def test_compress_groups_identical_rows():
    x = np.array([0, 1, 1, 0, 1])
    t = np.array([5.0, 2.0, 2.0, 5.0, 3.0])
    c = compress([x, t])
    got = sorted(zip(*[v.tolist() for v in c.unique_rows], c.weights.tolist(), strict=True))
    # (0, 5) twice, (1, 2) twice, (1, 3) once
    assert got == [(0.0, 5.0, 2.0), (1.0, 2.0, 2.0), (1.0, 3.0, 1.0)]


def test_unsorted_ids_are_still_checked_for_repeats():
    frame = pd.DataFrame({"customer_id": ["b", "a", "b"], "frequency": [1, 2, 3]})
    import pytest

    from retainkit.exceptions import DataValidationError

    with pytest.raises(DataValidationError, match="b"):
        validate_summary(frame, ["frequency"], model="m")
    assert len(validate_summary(frame.iloc[:2], ["frequency"], model="m")) == 2


def test_time_unit_from_attrs_or_default():
    frame = pd.DataFrame({"T": [1.0]})
    assert summary_time_unit(frame) == "weeks"
    frame.attrs["time_unit"] = "days"
    assert summary_time_unit(frame) == "days"
