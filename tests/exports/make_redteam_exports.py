"""Write the red-team cases of the export corpus (files and truths named ``rt_*``).

Run: python tests/exports/make_redteam_exports.py   (from the project root; the files are
committed). ``--table`` prints the README table of the cases instead of writing.

These are the 78 shapes of a red-team pass on ``retainkit.load_transactions`` (28 of them
were read wrong, crashed or refused unclearly at first) and 15 of a second pass (14 of them
read wrong or refused unclearly at first), and 6 that a review of the second pass's fixes
found refused or misread by them, made permanent. Every case is
built from records: a record says what a line *means* (customer id, local order date, net
revenue, or why it must be dropped) and the case writes the line the way the tool exports
it. The truth ``rt_<name>.toml`` is computed from the records, never from a parser, and is
checked against the figures the red team wrote down (``redteam=``). A case refused by
default gets a second truth ``rt_<name>__<variant>.toml``: the read with the option the
message names. Where the red team accepted either a read or a clear refusal, the truth is
the outcome the loader gives today and a comment says what the other right outcome is.

Left out (files above 200 KB): ``long_line`` (a 3 MB notes field, above DuckDB's default
2 MB line limit) and the 200,000-line ``big_200k_tail_bad``, shrunk here to 2,000 lines
(``rt_big_2k_tail_bad``). README.md lists the cases.

Importing this module writes nothing (pytest imports it for doctests).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
import re
import shutil
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
MAX_BYTES = 200 * 1024

#: Drop reasons, in the order they are applied (as in make_exports.py).
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


@dataclass
class Rec:
    """One record as a correct loader must see it."""

    cust: str | None
    date: dt.datetime
    amount: float
    reason: str | None = None  # drop reason, None when kept
    order: str | None = None  # order id, when the file has an order id column


@dataclass
class Case:
    name: str  # the truth file is rt_<name>.toml
    file: str  # data file or folder (without the rt_ prefix, added by put)
    what: str  # what it imitates and what could go wrong
    recs: list[Rec] = field(default_factory=list)
    first: str = "OK"  # verdict of the first red-team pass (before the fixes)
    redteam: str | None = None  # the red team's figures for a correct read (short form)
    load: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None  # the default load must be refused: type, match
    fix: tuple[str, dict[str, Any], str] | None = None  # (variant, options, what): read
    spot: tuple[tuple[str, bool], ...] = ()  # (customer id, also check orders)
    notes: tuple[str, ...] = ()  # comments written into the truth file(s)
    also: str = ""  # the other outcome the red team accepted (comment)


FILES: dict[str, bytes] = {}  # relative path -> exact bytes, filled by the builders
BUILDERS: list[Callable[[], Case]] = []


def builder(fn: Callable[[], Case]) -> Callable[[], Case]:
    BUILDERS.append(fn)
    return fn


def put(name: str, data: bytes | str, encoding: str = "utf-8") -> str:
    """Keep a file's bytes under rt_<name>; return the name relative to tests/exports."""
    name = "rt_" + name
    if name in FILES:
        raise AssertionError(f"{name} written twice")
    FILES[name] = data if isinstance(data, bytes) else data.encode(encoding)
    return name.split("/")[0]


def D(text: str) -> dt.datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError(text)


def csv_text(header, rows, sep=",", eol="\r\n", quote_all=False) -> str:
    buf = io.StringIO()
    w = csv.writer(
        buf,
        delimiter=sep,
        lineterminator=eol,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def fixed_zip(data: bytes, patch: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """An xlsx or zip with fixed timestamps (a re-run writes the same bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-12-31T12:00:00Z", body)
            if patch is not None:
                body = patch(info.filename, body)
            item = zipfile.ZipInfo(info.filename, date_time=(2024, 12, 31, 12, 0, 0))
            item.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(item, body)
    return out.getvalue()


def workbook_bytes(wb, patch=None) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue(), patch)


def parquet_bytes(table) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def base_recs() -> list[Rec]:
    """Eight sales of four customers, used where only the layout matters."""
    return [
        Rec("C001", D("2024-01-05 08:26"), 12.50),
        Rec("C002", D("2024-01-13 14:00"), 30.00),
        Rec("C001", D("2024-02-02 09:15"), 7.25),
        Rec("C003", D("2024-02-14 17:45"), 120.00),
        Rec("C004", D("2024-03-01 10:00"), 45.10),
        Rec("C002", D("2024-03-19 12:30"), 19.99),
        Rec("C003", D("2024-04-22 16:20"), 5.00),
        Rec("C004", D("2024-05-31 23:10"), 88.80),
    ]


BASE = "read 8, kept 8, 4 cust, rev 328.64, 2024-01-05..2024-05-31"
ISO_DATE_WORDS = ["Order Date", "date_format"]


def simple_rows(recs, date_fmt="%Y-%m-%d"):
    return [[r.cust, f"{r.date:{date_fmt}}", f"{r.amount:.2f}"] for r in recs]


# =================================================================== text layout


@builder
def excel_trailing_empty() -> Case:
    recs = base_recs()
    lines = ["Customer ID,Order Date,Amount,,,"]
    for i, r in enumerate(recs):
        lines.append(f"{r.cust},{r.date:%Y-%m-%d},{r.amount:.2f},,,")
        if i == 3:
            lines.append(",,,,,")
    lines += [",,,,,"] * 4
    return Case(
        "excel_trailing_empty",
        put("excel_trailing_empty.csv", "\r\n".join(lines) + "\r\n"),
        "CSV saved by Excel from a sheet whose used range is wider and longer than the data: "
        "every line ends in ',,,' (header too) and ',,,,,' rows trail the data (one in the "
        "middle)",
        recs,
        redteam=BASE,
        notes=("the empty ',,,,,' lines are not records",),
    )


@builder
def trailing_delim_rows() -> Case:
    recs = base_recs()
    lines = ["customer_id,order_date,revenue"]
    lines += [f"{r.cust},{r.date:%Y-%m-%d},{r.amount:.2f}," for r in recs]
    return Case(
        "trailing_delim_rows",
        put("trailing_delim_rows.csv", "\n".join(lines) + "\n"),
        "database/ERP dump whose data lines end with a separator ('C001,2024-01-05,12.50,') "
        "while the header does not",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam=BASE,
        also="a refusal naming 'more fields' and 'line 2'",
    )


@builder
def fr_semicolon() -> Case:
    recs = [
        Rec("Hélène Dupré", D("2024-01-05"), 1234.56),
        Rec("Hélène Dupré", D("2024-02-13"), 12.50),
        Rec("Société Générale Café", D("2024-01-20"), 2999.00),
        Rec("Société Générale Café", D("2024-03-03"), -45.00),
        Rec("Jean-Luc Œuvray", D("2024-02-29"), 89.90),
        Rec("Zoé Martin", D("2024-04-30"), 10450.75),
    ]

    def fr(x):
        s = f"{abs(x):,.2f}".replace(",", "\u00a0").replace(".", ",")
        return ("-" if x < 0 else "") + s + " €"

    rows = [[r.cust, f"{r.date:%d/%m/%Y}", fr(r.amount), "Carte bancaire"] for r in recs]
    text = csv_text(["Client", "Date", "Montant TTC", "Mode de paiement"], rows, sep=";")
    return Case(
        "fr_semicolon",
        put("fr_semicolon.csv", text, encoding="cp1252"),
        "French Excel 'CSV (séparateur: point-virgule)': cp1252, ';', CRLF, dd/mm/yyyy, "
        "'1 234,56 €' with a no-break space (0xA0), credit notes '-45,00 €'; mapped by the user",
        recs,
        redteam="read 6, kept 6, 4 cust, rev 14741.71, 2024-01-05..2024-04-30",
        load={"columns": {"customer_id": "Client", "order_date": "Date", "revenue": "Montant TTC"}},
        spot=(("Société Générale Café", False), ("Hélène Dupré", True)),
    )


def _us_rows(recs):
    return [
        [
            r.cust,
            f"{r.date.month}/{r.date.day}/{r.date.year}",
            f"{r.amount:,.2f}",
            "Café au lait mug",
        ]
        for r in recs
    ]


def _us_recs():
    recs = base_recs()
    recs[3].amount = 1234.50
    recs[7].amount = 2045.00
    return recs


@builder
def utf16_excel_unicode() -> Case:
    recs = _us_recs()
    text = csv_text(["Customer ID", "Order Date", "Amount", "Product"], _us_rows(recs), sep="\t")
    return Case(
        "utf16_excel_unicode",
        put("utf16_excel_unicode.txt", b"\xff\xfe" + text.encode("utf-16-le")),
        "Excel 'Unicode Text' save: UTF-16 LE with BOM, tab-separated, CRLF, values as "
        "displayed (m/d/yyyy, 1,234.50 unquoted)",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 3399.34, 2024-01-05..2024-05-31",
        spot=(("C003", True),),
    )


@builder
def unicode_nobom() -> Case:
    recs = _us_recs()
    text = csv_text(["Customer ID", "Order Date", "Amount", "Product"], _us_rows(recs))
    return Case(
        "unicode_nobom",
        put("unicode_nobom.csv", text.encode("utf-16-le")),
        "UTF-16 LE comma file without a byte-order mark (.NET / SQL Server bcp -w export)",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam="read 8, kept 8, 4 cust, rev 3399.34, 2024-01-05..2024-05-31",
        also="a refusal naming the encoding (utf-16)",
        spot=(("C003", True),),
    )


@builder
def unicode_nobom_ascii() -> Case:
    recs = base_recs()
    text = csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs), eol="\n")
    return Case(
        "unicode_nobom_ascii",
        put("unicode_nobom_ascii.csv", text.encode("utf-16-le")),
        "UTF-16 LE export without BOM, LF line ends, every character ASCII (no accented "
        "name): read it or refuse naming the encoding",
        recs,
        first="RAW-ERROR",
        redteam=BASE,
        also="a refusal naming the encoding (utf-16)",
    )


@builder
def mac_cr() -> Case:
    recs = base_recs()
    rows = [
        [r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}", "Mug, large" if i == 2 else "Tee"]
        for i, r in enumerate(recs)
    ]
    text = csv_text(["customer_id", "order_date", "revenue", "product"], rows, eol="\r")
    return Case(
        "mac_cr",
        put("mac_cr.csv", text),
        "classic Mac OS text (CR-only line ends), one quoted field with a comma",
        recs,
        redteam=BASE,
    )


@builder
def quote_newline_doubled() -> Case:
    recs = base_recs()
    names = [
        'Poster 24" x 36"\nframed, matte',
        "Mug",
        '12" Vinyl "Blue"\r\nlimited',
        "Tee",
        'Print "A3"\n\n(signed)',
        "Cap",
        "Sticker",
        'Bag "XL"',
    ]
    rows = [
        [f"#{1000 + i}", r.cust, f"{r.date:%Y-%m-%d %H:%M}", names[i], f"{r.amount:.2f}"]
        for i, r in enumerate(recs)
    ]
    for i, r in enumerate(recs):
        r.order = f"#{1000 + i}"
    text = csv_text(["Order ID", "Customer ID", "Order Date", "Product", "Amount"], rows)
    return Case(
        "quote_newline_doubled",
        put("quote_newline_doubled.csv", text),
        "shop order export (CRLF) whose product names hold a line break AND doubled quotes in "
        'the same field: "Poster 24"" x 36""<LF>framed"',
        recs,
        redteam=BASE,
        notes=("8 records on 12 physical lines: a quoted line break is part of the field",),
        spot=(("C001", True),),
    )


@builder
def quoted_thousands() -> Case:
    recs = base_recs()
    recs[1].amount, recs[3].amount, recs[6].amount = 1234.50, 2000.00, 15250.25
    fmt = ["{:.2f}", "{:,.2f}", "{:.2f}", "${:,.2f}", "{:.2f}", "{:.2f}", "{:,.2f}", "{:.2f}"]
    rows = [[r.cust, f"{r.date:%Y-%m-%d}", fmt[i].format(r.amount)] for i, r in enumerate(recs)]
    return Case(
        "quoted_thousands",
        put("quoted_thousands.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        'US export with quoted thousands: "1,234.50" and "$2,000.00"',
        recs,
        redteam="read 8, kept 8, 4 cust, rev 18658.39, 2024-01-05..2024-05-31",
        spot=(("C003", True),),
    )


@builder
def space_after_comma() -> Case:
    recs = base_recs()
    names = [
        "Smith, John",
        "Lee, Ann",
        "Smith, John",
        "Ng, Bo",
        "Ruiz, Eva",
        "Lee, Ann",
        "Ng, Bo",
        "Ruiz, Eva",
    ]
    rows = [
        f'{r.cust}, "{names[i]}", {r.date:%Y-%m-%d}, {r.amount:.2f}' for i, r in enumerate(recs)
    ]
    return Case(
        "space_after_comma",
        put(
            "space_after_comma.csv",
            "Customer ID, Name, Order Date, Amount\n" + "\n".join(rows) + "\n",
        ),
        "hand-rolled export writing ', ' between fields; names quoted after the space "
        '(C001, "Smith, John", 2024-01-05, 12.50)',
        recs,
        first="UNCLEAR-MESSAGE",
        redteam=BASE,
        spot=(("C001", True),),
    )


@builder
def inch_marks_unquoted() -> Case:
    recs = base_recs()
    prods = [
        '12" Vinyl',
        "Mug",
        '7" Single',
        'Poster 24"x36"',
        "Tee",
        '10" Plate',
        "Cap",
        'Frame 8x10"',
    ]
    rows = [f"{r.cust},{r.date:%Y-%m-%d},{prods[i]},{r.amount:.2f}" for i, r in enumerate(recs)]
    return Case(
        "inch_marks_unquoted",
        put(
            "inch_marks_unquoted.csv",
            "Customer ID,Order Date,Product,Amount\n" + "\n".join(rows) + "\n",
        ),
        'export that does not quote fields: product names with inch marks (12" Vinyl) unquoted',
        recs,
        redteam=BASE,
    )


@builder
def header_case_spaces() -> Case:
    recs = base_recs()
    text = csv_text(["customer id ", "ORDER DATE", " Revenue "], simple_rows(recs))
    return Case(
        "header_case_spaces",
        put("header_case_spaces.csv", text),
        "header typed by hand: 'customer id ', 'ORDER DATE', ' Revenue '",
        recs,
        redteam=BASE,
    )


@builder
def no_header() -> Case:
    recs = base_recs()
    names = ["customer_id", "order_date", "revenue"]
    return Case(
        "no_header",
        put("no_header.csv", csv_text(None, simple_rows(recs))),
        "export without a header row (customer,date,amount): refused, saying the first line "
        "looks like data and naming the names option",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam=BASE,
        error={"type": "SchemaError", "match": ["names"]},
        fix=("names", {"names": names}, "the same file read with the names the message asks for"),
        also="reading the file right without names",
    )


@builder
def dup_amount_cols() -> Case:
    recs = base_recs()
    rows = [
        [r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}", f"{r.amount * 1.2:.2f}"] for r in recs
    ]
    text = csv_text(["Customer ID", "Order Date", "Amount", "Amount"], rows)
    return Case(
        "dup_amount_cols",
        put("net_and_gross_same_name.csv", text),
        "report with two columns both named 'Amount' (net, then gross with tax); which one is "
        "revenue is the user's call: refused naming the column, as README says of two revenue "
        "candidates",
        first="SILENT-WRONG",
        error={"type": "SchemaError", "match": ["Amount"]},
    )


@builder
def excel_equals_ids() -> Case:
    recs = base_recs()
    for r in recs:
        r.cust = "00" + r.cust[1:]
    rows = [f'="{r.cust}",{r.date:%Y-%m-%d},{r.amount:.2f}' for r in recs]
    text = "Customer ID,Order Date,Amount\r\n" + "\r\n".join(rows) + "\r\n"
    return Case(
        "excel_equals_ids",
        put("excel_equals_ids.csv", text),
        'export that protects leading zeros for Excel by writing ids as ="00123"',
        recs,
        redteam=BASE,
        notes=('="00001" is the id 00001 (C001 of the other cases)',),
        spot=(("00001", True), ("00004", False)),
    )


@builder
def empty_customer_col() -> Case:
    recs = base_recs()
    rows = [["", f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}", f"#{i}"] for i, r in enumerate(recs)]
    text = csv_text(["Customer ID", "Order Date", "Amount", "Order ID"], rows)
    return Case(
        "empty_customer_col",
        put("empty_customer_col.csv", text),
        "export whose Customer ID column is empty on every line: refused, naming the column "
        "and max_missing_id_share",
        error={"type": "DataValidationError", "match": ["Customer ID", "max_missing_id_share"]},
    )


@builder
def total_cereal() -> Case:
    recs = base_recs()
    prods = ["Cheerios", "Total", "Wheaties", "Kix", "Chex", "Trix", "Fiber One", "Total"]
    rows = [[prods[i], r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}"] for i, r in enumerate(recs)]
    text = csv_text(["Product", "Customer ID", "Order Date", "Amount"], rows)
    return Case(
        "total_cereal",
        put("total_cereal.csv", text),
        "grocery line export whose first column is the product; one product is General Mills' "
        "'Total' cereal (a real sale, not a totals line)",
        recs,
        first="SILENT-WRONG",
        redteam=BASE,
        notes=("lines 3 and 9 (C002 30.00, C004 88.80) sell 'Total' cereal: kept",),
        spot=(("C004", True), ("C002", True)),
    )


# ====================================================================== amounts


@builder
def na_dash_amounts() -> Case:
    rng = random.Random(9)
    recs = [
        Rec(
            f"K{i % 16:02d}",
            D("2024-01-01") + dt.timedelta(days=i * 3),
            round(rng.uniform(5, 200), 2),
        )
        for i in range(64)
    ]
    bad = [
        Rec("K01", D("2024-06-01"), 0.0, "non-numeric amount"),
        Rec("K02", D("2024-06-02"), 0.0, "non-numeric amount"),
        Rec("K03", D("2024-06-03"), 0.0, "non-numeric amount"),
    ]
    rows = [[r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}"] for r in recs]
    rows += [[b.cust, f"{b.date:%Y-%m-%d}", t] for b, t in zip(bad, ["N/A", "-", "—"], strict=True)]
    return Case(
        "na_dash_amounts",
        put("na_dash_amounts.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "report with placeholders in the amount column: 'N/A', '-', '—' (em dash) on 3 of 67 "
        "lines; those lines carry no money (dropped), the rest must be exact",
        recs + bad,
        redteam="read 67, kept 64, 16 cust, rev 5755.64, 2024-01-01..2024-07-08; "
        "dropped: non-numeric amount 3",
        also="reading the placeholders as 0 and dropping the 3 lines as 'zero revenue'",
        spot=(("K01", True),),
    )


@builder
def dollar_dot() -> Case:
    recs = base_recs()
    for r, a in zip(recs, [0.99, 1.49, 0.50, 12.00, 0.75, 3.25, 0.05, 20.00], strict=True):
        r.amount = a
    rows = [[r.cust, f"{r.date:%Y-%m-%d}", "$" + f"{r.amount:.2f}".lstrip("0")] for r in recs]
    return Case(
        "dollar_dot",
        put("dollar_dot.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "US point-of-sale report writing cents below a dollar without a leading zero: '$.99', "
        "'$.50' beside '$1.49', '$12.00'",
        recs,
        first="SILENT-WRONG",
        redteam="read 8, kept 8, 4 cust, rev 39.03, 2024-01-05..2024-05-31",
        spot=(("C001", True), ("C003", False)),
    )


@builder
def chf_typographic_apostrophe() -> Case:
    rng = random.Random(4)
    recs = [
        Rec(
            f"CH{i % 12:03d}",
            D("2024-01-02") + dt.timedelta(days=i * 4),
            round(rng.uniform(20, 400), 2),
        )
        for i in range(40)
    ]
    recs[10].amount, recs[31].amount = 1250.00, 12480.50

    def chf(x):
        return "CHF " + f"{x:,.2f}".replace(",", "\u2019")

    rows = [[r.cust, f"{r.date:%d.%m.%Y}", chf(r.amount)] for r in recs]
    return Case(
        "chf_typographic_apostrophe",
        put(
            "chf_typographic_apostrophe.csv",
            csv_text(["Kunde Nr", "Datum", "Betrag"], rows, sep=";"),
        ),
        "Swiss export from Windows 10+ de-CH locale: thousands written with the typographic "
        "apostrophe U+2019 ('CHF 1’250.00'); 2 of 40 lines are above 1'000",
        recs,
        first="SILENT-WRONG",
        redteam="read 40, kept 40, 12 cust, rev 22157.08, 2024-01-02..2024-06-06",
        load={"columns": {"customer_id": "Kunde Nr", "order_date": "Datum", "revenue": "Betrag"}},
        spot=(("CH010", True), ("CH007", False)),
    )


@builder
def inr_lakh() -> Case:
    recs = base_recs()
    amounts = [123456.00, 2499.00, 1234567.50, 850.75, 99999.99, 100000.00, 45.00, 7500.00]
    for r, a in zip(recs, amounts, strict=True):
        r.amount = a

    def lakh(x):
        whole, frac = f"{x:.2f}".split(".")
        if len(whole) > 3:
            head, tail = whole[:-3], whole[-3:]
            groups = []
            while len(head) > 2:
                groups.insert(0, head[-2:])
                head = head[:-2]
            if head:
                groups.insert(0, head)
            whole = ",".join([*groups, tail])
        return f"₹{whole}.{frac}"

    rows = [[r.cust, f"{r.date:%d-%m-%Y}", lakh(r.amount)] for r in recs]
    return Case(
        "inr_lakh",
        put("inr_lakh.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "Indian export with lakh grouping: '₹1,23,456.00', '₹12,34,567.50'",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 1568918.24, 2024-01-05..2024-05-31",
        spot=(("C001", True),),
    )


@builder
def jpy_amounts() -> Case:
    recs = base_recs()
    for r, a in zip(recs, [1280, 12800, 980, 3500, 45000, 2200, 640, 15800], strict=True):
        r.amount = float(a)
    rows = [[r.cust, f"{r.date:%Y/%m/%d}", f"¥{int(r.amount):,}"] for r in recs]
    return Case(
        "jpy_amounts",
        put("jpy_amounts.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "Japanese shop export in yen (no decimals): '¥1,280', '¥12,800', '¥980': no value "
        "tells the decimal mark; refused asking for decimal",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 82200.0, 2024-01-05..2024-05-31",
        error={"type": "DataValidationError", "match": ["decimal"]},
        fix=("decimal", {"decimal": "."}, "the same yen export with decimal='.': ¥12,800 is 12800"),
        also="reading the yen amounts right without decimal",
        spot=(("C003", True),),
    )


@builder
def currency_col_symbol() -> Case:
    recs = base_recs()
    recs[4].amount, recs[5].amount = -5.00, 1200.00
    rows = [
        [
            r.cust,
            f"{r.date:%Y-%m-%d}",
            ("-$" if r.amount < 0 else "$") + f"{abs(r.amount):,.2f}",
            "USD",
        ]
        for r in recs
    ]
    return Case(
        "currency_col_symbol",
        put(
            "currency_col_symbol.csv",
            csv_text(["Customer ID", "Order Date", "Amount", "Currency"], rows),
        ),
        "amounts with a '$' and a Currency column 'USD' (both), refunds as '-$5.00'",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 1458.55, 2024-01-05..2024-05-31",
        spot=(("C004", False), ("C002", True)),
    )


@builder
def percent_in_amount() -> Case:
    recs = base_recs()
    rows = [[r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount / 10:.1f}%"] for r in recs]
    rows[0][2] = "12.5%"
    return Case(
        "percent_in_amount",
        put("commission_rates.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "commission report whose 'Amount' column holds percentages ('12.5%'): not money; "
        "refused naming the column and the values",
        error={"type": "DataValidationError", "match": ["Amount", "12.5%"]},
    )


# ======================================================================== dates


@builder
def iso_week() -> Case:
    rows = [
        ["C1", "2024-W01-5", "10.00"],
        ["C2", "2024-W07-3", "20.00"],
        ["C1", "2024-W12-1", "5.00"],
    ]
    return Case(
        "iso_week",
        put("iso_week.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "planning export with ISO week dates '2024-W01-5': refused naming the column and "
        "date_format",
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
    )


@builder
def ms_timestamps() -> Case:
    recs = base_recs()
    recs[7].date = D("2024-12-31 23:59:59")
    rows = [
        [r.cust, f"{r.date:%Y-%m-%d %H:%M:%S}." + ("999" if i == 7 else "000"), f"{r.amount:.2f}"]
        for i, r in enumerate(recs)
    ]
    return Case(
        "ms_timestamps",
        put("ms_timestamps.csv", csv_text(["CustomerID", "OrderDate", "Amount"], rows)),
        "SQL Server export: '2024-01-05 08:26:00.000' (milliseconds), 23:59:59.999 on 31 Dec "
        "(stays on 31 Dec, not rounded into 2025)",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 328.64, 2024-01-05..2024-12-31",
    )


@builder
def dd_mon_yy() -> Case:
    recs = base_recs()
    rows = [
        [r.cust, f"{r.date:%d-%b-%y}".upper() if i % 2 else f"{r.date:%d-%b-%y}", f"{r.amount:.2f}"]
        for i, r in enumerate(recs)
    ]
    return Case(
        "dd_mon_yy",
        put("dd_mon_yy.csv", csv_text(["Customer ID", "Invoice Date", "Amount"], rows)),
        "Oracle/ERP report dates '05-Jan-24' and '13-JAN-24' (two-digit year, month name)",
        recs,
        redteam=BASE,
    )


@builder
def compact_datetime() -> Case:
    recs = base_recs()
    fmt = "%Y%m%d %H%M%S"
    return Case(
        "compact_datetime",
        put(
            "compact_datetime.csv",
            csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs, fmt)),
        ),
        "mainframe/EDI export '20240105 082600' (YYYYMMDD HHMMSS): refused naming the column "
        "and date_format",
        recs,
        redteam=BASE,
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
        fix=("date_format", {"date_format": fmt}, "the same file with date_format='%Y%m%d %H%M%S'"),
        also="reading the dates right without date_format",
    )


@builder
def arabic_digit_dates() -> Case:
    tr = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    rows = [[r.cust, f"{r.date:%d/%m/%Y}".translate(tr), f"{r.amount:.2f}"] for r in base_recs()]
    return Case(
        "arabic_digit_dates",
        put("arabic_digit_dates.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "Arabic-locale export with Arabic-Indic digits '٠٥/٠١/٢٠٢٤': refused naming the column "
        "and date_format",
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
    )


@builder
def jp_era_dates() -> Case:
    rows = [
        [r.cust, f"令和{r.date.year - 2018}年{r.date.month}月{r.date.day}日", f"{r.amount:.2f}"]
        for r in base_recs()
    ]
    return Case(
        "jp_era_dates",
        put("jp_era_dates.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "Japanese export with era dates '令和6年1月5日': refused naming the column and date_format",
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
    )


@builder
def jp_kanji_dates() -> Case:
    recs = base_recs()
    rows = [
        [r.cust, f"{r.date.year}年{r.date.month}月{r.date.day}日", f"{r.amount:.2f}"] for r in recs
    ]
    return Case(
        "jp_kanji_dates",
        put("jp_kanji_dates.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "Japanese export with '2024年1月5日' dates: refused naming the column and date_format",
        recs,
        redteam=BASE,
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
        fix=(
            "date_format",
            {"date_format": "%Y年%m月%d日"},
            "the same file with date_format='%Y年%m月%d日'",
        ),
        also="reading the dates right without date_format",
    )


_12H = [
    D("2024-01-05 20:26"),
    D("2024-01-13 00:15"),
    D("2024-02-03 12:30"),
    D("2024-12-30 23:59"),
    D("2024-03-09 07:05"),
    D("2024-06-21 11:45"),
]


def _twelve(d: dt.datetime) -> str:
    return f"{d.hour % 12 or 12}:{d.minute:02d} {'PM' if d.hour >= 12 else 'AM'}"


@builder
def us_12h() -> Case:
    recs = [Rec(f"C{i % 3}", d, 10.0 + i) for i, d in enumerate(_12H)]
    rows = [
        [r.cust, f"{r.date.month}/{r.date.day}/{r.date.year} {_twelve(r.date)}", f"{r.amount:.2f}"]
        for r in recs
    ]
    return Case(
        "us_12h",
        put("us_12h.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "US export with 12-hour times '1/5/2024 8:26 PM', '1/13/2024 12:15 AM'",
        recs,
        redteam="read 6, kept 6, 3 cust, rev 75.0, 2024-01-05..2024-12-30",
        notes=("the red team also checked the times (12:15 AM is 00:15); the truth checks dates",),
        spot=(("C1", True),),
    )


@builder
def iso_ampm() -> Case:
    recs = [Rec(f"C{i % 3}", d, 10.0 + i) for i, d in enumerate(_12H)]
    rows = [[r.cust, f"{r.date:%Y-%m-%d} {_twelve(r.date)}", f"{r.amount:.2f}"] for r in recs]
    return Case(
        "iso_ampm",
        put("iso_ampm.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "export writing ISO dates with a 12-hour clock '2024-01-05 8:26 PM': refused naming "
        "the column and date_format",
        recs,
        redteam="read 6, kept 6, 3 cust, rev 75.0, 2024-01-05..2024-12-30",
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
        fix=(
            "date_format",
            {"date_format": "%Y-%m-%d %I:%M %p"},
            "the same file with date_format='%Y-%m-%d %I:%M %p'",
        ),
        also="reading the dates right without date_format",
    )


@builder
def mixed_dotted_iso() -> Case:
    recs = base_recs()
    rows = [
        [r.cust, f"{r.date:%d.%m.%Y}" if i % 2 == 0 else f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}"]
        for i, r in enumerate(recs)
    ]
    return Case(
        "mixed_dotted_iso",
        put("mixed_dotted_iso.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "log appended by two systems: half the dates 'dd.mm.yyyy' (05.01.2024, 14.02.2024), "
        "half ISO",
        recs,
        redteam=BASE,
    )


@builder
def yy_mm_dd() -> Case:
    recs = base_recs()
    text = csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs, "%y-%m-%d"))
    return Case(
        "yy_mm_dd",
        put("yy_mm_dd.csv", text),
        "Swedish/Japanese short dates yy-mm-dd ('24-01-05'): the first field is the year; "
        "read as dd-mm-yy it gives 24 Jan 2005 etc.; must be read as yy-mm-dd (or refused)",
        recs,
        redteam=BASE,
        also="a refusal naming date_format",
    )


@builder
def yy_mm_dd_plausible() -> Case:
    days = [
        "2023-01-05",
        "2023-02-17",
        "2023-03-09",
        "2023-04-22",
        "2023-06-01",
        "2023-08-14",
        "2023-10-03",
        "2023-12-19",
    ]
    recs = [Rec(f"C{i % 4}", D(d), 10.0 + i) for i, d in enumerate(days)]
    text = csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs, "%y-%m-%d"))
    return Case(
        "yy_mm_dd_plausible",
        put("yy_mm_dd_plausible.csv", text),
        "yy-mm-dd dates of 2023 whose days are all 1-24 ('23-01-05'): read as dd-mm-yy every "
        "date is a plausible day of 2001-2024 (23 Jan 2005...), so nothing stops a misreading",
        recs,
        first="SILENT-WRONG",
        redteam="read 8, kept 8, 4 cust, rev 108.0, 2023-01-05..2023-12-19",
        also="a refusal naming date_format",
        spot=(("C0", True),),
    )


@builder
def rfc2822_dates() -> Case:
    recs = base_recs()
    rows = [[r.cust, f"{r.date:%a, %d %b %Y %H:%M:%S} +0000", f"{r.amount:.2f}"] for r in recs]
    return Case(
        "rfc2822_dates",
        put("rfc2822_dates.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "API/e-mail style dates 'Fri, 05 Jan 2024 08:26:00 +0000'",
        recs,
        redteam=BASE,
    )


@builder
def tz_abbrev() -> Case:
    recs = base_recs()
    rows = [
        [
            r.cust,
            f"{r.date:%Y-%m-%d %H:%M} " + ("PDT" if 3 < r.date.month < 11 else "PST"),
            f"{r.amount:.2f}",
        ]
        for r in recs
    ]
    fmt = "%Y-%m-%d %H:%M %Z"
    return Case(
        "tz_abbrev",
        put("tz_abbrev.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "US report with zone abbreviations '2024-01-05 08:26 PST' / 'PDT': each line counts "
        "on the local date written",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam=BASE,
        fix=(
            "date_format",
            {"date_format": fmt},
            "the same file with date_format='%Y-%m-%d %H:%M %Z'",
        ),
        also="a refusal naming date_format",
        notes=("2024-05-31 23:10 PDT stays on 31 May (06:10 UTC would be 1 June)",),
    )


@builder
def tz_abbrev_pst() -> Case:
    recs = [
        Rec("C001", D("2024-01-05 08:26"), 12.50),
        Rec("C002", D("2024-01-13 14:00"), 30.0),
        Rec("C001", D("2024-02-02 19:15"), 7.25),
        Rec("C003", D("2024-02-28 21:30"), 120.0),
    ]
    rows = [[r.cust, f"{r.date:%Y-%m-%d %H:%M} PST", f"{r.amount:.2f}"] for r in recs]
    fmt = "%Y-%m-%d %H:%M %Z"
    return Case(
        "tz_abbrev_pst",
        put("tz_abbrev_pst.csv", csv_text(["Customer ID", "Order Date", "Amount"], rows)),
        "the same zone-abbreviation export for winter months only (all PST): the local dates "
        "stay as written (21:30 PST on 28 Feb is not 29 Feb)",
        recs,
        first="SILENT-WRONG",
        redteam="read 4, kept 4, 3 cust, rev 169.75, 2024-01-05..2024-02-28",
        fix=(
            "date_format",
            {"date_format": fmt},
            "the same file with date_format='%Y-%m-%d %H:%M %Z'",
        ),
        also="a refusal naming date_format",
        spot=(("C001", True),),
    )


@builder
def yymmdd_numeric() -> Case:
    recs = base_recs()
    return Case(
        "yymmdd_numeric",
        put(
            "yymmdd_numeric.csv",
            csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs, "%y%m%d")),
        ),
        "bank/EDI export with 6-digit yymmdd dates (240105): refused naming the date column "
        "and date_format",
        recs,
        redteam=BASE,
        error={"type": "DataValidationError", "match": ISO_DATE_WORDS},
        fix=("date_format", {"date_format": "%y%m%d"}, "the same file with date_format='%y%m%d'"),
        also="reading the dates right without date_format",
    )


# ================================================================= odd bytes


@builder
def gzip_cp1252() -> Case:
    recs = [
        Rec("Müller GmbH", D("2024-01-05"), 1234.56),
        Rec("Bäckerei „Süß“", D("2024-01-17"), 12.50),
        Rec("Müller GmbH", D("2024-02-02"), -99.00),
        Rec("Österreicher AG", D("2024-03-30"), 4500.00),
        Rec("Weiß & Söhne", D("2024-04-01"), 0.99),
    ]

    def de(x):
        return f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"

    rows = [[r.cust, f"{r.date:%d.%m.%Y}", de(r.amount), "Überweisung"] for r in recs]
    text = csv_text(["Kunde", "Datum", "Betrag", "Zahlungsart"], rows, sep=";")
    return Case(
        "gzip_cp1252",
        put("gzip_cp1252.csv.gz", gzip.compress(text.encode("cp1252"), mtime=0)),
        "gzip of a German semicolon cp1252 export (€, ü, „…“), 1.234,56",
        recs,
        redteam="read 5, kept 5, 4 cust, rev 5649.05, 2024-01-05..2024-04-01",
        load={"columns": {"customer_id": "Kunde", "order_date": "Datum", "revenue": "Betrag"}},
        spot=(("Müller GmbH", False), ("Bäckerei „Süß“", True)),
    )


@builder
def empty0() -> Case:
    return Case(
        "empty0",
        put("zero_bytes.csv", b""),
        "a 0-byte file (failed download): refused, saying it is empty",
        error={"type": "DataValidationError", "match": ["empty"]},
    )


@builder
def bom_only() -> Case:
    return Case(
        "bom_only",
        put("bom_only.csv", b"\xef\xbb\xbf"),
        "a file holding only a UTF-8 BOM (Notepad save of an empty export): refused, saying "
        "it is empty",
        first="UNCLEAR-MESSAGE",
        error={"type": "DataValidationError", "match": ["empty"]},
        also="a message saying 'no rows' or 'no data' instead of 'empty'",
    )


@builder
def header_only_crlf() -> Case:
    return Case(
        "header_only_crlf",
        put("header_only_crlf.csv", b"Customer ID,Order Date,Amount\r\n"),
        "header line only, CRLF (export of an empty period): refused, saying there are no rows",
        error={"type": "DataValidationError", "match": ["no rows"]},
        also="a message saying 'no data' or 'empty' instead of 'no rows'",
    )


@builder
def nul_bytes() -> Case:
    recs = base_recs()
    rows = [
        f"{r.cust},{r.date:%Y-%m-%d},{'Mug' + chr(0) + 'Blue' if i == 2 else 'Tee'},{r.amount:.2f}"
        for i, r in enumerate(recs)
    ]
    return Case(
        "nul_bytes",
        put("nul_bytes.csv", "Customer ID,Order Date,Product,Amount\n" + "\n".join(rows) + "\n"),
        "export with a NUL byte inside a product name (C string leak)",
        recs,
        redteam=BASE,
    )


@builder
def ctrl_z_eof() -> Case:
    recs = base_recs()
    text = csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(recs))
    return Case(
        "ctrl_z_eof",
        put("ctrl_z_eof.csv", text.encode() + b"\x1a"),
        "old DOS export ending with a Ctrl-Z (0x1A) end-of-file byte; on a small file a clear "
        "refusal naming the line and the byte is acceptable",
        recs,
        redteam=BASE,
        error={"type": "DataValidationError", "match": ["line 10", "\\x1a"]},
        also="reading the 8 records (8 read, 8 kept, 328.64), the Ctrl-Z taken as the end "
        "of the file",
    )


@builder
def sjis_jp() -> Case:
    recs = base_recs()
    names = {"C001": "山田太郎", "C002": "佐藤花子", "C003": "鈴木一郎", "C004": "高橋美咲"}
    for r in recs:
        r.cust = names[r.cust]
        r.amount = float(round(r.amount * 100))
    rows = [
        [r.cust, f"{r.date.year}/{r.date.month}/{r.date.day}", f"{int(r.amount)}"] for r in recs
    ]
    columns = {"customer_id": "顧客ID", "order_date": "注文日", "revenue": "金額"}
    return Case(
        "sjis_jp",
        put("sjis_jp.csv", csv_text(["顧客ID", "注文日", "金額"], rows).encode("cp932")),
        "Japanese Excel CSV in Shift_JIS (cp932): header 顧客ID,注文日,金額, dates 2024/1/5; "
        "no column is recognised: refused naming the missing columns and the encoding read",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam="read 8, kept 8, 4 cust, rev 32864.0, 2024-01-05..2024-05-31",
        error={"type": "SchemaError", "match": ["customer_id", "encoding"]},
        fix=(
            "encoding",
            {"encoding": "cp932", "columns": columns},
            "the same file with encoding='cp932' and the columns mapped",
        ),
        also="a message naming Shift_JIS or cp932 instead of the word 'encoding'",
        spot=(("山田太郎", True),),
    )


# ====================================================================== Excel


def _cached_values(values: dict[str, str]) -> Callable[[str, bytes], bytes]:
    """Give formula cells a cached value, as Excel stores them (openpyxl leaves <v />)."""

    def patch(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        text = body.decode()
        for ref, v in values.items():
            text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v ?/>', rf"\1\2<v>{v}</v>", text)
        return text.encode()

    return patch


@builder
def merged_title_totals() -> Case:
    import openpyxl

    recs = base_recs()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Report"
    ws["A1"] = "Sales report Q1-Q2 2024"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Customer ID", "Order Date", "Product", "Amount"])
    for r in recs:
        ws.append([r.cust, r.date, "Mug", r.amount])
    last = 3 + len(recs)
    ws.append(["Total", None, f"=COUNTA(C4:C{last})", f"=SUM(D4:D{last})"])
    total = round(sum(r.amount for r in recs), 2)
    data = workbook_bytes(
        wb, _cached_values({f"C{last + 1}": str(len(recs)), f"D{last + 1}": str(total)})
    )
    totals = Rec(None, D("2024-01-01"), 0.0, "totals row")
    return Case(
        "merged_title_totals",
        put("merged_title_totals.xlsx", data),
        "Excel report: merged title cell A1:D1, blank row, header on row 3, date cells, and a "
        "'Total' row with =SUM() formulas (cached values, as Excel saves them)",
        [*recs, totals],
        redteam="read 9, kept 8, 4 cust, rev 328.64, 2024-01-05..2024-05-31; dropped: totals row 1",
        notes=("the Total row (cached =SUM 328.64) is a record dropped as a totals row",),
    )


@builder
def xlsx_dates_numeric_ids() -> Case:
    import openpyxl

    recs = base_recs()
    ids = {"C001": 17850, "C002": 13047, "C003": 12583, "C004": 13748}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["InvoiceNo", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "Amount"])
    for i, r in enumerate(recs):
        r.cust, r.order = str(ids[r.cust]), str(536365 + i)
        ws.append([536365 + i, int(r.cust), r.date, 1, r.amount, r.amount])
    return Case(
        "xlsx_dates_numeric_ids",
        put("xlsx_dates_numeric_ids.xlsx", workbook_bytes(wb)),
        "Excel sheet typed by hand: date-time cells, Customer ID as number cells (17850), "
        "amounts and quantities as number cells",
        recs,
        redteam=BASE,
        notes=("the number cell 17850 is the id '17850' (not '17850.0')",),
        spot=(("17850", True), ("13748", False)),
    )


@builder
def xlsx_1904() -> Case:
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    recs = base_recs()
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["Customer ID", "Order Date", "Amount"])
    for r in recs:
        ws.append([r.cust, r.date, r.amount])
    return Case(
        "xlsx_1904",
        put("xlsx_1904.xlsx", workbook_bytes(wb)),
        "workbook from Mac Excel using the 1904 date system, date cells (read with the 1900 "
        "system every date would be 4 years and a day early)",
        recs,
        redteam=BASE,
    )


@builder
def xlsx_sales_refunds_sheets() -> Case:
    import openpyxl

    sales = base_recs()
    refunds = [Rec("C003", D("2024-02-20"), 120.00), Rec("C004", D("2024-06-02"), 40.00)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Customer ID", "Date", "Amount"])
    for r in sales:
        ws.append([r.cust, r.date, r.amount])
    ws2 = wb.create_sheet("Refunds")
    ws2.append(["Customer ID", "Date", "Amount"])
    for r in refunds:
        ws2.append([r.cust, r.date, r.amount])
    return Case(
        "xlsx_sales_refunds_sheets",
        put("bookkeeping_two_tabs.xlsx", workbook_bytes(wb)),
        "bookkeeping workbook with a 'Sales' sheet and a 'Refunds' sheet of the same header, "
        "refunds written as positive amounts on their own sheet: read together they would "
        "count as sales; refused naming the sheets and the sheet option",
        sales,  # the variant reads the Sales sheet only
        first="SILENT-WRONG",
        redteam=BASE,
        error={"type": "SchemaError", "match": ["sheet", "Refunds"]},
        fix=("sheet", {"sheet": "Sales"}, "the same workbook with sheet='Sales': the 8 sales"),
        also="reading both sheets with the refunds netted (10 read, 10 kept, 4 customers, "
        "168.64, 2024-01-05 to 2024-06-02)",
    )


# ==================================================================== Parquet


@builder
def parquet_int_decimal() -> Case:
    from decimal import Decimal

    import pyarrow as pa

    recs = base_recs()
    ids = {"C001": 1001, "C002": 1002, "C003": 1003, "C004": 1004}
    for i, r in enumerate(recs):
        r.cust, r.order = str(ids[r.cust]), str(i)
    table = pa.table(
        {
            "customer_id": pa.array([int(r.cust) for r in recs], pa.int64()),
            "order_date": pa.array([r.date.date() for r in recs], pa.date32()),
            "revenue": pa.array([Decimal(f"{r.amount:.2f}") for r in recs], pa.decimal128(12, 2)),
            "order_id": pa.array(range(len(recs)), pa.int64()),
        }
    )
    return Case(
        "parquet_int_decimal",
        put("parquet_int_decimal.parquet", parquet_bytes(table)),
        "warehouse Parquet: int64 customer ids, date32 dates, decimal128(12,2) amounts",
        recs,
        redteam=BASE,
        spot=(("1001", True),),
    )


@builder
def parquet_string_dates() -> Case:
    import pyarrow as pa

    recs = base_recs()
    table = pa.table(
        {
            "customer_id": [r.cust for r in recs],
            "order_date": [f"{r.date:%d/%m/%Y}" for r in recs],
            "revenue": [f"{r.amount:.2f}" for r in recs],
        }
    )
    return Case(
        "parquet_string_dates",
        put("parquet_string_dates.parquet", parquet_bytes(table)),
        "Parquet written from a CSV without typing: every column string, dates dd/mm/yyyy",
        recs,
        redteam=BASE,
    )


@builder
def parquet_nested() -> Case:
    import pyarrow as pa

    recs = base_recs()
    item = pa.struct([("sku", pa.string()), ("qty", pa.int32())])
    items = pa.array(
        [[{"sku": "MUG", "qty": 1}, {"sku": "TEE", "qty": 2}] for _ in recs], pa.list_(item)
    )
    attrs = pa.array([[("src", "web")] for _ in recs], pa.map_(pa.string(), pa.string()))
    table = pa.table(
        {
            "customer_id": [r.cust for r in recs],
            "order_date": pa.array([r.date for r in recs], pa.timestamp("us")),
            "revenue": [r.amount for r in recs],
            "items": items,
            "attributes": attrs,
        }
    )
    return Case(
        "parquet_nested",
        put("parquet_nested.parquet", parquet_bytes(table)),
        "Parquet from an API dump with a nested list<struct> 'items' column and a map column",
        recs,
        redteam=BASE,
    )


@builder
def parquet_folder_reordered() -> Case:
    import pyarrow as pa

    recs = base_recs()
    a, b = recs[:4], recs[4:]
    put(
        "parquet_folder_reordered/part-0.parquet",
        parquet_bytes(
            pa.table(
                {
                    "customer_id": [r.cust for r in a],
                    "order_date": [f"{r.date:%Y-%m-%d}" for r in a],
                    "revenue": [f"{r.amount:.2f}" for r in a],
                }
            )
        ),
    )
    folder = put(
        "parquet_folder_reordered/part-1.parquet",
        parquet_bytes(
            pa.table(
                {
                    "order_date": [f"{r.date:%Y-%m-%d}" for r in b],
                    "customer_id": [r.cust for r in b],
                    "revenue": [f"{r.amount:.2f}" for r in b],
                }
            )
        ),
    )
    return Case(
        "parquet_folder_reordered",
        folder,
        "folder of two Parquet files (all string columns) whose columns are in another order",
        recs,
        redteam=BASE,
        spot=(("C002", True),),
    )


@builder
def parquet_folder_drift() -> Case:
    from decimal import Decimal

    import pyarrow as pa

    recs = base_recs()
    for r in recs:
        r.cust = {"C001": "1001", "C002": "1002", "C003": "1003", "C004": "1004"}[r.cust]
    a, b = recs[:4], recs[4:]
    put(
        "parquet_folder_drift/2024-01.parquet",
        parquet_bytes(
            pa.table(
                {
                    "customer_id": pa.array([int(r.cust) for r in a], pa.int64()),
                    "order_date": pa.array([r.date for r in a], pa.timestamp("us")),
                    "revenue": pa.array([r.amount for r in a], pa.float64()),
                }
            )
        ),
    )
    folder = put(
        "parquet_folder_drift/2024-02.parquet",
        parquet_bytes(
            pa.table(
                {
                    "customer_id": pa.array([r.cust for r in b], pa.string()),
                    "order_date": pa.array([r.date for r in b], pa.timestamp("us")),
                    "revenue": pa.array(
                        [Decimal(f"{r.amount:.2f}") for r in b], pa.decimal128(10, 2)
                    ),
                }
            )
        ),
    )
    return Case(
        "parquet_folder_drift",
        folder,
        "folder of two Parquet files from two pipeline versions: customer_id int64 then "
        "string, revenue double then decimal(10,2); int 1003 and string '1003' are one customer",
        recs,
        redteam=BASE,
        also="a refusal naming the Parquet schemas",
        spot=(("1003", True),),
    )


# ============================================================ folders and zip


@builder
def folder_extra_col() -> Case:
    recs = base_recs()
    a, b = recs[:4], recs[4:]
    put(
        "folder_extra_col/2024-01.csv",
        csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(a)),
    )
    rows = [
        [r.cust, f"{r.date:%Y-%m-%d}", "SPRING" if i else "", f"{r.amount:.2f}"]
        for i, r in enumerate(b)
    ]
    folder = put(
        "folder_extra_col/2024-02.csv",
        csv_text(["Customer ID", "Order Date", "Coupon", "Amount"], rows),
    )
    return Case(
        "folder_extra_col",
        folder,
        "folder of two monthly CSV exports; the later one has an extra 'Coupon' column "
        "(export template changed)",
        recs,
        redteam=BASE,
    )


@builder
def folder_renamed_id() -> Case:
    recs = base_recs()
    a, b = recs[:4], recs[4:]
    put(
        "folder_renamed_id/2024-01.csv",
        csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(a)),
    )
    folder = put(
        "folder_renamed_id/2024-02.csv",
        csv_text(["CustomerID", "Order Date", "Amount"], simple_rows(b)),
    )
    return Case(
        "folder_renamed_id",
        folder,
        "folder of monthly CSV exports; the tool renamed 'Customer ID' to 'CustomerID' in the "
        "later file: refused naming both",
        recs,
        redteam=BASE,
        error={"type": "SchemaError", "match": ["Customer ID", "CustomerID"]},
        also="reading both names as one column (8 read, 8 kept, 4 customers, 328.64)",
    )


@builder
def folder_renamed_to_email() -> Case:
    recs = []
    for m in (1, 2, 3):
        for i in range(6):
            recs.append(Rec(f"C{i}", D(f"2024-{m:02d}-{i + 3:02d}"), 10.0 * (i + 1) + m))
    for m in (1, 2):
        part = [r for r in recs if r.date.month == m]
        put(
            f"folder_renamed_to_email/2024-{m:02d}.csv",
            csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(part)),
        )
    part = [r for r in recs if r.date.month == 3]
    rows = [
        [f"{r.cust.lower()}@example.com", f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}"] for r in part
    ]
    folder = put(
        "folder_renamed_to_email/2024-03.csv",
        csv_text(["Customer Email", "Order Date", "Amount"], rows),
    )
    return Case(
        "folder_renamed_to_email",
        folder,
        "folder of 3 monthly CSV exports; from March the shop exports 'Customer Email' instead "
        "of 'Customer ID' (a non-synonym): March rows must not vanish silently; refused naming "
        "the file and the column",
        recs,
        first="SILENT-WRONG",
        redteam="read 18, kept 18, 6 cust, rev 666.0, 2024-01-03..2024-03-08",
        error={"type": "SchemaError", "match": ["Customer Email", "2024-03.csv"]},
        notes=(
            "the red team's read (18 kept, 6 customers, 666.00) needs March's e-mails tied to "
            "the ids of January and February, which the files cannot give: refusing is right",
        ),
    )


@builder
def orders_download() -> Case:
    text = csv_text(["Customer ID", "Order Date", "Amount"], simple_rows(base_recs()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("orders.csv", date_time=(2024, 1, 1, 0, 0, 0)), text)
    return Case(
        "orders_download",
        put("orders_download.zip", buf.getvalue()),
        "a tool's 'export' download: a .zip archive holding orders.csv; refused, saying it is "
        "an archive to unzip",
        base_recs(),
        first="UNCLEAR-MESSAGE",
        redteam=BASE,
        error={"type": "SchemaError", "match": ["archive"]},
        also="reading orders.csv inside (8 read, 8 kept, 4 customers, 328.64), or a message "
        "saying 'unzip', 'extract' or 'unpack' instead of 'archive'",
    )


# ====================================================================== signs


@builder
def all_returns() -> Case:
    recs = base_recs()
    for i, r in enumerate(recs):
        r.amount, r.order = -r.amount, f"R{i}"
    rows = [
        [f"R{i}", r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}", "Return"]
        for i, r in enumerate(recs)
    ]
    return Case(
        "all_returns",
        put(
            "all_returns.csv",
            csv_text(["Order ID", "Customer ID", "Order Date", "Amount", "Type"], rows),
        ),
        "returns log: every line is a return with a negative amount",
        recs,
        redteam="read 8, kept 8, 4 cust, rev -328.64, 2024-01-05..2024-05-31",
        notes=(
            "no spot check: customer_summary lists buyers, and no customer here has a purchase",
        ),
    )


@builder
def neg_qty_pos_price() -> Case:
    recs = base_recs()
    qty = [2, 1, -1, 3, 1, -2, 4, 1]
    price = [6.25, 30.00, 7.25, 40.00, 45.10, 9.995, 1.25, 88.80]
    rows = []
    for i, r in enumerate(recs):
        r.amount, r.order = round(qty[i] * price[i], 2), f"{536000 + i}"
        rows.append(
            [f"{536000 + i}", r.cust, f"{r.date:%Y-%m-%d %H:%M}", str(qty[i]), f"{price[i]}"]
        )
    return Case(
        "neg_qty_pos_price",
        put(
            "neg_qty_pos_price.csv",
            csv_text(["InvoiceNo", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice"], rows),
        ),
        "Online-Retail-style lines without a revenue column: returns have negative Quantity "
        "and positive UnitPrice (revenue = Quantity x UnitPrice)",
        recs,
        redteam="read 8, kept 8, 4 cust, rev 274.16, 2024-01-05..2024-05-31",
        notes=("-2 x 9.995 = -19.99",),
        spot=(("C002", False), ("C003", True)),
    )


@builder
def neg_qty_pos_amount() -> Case:
    recs = base_recs()
    rows = []
    for i, r in enumerate(recs):
        q = -1 if i in (2, 5) else 1
        rows.append([r.cust, f"{r.date:%Y-%m-%d}", str(q), f"{r.amount:.2f}"])
        r.amount = q * r.amount
    return Case(
        "neg_qty_pos_amount",
        put(
            "neg_qty_pos_amount.csv",
            csv_text(["Customer ID", "Order Date", "Quantity", "Amount"], rows),
        ),
        "POS export: return lines have Quantity -1 and a positive line Amount (the sign only "
        "in Quantity); the returns must be netted, not added as sales",
        recs,
        first="SILENT-WRONG",
        redteam="read 8, kept 8, 4 cust, rev 274.16, 2024-01-05..2024-05-31",
        also="a refusal naming Quantity",
        notes=("lines 4 (C001 7.25) and 7 (C002 19.99) are returns",),
        spot=(("C001", False), ("C002", False)),
    )


# ================================================================= heuristics


@builder
def tickets_per_attendee() -> Case:
    rng = random.Random(3)
    tiers = [25.0, 35.0, 50.0, 75.0, 120.0]
    sizes = [1, 2, 3, 4, 2, 1, 3, 2, 5, 2, 1, 2, 4, 3]
    recs, rows = [], []
    for o in range(14):
        cust = f"buyer{o % 11}@example.com"
        price = tiers[o % len(tiers)]
        day = D("2024-03-01") + dt.timedelta(days=o * 2)
        for k in range(sizes[o]):
            recs.append(Rec(cust, day, price, order=f"E{7000 + o}"))
            rows.append(
                [
                    f"E{7000 + o}",
                    f"{day:%Y-%m-%d %H:%M}",
                    cust,
                    f"A{o}-{k}",
                    f"Tier {o % len(tiers)}",
                    f"{price:.2f}",
                ]
            )
    rng.shuffle(rows)
    header = ["Order ID", "Order Date", "Customer ID", "Attendee #", "Ticket Type", "Amount"]
    return Case(
        "tickets_per_attendee",
        put("tickets_per_attendee.csv", csv_text(header, rows)),
        "event-ticketing attendee export: one line per ticket, the order number repeated, each "
        "line the ticket's own price (group orders buy one tier, so the lines of an order are "
        "equal): every line counts, not once per order",
        recs,
        first="SILENT-WRONG",
        redteam="read 35, kept 35, 11 cust, rev 2150.0, 2024-03-01..2024-03-27",
        spot=(("buyer8@example.com", True), ("buyer0@example.com", True)),
    )


@builder
def subscription_charges() -> Case:
    plans = [19.0, 49.0, 99.0, 249.0, 19.0, 49.0, 99.0, 9.0]
    recs, rows = [], []
    for c, price in enumerate(plans):
        for m in range(1, 7 - (c % 3)):
            day = dt.datetime(2024, m, 1 + c)
            recs.append(Rec(f"ACCT-{c:03d}", day, price))
            rows.append([f"ACCT-{c:03d}", f"{day:%Y-%m-%d}", f"SO-{5000 + c}", f"{price:.2f}"])
    return Case(
        "subscription_charges",
        put(
            "subscription_charges.csv",
            csv_text(["Customer ID", "Invoice Date", "Order Number", "Amount"], rows),
        ),
        "B2B recurring billing: one line per monthly invoice, the customer's standing order "
        "(contract) number repeated in 'Order Number', the plan price each month: every "
        "invoice counts",
        recs,
        first="SILENT-WRONG",
        redteam="read 41, kept 41, 8 cust, rev 3179.0, 2024-01-01..2024-06-07",
        spot=(("ACCT-003", False),),
    )


@builder
def wholesale_key_account() -> Case:
    recs = []
    for c in range(60):
        for k in range(1 + c % 2):
            recs.append(
                Rec(f"SHOP-{c:03d}", D("2024-01-03") + dt.timedelta(days=c * 5 + k * 90), 200.0 + c)
            )
    for w in range(52):
        recs.append(Rec("ACME-001", D("2024-01-01") + dt.timedelta(weeks=w), 5000.0))
    rows = []
    for i, r in enumerate(recs):
        r.order = f"SO{i:05d}"
        rows.append([r.order, r.cust, f"{r.date:%Y-%m-%d}", f"{r.amount:.2f}"])
    return Case(
        "wholesale_key_account",
        put(
            "wholesale_key_account.csv",
            csv_text(["Order ID", "Customer ID", "Order Date", "Amount"], rows),
        ),
        "wholesaler: 60 shops ordering once or twice, one retail chain (ACME-001) ordering "
        "weekly (52 orders): a real customer, not a guest account",
        recs,
        first="SILENT-WRONG",
        redteam="read 142, kept 142, 61 cust, rev 280670.0, 2024-01-01..2025-01-22",
        spot=(("ACME-001", True), ("SHOP-001", True)),
    )


# ====================================================================== tools

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
    "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,"
    "Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,"
    "Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,"
    "Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,"
    "Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,"
    "Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,"
    "Payment References"
).split(",")


@builder
def shopify_blank_created() -> Case:
    orders = [
        # name, email, status, created, subtotal, refunded, items [(qty, name, price, sku)]
        (
            "#1001",
            "alice@example.com",
            "paid",
            "2024-01-05 10:12:33 -0500",
            60.00,
            0.0,
            [(2, "Mug L", 18.0, "MUG-L"), (1, "Tee M", 24.0, "TEE-M")],
        ),
        (
            "#1002",
            "bob@example.com",
            "paid",
            "2024-01-18 16:40:02 -0500",
            81.00,
            0.0,
            [(1, "Poster", 30.0, "POS"), (1, "Mug L", 18.0, "MUG-L"), (2, "Cap", 18.0, "CAP")],
        ),
        (
            "#1003",
            "carol@example.com",
            "partially_refunded",
            "2024-02-02 09:05:47 -0500",
            66.00,
            24.00,
            [(1, "Mug L", 18.0, "MUG-L"), (2, "Tee M", 24.0, "TEE-M")],
        ),
        (
            "#1004",
            "alice@example.com",
            "paid",
            "2024-02-20 08:00:00 -0500",
            18.00,
            0.0,
            [(1, "Mug L", 18.0, "MUG-L")],
        ),
        (
            "#1005",
            "dan@example.com",
            "pending",
            "2024-03-01 12:00:00 -0500",
            48.00,
            0.0,
            [(1, "Tee M", 24.0, "TEE-M"), (1, "Tee L", 24.0, "TEE-L")],
        ),
        (
            "#1006",
            "erin@example.com",
            "paid",
            "2024-03-15 23:40:00 -0400",
            54.00,
            0.0,
            [(3, "Cap", 18.0, "CAP")],
        ),
        (
            "#1007",
            "bob@example.com",
            "paid",
            "2024-03-28 11:11:11 -0400",
            42.00,
            0.0,
            [(1, "Mug L", 18.0, "MUG-L"), (1, "Tee M", 24.0, "TEE-M")],
        ),
    ]
    idx = {h: i for i, h in enumerate(SHOPIFY_HEADER)}
    rows, recs = [], []
    for name, email, status, created, sub, refunded, items in orders:
        for k, (q, iname, price, sku) in enumerate(items):
            row = [""] * len(SHOPIFY_HEADER)
            row[idx["Name"]] = name
            row[idx["Email"]] = email
            row[idx["Lineitem quantity"]] = str(q)
            row[idx["Lineitem name"]] = iname
            row[idx["Lineitem price"]] = f"{price:.2f}"
            row[idx["Lineitem sku"]] = sku
            row[idx["Lineitem requires shipping"]] = "true"
            row[idx["Lineitem taxable"]] = "true"
            row[idx["Lineitem fulfillment status"]] = "fulfilled"
            row[idx["Vendor"]] = "Harbor Clayworks"
            row[idx["Lineitem discount"]] = "0.00"
            if k == 0:
                row[idx["Financial Status"]] = status
                row[idx["Paid at"]] = created if status != "pending" else ""
                row[idx["Currency"]] = "USD"
                row[idx["Subtotal"]] = f"{sub:.2f}"
                row[idx["Shipping"]] = "5.00"
                row[idx["Taxes"]] = "0.00"
                row[idx["Total"]] = f"{sub + 5:.2f}"
                row[idx["Discount Amount"]] = "0.00"
                row[idx["Created at"]] = created
                row[idx["Refunded Amount"]] = f"{refunded:.2f}"
                row[idx["Id"]] = str(5634127890000 + int(name[1:]))
                row[idx["Source"]] = "web"
            rows.append(row)
            ok = status in ("paid", "partially_refunded")
            recs.append(
                Rec(
                    email,
                    D(created[:19]),
                    (sub - refunded) / len(items) if ok else 0.0,
                    None if ok else "not a completed sale",
                    order=name,
                )
            )
    return Case(
        "shopify_blank_created",
        put("shopify_blank_created.csv", csv_text(SHOPIFY_HEADER, rows, eol="\n")),
        "Shopify orders export (79 columns) where an order's further lines leave 'Created at' "
        "blank like the other order fields (Email repeated): the order fields are carried "
        "down; revenue = Subtotal - Refunded Amount once per order",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam="read 13, kept 11, 4 cust, rev 297.0, 2024-01-05..2024-03-28; "
        "dropped: not a completed sale 2",
        notes=("#1005 (pending, 2 lines) is not a completed sale; #1003 nets 66 - 24 = 42",),
        spot=(("bob@example.com", True), ("carol@example.com", True)),
    )


@builder
def shopify_blank_created_few() -> Case:
    idx = {h: i for i, h in enumerate(SHOPIFY_HEADER)}
    rows, recs = [], []
    for o in range(40):
        name, email = f"#{2000 + o}", f"c{o % 25}@example.com"
        created = f"2024-{1 + o % 12:02d}-{1 + o % 27:02d} 10:00:00 -0500"
        items = [(1, "Mug", 18.0, "MUG")]
        if o in (7, 21):
            items.append((1, "Vase", 120.0, "VASE"))
        sub = sum(q * pr for q, _, pr, _ in items)
        for k, (q, iname, price, sku) in enumerate(items):
            row = [""] * len(SHOPIFY_HEADER)
            row[idx["Name"]], row[idx["Email"]] = name, email
            row[idx["Lineitem quantity"]], row[idx["Lineitem name"]] = str(q), iname
            row[idx["Lineitem price"]], row[idx["Lineitem sku"]] = f"{price:.2f}", sku
            if k == 0:
                row[idx["Financial Status"]] = "paid"
                row[idx["Currency"]] = "USD"
                row[idx["Subtotal"]] = f"{sub:.2f}"
                row[idx["Total"]] = f"{sub:.2f}"
                row[idx["Created at"]] = created
                row[idx["Refunded Amount"]] = "0.00"
            rows.append(row)
            recs.append(Rec(email, D(created[:19]), sub / len(items), order=name))
    return Case(
        "shopify_blank_created_few",
        put("shopify_blank_created_few.csv", csv_text(SHOPIFY_HEADER, rows, eol="\n")),
        "the same Shopify layout (blank 'Created at' on further lines) in a shop where most "
        "orders have one line: 2 continuation lines among 42 (under the 5% stop)",
        recs,
        first="SILENT-WRONG",
        redteam="read 42, kept 42, 25 cust, rev 960.0, 2024-01-01..2024-12-24",
        spot=(("c7@example.com", True),),
    )


STRIPE_NEW = [
    "id",
    "Created date (UTC)",
    "Amount",
    "Amount Refunded",
    "Currency",
    "Captured",
    "Converted Amount",
    "Converted Amount Refunded",
    "Converted Currency",
    "Customer Description",
    "Customer Email",
    "Customer ID",
    "Description",
    "Fee",
    "Invoice ID",
    "Mode",
    "PaymentIntent ID",
    "Seller Message",
    "Statement Descriptor",
    "Status",
    "Taxes On Fee",
]
STRIPE_PICKED = [
    "id",
    "Created date (UTC)",
    "Amount",
    "Amount Refunded",
    "Currency",
    "Customer Email",
    "Customer ID",
    "Status",
]

_STRIPE = [
    # id, created, amount, refunded, status, captured, cust id, email
    ("ch_1", "2024-01-08 15:22:10", "45.00", "0.00", "Paid", "true", "cus_A", "a@x.com"),
    ("ch_2", "2024-01-09 09:01:00", "45.00", "0.00", "Failed", "false", "cus_A", "a@x.com"),
    ("ch_3", "2024-01-20 18:30:00", "1,250.00", "250.00", "Paid", "true", "cus_B", "b@x.com"),
    ("ch_4", "2024-02-02 11:00:00", "80.00", "80.00", "Refunded", "true", "cus_C", "c@x.com"),
    ("ch_5", "2024-02-10 10:10:10", "60.00", "0.00", "Uncaptured", "false", "cus_D", "d@x.com"),
    ("ch_6", "2024-02-29 23:58:00", "30.00", "0.00", "Paid", "true", "", "guest@x.com"),
    ("ch_7", "2024-03-05 07:00:00", "99.00", "0.00", "Paid", "true", "cus_B", "b@x.com"),
]


def _stripe_recs(generic: bool) -> list[Rec]:
    """Profile reading: paid and captured charges, the e-mail when there is no Customer ID.
    Generic reading (no profile): the e-mail-only charge has no customer id."""
    recs = []
    for cid, created, amount, refunded, status, captured, cus, email in _STRIPE:
        a = float(amount.replace(",", "")) - float(refunded)
        if status != "Paid" or captured != "true":
            reason = "not a completed sale"
        elif generic and not cus:
            reason = "missing customer id"
        else:
            reason = None
        cust = cus or (None if generic else email)
        recs.append(Rec(cust, D(created), a if reason is None else 0.0, reason, order=cid))
    return recs


def _stripe_picked_text() -> str:
    rows = [
        [cid, created, amount, refunded, "usd", email, cus, status]
        for cid, created, amount, refunded, status, captured, cus, email in _STRIPE
    ]
    return csv_text(STRIPE_PICKED, rows)


@builder
def stripe_created_date() -> Case:
    rows = []
    for cid, created, amount, refunded, status, captured, cus, email in _STRIPE:
        d = dict.fromkeys(STRIPE_NEW, "")
        d.update(
            {
                "id": cid,
                "Created date (UTC)": created,
                "Amount": amount,
                "Amount Refunded": refunded,
                "Currency": "usd",
                "Captured": captured,
                "Converted Amount": amount if status != "Failed" else "0.00",
                "Converted Amount Refunded": refunded,
                "Converted Currency": "usd",
                "Customer Email": email,
                "Customer ID": cus,
                "Description": "Order",
                "Fee": "1.61",
                "Mode": "Live",
                "PaymentIntent ID": "pi_" + cid[3:],
                "Seller Message": "Payment complete." if status == "Paid" else "",
                "Status": status,
                "Taxes On Fee": "0.00",
            }
        )
        rows.append([d[c] for c in STRIPE_NEW])
    return Case(
        "stripe_created_date",
        put("stripe_created_date.csv", csv_text(STRIPE_NEW, rows)),
        "newer Stripe payments export: 'Created date (UTC)' with seconds, id/date/amount first "
        "and the rest alphabetical; Paid, partial refund, Refunded, Failed, Uncaptured, a "
        "charge without Customer ID (e-mail only)",
        _stripe_recs(generic=False),
        redteam="read 7, kept 4, 3 cust, rev 1174.0, 2024-01-08..2024-03-05; "
        "dropped: not a completed sale 3",
        notes=(
            "ch_3 nets 1,250.00 - 250.00 = 1000; ch_6 has no Customer ID: its e-mail is the id",
        ),
        spot=(("cus_B", True), ("guest@x.com", False)),
    )


@builder
def stripe_picked_columns() -> Case:
    return Case(
        "stripe_picked_columns",
        put("stripe_picked_columns.csv", _stripe_picked_text()),
        "newer Stripe export with the columns the user picked in the dialog (no Captured, "
        "Converted Amount or Seller Message), read without a profile: the e-mail-only charge "
        "has no Customer ID",
        _stripe_recs(generic=True),
        redteam="read 7, kept 3, 2 cust, rev 1144.0, 2024-01-08..2024-03-05; "
        "dropped: not a completed sale 3, missing customer id 1",
        also="a refusal naming order_date (then read with columns={'order_date': 'Created "
        "date (UTC)'})",
        spot=(("cus_B", True),),
    )


@builder
def stripe_picked_profile() -> Case:
    return Case(
        "stripe_picked_profile",
        put("stripe_picked_profile.csv", _stripe_picked_text()),
        "the same user-picked Stripe export loaded with the obvious option columns='stripe'",
        _stripe_recs(generic=False),
        first="UNCLEAR-MESSAGE",
        redteam="read 7, kept 4, 3 cust, rev 1174.0, 2024-01-08..2024-03-05; "
        "dropped: not a completed sale 3",
        load={"columns": "stripe"},
        spot=(("cus_B", True), ("guest@x.com", False)),
    )


PAYPAL_DE = [
    "Datum",
    "Uhrzeit",
    "Zeitzone",
    "Name",
    "Typ",
    "Status",
    "Währung",
    "Brutto",
    "Gebühr",
    "Netto",
    "Absender E-Mail-Adresse",
    "Empfänger E-Mail-Adresse",
    "Transaktionscode",
    "Lieferadresse",
    "Adressstatus",
    "Artikelbezeichnung",
    "Artikelnummer",
    "Versand- und Bearbeitungsgebühr",
    "Versicherungsbetrag",
    "Umsatzsteuer",
    "Option 1 Name",
    "Option 1 Wert",
    "Option 2 Name",
    "Option 2 Wert",
    "Zugehöriger Transaktionscode",
    "Rechnungsnummer",
    "Zollnummer",
    "Anzahl",
    "Empfangsnummer",
    "Guthaben",
    "Adresszeile 1",
    "Adresszusatz/Bezirk/Stadtteil",
    "Ort",
    "Bundesland/Provinz/Region/Landkreis/Territorium/Präfektur/Republik",
    "PLZ",
    "Land",
    "Telefonnummer",
    "Betreff",
    "Hinweis",
    "Ländervorwahl",
    "Auswirkung auf Guthaben",
]


@builder
def paypal_de() -> Case:
    tx = [
        (
            "05.01.2024",
            "10:15:00",
            "Express-Checkout-Zahlung",
            "Abgeschlossen",
            "49,90",
            "-1,72",
            "kunde1@example.de",
            "shop@example.de",
            "Haben",
        ),
        (
            "13.01.2024",
            "18:02:11",
            "Website-Zahlung",
            "Abgeschlossen",
            "1.234,56",
            "-24,00",
            "kunde2@example.de",
            "shop@example.de",
            "Haben",
        ),
        (
            "20.01.2024",
            "09:00:00",
            "Rückzahlung",
            "Abgeschlossen",
            "-49,90",
            "0,00",
            "shop@example.de",
            "kunde1@example.de",
            "Soll",
        ),
        (
            "01.02.2024",
            "12:00:00",
            "Allgemeine Abbuchung",
            "Abgeschlossen",
            "-500,00",
            "0,00",
            "shop@example.de",
            "",
            "Soll",
        ),
        (
            "14.02.2024",
            "14:14:14",
            "Express-Checkout-Zahlung",
            "Ausstehend",
            "19,99",
            "-0,70",
            "kunde3@example.de",
            "shop@example.de",
            "Memo",
        ),
        (
            "29.02.2024",
            "23:50:00",
            "Express-Checkout-Zahlung",
            "Abgeschlossen",
            "75,00",
            "-2,50",
            "kunde3@example.de",
            "shop@example.de",
            "Haben",
        ),
    ]
    rows = []
    for datum, zeit, typ, status, brutto, fee, frm, to, impact in tx:
        d = dict.fromkeys(PAYPAL_DE, "")
        d.update(
            {
                "Datum": datum,
                "Uhrzeit": zeit,
                "Zeitzone": "Europe/Berlin",
                "Name": "X",
                "Typ": typ,
                "Status": status,
                "Währung": "EUR",
                "Brutto": brutto,
                "Gebühr": fee,
                "Netto": brutto,
                "Absender E-Mail-Adresse": frm,
                "Empfänger E-Mail-Adresse": to,
                "Transaktionscode": "TX" + datum[:2],
                "Auswirkung auf Guthaben": impact,
                "Guthaben": "1.000,00",
            }
        )
        rows.append([d[c] for c in PAYPAL_DE])
    data = b"\xef\xbb\xbf" + csv_text(PAYPAL_DE, rows, quote_all=True).encode()
    return Case(
        "paypal_de",
        put("paypal_de.csv", data),
        "PayPal activity download from a German account (Datum, Uhrzeit, Brutto, Gebühr, "
        "Netto, Absender E-Mail-Adresse..., dd.mm.yyyy, 1.234,56): no column is recognised; "
        "refused naming what to map",
        error={"type": "SchemaError", "match": ["customer_id"]},
        also="reading it right (6 read, 4 kept, 3 customers, 1309.56, 2024-01-05 to "
        "2024-02-29; 2 not a completed sale: the pending payment and the withdrawal)",
    )


WOO_ITEM_HEADER = [
    "order_id",
    "order_number",
    "order_date",
    "paid_date",
    "status",
    "shipping_total",
    "shipping_tax_total",
    "fee_total",
    "fee_tax_total",
    "tax_total",
    "cart_discount",
    "order_discount",
    "discount_total",
    "order_total",
    "order_subtotal",
    "order_key",
    "order_currency",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "customer_ip_address",
    "customer_user_agent",
    "shipping_method",
    "customer_id",
    "customer_user",
    "customer_email",
    "billing_first_name",
    "billing_last_name",
    "billing_email",
    "customer_note",
    "wt_import_key",
    "shipping_items",
    "fee_items",
    "tax_items",
    "coupon_items",
    "refund_items",
    "order_notes",
    "download_permissions",
    "item_product_id",
    "item_name",
    "item_sku",
    "item_quantity",
    "item_subtotal",
    "item_subtotal_tax",
    "item_total",
    "item_total_tax",
    "item_refunded",
    "item_refunded_qty",
    "item_meta",
]


@builder
def woo_item_rows() -> Case:
    orders = [
        # id, date, status, cust, items [(name, qty, subtotal, total)], discount, refund
        (
            101,
            "2024-02-03 14:05:00",
            "completed",
            "12",
            [("Hoodie", 1, 45.0, 45.0), ("Mug", 2, 20.0, 20.0)],
            0.0,
            0.0,
        ),
        (
            102,
            "2024-02-05 09:41:27",
            "completed",
            "15",
            [("Mug", 1, 10.0, 9.0), ("Tee", 2, 40.0, 36.0), ("Cap", 1, 15.0, 13.5)],
            6.5,
            0.0,
        ),
        (
            103,
            "2024-02-11 19:20:00",
            "processing",
            "12",
            [("Poster", 1, 30.0, 30.0), ("Frame", 1, 25.0, 25.0)],
            0.0,
            10.0,
        ),
        (104, "2024-02-15 08:00:00", "failed", "18", [("Tee", 1, 20.0, 20.0)], 0.0, 0.0),
        (
            105,
            "2024-03-02 10:30:00",
            "completed",
            "21",
            [("Hoodie", 2, 90.0, 90.0), ("Sticker", 3, 6.0, 6.0)],
            0.0,
            0.0,
        ),
        (106, "2024-03-09 16:45:00", "completed", "15", [("Mug", 1, 10.0, 10.0)], 0.0, 0.0),
    ]
    rows, recs = [], []
    for oid, date, status, cust, items, disc, refund in orders:
        sub = sum(i[2] for i in items)
        for name, q, isub, itot in items:
            d = dict.fromkeys(WOO_ITEM_HEADER, "")
            d.update(
                {
                    "order_id": str(oid),
                    "order_number": str(oid),
                    "order_date": date,
                    "status": status,
                    "shipping_total": "5.00",
                    "discount_total": f"{disc:.2f}",
                    "cart_discount": f"{disc:.2f}",
                    "order_total": f"{sub - disc + 5:.2f}",
                    "order_subtotal": f"{sub:.2f}",
                    "order_currency": "USD",
                    "customer_id": cust,
                    "customer_user": cust,
                    "customer_email": f"u{cust}@example.com",
                    "refund_items": (
                        f"amount:{refund:.2f}|reason:damaged|date:{date[:10]}" if refund else ""
                    ),
                    "item_name": name,
                    "item_quantity": str(q),
                    "item_subtotal": f"{isub:.2f}",
                    "item_total": f"{itot:.2f}",
                    "item_refunded": f"{refund:.2f}" if refund and name == "Frame" else "",
                    "tax_total": "0.00",
                }
            )
            rows.append([d[c] for c in WOO_ITEM_HEADER])
            ok = status in ("completed", "processing")
            share = (sub - disc - refund) / len(items)
            recs.append(
                Rec(
                    cust,
                    D(date),
                    share if ok else 0.0,
                    None if ok else "not a completed sale",
                    order=str(oid),
                )
            )
    return Case(
        "woo_item_rows",
        put("woo_item_rows.csv", csv_text(WOO_ITEM_HEADER, rows, eol="\n", quote_all=True)),
        "WooCommerce order export in the plugin's 'line items in separate rows' layout: order "
        "columns (order_subtotal, discount_total, refund_items) repeated on every item row, "
        "item_total per row; revenue = subtotal - discount - refunds once per order",
        recs,
        first="SILENT-WRONG",
        redteam="read 11, kept 10, 3 cust, rev 274.5, 2024-02-03..2024-03-09; "
        "dropped: not a completed sale 1",
        notes=("102: 65 - 6.50 = 58.50; 103: 55 - 10 refunded = 45; 104 failed",),
        spot=(("12", True), ("15", True)),
    )


@builder
def qb_old_names() -> Case:
    groups = [
        (
            "Anna Berg",
            [
                ("01/08/2024", "Invoice", "1001", "Mugs:Large Mug", 2, 28.0),
                ("01/08/2024", "Invoice", "1001", "Bowls:Ramen Bowl", 1, 42.0),
                ("02/19/2024", "Sales Receipt", "1010", "Mugs:Large Mug", 1, 28.0),
            ],
        ),
        (
            "Bram Ortiz",
            [
                ("01/15/2024", "Invoice", "1003", "Plates:Dinner Plate", 4, 300.0),
                ("01/30/2024", "Credit Memo", "1005", "Plates:Dinner Plate", -1, 300.0),
            ],
        ),
        ("Chen Wei", [("03/28/2024", "Sales Receipt", "1020", "Vases:Tall Vase", 1, 1250.0)]),
    ]
    lines = [
        "Maple & Moss Ceramics,,,,,,,,,",
        "Sales by Customer Detail,,,,,,,,,",
        '"January 1-March 31, 2024",,,,,,,,,',
        "",
        ",Date,Transaction Type,Num,Product/Service,Memo/Description,Qty,Sales Price,"
        "Amount,Balance",
    ]
    recs, grand = [], 0.0
    furniture = Rec(None, D("2024-01-01"), 0.0, "totals row")
    for name, items in groups:
        lines.append(f"{name},,,,,,,,,")
        recs.append(furniture)
        bal = sub = 0.0
        for date, typ, num, prod, q, price in items:
            amount = q * price
            bal += amount
            sub += amount
            m, d_, y = date.split("/")
            recs.append(Rec(name, D(f"{y}-{m}-{d_}"), amount, order=num))
            if abs(amount) >= 1000 or bal >= 1000:
                lines.append(
                    f',{date},{typ},{num},{prod},,{q:.2f},"{price:,.2f}","{amount:,.2f}","{bal:,.2f}"'
                )
            else:
                lines.append(
                    f",{date},{typ},{num},{prod},,{q:.2f},{price:.2f},{amount:.2f},{bal:.2f}"
                )
        lines.append(f'Total for {name},,,,,,,,"${sub:,.2f}",')
        recs.append(furniture)
        grand += sub
    lines.append(f'TOTAL,,,,,,,,"${grand:,.2f}",')
    recs.append(furniture)
    lines += ["", "", '"Accrual Basis Monday, April 1, 2024 09:14 AM GMT-04:00",,,,,,,,,']
    recs.append(furniture)
    return Case(
        "qb_old_names",
        put("qb_old_names.csv", "\n".join(lines) + "\n"),
        "QuickBooks Online 'Sales by Customer Detail' with the older column names (Date, "
        "Transaction Type, Product/Service, Memo/Description, Qty, Sales Price): title lines, "
        "customer headings, Total for rows, TOTAL, footer",
        recs,
        redteam="read 14, kept 6, 3 cust, rev 2276.0, 2024-01-08..2024-03-28; "
        "dropped: totals row 8",
        notes=(
            "the customer is the heading above its lines; 3 headings, 3 'Total for' rows, TOTAL "
            "and the footer are 8 records dropped as totals rows",
        ),
        spot=(("Bram Ortiz", False), ("Anna Berg", True)),
    )


@builder
def status_german() -> Case:
    data = [
        ("C001", "2024-01-05", "Bezahlt", 50.0),
        ("C002", "2024-01-09", "Storniert", 400.0),
        ("C001", "2024-02-01", "Bezahlt", 25.0),
        ("C003", "2024-02-14", "Erstattet", 300.0),
        ("C004", "2024-03-01", "Zahlung fehlgeschlagen", 80.0),
        ("C002", "2024-03-10", "Bezahlt", 40.0),
        ("C003", "2024-03-20", "Bezahlt", 60.0),
    ]
    rows = [[f"{1000 + i}", c, d, s, f"{a:.2f}"] for i, (c, d, s, a) in enumerate(data)]
    recs = [
        Rec(
            c,
            D(d),
            a if s == "Bezahlt" else 0.0,
            None if s == "Bezahlt" else "not a completed sale",
            order=f"{1000 + i}",
        )
        for i, (c, d, s, a) in enumerate(data)
    ]
    return Case(
        "status_german",
        put(
            "status_german.csv",
            csv_text(["Order ID", "Customer ID", "Order Date", "Status", "Amount"], rows),
        ),
        "shop export with an English header but German status labels (Bezahlt, Storniert, "
        "Erstattet, Zahlung fehlgeschlagen): cancelled/refunded/failed orders are not sales",
        recs,
        first="SILENT-WRONG",
        redteam="read 7, kept 4, 3 cust, rev 175.0, 2024-01-05..2024-03-20; "
        "dropped: not a completed sale 3",
        also="a refusal naming the statuses (Storniert)",
        spot=(("C002", True),),
    )


@builder
def refunded_flag() -> Case:
    data = [
        ("C001", "2024-01-05", 49.0, False),
        ("C002", "2024-01-09", 99.0, True),
        ("C001", "2024-02-01", 49.0, False),
        ("C003", "2024-02-14", 199.0, True),
        ("C004", "2024-03-01", 29.0, False),
        ("C002", "2024-03-10", 99.0, False),
    ]
    rows = [
        [f"S{i}", c, d, f"{a:.2f}", "TRUE" if r else "FALSE"] for i, (c, d, a, r) in enumerate(data)
    ]
    recs = [
        Rec(c, D(d), 0.0 if r else a, "not a completed sale" if r else None, order=f"S{i}")
        for i, (c, d, a, r) in enumerate(data)
    ]
    return Case(
        "refunded_flag",
        put(
            "refunded_flag.csv",
            csv_text(["Order ID", "Customer ID", "Order Date", "Amount", "Refunded"], rows),
        ),
        "digital-goods sales export with a boolean 'Refunded' column (TRUE/FALSE) beside the "
        "price: refunded sales do not count",
        recs,
        first="SILENT-WRONG",
        redteam="read 6, kept 4, 3 cust, rev 226.0, 2024-01-05..2024-03-10; "
        "dropped: not a completed sale 2",
        also="a refusal naming the Refunded column",
        spot=(("C002", True),),
    )


# ============================================================ second pass
# Shapes of a second red-team pass (signs in another column, statuses that could go
# either way, blank currencies, folders whose files overlap, restart their order numbers
# or write decimals differently, guest and totals labels in more languages).


@builder
def sage_credit_unsigned() -> Case:
    data = [
        ("SI", "ACME01", "05/01/2024", 120.0),
        ("SI", "BOLT02", "13/01/2024", 80.0),
        ("SC", "ACME01", "22/01/2024", 20.0),
        ("SI", "CRAN03", "14/02/2024", 300.0),
        ("SI", "ACME01", "19/03/2024", 60.0),
        ("SC", "CRAN03", "25/03/2024", 300.0),
    ]
    rows = [
        [t, c, d, f"INV{i:03d}", f"{a:.2f}", f"{a * 0.2:.2f}"]
        for i, (t, c, d, a) in enumerate(data)
    ]
    recs = [
        Rec(c, dt.datetime.strptime(d, "%d/%m/%Y"), -a if t == "SC" else a) for t, c, d, a in data
    ]
    return Case(
        "sage_credit_unsigned",
        put(
            "sage_credit_unsigned.csv",
            csv_text(["Type", "Account", "Date", "Ref", "Net", "Tax"], rows),
        ),
        "Sage day-book export: every amount unsigned, the Type column says SI (invoice) or "
        "SC (credit note); counted as written, credit notes add to revenue",
        recs,
        first="SILENT-WRONG",
        redteam="read 6, kept 6, 3 cust, rev 240.0, 2024-01-05..2024-03-25",
        load={"columns": {"customer_id": "Account", "order_date": "Date", "revenue": "Net"}},
        error={"type": "DataValidationError", "match": ["Type", "negative_when", "SC"]},
        fix=(
            "negative_when",
            {"negative_when": {"Type": ["SC"]}},
            "the same day book with negative_when={'Type': ['SC']}",
        ),
        spot=(("CRAN03", False),),
    )


@builder
def debit_credit_flag() -> Case:
    data = [
        ("C001", "2024-01-05", 50.0, "D"),
        ("C002", "2024-01-09", 75.0, "D"),
        ("C001", "2024-01-20", 50.0, "C"),
        ("C003", "2024-02-14", 40.0, "D"),
        ("C002", "2024-03-01", 25.0, "D"),
        ("C003", "2024-03-20", 10.0, "C"),
    ]
    rows = [[c, d, f"{a:.2f}", f] for c, d, a, f in data]
    recs = [Rec(c, D(d), -a if f == "C" else a) for c, d, a, f in data]
    return Case(
        "debit_credit_flag",
        put("debit_credit_flag.csv", csv_text(["Customer", "Date", "Amount", "D/C"], rows)),
        "customer ledger export: amounts unsigned beside a D/C flag (C: a credit to the "
        "customer, a refund)",
        recs,
        first="SILENT-WRONG",
        redteam="read 6, kept 6, 3 cust, rev 130.0, 2024-01-05..2024-03-20",
        error={"type": "DataValidationError", "match": ["D/C", "negative_when"]},
        fix=(
            "negative_when",
            {"negative_when": {"D/C": ["C"]}},
            "the same ledger with negative_when={'D/C': ['C']}",
        ),
    )


@builder
def credit_note_type() -> Case:
    data = [
        ("INV-1", "Invoice", "C001", "2024-01-05", 200.0),
        ("INV-2", "Invoice", "C002", "2024-01-19", 90.0),
        ("CN-1", "Credit Note", "C001", "2024-01-25", 50.0),
        ("INV-3", "Invoice", "C003", "2024-02-14", 60.0),
        ("INV-4", "Invoice", "C001", "2024-03-11", 200.0),
    ]
    rows = [[n, t, c, d, f"{a:.2f}"] for n, t, c, d, a in data]
    recs = [Rec(c, D(d), -a if t == "Credit Note" else a, order=n) for n, t, c, d, a in data]
    return Case(
        "credit_note_type",
        put(
            "credit_note_type.csv",
            csv_text(["Number", "Document Type", "Customer ID", "Date", "Total"], rows),
        ),
        "invoicing tool export of invoices and credit notes, every total positive, the "
        "'Document Type' column telling them apart",
        recs,
        first="SILENT-WRONG",
        redteam="read 5, kept 5, 3 cust, rev 500.0, 2024-01-05..2024-03-11",
        error={"type": "DataValidationError", "match": ["Document Type", "negative_when"]},
        fix=(
            "negative_when",
            {"negative_when": {"Document Type": ["Credit Note"]}},
            "the same export with negative_when={'Document Type': ['Credit Note']}",
        ),
        spot=(("C001", False),),
    )


@builder
def status_unknown_value() -> Case:
    data = [
        ("C001", "2024-01-05", "Paid", 40.0),
        ("C002", "2024-01-09", "Layaway", 500.0),
        ("C001", "2024-02-01", "Paid", 25.0),
        ("C003", "2024-02-14", "Cancelled", 70.0),
        ("C002", "2024-03-10", "Paid", 35.0),
    ]
    rows = [[c, d, s, f"{a:.2f}"] for c, d, s, a in data]
    recs = [
        Rec(
            c,
            D(d),
            a if s == "Paid" else 0.0,
            None if s == "Paid" else "not a completed sale",
        )
        for c, d, s, a in data
    ]
    return Case(
        "status_unknown_value",
        put(
            "status_unknown_value.csv",
            csv_text(["Customer ID", "Order Date", "Status", "Amount"], rows),
        ),
        "shop export whose Status holds a value that could be a sale or not ('Layaway': paid "
        "in instalments, not yet collected) beside Paid and Cancelled",
        recs,
        first="SILENT-WRONG",
        redteam="read 5, kept 3, 2 cust, rev 100.0, 2024-01-05..2024-03-10; "
        "dropped: not a completed sale 2",
        error={"type": "DataValidationError", "match": ["Layaway", "sale_statuses"]},
        fix=(
            "not_sale_statuses",
            {"not_sale_statuses": ["Layaway"]},
            "the same export with not_sale_statuses=['Layaway']",
        ),
    )


@builder
def currency_blank() -> Case:
    data = [
        ("C001", "2024-01-05", 40.0, "EUR"),
        ("C002", "2024-01-09", 55.0, ""),
        ("C001", "2024-02-01", 25.0, "EUR"),
        ("C003", "2024-02-14", 70.0, "EUR"),
        ("C002", "2024-03-10", 35.0, ""),
    ]
    rows = [[c, d, f"{a:.2f}", cur] for c, d, a, cur in data]
    recs = [
        Rec(c, D(d), a if cur == "EUR" else 0.0, None if cur == "EUR" else "other currency")
        for c, d, a, cur in data
    ]
    return Case(
        "currency_blank",
        put(
            "currency_blank.csv",
            csv_text(["Customer ID", "Order Date", "Amount", "Currency"], rows),
        ),
        "export whose Currency is blank on some rows (a second shop, or the local currency "
        "left empty): blank is not known to be EUR",
        recs,
        first="SILENT-WRONG",
        redteam="read 5, kept 3, 2 cust, rev 135.0, 2024-01-05..2024-02-14; "
        "dropped: other currency 2",
        error={"type": "DataValidationError", "match": ["no currency", "currency="]},
        fix=("currency", {"currency": "EUR"}, "the same export with currency='EUR'"),
    )


@builder
def folder_overlap() -> Case:
    recs = base_recs()
    a, b = recs[:5], recs[3:]  # the exports overlap: C003 on 14 Feb and C004 on 1 Mar twice
    header = ["Customer ID", "Order Date", "Amount", "Channel"]
    put(
        "folder_overlap/2024-01-01_to_2024-03-01.csv",
        csv_text(header, [[*row, "web"] for row in simple_rows(a)]),
    )
    folder = put(
        "folder_overlap/2024-02-14_to_2024-05-31.csv",
        csv_text(header, [[*row, "web"] for row in simple_rows(b)]),
    )
    twice = [Rec(r.cust, r.date, 0.0, "exact duplicate") for r in recs[3:5]]
    return Case(
        "folder_overlap",
        folder,
        "folder of two date-range exports that overlap by two sales, repeated in every column "
        "(a period downloaded twice): each counted once",
        recs + twice,
        redteam="read 10, kept 8, 4 cust, rev 328.64, 2024-01-05..2024-05-31; "
        "dropped: exact duplicate 2",
        spot=(("C003", False),),
    )


@builder
def folder_order_numbers_restart() -> Case:
    # two stores, each numbering its orders from 1001; the status is on the first line of
    # an order only (Shopify-like), so an order is its number *within its file*
    header = ["Order", "Customer ID", "Order Date", "Status", "Amount"]
    store_a = [
        ["1001", "C001", "2024-01-05", "paid", "30.00"],
        ["1001", "C001", "2024-01-05", "", "12.00"],
        ["1002", "C002", "2024-02-10", "paid", "50.00"],
    ]
    store_b = [
        ["1001", "C003", "2024-01-07", "refunded", "80.00"],
        ["1001", "C003", "2024-01-07", "", "20.00"],
        ["1002", "C004", "2024-02-11", "paid", "25.00"],
        ["1002", "C004", "2024-02-11", "", "5.00"],
    ]
    put("folder_order_numbers_restart/store_a.csv", csv_text(header, store_a))
    folder = put("folder_order_numbers_restart/store_b.csv", csv_text(header, store_b))
    recs = [
        Rec("C001", D("2024-01-05"), 30.0, order="a1001"),
        Rec("C001", D("2024-01-05"), 12.0, order="a1001"),
        Rec("C002", D("2024-02-10"), 50.0, order="a1002"),
        Rec("C003", D("2024-01-07"), 0.0, "not a completed sale", order="b1001"),
        Rec("C003", D("2024-01-07"), 0.0, "not a completed sale", order="b1001"),
        Rec("C004", D("2024-02-11"), 25.0, order="b1002"),
        Rec("C004", D("2024-02-11"), 5.0, order="b1002"),
    ]
    return Case(
        "folder_order_numbers_restart",
        folder,
        "folder of two stores' exports, each numbering its orders from 1001; the status is "
        "written on an order's first line only: store B's refunded 1001 must not take store "
        "A's 'paid'",
        recs,
        first="SILENT-WRONG",
        redteam="read 7, kept 5, 3 cust, rev 122.0, 2024-01-05..2024-02-11; "
        "dropped: not a completed sale 2",
        spot=(("C001", True), ("C004", True)),
    )


@builder
def folder_decimals_differ() -> Case:
    recs = [
        Rec("C001", D("2024-01-05"), 1234.5),
        Rec("C002", D("2024-01-13"), 12.34),
        Rec("C001", D("2024-02-02"), 7.25),
        Rec("C003", D("2024-03-14"), 1200.0),
        Rec("C002", D("2024-03-19"), 19.5),
        Rec("C003", D("2024-04-22"), 2.5),
    ]
    a = [
        [
            r.cust,
            f"{r.date:%d.%m.%Y}",
            f"{r.amount:,.3f}".replace(",", "_").replace(".", ",").replace("_", "."),
        ]
        for r in recs[:3]
    ]
    b = [[r.cust, f"{r.date:%d.%m.%Y}", f"{r.amount:.3f}"] for r in recs[3:]]
    put("folder_decimals_differ/2024-q1-de.csv", csv_text(["Kunde", "Datum", "Betrag"], a, sep=";"))
    folder = put(
        "folder_decimals_differ/2024-q2.csv", csv_text(["Kunde", "Datum", "Betrag"], b, sep=";")
    )
    return Case(
        "folder_decimals_differ",
        folder,
        "folder of two exports of one shop, the first saved by a German Excel (1.234,500) "
        "and the second by an English one (1200.000), both with semicolons",
        recs,
        first="UNCLEAR-MESSAGE",
        notes=("first pass: refused, the German header names were not known",),
        redteam="read 6, kept 6, 3 cust, rev 2476.09, 2024-01-05..2024-04-22",
        spot=(("C001", False), ("C003", False)),
    )


@builder
def guest_consumidor_final() -> Case:
    data = [
        ("Consumidor Final", "2024-01-05", 12.0),
        ("30-71234567-9", "2024-01-18", 450.0),
        ("Consumidor Final", "2024-01-19", 8.5),
        ("20-28765432-1", "2024-02-02", 120.0),
        ("Consumidor Final", "2024-02-13", 30.0),
        ("30-71234567-9", "2024-03-01", 380.0),
    ]
    rows = [[f"{d[8:]}/{d[5:7]}/{d[:4]}", c, f"{a:.2f}".replace(".", ",")] for c, d, a in data]
    recs = [
        Rec(c, D(d), a, "guest placeholder id" if c == "Consumidor Final" else None)
        for c, d, a in data
    ]
    return Case(
        "guest_consumidor_final",
        put("guest_consumidor_final.csv", csv_text(["Fecha", "Cliente", "Importe"], rows, sep=";")),
        "Argentine point-of-sale export: walk-in sales under 'Consumidor Final', business "
        "customers under their tax id (CUIT)",
        recs,
        first="SILENT-WRONG",
        redteam="read 6, kept 3, 2 cust, rev 950.0, 2024-01-18..2024-03-01; "
        "dropped: guest placeholder id 3",
        load={"columns": {"customer_id": "Cliente", "order_date": "Fecha", "revenue": "Importe"}},
    )


@builder
def totals_gesamtergebnis() -> Case:
    recs = base_recs()
    rows = [[r.cust, f"{r.date:%d.%m.%Y}", f"{r.amount:.2f}".replace(".", ",")] for r in recs]
    total = sum(r.amount for r in recs)
    rows.append(["Gesamtergebnis", "", f"{total:.2f}".replace(".", ",")])
    return Case(
        "totals_gesamtergebnis",
        put(
            "totals_gesamtergebnis.csv",
            csv_text(["Kundennummer", "Belegdatum", "Umsatz"], rows, sep=";"),
        ),
        "German spreadsheet export ending in Excel's pivot total row 'Gesamtergebnis' (no date)",
        [*recs, Rec("Gesamtergebnis", D("2024-05-31"), 0.0, "totals row")],
        first="UNCLEAR-MESSAGE",
        notes=("first pass: refused, the German header names were not known",),
        redteam="read 9, kept 8, 4 cust, rev 328.64, 2024-01-05..2024-05-31; dropped: totals row 1",
    )


@builder
def email_ids_case() -> Case:
    data = [
        ("Hana.Sato@Example.com", "2024-01-05", 40.0),
        ("bob@example.org", "2024-01-09", 55.0),
        ("hana.sato@example.com", "2024-02-01", 25.0),
        ("BOB@EXAMPLE.ORG", "2024-02-14", 70.0),
        ("ana@example.net", "2024-03-10", 35.0),
    ]
    rows = [[c, d, f"{a:.2f}"] for c, d, a in data]
    recs = [Rec(c.lower(), D(d), a) for c, d, a in data]
    return Case(
        "email_ids_case",
        put(
            "email_ids_case.csv",
            csv_text(["Customer Email", "Order Date", "Amount"], rows),
        ),
        "shop export identifying customers by e-mail, typed in different letter case at "
        "different checkouts: one address is one customer",
        recs,
        first="SILENT-WRONG",
        redteam="read 5, kept 5, 3 cust, rev 225.0, 2024-01-05..2024-03-10",
        load={"columns": {"customer_id": "Customer Email"}},
        spot=(("hana.sato@example.com", False),),
    )


@builder
def unit_price_as_amount() -> Case:
    data = [
        ("1001", "C001", "2024-01-05", 3, 10.0),
        ("1002", "C002", "2024-01-09", 1, 20.0),
        ("1003", "C001", "2024-02-05", 2, 5.0),
        ("1004", "C003", "2024-02-07", 4, 2.5),
        ("1005", "C002", "2024-03-01", 6, 1.25),
    ]
    rows = [[o, c, d, str(q), f"{p:.2f}", f"{p:.2f}"] for o, c, d, q, p in data]
    recs = [Rec(c, D(d), q * p, order=o) for o, c, d, q, p in data]
    return Case(
        "unit_price_as_amount",
        put(
            "per_unit_lines.csv",
            csv_text(
                ["Order ID", "Customer ID", "Order Date", "Quantity", "Unit Price", "Amount"], rows
            ),
        ),
        "order-lines export whose 'Amount' is the price of one unit (equal to 'Unit Price' on "
        "every line of several units): summed, it undercounts each multi-unit line",
        recs,
        first="SILENT-WRONG",
        redteam="read 5, kept 5, 3 cust, rev 77.5, 2024-01-05..2024-03-01",
        error={"type": "DataValidationError", "match": ["Amount", "unit price", "revenue"]},
        fix=(
            "no_revenue_column",
            {"columns": {"revenue": ""}},
            "the same export with columns={'revenue': ''}: revenue is quantity x unit price",
        ),
        spot=(("C001", True),),
    )


@builder
def postgres_offsets() -> Case:
    data = [
        ("C001", "2024-01-05 10:00:00", "+01"),
        ("C002", "2024-01-31 23:30:00", "+01"),
        ("C001", "2024-02-05 22:15:00", "-05"),
        ("C003", "2024-02-29 23:59:59", "+05:30"),
        ("C002", "2024-03-01 00:10:00", "+0200"),
    ]
    rows = [[c, f"{d}{z}", "25.00"] for c, d, z in data]
    recs = [Rec(c, D(d), 25.0) for c, d, _ in data]
    return Case(
        "postgres_offsets",
        put("postgres_offsets.csv", csv_text(["customer_id", "created_at", "total"], rows)),
        "PostgreSQL COPY of a timestamptz column: offsets written as +01 (hours only) beside "
        "+05:30 and +0200; each order keeps its local clock time and date",
        recs,
        first="UNCLEAR-MESSAGE",
        redteam="read 5, kept 5, 3 cust, rev 125.0, 2024-01-05..2024-03-01",
        spot=(("C002", False),),
    )


@builder
def time_only_column() -> Case:
    rows = [["C001", "10:00", "25.00"], ["C002", "11:30", "12.00"], ["C001", "14:05", "8.00"]]
    return Case(
        "time_only_column",
        put("till_export.csv", csv_text(["Customer ID", "Time", "Amount"], rows)),
        "till export whose only time column holds times of day, the date being in the file "
        "name: it cannot be the order date",
        first="UNCLEAR-MESSAGE",
        load={"columns": {"order_date": "Time"}},
        error={"type": "DataValidationError", "match": ["Time", "times of day", "order_date"]},
    )


@builder
def german_month_names() -> Case:
    rows = [
        ["C001", "5. Mai 2024", "25,00"],
        ["C002", "13. Januar 2024", "12,00"],
        ["C001", "2. März 2024", "8,00"],
    ]
    return Case(
        "german_month_names",
        put(
            "long_dates_de.csv",
            csv_text(["Kundennummer", "Bestelldatum", "Betrag"], rows, sep=";"),
        ),
        "German export writing dates with month names (5. Mai 2024): read in English only, "
        "so refused with how to fix it",
        first="UNCLEAR-MESSAGE",
        error={"type": "DataValidationError", "match": ["Bestelldatum", "month names", "English"]},
    )


# Shapes an independent review of the second pass's fixes found refused or misread (each
# read right before those fixes; kept here so they stay right).


@builder
def status_repeated_header() -> Case:
    header = ["Customer ID", "Order Date", "Status", "Amount"]
    rows = [
        ["C001", "2024-01-05", "paid", "40.00"],
        ["C002", "2024-01-09", "paid", "55.00"],
        header,
        ["C001", "2024-02-01", "paid", "25.00"],
    ]
    recs = [
        Rec("C001", D("2024-01-05"), 40.0),
        Rec("C002", D("2024-01-09"), 55.0),
        Rec("Customer ID", D("2024-01-09"), 0.0, "repeated header row"),
        Rec("C001", D("2024-02-01"), 25.0),
    ]
    return Case(
        "status_repeated_header",
        put("status_repeated_header.csv", csv_text(header, rows)),
        "two exports pasted together with a status column: the second header's 'Status' is "
        "not a status value to ask about",
        recs,
        redteam="read 4, kept 3, 2 cust, rev 120.0, 2024-01-05..2024-02-01; "
        "dropped: repeated header row 1",
    )


@builder
def signed_with_flag() -> Case:
    data = [
        ("C001", "2024-01-05", 100.0, "S"),
        ("C002", "2024-01-09", 80.0, "S"),
        ("C001", "2024-01-20", -30.0, "H"),
        ("C003", "2024-02-14", 50.0, "S"),
    ]
    rows = [[c, d, f"{a:.2f}", f] for c, d, a, f in data]
    recs = [Rec(c, D(d), a) for c, d, a, _ in data]
    return Case(
        "signed_with_flag",
        put("signed_with_flag.csv", csv_text(["Customer", "Date", "Amount", "S/H"], rows)),
        "ledger export whose amounts already carry their sign beside an S/H flag: nothing to "
        "ask, the credit is negative as written",
        recs,
        redteam="read 4, kept 4, 3 cust, rev 200.0, 2024-01-05..2024-02-14",
    )


@builder
def stores_same_sale() -> Case:
    header = ["Customer ID", "Order Date", "Amount", "Store"]
    put(
        "stores_same_sale/berlin.csv",
        csv_text(
            header,
            [["C001", "2024-01-02", "5.00", "Berlin"], ["C002", "2024-01-03", "4.00", "Berlin"]],
        ),
    )
    folder = put(
        "stores_same_sale/hamburg.csv",
        csv_text(
            header,
            [["C001", "2024-01-02", "5.00", "Hamburg"], ["C003", "2024-01-04", "10.00", "Hamburg"]],
        ),
    )
    recs = [
        Rec("C001", D("2024-01-02"), 5.0),
        Rec("C002", D("2024-01-03"), 4.0),
        Rec("C001", D("2024-01-02"), 5.0),
        Rec("C003", D("2024-01-04"), 10.0),
    ]
    return Case(
        "stores_same_sale",
        folder,
        "folder of two stores' exports; one customer bought the same thing for the same price "
        "on the same day in both stores: two sales, not an overlap",
        recs,
        redteam="read 4, kept 4, 3 cust, rev 24.0, 2024-01-02..2024-01-04",
        spot=(("C001", False),),
    )


@builder
def guest_email_capitals() -> Case:
    data = [
        ("Shop@Example.com", "2024-01-02", 9.0),
        ("a@x.com", "2024-01-03", 4.0),
        ("shop@example.com", "2024-01-04", 7.0),
        ("b@x.com", "2024-01-05", 10.0),
    ]
    rows = [[c, d, f"{a:.2f}"] for c, d, a in data]
    recs = [
        Rec(c.lower(), D(d), a, "guest placeholder id" if c.lower() == "shop@example.com" else None)
        for c, d, a in data
    ]
    return Case(
        "guest_email_capitals",
        put("guest_email_capitals.csv", csv_text(["Customer Email", "Order Date", "Amount"], rows)),
        "till sales under the shop's own address, named with capitals in guest_ids: every "
        "spelling of it is the guest account",
        recs,
        redteam="read 4, kept 2, 2 cust, rev 14.0, 2024-01-03..2024-01-05; "
        "dropped: guest placeholder id 2",
        load={"columns": {"customer_id": "Customer Email"}, "guest_ids": ["Shop@Example.com"]},
    )


@builder
def folder_decimal_undecided() -> Case:
    put(
        "folder_decimal_undecided/2024-01.csv",
        csv_text(
            ["Kunde", "Datum", "Betrag"],
            [["A1", "2024-01-02", "12,50"], ["A2", "2024-01-03", "1.500,00"]],
            sep=";",
        ),
    )
    folder = put(
        "folder_decimal_undecided/2024-02.csv",
        csv_text(
            ["Kunde", "Datum", "Betrag"],
            [["A1", "2024-02-02", "1.500"], ["A3", "2024-02-04", "300"]],
            sep=";",
        ),
    )
    recs = [
        Rec("A1", D("2024-01-02"), 12.5),
        Rec("A2", D("2024-01-03"), 1500.0),
        Rec("A1", D("2024-02-02"), 1500.0),
        Rec("A3", D("2024-02-04"), 300.0),
    ]
    return Case(
        "folder_decimal_undecided",
        folder,
        "folder of German monthly exports; February's amounts alone could be read either way "
        "(1.500, 300): the folder's decimal comma decides",
        recs,
        redteam="read 4, kept 4, 3 cust, rev 3312.5, 2024-01-02..2024-02-04",
        spot=(("A1", False),),
    )


@builder
def order_and_order_id() -> Case:
    header = ["Order ID", "Order", "Customer ID", "Order Date", "Amount"]
    rows = [
        ["1001", "1", "C001", "2024-01-05", "10.00"],
        ["1001", "2", "C001", "2024-01-05", "5.00"],
        ["1002", "1", "C002", "2024-01-09", "20.00"],
        ["1003", "1", "C001", "2024-02-01", "8.00"],
        ["1004", "1", "C001", "2024-01-05", "7.00"],
    ]
    recs = [
        Rec("C001", D("2024-01-05"), 10.0, order="1001"),
        Rec("C001", D("2024-01-05"), 5.0, order="1001"),
        Rec("C002", D("2024-01-09"), 20.0, order="1002"),
        Rec("C001", D("2024-02-01"), 8.0, order="1003"),
        Rec("C001", D("2024-01-05"), 7.0, order="1004"),  # a second order that day
    ]
    return Case(
        "order_and_order_id",
        put("order_and_order_id.csv", csv_text(header, rows)),
        "order lines with 'Order ID' and a line number named 'Order': the order is 'Order ID'",
        recs,
        redteam="read 5, kept 5, 2 cust, rev 50.0, 2024-01-05..2024-02-01",
        spot=(("C001", True),),
    )


# ======================================================================= scale


@builder
def big_2k_tail_bad() -> Case:
    start = D("2024-01-01")
    recs, out = [], ["customer_id,order_date,revenue"]
    for i in range(1990):
        r = Rec(f"CU{i % 397:05d}", start + dt.timedelta(days=i * 37 % 366), 10.25 + i % 100)
        recs.append(r)
        out.append(f"{r.cust},{r.date:%Y-%m-%d},{r.amount:.2f}")
    for i in range(5):  # an unquoted thousands separator: one field too many
        out.append(f"CU00001,2024-12-{20 + i},1,234.50")
        recs.append(Rec(None, D(f"2024-12-{20 + i}"), 0.0, "malformed line"))
    for i in range(5):  # cut short: no amount
        out.append(f"CU00002,2024-12-{25 + i}")
        recs.append(Rec(None, D(f"2024-12-{25 + i}"), 0.0, "malformed line"))
    return Case(
        "big_2k_tail_bad",
        put("big_2k_tail_bad.csv", "\n".join(out) + "\n"),
        "shrunk from the red team's 200,000-record big_200k_tail_bad.csv (4 MB): 2,000 records "
        "whose last 10 lines are malformed (5 with an unquoted 1,234.50, 5 cut short): 0.5% "
        "of lines, under the 5% limit, so dropped as malformed and the load goes on",
        recs,
        redteam="read 2000, kept 1990, 397 cust, rev 118452.5, 2024-01-01..2024-12-31; "
        "dropped: malformed line 10",
        notes=(
            "record i (0-1989) is customer CU(i mod 397), day 2024-01-01 + (37 i mod 366), "
            "amount 10.25 + (i mod 100): no two records are equal",
            "revenue = 1990 x 10.25 + 19 x 4950 + (0 + ... + 89) = 20397.50 + 94050 + 4005",
        ),
        spot=(("CU00001", True),),
    )


# ======================================================================= truth


def truth(recs: list[Rec]) -> dict[str, Any]:
    kept = [r for r in recs if r.reason is None]
    return {
        "rows_read": len(recs),
        "rows_kept": len(kept),
        "customers": len({r.cust for r in kept}),
        "revenue": round(sum(r.amount for r in kept), 2),
        "first_date": min(r.date for r in kept).strftime("%Y-%m-%d"),
        "last_date": max(r.date for r in kept).strftime("%Y-%m-%d"),
        "dropped": dict(Counter(r.reason for r in recs if r.reason is not None)),
    }


def short(t: dict[str, Any]) -> str:
    """The red team's short form of a read."""
    d = ", ".join(f"{k} {v}" for k, v in t["dropped"].items())
    return (
        f"read {t['rows_read']}, kept {t['rows_kept']}, {t['customers']} cust, "
        f"rev {t['revenue']}, {t['first_date']}..{t['last_date']}"
        + (f"; dropped: {d}" if d else "")
    )


def spot_truth(case: Case, cust: str) -> tuple[float, int]:
    mine = [r for r in case.recs if r.reason is None and r.cust == cust]
    if not mine:
        raise AssertionError(f"{case.name}: spot-checked id {cust!r} is not a kept customer")
    orders = {r.order if r.order is not None else r.date.date() for r in mine}
    return round(sum(r.amount for r in mine), 2), len(orders)


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, dict):
        keys = {k: k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k) for k in v}
        return "{ " + ", ".join(f"{keys[k]} = {value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(map(value, v)) + "]"
    return json.dumps(v, ensure_ascii=False)


def _expect_lines(case: Case, notes: list[str]) -> list[str]:
    t = truth(case.recs)
    out = ["[expect]", *(f"# {n}" for n in notes)]
    out += [f"rows_read = {t['rows_read']}", f"rows_kept = {t['rows_kept']}"]
    out += [f"customers = {t['customers']}", f"revenue = {float(t['revenue'])}"]
    out += [f"first_date = {value(t['first_date'])}", f"last_date = {value(t['last_date'])}", ""]
    if t["dropped"]:
        out += ["[expect.dropped]"]
        out += [f"{value(k)} = {t['dropped'][k]}" for k in REASONS if k in t["dropped"]]
        out += [""]
    for cust, with_orders in case.spot:
        revenue, orders = spot_truth(case, cust)
        out += ["[[expect.customer]]", f"id = {value(cust)}", f"revenue = {float(revenue)}"]
        if with_orders:
            out += [f"orders = {orders}"]
        out += [""]
    return out


def _head(file: str, what: str, load: dict[str, Any]) -> list[str]:
    out = [f"file = {value(file)}", f"what = {value(what)}", ""]
    if load:
        out += ["[load]", *(f"{k} = {value(v)}" for k, v in load.items()), ""]
    return out


def truth_files(case: Case) -> dict[str, str]:
    """rt_<name>.toml (and rt_<name>__<variant>.toml) -> text."""
    first = [f"red team, first pass: {case.first}"] if case.first != "OK" else []
    also = [f"{case.also} would also be right"] if case.also else []
    out = {}
    lines = _head(case.file, case.what, case.load)
    if case.error is None:
        lines += _expect_lines(case, [*first, *case.notes, *also])
        out[f"rt_{case.name}.toml"] = "\n".join(lines)
        return out
    lines += ["[error]", *(f"# {n}" for n in [*first, *case.notes, *also])]
    lines += [f"type = {value(case.error['type'])}", f"match = {value(case.error['match'])}", ""]
    out[f"rt_{case.name}.toml"] = "\n".join(lines)
    if case.fix is not None:
        variant, options, what = case.fix
        lines = _head(case.file, what, {**case.load, **options})
        lines += _expect_lines(case, [f"rt_{case.name} is the refusal by default", *case.notes])
        out[f"rt_{case.name}__{variant}.toml"] = "\n".join(lines)
    return out


def check(case: Case) -> None:
    """The truth from the records equals the red team's figures; error words are not in
    the file's name; every file is at most 200 KB."""
    if case.recs:
        got = short(truth(case.recs))
        if got != case.redteam:
            raise AssertionError(f"{case.name}: records give {got!r}, red team {case.redteam!r}")
        unknown = {r.reason for r in case.recs} - {None, *REASONS}
        if unknown:
            raise AssertionError(f"{case.name}: unknown drop reasons {unknown}")
    elif case.error is None:
        raise AssertionError(f"{case.name}: neither records nor an error")
    if case.error is not None:
        where = ("tests/exports/" + case.file).lower()
        clash = [w for w in case.error["match"] if w.lower() in where]
        if clash:
            raise AssertionError(f"{case.name}: the file name contains {clash}")
    if (case.error is None or case.fix is not None) and not case.recs:
        raise AssertionError(f"{case.name}: a read needs records")


def build() -> list[Case]:
    """Run every builder (fills FILES) and return the cases; writes nothing."""
    FILES.clear()
    cases = [fn() for fn in BUILDERS]
    names = [c.name for c in cases]
    if len(names) != len(set(names)):
        raise AssertionError("case names must be unique")
    for case in cases:
        check(case)
        if case.file not in FILES and not any(f.startswith(case.file + "/") for f in FILES):
            raise AssertionError(f"{case.name}: {case.file} is not written")
    big = [f for f, data in FILES.items() if len(data) > MAX_BYTES]
    if big:
        raise AssertionError(f"files above 200 KB: {big}")
    return cases


def outcome(case: Case, variant: bool) -> str:
    """The expected outcome, as the README table says it."""
    if case.error is not None and not variant:
        words = ", ".join(f"`{w}`" for w in case.error["match"])
        return f"`{case.error['type']}` mentioning {words}"
    t = truth(case.recs)
    d = ", ".join(f"{k} {v}" for k, v in t["dropped"].items())
    text = (
        f"loads {t['rows_kept']} of {t['rows_read']} records, {t['customers']} customers, "
        f"revenue {t['revenue']:.2f}, {t['first_date']} to {t['last_date']}"
        + (f"; dropped: {d}" if d else "")
    )
    options = {**case.load, **(case.fix[1] if variant else {})}
    if options:
        text = "with " + ", ".join(f"`{k}={v!r}`" for k, v in options.items()) + ": " + text
    return text


def table(cases: list[Case]) -> str:
    """The README table, the cases read wrong or refused unclearly at first on top."""
    order = ["SILENT-WRONG", "RAW-ERROR", "UNCLEAR-MESSAGE", "OK"]
    out = ["| case | file | first pass | imitates | expected outcome |", "|---|---|---|---|---|"]
    for case in sorted(cases, key=lambda c: order.index(c.first)):
        folder = any(f.startswith(case.file + "/") for f in FILES)
        file = f"`{case.file}{'/' if folder else ''}`"
        also = f" (also right: {case.also})" if case.also else ""
        first = case.first.lower().replace("-", " ")
        cell = (case.what + also).replace("|", "\\|")
        out.append(f"| `rt_{case.name}` | {file} | {first} | {cell} | {outcome(case, False)} |")
        if case.error is not None and case.fix is not None:
            variant, _, what = case.fix
            out.append(
                f"| `rt_{case.name}__{variant}` | {file} | | {what} | {outcome(case, True)} |"
            )
    return "\n".join(out)


def main() -> None:
    cases = build()
    if "--table" in sys.argv[1:]:
        sys.stdout.write(table(cases) + "\n")
        return
    folders = {name.split("/")[0] for name in FILES if "/" in name}
    for folder in folders:  # a folder holds only what this script writes
        if (HERE / folder).is_dir():
            shutil.rmtree(HERE / folder)
    for name, data in FILES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    written = 0
    for case in cases:
        for name, text in truth_files(case).items():
            (HERE / name).write_bytes(text.encode("utf-8"))
            written += 1
    sys.stdout.write(f"{len(cases)} cases: {len(FILES)} data files, {written} truth files\n")


if __name__ == "__main__":  # importing (e.g. pytest's doctest collection) writes nothing
    main()
