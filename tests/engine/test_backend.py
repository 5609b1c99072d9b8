import pandas as pd

import retainkit as rk
from retainkit import engine


def _stored(con):
    """Names of regular (not temporary) tables; Ibis 12's list_tables fails on DuckDB 2."""
    rows = con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    return [name for (name,) in rows]


def test_a_database_file_holds_the_cleaned_rows_compressed(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-10", "2024-01-10"]),
            "revenue": [10.0, 20.0, 5.0, 5.0],
        }
    )
    frame.to_parquet(tmp_path / "orders.parquet")
    con = engine.connect(database=str(tmp_path / "scratch.duckdb"))
    in_file = rk.load_transactions(tmp_path / "orders.parquet", backend=con)
    in_memory = rk.load_transactions(frame)
    # the cleaned rows are a regular table of the file, not a temporary one
    assert any(name.startswith("retainkit_rows_") for name in _stored(con))
    assert in_file.quality.dropped == in_memory.quality.dropped == {"exact duplicate": 1}
    pd.testing.assert_frame_equal(
        rk.customer_summary(in_file), rk.customer_summary(in_memory), check_dtype=False
    )
    # by hand: a has purchase days Jan 1 and Feb 1 (30 + 1 = 31 days apart), b one day
    assert rk.customer_summary(in_file, time_unit="days")["recency"].tolist() == [31.0, 0.0]


def test_in_memory_connections_keep_rows_in_the_cache(tmp_path):
    con = engine.connect()
    frame = pd.DataFrame(
        {"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [1.0]}
    )
    frame.to_parquet(tmp_path / "orders.parquet")
    rk.load_transactions(tmp_path / "orders.parquet", backend=con)
    assert not any(name.startswith("retainkit_rows_") for name in _stored(con))
