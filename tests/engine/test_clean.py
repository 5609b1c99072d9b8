import ibis
import pandas as pd

from retainkit.engine import execute
from retainkit.engine._clean import _blank_row


def test_a_row_is_blank_when_every_field_is_missing_or_blank_text():
    frame = pd.DataFrame(
        {
            "name": [" \u00a0\t", "\u200b", "a", None, "", "\u200bb "],
            "amount": [None, None, None, 2.5, None, None],
            "day": pd.to_datetime([None, None, None, None, "2024-01-02", None]),
        }
    )
    table = ibis.memtable(frame)
    got = execute(table.select(blank=_blank_row(table)))["blank"].tolist()
    # by hand: rows 0 and 1 hold only space or invisible characters and missing values;
    # row 2 has text, row 3 an amount, row 4 a date, row 5 a letter among invisible ones
    assert got == [True, True, False, False, False, False]
