import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.engine import (
    attributes_from_transactions,
    period_totals,
    resolve_as_of,
    write_period_table,
)
from tests.conftest import DATA


def test_customer_summary_by_hand(tiny):
    s = rk.customer_summary(tiny, as_of="2024-02-05", time_unit="days")
    # a: purchase days 01-01 (15) and 01-15 (20); return on 01-20 (-5) nets revenue only
    # b: one purchase day 01-08 (7)
    # c: two orders on 02-01 (30 + 12) are one purchase day
    expected = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01"]),
            "last_purchase": pd.to_datetime(["2024-01-15", "2024-01-08", "2024-02-01"]),
            "orders": [2, 1, 2],
            "purchase_days": [2, 1, 1],
            "revenue": [30.0, 7.0, 42.0],
            "return_lines": [1, 0, 0],
            "frequency": [1, 0, 0],
            "recency": [14.0, 0.0, 0.0],
            "T": [35.0, 28.0, 4.0],
            "monetary_value": [20.0, 0.0, 0.0],
            "days_since_last_purchase": [21, 28, 4],
        }
    )
    pd.testing.assert_frame_equal(s, expected, check_dtype=False)
    assert s.attrs == {"as_of": pd.Timestamp("2024-02-05"), "time_unit": "days"}
    weeks = rk.customer_summary(tiny, as_of="2024-02-05", time_unit="weeks")
    np.testing.assert_allclose(weeks["T"], [5.0, 4.0, 4 / 7])


def test_summary_cuts_at_as_of_and_defaults_to_last_day(tiny):
    s = rk.customer_summary(tiny, as_of="2024-01-10")
    assert s["customer_id"].tolist() == ["a", "b"]
    assert s.set_index("customer_id").loc["a", "revenue"] == 15.0
    assert resolve_as_of(tiny) == pd.Timestamp("2024-02-01")


def test_summary_totals_equal_transaction_totals():
    txn = rk.load_transactions("demo")
    s = rk.customer_summary(txn)
    assert s["revenue"].sum() == pytest.approx(txn.quality.revenue_kept, rel=1e-12)
    assert len(s) == txn.quality.customers


def test_cdnow_sample_summary_matches_the_published_calibration_summary():
    # Fader & Hardie's summary of the 1-in-10 sample: 39 weeks to 1997-09-30, weeks
    published = pd.read_csv(DATA / "cdnow" / "cdnow_customers_summary.csv")
    ours = rk.customer_summary(
        rk.load_transactions("cdnow_sample"), as_of="1997-09-30", time_unit="weeks"
    )
    ours = ours.assign(ID=ours["customer_id"].astype(int)).set_index("ID").sort_index()
    published = published.set_index("ID").sort_index()
    assert len(ours) == len(published) == 2357
    assert (ours["frequency"] == published["frequency"]).all()
    np.testing.assert_allclose(ours["recency"], published["recency"], atol=0.006)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.006)
    with_tx = pd.read_csv(DATA / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    with_tx = with_tx.set_index("ID").sort_index()
    repeaters = with_tx["x"] > 0
    np.testing.assert_allclose(
        ours.loc[repeaters, "monetary_value"], with_tx.loc[repeaters, "zbar"], atol=0.006
    )


def test_frequency_only_summary_has_no_money_columns(tiny):
    s = rk.customer_summary(tiny.drop(columns="revenue"), as_of="2024-02-05")
    assert "revenue" not in s and "monetary_value" not in s
    # without amounts nothing marks r1 as a return: 2024-01-20 is a purchase day
    assert s["frequency"].tolist() == [2, 0, 0]


def test_unknown_time_unit(tiny):
    with pytest.raises(ValueError, match="time_unit='fortnights'"):
        rk.customer_summary(tiny, time_unit="fortnights")


def test_period_table_by_hand(tiny):
    got = rk.period_table(tiny, period="month")
    expected = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "period_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
            "orders": [2, 1, 2],
            "purchase_days": [2, 1, 1],
            "revenue": [30.0, 7.0, 42.0],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_write_period_table_matches_period_table(tiny, tmp_path):
    path = write_period_table(tiny, tmp_path / "out" / "months.parquet", period="month")
    written = pd.read_parquet(path).sort_values(["customer_id", "period_start"])
    expected = rk.period_table(tiny, period="month")
    # by hand (see test_period_table_by_hand): a 2 orders in January, b 1, c 2 in February
    assert written["orders"].tolist() == [2, 1, 2]
    pd.testing.assert_frame_equal(
        written.reset_index(drop=True).astype({"customer_id": str}),
        expected.astype({"customer_id": str}),
        check_dtype=False,
    )
    assert [p.name for p in path.parent.iterdir()] == ["months.parquet"]  # no partial file left


def test_write_period_table_never_overwrites(tiny, tmp_path):
    path = tmp_path / "months.parquet"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match=r"months\.parquet exists"):
        write_period_table(tiny, path)
    assert path.read_bytes() == b"keep me"


def test_period_table_weeks_start_on_monday(tiny):
    got = rk.period_table(tiny, period="week")
    # 2024-01-01 is a Monday; 2024-01-15 and 01-20 fall in the week of 01-15
    assert got.loc[got["customer_id"] == "a", "period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-15",
    ]


def test_period_totals_by_hand(tiny):
    got = period_totals(tiny, period="month")
    assert got["active_customers"].tolist() == [2, 1]
    assert got["new_customers"].tolist() == [2, 1]
    assert got["orders"].tolist() == [3, 2]
    assert got["revenue"].tolist() == [37.0, 42.0]
    assert got["days_covered"].tolist() == [31, 1]


def test_attributes_from_transactions_takes_the_most_frequent_value():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b"],
            "order_date": pd.to_datetime(["2024-01-01"] * 5),
            "Country": ["UK", "FR", "UK", "DE", "AT"],
        }
    )
    got = attributes_from_transactions(frame, columns=["Country"])
    assert got.to_dict("list") == {"customer_id": ["a", "b"], "Country": ["UK", "AT"]}


def test_summaries_are_computed_once_per_transactions_and_copied(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-08"]),
            "revenue": [10.0, 20.0, 7.0],
        }
    )
    txn = rk.load_transactions(frame)
    first = rk.customer_summary(txn, time_unit="days")
    first.loc[0, "frequency"] = 99  # the caller's copy; the remembered one is untouched
    second = rk.customer_summary(txn, time_unit="days")
    assert second["frequency"].tolist() == [1, 0]
    assert second.attrs["time_unit"] == "days"
    assert len(txn._memo) == 1
    rk.customer_summary(txn, time_unit="weeks")  # other arguments: computed anew
    assert len(txn._memo) == 2
    assert rk.customer_summary(txn, time_unit="weeks")["recency"].tolist() == [2.0, 0.0]


def test_summary_on_keyed_rows_equals_the_summary_on_text_ids():
    # ids whose text order is not their order of appearance; "z" only returned goods
    frame = pd.DataFrame(
        {
            "customer_id": ["b", "a", "B", "10", "9", "a", "b", "z"],
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8"],
            "order_date": pd.to_datetime(["2024-01-0" + d for d in "51234916"]),
            "revenue": [7.0, 10.0, 3.0, 4.0, 5.0, 6.0, 8.0, -2.0],
        }
    )
    txn = rk.load_transactions(frame)
    assert txn.keyed is not None
    keyed = rk.customer_summary(txn, as_of="2024-01-10", time_unit="days")
    by_text = rk.customer_summary(txn.table, as_of="2024-01-10", time_unit="days")
    pd.testing.assert_frame_equal(keyed, by_text)
    assert keyed["customer_id"].tolist() == ["10", "9", "B", "a", "b"]
    assert keyed.set_index("customer_id").loc["b", "monetary_value"] == 7.0  # 01-05 repeat
    # duplicate lines kept: the rows are read where they were cleaned, without a key
    kept = rk.load_transactions(frame, duplicates="keep")
    assert kept.keyed is None
    pd.testing.assert_frame_equal(
        rk.customer_summary(kept, as_of="2024-01-10", time_unit="days"), keyed
    )


def test_summary_litt_by_hand(tiny):
    # a: purchase days 01-01 and 01-15 (the 01-20 return is no purchase day): one gap of
    # 14 days, litt = log(14) in days and log(2) in weeks; b, c: one purchase day each, 0
    days = rk.customer_summary(tiny, as_of="2024-02-05", time_unit="days", litt=True)
    np.testing.assert_allclose(days["litt"], [np.log(14.0), 0.0, 0.0], rtol=1e-12)
    weeks = rk.customer_summary(tiny, as_of="2024-02-05", time_unit="weeks", litt=True)
    np.testing.assert_allclose(weeks["litt"], [np.log(2.0), 0.0, 0.0], rtol=1e-12, atol=1e-15)
    assert weeks.columns.get_loc("litt") == weeks.columns.get_loc("T") + 1
    # off by default: the summary is unchanged
    plain = rk.customer_summary(tiny, as_of="2024-02-05", time_unit="weeks")
    assert "litt" not in plain.columns
    pd.testing.assert_frame_equal(weeks.drop(columns="litt"), plain)


def test_summary_litt_matches_the_gaps_counted_with_pandas():
    # counted independently from the raw rows: distinct purchase days per customer, the
    # log of each gap in weeks, summed
    txn = rk.load_transactions("cdnow_sample")
    s = rk.customer_summary(txn, as_of="1997-09-30", time_unit="weeks", litt=True)
    raw = pd.read_csv(
        DATA / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "date", "cds", "dollars"],
        dtype={"sample_id": str, "date": str},
    )
    raw["day"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    days = raw.loc[raw["day"] <= "1997-09-30", ["sample_id", "day"]].drop_duplicates()
    days = days.sort_values(["sample_id", "day"])
    gaps = days.groupby("sample_id")["day"].diff().dt.days.dropna() / 7
    want = np.log(gaps).groupby(days.loc[gaps.index, "sample_id"]).sum()
    got = s.set_index("customer_id")["litt"]
    assert len(want) == (s["frequency"] > 0).sum()
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-12, atol=1e-12)
    assert (got.drop(want.index) == 0).all()


def test_the_customer_days_relation_is_built_once_per_transactions():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-08"]),
            "revenue": [10.0, 20.0, 7.0],
        }
    )
    txn = rk.load_transactions(frame)
    days = rk.engine.customer_days(txn)
    assert rk.engine.customer_days(txn) is days
    rk.customer_summary(txn, time_unit="days")
    rk.engine.gap_statistics(txn)
    assert rk.engine.customer_days(txn) is days
    # grouped on the integer key: customer ids come back through the key table
    assert days.key == "_customer_key"
    got = rk.engine.execute(days.ids(days.table).order_by(["customer_id", "day"]))
    assert got["customer_id"].tolist() == ["a", "a", "b"]
    assert got["purchase_revenue"].tolist() == [10.0, 20.0, 7.0]
