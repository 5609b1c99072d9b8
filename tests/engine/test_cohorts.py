import numpy as np
import pandas as pd

from retainkit import engine


def _log():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-05 09:00",
                    "2024-01-05 17:00",
                    "2024-02-10 12:00",
                    "2024-02-01 12:00",
                    "2024-02-03 12:00",
                ]
            ),
            "revenue": [10.0, 5.0, 7.0, 3.0, -1.0],
        }
    )


def test_customer_windows_by_hand():
    w = engine.customer_windows(
        _log(), windows={"jan": ("2024-01-01", "2024-01-31"), "feb": ("2024-02-01", "2024-02-29")}
    )
    # a: one purchase day in January (15), one in February (7)
    # b: a purchase on 02-01 (3) and a return on 02-03 (-1): one purchase day, revenue 2
    assert w.to_dict("list") == {
        "customer_id": ["a", "b"],
        "first_purchase": [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-02-01")],
        "jan_purchase_days": [1, 0],
        "jan_revenue": [15.0, 0.0],
        "feb_purchase_days": [1, 1],
        "feb_revenue": [7.0, 2.0],
    }


def test_cohort_activity_and_daily_purchases():
    act = engine.cohort_activity(_log(), period="month")
    assert act["active_customers"].tolist() == [1, 1, 1]
    assert act["revenue"].tolist() == [15.0, 7.0, 2.0]
    daily = engine.daily_purchases(_log(), acquired_until="2024-01-31")
    # only a counts: first on 01-05, a repeat on 02-10
    assert daily["day"].dt.strftime("%m-%d").tolist() == ["01-05", "02-10"]
    assert daily["first_purchases"].tolist() == [1, 0]
    assert daily["repeat_purchases"].tolist() == [0, 1]


def test_money_totals():
    totals = engine.money_totals(_log())
    assert totals["revenue"] == 24.0 and np.isnan(totals["cost"])
    assert engine.money_totals(_log(), start="2024-02-01")["revenue"] == 9.0
