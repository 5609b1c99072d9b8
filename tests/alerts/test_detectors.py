"""The rule detectors: hand-checked cases, and the planted patterns of the demo shop."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import alerts as a
from tests.alerts.conftest import _orders
from tests.conftest import DATA


def test_falling_order_value_needs_orders_in_both_windows():
    frame = pd.concat(
        [
            _orders(
                "a",
                ["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01"],
                [100.0, 100.0, 40.0, 60.0],
            ),  # 100 -> 50: down 50%
            _orders("b", ["2024-08-01", "2024-11-01"], [100.0, 10.0]),  # one order per window
            _orders(
                "c",
                ["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01"],
                [100.0, 100.0, 80.0, 90.0],
            ),  # down 15%
        ]
    )
    out = a.falling_order_value(frame, as_of="2024-12-31", min_orders=2, min_drop=0.35)
    assert out["customer_id"].tolist() == ["a"]
    assert out["change"].iloc[0] == pytest.approx(-0.5)
    assert "down 50%" in out["warning"].iloc[0]


def test_overdue_regulars_by_hand():
    steady = _orders("a", pd.date_range("2024-01-01", periods=8, freq="30D"), 10.0)
    erratic = _orders(
        "b",
        [
            "2024-01-01",
            "2024-01-03",
            "2024-03-20",
            "2024-03-22",
            "2024-06-01",
            "2024-06-02",
            "2024-07-20",
            "2024-07-28",
        ],
        10.0,
    )
    frame = pd.concat([steady, erratic])
    out = a.overdue_regulars(frame, as_of="2024-11-30")
    # a: gaps all 30 days, last 2024-07-29, 124 days silent = 4.1 gaps; b is not regular
    assert out["customer_id"].tolist() == ["a"]
    assert out["overdue_ratio"].iloc[0] == pytest.approx(124 / 30)
    assert a.overdue_regulars(frame, as_of="2024-11-30", max_silence_days=100).empty


def test_dropped_categories_by_hand():
    months = pd.date_range("2024-01-01", periods=12, freq="MS") + pd.Timedelta(days=14)
    tea_then_coffee = _orders("a", months, 5.0, ["Tea"] * 9 + ["Coffee"] * 3)
    gone = _orders("b", months[:9], 5.0, "Tea")  # stopped everything: not one range
    frame = pd.concat([tea_then_coffee, gone])
    out = a.dropped_categories(frame, as_of="2024-12-31", min_months=5, of_months=6)
    assert out[["customer_id", "category", "habit_months"]].values.tolist() == [["a", "Tea", 6]]
    both = a.dropped_categories(frame, as_of="2024-12-31", still_buying=False)
    assert both["customer_id"].tolist() == ["a", "b"]


def test_dropped_categories_equal_the_month_table_counted_in_pandas():
    # the flags counted from category_month_activity's rows, as the detector once did
    tx = rk.load_dataset("demo").transactions
    as_of = pd.Timestamp("2024-10-31")
    months = rk.engine.category_month_activity(tx, as_of=as_of)
    quiet = months["month_start"] >= pd.Timestamp("2024-08-01")  # Aug, Sep, Oct
    habit = (months["month_start"] >= pd.Timestamp("2024-02-01")) & ~quiet  # Feb-Jul
    keys = ["customer_id", "category"]
    counts = months[habit].groupby(keys).size()
    flagged = set(counts[counts >= 5].index) - set(months[quiet].groupby(keys).size().index)
    active = set(months.loc[quiet, "customer_id"])
    expected = sorted(k for k in flagged if k[0] in active)
    out = a.dropped_categories(tx, as_of=as_of, min_months=5, of_months=6, quiet_months=3)
    assert len(expected) > 10
    assert list(zip(out["customer_id"], out["category"], strict=True)) == expected
    last = months.groupby(keys)["month_start"].max()
    assert out["last_month"].tolist() == [last[k] for k in expected]


@pytest.fixture(scope="module")
def demo_review():
    ds = rk.load_dataset("demo")
    return a.monthly_review(ds.transactions), pd.read_csv(DATA / "demo_shop" / "truth.csv")


@pytest.mark.parametrize(
    ("detector", "pattern"),
    [(a.FALLING, "falling_order_value"), (a.OVERDUE, "dried_up"), (a.DROPPED, "dropped_category")],
)
def test_planted_patterns_found_with_recall_and_precision(demo_review, detector, pattern):
    review, truth = demo_review
    planted = set(truth.loc[truth["pattern"] == pattern, "customer_id"])
    flagged = set(review.detectors[detector]["customer_id"])
    recall = len(flagged & planted) / len(planted)
    precision = len(flagged & planted) / len(flagged)
    assert recall >= 0.9, (detector, recall)
    assert precision >= 0.8, (detector, precision)


def test_planted_ranges_are_the_ranges_flagged(demo_review):
    review, truth = demo_review
    planted = truth.loc[truth["pattern"] == "dropped_category", ["customer_id", "planted_category"]]
    flagged = review.detectors[a.DROPPED].merge(planted, on="customer_id")
    assert (flagged["category"] == flagged["planted_category"]).mean() >= 0.95
