"""Fixtures of the groundwork tests: a shop small enough to check by hand."""

import pandas as pd
import pytest

from retainkit import groundwork as g

AS_OF = "2024-12-31"


@pytest.fixture
def shop():
    """as_of 2024-12-31, churn_days 90, lookback 365.

    Window start 2024-01-01; lost when the last purchase L is in (2023-10-03, 2024-10-02];
    active base: a purchase in (2023-10-03, 2024-01-01].

    A: 2023-06-01 100, 2023-12-20 50           base, lost (L 2023-12-20)
    B: 2023-11-15 40, 2024-11-30 60            base, active
    C: 2024-03-01 30                           new in window, lost
    D: 2023-05-01 80                           lost before the window
    E: 2023-12-31 20, 2024-02-10 25, return 2024-03-01 -10   base, lost (L 2024-02-10)
    F: 2024-12-20 10                           new, active
    """
    rows = [
        ("A", "2023-06-01", 100.0),
        ("A", "2023-12-20", 50.0),
        ("B", "2023-11-15", 40.0),
        ("B", "2024-11-30", 60.0),
        ("C", "2024-03-01", 30.0),
        ("D", "2023-05-01", 80.0),
        ("E", "2023-12-31", 20.0),
        ("E", "2024-02-10", 25.0),
        ("E", "2024-03-01", -10.0),
        ("F", "2024-12-20", 10.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


@pytest.fixture
def status(shop):
    window = g.churn_window(shop, as_of=AS_OF, churn_days=90)
    customers = pd.DataFrame({"customer_id": list("ABCDEF"), "region": list("NNSSNS")})
    return g.customer_status(shop, window, margin=0.3, customers=customers)
