"""Order-level views (engine/_orders.py) on a hand-sized shop, every number derived by hand.

The shop (fixture ``shop``; order values are net revenue of purchase lines, returns
are not part of an order):

====  =====  ================  ========  =======  =====  ==============================
cust  order  order_date        category  revenue  cost   note
====  =====  ================  ========  =======  =====  ==============================
a     o1     2024-01-05 09:00  Tea        10.0     4.0   o1 has two lines: value 15
a     o1     2024-01-05 09:00  Coffee      5.0     2.0
a     o2     2024-02-10 14:00  Tea        20.0     8.0   value 20
a     r1     2024-02-12 10:00  Tea        -5.0    -2.0   return
a     o3     2024-03-03 11:00  Gifts      30.0    12.0   value 30
b     o4     2024-01-20 10:00  Coffee      7.0     3.0   b's only order: value 7
b     r3     2024-01-25 10:00  Coffee     -2.0    -1.0   return after b's last purchase
c     o5     2024-02-01 08:00  Coffee     12.0     5.0   two orders on one day:
c     o6     2024-02-01 18:00  Tea        18.0     6.0   values 12 and 18
c     o7     2024-04-02 09:00  Gifts      40.0    15.0   the last day of the data
d     r2     2024-02-20 10:00  Tea        -9.0    -4.0   d has only a return
====  =====  ================  ========  =======  =====  ==============================

Orders: a/o1 15 (01-05), a/o2 20 (02-10), a/o3 30 (03-03), b/o4 7 (01-20),
c/o5 12 (02-01 08:00), c/o6 18 (02-01 18:00), c/o7 40 (04-02); d has none.
Windows hold the days after their start up to and including their end:
JAN = 1-31 Jan 2024, FEB = 1-29 Feb 2024 (a leap year), MAR = 1-31 Mar 2024.
"""

import math

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import schema as S
from retainkit.engine._orders import (
    category_habits,
    category_month_activity,
    customer_behaviour,
    first_purchase_category,
    order_value_by_month,
    order_value_stats,
    revenue_before_last_purchase,
    window_activity,
    window_order_stats,
)
from retainkit.exceptions import SchemaError

NAN = float("nan")
JAN = ("2023-12-31", "2024-01-31")
FEB = ("2024-01-31", "2024-02-29")
MAR = ("2024-02-29", "2024-03-31")
JUL = ("2024-06-30", "2024-07-31")  # no rows at all


@pytest.fixture
def shop() -> pd.DataFrame:
    """The shop of the module docstring."""
    rows = [
        ("a", "o1", "2024-01-05 09:00", "Tea", 10.0, 4.0),
        ("a", "o1", "2024-01-05 09:00", "Coffee", 5.0, 2.0),
        ("a", "o2", "2024-02-10 14:00", "Tea", 20.0, 8.0),
        ("a", "r1", "2024-02-12 10:00", "Tea", -5.0, -2.0),
        ("a", "o3", "2024-03-03 11:00", "Gifts", 30.0, 12.0),
        ("b", "o4", "2024-01-20 10:00", "Coffee", 7.0, 3.0),
        ("b", "r3", "2024-01-25 10:00", "Coffee", -2.0, -1.0),
        ("c", "o5", "2024-02-01 08:00", "Coffee", 12.0, 5.0),
        ("c", "o6", "2024-02-01 18:00", "Tea", 18.0, 6.0),
        ("c", "o7", "2024-04-02 09:00", "Gifts", 40.0, 15.0),
        ("d", "r2", "2024-02-20 10:00", "Tea", -9.0, -4.0),
    ]
    frame = pd.DataFrame(
        rows, columns=[S.CUSTOMER_ID, S.ORDER_ID, "date", S.CATEGORY, S.REVENUE, S.COST]
    )
    frame[S.ORDER_DATE] = pd.to_datetime(frame.pop("date"))
    return frame


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --- window_order_stats ------------------------------------------------------------


def test_window_order_stats_counts_orders_and_their_mean_value_per_window(shop):
    out = window_order_stats(shop, windows={"jan": JAN, "feb": FEB})
    # jan: a has o1 (two lines, 10 + 5 = 15); b has o4 (7); c has no order in January.
    # feb: a has o2 (20; the return r1 on 02-12 is no order); b none;
    #      c has o5 and o6 on the same day: 2 orders, mean (12 + 18) / 2 = 15.
    # d has only a return, so no order in any window: absent.
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c"],
            "orders_jan": [1, 1, 0],
            "order_value_jan": [15.0, 7.0, NAN],
            "orders_feb": [1, 0, 2],
            "order_value_feb": [20.0, NAN, 15.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_mean_order_values_come_from_money_sums_rounded_to_a_millionth():
    # order o1 of lines 0.1 + 0.2, which floats add to 0.30000000000000004: the mean order
    # value is the rounded sum over the count, the same whatever order a run adds in
    frame = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "a", "a"],
            S.ORDER_ID: ["o1", "o1", "o2"],
            S.ORDER_DATE: pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-20"]),
            S.REVENUE: [0.1, 0.2, 0.6],
        }
    )
    assert 0.1 + 0.2 != 0.3
    out = window_order_stats(frame, windows={"jan": JAN, "feb": FEB})
    assert out[["order_value_jan", "order_value_feb"]].iloc[0].tolist() == [0.3, 0.6]
    assert order_value_stats(frame, windows={"jan": JAN})["mean_order_value"].tolist() == [0.3]
    by_month = order_value_by_month(frame, first_month="2024-01-01", as_of="2024-02-29")
    assert by_month["mean_order_value"].tolist() == [0.3, 0.6]
    behaviour = customer_behaviour(frame, as_of="2024-02-29", recent_orders=1)
    assert behaviour[["recent_order_value", "earlier_order_value"]].iloc[0].tolist() == [0.6, 0.3]


def test_window_order_stats_without_order_ids_keys_orders_by_timestamp(shop):
    # every order of the shop has its own timestamp, and o1's two lines share one:
    # the same orders, so the same table as with order ids
    with_ids = window_order_stats(shop, windows={"jan": JAN, "feb": FEB})
    without = window_order_stats(shop.drop(columns=S.ORDER_ID), windows={"jan": JAN, "feb": FEB})
    pd.testing.assert_frame_equal(without, with_ids)


def test_window_order_stats_window_runs_after_its_start_day_through_its_end_day():
    out = window_order_stats(
        frame(
            customer_id=["e", "e", "e"],
            order_date=pd.to_datetime(["2023-12-31 23:00", "2024-01-31 23:59", "2024-02-01 00:00"]),
            revenue=[1.0, 2.0, 4.0],
        ),
        windows={"jan": JAN, "feb": FEB},
    )
    # 12-31 23:00 is on JAN's start day: outside; 01-31 23:59 is on its end day: inside
    # (jan: 1 order of 2.0); 02-01 00:00 is the first moment of FEB (1 order of 4.0)
    row = out.iloc[0]
    assert [row["orders_jan"], row["order_value_jan"]] == [1, 2.0]
    assert [row["orders_feb"], row["order_value_feb"]] == [1, 4.0]


def test_window_order_stats_dates_an_order_by_its_first_line():
    # one order, lines on 31 Jan and 1 Feb: it is a January order worth 3 + 4 = 7
    out = window_order_stats(
        frame(
            customer_id=["e", "e"],
            order_id=["o1", "o1"],
            order_date=pd.to_datetime(["2024-01-31 23:00", "2024-02-01 01:00"]),
            revenue=[3.0, 4.0],
        ),
        windows={"jan": JAN, "feb": FEB},
    )
    assert out[["orders_jan", "order_value_jan", "orders_feb"]].iloc[0].tolist() == [1, 7.0, 0]


def test_window_order_stats_a_return_with_the_orders_id_is_not_part_of_its_value():
    # o1: lines 10 and 5, then a return line -5 carrying o1's id: value 15, not 10
    out = window_order_stats(
        frame(
            customer_id=["e"] * 3,
            order_id=["o1"] * 3,
            order_date=pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-09"]),
            revenue=[10.0, 5.0, -5.0],
        ),
        windows={"jan": JAN},
    )
    assert out[["orders_jan", "order_value_jan"]].iloc[0].tolist() == [1, 15.0]


def test_window_order_stats_lines_without_an_order_id_are_orders_of_their_own_timestamp():
    # e: o1 on 01-05 (10); two lines without an id on 01-10 (4) and 01-20 (6).
    # Three orders: mean (10 + 4 + 6) / 3 = 20 / 3. (Today: 2 orders, mean (10 + 10) / 2.)
    out = window_order_stats(
        frame(
            customer_id=["e"] * 3,
            order_id=["o1", None, None],
            order_date=pd.to_datetime(["2024-01-05", "2024-01-10", "2024-01-20"]),
            revenue=[10.0, 4.0, 6.0],
        ),
        windows={"jan": JAN},
    )
    assert out["orders_jan"].iloc[0] == 3
    assert out["order_value_jan"].iloc[0] == pytest.approx(20 / 3, rel=1e-12)


def test_window_order_stats_refuses_a_window_that_ends_before_it_starts(shop):
    with pytest.raises(ValueError, match="'late'"):
        window_order_stats(shop, windows={"late": ("2024-02-01", "2024-01-01")})


def test_window_order_stats_needs_revenue(shop):
    with pytest.raises(SchemaError, match="revenue"):
        window_order_stats(shop.drop(columns=S.REVENUE), windows={"jan": JAN})


# --- window_activity -------------------------------------------------------------


def test_window_activity_counts_purchase_days_and_nets_revenue_and_cost(shop):
    out = window_activity(shop, windows={"jan": JAN, "feb": FEB})
    # jan rows: a o1 (2 lines, 01-05), b o4 (01-20) and b's return r3 (01-25).
    #   a: 1 day, revenue 10 + 5 = 15, cost 4 + 2 = 6
    #   b: 1 day (the return day is no purchase day), revenue 7 - 2 = 5, cost 3 - 1 = 2
    # feb rows: a o2 (02-10) and r1 (02-12); c o5, o6 (02-01); d r2 (02-20).
    #   a: 1 day, revenue 20 - 5 = 15, cost 8 - 2 = 6
    #   c: two orders on one day = 1 day, revenue 12 + 18 = 30, cost 5 + 6 = 11
    #   d: 0 days (a return only), revenue -9, cost -4
    # every customer has a row in some window; absent windows count 0
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c", "d"],
            "purchase_days_jan": [1, 1, 0, 0],
            "revenue_jan": [15.0, 5.0, 0.0, 0.0],
            "cost_jan": [6.0, 2.0, 0.0, 0.0],
            "purchase_days_feb": [1, 0, 1, 0],
            "revenue_feb": [15.0, 0.0, 30.0, -9.0],
            "cost_feb": [6.0, 0.0, 11.0, -4.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_window_activity_without_money_columns_has_purchase_days_only(shop):
    # no cost: no cost_<window>; no revenue either: purchase days alone.
    # Without revenue nothing marks a return, so d's line is a purchase day in feb.
    no_cost = window_activity(shop.drop(columns=S.COST), windows={"feb": FEB})
    assert no_cost.columns.tolist() == [S.CUSTOMER_ID, "purchase_days_feb", "revenue_feb"]
    no_money = window_activity(shop.drop(columns=[S.COST, S.REVENUE]), windows={"feb": FEB})
    # feb rows: a 02-10, 02-12 (2 days); c 02-01 twice (1 day); d 02-20 (1 day)
    expected = pd.DataFrame({S.CUSTOMER_ID: ["a", "c", "d"], "purchase_days_feb": [2, 1, 1]})
    pd.testing.assert_frame_equal(no_money, expected)


def test_window_activity_takes_loaded_transactions_like_a_frame(shop):
    loaded = rk.load_transactions(shop)
    pd.testing.assert_frame_equal(
        window_activity(loaded, windows={"jan": JAN, "feb": FEB}),
        window_activity(shop, windows={"jan": JAN, "feb": FEB}),
    )


def test_order_views_on_loaded_transactions_are_computed_once_per_arguments(shop):
    loaded = rk.load_transactions(shop)
    first = window_activity(loaded, windows={"jan": JAN})
    first.loc[0, "revenue_jan"] = 99.0  # the caller's copy; the remembered one is untouched
    again = window_activity(loaded, windows={"jan": JAN})
    # January: a buys o1 on 01-05 (10 + 5 = 15); b buys o4 (7) and returns 2 on 01-25: 5
    assert again["revenue_jan"].tolist() == [15.0, 5.0]
    assert len(loaded._memo) == 1
    window_activity(loaded, windows={"feb": FEB})  # other windows: computed anew
    assert len(loaded._memo) == 2
    # "" and None mean the last order date (2024-04-02): one result for the three
    for as_of in ("", None, "2024-04-02"):
        out = revenue_before_last_purchase(loaded, days=30, as_of=as_of)
        # derived in test_revenue_before_last_purchase_sums_the_days_up_to_the_last_purchase
        assert out["revenue_window"].tolist() == [45.0, 7.0, 40.0]
    assert len(loaded._memo) == 3
    revenue_before_last_purchase(loaded, days=30, as_of="2024-03-31")
    assert len(loaded._memo) == 4


# --- order_value_stats -----------------------------------------------------------


def test_order_value_stats_per_window_count_mean_and_sample_std(shop):
    out = order_value_stats(shop, windows={"jan": JAN, "feb": FEB, "mar": MAR, "jul": JUL})
    # jan: orders 15 (a/o1) and 7 (b/o4): mean 11; sample variance
    #      ((15-11)^2 + (7-11)^2) / (2-1) = 32, std sqrt(32)
    # feb: 20 (a/o2), 12 (c/o5), 18 (c/o6): mean 50/3; squares 400 + 144 + 324 = 868,
    #      sum of squared deviations 868 - 50^2/3 = 104/3, variance 104/3 / 2 = 52/3
    # mar: a/o3 alone, 30: mean 30, no sample std for one order (NaN)
    # jul: no orders: 0, NaN, NaN
    expected = pd.DataFrame(
        {
            "window": ["jan", "feb", "mar", "jul"],
            "start": pd.to_datetime([JAN[0], FEB[0], MAR[0], JUL[0]]),
            "end": pd.to_datetime([JAN[1], FEB[1], MAR[1], JUL[1]]),
            "orders": [2, 3, 1, 0],
            "mean_order_value": [11.0, 50 / 3, 30.0, NAN],
            "std_order_value": [math.sqrt(32), math.sqrt(52 / 3), NAN, NAN],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, rtol=1e-12)


# --- order_value_by_month --------------------------------------------------------


def test_order_value_by_month_groups_the_orders_of_each_calendar_month(shop):
    out = order_value_by_month(shop, first_month="2024-01-01")
    # as in the order_value_stats test: jan 15 and 7 (mean 11, std sqrt(32)); feb 20, 12
    # and 18 (mean 50/3, std sqrt(52/3)); mar 30 alone; as_of defaults to the last day,
    # 2024-04-02, so april holds c/o7 (40) alone
    expected = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "orders": [2, 3, 1, 1],
            "mean_order_value": [11.0, 50 / 3, 30.0, 40.0],
            "std_order_value": [math.sqrt(32), math.sqrt(52 / 3), NAN, NAN],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, rtol=1e-12)


def test_order_value_by_month_starts_at_the_first_month_and_stops_at_as_of(shop):
    # first_month mid-February counts all of February; as_of 2024-04-01 leaves out o7
    # (2024-04-02), and months without orders are absent
    out = order_value_by_month(shop, first_month="2024-02-15", as_of="2024-04-01")
    assert out["month_start"].dt.strftime("%Y-%m").tolist() == ["2024-02", "2024-03"]
    assert out["orders"].tolist() == [3, 1]


def test_order_value_by_month_matches_one_window_per_month(shop):
    # the same numbers as order_value_stats given one window per month
    months = pd.date_range("2023-12-01", "2024-04-01", freq="MS")
    as_of = pd.Timestamp("2024-04-02")
    windows = {
        f"m{i}": (
            m - pd.Timedelta(days=1),
            min(m + pd.DateOffset(months=1) - pd.Timedelta(days=1), as_of),
        )
        for i, m in enumerate(months)
    }
    per_window = order_value_stats(shop, windows=windows)
    per_window = per_window[per_window["orders"] > 0].reset_index(drop=True)
    grouped = order_value_by_month(shop, first_month=months[0], as_of=as_of)
    # a window starts the day before its month: jan, feb, mar and apr hold orders
    assert grouped["month_start"].tolist() == list(per_window["start"] + pd.Timedelta(days=1))
    assert len(grouped) == 4
    for col in ("orders", "mean_order_value", "std_order_value"):
        np.testing.assert_allclose(grouped[col], per_window[col], rtol=1e-12)


# --- revenue_before_last_purchase ------------------------------------------------


def test_revenue_before_last_purchase_sums_the_days_up_to_the_last_purchase(shop):
    out = revenue_before_last_purchase(shop, days=30)
    # as_of defaults to the last date, 2024-04-02. 30 days end on the last purchase day:
    # a: last 03-03; 03-03 minus 29 days is 02-03 (February 2024 has 29 days), so o2 20,
    #    r1 -5, o3 30 count: 45; cost 8 - 2 + 12 = 18 (o1 on 01-05 is too early)
    # b: last 01-20: o4 7, cost 3; the return r3 on 01-25 is after it and does not count
    # c: last 04-02: window 03-04..04-02 holds o7 only: 40, cost 15
    # d: no purchase, absent
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c"],
            "last_purchase": pd.to_datetime(["2024-03-03", "2024-01-20", "2024-04-02"]),
            "revenue_window": [45.0, 7.0, 40.0],
            "cost_window": [18.0, 3.0, 15.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert out.attrs == {"as_of": pd.Timestamp("2024-04-02"), "days": 30}


def test_revenue_before_last_purchase_as_of_cuts_later_purchases(shop):
    out = revenue_before_last_purchase(shop.drop(columns=S.COST), days=30, as_of="2024-03-31")
    # c's o7 (04-02) is after as_of: c's last purchase is 02-01 (o6 at 18:00, as a day);
    # window 01-03..02-01 holds o5 and o6: 12 + 18 = 30. a and b as before. No cost column.
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c"],
            "last_purchase": pd.to_datetime(["2024-03-03", "2024-01-20", "2024-02-01"]),
            "revenue_window": [45.0, 7.0, 30.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_revenue_before_last_purchase_window_starts_days_minus_one_before(shop):
    # a's last purchase 03-03; o2 is on 02-10, 22 days earlier.
    # days=23: the window starts 03-03 - 22 days = 02-10, so o2 (at 14:00) counts:
    #          20 - 5 + 30 = 45
    # days=22: it starts on 02-11: only r1 and o3, -5 + 30 = 25
    # days=1:  the last purchase day alone: 30
    by_days = {
        d: revenue_before_last_purchase(shop, days=d).set_index(S.CUSTOMER_ID).loc["a"]
        for d in (23, 22, 1)
    }
    assert [by_days[d]["revenue_window"] for d in (23, 22, 1)] == [45.0, 25.0, 30.0]


# --- first_purchase_category -----------------------------------------------------


def test_first_purchase_category_takes_the_first_days_top_revenue_category(shop):
    out = first_purchase_category(shop)
    # a: first day 01-05: Tea 10 beats Coffee 5
    # b: first day 01-20: Coffee
    # c: first day 02-01: Coffee (12, at 08:00) then Tea (18, at 18:00): Tea has more
    #    revenue on that day, so Tea, although Coffee was bought first
    # d: no purchase, absent
    expected = pd.DataFrame(
        {S.CUSTOMER_ID: ["a", "b", "c"], "first_category": ["Tea", "Coffee", "Tea"]}
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_first_purchase_category_breaks_ties_alphabetically_whatever_the_row_order():
    # e: Tea 5 and Coffee 5 on the first day: a tie, Coffee comes first alphabetically.
    # f: its first line has no category; the first day with one is 01-09 (Gifts).
    tx = frame(
        customer_id=["e", "e", "f", "f"],
        order_date=pd.to_datetime(
            ["2024-01-02 09:00", "2024-01-02 10:00", "2024-01-02 08:00", "2024-01-09 08:00"]
        ),
        category=["Tea", "Coffee", None, "Gifts"],
        revenue=[5.0, 5.0, 50.0, 1.0],
    )
    expected = pd.DataFrame({S.CUSTOMER_ID: ["e", "f"], "first_category": ["Coffee", "Gifts"]})
    pd.testing.assert_frame_equal(first_purchase_category(tx), expected, check_dtype=False)
    reversed_rows = tx.iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        first_purchase_category(reversed_rows), expected, check_dtype=False
    )


def test_first_purchase_category_without_revenue_takes_the_category_with_most_lines():
    # first day 01-02: Tea on two lines, Coffee on one: Tea (alphabetical order would
    # have given Coffee, so the count decides)
    tx = frame(
        customer_id=["e"] * 3,
        order_date=pd.to_datetime(["2024-01-02 09:00", "2024-01-02 10:00", "2024-01-02 11:00"]),
        category=["Tea", "Tea", "Coffee"],
    )
    assert first_purchase_category(tx)["first_category"].tolist() == ["Tea"]


def test_first_purchase_category_without_revenue_ignores_fractional_seconds():
    # one Tea line and one Coffee line on the first day: a tie, so Coffee
    tx = frame(
        customer_id=["e", "e"],
        order_date=pd.to_datetime(["2024-01-02 09:00:00.500", "2024-01-02 10:00:00.000"]),
        category=["Tea", "Coffee"],
    )
    assert first_purchase_category(tx)["first_category"].tolist() == ["Coffee"]


def test_first_purchase_category_needs_a_category(shop):
    with pytest.raises(SchemaError, match="category"):
        first_purchase_category(shop.drop(columns=S.CATEGORY))


# --- category_month_activity -----------------------------------------------------


def test_category_month_activity_lists_each_category_bought_in_each_month(shop):
    out = category_month_activity(shop)
    # purchases only (a's Tea return r1, b's return r3 and d's return r2 add nothing):
    # a: Tea and Coffee in Jan (o1), Tea in Feb (o2), Gifts in Mar (o3)
    # b: Coffee in Jan
    # c: Coffee and Tea in Feb (o5, o6: one row each), Gifts in Apr (o7, on the as_of day)
    # sorted by customer, category, month
    rows = [
        ("a", "Coffee", "2024-01-01"),
        ("a", "Gifts", "2024-03-01"),
        ("a", "Tea", "2024-01-01"),
        ("a", "Tea", "2024-02-01"),
        ("b", "Coffee", "2024-01-01"),
        ("c", "Coffee", "2024-02-01"),
        ("c", "Gifts", "2024-04-01"),
        ("c", "Tea", "2024-02-01"),
    ]
    expected = pd.DataFrame(rows, columns=[S.CUSTOMER_ID, S.CATEGORY, "month_start"])
    expected["month_start"] = pd.to_datetime(expected["month_start"])
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert out.attrs == {"as_of": pd.Timestamp("2024-04-02")}


def test_category_month_activity_as_of_cuts_later_months(shop):
    # as_of 2024-04-01 ends the day before o7 (04-02): c's Gifts in April goes, and the
    # other 7 rows of the table above stay
    out = category_month_activity(shop, as_of="2024-04-01")
    assert ("c", "Gifts") not in set(zip(out[S.CUSTOMER_ID], out[S.CATEGORY], strict=True))
    assert len(out) == 7


# --- category_habits ---------------------------------------------------------------


def test_category_habits_counts_habit_and_quiet_months_by_hand(shop):
    # the months of category_month_activity above; habit Jan-Feb, quiet Mar-Apr:
    # a: Coffee Jan (1 habit month), Tea Jan + Feb (2), Gifts Mar (quiet, no habit);
    # b: Coffee Jan (1); c: Coffee Feb (1), Tea Feb (1), Gifts Apr (quiet, no habit).
    # Bought some range in the quiet window: a (Gifts, Mar) and c (Gifts, Apr), not b.
    out = category_habits(shop, habit_start="2024-01-01", quiet_start="2024-03-01")
    rows = [
        ("a", "Coffee", 1, "2024-01-01", True),
        ("a", "Tea", 2, "2024-02-01", True),
        ("b", "Coffee", 1, "2024-01-01", False),
        ("c", "Coffee", 1, "2024-02-01", True),
        ("c", "Tea", 1, "2024-02-01", True),
    ]
    cols = [S.CUSTOMER_ID, S.CATEGORY, "habit_months", "last_month", "buying_in_quiet"]
    expected = pd.DataFrame(rows, columns=cols)
    expected["last_month"] = pd.to_datetime(expected["last_month"])
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    # two habit months: only a's Tea; a quiet window from February: every range with a
    # February month is bought in it, so only a's and b's January Coffee are left
    two = category_habits(shop, habit_start="2024-01-01", quiet_start="2024-03-01", min_months=2)
    assert two[[S.CUSTOMER_ID, S.CATEGORY]].values.tolist() == [["a", "Tea"]]
    feb = category_habits(shop, habit_start="2023-12-01", quiet_start="2024-02-01")
    assert feb[[S.CUSTOMER_ID, S.CATEGORY]].values.tolist() == [["a", "Coffee"], ["b", "Coffee"]]


# --- customer_behaviour ----------------------------------------------------------


def test_customer_behaviour_compares_recent_with_earlier_orders(shop):
    out = customer_behaviour(shop, recent_orders=2)
    # lines (all rows, returns included) / return lines / distinct categories bought:
    # a: 5 / 1 / Tea, Coffee, Gifts = 3;  b: 2 / 1 / Coffee = 1
    # c: 3 / 0 / Coffee, Tea, Gifts = 3;  d: 1 / 1 / 0 (a return buys nothing)
    # orders from the latest: a 30 (03-03), 20 (02-10), 15 (01-05):
    #   recent (30 + 20) / 2 = 25, earlier 15
    # b: 7 only: recent 7, no earlier order (NaN)
    # c: 40 (04-02), 18 (02-01 18:00), 12 (02-01 08:00): the later of the two same-day
    #   orders is the more recent: recent (40 + 18) / 2 = 29, earlier 12
    # d: no order: NaN, NaN
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c", "d"],
            "lines": [5, 2, 3, 1],
            "return_lines": [1, 1, 0, 1],
            "categories": [3, 1, 3, 0],
            "recent_order_value": [25.0, 7.0, 29.0, NAN],
            "earlier_order_value": [15.0, NAN, 12.0, NAN],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert out.attrs == {"as_of": pd.Timestamp("2024-04-02"), "recent_orders": 2}


def test_customer_behaviour_as_of_cuts_and_optional_columns_drop_out(shop):
    out = customer_behaviour(
        shop.drop(columns=[S.ORDER_ID, S.CATEGORY, S.COST]), as_of="2024-03-31", recent_orders=2
    )
    # c loses o7 (04-02): 2 lines; orders 18 (18:00) and 12 (08:00), both recent:
    # (18 + 12) / 2 = 15, nothing earlier. Without order ids the orders are the same
    # (each has its own timestamp; o1's two lines share one). No category column: NaN.
    expected = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["a", "b", "c", "d"],
            "lines": [5, 2, 2, 1],
            "return_lines": [1, 1, 0, 1],
            "categories": [NAN] * 4,
            "recent_order_value": [25.0, 7.0, 15.0, NAN],
            "earlier_order_value": [15.0, NAN, NAN, NAN],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_customer_behaviour_without_revenue_has_no_order_values(shop):
    out = customer_behaviour(shop.drop(columns=[S.REVENUE, S.COST]))
    # nothing marks a return without revenue (or quantity): every line is a purchase
    assert out.columns.tolist() == [S.CUSTOMER_ID, "lines", "return_lines", "categories"]
    assert out["return_lines"].tolist() == [0, 0, 0, 0]
    # a: Tea, Coffee, Gifts; b: Coffee; c: Coffee, Tea, Gifts; d: Tea (now a purchase)
    assert out["categories"].tolist() == [3, 1, 3, 1]


def test_customer_behaviour_lines_without_an_order_id_are_separate_orders():
    # e: o1 01-05 (10), no id 02-01 (4), no id 03-01 (6); recent_orders=1:
    # recent = the 03-01 order, 6; earlier = (10 + 4) / 2 = 7
    out = customer_behaviour(
        frame(
            customer_id=["e"] * 3,
            order_id=["o1", None, None],
            order_date=pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01"]),
            revenue=[10.0, 4.0, 6.0],
        ),
        recent_orders=1,
    )
    assert out[["recent_order_value", "earlier_order_value"]].iloc[0].tolist() == [6.0, 7.0]


def test_window_activity_money_is_the_same_in_any_line_order():
    # 0.1 + 0.2 - 0.3 is 5.55e-17 in floats and -0.3 + 0.2 + 0.1 is 2.78e-17: summed money
    # is rounded to a millionth (engine._summaries._money), so a customer whose return
    # cancels their purchases is exactly 0 whichever order the engine adds the lines in
    lines = [0.1, 0.2, -0.3]
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        frame = pd.DataFrame(
            {
                S.CUSTOMER_ID: ["a"] * 3,
                S.ORDER_DATE: pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                S.REVENUE: [lines[i] for i in order],
            }
        )
        out = window_activity(frame, windows={"jan": JAN})
        assert out["revenue_jan"].iloc[0] == 0.0
        assert not np.signbit(out["revenue_jan"].iloc[0])
    assert (0.1 + 0.2) - 0.3 != 0.0  # the float sum itself is not zero
