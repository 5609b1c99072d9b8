import hashlib

import pandas as pd
import pytest

import retainkit as rk
from retainkit._resources import data_dir
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.io import read_mapping_file


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ real data


def test_online_retail_counts_match_the_published_description():
    # keep everything that has a customer id: the raw counts of data/README.md
    txn = rk.load_transactions("online_retail", duplicates="keep", zero_revenue="keep")
    q = txn.quality
    assert q.rows_read == 541_909
    assert q.dropped == {"missing customer id": 135_080}
    assert q.rows_kept == 406_829
    assert q.customers == 4_372


def test_online_retail_default_cleaning_is_accounted_for():
    q = rk.load_transactions("online_retail").quality
    assert q.rows_read == q.rows_kept + sum(q.dropped.values())
    # the read revenue and the cancellations, counted with pandas on the raw file
    raw = pd.read_csv(
        data_dir() / "online_retail" / "online_retail_2010-2011.csv.gz",
        encoding="latin-1",
        dtype={"CustomerID": str, "InvoiceNo": str},
    )
    revenue_read = (raw["Quantity"] * raw["UnitPrice"]).sum()
    assert round(revenue_read, 2) == 9_747_747.93
    assert q.revenue_read == pytest.approx(revenue_read, abs=0.01)
    assert q.revenue_kept + sum(q.revenue_dropped.values()) == pytest.approx(
        q.revenue_read, abs=0.01
    )
    # cancellations are netted, not dropped: the "C" invoice lines with a customer id
    # that remain after exact duplicates are dropped, 8,872 of them
    named = raw.dropna(subset=["CustomerID"]).drop_duplicates()
    cancelled = named[named["InvoiceNo"].str.startswith("C")]
    assert len(cancelled) == 8_872
    assert q.return_rows == len(cancelled) and q.return_revenue < 0
    assert "revenue derived as quantity × unit_price" in q.notes


def test_cdnow_master_totals():
    txn = rk.load_transactions("cdnow")
    q = txn.quality
    assert (q.rows_read, q.rows_kept, q.customers) == (69_659, 69_659, 23_570)
    assert q.revenue_kept == pytest.approx(2_500_315.63, abs=0.005)
    cds = txn.to_pandas()["quantity"].sum()
    assert cds == 167_881


def test_cdnow_sample_counts():
    q = rk.load_transactions("cdnow_sample").quality
    assert (q.rows_read, q.customers) == (6_919, 2_357)


def test_demo_shop_loads_with_side_tables():
    ds = rk.load_dataset("demo")
    truth = pd.read_csv(ds.files[0].parent / "truth.csv")
    assert ds.transactions.quality.customers == len(truth)
    assert set(ds.customers.columns) == {"customer_id", "region", "channel", "satisfaction"}
    assert ds.reasons["customer_id"].isin(truth["customer_id"].astype(str)).all()


# -------------------------------------------------------------- text files


def test_semicolon_decimal_comma_and_day_first_dates(tmp_path):
    p = _write(
        tmp_path,
        "orders.csv",
        "Kunde;Datum;Umsatz\n1001;13.01.2024;1.234,50\n1001;02.02.2024;10,25\n1002;03.02.2024;5\n",
    )
    before = _sha(p)
    txn = rk.load_transactions(
        p, columns={"customer_id": "Kunde", "order_date": "Datum", "revenue": "Umsatz"}
    )
    got = txn.to_pandas()
    assert got["revenue"].tolist() == [1234.5, 10.25, 5.0]
    assert got["order_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-13",
        "2024-02-02",
        "2024-02-03",
    ]
    assert any("decimal comma" in n for n in txn.quality.notes)
    assert any("%d.%m.%Y" in n for n in txn.quality.notes)
    assert _sha(p) == before  # the input file is only read


def test_tab_delimited_with_bom_and_currency_symbols(tmp_path):
    text = (
        "\ufeffcustomer_id\torder_date\trevenue\nx\t2024-01-01\t$1,200.00\ny\t2024-01-02\t(15.00)\n"
    )
    p = _write(tmp_path, "orders.tsv", text)
    got = rk.load_transactions(p).to_pandas()
    assert got["customer_id"].tolist() == ["x", "y"]
    assert got["revenue"].tolist() == [1200.0, -15.0]


def test_latin1_file(tmp_path):
    text = "customer_id,order_date,revenue,category\nA,2024-01-01,3.5,Café\n"
    p = _write(tmp_path, "latin.csv", text, encoding="latin-1")
    got = rk.load_transactions(p).to_pandas()
    assert got["category"].tolist() == ["Café"]


def test_ambiguous_dates_ask_for_the_format(tmp_path):
    p = _write(tmp_path, "a.csv", "customer_id,order_date\na,03/04/2024\nb,05/06/2024\n")
    with pytest.raises(DataValidationError, match="day-first and month-first") as err:
        rk.load_transactions(p)
    assert "date_format='%d/%m/%Y'" in str(err.value)
    got = rk.load_transactions(p, dayfirst=False).to_pandas()
    assert got["order_date"].dt.month.tolist() == [3, 5]
    got = rk.load_transactions(p, date_format="%d/%m/%Y").to_pandas()
    assert got["order_date"].dt.month.tolist() == [4, 6]


def test_month_first_dates_detected_when_unambiguous(tmp_path):
    p = _write(tmp_path, "m.csv", "customer_id,order_date\na,12/31/2023\nb,01/02/2024\n")
    got = rk.load_transactions(p).to_pandas()
    assert got["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-31", "2024-01-02"]


def test_repeated_header_rows_and_missing_ids_are_counted(tmp_path):
    text = (
        "customer_id,order_date,revenue\n"
        "a,2024-01-01,1\n"
        "customer_id,order_date,revenue\n"
        ",2024-01-02,2\n"
        "b,2024-01-03,3\n"
        "b,2024-01-03,3\n"
    )
    p = _write(tmp_path, "h.csv", text)
    q = rk.load_transactions(p, max_invalid_share=0.5).quality
    assert q.dropped == {
        "repeated header row": 1,
        "missing customer id": 1,
        "exact duplicate": 1,
    }
    assert q.rows_kept == 2
    assert q.revenue_dropped["missing customer id"] == 2.0
    assert q.revenue_dropped["exact duplicate"] == 3.0


def test_too_many_unreadable_dates_fail_with_rows_and_a_fix(tmp_path):
    rows = "".join(f"c{i},2024-01-{i + 1:02d},1\n" for i in range(8))
    p = _write(
        tmp_path, "d.csv", "customer_id,order_date,revenue\n" + rows + "c9,soon,1\nc10,later,2\n"
    )
    with pytest.raises(DataValidationError, match="unparseable date") as err:
        rk.load_transactions(p)
    text = str(err.value)
    assert "'order_date'" in text and "line 10: 'soon'" in text and "date_format" in text


def test_non_numeric_amounts_dropped_and_counted(tmp_path):
    rows = "".join(f"c{i},2024-01-01,{i + 1}\n" for i in range(40))
    p = _write(tmp_path, "n.csv", "customer_id,order_date,revenue\n" + rows + "x,2024-01-02,abc\n")
    q = rk.load_transactions(p).quality
    assert q.dropped == {"non-numeric amount": 1}


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(DataValidationError, match="is empty"):
        rk.load_transactions(_write(tmp_path, "e.csv", ""))
    with pytest.raises(DataValidationError, match="no rows left"):
        rk.load_transactions(_write(tmp_path, "h.csv", "customer_id,order_date,revenue\n"))


def test_revenue_derived_from_quantity_and_unit_price(tmp_path):
    p = _write(tmp_path, "q.csv", "cust,date,qty,price\na,2024-01-01,3,2.5\na,2024-01-05,-1,2.5\n")
    txn = rk.load_transactions(p, columns={"customer_id": "cust"})
    got = txn.to_pandas()
    assert got["revenue"].tolist() == [7.5, -2.5]
    assert got["is_return"].tolist() == [False, True]
    assert txn.quality.return_rows == 1


def test_frequency_only_data_loads_without_money(tmp_path):
    p = _write(tmp_path, "f.csv", "customer,date\na,2024-01-01\nb,2024-01-02\n")
    txn = rk.load_transactions(p)
    assert not txn.has_revenue
    assert txn.quality.revenue_kept is None


def test_rows_after_as_of_are_left_out(tiny):
    q = rk.load_transactions(tiny, as_of="2024-01-15").quality
    assert q.dropped == {"after as_of": 3}
    assert q.last_date == pd.Timestamp("2024-01-15 10:00")


def test_zero_revenue_policy(tiny):
    frame = pd.concat([tiny, tiny.head(1).assign(revenue=0.0, order_id="z")], ignore_index=True)
    assert rk.load_transactions(frame).quality.dropped == {"zero revenue": 1}
    assert rk.load_transactions(frame, zero_revenue="keep").quality.rows_kept == 8


def test_returns_can_be_dropped(tiny):
    q = rk.load_transactions(tiny, returns="drop").quality
    assert q.dropped == {"return line (returns='drop')": 1}
    assert q.revenue_kept == 84.0


def test_bad_option_value_is_a_schema_error(tiny):
    with pytest.raises(SchemaError, match="returns='keep' is not one of"):
        rk.load_transactions(tiny, returns="keep")


# ------------------------------------------------------- mapping files, excel


def test_mapping_file_with_reading_options(tmp_path):
    p = _write(tmp_path, "x.csv", "K|D|U\n7|31/01/2024|2,5\n")
    m = _write(
        tmp_path,
        "map.toml",
        '[columns]\ncustomer_id = "K"\norder_date = "D"\nrevenue = "U"\n'
        '[read]\ndelimiter = "|"\ndate_format = "%d/%m/%Y"\ndecimal = ","\n',
    )
    got = rk.load_transactions(p, columns=m).to_pandas()
    assert got["revenue"].tolist() == [2.5]
    assert got["order_date"].iloc[0] == pd.Timestamp("2024-01-31")


def test_wrong_mapping_file_says_how_to_fix(tmp_path):
    p = _write(tmp_path, "x.csv", "Cust No,Date,Amount\n1,2024-01-01,3\n")
    m = _write(tmp_path, "map.toml", '[columns]\ncustomer_id = "CustNo"\n')
    with pytest.raises(SchemaError, match=r"'CustNo'.*closest: 'Cust No'"):
        rk.load_transactions(p, columns=m)
    bad = _write(tmp_path, "bad.toml", '[colums]\ncustomer_id = "Cust No"\n')
    with pytest.raises(SchemaError, match=r"unknown table \[colums\]"):
        read_mapping_file(bad)


def test_excel_with_several_sheets(tmp_path):
    p = tmp_path / "book.xlsx"
    with pd.ExcelWriter(p) as writer:
        pd.DataFrame({"notes": ["hello"]}).to_excel(writer, sheet_name="Read me", index=False)
        pd.DataFrame(
            {
                "CustomerID": [17850.0, 13047.0],
                "InvoiceDate": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                "Amount": [3.0, 4.0],
            }
        ).to_excel(writer, sheet_name="Orders", index=False)
    txn = rk.load_transactions(p)
    assert txn.source.endswith("[sheet Orders]")
    assert txn.to_pandas()["customer_id"].tolist() == ["17850", "13047"]
    with pytest.raises(SchemaError, match="has no sheet 'Nope'"):
        rk.load_transactions(p, sheet="Nope")


def test_unknown_preset_or_missing_file():
    with pytest.raises(SchemaError, match="no such file"):
        rk.load_transactions("no_such_data")


def test_write_table_neutralises_formulas_in_csv_and_excel(tmp_path):
    frame = pd.DataFrame(
        {"name": ["=cmd()", "+1", "-2", "@x", "ok", None], "value": [-1, 2, 3, 4, 5, 6]}
    )
    csv = rk.write_table(frame, tmp_path / "t.csv")
    text = csv.read_text(encoding="utf-8-sig").splitlines()
    assert text[1:5] == ["'=cmd(),-1", "'+1,2", "'-2,3", "'@x,4"] and text[5] == "ok,5"
    xlsx = rk.write_table(frame, tmp_path / "t.xlsx")
    back = pd.read_excel(xlsx, engine="openpyxl")
    assert back["name"].tolist()[:4] == ["'=cmd()", "'+1", "'-2", "'@x"]
    assert back["value"].tolist() == [-1, 2, 3, 4, 5, 6]
    with pytest.raises(FileExistsError):
        rk.write_table(frame, csv)
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        rk.write_table(frame, tmp_path / "t.json")


def test_loaded_rows_are_stored_with_a_customer_key_in_id_order():
    frame = pd.DataFrame(
        {
            "customer_id": ["b", "a", "B", "10", "9", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-0" + d for d in "5123491"]),
            "revenue": [7.0, 10.0, 3.0, 4.0, 5.0, 6.0, 8.0],
        }
    )
    txn = rk.load_transactions(frame)
    keys = rk.engine.execute(txn.keyed.keys.order_by("_customer_key"))
    # numbered 0, 1, 2, ... in the order of the ids as text
    assert keys["customer_id"].tolist() == ["10", "9", "B", "a", "b"]
    assert keys["_customer_key"].tolist() == [0, 1, 2, 3, 4]
    stored = rk.engine.execute(txn.keyed.rows)
    assert stored["_customer_key"].tolist() == [0, 1, 2, 3, 3, 4, 4]
    assert stored["order_date"].dt.day.tolist() == [3, 4, 2, 1, 9, 1, 5]  # by date within
    assert "_customer_key" not in txn.columns
    assert txn.quality.customers == 5
    assert rk.load_transactions(frame, duplicates="keep").keyed is None


def test_carried_columns_cannot_take_a_working_column_name():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "order_date": ["2024-01-02", "2024-01-03"],
            "revenue": [1.0, 2.0],
            "store": ["north", "south"],
            "_customer_key": ["x", "y"],
        }
    )
    carried = rk.load_transactions(frame, keep_columns=["store"])
    assert rk.engine.execute(carried.table.order_by("customer_id"))["store"].tolist() == [
        "north",
        "south",
    ]
    with pytest.raises(SchemaError, match="'_customer_key', a name retainkit uses"):
        rk.load_transactions(frame, keep_columns=["_customer_key"])


def test_cleaning_options_as_one_object_equal_the_keywords():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "order_date": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-03", "2024-02-01"]),
            "revenue": [10.0, -4.0, 7.0, 0.0],
        }
    )
    options = rk.engine.CleaningOptions(returns="drop", zero_revenue="keep")
    by_object = rk.load_transactions(frame, cleaning=options)
    by_keywords = rk.load_transactions(frame, returns="drop", zero_revenue="keep")
    # a's return line (-4) dropped; b's zero-revenue line kept: 3 of 4 lines
    assert by_object.quality.rows_kept == by_keywords.quality.rows_kept == 3
    assert by_object.to_pandas().equals(by_keywords.to_pandas())
    # a keyword given beside the object wins: the return is netted again, 4 lines
    assert rk.load_transactions(frame, cleaning=options, returns="net").quality.rows_kept == 4
    with pytest.raises(rk.SchemaError, match="is not a CleaningOptions"):
        rk.load_transactions(frame, cleaning={"returns": "drop"})
