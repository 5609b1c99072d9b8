import pandas as pd
import pytest

from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError


def test_synonyms_found_and_marked_as_guessed():
    m = S.resolve_columns(["CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "InvoiceNo"])
    assert m.source == {
        "customer_id": "CustomerID",
        "order_date": "InvoiceDate",
        "order_id": "InvoiceNo",
        "quantity": "Quantity",
        "unit_price": "UnitPrice",
    }
    assert set(m.guessed) == set(m.source)
    described = m.describe()
    assert described["matched_by"].unique().tolist() == ["synonym"]


def test_mapping_wins_over_synonym_and_canonical_names_count_as_same_name():
    m = S.resolve_columns(["cust", "date", "revenue"], {"customer_id": "cust"})
    assert m.source == {"customer_id": "cust", "order_date": "date", "revenue": "revenue"}
    assert m.describe().set_index("column")["matched_by"].to_dict() == {
        "customer_id": "mapping",
        "order_date": "synonym",
        "revenue": "same name",
    }


def test_missing_required_column_suggests_closest_and_fix():
    with pytest.raises(SchemaError, match="order_date") as err:
        S.resolve_columns(["cust_id", "ordr_dte", "amount"])
    assert "ordr_dte" in str(err.value)
    assert "columns={'order_date': 'ordr_dte'}" in str(err.value)


def test_wrong_mapping_names_the_missing_column_and_the_closest():
    with pytest.raises(SchemaError, match="'Cust No'") as err:
        S.resolve_columns(["Cust_No", "Date", "Amount"], {"customer_id": "Cust No"})
    assert "closest: 'Cust_No'" in str(err.value)


def test_unknown_canonical_name_in_mapping():
    with pytest.raises(SchemaError, match=r"custid.*did you mean 'customer_id'"):
        S.resolve_columns(["a", "b"], {"custid": "a", "order_date": "b"})


def test_two_canonical_names_on_one_column_is_an_error():
    with pytest.raises(SchemaError, match="same column 'x'"):
        S.resolve_columns(["x", "d"], {"customer_id": "x", "order_id": "x", "order_date": "d"})


def test_all_problems_reported_at_once():
    with pytest.raises(SchemaError) as err:
        S.resolve_columns(["a"], {"customer_id": "nope", "revenu": "a"})
    text = str(err.value)
    assert "'nope'" in text and "'revenu'" in text and "order_date" in text


def test_ambiguous_synonyms_for_a_required_column():
    with pytest.raises(SchemaError, match="several columns could be 'order_date'"):
        S.resolve_columns(["customer_id", "Date", "Order Date"])


def test_normalize_customer_ids():
    got = S.normalize_customer_ids(pd.Series([17850.0, "17850", " 17850 ", "A-1", None, "nan"]))
    assert got.tolist() == ["17850", "17850", "17850", "A-1", None, None]


def test_validate_transactions_messages():
    ok = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    S.validate_transactions(ok)
    with pytest.raises(SchemaError, match="Rename 'date' to 'order_date'"):
        S.validate_transactions(pd.DataFrame({"customer_id": ["a"], "date": [1]}))
    with pytest.raises(SchemaError, match="must hold dates"):
        S.validate_transactions(pd.DataFrame({"customer_id": ["a"], "order_date": ["x"]}))
    bad = ok.assign(revenue=[float("inf")])
    with pytest.raises(DataValidationError, match="rows 0"):
        S.validate_transactions(bad)
    missing = pd.concat([ok, ok.assign(customer_id=[None])], ignore_index=True)
    with pytest.raises(DataValidationError, match="'customer_id' is missing on 1 rows"):
        S.validate_transactions(missing)
