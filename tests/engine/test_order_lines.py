"""Lines of one order, on hand-sized tables: fields filled from the order, overlap notes."""

import ibis
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute
from retainkit.engine._order_lines import order_fields_filled, overlap_note


def test_a_line_takes_its_orders_date_and_customer_only_when_the_order_has_one():
    typed = ibis.memtable(
        pd.DataFrame(
            {
                "_order": ["o1", "o1", "o2", "o2"],
                S.CUSTOMER_ID: ["A", None, None, None],
                S.ORDER_DATE: pd.to_datetime(["2024-01-05", None, "2024-02-01", None]),
            }
        )
    )
    filled, note = order_fields_filled(typed)
    rows = execute(filled.order_by([S.ORDER_DATE, S.CUSTOMER_ID]))
    # o1's second line takes A and 5 Jan; o2 has no customer anywhere: none is invented
    assert rows[S.CUSTOMER_ID].iloc[:2].tolist() == ["A", "A"]
    assert rows[S.CUSTOMER_ID].iloc[2:].isna().all()
    assert rows[S.ORDER_DATE].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-05",
        "2024-01-05",
        "2024-02-01",
        "2024-02-01",
    ]
    assert "2 lines took the order's date" in note and "1 line took the order's customer" in note


def test_lines_of_two_files_equal_only_in_the_columns_read_are_noted():
    kept = ibis.memtable(
        {
            "_source": ["a.csv", "b.csv", "b.csv"],
            "_line_hash": [1, 2, 3],
            S.CUSTOMER_ID: ["A", "A", "B"],
            S.REVENUE: [5.0, 5.0, 4.0],
        }
    )
    note = overlap_note(kept, [S.CUSTOMER_ID, S.REVENUE])
    assert note.startswith("2 lines of different files agree in customer_id, revenue")
    same_file = kept.mutate(_source=ibis.literal("a.csv"))
    assert overlap_note(same_file, [S.CUSTOMER_ID, S.REVENUE]) is None
