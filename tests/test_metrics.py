import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import metrics
from retainkit.exceptions import SchemaError


@pytest.fixture
def shop():
    """Hand-checkable log: the year 2024 against churn_days=30.

    e: 2023-11-01 only (lapsed before the start)
    a: 2023-12-20 and 2024-12-10 (active at start and end)
    b: 2023-12-25 only (active at start, lost)
    c: 2023-12-28, 2024-03-01 (active at start, lost during the year)
    d: 2024-12-20 (new, active at end)
    f: 2024-02-01, 2024-02-10 (new, lapsed again)
    g: 2023-10-01 and 2024-12-30 (lapsed at the start, came back)
    """
    rows = [
        ("e", "2023-11-01", 5.0),
        ("a", "2023-12-20", 10.0),
        ("a", "2024-12-10", 30.0),
        ("b", "2023-12-25", 20.0),
        ("c", "2023-12-28", 40.0),
        ("c", "2024-03-01", 10.0),
        ("d", "2024-12-20", 8.0),
        ("f", "2024-02-01", 3.0),
        ("f", "2024-02-10", 4.0),
        ("g", "2023-10-01", 6.0),
        ("g", "2024-12-30", 12.0),
    ]
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_date": pd.to_datetime([r[1] for r in rows]),
            "revenue": [r[2] for r in rows],
        }
    )


def test_retention_rates_by_hand(shop):
    r = metrics.retention_rates(shop, period="year", churn_days=30, as_of="2024-12-31").iloc[0]
    # the year is the 365 days to 2024-12-31: 2024-01-02 to 2024-12-31 (2024 is a leap year)
    # active at start (bought 2023-12-03..2024-01-01): S = {a, b, c}
    # active at end (2024-12-02..2024-12-31): E = {a, d, g}; new in the year: N = {d, f}
    assert (r["customers_at_start"], r["customers_at_end"], r["new_customers"]) == (3, 3, 2)
    assert r["retained_customers"] == 1  # only a
    assert r["crr"] == pytest.approx((3 - 2) / 3)
    assert r["retained_share"] == pytest.approx(1 / 3)
    assert r["churn_rate"] == pytest.approx(2 / 3)
    # buyers in 2024: a, c, d, f, g; on two or more days: f
    assert r["repeat_purchase_rate"] == pytest.approx(1 / 5)
    assert r["period_start"] == pd.Timestamp("2024-01-02")
    assert r["note"] == ""


def test_short_history_gives_a_reason_not_a_number(shop):
    r = metrics.retention_rates(shop, period="year", churn_days=90, as_of="2024-12-31").iloc[0]
    # S needs purchases from 2023-10-03; the data starts 2023-10-01: enough
    assert r["note"] == ""
    r = metrics.retention_rates(shop, period="year", churn_days=120, as_of="2024-12-31").iloc[0]
    assert np.isnan(r["crr"]) and "history too short" in r["note"]


def test_quarterly_history(shop):
    h = metrics.retention_history(
        shop, period="quarter", periods=4, churn_days=30, as_of="2024-12-31"
    )
    # Q1 2024: S = {a, b, c}, E (bought 2024-03-02..03-31) = {} (c's 03-01 is a day early):
    # retained 0. Q2-Q4 start with nobody active (no purchase in the 30 days before): left out
    assert h["period_start"].tolist() == [pd.Timestamp("2024-01-01")]
    assert h["retained_share"].tolist() == [0.0]
    assert h["customers_at_start"].tolist() == [3]


def test_revenue_retention_by_hand(shop):
    # 365-day windows to 2024-12-30 (2024 is a leap year):
    # base: 2023-01-01..2023-12-31, period: 2024-01-01..12-30: a 10 -> 30, b 20 -> 0, c 40 -> 10,
    # e 5 -> 0, g 6 -> 12. NRR = (30 + 10 + 12) / 81; GRR = (10 + 0 + 10 + 0 + 6) / 81
    shop = pd.concat(
        [
            shop,
            pd.DataFrame(
                {
                    "customer_id": ["z"],
                    "order_date": pd.to_datetime(["2023-01-01"]),
                    "revenue": [0.0],
                }
            ),
        ]
    )
    r = metrics.revenue_retention(shop, as_of="2024-12-30").iloc[0]
    assert r["base_customers"] == 5
    assert r["nrr"] == pytest.approx(52 / 81)
    assert r["grr"] == pytest.approx(26 / 81)
    by = metrics.revenue_retention_by_cohort(shop, as_of="2024-12-30")
    assert by["cohort"].tolist() == ["2023"]
    assert by["nrr"].iloc[0] == pytest.approx(52 / 81)


def test_revenue_retention_needs_two_years_and_money(shop):
    r = metrics.revenue_retention(shop, as_of="2024-12-31").iloc[0]
    assert np.isnan(r["nrr"]) and "history too short" in r["note"]
    txn = rk.load_transactions(shop.drop(columns="revenue"))
    with pytest.raises(SchemaError, match="needs money"):
        metrics.revenue_retention(txn)


def test_benchmarks_have_sources():
    b = metrics.load_benchmarks()
    assert {"industry", "metric", "value", "source", "year"} <= set(b.columns)
    assert b["source"].str.len().min() > 10 and b["value"].between(0, 2).all()
    comp = metrics.benchmark_comparison(0.5, industry="RETAIL")
    assert comp.attrs["difference"] == pytest.approx(0.5 - 0.63)
    with pytest.raises(ValueError, match="did you mean 'Retail'"):
        metrics.benchmark_comparison(0.5, industry="Retial")
