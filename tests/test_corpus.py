"""Every file of the corpus of bad and awkward inputs gives its expected outcome.

Expected outcomes are listed in tests/corpus/README.md: a correct result, or a retainkit
error whose message says what is wrong and where. No public function may let a raw
pandas, numpy or DuckDB exception through on any of them.
"""

import hashlib

import pandas as pd
import pytest

import retainkit as rk
from retainkit.exceptions import RetainkitError
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"


def load(name, **kw):
    return rk.load_transactions(CORPUS / name, **kw)


def dates(txn):
    return txn.to_pandas()["order_date"].dt.strftime("%Y-%m-%d %H:%M").tolist()


# ------------------------------------------------------------- errors expected

ERRORS = [
    ("empty.csv", {}, rk.DataValidationError, "is empty"),
    ("header_only.csv", {}, rk.DataValidationError, "no rows left"),
    ("ambiguous_dates.csv", {}, rk.DataValidationError, "day-first and month-first"),
    ("absurd_amount.csv", {}, rk.DataValidationError, r"implausible amounts.*line 62"),
]


@pytest.mark.parametrize(("name", "kw", "error", "match"), ERRORS, ids=[e[0] for e in ERRORS])
def test_unusable_inputs_raise_clear_errors(name, kw, error, match):
    with pytest.raises(error, match=match):
        load(name, **kw)


def test_mapping_two_names_on_one_column():
    with pytest.raises(rk.SchemaError, match="same column 'customer_id'"):
        rk.load_transactions(CORPUS / "messy_ids.csv", columns=CORPUS / "two_names_one_column.toml")


def test_duplicate_attribute_ids():
    with pytest.raises(rk.DataValidationError, match=r"unique.*\['a'\]"):
        rk.load_customers(CORPUS / "customers_duplicate_ids.csv")


# ------------------------------------------------------------ results expected


def test_small_and_flat_histories_load():
    solo = load("single_customer.csv")
    assert (solo.quality.customers, solo.quality.rows_kept) == (1, 6)
    day = load("single_day.csv")
    assert day.quality.first_date.normalize() == day.quality.last_date.normalize()
    one = load("one_timestamp.csv")
    summary = rk.customer_summary(one)
    assert summary["orders"].tolist() == [1, 1, 1]  # same timestamp: one order each
    assert summary["revenue"].tolist() == [5.0, 7.0, 9.0]


def test_dates_in_every_form():
    assert dates(load("ambiguous_dates.csv", dayfirst=True))[:2] == [
        "2024-04-03 00:00",
        "2024-06-05 00:00",
    ]
    assert dates(load("day_first.csv"))[1] == "2024-06-25 00:00"
    assert dates(load("month_first.csv"))[1] == "2024-06-25 00:00"
    mixed = load("mixed_dates.csv")
    assert dates(mixed) == [
        "2024-01-05 00:00",
        "2024-02-13 00:00",
        "2024-03-01 00:00",
        "2024-06-25 00:00",
    ]
    tz = load("timezones.csv")
    assert dates(tz) == [
        "2024-01-01 23:30",
        "2024-01-02 10:00",
        "2024-01-03 10:00",
        "2024-01-04 09:00",
    ]  # local clock times, offsets ignored
    assert any("state a time-zone offset" in n for n in tz.quality.notes)


def test_amount_formats_and_encodings():
    comma = rk.load_transactions(
        CORPUS / "decimal_comma.csv",
        columns={"customer_id": "kunde", "order_date": "datum", "revenue": "umsatz"},
    )
    assert comma.to_pandas()["revenue"].tolist() == [1234.56, 12.5, 0.99]
    assert load("currency_symbols.csv").to_pandas()["revenue"].tolist() == [
        1200.0,
        15.5,
        7.25,
        -3.0,
    ]
    assert load("utf8_bom.csv").to_pandas()["customer_id"].tolist() == ["é1"]
    assert load("latin1.csv").to_pandas()["category"].tolist() == ["Café"]
    for name in ("semicolon.csv", "tab.tsv"):
        assert load(name).to_pandas()["revenue"].tolist() == [1.5, 2.5]


def test_repeated_headers_and_duplicates_are_counted():
    q = load("repeated_headers.csv").quality
    assert (q.rows_kept, q.dropped) == (3, {"repeated header row": 2})
    q = load("exact_duplicates.csv").quality
    assert (q.rows_kept, q.dropped) == (2, {"exact duplicate": 1})


def test_messy_ids():
    txn = load("messy_ids.csv")
    assert sorted(rk.customer_summary(txn)["customer_id"]) == ["17850", "AB1", "ab1"]
    assert any("differ from another only in letter case" in n for n in txn.quality.notes)
    folded = load("messy_ids.csv", id_case="upper")
    assert sorted(rk.customer_summary(folded)["customer_id"]) == ["17850", "AB1"]


def test_bad_amounts_are_returns_drops_and_counts():
    q = load("bad_amounts.csv").quality
    assert q.dropped == {"non-numeric amount": 2, "zero revenue": 1}
    assert q.return_rows == 1 and q.return_revenue == -5.0
    dropped = load("absurd_amount.csv", outliers="drop").quality
    assert dropped.dropped == {"implausible amount": 1}
    kept = load("absurd_amount.csv", outliers="keep").quality
    assert kept.rows_kept == 61


def test_dates_out_of_range_dropped():
    q = load("dates_out_of_range.csv").quality
    assert q.dropped == {"implausible date": 2}
    assert q.last_date < pd.Timestamp("2100-01-01")


def test_side_tables():
    ds = rk.load_dataset(
        CORPUS / "exact_duplicates.csv",
        customers=CORPUS / "customers_unknown_ids.csv",
        reasons=CORPUS / "reasons_blank.csv",
    )
    assert any("'zz'" in n for n in ds.notes)
    assert ds.reasons["reason"].tolist() == ["Price too high", "not stated", "not stated"]
    book = load("several_sheets.xlsx")
    assert book.source.endswith("[sheet Orders]") and book.quality.customers == 2
    # two sheets with the same header (one per year) are one log, as Online Retail II
    years = load("two_order_sheets.xlsx")
    assert years.quality.rows_kept == 2
    assert dates(years) == ["2023-05-01 00:00", "2024-05-01 00:00"]
    assert any("2 sheets with the same columns read together" in n for n in years.quality.notes)


# ----------------------------------------------- nothing raw, nothing changed

LOADABLE = sorted(
    p.name
    for p in CORPUS.iterdir()
    if p.suffix in {".csv", ".tsv", ".xlsx"} and not p.name.startswith(("customers_", "reasons_"))
)


@pytest.mark.parametrize("name", LOADABLE)
def test_no_raw_exception_reaches_the_user(name):
    path = CORPUS / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    options = {"columns": {"customer_id": "kunde", "order_date": "datum", "revenue": "umsatz"}}
    kw = options if name == "decimal_comma.csv" else {}
    try:
        txn = rk.load_transactions(path, **kw)
    except RetainkitError:
        txn = None
    if txn is not None:
        rk.customer_summary(txn)
        rk.period_totals(txn)
        window = rk.groundwork.churn_window(txn)
        status = rk.groundwork.customer_status(txn, window)
        rk.groundwork.churn_summary(status)
        rk.sections.loss_story(status)
        rk.sections.cost_story(status, horizon_years=5, discount_rate=0.1)
        rk.groundwork.loss_figures(status, value=rk.ValueAssumptions())
        rk.groundwork.survival_by(status)
        rk.alerts.monthly_review(txn)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_importing_the_corpus_script_writes_nothing():
    # pytest's doctest collection imports every module under tests/; the script that
    # wrote the corpus once must not rewrite the committed files when imported
    import runpy

    stamps = {p.name: p.stat().st_mtime_ns for p in CORPUS.iterdir()}
    runpy.run_path(str(CORPUS / "make_corpus.py"), run_name="tests.corpus.make_corpus")
    assert {p.name: p.stat().st_mtime_ns for p in CORPUS.iterdir()} == stamps
