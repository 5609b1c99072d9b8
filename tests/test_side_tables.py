import pytest

import retainkit as rk
from retainkit.exceptions import DataValidationError


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_customers_and_reasons_side_tables(tmp_path):
    cust = _write(tmp_path, "c.csv", "CustomerID,region\n17850.0,North\n12583,South\n")
    got = rk.load_customers(cust)
    assert got["customer_id"].tolist() == ["17850", "12583"]
    dup = _write(tmp_path, "d.csv", "customer_id,region\n1,N\n1,S\n")
    with pytest.raises(DataValidationError, match=r"unique.*'1'"):
        rk.load_customers(dup)
    reasons = _write(tmp_path, "r.csv", "customer_id,reason\n1,Price\n2,\n")
    got = rk.load_churn_reasons(reasons)
    assert got["reason"].tolist() == ["Price", "not stated"]
    assert got.attrs["blank_reasons"] == 1
