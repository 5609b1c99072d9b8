"""Last month's call list read back (CSV and Excel, never written) and compared with today's."""

import os

import numpy as np
import pandas as pd
import pytest

from retainkit.calls import (
    call_outcomes,
    call_sheet,
    compare_calls,
    rank_calls,
    read_previous_calls,
)
from retainkit.exceptions import DataValidationError
from retainkit.io import write_table

HEADER = ["customer_id", "group", "rank", "review_date", "called", "outcome", "note"]

# id, called, outcome -> called, reached
#   "yes" "ordered" -> yes, yes;  "x" "No Answer" -> yes, no (not reached, any case)
#   "2024-12-03" "" -> yes, no (no outcome);  "" "ordered" -> no, no (not called)
#   "no", "0", "false", "N", "FALSE" -> not called
#   " Yes " " left voicemail " -> yes, no (spaces trimmed);  "Y" "call back in May" -> yes, yes
PARSING = [
    ("1", "yes", "ordered", True, True),
    ("2", "x", "No Answer", True, False),
    ("3", "2024-12-03", "", True, False),
    ("4", "", "ordered", False, False),
    ("5", "no", "", False, False),
    ("6", "0", "", False, False),
    ("7", "false", "", False, False),
    ("8", " Yes ", " left voicemail ", True, False),
    ("9", "N", "", False, False),
    ("10", "FALSE", "", False, False),
    ("11", "Y", "call back in May", True, True),
]


def _parsing_frame(review_date="2024-11-30"):
    return pd.DataFrame(
        {
            "customer_id": [row[0] for row in PARSING],
            "group": "slipping",
            "rank": [str(i + 1) for i in range(len(PARSING))],
            "review_date": review_date,
            "called": [row[1] for row in PARSING],
            "outcome": [row[2] for row in PARSING],
            "note": "",
        }
    )


def _write_csv(path, frame):
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _write_xlsx(path, frame):
    frame.to_excel(path, index=False)
    return path


@pytest.mark.parametrize("write", [_write_csv, _write_xlsx], ids=["csv", "xlsx"])
def test_called_and_reached_parsing(tmp_path, write):
    suffix = ".csv" if write is _write_csv else ".xlsx"
    path = write(tmp_path / f"call_list{suffix}", _parsing_frame())
    got = read_previous_calls(path)
    assert got["customer_id"].tolist() == [row[0] for row in PARSING]
    assert got["called"].tolist() == [row[3] for row in PARSING]
    assert got["reached"].tolist() == [row[4] for row in PARSING]
    assert got["outcome"].tolist()[7] == "left voicemail"  # trimmed
    assert (got["review_date"] == pd.Timestamp("2024-11-30")).all()
    assert got.attrs == {"path": path, "review_date": pd.Timestamp("2024-11-30")}


def test_ids_keep_leading_zeros_and_lose_the_spreadsheet_apostrophe(tmp_path):
    # write_table puts "'" before text that could run as a formula; the reader takes it off
    path = tmp_path / "call_list.csv"
    path.write_text(
        "customer_id,review_date,called\n0012,2024-11-30,yes\n'-13,2024-11-30,\n 14 ,2024-11-30,\n",
        encoding="utf-8",
    )
    got = read_previous_calls(path)
    assert got["customer_id"].tolist() == ["0012", "-13", "14"]
    # missing call columns are added empty; missing group is ""
    assert got["called"].tolist() == [True, False, False]
    assert got["outcome"].tolist() == ["", "", ""]
    assert got["note"].tolist() == ["", "", ""]
    assert got["group"].tolist() == ["", "", ""]


def test_folder_picks_the_file_changed_last(tmp_path):
    csv = _write_csv(tmp_path / "call_list.csv", _parsing_frame("2024-10-31"))
    xlsx = _write_xlsx(tmp_path / "call_list.xlsx", _parsing_frame("2024-11-30"))
    os.utime(csv, (1_700_000_000, 1_700_000_000))
    os.utime(xlsx, (1_700_000_100, 1_700_000_100))
    got = read_previous_calls(tmp_path)
    assert got.attrs["path"] == xlsx and got.attrs["review_date"] == pd.Timestamp("2024-11-30")
    os.utime(csv, (1_700_000_200, 1_700_000_200))
    got = read_previous_calls(str(tmp_path))
    assert got.attrs["path"] == csv and got.attrs["review_date"] == pd.Timestamp("2024-10-31")


def test_reading_leaves_the_file_untouched(tmp_path):
    path = _write_csv(tmp_path / "call_list.csv", _parsing_frame())
    os.utime(path, (1_700_000_000, 1_700_000_000))
    data = path.read_bytes()
    read_previous_calls(tmp_path)
    assert path.read_bytes() == data
    assert path.stat().st_mtime == 1_700_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call_list.csv"]


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(DataValidationError, match="does not exist"):
        read_previous_calls(tmp_path / "no such run")


def test_folder_without_a_call_list_is_an_error(tmp_path):
    (tmp_path / "report.html").write_text("<html/>")
    with pytest.raises(DataValidationError, match=r"holds no call_list\.csv or call_list\.xlsx"):
        read_previous_calls(tmp_path)


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "call_list.csv"
    path.write_text("customer_id,called\n1,yes\n")
    with pytest.raises(DataValidationError, match="has no column review_date"):
        read_previous_calls(path)
    path.write_text("id,date\n1,2024-11-30\n")
    with pytest.raises(DataValidationError, match="has no column customer_id, review_date"):
        read_previous_calls(path)


def test_two_review_dates_are_an_error(tmp_path):
    frame = _parsing_frame()
    frame.loc[3, "review_date"] = "2024-10-31"
    path = _write_csv(tmp_path / "call_list.csv", frame)
    with pytest.raises(DataValidationError, match=r"one review_date.*'2024-10-31', '2024-11-30'"):
        read_previous_calls(path)


def test_review_date_in_another_format_is_an_error(tmp_path):
    path = tmp_path / "call_list.csv"
    path.write_text("customer_id,review_date\n1,30/11/2024\n")
    with pytest.raises(DataValidationError, match="30/11/2024"):
        read_previous_calls(path)


def test_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / "call_list.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(DataValidationError, match="cannot read the previous call list"):
        read_previous_calls(path)


def test_truncated_excel_file_is_an_error(tmp_path):
    path = _write_xlsx(tmp_path / "call_list.xlsx", _parsing_frame())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataValidationError, match="cannot read the previous call list"):
        read_previous_calls(path)


def test_an_empty_call_list_reads_back_empty(tmp_path):
    # a month where nobody was slipping: rank_calls gives an empty list, the sheet a header
    risk = pd.DataFrame(
        {
            "customer_id": ["a"],
            "group": ["win-back"],
            "value_at_risk": [0.0],
            "p_alive": [0.01],
            "value_recent": [0.0],
            "value_year": [0.0],
            "expected_value": [0.0],
            "evidence": [""],
            "last_purchase": [pd.Timestamp("2024-01-01")],
            "days_since_last_purchase": [334],
        }
    )
    risk.attrs["as_of"] = pd.Timestamp("2024-11-30")
    path = write_table(call_sheet(rank_calls(risk)), tmp_path / "call_list.csv")
    assert path.read_text(encoding="utf-8-sig").count("\n") == 1  # the header only
    assert len(read_previous_calls(path)) == 0


# --- compare_calls and call_outcomes ---------------------------------------------------------
#
# Last review 2024-11-30, this one 2024-12-31. "Bought since" = a purchase day after 11-30 up
# to and including 12-31.
#
#   id  before       now    risk now   bought since            status
#   p1  1 slipping   -      slipping   12-10                   came back
#   p2  2 slipping   1      slipping   no (10-01)              still on the list
#   p3  3 slipping   -      win-back   no (09-01)              lost since
#   p4  4 slipping   -      slipping   no (11-30 is the day    off the list
#                                       of the review: before)
#   p5  5 slipping   -      (absent)   no (01-01)              lost since (no longer active)
#   p6  6 slipping   2      slipping   12-20                   came back (before "still")
#   p7  7 slipping   -      slipping   12-31 (the review day)  came back
#   w1  1 win-back   -      -          12-05                   left out: only slipping compared
#   n1  -            3      slipping   11-15                   new on the list
#
# Order: came back, lost since, still, off, new; then rank now, rank before (missing last).

PREVIOUS_CSV = """customer_id,group,rank,review_date,called,outcome,note
p1,slipping,1,2024-11-30,yes,ordered,
p2,slipping,2,2024-11-30,x,no answer,
p3,slipping,3,2024-11-30,,,
p4,slipping,4,2024-11-30,no,,
p5,slipping,5,2024-11-30,2024-12-03,,
p6,slipping,6,2024-11-30,0,,
p7,slipping,7,2024-11-30,Yes,Ordered again,
w1,win-back,1,2024-11-30,false,,
"""


def _transactions():
    bought = {
        "p1": ["2024-06-01", "2024-12-10"],
        "p2": ["2024-10-01"],
        "p3": ["2024-09-01"],
        "p4": ["2024-11-30"],
        "p5": ["2024-01-01"],
        "p6": ["2024-10-20", "2024-12-20"],
        "p7": ["2024-10-01", "2024-12-31"],
        "w1": ["2024-12-05"],
        "n1": ["2024-11-15"],
    }
    return pd.DataFrame(
        [(c, pd.Timestamp(d), 10.0) for c, days in bought.items() for d in days],
        columns=["customer_id", "order_date", "revenue"],
    )


@pytest.fixture
def previous(tmp_path):
    path = tmp_path / "call_list.csv"
    path.write_text(PREVIOUS_CSV, encoding="utf-8")
    return read_previous_calls(path)


CURRENT = pd.DataFrame({"rank": [1, 2, 3], "customer_id": ["p2", "p6", "n1"]})
RISK = pd.DataFrame(
    {
        "customer_id": ["p1", "p2", "p3", "p4", "p6", "p7", "n1"],
        "group": [
            "slipping",
            "slipping",
            "win-back",
            "slipping",
            "slipping",
            "slipping",
            "slipping",
        ],
    }
)


def test_compare_calls_every_status(previous):
    got = compare_calls(CURRENT, previous, _transactions(), as_of="2024-12-31", risk=RISK)
    expected = pd.DataFrame(
        {
            "customer_id": ["p6", "p1", "p7", "p3", "p5", "p2", "p4", "n1"],
            "status": ["came back"] * 3
            + ["lost since"] * 2
            + ["still on the list", "off the list", "new on the list"],
            "rank_now": [2, np.nan, np.nan, np.nan, np.nan, 1, np.nan, 3],
            "rank_before": [6, 1, 7, 3, 5, 2, 4, np.nan],
            "called": [False, True, True, False, True, True, False, False],
            "outcome": ["", "ordered", "Ordered again", "", "", "no answer", "", ""],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_compare_calls_without_risk_counts_every_silent_customer_as_lost(previous):
    # no risk frame: p4 (no purchase since, off the list) counts as lost too
    got = compare_calls(CURRENT, previous, _transactions(), as_of="2024-12-31")
    status = got.set_index("customer_id")["status"].to_dict()
    assert status == {
        "p1": "came back",
        "p2": "still on the list",
        "p3": "lost since",
        "p4": "lost since",
        "p5": "lost since",
        "p6": "came back",
        "p7": "came back",
        "n1": "new on the list",
    }


def test_compare_calls_on_the_day_of_the_previous_review_nobody_came_back(previous):
    got = compare_calls(CURRENT, previous, _transactions(), as_of="2024-11-30", risk=RISK)
    assert "came back" not in set(got["status"])
    assert got.set_index("customer_id")["status"]["p6"] == "still on the list"


def test_call_outcomes_by_hand(previous):
    comparison = compare_calls(CURRENT, previous, _transactions(), as_of="2024-12-31", risk=RISK)
    got = call_outcomes(comparison)
    # called: p1 (ordered), p2 (no answer), p5 (no outcome), p7 (Ordered again) = 4;
    #   reached p1, p7 = 2; came back p1, p7 = 2, share 2/4 = .5
    # not called: p3, p4, p6 = 3; came back p6 = 1, share 1/3; n1 is new, not counted
    expected = pd.DataFrame(
        {
            "group": ["called", "not called"],
            "customers": [4, 3],
            "reached": pd.array([2, pd.NA], dtype="Int64"),
            "came_back": [2, 1],
            "came_back_share": [0.5, 1 / 3],
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_call_outcomes_with_nobody_called():
    comparison = pd.DataFrame(
        {"status": ["came back", "off the list"], "called": [False, False], "outcome": ["", ""]}
    )
    got = call_outcomes(comparison)
    assert got["customers"].tolist() == [0, 2]
    assert np.isnan(got["came_back_share"].iloc[0])
    assert got["came_back_share"].iloc[1] == 0.5
