"""Customer ids and text columns as engine expressions (retainkit/engine/_ids.py).

The plain-value shortcut must never change a value: every id and label is written as the
full chain of rewrites would write it, and as the pandas rules for side tables do.
"""

import re

import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from retainkit import schema as S
from retainkit.engine import _ids
from retainkit.engine._backend import execute

# pieces that each rewrite acts on: spaces and invisible characters, Excel formulas,
# missing tokens, float-written ids, e-mail addresses, guest and totals words
PIECES = [
    "a", "Z", "0", "7", "12", "-", "_", "#", ":", "/", ".", "+", "@", "=", '"', " ",
    "\u00a0", "\u200b", "\ufeff", "\t", "na", "N/A", "nan", "None", "NULL", "nat", "#n/a",
    ".0", "x.com", "Guest", "walk-in", "Total", "é", "ß",
]  # fmt: skip

TRICKY = [
    "C687551", "17850", "17850.0", " 17850 ", "+17850.00", "-1", "0", "000", "na", "NA",
    "n/a", "#N/A", "-", "", " ", "\u200b", "nat", "None", "null", '="00123"', "A-1",
    "Ann@Shop.COM", "ann@shop.com ", "12.5", "1.0e+5", "Guest", "guest checkout",
    "Walk-in Customer", "walkin", "Cliente Final", "Grand Total", "Summe", "Home Garden",
    "Home  Garden", "Home & Garden", "ab", "abcd", "abcde", "#n/a1", "O0", "x" * 40,
    "\u00a0C1", "C1\ufeff", "C\u200b1", "ÉCOLE", "12:30", "a/b/c", None,
]  # fmt: skip


def _frame(values):
    return ibis.memtable(pd.DataFrame({"v": pd.Series(values, dtype=object)}))


def _both(values, fast, full):
    t = _frame(values)
    got = execute(t.select(fast=fast(t.v), full=full(t.v.cast("string"))))
    return got["fast"].tolist(), got["full"].tolist()


def _same(a, b):
    assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b]


def test_plain_patterns_pass_typical_ids_and_no_missing_token():
    plain_id = re.compile(_ids._PLAIN_ID)
    plain_text = re.compile(_ids._PLAIN_TEXT)
    for value in ["C687551", "17850", "cust-001", "O0", "abcde", "Home Garden"]:
        assert plain_id.search(value) and plain_text.search(value)
    for token in S.MISSING_TOKENS:
        for written in {token, token.upper(), token.title()}:
            assert not plain_id.search(written) and not plain_text.search(written)
    # rewritten by the chain, so never plain
    for value in ["17850.0", "a@b.com", " C1", "C1 ", "C\u200b1", '="1"', "a  b"]:
        assert not plain_id.search(value)


def test_customer_id_and_text_equal_the_full_rewrite_on_tricky_values():
    fast, full = _both(TRICKY, _ids.customer_id, _ids._customer_id)
    _same(fast, full)
    fast, full = _both(TRICKY, _ids.text, _ids._text)
    _same(fast, full)
    # and the pandas rules used for side tables (customer attributes, churn reasons)
    pandas_ids = S.normalize_customer_ids(pd.Series(TRICKY, dtype=object)).tolist()
    _same(_both(TRICKY, _ids.customer_id, _ids._customer_id)[0], pandas_ids)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=5).map("".join), max_size=30))
def test_customer_id_and_text_equal_the_full_rewrite_on_any_text(values):
    fast, full = _both(values, _ids.customer_id, _ids._customer_id)
    _same(fast, full)
    fast, full = _both(values, _ids.text, _ids._text)
    _same(fast, full)


def test_placeholder_and_totals_hints_in_any_letter_case():
    values = ["GUEST", "Walk-In", "Anonymous", "0", "-1", "C17", "Grand TOTAL", "Summe", "x"]
    t = _frame(values)
    got = execute(t.select(g=_ids.is_placeholder(t.v), s=_ids.is_totals_text(t.v)))
    assert got["g"].tolist() == [True, True, True, True, True, False, False, False, False]
    assert got["s"].tolist() == [False] * 6 + [True, True, False]


def test_totals_words_looked_for_in_the_value_as_read_give_the_same_flags():
    t = _frame([*TRICKY, "Grand Total", " TOTAL: ", '="Summe"', "subtotal\u200b"])
    got = execute(
        t.select(
            cleaned=_ids.is_totals_text(_ids.text(t.v)),
            read=_ids.is_totals_text(_ids.text(t.v), read=t.v),
        )
    )
    assert got["cleaned"].tolist() == got["read"].tolist()
    assert sum(got["read"]) == 6  # Grand Total twice, Summe (TRICKY), TOTAL:, ="Summe", subtotal


def test_a_totals_label_filled_from_a_fallback_column_is_still_a_totals_row():
    # customer_id is empty on the last row and filled from the e-mail column, which holds
    # the export's totals label: the words are looked for in what was filled, not in the
    # empty id column
    import retainkit as rk

    frame = pd.DataFrame(
        {
            "Customer ID": ["c1", "c2", None],
            "Customer Email": ["a@x.com", "b@x.com", "Grand Total"],
            "Date": ["2024-01-05", "2024-02-05", None],
            "Amount": [10.0, 20.0, 30.0],
        }
    )
    loaded = rk.load_transactions(
        frame,
        columns={
            "customer_id": ["Customer ID", "Customer Email"],
            "order_date": "Date",
            "revenue": "Amount",
        },
    )
    assert loaded.quality.dropped.get("totals row") == 1
    assert loaded.quality.rows_kept == 2
