"""The call list's section in words: backtest verdicts, last month's review, the saved sheet."""

import re

import pandas as pd
import pytest

from retainkit.calls import CallListBacktest, read_previous_calls
from retainkit.sections import backtest_story, backtest_table, previous_review, save_call_sheet

LISTS = ["the call list", "top value", "value among the silent", "value x overdue"]


def _backtest(declines, *, unit="money", table=True):
    frame = pd.DataFrame(
        {
            "list": LISTS,
            "customers": 2,
            "stopped": [1, 0, 1, 2],
            "stopped_share": [0.5, 0.0, 0.5, 1.0],
            "revenue_decline": declines,
            "share_of_decline": [d / 1000 for d in declines],
        }
    )
    return CallListBacktest(
        pd.Timestamp("2024-06-01"), 180, frame if table else None, 40, 1000.0, unit, "why not"
    )


def test_story_when_the_list_beats_the_best_naive_list():
    # best naive: top value 200; 300 / 200 = 1.5
    text = backtest_story(_backtest([300.0, 200.0, 100.0, 50.0])).data
    assert text.startswith("Had this review run on 2024-06-01, 180 days ago, its 2 customers")
    assert "**1** of them then bought nothing at all" in text
    assert "their revenue fell by **300** in the 180 days after" in text
    assert "(30.0% of the decline of all 40 active customers)" in text
    assert "That is 1.5 times the best list that needs no model (top value, 200)" in text
    assert "the list is worth the calls" in text


def test_story_when_equal_to_the_best_counts_as_worth_it():
    # 250 / 250 = 1.0: ratio >= 1
    text = backtest_story(_backtest([250.0, 100.0, 250.0, 50.0])).data
    assert "That is 1.0 times the best list that needs no model (value among the silent, 250)" in (
        text
    )


def test_story_when_a_naive_list_does_better():
    # best naive: value x overdue 400 > the list's 100
    text = backtest_story(_backtest([100.0, 200.0, 0.0, 400.0])).data
    assert "That is less than the best list that needs no model (value x overdue, 400)" in text
    assert "horizon and the model note above before relying on it" in text


def test_story_when_the_list_caught_nothing():
    text = backtest_story(_backtest([0.0, 200.0, 0.0, 50.0])).data
    assert "None of them spent less afterwards" in text
    assert "times the best list" not in text


def test_story_in_purchase_days():
    text = backtest_story(_backtest([30.0, 20.0, 10.0, 5.0], unit="purchase days")).data
    assert "their purchase days fell by **30 purchase days**" in text
    assert "(top value, 20 purchase days)" in text


def test_story_currency_is_kept_from_formulas():
    text = backtest_story(_backtest([300.0, 200.0, 100.0, 50.0]), currency="$").data
    assert "fell by **<span>&#36;</span>300**" in text


def test_story_without_a_backtest_is_the_note():
    assert backtest_story(_backtest([0.0] * 4, table=False)).data == "why not"
    assert backtest_table(_backtest([0.0] * 4, table=False)).data == "why not"


def test_story_when_no_naive_list_caught_anything():
    text = backtest_story(_backtest([300.0, 0.0, 0.0, 0.0])).data
    assert "inf" not in text


# --- previous_review --------------------------------------------------------------------------


@pytest.mark.parametrize("previous", ["", None])
def test_previous_review_without_a_previous_list(previous):
    shown = previous_review(previous, pd.DataFrame(), None)
    assert len(shown) == 1
    assert shown[0].data.startswith("No previous review was given: pass last month's run folder")


# The same hand example as tests/calls/test_history.py: 1 new (n1), 1 still (p2), 3 came back
# (p1, p6, p7), 2 lost (p3, p5), 1 off (p4); called p1, p2, p5, p7 (4): reached p1, p7 (2),
# came back p1, p7 (2, 50.0%); not called p3, p4, p6 (3): came back p6 (33.3%).
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


def test_previous_review_story_counts(tmp_path):
    (tmp_path / "call_list.csv").write_text(PREVIOUS_CSV, encoding="utf-8")
    shown = previous_review(tmp_path, CURRENT, _transactions(), as_of="2024-12-31", risk=RISK)
    assert len(shown) == 3
    text = shown[0].data
    assert text.startswith("Compared with the review of 2024-11-30 (`call_list.csv`, read only)")
    assert (
        "**1** customers are new on the list, 1 are still on it, **3** came back (bought "
        "since), 2 were lost since and 1 are no longer among the most at risk." in text
    )
    assert (
        "Of the 4 called, 2 were reached and 2 came back (50.0%), against 33.3% of the 3 on "
        "the list who were not called." in text
    )


def test_previous_review_when_nobody_was_called(tmp_path):
    lines = PREVIOUS_CSV.splitlines()
    header, rows = lines[0], [line.split(",") for line in lines[1:]]
    blank = [",".join([*r[:4], "", "", ""]) for r in rows]
    (tmp_path / "call_list.csv").write_text("\n".join([header, *blank]) + "\n", encoding="utf-8")
    shown = previous_review(tmp_path, CURRENT, _transactions(), as_of="2024-12-31", risk=RISK)
    assert "Nobody is marked as called in that file" in shown[0].data


def test_previous_review_leaves_the_previous_file_unchanged(tmp_path):
    path = tmp_path / "call_list.csv"
    path.write_text(PREVIOUS_CSV, encoding="utf-8")
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    previous_review(path, CURRENT, _transactions(), as_of="2024-12-31", risk=RISK)
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == ["call_list.csv"]


# --- save_call_sheet --------------------------------------------------------------------------


def _sheet():
    return pd.DataFrame(
        {
            "rank": [1, 2, 1],
            "customer_id": ["a", "b", "a"],
            "group": ["slipping", "slipping", "win-back"],
            "review_date": "2024-11-30",
            "called": "",
            "outcome": "",
            "note": "",
        }
    )


def test_save_call_sheet_writes_csv_and_excel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = save_call_sheet(_sheet(), "call_list")[0].data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call_list.csv", "call_list.xlsx"]
    # 3 lines, 2 distinct customers
    assert text.startswith("The full call list (3 lines, 2 customers to keep and to win back)")
    assert "saved as [`call_list.csv`](call_list.csv) and [`call_list.xlsx`](call_list.xlsx)" in (
        text
    )
    back = read_previous_calls(tmp_path / "call_list.csv")
    assert back["customer_id"].tolist() == ["a", "b", "a"]
    assert back.attrs["review_date"] == pd.Timestamp("2024-11-30")
    excel = pd.read_excel(tmp_path / "call_list.xlsx", dtype=str, engine="openpyxl")
    assert excel["customer_id"].tolist() == ["a", "b", "a"]


def test_save_call_sheet_shows_the_whole_sheet_as_a_sortable_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = _sheet().assign(
        value_at_risk=[12.5, 1234.5, float("nan")],
        p_alive=[0.5, 0.25, 0.05],
        last_purchase=pd.to_datetime(["2024-10-01", "2024-09-15", "2024-01-02"]),
    )
    (tmp_path / "calls").mkdir()
    page = save_call_sheet(sheet, "calls/list", currency="$")[1].data
    assert page.startswith("<table class='rk-sortable'>")
    assert "<a href='calls/list.csv' download>" in page
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert heads == [
        "Group",
        "Rank",
        "Customer",
        "Value at risk",
        "P(still buying)",
        "Last purchase",
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", page)[1:]
    assert len(rows) == 3  # every line, not the first rows only
    keys = [re.findall(r"data-sort='([^']*)'", r) for r in rows]
    # the raw values are the sort keys; what people read is formatted
    assert keys[1] == ["slipping", "2", "b", "1234.5", "0.25", "2024-09-15"]
    assert keys[2][3] == ""  # missing: sorted last by the page
    assert "<span>&#36;</span>1,234" in rows[1] and ">25.0%<" in rows[1]


def test_save_call_sheet_replaces_last_run_s_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "call_list.csv").write_text("old")
    save_call_sheet(_sheet(), "call_list")
    assert read_previous_calls(tmp_path / "call_list.csv")["rank"].tolist() == ["1", "2", "1"]


def test_save_call_sheet_with_no_name_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parts = save_call_sheet(_sheet(), "")
    assert [p.data for p in parts] == ["No call list file was written (`call_list_file` is empty)."]
    assert list(tmp_path.iterdir()) == []
