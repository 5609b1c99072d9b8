"""The call list: ranking, reasons, the calls-vs-value curve and the sheet, on a hand frame."""

import numpy as np
import pandas as pd
import pytest

from retainkit.calls import CALL_COLUMNS, call_sheet, calls_curve, rank_calls, reasons_by_customer

SHOWN = [
    "rank",
    "customer_id",
    "group",
    "value_at_risk",
    "p_alive",
    "value_recent",
    "value_year",
    "expected_value",
    "evidence",
    "reasons",
    "last_purchase",
    "days_since_last_purchase",
]


@pytest.fixture
def risk():
    """Slipping b 50, a 30, e 30 (tie with a), c 10, d 0; win-back w1, w2, w3 by value_year."""
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "w1", "w2", "w3"],
            "group": ["slipping"] * 5 + ["win-back"] * 3,
            "value_at_risk": [30.0, 50.0, 10.0, 0.0, 30.0, 5.0, 80.0, 0.0],
            "p_alive": 0.5,
            "value_recent": 20.0,
            "value_year": [100.0, 10.0, 500.0, 40.0, 60.0, 300.0, 200.0, 0.0],
            "expected_value": 4.0,
            "evidence": [f"evidence {i}" for i in range(8)],
            "last_purchase": pd.Timestamp("2024-10-01"),
            "days_since_last_purchase": 60,
            "usual_gap_days": 30.0,  # not shown on the list
        }
    )
    frame.attrs = {"as_of": pd.Timestamp("2024-11-30"), "unit": "money"}
    return frame


# --- reasons_by_customer ----------------------------------------------------------------------


def test_reasons_joined_per_customer_in_detector_order():
    alerts = {
        "overdue": pd.DataFrame({"customer_id": ["a"], "warning": ["3x late"]}),
        "falling": pd.DataFrame({"customer_id": ["a", "c"], "warning": ["down 50%", "down 20%"]}),
        "quiet": pd.DataFrame({"customer_id": [], "warning": []}),
    }
    got = reasons_by_customer(alerts)
    assert got.name == "reasons"
    assert got.to_dict() == {"a": "overdue: 3x late; falling: down 50%", "c": "falling: down 20%"}


def test_reasons_ids_become_text():
    got = reasons_by_customer({"x": pd.DataFrame({"customer_id": [7], "warning": ["w"]})})
    assert got.to_dict() == {"7": "x: w"}


def test_reasons_without_flags_is_empty():
    got = reasons_by_customer({"x": pd.DataFrame({"customer_id": [], "warning": []})})
    assert len(got) == 0 and got.name == "reasons"
    assert len(reasons_by_customer({})) == 0


# --- rank_calls -------------------------------------------------------------------------------


def test_slipping_ranked_by_value_at_risk(risk):
    # b 50 > a 30 = e 30 (tie: by id) > c 10; d has 0, not above min_value 0
    out = rank_calls(risk)
    assert out["customer_id"].tolist() == ["b", "a", "e", "c"]
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert out["value_at_risk"].tolist() == [50.0, 30.0, 30.0, 10.0]
    assert set(out["group"]) == {"slipping"}


def test_win_back_ranked_by_value_year(risk):
    # w1 300 > w2 200 although w2's value at risk (80) is larger; w3 has 0
    out = rank_calls(risk, group="win-back")
    assert out["customer_id"].tolist() == ["w1", "w2"]
    assert out["value_year"].tolist() == [300.0, 200.0]


def test_size_keeps_the_first(risk):
    assert rank_calls(risk, size=2)["customer_id"].tolist() == ["b", "a"]
    assert len(rank_calls(risk, size=0)) == 4  # 0 keeps all
    assert len(rank_calls(risk, size=99)) == 4


def test_min_value_is_strict(risk):
    # above 30: only b (50); a and e (30) are not above it
    assert rank_calls(risk, min_value=30.0)["customer_id"].tolist() == ["b"]
    assert rank_calls(risk, group="win-back", min_value=250)["customer_id"].tolist() == ["w1"]


def test_unknown_group_is_an_error(risk):
    with pytest.raises(ValueError, match="group='lost'"):
        rank_calls(risk, group="lost")


def test_columns_and_empty_call_columns(risk):
    out = rank_calls(risk)
    assert out.columns.tolist() == SHOWN + list(CALL_COLUMNS)
    assert list(CALL_COLUMNS) == ["called", "outcome", "note"]
    for column in CALL_COLUMNS:
        assert out[column].tolist() == [""] * 4
    assert out["reasons"].tolist() == [""] * 4


def test_reasons_on_each_line(risk):
    reasons = pd.Series({"a": "overdue: 3x late", "c": "falling: down 20%", "zz": "not listed"})
    out = rank_calls(risk, reasons=reasons)
    # order b, a, e, c
    assert out["reasons"].tolist() == ["", "overdue: 3x late", "", "falling: down 20%"]


def test_attributes_merged_beside_each_customer(risk):
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b", "z"],
            "name": ["Ann", "Bob", "Bob again", "Zed"],
            "region": ["N", "S", "S", "E"],
        }
    )
    out = rank_calls(risk, customers=customers)
    assert out.columns.tolist() == [*SHOWN, "name", "region", *CALL_COLUMNS]
    # duplicates of a customer: the first row is kept; c and e have no attributes
    # order b, a, e, c
    assert out["name"].iloc[:2].tolist() == ["Bob", "Ann"]
    assert out["region"].iloc[:2].tolist() == ["S", "N"]
    assert out[["name", "region"]].iloc[2:].isna().all().all()
    assert out["customer_id"].tolist() == ["b", "a", "e", "c"]


def test_attrs_carried_over(risk):
    assert rank_calls(risk).attrs == {"as_of": pd.Timestamp("2024-11-30"), "unit": "money"}


def test_rank_calls_leaves_risk_unchanged(risk):
    before = risk.copy()
    rank_calls(risk, size=2)
    pd.testing.assert_frame_equal(risk, before)


# --- calls_curve ------------------------------------------------------------------------------


def test_calls_curve_by_hand(risk):
    # slipping, positive, largest first: 50, 30, 30, 10 (total 120); cumulative 50, 80, 110, 120
    # points 1 and 3 kept, 10 dropped (more than the 4 customers), 4 (the group) added
    out = calls_curve(risk, points=(1, 3, 10))
    expected = pd.DataFrame(
        {
            "calls": np.array([1, 3, 4], dtype="int64"),
            "value_at_risk": [50.0, 110.0, 120.0],
            "share": [50 / 120, 110 / 120, 1.0],
            "per_call": [50.0, 30.0, 10.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_calls_curve_always_ends_with_the_group(risk):
    # no point below 4: only the group's size; 0 is not a number of calls
    assert calls_curve(risk, points=(0, 4, 50))["calls"].tolist() == [4]
    assert calls_curve(risk, points=())["calls"].tolist() == [4]


def test_calls_curve_of_another_group(risk):
    # win-back by last year's value, as rank_calls ranks them: w1 300, w2 200 (w3 0 left
    # out); total 500
    out = calls_curve(risk, group="win-back", points=(1,))
    assert out["calls"].tolist() == [1, 2]
    assert out["value_at_risk"].tolist() == [300.0, 500.0]
    np.testing.assert_allclose(out["share"], [300 / 500, 1.0])


def test_calls_curve_of_an_empty_group(risk):
    out = calls_curve(risk[risk["group"] == "win-back"], group="slipping")
    assert out.columns.tolist() == ["calls", "value_at_risk", "share", "per_call"]
    assert len(out) == 0


# --- call_sheet -------------------------------------------------------------------------------


def test_call_sheet_stacks_the_lists_and_dates_them(risk):
    slipping = rank_calls(risk)
    win_back = rank_calls(risk, group="win-back")
    sheet = call_sheet(slipping, win_back)
    assert sheet.columns.tolist() == [*SHOWN, "review_date", *CALL_COLUMNS]
    assert sheet["customer_id"].tolist() == ["b", "a", "e", "c", "w1", "w2"]
    assert sheet["review_date"].tolist() == ["2024-11-30"] * 6
    assert sheet["rank"].tolist() == [1, 2, 3, 4, 1, 2]


def test_call_sheet_clears_filled_call_columns(risk):
    filled = rank_calls(risk, size=1).assign(called="yes", outcome="ordered", note="hi")
    sheet = call_sheet(filled)
    assert sheet[list(CALL_COLUMNS)].to_numpy().tolist() == [["", "", ""]]


def test_call_sheet_date_from_a_later_list_and_empty_lists(risk):
    first = rank_calls(risk, min_value=1e9)  # empty
    first.attrs = {}
    second = rank_calls(risk, size=1)
    sheet = call_sheet(first, second)
    assert sheet["customer_id"].tolist() == ["b"]
    assert sheet["review_date"].tolist() == ["2024-11-30"]


def test_call_sheet_without_a_date(risk):
    calls = rank_calls(risk, size=1)
    calls.attrs = {}
    assert call_sheet(calls)["review_date"].tolist() == [""]


def test_call_sheet_of_empty_lists_keeps_the_columns(risk):
    sheet = call_sheet(rank_calls(risk, min_value=1e9))
    assert len(sheet) == 0
    assert sheet.columns.tolist() == [*SHOWN, "review_date", *CALL_COLUMNS]
