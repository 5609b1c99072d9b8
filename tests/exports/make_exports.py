"""Write the corpus of files shaped like real exports, each with its truth.

Run: python tests/exports/make_exports.py   (from the project root; the files are committed)

Every case is built from records written out below. A record says what a line *means*
(customer id after trimming, local order date, its net revenue, its order, or why it
must be dropped); the case then writes the line the way the tool exports it. The truth
file ``<case>.toml`` is computed from the records, never from a parser, and is checked
against figures worked out by hand (``hand=`` in each case). README.md lists the cases.

Importing this module writes nothing (pytest imports it for doctests).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).parent
D = Decimal

#: Drop reasons, in the order they are applied (a row counts under the first that applies).
REASONS = (
    "malformed line",
    "repeated header row",
    "totals row",
    "missing customer id",
    "guest placeholder id",
    "unparseable date",
    "implausible date",
    "non-numeric amount",
    "implausible amount",
    "other currency",
    "not a completed sale",
    "after as_of",
    "return line (returns='drop')",
    "zero revenue",
    "exact duplicate",
)


@dataclass(frozen=True)
class Row:
    """What one data record of a file means.

    ``cust`` is the id after trimming, ``day`` the local order date, ``amount`` the
    record's share of net revenue, ``order`` its order id (None when the file has no
    order id column), ``drop`` the reason it must be dropped (None: kept).
    """

    cust: str | None
    day: dt.date | None
    amount: Decimal | None
    order: str | None = None
    drop: str | None = None


@dataclass
class Case:
    name: str  # the truth file is <name>.toml
    file: str  # data file or folder, relative to this folder
    what: str  # the real-world shape and what could go wrong
    rows: list[Row]
    hand: tuple | None = None  # (rows_read, rows_kept, customers, revenue, first, last, dropped)
    load: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    spot: tuple[tuple[str, bool], ...] = ()  # (customer id, also check orders)
    notes: tuple[str, ...] = ()  # comments written into the truth file
    extra: str = ""  # further TOML tables (side table checks)


FILES: dict[str, bytes] = {}  # relative path -> exact bytes, filled by the builders
BUILDERS: list[Callable[[], Case | list[Case]]] = []


def builder(fn: Callable[[], Case | list[Case]]) -> Callable[[], Case | list[Case]]:
    BUILDERS.append(fn)
    return fn


def put(name: str, data: bytes | str, encoding: str = "utf-8") -> str:
    if name in FILES:
        raise AssertionError(f"{name} written twice")
    FILES[name] = data if isinstance(data, bytes) else data.encode(encoding)
    return name


# ----------------------------------------------------------------------------- writers


def csv_text(
    header: list[str], records: list[list[str]], *, delimiter: str = ",", eol: str = "\n"
) -> str:
    """RFC 4180 text: fields quoted only when needed, quotes doubled."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(records)
    return buf.getvalue()


def lines(*text: str, eol: str = "\n") -> str:
    """Lines written verbatim (for files a csv writer would not produce)."""
    return "".join(t + eol for t in text)


def us(d: Decimal) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{d:,.2f}"


def de(d: Decimal) -> str:
    """1234.5 -> '1.234,50'."""
    return f"{d:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def mdy(d: dt.date, year: str = "%Y") -> str:
    return f"{d.month}/{d.day}/{d.strftime(year)}"


def excel_serial(t: dt.datetime) -> str:
    days = t - dt.datetime(1899, 12, 30)
    value = days.days + days.seconds / 86400
    return str(days.days) if days.seconds == 0 else f"{value:.10f}".rstrip("0")


def fixed_zip(data: bytes) -> bytes:
    """An xlsx with fixed timestamps, so that a re-run writes the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-12-31T12:00:00Z", body)
            item = zipfile.ZipInfo(info.filename, date_time=(2024, 12, 31, 12, 0, 0))
            item.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(item, body)
    return out.getvalue()


def xlsx(sheets: dict[str, list[list[Any]]], *, text_columns: tuple[int, ...] = ()) -> bytes:
    """Workbook bytes: str values are text cells (also formatted '@' in text_columns),
    datetimes date cells, numbers number cells."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, table in sheets.items():
        ws = wb.create_sheet(title)
        for r, values in enumerate(table, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str) and c - 1 in text_columns:
                    cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def parquet(columns: dict[str, Any]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# =================================================================== CSV quoting


@builder
def quoting_rfc4180() -> Case:
    # invoice, stock code, description, quantity, time, unit price, customer, country
    # fmt: off
    data = [
        ("536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, "2010-12-01 08:26", "2.55", "17850", "United Kingdom"),  # noqa: E501
        ("536365", "71053", "WHITE METAL LANTERN", 6, "2010-12-01 08:26", "3.39", "17850", "United Kingdom"),  # noqa: E501
        ("536366", "22633", "HAND WARMER UNION JACK", 6, "2010-12-01 08:28", "1.85", "17850", "United Kingdom"),  # noqa: E501
        ("536367", "84879", 'Covers, 14 7/8" x 11", Red', 2, "2010-12-01 08:34", "4.95", "13047", "United Kingdom"),  # noqa: E501
        ("536367", "22745", "POPPY'S PLAYHOUSE BEDROOM", 6, "2010-12-01 08:34", "2.10", "13047", "United Kingdom"),  # noqa: E501
        ("536367", "22748", 'PHOTO FRAME 3 1/2" X 5", "LOVE"', 4, "2010-12-01 08:34", "1.25", "13047", "United Kingdom"),  # noqa: E501
        ("536368", "22960", "JAM MAKING SET WITH JARS", 6, "2010-12-01 08:34", "4.25", "13047", "United Kingdom"),  # noqa: E501
        ("536370", "22728", "ALARM CLOCK BAKELIKE PINK", 24, "2010-12-01 08:45", "3.75", "12583", "France"),  # noqa: E501
        ("536370", "21883", '"STARS" GIFT TAPE', 24, "2010-12-01 08:45", "0.65", "12583", "France"),
        ("536371", "22086", "PAPER CHAIN KIT 50'S CHRISTMAS", 80, "2010-12-01 09:00", "2.55", "13748", "United Kingdom"),  # noqa: E501
        ("536380", "22961", 'JAM JAR, 12" X 9"', 24, "2010-12-13 09:41", "1.45", "17809", "United Kingdom"),  # noqa: E501
        ("536381", "22139", "RETROSPOT TEA SET CERAMIC 11 PC", 3, "2010-12-13 09:41", "4.95", "15311", "United Kingdom"),  # noqa: E501
        ("C536383", "35004C", "SET OF 3 COLOURED  FLYING DUCKS", -1, "2010-12-13 09:49", "4.65", "15311", "United Kingdom"),  # noqa: E501
        ("536384", "82484", "WOOD BLACK BOARD ANT WHITE FINISH", 3, "2011-01-04 09:53", "6.45", "18074", "United Kingdom"),  # noqa: E501
        ("536385", "84879", 'Covers, 14 7/8" x 11", Red', 4, "2011-01-04 09:56", "4.95", "17420", "United Kingdom"),  # noqa: E501
    ]
    # fmt: on
    rows = [Row(c, when(t).date(), D(p) * q, inv) for inv, _, _, q, t, p, c, _ in data]
    text = csv_text(
        [
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ],
        [
            [inv, sc, desc, str(q), f"{mdy(when(t))} {when(t).hour}:{when(t).minute:02d}", p, c, co]
            for inv, sc, desc, q, t, p, c, co in data
        ],
        eol="\r\n",
    )
    return Case(
        "quoting_rfc4180",
        put("quoting_rfc4180.csv", text),
        "Online Retail as CSV (CRLF, m/d/yyyy h:mm): product names with doubled quotes and "
        'commas ("Covers, 14 7/8"" x 11"", Red") must not split fields',
        rows,
        hand=(15, 15, 8, "493.49", "2010-12-01", "2011-01-04", {}),
        spot=(("13047", True), ("17420", False), ("15311", False)),
        notes=(
            "revenue = Quantity x UnitPrice; C536383 (quantity -1) is a cancellation netted in",
            "15311: 14.85 - 4.65 = 10.20; 13047: 9.90 + 12.60 + 5.00 + 25.50 = 53.00",
        ),
    )


@builder
def quoting_multiline() -> Case:
    data = [  # order, customer, notes, date, amount
        ("1001", "C-101", "Please leave at the back door.\nThanks!", "2024-03-01", "54.00"),
        ("1002", "C-102", "", "2024-03-02", "23.50"),
        (
            "1003",
            "C-101",
            'Gift wrap, please.\nMessage: "Happy birthday, Sam!"',
            "2024-03-05",
            "12.00",
        ),
        ("1004", "C-103", "Line one\r\nLine two", "2024-03-06", "80.25"),
        ("1005", "C-104", "", "2024-03-08", "15.75"),
        ("1006", "C-102", "Call before delivery.\n\n(Gate code 4411)", "2024-03-09", "40.00"),
        ("1007", "C-105", "", "2024-03-12", "9.99"),
    ]
    rows = [Row(c, day(d), D(a), o) for o, c, _, d, a in data]
    text = csv_text(["Order ID", "Customer ID", "Notes", "Date", "Amount"], [list(r) for r in data])
    return Case(
        "quoting_multiline",
        put("quoting_multiline.csv", text),
        "shop order export with a free-text Notes column: line breaks (one CRLF, one blank "
        "line) inside quoted fields are part of the field, not new records",
        rows,
        hand=(7, 7, 5, "235.49", "2024-03-01", "2024-03-12", {}),
        spot=(("C-101", True), ("C-102", True)),
        notes=("7 records on 13 physical lines",),
    )


@builder
def quoting_apostrophe() -> Case:
    data = [  # customer, zip (Excel text prefix kept), date, amount
        ("Pat O'Brien", "'02134", "2024-02-01", "35.00"),
        ("Dana Smith", "'10001", "2024-02-02", "12.50"),
        ("Pat O'Brien", "'02134", "2024-02-09", "20.00"),
        ("Lee D'Angelo", "'60601", "2024-02-10", "48.00"),
        ("Sam O'Neil", "'02139", "2024-02-14", "7.25"),
        ("Dana Smith", "'10001", "2024-02-20", "30.00"),
        ("Mary-Kate O'Hara", "'07030", "2024-02-27", "16.40"),
    ]
    rows = [Row(c, day(d), D(a)) for c, _, d, a in data]
    text = csv_text(["Customer", "Zip", "Date", "Amount"], [list(r) for r in data])
    return Case(
        "quoting_apostrophe",
        put("quoting_apostrophe.csv", text),
        "contact-list style export: zip codes written '02134 (Excel's text prefix) and names "
        "like O'Brien; the apostrophe is not a quote character",
        rows,
        hand=(7, 7, 5, "169.15", "2024-02-01", "2024-02-27", {}),
        spot=(("Pat O'Brien", True), ("Lee D'Angelo", False)),
    )


@builder
def quoting_backslash() -> Case:
    data = [  # order, customer, date, product (as meant), amount
        ("A-1", "c1", "2024-04-02", 'Mug "Best Dad", 12oz', "14.00"),
        ("A-2", "c2", "2024-04-03", 'Poster 24" x 36"', "22.50"),
        ("A-3", "c1", "2024-04-05", "Plain tee", "18.00"),
        ("A-4", "c3", "2024-04-06", 'Sign "Open"', "9.75"),
        ("A-5", "c2", "2024-04-08", 'Cable, 6"', "4.25"),
        ("A-6", "c4", "2024-04-09", 'Print "Waves"', "30.00"),
    ]
    rows = [Row(c, day(d), D(a), o) for o, c, d, _, a in data]

    def q(s: str) -> str:  # MySQL INTO OUTFILE ... ENCLOSED BY '"' ESCAPED BY '\\'
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    text = lines(
        ",".join(map(q, ["order_id", "customer_id", "order_date", "product", "revenue"])),
        *(",".join(map(q, r)) for r in data),
    )
    return Case(
        "quoting_backslash",
        put("quoting_backslash.csv", text),
        'database dump (MySQL INTO OUTFILE style): every field quoted, quotes escaped as \\" '
        'throughout ("Mug \\"Best Dad\\", 12oz"); must be read, not split',
        rows,
        hand=(6, 6, 4, "98.50", "2024-04-02", "2024-04-09", {}),
        spot=(("c1", True), ("c2", True)),
        notes=('line 6 ends in 6\\"" : an escaped quote, then the closing quote',),
    )


@builder
def thousands_unquoted() -> Case:
    text = lines(
        "customer_id,order_date,revenue",
        "c1,2024-05-02,120.00",
        "c2,2024-05-03,1,234.50",
        "c3,2024-05-03,89.90",
        "c1,2024-05-06,45.00",
        "c4,2024-05-07,2,500.00",
        "c2,2024-05-08,310.00",
        "c5,2024-05-09,999.99",
    )
    m = "malformed line"
    rows = [
        Row("c1", day("2024-05-02"), D("120.00")),
        Row(None, None, None, drop=m),
        Row("c3", day("2024-05-03"), D("89.90")),
        Row("c1", day("2024-05-06"), D("45.00")),
        Row(None, None, None, drop=m),
        Row("c2", day("2024-05-08"), D("310.00")),
        Row("c5", day("2024-05-09"), D("999.99")),
    ]
    name = put("thousands_unquoted.csv", text)
    return [
        Case(
            "thousands_unquoted",
            name,
            "hand-made comma file with unquoted thousands (1,234.50): those lines have one "
            "field too many and are dropped as malformed, never shifted",
            rows,
            hand=(7, 5, 4, "1564.89", "2024-05-02", "2024-05-09", {m: 2}),
            load={"max_invalid_share": 0.5},
            spot=(("c2", True), ("c1", True)),
            notes=(
                "lines 3 and 6 are malformed; c4 appears only there, so it is not a customer",
                "2 of 7 lines (29%) are malformed: loading accepts that only when asked "
                "(max_invalid_share); thousands_unquoted__default is the refusal",
            ),
        ),
        Case(
            "thousands_unquoted__default",
            name,
            "the same file with the default limits: 29% malformed lines stop the load, "
            "naming the lines, the cause and the option",
            rows,
            error={
                "type": "DataValidationError",
                "match": ["line 3", "line 6", "more fields", "max_invalid_share"],
            },
        ),
    ]


@builder
def short_record() -> Case:
    text = lines(
        "Customer ID,Date,Amount,Country",
        "a1,2024-06-01,10.00,UK",
        "a2,2024-06-02,20.00,UK",
        "a3,2024-06-03",
        "a1,2024-06-04,30.00,FR",
        "a4,2024-06-05,40.00",
        "a2,2024-06-06,5.50,DE",
    )
    m = "malformed line"
    rows = [
        Row("a1", day("2024-06-01"), D("10.00")),
        Row("a2", day("2024-06-02"), D("20.00")),
        Row(None, None, None, drop=m),
        Row("a1", day("2024-06-04"), D("30.00")),
        Row(None, None, None, drop=m),
        Row("a2", day("2024-06-06"), D("5.50")),
    ]
    name = put("short_record.csv", text)
    return [
        Case(
            "short_record",
            name,
            "export cut short on some lines: records with too few fields (2 and 3 of 4) are "
            "malformed lines, not padded with empty values",
            rows,
            hand=(6, 4, 2, "65.50", "2024-06-01", "2024-06-06", {m: 2}),
            load={"max_invalid_share": 0.5},
            spot=(("a1", True),),
            notes=(
                "line 6 (a4) lacks only the Country field: still the wrong number of fields",
                "2 of 6 lines malformed (33%): accepted only when asked (max_invalid_share)",
            ),
        ),
        Case(
            "short_record__default",
            name,
            "the same file with the default limits: 33% malformed lines stop the load",
            rows,
            error={
                "type": "DataValidationError",
                "match": ["line 4", "fewer fields", "max_invalid_share"],
            },
        ),
    ]


@builder
def quote_unterminated() -> Case:
    text = lines(
        "order_id,customer_id,order_date,revenue,note",
        "1,c1,2024-07-01,10.00,",
        "2,c2,2024-07-02,12.00,ok",
        "3,c3,2024-07-03,14.00,",
        "4,c1,2024-07-04,16.00,fragile",
        '5,c4,2024-07-05,18.00,"Leave at door',
        "6,c2,2024-07-06,20.00,",
        "7,c5,2024-07-07,22.00,",
    )
    rows = [
        Row(c, day(f"2024-07-0{i}"), D(f"{8 + 2 * i}.00"), order=str(i))
        for i, c in enumerate(("c1", "c2", "c3", "c1", "c4", "c2", "c5"), start=1)
    ]
    return [
        Case(
            "quote_unterminated",
            put("orders_open_field.csv", text),
            "a note opened with a quote that is never closed (line 6) in a file that quotes "
            "no field: the quote is a character like any other, every line is read",
            rows,
            hand=(7, 7, 5, "112.00", "2024-07-01", "2024-07-07", {}),
            spot=(("c2", True),),
        ),
        quote_unterminated_quoted(),
    ]


def quote_unterminated_quoted() -> Case:
    """The same stray quote in a file that does quote its fields elsewhere."""
    text = lines(
        "order_id,customer_id,order_date,revenue,note",
        '1,c1,2024-07-01,10.00,"Smith, John"',
        "2,c2,2024-07-02,12.00,ok",
        '3,c3,2024-07-03,14.00,"Lee, Ann"',
        "4,c1,2024-07-04,16.00,fragile",
        '5,c4,2024-07-05,18.00,"Leave at door',
        "6,c2,2024-07-06,20.00,",
        "7,c5,2024-07-07,22.00,",
    )
    return Case(
        "quote_unterminated_quoted",
        put("orders_open_field_quoted.csv", text),
        "a file that quotes its fields (names with commas) and a note whose quote is never "
        "closed (line 6): everything after it would be one field; refused, naming the line "
        "and the quote",
        [],
        error={"type": "DataValidationError", "match": ["line 6", "quote"]},
    )


# ========================================================================= Dates


def simple(
    name: str, file: str, header: str, data: list[tuple], render: Callable, **kw: Any
) -> Case:
    """Cases with one line per record and no order id.

    Each item of ``data`` starts (customer, date or datetime, amount) as meant, then may
    carry how to write it; ``render(*item)`` returns the fields of its line.
    """
    rows = [Row(c, t if type(t) is dt.date else t.date(), D(a)) for c, t, a, *_ in data]
    sep = kw.pop("sep", ",")
    eol = kw.pop("eol", "\n")
    text = lines(header, *(sep.join(render(*item)) for item in data), eol=eol)
    return Case(name, put(file, text, kw.pop("encoding", "utf-8")), rows=rows, **kw)


@builder
def dates_mdy_yy() -> Case:
    data = [
        ("a", day("2024-01-05"), "10.00"),
        ("b", day("2024-01-18"), "20.00"),
        ("a", day("2024-02-03"), "15.00"),
        ("c", day("2024-02-29"), "30.00"),
        ("b", day("2024-03-12"), "25.00"),
        ("d", day("2024-12-30"), "40.00"),
    ]
    return simple(
        "dates_mdy_yy",
        "dates_mdy_yy.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a: [c, mdy(t, "%y"), a],
        what="US export with m/d/yy dates (1/5/24, 12/30/24); 1/18/24 settles month-first, "
        "24 is 2024 (not year 24)",
        hand=(6, 6, 4, "140.00", "2024-01-05", "2024-12-30", {}),
        spot=(("a", True),),
    )


@builder
def dates_dmy_yy() -> Case:
    data = [
        ("a", day("2024-01-05"), "10.00"),
        ("b", day("2024-01-18"), "20.00"),
        ("c", day("2024-02-03"), "12.50"),
        ("a", day("2024-02-29"), "7.50"),
        ("d", day("2024-03-11"), "30.00"),
        ("b", day("2024-04-01"), "5.00"),
    ]
    return simple(
        "dates_dmy_yy",
        "dates_dmy_yy.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a: [c, t.strftime("%d/%m/%y"), a],
        what="UK export with dd/mm/yy dates (05/01/24); 18/01/24 and 29/02/24 settle day-first",
        hand=(6, 6, 4, "85.00", "2024-01-05", "2024-04-01", {}),
        spot=(("a", True), ("b", True)),
    )


@builder
def dates_dmy_dash() -> Case:
    data = [
        ("a", day("2023-01-02"), "11.00"),
        ("b", day("2023-01-15"), "22.00"),
        ("c", day("2023-02-28"), "33.00"),
        ("a", day("2023-03-31"), "44.00"),
        ("d", day("2023-06-01"), "55.00"),
    ]
    return simple(
        "dates_dmy_dash",
        "dates_dmy_dash.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a: [c, t.strftime("%d-%m-%y"), a],
        what="European export with dd-mm-yy dates (02-01-23 is 2 Jan 2023, not 2002-01-23)",
        hand=(5, 5, 4, "165.00", "2023-01-02", "2023-06-01", {}),
        spot=(("a", True),),
        notes=("read as yy-mm-dd, 28-02-23 and 31-03-23 would be dates in 2028 and 2031",),
    )


@builder
def dates_mixed_years() -> Case:
    data = [
        ("a", day("2024-01-05"), "10.00", "%Y"),
        ("b", day("2024-01-18"), "20.00", "%y"),
        ("c", day("2024-02-03"), "30.00", "%Y"),
        ("a", day("2024-02-14"), "40.00", "%y"),
        ("d", day("2024-03-01"), "50.00", "%Y"),
        ("b", day("2023-11-30"), "60.00", "%y"),
    ]
    return simple(
        "dates_mixed_years",
        "dates_mixed_years.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a, year: [c, mdy(t, year), a],
        what="hand-kept US sheet mixing m/d/yyyy and m/d/yy (1/5/2024 beside 1/18/24): "
        "both years are 20xx",
        hand=(6, 6, 4, "210.00", "2023-11-30", "2024-03-01", {}),
        spot=(("a", True), ("b", True)),
    )


@builder
def dates_dotted() -> Case:
    data = [
        ("K-1", day("2024-01-05"), D("12.50")),
        ("K-2", day("2024-01-18"), D("7.25")),
        ("K-1", day("2024-02-02"), D("30.00")),
        ("K-3", day("2024-02-29"), D("99.90")),
        ("K-4", day("2024-03-01"), D("5.00")),
        ("K-2", day("2024-03-15"), D("45.10")),
    ]
    return simple(
        "dates_dotted",
        "dates_dotted.csv",
        "Kundennr;Datum;Umsatz",
        data,
        lambda c, t, a: [c, f"{t.day}.{t.month}.{t.year}", de(a)],
        sep=";",
        what="German shop export: d.m.yyyy dates without leading zeros (5.1.2024), "
        "semicolons, decimal comma",
        load={"columns": {"customer_id": "Kundennr", "order_date": "Datum", "revenue": "Umsatz"}},
        hand=(6, 6, 4, "199.75", "2024-01-05", "2024-03-15", {}),
        spot=(("K-1", True), ("K-2", True)),
    )


@builder
def dates_month_abbrev() -> Case:
    data = [
        ("a", day("2024-01-05"), "10.00"),
        ("b", day("2024-01-18"), "20.00"),
        ("c", day("2024-02-02"), "30.00"),
        ("a", day("2024-02-29"), "40.00"),
        ("d", day("2024-03-11"), "50.00"),
    ]
    return simple(
        "dates_month_abbrev",
        "dates_month_abbrev.csv",
        "customer_id,order_date,revenue",
        data,
        lambda c, t, a: [c, t.strftime("%d-%b-%Y"), a],
        what="ERP/report export with dd-Mon-yyyy dates (05-Jan-2024)",
        hand=(5, 5, 4, "150.00", "2024-01-05", "2024-03-11", {}),
        spot=(("a", True),),
    )


@builder
def dates_month_name_us() -> Case:
    data = [
        ("Acme Ltd", day("2024-01-05"), "120.00"),
        ("Birch & Co", day("2024-01-18"), "80.00"),
        ("Acme Ltd", day("2024-02-02"), "60.00"),
        ("Cole Inc", day("2024-02-29"), "45.50"),
        ("Dunn LLC", day("2024-03-11"), "30.25"),
        ("Birch & Co", day("2024-09-03"), "19.75"),
    ]
    return simple(
        "dates_month_name_us",
        "dates_month_name_us.csv",
        "Customer,Date,Amount",
        data,
        lambda c, t, a: [c, f'"{t:%b} {t.day}, {t.year}"', a],
        what='accounting report with dates written "Jan 5, 2024" (quoted: the comma is inside)',
        hand=(6, 6, 4, "355.50", "2024-01-05", "2024-09-03", {}),
        spot=(("Acme Ltd", True), ("Birch & Co", True)),
    )


@builder
def dates_iso_utc() -> list[Case]:
    data = [  # order, customer, UTC time, amount
        ("o1", "a", "2024-01-05T10:15:00", "25.00"),
        ("o2", "b", "2024-01-18T14:00:00", "40.00"),
        ("o3", "a", "2024-01-31T23:15:00", "15.00"),
        ("o4", "c", "2024-02-10T09:30:00", "60.00"),
        ("o5", "d", "2024-02-29T23:30:00", "35.00"),
        ("o6", "b", "2024-02-20T08:45:00", "22.50"),
    ]
    name = put(
        "dates_iso_utc.csv",
        lines(
            "order_id,customer_id,order_date,revenue", *(f"{o},{c},{t}Z,{a}" for o, c, t, a in data)
        ),
    )
    utc = [Row(c, when(t).date(), D(a), o) for o, c, t, a in data]
    berlin_tz = ZoneInfo("Europe/Berlin")
    berlin = [
        Row(c, when(t).replace(tzinfo=dt.UTC).astimezone(berlin_tz).date(), D(a), o)
        for o, c, t, a in data
    ]
    return [
        Case(
            "dates_iso_utc",
            name,
            "API export with ISO 8601 UTC times (2024-01-05T10:15:00Z): dates as written",
            utc,
            hand=(6, 6, 4, "197.50", "2024-01-05", "2024-02-29", {}),
            spot=(("a", True),),
        ),
        Case(
            "dates_iso_utc_berlin",
            name,
            "the same UTC file read for a shop in Berlin: 23:30Z on 29 Feb is 00:30 on 1 Mar",
            berlin,
            load={"timezone": "Europe/Berlin"},
            hand=(6, 6, 4, "197.50", "2024-01-05", "2024-03-01", {}),
            spot=(("a", True), ("d", False)),
            notes=(
                "o3 2024-01-31T23:15Z -> 2024-02-01 00:15 CET; o5 2024-02-29T23:30Z -> "
                "2024-03-01 00:30 CET (the last date moves)",
            ),
        ),
    ]


@builder
def dates_offsets_mixed() -> Case:
    data = [  # order, customer, written local time with its offset, amount
        ("p1", "a", "2024-03-01T00:30:00+02:00", "10.00"),
        ("p2", "b", "2024-03-02T12:00:00Z", "20.00"),
        ("p3", "c", "2024-03-05T18:45:00+02:00", "30.00"),
        ("p4", "a", "2024-03-09T23:50:00Z", "40.00"),
        ("p5", "d", "2024-03-12T08:00:00+02:00", "50.00"),
    ]
    rows = [Row(c, day(t[:10]), D(a), o) for o, c, t, a in data]
    text = lines("order_id,customer_id,order_date,revenue", *(",".join(r) for r in data))
    return Case(
        "dates_offsets_mixed",
        put("dates_offsets_mixed.csv", text),
        "timestamps with +02:00 offsets mixed with Z in one column: each keeps the local "
        "date written in it (the default when no timezone is given)",
        rows,
        hand=(5, 5, 4, "150.00", "2024-03-01", "2024-03-12", {}),
        spot=(("a", True),),
        notes=(
            "p1 is 2024-03-01 00:30 local (+02:00) = 2024-02-29 22:30 UTC: by default the local",
            "date as written counts, as for the Parquet file with a time zone (dates_ny_tz)",
        ),
    )


@builder
def dates_unclear() -> Case:
    text = lines(
        "customer_id,order_date,revenue",
        "a,03/04/24,10.00",
        "b,05/06/24,20.00",
        "c,11/12/24,30.00",
        "a,01/02/24,40.00",
        "d,07/08/24,50.00",
    )
    return Case(
        "dates_ambiguous",
        put("dates_unclear.csv", text),
        "short export whose dates never have a day above 12 (03/04/24): day-first or "
        "month-first cannot be told; refused, asking for date_format or dayfirst",
        [],
        error={"type": "DataValidationError", "match": ["order_date", "date_format", "dayfirst"]},
    )


@builder
def dates_excel_serial() -> Case:
    data = [
        ("a", when("2024-01-01"), "10.00"),
        ("b", when("2024-01-19"), "20.00"),
        ("c", when("2024-02-29"), "30.00"),
        ("a", when("2024-03-15"), "40.00"),
        ("d", when("2024-04-18"), "50.00"),
    ]
    return simple(
        "dates_excel_serial",
        "dates_excel_serial.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a: [c, excel_serial(t), a],
        what="sheet saved as CSV with the date column formatted General: Excel serial days "
        "(45292 = 2024-01-01)",
        hand=(5, 5, 4, "150.00", "2024-01-01", "2024-04-18", {}),
        spot=(("a", True),),
        notes=("serial = days since 1899-12-30: 45292, 45310, 45351, 45366, 45400",),
    )


@builder
def dates_excel_serial_time() -> Case:
    data = [
        ("a", when("2024-01-01 18:00"), "11.00"),
        ("b", when("2024-01-19 12:00"), "22.00"),
        ("c", when("2024-02-29 23:59"), "33.00"),
        ("a", when("2024-03-15 00:00"), "44.00"),
        ("d", when("2024-04-18 08:30"), "55.00"),
    ]
    return simple(
        "dates_excel_serial_time",
        "dates_excel_serial_time.csv",
        "Customer ID,Date,Amount",
        data,
        lambda c, t, a: [c, excel_serial(t), a],
        what="Excel serial date-times with a fraction (45292.75 = 2024-01-01 18:00) beside a "
        "whole serial at midnight (45366)",
        hand=(5, 5, 4, "165.00", "2024-01-01", "2024-04-18", {}),
        spot=(("a", True),),
        notes=("45351.9993055556 is 2024-02-29 23:59: the fraction must not round into 1 March",),
    )


@builder
def dates_epoch_seconds() -> Case:
    data = [
        ("a", when("2024-01-01 12:00"), "12.00"),
        ("b", when("2024-01-15 12:00"), "24.50"),
        ("c", when("2024-02-10 12:00"), "8.75"),
        ("a", when("2024-03-03 12:00"), "30.00"),
        ("d", when("2024-03-31 12:00"), "19.99"),
    ]
    return simple(
        "dates_epoch_seconds",
        "dates_epoch_seconds.csv",
        "customer_id,timestamp,amount",
        data,
        lambda c, t, a: [c, str(int(t.replace(tzinfo=dt.UTC).timestamp())), a],
        what="event/API dump with Unix epoch seconds (1704110400 = 2024-01-01 12:00 UTC)",
        hand=(5, 5, 4, "95.24", "2024-01-01", "2024-03-31", {}),
        spot=(("a", True),),
        notes=("all times are 12:00 UTC, so the date is the same in any time zone",),
    )


@builder
def dates_epoch_millis() -> Case:
    data = [
        ("u1", when("2024-04-02 12:00"), "5.99"),
        ("u2", when("2024-04-02 13:30"), "9.99"),
        ("u3", when("2024-04-20 11:00"), "15.00"),
        ("u1", when("2024-05-05 12:00"), "5.99"),
        ("u4", when("2024-05-31 12:00"), "49.00"),
    ]
    return simple(
        "dates_epoch_millis",
        "dates_epoch_millis.csv",
        "user_id,created_at,amount",
        data,
        lambda c, t, a: [c, str(int(t.replace(tzinfo=dt.UTC).timestamp()) * 1000), a],
        what="app analytics export with Unix epoch milliseconds (1712059200000)",
        hand=(5, 5, 4, "85.97", "2024-04-02", "2024-05-31", {}),
        spot=(("u1", True),),
        notes=("times are 11:00-13:30 UTC, so the date is the same in any time zone",),
    )


@builder
def dates_new_york() -> list[Case]:
    import pyarrow as pa

    ny = ZoneInfo("America/New_York")
    data = [  # order, customer, New York local time, amount
        ("n1", "a", "2024-01-05 09:00", "20.00"),
        ("n2", "b", "2024-01-15 14:30", "35.00"),
        ("n3", "a", "2024-01-31 21:00", "50.00"),
        ("n4", "c", "2024-02-10 20:30", "12.00"),
        ("n5", "d", "2024-02-28 23:45", "80.00"),
        ("n6", "b", "2024-02-20 10:00", "5.50"),
    ]
    local = [when(t).replace(tzinfo=ny) for _, _, t, _ in data]
    rows = [Row(c, when(t).date(), D(a), o) for o, c, t, a in data]
    pq_name = put(
        "dates_ny_tz.parquet",
        parquet(
            {
                "order_id": [o for o, _, _, _ in data],
                "customer_id": [c for _, c, _, _ in data],
                "order_date": pa.array(local, type=pa.timestamp("us", tz="America/New_York")),
                "revenue": [float(a) for _, _, _, a in data],
            }
        ),
    )
    csv_name = put(
        "dates_ny_offsets.csv",
        lines(
            "order_id,customer_id,order_date,revenue",
            *(f"{o},{c},{t.isoformat()},{a}" for (o, c, _, a), t in zip(data, local, strict=True)),
        ),
    )
    hand = (6, 6, 4, "202.50", "2024-01-05", "2024-02-28", {})
    note = (
        "n3 21:00 New York on 31 Jan is 02:00 UTC on 1 Feb; n5 23:45 on 28 Feb is 29 Feb UTC:",
        "the local dates count (last date 2024-02-28, not 2024-02-29)",
    )
    return [
        Case(
            "dates_ny_tz",
            pq_name,
            "Parquet with a time-zone-aware timestamp column (America/New_York): 21:00 on "
            "31 Jan stays 31 Jan, not 1 Feb UTC",
            rows,
            hand=hand,
            spot=(("a", True),),
            notes=note,
        ),
        Case(
            "dates_ny_offsets",
            csv_name,
            "the same orders as CSV with -05:00 offsets: the same local dates as the Parquet file",
            rows,
            hand=hand,
            spot=(("a", True),),
            notes=note,
        ),
    ]


# ======================================================================= Amounts


@builder
def amounts_dot3() -> Case:
    data = [
        ("a", day("2024-01-03"), "12.500"),
        ("b", day("2024-01-04"), "0.375"),
        ("c", day("2024-01-05"), "1234.500"),
        ("a", day("2024-01-08"), "7.250"),
        ("d", day("2024-01-09"), "3.125"),
        ("b", day("2024-01-10"), "20.000"),
    ]
    return simple(
        "amounts_dot3",
        "amounts_dot3.csv",
        "customer_id;order_date;revenue",
        data,
        lambda c, t, a: [c, t.isoformat(), a],
        sep=";",
        what="semicolon file whose amounts have 3 decimals with a dot (12.500 = 12.5, as for "
        "dinars); the semicolon does not make the dot a thousands mark",
        hand=(6, 6, 4, "1277.75", "2024-01-03", "2024-01-10", {}),
        spot=(("a", False), ("b", False), ("c", False)),
        notes=("0.375 and 1234.500 cannot be dot-thousands: the dot is the decimal mark",),
    )


@builder
def amounts_de_thousands() -> Case:
    data = [
        ("K1", day("2024-01-02"), "1.500", "1500"),
        ("K2", day("2024-01-03"), "2.345,10", "2345.10"),
        ("K3", day("2024-01-05"), "12,99", "12.99"),
        ("K1", day("2024-01-09"), "899,00", "899.00"),
        ("K4", day("2024-01-10"), "1.050", "1050"),
        ("K2", day("2024-01-12"), "45,00", "45.00"),
    ]
    rows = [Row(c, t, D(v)) for c, t, _, v in data]
    text = lines("Kunde;Datum;Betrag", *(f"{c};{t:%d.%m.%Y};{w}" for c, t, w, _ in data))
    return Case(
        "amounts_de_thousands",
        put("amounts_de_thousands.csv", text),
        "German sheet: 1.500 means one thousand five hundred, shown by 2.345,10 and 12,99 in "
        "the same column",
        rows,
        load={"columns": {"customer_id": "Kunde", "order_date": "Datum", "revenue": "Betrag"}},
        hand=(6, 6, 4, "5852.09", "2024-01-02", "2024-01-12", {}),
        spot=(("K1", False), ("K4", False)),
    )


@builder
def amounts_unclear() -> Case:
    text = lines(
        "customer_id;order_date;revenue",
        "a;2024-02-01;1,500",
        "b;2024-02-02;2.750",
        "c;2024-02-03;3,250",
        "a;2024-02-05;4.125",
        "d;2024-02-06;1,750",
    )
    return Case(
        "amounts_ambiguous",
        put("amounts_unclear.csv", text),
        "every amount is like 1,500 or 2.750 and nothing else tells the decimal mark: "
        "refused, asking for decimal",
        [],
        error={"type": "DataValidationError", "match": ["revenue", "decimal"]},
    )


@builder
def amounts_unicode_minus() -> Case:
    data = [
        ("r1", "a", "2024-03-01", "120.00"),
        ("r2", "b", "2024-03-02", "80.00"),
        ("r3", "a", "2024-03-04", "-45.00"),
        ("r4", "c", "2024-03-05", "60.00"),
        ("r5", "b", "2024-03-07", "-20.00"),
        ("r6", "d", "2024-03-08", "15.50"),
    ]
    rows = [Row(c, day(d), D(a), o) for o, c, d, a in data]
    minus = "\u2212"  # the Unicode minus sign
    text = lines(
        "order_id,customer_id,order_date,revenue",
        *(f"{o},{c},{d},{a.replace('-', minus)}" for o, c, d, a in data),
    )
    return Case(
        "amounts_unicode_minus",
        put("amounts_unicode_minus.csv", text),
        "refunds written with the Unicode minus sign (\u221245.00, U+2212) as word processors "
        "and some web reports do: negative, netted",
        rows,
        hand=(6, 6, 4, "210.50", "2024-03-01", "2024-03-08", {}),
        spot=(("a", False), ("b", False)),
    )


@builder
def amounts_cr_dr() -> Case:
    data = [
        ("ACME", "2024-04-01", "120.00 DR", "120.00"),
        ("BOLT", "2024-04-02", "75.50 DR", "75.50"),
        ("ACME", "2024-04-05", "45.00 CR", "-45.00"),
        ("CORA", "2024-04-08", "200.00 DR", "200.00"),
        ("BOLT", "2024-04-09", "10.00CR", "-10.00"),
        ("DUNE", "2024-04-12", "33.25 DR", "33.25"),
    ]
    rows = [Row(c, day(d), D(v)) for c, d, _, v in data]
    text = lines("Customer,Date,Amount", *(f"{c},{d},{w}" for c, d, w, _ in data))
    return Case(
        "amounts_cr_dr",
        put("amounts_cr_dr.csv", text),
        "sales-ledger export with DR/CR suffixes: 45.00 CR is a credit note (negative), "
        "DR a sale; also 10.00CR without a space",
        rows,
        hand=(6, 6, 4, "373.75", "2024-04-01", "2024-04-12", {}),
        spot=(("ACME", False), ("BOLT", False)),
    )


@builder
def amounts_sap_minus() -> Case:
    data = [
        ("100023", day("2024-01-15"), D("2469.12")),
        ("100045", day("2024-01-16"), D("99.90")),
        ("100023", day("2024-01-20"), D("-1234.56")),
        ("100078", day("2024-01-22"), D("450.00")),
        ("100045", day("2024-01-25"), D("-15.00")),
        ("100091", day("2024-01-30"), D("2000.00")),
    ]

    def sap(a: Decimal) -> str:
        return de(-a) + "-" if a < 0 else de(a)

    return simple(
        "amounts_sap_minus",
        "amounts_sap_minus.csv",
        "Customer;Posting Date;Amount",
        data,
        lambda c, t, a: [c, t.strftime("%d.%m.%Y"), sap(a)],
        sep=";",
        what="SAP list export: dd.mm.yyyy, decimal comma and the minus sign after the number "
        "(1.234,56- is -1234.56)",
        load={"columns": {"order_date": "Posting Date"}},
        hand=(6, 6, 4, "3769.46", "2024-01-15", "2024-01-30", {}),
        spot=(("100023", False), ("100045", False)),
    )


@builder
def amounts_rupees() -> Case:
    data = [
        ("a", day("2024-05-01"), '"Rs. 1,235"', "1235"),
        ("b", day("2024-05-02"), "Rs. 850", "850"),
        ("c", day("2024-05-04"), '"Rs. 12,499.50"', "12499.50"),
        ("a", day("2024-05-06"), '"Rs. 2,100"', "2100"),
        ("d", day("2024-05-09"), "Rs. 499", "499"),
    ]
    rows = [Row(c, t, D(v)) for c, t, _, v in data]
    text = lines("customer_id,order_date,revenue", *(f"{c},{t},{w}" for c, t, w, _ in data))
    return Case(
        "amounts_rupees",
        put("amounts_rupees.csv", text),
        "Indian shop export: amounts with a multi-letter prefix and comma thousands "
        '("Rs. 1,235" is 1235, not 1.235)',
        rows,
        hand=(5, 5, 4, "17183.50", "2024-05-01", "2024-05-09", {}),
        spot=(("a", False), ("c", False)),
        notes=('"Rs. 12,499.50" shows the comma groups thousands',),
    )


@builder
def amounts_reais() -> Case:
    data = [
        ("C1", day("2024-02-05"), D("12.50")),
        ("C2", day("2024-02-06"), D("1299.90")),
        ("C3", day("2024-02-14"), D("89.00")),
        ("C1", day("2024-02-20"), D("7.50")),
        ("C4", day("2024-02-28"), D("350.00")),
    ]
    return simple(
        "amounts_reais",
        "amounts_reais.csv",
        "Cliente;Data;Valor",
        data,
        lambda c, t, a: [c, t.strftime("%d/%m/%Y"), "R$ " + de(a)],
        sep=";",
        what="Brazilian export: R$ prefix, decimal comma (R$ 12,50; R$ 1.299,90), dd/mm/yyyy",
        load={"columns": {"customer_id": "Cliente", "order_date": "Data", "revenue": "Valor"}},
        hand=(5, 5, 4, "1758.90", "2024-02-05", "2024-02-28", {}),
        spot=(("C1", True), ("C2", False)),
    )


@builder
def amounts_chf() -> Case:
    data = [
        ("a", day("2024-06-03"), D("1234.50")),
        ("b", day("2024-06-04"), D("89.90")),
        ("c", day("2024-06-10"), D("12000.00")),
        ("a", day("2024-06-12"), D("45.00")),
        ("d", day("2024-06-20"), D("310.10")),
    ]
    return simple(
        "amounts_chf",
        "amounts_chf.csv",
        "customer_id,order_date,revenue",
        data,
        lambda c, t, a: [c, t.isoformat(), "CHF " + us(a).replace(",", "'")],
        what="Swiss export: CHF prefix and apostrophe thousands (CHF 1'234.50), unquoted",
        hand=(5, 5, 4, "13679.50", "2024-06-03", "2024-06-20", {}),
        spot=(("a", True), ("c", False)),
    )


@builder
def amounts_kronor() -> Case:
    data = [
        ("S1", day("2024-07-01"), D("99.00")),
        ("S2", day("2024-07-02"), D("1299.00")),
        ("S3", day("2024-07-05"), D("49.50")),
        ("S1", day("2024-07-08"), D("2450.00")),
        ("S4", day("2024-07-10"), D("15.00")),
    ]
    return simple(
        "amounts_kronor",
        "amounts_kronor.csv",
        "Kund;Datum;Belopp",
        data,
        lambda c, t, a: [c, t.isoformat(), "kr " + de(a).replace(".", " ")],
        sep=";",
        what="Swedish export: kr prefix, space thousands, decimal comma (kr 99,00; kr 1 299,00)",
        load={"columns": {"customer_id": "Kund", "order_date": "Datum", "revenue": "Belopp"}},
        hand=(5, 5, 4, "3912.50", "2024-07-01", "2024-07-10", {}),
        spot=(("S1", True), ("S2", False)),
    )


@builder
def amounts_parentheses() -> Case:
    data = [
        ("Acme", "2024-08-01", "120.00", "120.00"),
        ("Birch", "2024-08-02", "64.00", "64.00"),
        ("Acme", "2024-08-05", "(12.00)", "-12.00"),
        ("Cole", "2024-08-07", '"1,250.00"', "1250.00"),
        ("Birch", "2024-08-09", "(5.50)", "-5.50"),
        ("Dunn", "2024-08-12", "18.25", "18.25"),
    ]
    rows = [Row(c, day(d), D(v)) for c, d, _, v in data]
    text = lines("Customer,Date,Amount", *(f"{c},{d},{w}" for c, d, w, _ in data))
    return Case(
        "amounts_parentheses",
        put("amounts_parentheses.csv", text),
        "accounting report: refunds in parentheses ((12.00) is -12) and quoted comma thousands",
        rows,
        hand=(6, 6, 4, "1434.75", "2024-08-01", "2024-08-12", {}),
        spot=(("Acme", False), ("Birch", False)),
    )


@builder
def amounts_spaces() -> Case:
    data = [  # customer, date, amount, thousands mark
        ("F1", day("2024-09-03"), D("1234.50"), " "),
        ("F2", day("2024-09-15"), D("2450.00"), "\u00a0"),
        ("F3", day("2024-09-16"), D("45.90"), " "),
        ("F1", day("2024-09-20"), D("1999.99"), "\u202f"),
        ("F4", day("2024-09-25"), D("12000.00"), " "),
    ]
    return simple(
        "amounts_spaces",
        "amounts_spaces.csv",
        "Client;Date;Montant",
        data,
        lambda c, t, a, mark: [c, t.strftime("%d/%m/%Y"), de(a).replace(".", mark)],
        sep=";",
        what="French export: thousands grouped by a space, a no-break space (U+00A0) or a "
        "narrow no-break space (U+202F), decimal comma (1 234,50)",
        load={"columns": {"revenue": "Montant"}},
        hand=(5, 5, 4, "17730.39", "2024-09-03", "2024-09-25", {}),
        spot=(("F1", True), ("F4", False)),
        notes=("dd/mm/yyyy: 15/09, 16/09, 20/09 and 25/09 settle day-first",),
    )


@builder
def amounts_cents_column() -> Case:
    data = [
        ("a", day("2024-01-10"), 1250),
        ("b", day("2024-01-11"), 999),
        ("c", day("2024-01-15"), 15000),
        ("a", day("2024-01-20"), -500),
        ("d", day("2024-01-25"), 4599),
    ]
    return simple(
        "amounts_cents_column",
        "amounts_cents_column.csv",
        "customer_id,order_date,amount_cents",
        [(c, t, D(v) / 100) for c, t, v in data],
        lambda c, t, a: [c, t.isoformat(), str(int(a * 100))],
        what="payment API dump with integer cents in a column named amount_cents (1250 = 12.50)",
        hand=(5, 5, 4, "213.48", "2024-01-10", "2024-01-25", {}),
        spot=(("a", False), ("c", False)),
        notes=("revenue in currency units: the column's name says cents; -500 is a refund",),
    )


@builder
def amounts_cents_param() -> Case:
    data = [
        ("a", day("2024-02-10"), 2599),
        ("b", day("2024-02-11"), 100),
        ("c", day("2024-02-15"), 12345),
        ("b", day("2024-02-20"), 750),
        ("d", day("2024-02-25"), 3000),
    ]
    return simple(
        "amounts_cents_param",
        "amounts_cents_param.csv",
        "customer_id,order_date,amount",
        [(c, t, D(v) / 100) for c, t, v in data],
        lambda c, t, a: [c, t.isoformat(), str(int(a * 100))],
        what='integer cents in a column named amount; the user says amount_unit = "cents"',
        load={"amount_unit": "cents"},
        hand=(5, 5, 4, "187.94", "2024-02-10", "2024-02-25", {}),
        spot=(("b", True), ("c", False)),
    )


@builder
def amounts_two_currencies() -> list[Case]:
    data = [
        ("e1", "a", "2024-03-01", "100.00", "EUR"),
        ("e2", "b", "2024-03-02", "50.00", "USD"),
        ("e3", "a", "2024-03-04", "20.00", "EUR"),
        ("e4", "c", "2024-03-05", "75.00", "EUR"),
        ("e5", "d", "2024-03-06", "30.00", "USD"),
        ("e6", "b", "2024-03-08", "40.00", "EUR"),
    ]
    name = put(
        "orders_eu_us.csv",
        lines("order_id,customer_id,order_date,revenue,currency", *(",".join(r) for r in data)),
    )
    eur = [
        Row(c, day(d), D(a), o, None if cur == "EUR" else "other currency")
        for o, c, d, a, cur in data
    ]
    return [
        Case(
            "currency_mixed",
            name,
            "a shop selling in EUR and USD: summing both would be wrong; refused, naming the "
            "currency column and the currencies",
            [],
            error={"type": "DataValidationError", "match": ["currency", "EUR", "USD"]},
        ),
        Case(
            "currency_mixed_eur",
            name,
            'the same file with currency = "EUR": USD lines dropped as "other currency"',
            eur,
            load={"currency": "EUR"},
            hand=(6, 4, 3, "235.00", "2024-03-01", "2024-03-08", {"other currency": 2}),
            spot=(("a", True), ("b", True)),
            notes=("b keeps only e6 (40.00 EUR); d had only a USD order and is not a customer",),
        ),
    ]


# ================================================================ Which column is revenue


@builder
def revenue_two_synonyms() -> Case:
    text = lines(
        "Order ID,Customer ID,Order Date,Order Value,Order Total",
        "1001,a,2024-04-01,50.00,55.00",
        "1002,b,2024-04-02,20.00,24.90",
        "1003,a,2024-04-05,35.00,39.90",
        "1004,c,2024-04-06,80.00,80.00",
        "1005,d,2024-04-09,12.00,16.90",
    )
    return Case(
        "revenue_two_synonyms",
        put("orders_two_totals.csv", text),
        "order export with both Order Value (goods) and Order Total (with shipping): which is "
        "revenue is the user's call; refused, naming both columns",
        [],
        error={"type": "SchemaError", "match": ["Order Value", "Order Total"]},
    )


@builder
def invoice_total_repeated() -> Case:
    invoices = {  # invoice: (customer, date, [(description, quantity, unit price)])
        "INV-001": (
            "Acme",
            "2024-05-02",
            [("Widget", 2, "10.00"), ("Gadget", 1, "15.50"), ("Service", 3, "5.00")],
        ),
        "INV-002": ("Birch", "2024-05-03", [("Widget", 5, "10.00")]),
        "INV-003": ("Acme", "2024-05-10", [("Gadget", 2, "15.50"), ("Cable", 4, "2.25")]),
        "INV-004": (
            "Cole",
            "2024-05-15",
            [
                ("Widget", 1, "10.00"),
                ("Gadget", 1, "15.50"),
                ("Cable", 2, "2.25"),
                ("Service", 1, "5.00"),
            ],
        ),
        "INV-005": ("Dunn", "2024-05-20", [("Service", 6, "5.00"), ("Widget", 1, "10.00")]),
    }
    totals = {
        "INV-001": "50.50",
        "INV-002": "50.00",
        "INV-003": "40.00",
        "INV-004": "35.00",
        "INV-005": "40.00",
    }
    rows, records = [], []
    for inv, (cust, date, items) in invoices.items():
        # by construction the invoice total is the sum of its line amounts
        assert sum(q * D(p) for _, q, p in items) == D(totals[inv]), inv
        for desc, q, p in items:
            rows.append(Row(cust, day(date), q * D(p), inv))
            records.append([cust, inv, date, desc, str(q), p, totals[inv]])
    text = csv_text(
        [
            "ContactName",
            "InvoiceNumber",
            "InvoiceDate",
            "Description",
            "Quantity",
            "UnitAmount",
            "Total",
        ],
        records,
    )
    return Case(
        "invoice_total_repeated",
        put("invoice_total_repeated.csv", text),
        "accounting sales-invoice export: the invoice Total repeated on every line beside "
        "Quantity and UnitAmount; counts once per invoice (summed per line it is 501.50)",
        rows,
        load={
            "columns": {
                "customer_id": "ContactName",
                "unit_price": "UnitAmount",
                "revenue": "Total",
            }
        },
        hand=(12, 12, 4, "215.50", "2024-05-02", "2024-05-20", {}),
        spot=(("Acme", True), ("Cole", True)),
        notes=(
            "revenue = sum of invoice totals 50.50 + 50 + 40 + 35 + 40 = 215.50; each total equals",
            "the sum of its lines' Quantity x UnitAmount, so line amounts give the same figures",
        ),
    )


@builder
def order_total_first_line() -> Case:
    orders = {  # order: (customer, date, total, [(quantity, unit price)])
        "#1001": ("ann@example.com", "2024-06-01", "39.00", [(2, "12.00"), (1, "15.00")]),
        "#1002": ("bob@example.com", "2024-06-02", "45.00", [(1, "45.00")]),
        "#1003": ("cat@example.com", "2024-06-04", "27.50", [(3, "5.00"), (1, "12.50")]),
        "#1004": ("ann@example.com", "2024-06-09", "20.00", [(1, "8.00"), (2, "6.00")]),
        "#1005": ("dan@example.com", "2024-06-12", "10.00", [(4, "2.50")]),
    }
    rows, records = [], []
    for order, (cust, date, total, items) in orders.items():
        assert sum(q * D(p) for q, p in items) == D(total), order
        for i, (q, p) in enumerate(items):
            rows.append(Row(cust, day(date), q * D(p), order))
            records.append([order, cust, date, str(q), p, total if i == 0 else ""])
    text = csv_text(
        ["Order ID", "Customer ID", "Order Date", "Quantity", "Unit Price", "Order Total"], records
    )
    return Case(
        "order_total_first_line",
        put("order_total_first_line.csv", text),
        "store order export: Order Total only on the first line of each order, empty below; "
        "the other lines are kept, not non-numeric",
        rows,
        hand=(8, 8, 4, "141.50", "2024-06-01", "2024-06-12", {}),
        spot=(("ann@example.com", True), ("cat@example.com", True)),
        notes=("each total equals its lines' Quantity x Unit Price (39 = 24 + 15, ...)",),
    )


@builder
def payments_status() -> Case:
    data = [
        ("ch_01", "cus_A", "2024-07-01", "25.00", "Paid"),
        ("ch_02", "cus_B", "2024-07-02", "40.00", "Failed"),
        ("ch_03", "cus_B", "2024-07-02", "40.00", "Paid"),
        ("ch_04", "cus_C", "2024-07-05", "60.00", "Refunded"),
        ("ch_05", "cus_A", "2024-07-08", "25.00", "Paid"),
        ("ch_06", "cus_D", "2024-07-10", "15.00", "Failed"),
        ("ch_07", "cus_E", "2024-07-12", "80.00", "Paid"),
    ]
    rows = [
        Row(c, day(d), D(a), None, None if s == "Paid" else "not a completed sale")
        for _, c, d, a, s in data
    ]
    text = lines("Payment ID,Customer ID,Date,Amount,Status", *(",".join(r) for r in data))
    return Case(
        "payments_status",
        put("payments_status.csv", text),
        "card-payment export with a Status column: Failed charges and fully Refunded charges "
        "are not completed sales (a failed charge retried and paid counts once)",
        rows,
        hand=(7, 4, 3, "170.00", "2024-07-01", "2024-07-12", {"not a completed sale": 3}),
        spot=(("cus_A", True), ("cus_B", True)),
        notes=(
            "Payment ID is not an order id: orders are purchase days",
            "a Refunded row is the whole charge refunded: dropped as not a completed sale",
        ),
    )


# ====================================================================== Identity


@builder
def guest_zero() -> Case:
    ids = [
        "12",
        "15",
        "0",
        "27",
        "12",
        "0",
        "33",
        "15",
        "0",
        "41",
        "12",
        "0",
        "27",
        "52",
        "0",
        "33",
        "15",
        "60",
        "41",
        "12",
    ]
    rows, records = [], []
    for i, cust in enumerate(ids, start=1):
        date = dt.date(2024, 8, 1) + dt.timedelta(days=i - 1)
        amount = D(10 + i)
        order = str(5000 + i)
        rows.append(Row(cust, date, amount, order, "guest placeholder id" if cust == "0" else None))
        records.append([order, f"{date} 10:{i:02d}", cust, f"{amount:.2f}"])
    text = csv_text(["Order Number", "Order Date", "Customer User ID", "Order Total"], records)
    return Case(
        "guest_zero",
        put("guest_zero.csv", text),
        "WooCommerce-style orders: guests all have Customer User ID 0, which would be the "
        "biggest customer; dropped as a guest placeholder",
        rows,
        load={"columns": {"customer_id": "Customer User ID"}},
        hand=(20, 15, 7, "315.00", "2024-08-01", "2024-08-20", {"guest placeholder id": 5}),
        spot=(("12", True), ("15", True)),
        notes=(
            "order i (1-20) is dated 2024-08-(i) and worth 10 + i; id 0 on orders 3, 6, 9, 12, 15",
            "kept revenue = 410 - (13 + 16 + 19 + 22 + 25) = 315; id 12: 11 + 15 + 21 + 30 = 77",
        ),
    )


@builder
def guest_tokens() -> Case:
    data = [
        ("a", "2024-09-01", "10.00", None),
        ("guest", "2024-09-01", "12.00", "guest placeholder id"),
        ("b", "2024-09-02", "14.00", None),
        ("", "2024-09-03", "16.00", "missing customer id"),
        ("a", "2024-09-04", "18.00", None),
        ("guest", "2024-09-05", "20.00", "guest placeholder id"),
        ("c", "2024-09-06", "22.00", None),
        ("d", "2024-09-07", "24.00", None),
        ("b", "2024-09-08", "26.00", None),
        ("e", "2024-09-09", "28.00", None),
        ("c", "2024-09-10", "30.00", None),
        ("f", "2024-09-11", "32.00", None),
        ("a", "2024-09-12", "34.00", None),
    ]
    rows = [Row(c or None, day(d), D(a), None, r) for c, d, a, r in data]
    text = lines("customer_id,order_date,revenue", *(f"{c},{d},{a}" for c, d, a, _ in data))
    return Case(
        "guest_tokens",
        put("guest_tokens.csv", text),
        'POS export writing "guest" for walk-in sales and leaving some ids empty: both '
        "dropped, each under its own reason",
        rows,
        hand=(
            13,
            10,
            6,
            "238.00",
            "2024-09-01",
            "2024-09-12",
            {"guest placeholder id": 2, "missing customer id": 1},
        ),
        spot=(("a", True), ("b", True)),
    )


@builder
def totals_row() -> Case:
    data = [
        ("a", "2024-10-01", "300"),
        ("b", "2024-10-15", "250"),
        ("c", "2024-11-02", "150"),
        ("a", "2024-11-20", "200"),
        ("d", "2024-12-05", "180"),
        ("b", "2024-12-20", "120"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in data]
    rows.append(Row(None, None, None, None, "totals row"))
    text = lines(
        "customer_id,order_date,revenue", *(",".join(r) for r in data), "Total,2024-12-31,1200"
    )
    return Case(
        "totals_row",
        put("totals_row.csv", text),
        "spreadsheet with a Total,2024-12-31,1200 line at the bottom: not a customer, and "
        "counting it would double revenue",
        rows,
        hand=(7, 6, 4, "1200.00", "2024-10-01", "2024-12-20", {"totals row": 1}),
        spot=(("a", True),),
    )


@builder
def grand_total_row() -> Case:
    data = [
        ("Acme", "2024-02-01", '"1,100.00"', "1100.00"),
        ("Birch", "2024-02-03", "250.00", "250.00"),
        ("Cole", "2024-02-07", "75.50", "75.50"),
        ("Acme", "2024-02-12", "24.50", "24.50"),
    ]
    rows = [Row(c, day(d), D(v)) for c, d, _, v in data]
    rows.append(Row(None, None, None, None, "totals row"))
    text = lines(
        "Customer,Date,Amount", *(f"{c},{d},{w}" for c, d, w, _ in data), 'Grand total,,"1,450.00"'
    )
    return Case(
        "grand_total_row",
        put("grand_total_row.csv", text),
        "report saved as CSV with a Grand total line (no date) under the sales",
        rows,
        hand=(5, 4, 3, "1450.00", "2024-02-01", "2024-02-12", {"totals row": 1}),
        spot=(("Acme", True),),
        notes=(
            "the totals line has no date: it counts as a totals row, the first reason that applies",
        ),
    )


@builder
def summe_row() -> Case:
    data = [
        ("K1", day("2024-04-03"), D("120.00")),
        ("K2", day("2024-04-05"), D("1080.50")),
        ("K3", day("2024-04-18"), D("99.50")),
        ("K1", day("2024-04-22"), D("200.00")),
    ]
    rows = [Row(c, t, a) for c, t, a in data]
    rows.append(Row(None, None, None, None, "totals row"))
    text = lines(
        "Kunde;Datum;Betrag",
        *(f"{c};{t:%d.%m.%Y};{de(a)}" for c, t, a in data),
        "Summe;;1.500,00",
        eol="\r\n",
    )
    return Case(
        "summe_row",
        put("summe_row.csv", text),
        "German Excel sheet saved as CSV (CRLF) with a Summe line at the bottom",
        rows,
        load={"columns": {"customer_id": "Kunde", "order_date": "Datum", "revenue": "Betrag"}},
        hand=(5, 4, 3, "1500.00", "2024-04-03", "2024-04-22", {"totals row": 1}),
        spot=(("K1", True),),
    )


@builder
def ids_scientific() -> Case:
    text = lines(
        "customer_id,order_date,revenue",
        "10234,2024-01-05,20.00",
        "10871,2024-01-06,35.00",
        "4.00638E+12,2024-01-07,50.00",
        "10234,2024-01-09,15.00",
        "11002,2024-01-12,40.00",
    )
    return Case(
        "ids_scientific",
        put("ids_mangled.csv", text),
        "CSV re-saved from Excel: a 13-digit id became 4.00638E+12, which can merge different "
        "people; refused with the Excel explanation and the line",
        [],
        error={
            "type": "DataValidationError",
            "match": ["4.00638E+12", "line 4", "excel", "scientific"],
        },
    )


@builder
def ids_unicode_spaces() -> Case:
    data = [
        ("C1001", "2024-02-01", "10.00"),
        ("\u00a0C1001", "2024-02-03", "20.00"),
        ("C1001\u200b", "2024-02-05", "30.00"),
        ("C1002", "2024-02-06", "40.00"),
        ("\u200bC1002\u00a0", "2024-02-08", "50.00"),
        (" C1003\u00a0", "2024-02-09", "60.00"),
    ]
    rows = [Row(c.strip(" \u00a0\u200b"), day(d), D(a)) for c, d, a in data]
    text = lines("customer_id,order_date,revenue", *(",".join(r) for r in data))
    return Case(
        "ids_unicode_spaces",
        put("ids_unicode_spaces.csv", text),
        "ids copied from a web page or PDF with no-break spaces (U+00A0) and zero-width "
        "spaces (U+200B) around them: trimmed to the same customer",
        rows,
        hand=(6, 6, 3, "210.00", "2024-02-01", "2024-02-09", {}),
        spot=(("C1001", True), ("C1002", True), ("C1003", True)),
    )


@builder
def ids_leading_zeros() -> Case:
    data = [
        ("00123", "2024-03-01", "10.00"),
        ("0042", "2024-03-02", "20.00"),
        ("123", "2024-03-03", "30.00"),
        ("00123", "2024-03-05", "40.00"),
        ("007", "2024-03-06", "50.00"),
        ("0042", "2024-03-09", "60.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in data]
    text = lines("customer_id,order_date,revenue", *(",".join(r) for r in data))
    side = [("00123", "Gold"), ("0042", "Silver"), ("123", "Bronze"), ("007", "Gold")]
    put("customers_leading_zeros.csv", lines("customer_id,segment", *(f"{c},{s}" for c, s in side)))
    extra = (
        "\n[side_table]                          # retainkit.load_customers(file)\n"
        'file = "customers_leading_zeros.csv"\n'
        "ids = ["
        + ", ".join(json.dumps(c) for c, _ in side)
        + "]   # ids as loaded, in file order\n"
        "matched = 4                           # side-table ids that are customers of this log\n"
    )
    return Case(
        "ids_leading_zeros",
        put("ids_leading_zeros.csv", text),
        "membership numbers with leading zeros (00123, 0042, 007): kept as text; 00123 and 123 "
        "are two customers; the customers side table matches on the same text",
        rows,
        hand=(6, 6, 4, "210.00", "2024-03-01", "2024-03-09", {}),
        spot=(("00123", True), ("123", True), ("0042", True), ("007", True)),
        extra=extra,
    )


@builder
def ids_leading_zeros_xlsx() -> Case:
    data = [
        ("00123", dt.datetime(2024, 4, 1), 15.0),
        ("0042", dt.datetime(2024, 4, 2), 25.0),
        ("00123", dt.datetime(2024, 4, 8), 35.0),
        ("000981", dt.datetime(2024, 4, 10), 45.0),
        ("0042", dt.datetime(2024, 4, 15), 55.0),
    ]
    rows = [Row(c, t.date(), D(str(a))) for c, t, a in data]
    body = xlsx(
        {"Orders": [["Customer ID", "Date", "Amount"], *map(list, data)]}, text_columns=(0,)
    )
    return Case(
        "ids_leading_zeros_xlsx",
        put("ids_leading_zeros.xlsx", body),
        "Excel workbook whose Customer ID cells are text cells (00123): leading zeros kept",
        rows,
        hand=(5, 5, 3, "175.00", "2024-04-01", "2024-04-15", {}),
        spot=(("00123", True), ("0042", True), ("000981", True)),
    )


# ========================================================================== Rows


@builder
def lines_differ_unmapped() -> Case:
    data = [
        ("A100", "2024-05-01 10:00", "c1", "MUG RED", "8.50"),
        ("A100", "2024-05-01 10:00", "c1", "MUG BLUE", "8.50"),
        ("A101", "2024-05-02 11:00", "c2", "TEA TOWEL", "4.25"),
        ("A102", "2024-05-03 09:30", "c3", "CANDLE", "12.00"),
        ("A102", "2024-05-03 09:30", "c3", "CANDLE HOLDER", "12.00"),
        ("A103", "2024-05-06 15:00", "c1", "MUG RED", "8.50"),
    ]
    rows = [Row(c, when(t).date(), D(a), o) for o, t, c, _, a in data]
    text = lines(
        "InvoiceNo,InvoiceDate,CustomerID,Description,Amount", *(",".join(r) for r in data)
    )
    return Case(
        "lines_differ_unmapped",
        put("lines_differ_unmapped.csv", text),
        "two products at the same price in one order differ only in Description (not mapped): "
        "both lines kept, not exact duplicates",
        rows,
        hand=(6, 6, 3, "53.75", "2024-05-01", "2024-05-06", {}),
        spot=(("c1", True), ("c3", True)),
    )


@builder
def exact_duplicate_line() -> Case:
    data = [
        ("B200", "2024-06-01 10:00", "d1", "SCARF", "20.00", None),
        ("B201", "2024-06-02 12:00", "d2", "GLOVES", "15.00", None),
        ("B201", "2024-06-02 12:00", "d2", "GLOVES", "15.00", "exact duplicate"),
        ("B202", "2024-06-03 09:00", "d3", "HAT", "18.00", None),
        ("B203", "2024-06-05 16:00", "d1", "SCARF", "20.00", None),
    ]
    rows = [Row(c, when(t).date(), D(a), o, r) for o, t, c, _, a, r in data]
    text = lines(
        "InvoiceNo,InvoiceDate,CustomerID,Description,Amount", *(",".join(r[:5]) for r in data)
    )
    return Case(
        "exact_duplicate_line",
        put("exact_duplicate_line.csv", text),
        "a line exported twice (every column equal): the copy is dropped as an exact duplicate",
        rows,
        hand=(5, 4, 3, "73.00", "2024-06-01", "2024-06-05", {"exact duplicate": 1}),
        spot=(("d2", True), ("d1", True)),
    )


@builder
def concat_reordered_header() -> Case:
    first = [
        ("a", "2024-07-01", "10.00"),
        ("b", "2024-07-02", "20.00"),
        ("c", "2024-07-03", "30.00"),
    ]
    second = [
        ("a", "2024-07-04", "40.00"),
        ("d", "2024-07-05", "50.00"),
        ("b", "2024-07-06", "60.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in first]
    rows.append(Row(None, None, None, None, "repeated header row"))
    rows += [Row(c, day(d), D(a)) for c, d, a in second]
    text = lines(
        "customer_id,order_date,revenue",
        *(f"{c},{d},{a}" for c, d, a in first),
        "revenue,customer_id,order_date",
        *(f"{a},{c},{d}" for c, d, a in second),
    )
    return Case(
        "concat_reordered_header",
        put("concat_reordered_header.csv", text),
        "two exports pasted together; the second header has the columns in another order and "
        "the lines under it are read in that order",
        rows,
        hand=(7, 6, 4, "210.00", "2024-07-01", "2024-07-06", {"repeated header row": 1}),
        spot=(("a", True), ("d", True)),
        notes=(
            "line 5 is the second header (a record, dropped);",
            "lines 6-8 are in its order: revenue,customer_id,order_date",
        ),
    )


# ==================================================================== Containers


@builder
def folder_csv() -> Case:
    jan = [("a", "2024-01-05", "10.00"), ("b", "2024-01-20", "20.00")]
    feb = [("a", "2024-02-03", "30.00"), ("c", "2024-02-14", "40.00"), ("b", "2024-02-25", "5.00")]
    mar = [("d", "2024-03-02", "50.00"), ("a", "2024-03-15", "60.00")]
    head = "customer_id,order_date,revenue"
    put("folder_csv/2024-01.csv", lines(head, *(",".join(r) for r in jan)))
    put("folder_csv/2024-02.csv", lines(head, *(",".join(r) for r in feb)))
    put(
        "folder_csv/2024-03.csv",
        lines("order_date,revenue,customer_id", *(f"{d},{a},{c}" for c, d, a in mar)),
    )
    rows = [Row(c, day(d), D(a)) for c, d, a in jan + feb + mar]
    return Case(
        "folder_csv",
        "folder_csv",
        "a folder of monthly CSV exports read as one log; the March file has its columns in "
        "another order",
        rows,
        hand=(7, 7, 4, "215.00", "2024-01-05", "2024-03-15", {}),
        spot=(("a", True), ("d", True)),
    )


@builder
def csv_named_parquet() -> Case:
    data = [
        ("x1", "a", "2024-08-01", "11.00"),
        ("x2", "b", "2024-08-02", "22.00"),
        ("x3", "a", "2024-08-05", "33.00"),
        ("x4", "c", "2024-08-09", "44.00"),
    ]
    rows = [Row(c, day(d), D(a), o) for o, c, d, a in data]
    text = lines("order_id,customer_id,order_date,revenue", *(",".join(r) for r in data))
    return Case(
        "csv_named_parquet",
        put("orders_export.parquet", text),
        "a CSV file saved under a .parquet name: read by its content (no PAR1 magic bytes)",
        rows,
        hand=(4, 4, 3, "110.00", "2024-08-01", "2024-08-09", {}),
        spot=(("a", True),),
    )


@builder
def parquet_truncated() -> Case:
    whole = parquet(
        {
            "customer_id": [f"c{i}" for i in range(30)],
            "order_date": [dt.datetime(2024, 1, 1) + dt.timedelta(days=i) for i in range(30)],
            "revenue": [10.0 + i for i in range(30)],
        }
    )
    return Case(
        "parquet_truncated",
        put("sales_cut.parquet", whole[: len(whole) // 2]),
        "a Parquet file cut off by an interrupted download (first half of the bytes, no "
        "footer): refused, naming the file and saying it is truncated",
        [],
        error={"type": "DataValidationError", "match": ["sales_cut.parquet", "truncated"]},
    )


@builder
def gz_not_gzip() -> Case:
    data = [
        ("a", "2024-09-01", "9.00"),
        ("b", "2024-09-02", "18.00"),
        ("c", "2024-09-03", "27.00"),
        ("a", "2024-09-04", "36.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in data]
    text = lines("customer_id,order_date,revenue", *(",".join(r) for r in data))
    return Case(
        "gz_not_gzip",
        put("orders_plain.csv.gz", text),
        "a .csv.gz that is plain text (a browser already unpacked the download): read as CSV",
        rows,
        hand=(4, 4, 3, "90.00", "2024-09-01", "2024-09-04", {}),
        spot=(("a", True),),
    )


@builder
def excel_yearly_sheets() -> Case:
    head = [
        "Invoice",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "Customer ID",
        "Country",
    ]
    # fmt: off
    y1 = [
        ("489434", "85048", "15CM CHRISTMAS GLASS BALL 20 LIGHTS", 12, "2009-12-01 07:45", "6.95", 13085.0),  # noqa: E501
        ("489434", "79323P", "PINK CHERRY LIGHTS", 12, "2009-12-01 07:45", "6.75", 13085.0),
        ("489435", "22350", "CAT BOWL", 12, "2009-12-01 07:46", "2.55", 13085.0),
        ("489436", "48173C", "DOOR MAT BLACK FLOCK", 10, "2009-12-01 09:06", "5.95", 13078.0),
        ("489437", "22087", "PAPER BUNTING WHITE LACE", 12, "2009-12-01 09:08", "2.95", 16321.0),
        ("C489449", "22087", "PAPER BUNTING WHITE LACE", -2, "2009-12-01 10:33", "2.95", 16321.0),
        ("490000", "21232", "STRAWBERRY CERAMIC TRINKET BOX", 24, "2010-06-15 12:00", "1.25", 15311.0),  # noqa: E501
    ]
    # fmt: on
    # fmt: off
    y2 = [
        ("539993", "22386", "JUMBO BAG PINK POLKADOT", 10, "2011-01-04 10:00", "1.95", 13313.0),
        ("539993", "21499", "BLUE POLKADOT WRAP", 25, "2011-01-04 10:00", "0.42", 13313.0),
        ("540001", "22749", "FELTCRAFT PRINCESS CHARLOTTE DOLL", 4, "2011-01-04 10:22", "3.75", 13085.0),  # noqa: E501
        ("562000", "23084", "RABBIT NIGHT LIGHT", 12, "2011-08-02 11:15", "2.08", 15311.0),
        ("581587", "22613", "PACK OF 20 SPACEBOY NAPKINS", 12, "2011-12-09 12:50", "0.85", 12680.0),
    ]
    # fmt: on
    rows = [Row(str(int(c)), when(t).date(), q * D(p), inv) for inv, _, _, q, t, p, c in y1 + y2]

    def sheet(data: list[tuple]) -> list[list[Any]]:
        return [head] + [
            [inv, sc, desc, q, when(t), float(p), c, "United Kingdom"]
            for inv, sc, desc, q, t, p, c in data
        ]

    body = xlsx({"Year 2009-2010": sheet(y1), "Year 2010-2011": sheet(y2)})
    return Case(
        "excel_yearly_sheets",
        put("online_retail_years.xlsx", body),
        "Online Retail II shape: one sheet per year (Year 2009-2010, Year 2010-2011) with the "
        "same header, read together as one log; Customer ID as numbers (13085.0)",
        rows,
        hand=(12, 12, 6, "394.16", "2009-12-01", "2011-12-09", {}),
        spot=(("13085", True), ("15311", True), ("16321", False)),
        notes=(
            "revenue = Quantity x Price; sheet 1: 314.00 (C489449, -2 x 2.95, netted in),",
            "sheet 2: 80.16",
            "13085: 83.40 + 81.00 + 30.60 + 15.00 = 210.00 over invoices 489434, 489435, 540001",
        ),
    )


@builder
def title_rows_csv() -> Case:
    data = [
        ("Acme", "2024-01-04", "120.00"),
        ("Birch", "2024-01-19", "80.00"),
        ("Acme", "2024-02-07", "45.00"),
        ("Cole", "2024-03-01", "60.00"),
        ("Dunn", "2024-03-28", "15.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in data]
    text = lines(
        "Sales by Customer Detail",
        '"January 1 - March 31, 2024"',
        "",
        "Customer,Date,Amount",
        *(",".join(r) for r in data),
    )
    return Case(
        "title_rows_csv",
        put("title_rows.csv", text),
        "report export with a title, a date-range line and a blank line above the header",
        rows,
        hand=(5, 5, 4, "320.00", "2024-01-04", "2024-03-28", {}),
        spot=(("Acme", True),),
        notes=("the header is on line 4; the three lines above it are not records",),
    )


@builder
def title_rows_xlsx() -> Case:
    data = [
        ("t1", dt.datetime(2024, 4, 2), 12.0),
        ("t2", dt.datetime(2024, 4, 9), 30.0),
        ("t1", dt.datetime(2024, 5, 13), 18.0),
        ("t3", dt.datetime(2024, 6, 1), 7.5),
        ("t4", dt.datetime(2024, 6, 28), 22.5),
    ]
    rows = [Row(c, t.date(), D(str(a))) for c, t, a in data]
    table = [
        ["Sales report"],
        ["Exported 2024-07-01 by admin"],
        [],
        ["Customer ID", "Date", "Amount"],
        *map(list, data),
    ]
    return Case(
        "title_rows_xlsx",
        put("title_rows.xlsx", xlsx({"Report": table}, text_columns=(0,))),
        "Excel report with two title rows and a blank row above the header (header on row 4)",
        rows,
        hand=(5, 5, 4, "90.00", "2024-04-02", "2024-06-28", {}),
        spot=(("t1", True),),
    )


@builder
def sep_line() -> Case:
    data = [
        ("a", "2024-10-01", "12,50"),
        ("b", "2024-10-02", "7,25"),
        ("a", "2024-10-08", "30,00"),
        ("c", "2024-10-11", "4,75"),
    ]
    rows = [Row(c, day(d), D(a.replace(",", "."))) for c, d, a in data]
    text = lines(
        "sep=;", "customer_id;order_date;revenue", *(";".join(r) for r in data), eol="\r\n"
    )
    return Case(
        "sep_line",
        put("sep_line.csv", text),
        'Excel-oriented CSV whose first line is "sep=;" (semicolons, decimal comma, CRLF)',
        rows,
        hand=(4, 4, 3, "54.50", "2024-10-01", "2024-10-11", {}),
        spot=(("a", True),),
        notes=('the "sep=;" line is not a record and not the header',),
    )


@builder
def cp1252() -> Case:
    data = [
        ("Jürgen Groß", day("2024-01-05"), "\u201eGeschenkgutschein\u201c 50 €", D("1234.56")),
        ("Müller GmbH", day("2024-01-08"), "Kaffeetasse \u201eClassic\u201c", D("12.90")),
        ("Jürgen Groß", day("2024-01-15"), "Versand \u2013 Express", D("9.50")),
        ("Zoë Weiß", day("2024-01-22"), "Rabatt-Aktion 10 €", D("2000.00")),
        ("Müller GmbH", day("2024-01-30"), "Tee \u201eEarl Grey\u201c 250 g", D("7.45")),
    ]
    rows = [Row(c, t, a) for c, t, _, a in data]
    text = lines(
        "Kunde;Datum;Artikel;Betrag",
        *(f"{c};{t:%d.%m.%Y};{art};{de(a)}" for c, t, art, a in data),
        eol="\r\n",
    )
    return Case(
        "cp1252",
        put("cp1252.csv", text, encoding="cp1252"),
        "German Windows export in cp1252 (€ is byte 0x80, „ 0x84, – 0x96: not UTF-8, not "
        "Latin-1), semicolons, amounts like 1.234,56",
        rows,
        load={"columns": {"customer_id": "Kunde", "order_date": "Datum", "revenue": "Betrag"}},
        hand=(5, 5, 3, "3264.41", "2024-01-05", "2024-01-30", {}),
        spot=(("Jürgen Groß", True), ("Zoë Weiß", False)),
    )


@builder
def html_xls() -> Case:
    data = [
        ("h1", "2024-11-04", "Salt &amp; Pepper Set", "24.00"),
        ("h2", "2024-11-05", "Café Crème", "4.50"),
        ("h1", "2024-11-12", "Tea &lt;Green&gt;", "8.25"),
        ("h3", "2024-11-20", "Mug", "12.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, _, a in data]
    cells = "".join(
        f"<tr><td>{c}</td><td>{d}</td><td>{p}</td><td>{a}</td></tr>\n" for c, d, p, a in data
    )
    text = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
        '<body>\n<table border="1">\n'
        "<tr><th>Customer ID</th><th>Order Date</th><th>Product</th><th>Amount</th></tr>\n"
        f"{cells}</table>\n</body>\n</html>\n"
    )
    return Case(
        "html_xls",
        put("report_html.xls", text),
        'web back-office "Export to Excel": an HTML table saved as .xls',
        rows,
        hand=(4, 4, 3, "48.75", "2024-11-04", "2024-11-20", {}),
        spot=(("h1", True),),
    )


@builder
def tsv_xls() -> Case:
    data = [
        ("v1", "2024-11-01", "19.99", "Poster"),
        ("v2", "2024-11-03", "5.00", "Card"),
        ("v3", "2024-11-07", "42.00", "Frame"),
        ("v1", "2024-11-15", "19.99", "Poster"),
        ("v4", "2024-11-22", "8.50", "Pen"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a, _ in data]
    text = lines(
        "Customer ID\tOrder Date\tAmount\tProduct", *("\t".join(r) for r in data), eol="\r\n"
    )
    return Case(
        "tsv_xls",
        put("report_tsv.xls", text),
        "old web report saved as .xls that is tab-separated text",
        rows,
        hand=(5, 5, 4, "95.48", "2024-11-01", "2024-11-22", {}),
        spot=(("v1", True),),
    )


@builder
def mapping_bom() -> Case:
    data = [
        ("K-01", "2024-12-02", "49.90"),
        ("K-02", "2024-12-03", "19.00"),
        ("K-01", "2024-12-10", "10.10"),
        ("K-03", "2024-12-15", "99.00"),
    ]
    rows = [Row(c, day(d), D(a)) for c, d, a in data]
    text = lines("Kundennummer,Bestelldatum,Betrag (€)", *(",".join(r) for r in data))
    mapping = "\ufeff" + lines(
        "# Spaltenzuordnung (saved by Windows Notepad: UTF-8 with BOM, CRLF)",
        "[columns]",
        'customer_id = "Kundennummer"',
        'order_date = "Bestelldatum"',
        'revenue = "Betrag (€)"',
        eol="\r\n",
    )
    put("mappings/bestellungen_bom.toml", mapping)
    return Case(
        "mapping_bom",
        put("bestellungen.csv", text),
        "a mapping file saved with a UTF-8 BOM (Notepad) naming columns with umlauts and €",
        rows,
        load={"columns": "mappings/bestellungen_bom.toml"},
        hand=(4, 4, 3, "178.00", "2024-12-02", "2024-12-15", {}),
        spot=(("K-01", True),),
        notes=("columns is the mapping file's path, relative to tests/exports/",),
    )


# ================================================================ Guest checkouts


@builder
def guest_checkout_quarter() -> Case:
    ids = ["17850", "13047", "12583", "14688", "15311"]
    missing = {2, 6, 10, 14, 18}
    rows, records, k = [], [], 0
    for i in range(1, 21):
        date = dt.date(2024, 2, i)
        amount = D(i) + D("0.50")
        if i in missing:
            cust, drop = "", "missing customer id"
        else:
            cust, drop = ids[k % 5], None
            k += 1
        rows.append(Row(cust or None, date, amount, str(700 + i), drop))
        records.append([str(700 + i), f"{date} 12:00", cust, f"{amount:.2f}"])
    text = csv_text(["InvoiceNo", "InvoiceDate", "CustomerID", "Amount"], records)
    return Case(
        "guest_checkout_quarter",
        put("guest_checkout_quarter.csv", text),
        "shop with guest checkout: 5 of 20 lines (25%) have no customer id; loads, those "
        "lines shown as missing customer id",
        rows,
        hand=(20, 15, 5, "167.50", "2024-02-01", "2024-02-20", {"missing customer id": 5}),
        spot=(("17850", True), ("15311", True)),
        notes=(
            "record i (1-20, on file line i + 1) is dated 2024-02-(i) and worth i + 0.50;",
            "the id is missing on records 2, 6, 10, 14, 18",
            "kept revenue = 220 - 52.50 = 167.50; 17850 has records 1, 8, 15: 25.50",
        ),
    )


@builder
def guest_checkout_most() -> Case:
    records = []
    for i in range(1, 21):
        cust = f"B{i:03d}" if i % 5 == 0 else ""
        records.append(
            [str(900 + i), f"2024-03-{i:02d}", cust, f"buyer{i}@example.com", f"{i + 10}.00"]
        )
    text = csv_text(["Order ID", "Date", "Customer ID", "Email", "Amount"], records)
    return Case(
        "guest_checkout_most",
        put("orders_account_column.csv", text),
        "Customer ID is an account number only 4 of 20 buyers have (80% empty; Email is the "
        "identity): the column is probably wrong; refused, naming max_missing_id_share",
        [],
        error={"type": "DataValidationError", "match": ["customer", "max_missing_id_share"]},
    )


# ========================================================================= truth


def truth(case: Case) -> dict[str, Any]:
    kept = [r for r in case.rows if r.drop is None]
    return {
        "rows_read": len(case.rows),
        "rows_kept": len(kept),
        "customers": len({r.cust for r in kept}),
        "revenue": sum((r.amount for r in kept), D(0)),
        "first_date": min(r.day for r in kept).isoformat(),
        "last_date": max(r.day for r in kept).isoformat(),
        "dropped": dict(Counter(r.drop for r in case.rows if r.drop is not None)),
    }


def spot_truth(case: Case, cust: str) -> tuple[Decimal, int]:
    mine = [r for r in case.rows if r.drop is None and r.cust == cust]
    if not mine:
        raise AssertionError(f"{case.name}: spot-checked id {cust!r} is not a kept customer")
    orders = {r.order if r.order is not None else r.day for r in mine}
    return sum((r.amount for r in mine), D(0)), len(orders)


def number(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s if "." in s else s + ".0"


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(map(value, v)) + "]"
    return json.dumps(v, ensure_ascii=False)


def truth_toml(case: Case) -> str:
    out = [f"file = {value(case.file)}", f"what = {value(case.what)}", ""]
    if case.load:
        out += ["[load]", *(f"{k} = {value(v)}" for k, v in case.load.items()), ""]
    if case.error is not None:
        out += ["[error]", f"type = {value(case.error['type'])}"]
        out += [f"match = {value(case.error['match'])}", ""]
        return "\n".join(out)
    t = truth(case)
    out += ["[expect]"]
    out += [f"# {n}" for n in case.notes]
    out += [f"rows_read = {t['rows_read']}", f"rows_kept = {t['rows_kept']}"]
    out += [f"customers = {t['customers']}", f"revenue = {number(t['revenue'])}"]
    out += [f"first_date = {value(t['first_date'])}", f"last_date = {value(t['last_date'])}", ""]
    if t["dropped"]:
        out += ["[expect.dropped]"]
        out += [f"{value(k)} = {t['dropped'][k]}" for k in REASONS if k in t["dropped"]]
        out += [""]
    for cust, with_orders in case.spot:
        revenue, orders = spot_truth(case, cust)
        out += ["[[expect.customer]]", f"id = {value(cust)}", f"revenue = {number(revenue)}"]
        if with_orders:
            out += [f"orders = {orders}"]
        out += [""]
    text = "\n".join(out)
    return text + case.extra if case.extra else text


def check(case: Case) -> None:
    """The truth computed from the records equals the figures worked out by hand."""
    if case.error is not None:
        return
    t = truth(case)
    rows_read, rows_kept, customers, revenue, first, last, dropped = case.hand
    got = (
        t["rows_read"],
        t["rows_kept"],
        t["customers"],
        t["revenue"],
        t["first_date"],
        t["last_date"],
        t["dropped"],
    )
    want = (rows_read, rows_kept, customers, D(revenue), first, last, dropped)
    if got != want:
        raise AssertionError(f"{case.name}: records give {got}, hand figures {want}")
    unknown = set(dropped) - set(REASONS)
    if unknown:
        raise AssertionError(f"{case.name}: unknown drop reasons {unknown}")
    today = dt.date(2026, 12, 2)
    if any(r.day is not None and r.day > today for r in case.rows):
        raise AssertionError(f"{case.name}: a date in the future")


def build() -> list[Case]:
    """Run every builder (fills FILES) and return the cases; writes nothing."""
    FILES.clear()
    cases: list[Case] = []
    for fn in BUILDERS:
        made = fn()
        cases += made if isinstance(made, list) else [made]
    names = [c.name for c in cases]
    if len(names) != len(set(names)) or any(n.startswith("tool_") for n in names + list(FILES)):
        raise AssertionError("case names must be unique and must not start with tool_")
    for case in cases:
        check(case)
        if case.file not in FILES and not any(f.startswith(case.file + "/") for f in FILES):
            raise AssertionError(f"{case.name}: {case.file} is not written")
    return cases


def main() -> None:
    cases = build()
    for name, data in FILES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for case in cases:
        (HERE / f"{case.name}.toml").write_bytes(truth_toml(case).encode("utf-8"))


if __name__ == "__main__":  # importing (e.g. pytest's doctest collection) writes nothing
    main()
