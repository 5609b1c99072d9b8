import numpy as np
import pandas as pd
import pytest

from retainkit.engine import (
    category_values,
    customer_values,
    lifecycle_counts,
    purchase_journeys,
)


def test_customer_values_by_hand(tiny):
    v = customer_values(tiny, as_of="2024-02-10")
    # a: purchases on 01-01 (10 + 5) and 01-15 (20), a return of -5 on 01-20
    #    -> net 30, sales 35, returns 5, 2 purchase days, 2 orders, 4 lines, 1 return line,
    #    last purchase 01-15 -> 26 days before 02-10
    # b: one purchase of 7 on 01-08 -> 33 days
    # c: two orders on 02-01 (30 + 12) -> one purchase day, two orders, 9 days
    expected = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01"]),
            "last_purchase": pd.to_datetime(["2024-01-15", "2024-01-08", "2024-02-01"]),
            "purchase_days": [2, 1, 1],
            "orders": [2, 1, 2],
            "days_since_last_purchase": [26.0, 33.0, 9.0],
            "lines": [4, 1, 2],
            "return_lines": [1, 0, 0],
            "revenue": [30.0, 7.0, 42.0],
            "sales": [35.0, 7.0, 42.0],
            "returns": [5.0, 0.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(v, expected, check_dtype=False)
    assert v.attrs["as_of"] == pd.Timestamp("2024-02-10")
    assert v.attrs["first_date"] == pd.Timestamp("2024-01-01")


def test_customer_values_keeps_customers_with_returns_only():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "revenue": [10.0, -4.0, -2.0],
            "cost": [6.0, -2.0, -1.0],
        }
    )
    v = customer_values(frame)
    row = v.set_index("customer_id").loc["b"]
    # b only returned goods: no purchase, net revenue -6, cost -3
    assert row["purchase_days"] == 0 and pd.isna(row["last_purchase"])
    assert pd.isna(row["days_since_last_purchase"])
    assert (row["revenue"], row["sales"], row["returns"], row["cost"]) == (-6.0, 0.0, 6.0, -3.0)


def test_customer_values_without_money():
    frame = pd.DataFrame(
        {"customer_id": ["a", "a"], "order_date": pd.to_datetime(["2024-01-01", "2024-01-05"])}
    )
    v = customer_values(frame)
    assert "revenue" not in v.columns and "sales" not in v.columns
    assert v["purchase_days"].tolist() == [2]


def test_category_values_by_hand():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09", "2024-01-02"]),
            "category": ["tea", "tea", "tea", None],
            "revenue": [10.0, 5.0, -3.0, 8.0],
        }
    )
    out = category_values(frame)
    # a: tea on 01-01 (10 + 5) and a tea return on 01-09 -> net 12, one purchase day;
    # b's line has no category and is left out
    assert out.to_dict("records") == [
        {"customer_id": "a", "category": "tea", "purchase_days": 1, "revenue": 12.0}
    ]


def test_category_values_needs_category(tiny):
    with pytest.raises(Exception, match="category"):
        category_values(tiny)


def _days(customer, days):
    return pd.DataFrame({"customer_id": customer, "order_date": pd.to_datetime(days)})


def test_purchase_journeys_by_hand():
    frame = pd.concat(
        [
            # a: 4 purchase days; loyal needs 3 days spread over 2 months (60.87 days):
            # 03-01 is 60 days after 01-01 (not enough), 04-01 is 91 days -> loyal on 04-01
            _days("a", ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            # b: two orders on one day are one purchase day -> never repeat
            _days("b", ["2024-01-05 09:00", "2024-01-05 17:00"]),
            # c: 3 days but only 40 days apart -> repeat, not loyal
            _days("c", ["2024-01-01", "2024-01-20", "2024-02-10"]),
        ]
    )
    j = purchase_journeys(frame, as_of="2024-04-30", loyal_purchases=3, loyal_months=2)
    expected = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-01"]),
            "repeat_date": pd.to_datetime(["2024-02-01", None, "2024-01-20"]),
            "loyal_date": pd.to_datetime(["2024-04-01", None, None]),
            "last_purchase": pd.to_datetime(["2024-04-01", "2024-01-05", "2024-02-10"]),
            "purchase_days": [4, 1, 3],
        }
    )
    pd.testing.assert_frame_equal(j, expected, check_dtype=False)
    with pytest.raises(ValueError, match="loyal_purchases=1"):
        purchase_journeys(frame, loyal_purchases=1)


def test_lifecycle_counts_by_hand():
    frame = pd.concat(
        [
            _days("a", ["2024-01-10", "2024-02-05", "2024-03-20"]),
            _days("b", ["2024-01-25"]),
            _days("c", ["2024-03-02"]),
        ]
    )
    counts = lifecycle_counts(
        frame, churn_days=40, as_of="2024-03-31", loyal_purchases=3, loyal_months=2
    )
    # end of January: a (1 purchase, 21 days ago) new, b (6 days ago) new
    # end of February: a repeat (2 purchases, last 24 days ago); b 35 days idle -> new
    # 31 March: a bought a 3rd time 70 days after the first -> loyal; b 66 days idle ->
    #           lapsed; c new
    expected = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "period_end": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
            "new": [2, 1, 1],
            "repeat": [0, 1, 0],
            "loyal": [0, 0, 1],
            "lapsed": [0, 0, 1],
            "active": [2, 2, 2],
        }
    )
    pd.testing.assert_frame_equal(counts, expected, check_dtype=False)
    assert counts.attrs["churn_days"] == 40


def test_lifecycle_counts_last_row_counts_at_as_of():
    frame = _days("a", ["2024-01-10"])
    counts = lifecycle_counts(frame, churn_days=10, as_of="2024-02-15")
    # the last period ends at as_of: 36 days idle -> lapsed
    assert counts["period_end"].iloc[-1] == pd.Timestamp("2024-02-15")
    assert counts[["new", "lapsed"]].iloc[-1].tolist() == [0, 1]
    with pytest.raises(ValueError, match="churn_days=0"):
        lifecycle_counts(frame, churn_days=0)


def test_customer_values_net_zero_is_zero_in_any_line_order():
    # 0.1 + 0.2 - 0.3 is 5.55e-17 in floats, -0.3 + 0.2 + 0.1 is 2.78e-17, and so on: a
    # customer whose return cancels their purchases must count as exactly zero whichever
    # order the engine adds their lines in
    lines = [0.1, 0.2, -0.3]
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        frame = pd.DataFrame(
            {
                "customer_id": ["a"] * 3,
                "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                "revenue": [lines[i] for i in order],
            }
        )
        v = customer_values(frame, as_of="2024-01-31")
        assert v["revenue"].iloc[0] == 0.0
        assert not np.signbit(v["revenue"].iloc[0])
    assert (0.1 + 0.2) - 0.3 != 0.0  # the float sum itself is not zero
