"""The revenue checks on hand-sized tables: what each refuses and what it lets through."""

import ibis
import pytest

from retainkit import schema as S
from retainkit.engine._options import SourceInfo
from retainkit.engine._revenue_checks import price_as_revenue, unsigned_credits
from retainkit.exceptions import DataValidationError


def _raw(**columns):
    return ibis.memtable(columns)


def test_a_credit_note_type_beside_positive_amounts_is_refused():
    raw = _raw(Type=["Invoice", "Credit Note", "Invoice"], Amount=[100.0, 30.0, 50.0])
    with pytest.raises(DataValidationError, match=r"'Type'.*1 rows as credit notes.*negative_when"):
        unsigned_credits(raw, ["Type"], raw.Amount)


def test_credit_notes_already_negative_pass():
    raw = _raw(Type=["Invoice", "Credit Note", "Invoice"], Amount=[100.0, -30.0, 50.0])
    unsigned_credits(raw, ["Type"], raw.Amount)


def test_a_debit_credit_flag_counts_only_beside_unsigned_amounts():
    flag = ["S", "H", "S"]
    unsigned = _raw(**{"S/H": flag, "Amount": [100.0, 30.0, 50.0]})
    with pytest.raises(DataValidationError, match="debit/credit flag"):
        unsigned_credits(unsigned, ["S/H"], unsigned.Amount)
    signed = _raw(**{"S/H": flag, "Amount": [100.0, -30.0, 50.0]})
    unsigned_credits(signed, ["S/H"], signed.Amount)


def test_a_sage_type_code_sc_with_a_positive_amount_is_refused():
    raw = _raw(Type=["SI", "SC", "SI"], Net=[120.0, 20.0, 60.0])
    with pytest.raises(DataValidationError, match=r"'Type'.*SC"):
        unsigned_credits(raw, ["Type"], raw.Net)


def _typed(revenue, quantity, price):
    return ibis.memtable({S.REVENUE: revenue, S.QUANTITY: quantity, S.UNIT_PRICE: price})


MAPPING = S.ColumnMapping(source={S.REVENUE: "Amount", S.QUANTITY: "Qty", S.UNIT_PRICE: "Price"})
INFO = SourceInfo("orders.csv")


def test_revenue_equal_to_the_unit_price_on_multi_unit_lines_is_refused():
    # 3 lines of several units, revenue = price on all 3 (qty x price would be 30, 10, 10)
    typed = _typed([10.0, 5.0, 2.5, 20.0], [3.0, 2.0, 4.0, 1.0], [10.0, 5.0, 2.5, 20.0])
    with pytest.raises(DataValidationError, match=r"on 3 of the 3 lines.*'Amount'.*'Price'"):
        price_as_revenue(typed, MAPPING, INFO)


def test_line_amounts_and_few_multi_unit_lines_pass():
    lines = _typed([30.0, 10.0, 10.0, 20.0], [3.0, 2.0, 4.0, 1.0], [10.0, 5.0, 2.5, 20.0])
    price_as_revenue(lines, MAPPING, INFO)
    # two multi-unit lines are too few to judge
    few = _typed([10.0, 5.0, 20.0], [3.0, 2.0, 1.0], [10.0, 5.0, 20.0])
    price_as_revenue(few, MAPPING, INFO)
