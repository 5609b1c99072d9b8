"""The engine gives the same results on Spark (local mode) as on DuckDB.

Runs in CI (the Makefile installs the spark extra; Java 17 is on the machine). Each
computation runs once on the demo shop loaded into DuckDB and once on the same rows
registered as a Spark table; the frames must match (floats to 1e-9 relative, because
the two engines add in different orders).
"""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import engine, groundwork
from tests.conftest import DATA

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def both():
    try:
        con = engine.connect_spark(master="local[2]")
    except rk.MissingDependencyError as exc:  # pragma: no cover - CI has the extra
        pytest.fail(f"{exc} (the Makefile installs it: make install)")
    frame = pd.read_parquet(DATA / "demo_shop" / "transactions.parquet")
    session = con._session
    session.createDataFrame(frame).createOrReplaceTempView("demo_orders")
    spark_txn = rk.load_transactions(con.table("demo_orders"))
    duck_txn = rk.load_transactions(frame)
    yield duck_txn, spark_txn


def same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_dtype=False, rtol=1e-9)
    else:
        assert a == b


def test_cleaning_and_quality_report(both):
    duck, spark = both
    d, s = duck.quality, spark.quality
    assert (d.rows_read, d.rows_kept, d.dropped, d.customers) == (
        s.rows_read,
        s.rows_kept,
        s.dropped,
        s.customers,
    )
    assert d.revenue_kept == pytest.approx(s.revenue_kept, rel=1e-12)
    assert (d.first_date, d.last_date) == (s.first_date, s.last_date)


WINDOWS = {"h1": ("2023-12-31", "2024-06-30"), "h2": ("2024-06-30", "2024-12-31")}
COMPUTATIONS = {
    "customer_summary": lambda t: rk.customer_summary(t, time_unit="weeks"),
    "period_table": lambda t: rk.period_table(t, period="month"),
    "period_totals_quarter": lambda t: rk.period_totals(t, period="quarter"),
    "period_totals_week": lambda t: rk.period_totals(t, period="week"),
    "gap_statistics": engine.gap_statistics,
    "window_activity": lambda t: engine.window_activity(t, windows=WINDOWS),
    "window_order_stats": lambda t: engine.window_order_stats(t, windows=WINDOWS),
    "order_value_stats": lambda t: engine.order_value_stats(t, windows=WINDOWS),
    "order_value_by_month": lambda t: engine.order_value_by_month(t, first_month="2024-01-01"),
    "revenue_before_last_purchase": engine.revenue_before_last_purchase,
    "first_purchase_category": engine.first_purchase_category,
    "category_month_activity": engine.category_month_activity,
    "category_habits": lambda t: engine.category_habits(
        t, habit_start="2024-01-01", quiet_start="2024-07-01"
    ),
    "customer_behaviour": engine.customer_behaviour,
    "customer_ids": engine.customer_ids,
    "date_span": engine.date_span,
    "cohort_activity": lambda t: engine.cohort_activity(t, period="month"),
    "customer_windows": lambda t: engine.customer_windows(t, windows=WINDOWS),
    "daily_purchases": engine.daily_purchases,
    "customer_values": engine.customer_values,
    "category_values": engine.category_values,
    "purchase_journeys": engine.purchase_journeys,
    "lifecycle_counts": lambda t: engine.lifecycle_counts(t, churn_days=120),
}


@pytest.mark.parametrize("name", list(COMPUTATIONS))
def test_engine_computation(both, name):
    duck, spark = both
    same(COMPUTATIONS[name](duck), COMPUTATIONS[name](spark))


def test_groundwork_and_review_end_to_end(both):
    duck, spark = both
    d_status = groundwork.customer_status(duck, groundwork.churn_window(duck))
    s_status = groundwork.customer_status(spark, groundwork.churn_window(spark))
    same(d_status, s_status)
    d_review, s_review = rk.alerts.monthly_review(duck), rk.alerts.monthly_review(spark)
    for name in d_review.detectors:
        same(
            d_review.detectors[name].drop(columns="warning"),
            s_review.detectors[name].drop(columns="warning"),
        )
    same(
        d_review.calls[["customer_id", "value_at_risk"]],
        s_review.calls[["customer_id", "value_at_risk"]],
    )


def test_write_period_table_on_spark(both, tmp_path):
    # Spark writes a folder of part files; it lands under the name asked for, whole
    duck, spark = both
    written = engine.write_period_table(spark, tmp_path / "months.parquet", period="month")
    back = pd.read_parquet(written).sort_values(["customer_id", "period_start"])
    expected = rk.period_table(duck, period="month")
    back["period_start"] = back["period_start"].astype(expected["period_start"].dtype)
    same(expected, back.reset_index(drop=True)[expected.columns.tolist()])
    assert [p.name for p in tmp_path.iterdir()] == ["months.parquet"]  # no partial left
