import pandas as pd

from retainkit.clv._summary_checks import summary_time_unit, validate_summary


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
