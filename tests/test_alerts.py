"""Early warnings: hand-checked cases, and the planted patterns of the demo shop."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import alerts as a
from tests.conftest import DATA


def _orders(customer, dates, values, category=None):
    frame = pd.DataFrame(
        {"customer_id": customer, "order_date": pd.to_datetime(dates), "revenue": values}
    )
    if category is not None:
        frame["category"] = category
    return frame


def test_order_value_trend_welch_by_hand():
    frame = pd.concat(
        [
            _orders("a", ["2024-08-01"] * 4, [10.0, 12.0, 11.0, 9.0]),
            _orders("b", ["2024-11-01"] * 4, [5.0, 6.0, 4.0, 5.0]),
        ]
    )
    # without order ids, rows of one customer at one timestamp are one order: give ids
    frame["order_id"] = [f"o{i}" for i in range(8)]
    t = a.order_value_trend(frame, as_of="2024-12-31").iloc[0]
    assert (t["aov_previous"], t["aov_recent"]) == (10.5, 5.0)
    # Welch by hand: s1^2 = 5/3, s2^2 = 2/3, n = 4 each; t = -5.5 / sqrt((5/3 + 2/3) / 4)
    se = ((5 / 3 + 2 / 3) / 4) ** 0.5
    df = (5 / 3 / 4 + 2 / 3 / 4) ** 2 / ((5 / 3 / 4) ** 2 / 3 + (2 / 3 / 4) ** 2 / 3)
    from scipy import stats

    assert t["p_value"] == pytest.approx(2 * stats.t.sf(5.5 / se, df))
    assert t["beyond_normal_variation"] and "fell by 52.4%" in t["verdict"]


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


def test_call_list_ranks_slipping_by_value_at_risk_and_joins_warnings():
    risk = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "group": ["slipping", "slipping", "win-back", "slipping"],
            "value_at_risk": [10.0, 50.0, 90.0, 0.0],
            "p_alive": 0.5,
            "value_recent": 60.0,
            "value_year": [10.0, 50.0, 900.0, 5.0],
            "expected_value": 1.0,
            "evidence": "",
            "last_purchase": pd.Timestamp("2024-06-01"),
            "days_since_last_purchase": 30,
        }
    )
    flags = {
        "x": pd.DataFrame({"customer_id": ["a", "b"], "warning": ["w1", "w2"]}),
        "y": pd.DataFrame({"customer_id": ["b", "c"], "warning": ["w3", "w4"]}),
    }
    calls = a.call_list(risk, flags)
    # c is to win back, d has nothing at risk: b (50) then a (10)
    assert calls["customer_id"].tolist() == ["b", "a"]
    assert calls.set_index("customer_id").loc["b", "reasons"] == "x: w2; y: w3"
    assert a.call_list(risk, flags, size=1)["customer_id"].tolist() == ["b"]


def test_review_thresholds_follow_the_data_rhythm():
    # one customer buying every 91 days: typical gap g = 91
    days = pd.date_range("2023-01-01", periods=9, freq="91D")
    frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    t = a.review_thresholds(frame)
    # months = ceil(3 x 91 / 30.44) = ceil(8.97) = 9; a window of 9 months holds 9 x 30.44 / 91
    # = 3.0 gaps (< 6): min_orders 2; min_purchases = round(365 / 91) = 4
    assert (t["months"], t["min_orders"], t["min_purchases"]) == (9, 2, 4)
    # quiet = ceil(2 x 91 / 30.44) = ceil(5.98) = 6; habit = 2 x 6 = 12;
    # min_months = round(0.8 x 12 x 30.44 / 91) = round(3.21) = 3
    assert (t["quiet_months"], t["of_months"], t["min_months"]) == (6, 12, 3)
    # monthly buyers (g = 30): 3-month windows and 8 purchase days for a regular, as before;
    monthly = pd.DataFrame(
        {"customer_id": "m", "order_date": pd.date_range("2023-01-01", periods=20, freq="30D")}
    )
    m = a.review_thresholds(monthly)
    assert (m["months"], m["min_orders"], m["min_purchases"]) == (3, 2, 8)
    # min_orders 2, since 3 months hold 3 x 30.44 / 30 = 3.04 gaps, fewer than 6; a given
    # threshold is kept
    assert a.review_thresholds(monthly, min_orders=3, months=5)["min_orders"] == 3


def test_infrequent_buyers_get_a_call_list_and_rules_that_fire():
    # a few orders a year: purchase rate Gamma(0.8, 20) per week, about 2 a year
    shop = rk.simulate_shop(
        n_customers=800,
        alpha=20.0,
        n_falling_order_value=0,
        n_dried_up=0,
        n_dropped_category=0,
        seed=3,
    )
    txn = rk.load_transactions(shop.transactions)
    thresholds = a.review_thresholds(txn)
    assert thresholds["months"] > 3 and thresholds["min_orders"] == 2
    review = a.monthly_review(txn, call_list_size=20, churn_days=365, **thresholds)
    assert len(review.calls) == 20
    assert (review.calls["value_at_risk"] > 0).all()


def test_review_skips_what_the_data_cannot_support():
    frame = _orders("a", ["2024-01-01"], 1.0).drop(columns="revenue")
    review = a.monthly_review(frame)
    assert review.trend is None
    assert set(review.skipped) == {a.FALLING, a.DROPPED}


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


def test_review_story_tells_quiet_from_slower_customers():
    # a bought on 1 Aug, 1 Sep, 1 Nov, 1 Dec: gaps 31, 61, 30, usual (median) 31 days; on
    # 31 Dec, 30 days since: not yet quiet, still buying
    frame = _orders("a", ["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01"], 50.0)
    review = a.monthly_review(frame, as_of="2024-12-31", min_orders=2)
    text = a.review_story(review).data
    assert "Of them, 0 have gone quiet for at least their usual gap; 1 is still buying" in text
    assert "knows no seasons" in text
