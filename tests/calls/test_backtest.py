"""The backtest on six customers whose future is written out by hand.

Today's review 2024-12-31, days=90: the past review is 2024-10-02. Windows hold the days
after their start: before = 2024-07-05..10-02, after = 2024-10-03..12-31; the year up to
the past review = 2023-10-04..2024-10-02 (the active customers).

    customer  history (to 10-02)                 after 10-02          before  after  decline
    a         05-10 06-09 07-09 08-08 09-07, 100  nothing              300     0      300  stopped
    b         07-01 08-01 09-01 10-01, 50         10-31 11-30 12-30    150     150    0
    c         2024-01-15, 1000 (once)             nothing              0       0      0    stopped
    d         08-20 400, 09-20 400                11-15 100            800     100    700
    e         09-10 09-15 09-20 09-25, 20         nothing              80      0      80   stopped
    f         2024-03-01, 50 (once)               10-15 300, 11-20 300 0       600    0
    g         2023-06-01, 70: not active (more than a year before the past review)

Total decline of the 6 active customers: 300 + 700 + 80 = 1080.

At the past review: value of the year a 500, b 200, c 1000, d 800, e 80, f 50; days silent
a 25, b 1, c 261, d 12, e 7, f 215; own median gaps a 30, b 31 (31, 31, 30), d 31, e 5,
none for c and f. Typical gap = median(30, 31, 31, 5) = (30 + 31) / 2 = 30.5.
"""

import pandas as pd
import pytest

from retainkit.calls import backtest_call_list, customer_risk, rank_calls, typical_gap_days
from retainkit.calls.backtest import _naive_lists

AS_OF = "2024-12-31"
REVIEW = pd.Timestamp("2024-10-02")
DECLINE = {"a": 300.0, "b": 0.0, "c": 0.0, "d": 700.0, "e": 80.0, "f": 0.0}
STOPPED = {"a": True, "b": False, "c": True, "d": False, "e": True, "f": False}


def _frame():
    rows = {
        "a": [(d, 100) for d in ["2024-05-10", "2024-06-09", "2024-07-09", "2024-08-08"]]
        + [("2024-09-07", 100)],
        "b": [(d, 50) for d in ["2024-07-01", "2024-08-01", "2024-09-01", "2024-10-01"]]
        + [(d, 50) for d in ["2024-10-31", "2024-11-30", "2024-12-30"]],
        "c": [("2024-01-15", 1000)],
        "d": [("2024-08-20", 400), ("2024-09-20", 400), ("2024-11-15", 100)],
        "e": [(d, 20) for d in ["2024-09-10", "2024-09-15", "2024-09-20", "2024-09-25"]],
        "f": [("2024-03-01", 50), ("2024-10-15", 300), ("2024-11-20", 300)],
        "g": [("2023-06-01", 70)],
    }
    return pd.DataFrame(
        [(c, pd.Timestamp(d), float(v)) for c, lines in rows.items() for d, v in lines],
        columns=["customer_id", "order_date", "revenue"],
    )


@pytest.fixture(scope="module")
def backtest():
    return backtest_call_list(_frame(), as_of=AS_OF, days=90, size=2)


def _row(backtest, name):
    table = backtest.table.set_index("list")
    return table.loc[name]


def test_backtest_review_date_and_totals(backtest):
    assert backtest.review_date == REVIEW
    assert backtest.days == 90
    assert backtest.active == 6  # a..f; g bought more than a year before
    assert backtest.total_decline == pytest.approx(1080.0)
    assert backtest.unit == "money"
    assert backtest.note.startswith("Lists of 2 built on 2024-10-02")


def test_backtest_lists_in_order(backtest):
    assert backtest.table["list"].tolist() == [
        "the call list",
        "top value",
        "value among the silent",
        "value x overdue",
    ]
    assert backtest.table["customers"].tolist() == [2, 2, 2, 2]


def test_naive_lists_by_hand():
    # top value: c 1000, d 800
    # silent (>= 30.5 days): c 261, f 215 -> c 1000, f 50
    # value x overdue: a 500 x 25/30 = 416.7, b 200 x 1/31 = 6.5, c 1000 x 261/30.5 = 8557,
    #   d 800 x 12/31 = 309.7, e 80 x 7/5 = 112, f 50 x 215/30.5 = 352.5 -> c, a
    risk = customer_risk(_frame(), as_of=REVIEW, horizon_days=180)
    lists = _naive_lists(risk, size=2, typical_gap=30.5)
    assert lists == {
        "top value": ["c", "d"],
        "value among the silent": ["c", "f"],
        "value x overdue": ["c", "a"],
    }


def test_typical_gap_is_the_median_of_median_gaps():
    from retainkit import engine

    gaps = engine.gap_statistics(_frame(), as_of=REVIEW)
    assert gaps.set_index("customer_id")["median_gap_days"].to_dict() == {
        "a": 30.0,
        "b": 31.0,
        "d": 31.0,
        "e": 5.0,
    }
    assert typical_gap_days(gaps) == 30.5


def test_top_value_list(backtest):
    # c, d: stopped c; decline 0 + 700 = 700, share 700/1080 = .648148
    row = _row(backtest, "top value")
    assert (row["customers"], row["stopped"]) == (2, 1)
    assert row["stopped_share"] == 0.5
    assert row["revenue_decline"] == pytest.approx(700.0)
    assert row["share_of_decline"] == pytest.approx(700 / 1080)


def test_value_among_the_silent_list(backtest):
    # c, f: stopped c; decline 0 + 0 = 0
    row = _row(backtest, "value among the silent")
    assert (row["customers"], row["stopped"]) == (2, 1)
    assert row["revenue_decline"] == 0.0
    assert row["share_of_decline"] == 0.0


def test_value_x_overdue_list(backtest):
    # c, a: both stopped; decline 0 + 300 = 300, share 300/1080 = .277778
    row = _row(backtest, "value x overdue")
    assert (row["customers"], row["stopped"]) == (2, 2)
    assert row["stopped_share"] == 1.0
    assert row["revenue_decline"] == pytest.approx(300.0)
    assert row["share_of_decline"] == pytest.approx(300 / 1080)


def test_the_call_list_is_scored_on_its_own_members(backtest):
    members = rank_calls(customer_risk(_frame(), as_of=REVIEW, horizon_days=180), size=2)
    ids = members["customer_id"].tolist()
    assert len(ids) == 2
    row = _row(backtest, "the call list")
    assert row["customers"] == 2
    assert row["revenue_decline"] == pytest.approx(sum(DECLINE[i] for i in ids))
    assert row["stopped"] == sum(STOPPED[i] for i in ids)
    assert row["share_of_decline"] == pytest.approx(sum(DECLINE[i] for i in ids) / 1080)


def test_caught_and_best_naive(backtest):
    members = rank_calls(customer_risk(_frame(), as_of=REVIEW, horizon_days=180), size=2)
    assert backtest.caught == pytest.approx(sum(DECLINE[i] for i in members["customer_id"]))
    # naive declines 700, 0, 300: top value is best
    assert backtest.best_naive == ("top value", pytest.approx(700.0))


def test_backtest_does_not_see_the_future():
    # the list at 10-02 is the same whatever happens after it
    frame = _frame()
    past = frame[frame["order_date"] <= REVIEW]
    risk_all = customer_risk(frame, as_of=REVIEW, horizon_days=180)
    risk_past = customer_risk(past, as_of=REVIEW, horizon_days=180)
    assert risk_all["customer_id"].tolist() == risk_past["customer_id"].tolist()
    pd.testing.assert_series_equal(risk_all["value_at_risk"], risk_past["value_at_risk"])


def test_backtest_without_revenue_counts_purchase_days():
    # purchase days before/after: a 3/0, b 3/3, c 0/0, d 2/1, e 4/0, f 0/2
    # declines a 3, d 1, e 4: total 8; top value by purchase days of the year:
    #   a 5, b 4, e 4, d 2, c 1, f 1 -> a, b (tie b/e by id): 3 + 0 = 3
    bt = backtest_call_list(_frame().drop(columns="revenue"), as_of=AS_OF, days=90, size=2)
    assert bt.unit == "purchase days"
    assert bt.total_decline == 8.0
    assert _row(bt, "top value")["revenue_decline"] == 3.0


def test_too_little_history_gives_no_table():
    # days=500: past review 2024-12-31 - 500 days = 2023-08-19, 79 days after the first
    # order (2023-06-01): under the 90 days needed
    bt = backtest_call_list(_frame(), as_of=AS_OF, days=500, size=2)
    assert bt.table is None
    assert bt.review_date == pd.Timestamp("2023-08-19")
    assert bt.caught is None and bt.best_naive is None
    assert bt.active == 0 and bt.total_decline == 0.0
    assert bt.note.startswith("No backtest: on 2023-08-19, 500 days before the review date")
    assert "held 79 days of history" in bt.note and "it needs 90" in bt.note


def test_reusing_todays_purchase_model_gives_the_same_backtest(monkeypatch):
    import retainkit as rk
    from retainkit.calls import fit_purchase_model
    from retainkit.calls import risk as risk_module

    txn = rk.load_transactions("cdnow_sample")
    # today's model compares fits on the history to 1998-06-30 - 180 days = 1998-01-01, the
    # backtest's review date: the backtest takes its model from there
    today = fit_purchase_model(txn, as_of="1998-06-30", holdout_days=180)
    fitted = []
    real = risk_module.fit_or_explain
    monkeypatch.setattr(
        risk_module, "fit_or_explain", lambda *a, **k: fitted.append(a[0]) or real(*a, **k)
    )
    kwargs = {"as_of": "1998-06-30", "days": 180, "size": 20, "horizon_days": 180}
    reused = backtest_call_list(txn, reuse=today, **kwargs)
    assert fitted == []
    alone = backtest_call_list(txn, **kwargs)
    assert len(fitted) == 1
    pd.testing.assert_frame_equal(reused.table, alone.table)
    assert reused.note == alone.note
