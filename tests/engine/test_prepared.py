import os
import subprocess
import sys

import pandas as pd
import pytest

import retainkit as rk
from retainkit.engine import execute
from retainkit.engine._prepared import open_prepared, save_prepared
from retainkit.io import _prepare_transactions, _prepared_request

# five lines: an exact duplicate of the first, a return, a line without customer id
_CSV = (
    "customer_id,order_date,revenue\n"
    "a,2024-01-02,10.00\n"
    "a,2024-01-02,10.00\n"
    "b,2024-01-05,-4.00\n"
    ",2024-01-06,3.00\n"
    "c,2024-02-01,7.00\n"
)


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(_CSV, encoding="utf-8")
    return path


def test_a_prepared_file_gives_the_same_transactions(shop, tmp_path):
    direct = rk.load_transactions(shop)
    saved, _ = _prepare_transactions(shop, tmp_path / "p.duckdb", files=[shop])
    again = rk.load_transactions(shop, prepared=saved)
    q = again.quality
    # by hand: 5 lines read; the duplicate and the line without id dropped; a, b, c kept
    assert (q.rows_read, q.rows_kept, q.customers) == (5, 3, 3)
    assert q.dropped == {"missing customer id": 1, "exact duplicate": 1}
    assert q.revenue_kept == pytest.approx(10 - 4 + 7)
    assert (q.return_rows, q.return_revenue) == (1, pytest.approx(-4.0))
    assert q == direct.quality  # every field, notes and mapping included
    assert type(q.first_date) is type(direct.quality.first_date)
    assert q.first_date.unit == direct.quality.first_date.unit
    assert again.columns == direct.columns
    pd.testing.assert_frame_equal(again.to_pandas(), direct.to_pandas())
    # the integer customer key comes back too, numbered in id order
    keys = execute(again.keyed.keys).sort_values("_customer_key")
    assert keys["customer_id"].tolist() == ["a", "b", "c"]
    assert keys["_customer_key"].tolist() == [0, 1, 2]
    # analyses give the same numbers on both
    pd.testing.assert_frame_equal(
        rk.engine.customer_summary(again), rk.engine.customer_summary(direct)
    )


def test_rows_kept_without_a_key_are_saved_too(shop, tmp_path):
    direct = rk.load_transactions(shop, duplicates="keep")
    assert direct.keyed is None
    saved, _ = _prepare_transactions(shop, tmp_path / "p.duckdb", duplicates="keep")
    again = rk.load_transactions(shop, prepared=saved, duplicates="keep")
    assert again.keyed is None
    assert again.quality == direct.quality
    assert again.quality.rows_kept == 4  # the duplicate stays
    pd.testing.assert_frame_equal(again.to_pandas(), direct.to_pandas())


def test_an_empty_prepared_loads_the_data_itself(shop):
    assert rk.load_transactions(shop, prepared="").quality.rows_kept == 3
    assert rk.load_dataset(str(shop), prepared="").transactions.quality.rows_kept == 3


def test_a_file_made_for_other_data_or_options_is_refused(shop, tmp_path):
    saved, _ = _prepare_transactions(shop, tmp_path / "p.duckdb", as_of="2024-01-31")
    assert rk.load_transactions(shop, as_of="2024-01-31", prepared=saved).quality.rows_kept == 2
    with pytest.raises(rk.DataValidationError, match=r"as_of: '2024-01-31' there, None here"):
        rk.load_transactions(shop, prepared=saved)
    with pytest.raises(rk.DataValidationError, match="option duplicates"):
        rk.load_transactions(shop, as_of="2024-01-31", duplicates="keep", prepared=saved)
    with pytest.raises(rk.DataValidationError, match=r'no such file.*prepared = ""'):
        rk.load_transactions(shop, prepared=tmp_path / "gone.duckdb")
    with pytest.raises(rk.SchemaError, match="named source"):
        _prepared_request(pd.DataFrame(), columns=None, as_of=None, options={})


def test_an_input_changed_since_is_refused(shop, tmp_path):
    saved, _ = _prepare_transactions(shop, tmp_path / "p.duckdb", files=[shop])
    shop.write_text(_CSV + "d,2024-03-01,1.00\n", encoding="utf-8")
    with pytest.raises(rk.DataValidationError, match=r"shop.csv changed"):
        rk.load_transactions(shop, prepared=saved)


def test_an_existing_file_is_never_overwritten(shop, tmp_path):
    target = tmp_path / "p.duckdb"
    target.write_bytes(b"mine")
    with pytest.raises(rk.RetainkitError, match="already exists"):
        save_prepared(rk.load_transactions(shop), target, request={})
    assert target.read_bytes() == b"mine"


def test_several_processes_read_one_file_at_once(shop, tmp_path):
    saved, _ = _prepare_transactions(shop, tmp_path / "p.duckdb")
    here = open_prepared(
        saved, request=_prepared_request(shop, columns=None, as_of=None, options={})
    )
    code = (
        "import sys, retainkit as rk\n"
        "t = rk.load_transactions(sys.argv[1], prepared=sys.argv[2])\n"
        "print(t.quality.rows_kept, len(rk.engine.customer_summary(t)))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(shop), str(saved)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [r.communicate(timeout=120) for r in readers]
    assert [r.returncode for r in readers] == [0, 0, 0], [o[1][-500:] for o in outputs]
    # each reader sees the 3 kept rows and the same per-customer summary as this process
    assert [o[0].split() for o in outputs] == [
        ["3", str(len(rk.engine.customer_summary(here)))]
    ] * 3
    assert here.quality.rows_kept == 3
