import duckdb
import pytest

import retainkit as rk
from retainkit.engine import hide_password
from tests.conftest import DATA


def test_a_duckdb_database_table_by_url(tmp_path):
    db = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE orders AS SELECT * FROM read_parquet("
        f"'{DATA / 'demo_shop' / 'transactions.parquet'}')"
    )
    con.close()
    txn = rk.load_transactions(f"duckdb:///{db}?table=orders")
    assert txn.quality.rows_kept == rk.load_transactions("demo").quality.rows_kept
    with pytest.raises(rk.SchemaError, match=r"has no table 'sales'.*\['orders'\]"):
        rk.load_transactions(f"duckdb:///{db}?table=sales")
    with pytest.raises(rk.SchemaError, match="names no table"):
        rk.load_transactions(f"duckdb:///{db}")


def test_a_parquet_folder_and_glob(tmp_path):
    import pandas as pd

    demo = pd.read_parquet(DATA / "demo_shop" / "transactions.parquet")
    (tmp_path / "year=2023").mkdir()
    (tmp_path / "year=2024").mkdir()
    demo.iloc[:30_000].to_parquet(tmp_path / "year=2023" / "part.parquet")
    demo.iloc[30_000:].to_parquet(tmp_path / "year=2024" / "part.parquet")
    folder = rk.load_transactions(tmp_path)
    glob = rk.load_transactions(str(tmp_path / "*" / "*.parquet"))
    assert folder.quality.rows_read == glob.quality.rows_read == len(demo)


def test_passwords_never_shown():
    assert hide_password("postgres://a:pw@h/db?table=t") == "postgres://a:***@h/db?table=t"
    assert hide_password("duckdb:///x.duckdb") == "duckdb:///x.duckdb"
