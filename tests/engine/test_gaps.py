"""Purchase days in the engine: their size per customer, on frames computed on paper."""

import numpy as np
import pandas as pd

from retainkit import engine


def _frame():
    # a: 01-01 (10 + 20 = 30), 01-05 (50), 01-09 a return of -15 (not a purchase day),
    #    01-20 (100, after the review date below);
    # b: 01-02 8 once
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "a", "b"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-09", "2024-01-20", "2024-01-02"]
            ),
            "revenue": [10.0, 20.0, 50.0, -15.0, 100.0, 8.0],
        }
    )


def test_purchase_day_values_by_hand():
    # up to 01-10: a has days of 30 and 50 (mean 40, sd sqrt(200)); the return is no day
    out = engine.purchase_day_values(_frame(), as_of="2024-01-10")
    assert out["customer_id"].tolist() == ["a", "b"]
    assert out["purchase_days"].tolist() == [2, 1]
    assert out["mean_day_revenue"].tolist() == [40.0, 8.0]
    assert out.loc[0, "std_day_revenue"] == np.sqrt(200.0)
    assert np.isnan(out.loc[1, "std_day_revenue"])
    assert out.attrs["as_of"] == pd.Timestamp("2024-01-10")


def test_purchase_day_values_up_to_the_last_order():
    # a: 30, 50, 100: mean 60, sample variance (900 + 100 + 1600)/2 = 1300
    out = engine.purchase_day_values(_frame()).set_index("customer_id")
    assert out.loc["a", "purchase_days"] == 3
    assert out.loc["a", "mean_day_revenue"] == 60.0
    assert out.loc["a", "std_day_revenue"] ** 2 == 1300.0
