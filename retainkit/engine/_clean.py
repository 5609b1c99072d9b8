"""Cleaning a raw table into the canonical schema, with a quality report.

Everything here is an Ibis expression: parsing, flagging and counting run where the
data lives. Only counts, a few sample values for detection and error messages, and the
quality report come back to Python. How values are read lives in its own modules
(dates in ``_dates``, amounts in ``_amounts``, ids in ``_ids``, order-level revenue in
``_order_totals``); this module decides which rows are kept, and why not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine import _ids, _statuses
from retainkit.engine._amounts import decide_decimal, parse_amount
from retainkit.engine._backend import execute, is_duckdb, materialize, one_of, whole
from retainkit.engine._dates import NAMED_FORMATS, parse_dates
from retainkit.engine._order_totals import order_level_revenue
from retainkit.engine._transactions import CUSTOMER_KEY, KeyedRows
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.quality import DEFECT_REASONS, DROP_REASONS, QualityReport

__all__ = ["CleaningOptions", "SourceInfo", "clean_table"]

_RETURNS = ("net", "drop")
_DUPLICATES = ("drop", "keep")
_ZERO = ("drop", "keep")

# Columns a source may carry for messages, and columns cleaning adds for itself; a
# carried source column may not take these names.
_LOCATION_COLUMNS = (S.LINE_COLUMN, S.FILE_COLUMN)
# columns cleaning adds to the raw table for itself (never a source's own name)
_RAW_WORKING = frozenset({"__retainkit_heading", "__retainkit_where", "__retainkit_raw"})
_WORKING_COLUMNS = frozenset(
    {
        "_drop_reason",
        "_header_row",
        "_totals",
        "_guest",
        "_status",
        "_currency",
        "_line_hash",
        CUSTOMER_KEY,
        *_LOCATION_COLUMNS,
    }
)


@dataclass(frozen=True)
class CleaningOptions:
    """How raw rows are parsed and which rows are kept.

    Parameters
    ----------
    date_format : str, optional
        ``strftime`` format of text dates (``"%d/%m/%Y"``), or ``"excel"`` (serial
        dates), ``"unix"``/``"unix_ms"`` (Unix times), ``"iso"``; detected when None.
    dayfirst : bool, optional
        Settles dates that read both ways (``03/04/2024``) during detection.
    decimal : {".", ","}, optional
        Decimal mark of text amounts; detected from the values when None.
    timezone : str, optional
        IANA zone (``"Europe/Berlin"``): timestamps that state a zone are shown as this
        zone's clock time; default: each in its own zone's clock time (Unix times: UTC).
    amount_unit : {"units", "cents"}, optional
        ``"cents"`` divides money by 100; default: units, or cents when the money
        column's name says so (``amount_cents``).
    currency : str, optional
        Keep the rows in this currency (by the currency column) and drop the others as
        "other currency"; without it, a log in several currencies is refused.
    as_of : pandas.Timestamp, optional
        Rows dated after this day are dropped ("after as_of").
    returns : {"net", "drop"}
        Keep return and cancellation lines and net them into revenue, or drop them.
    duplicates : {"drop", "keep"}
        Drop exact duplicate lines: lines equal in every column of the source.
    zero_revenue : {"drop", "keep"}
        Drop lines whose revenue is exactly zero (free items, adjustments).
    cancellation_prefix : str, optional
        Order ids starting with it are cancellations ("C" in Online Retail).
    min_date : str
        Rows dated before it are dropped as implausible.
    max_date : str, optional
        Rows dated after it are dropped as implausible; default: tomorrow.
    outliers : {"error", "drop", "keep"}
        What to do with implausible amounts (see ``max_amount``).
    max_amount : float, optional
        Absolute revenue above which a line is implausible; default 100,000 times the
        median absolute revenue of a line.
    id_case : {"keep", "upper", "lower"}
        Keep customer ids as written, or fold their letter case.
    guest_ids : tuple of str, optional
        Ids that stand for guest checkouts, dropped as "guest placeholder id"; default:
        the usual placeholders (``0``, ``guest``, ``anonymous``...) and an id that holds
        a share of the rows no real customer holds while placing several orders on most
        of its days. Pass ``()`` to treat every id as a customer.
    revenue_level : {"auto", "line", "order"}
        Whether the revenue column holds line amounts or order totals (repeated on
        each line, or on the first line only); ``"auto"`` decides from the values.
    not_sales : mapping, optional
        Source column -> values marking rows that are not sales (a payment export's
        withdrawals and transfers), dropped as "not a completed sale"; the value
        ``"*"`` marks any non-empty value (a cancellation date).
    fallbacks : mapping, optional
        Canonical name -> further source columns read where the mapped one is empty
        (``customer_id``: ``Customer ID``, else ``Customer Email``). A mapping file
        writes them as a list: ``customer_id = ["Customer ID", "Customer Email"]``.
    fill_down : tuple of str
        Columns a report writes once above a group of rows (a customer heading), carried
        down to the rows below; a row holding only that value is a heading, dropped as
        "totals row".
    subtract : tuple of str
        Amount columns subtracted from revenue (a discount written beside the
        pre-discount amount).
    negative_when : mapping, optional
        Source column -> values marking rows whose amount counts negative (credit notes
        and returns written unsigned: ``{"Type": ["SC"]}``, ``{"Soll/Haben": ["H"]}``).
        Without it, such a column beside positive amounts stops loading.
    refunded_pattern : str, optional
        A regular expression whose first group finds the amounts, written as plain
        numbers, in a text refund column (``amount:([0-9.]+)``); they are added up.
    refund_from_adjusted : mapping, optional
        ``{"total": column, "adjusted": column}``: the amount refunded is the total less
        the adjusted total, where the adjusted total is not 0 (Etsy).
    return_customer_id : str, optional
        The column that names the customer on return lines (negative revenue), where
        the export names the other party there (PayPal's refunds).
    sale_statuses, not_sale_statuses : tuple of str, optional
        Status values (compared lower-cased) added to the built-in lists.
    max_invalid_share : float
        Loading stops when more than this share of rows is malformed or has an
        unreadable or implausible date or amount (default 0.05).
    max_missing_id_share : float
        Loading stops when more than this share of rows has no customer id, which
        means the id column is probably the wrong one (default 0.5); fewer are guest
        checkouts, dropped and shown in the quality report.
    keep_columns : tuple of str
        Source columns carried along unchanged (as text) beside the canonical ones.
    materialize : bool
        Compute the cleaned table once and keep it in the engine.
    """

    date_format: str | None = None
    dayfirst: bool | None = None
    decimal: str | None = None
    timezone: str | None = None
    amount_unit: str | None = None
    currency: str | None = None
    as_of: pd.Timestamp | None = None
    returns: str = "net"
    duplicates: str = "drop"
    zero_revenue: str = "drop"
    cancellation_prefix: str | None = None
    min_date: str = "1900-01-01"
    max_date: str | None = None
    outliers: str = "error"
    max_amount: float | None = None
    id_case: str = "keep"
    guest_ids: tuple[str, ...] | None = None
    revenue_level: str = "auto"
    not_sales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fill_down: tuple[str, ...] = ()
    subtract: tuple[str, ...] = ()
    negative_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refunded_pattern: str | None = None
    refund_from_adjusted: Mapping[str, str] = field(default_factory=dict)
    return_customer_id: str | None = None
    sale_statuses: tuple[str, ...] = ()
    not_sale_statuses: tuple[str, ...] = ()
    max_invalid_share: float = 0.05
    max_missing_id_share: float = 0.5
    keep_columns: tuple[str, ...] = field(default_factory=tuple)
    materialize: bool = True

    def __post_init__(self) -> None:
        checks = {
            "returns": (self.returns, _RETURNS),
            "duplicates": (self.duplicates, _DUPLICATES),
            "zero_revenue": (self.zero_revenue, _ZERO),
            "decimal": (self.decimal, (None, ".", ",")),
            "outliers": (self.outliers, ("error", "drop", "keep")),
            "id_case": (self.id_case, ("keep", "upper", "lower")),
            "amount_unit": (self.amount_unit, (None, "units", "cents")),
            "revenue_level": (self.revenue_level, ("auto", "line", "order")),
        }
        for name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"{name}={value!r} is not one of {list(allowed)}")
        for name in ("max_invalid_share", "max_missing_id_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name}={value!r} must lie between 0 and 1")
        if (
            self.date_format
            and self.date_format not in NAMED_FORMATS
            and "%" not in self.date_format
        ):
            raise ValueError(
                f"date_format={self.date_format!r} is neither a strftime format (such as "
                f"'%d/%m/%Y') nor one of {list(NAMED_FORMATS)}"
            )


@dataclass(frozen=True)
class SourceInfo:
    """What reading knows about the raw table, for the report and messages.

    Attributes
    ----------
    description : str
    row_offset : int
        Without a ``_line`` column, a record's 0-based position plus this is its line.
    line_word : str
        ``"line"``, ``"record"`` or ``"row"``: how positions are named in messages.
    malformed : int
        Lines set aside by the reader (wrong number of fields).
    malformed_examples : tuple of str
    time_zones : dict
        Column -> the zone its timestamps were stored with.
    notes : tuple of str
    """

    description: str
    row_offset: int = 1
    line_word: str = "row"
    malformed: int = 0
    malformed_examples: tuple[str, ...] = ()
    time_zones: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@ibis.udf.scalar.builtin(name="regexp_extract_all")
def _regexp_extract_all(text: str, pattern: str, group: int) -> dt.Array(dt.string):  # type: ignore[empty-body]
    """DuckDB's ``regexp_extract_all``: every match of a pattern's group."""


@ibis.udf.scalar.builtin(name="list_sum")
def _list_sum(values: dt.Array(dt.float64)) -> dt.float64:  # type: ignore[empty-body]
    """DuckDB's ``list_sum``."""


def _extract_all(text: ir.StringValue, pattern: str) -> ir.ArrayValue:
    group = 1 if "(" in pattern else 0
    return _regexp_extract_all(text, pattern, group)


def _sum_texts(values: ir.ArrayValue, scale: float) -> ir.FloatingValue:
    numbers = _list_sum(values.cast(dt.Array(dt.float64))).fill_null(0.0)
    return numbers * scale if scale != 1.0 else numbers


_TRUE = ("true", "yes", "y", "t", "1", "ja", "oui", "si", "sí", "x")
_FALSE = ("false", "no", "n", "f", "0", "nein", "non", "")


def _boolean_column(col: ir.Value, table: ir.Table) -> ir.BooleanValue | None:
    """Flag the rows where a yes/no column says yes; None when it holds anything else."""
    value = _ids.trimmed(col).lower()
    other = ~one_of(value.fill_null(""), [*_TRUE, *_FALSE])
    if whole(execute(table.aggregate(n=other.sum()))["n"].iloc[0]):
        return None
    return one_of(value, _TRUE)


# ---------------------------------------------------------------------- typing


def _permuted_header(raw: ir.Table, mapping: S.ColumnMapping) -> ir.BooleanValue:
    """Flag rows that repeat the header with the columns in another order."""
    names = [c for c in raw.columns if c not in _LOCATION_COLUMNS]
    cust, date = mapping.source[S.CUSTOMER_ID], mapping.source[S.ORDER_DATE]
    if not all(raw.schema()[c].is_string() for c in names):
        return ibis.literal(False)
    as_text = {c: _ids.trimmed(raw[c]) for c in (cust, date)}
    header_like = one_of(as_text[cust], names) & one_of(as_text[date], names)
    return header_like & ((as_text[cust] != cust) | (as_text[date] != date))


def _scientific(raw: ir.Table, mapping: S.ColumnMapping) -> ir.BooleanValue:
    """Flag customer ids that Excel wrote in scientific notation."""
    cust = mapping.source[S.CUSTOMER_ID]
    if not raw.schema()[cust].is_string():  # numbers and dates cannot hold "4.00638E+12"
        return ibis.literal(False)
    return _ids.text(raw[cust]).re_search(S.SCIENTIFIC_ID_PATTERN).fill_null(False)


def _realign_headers(raw: ir.Table, mapping: S.ColumnMapping) -> tuple[ir.Table, list[str]]:
    """Read the rows below a repeated header with another column order in that order.

    A log concatenated from several exports can repeat its header further down with
    the columns in another order; the rows below such a header follow it.
    """
    names = [c for c in raw.columns if c not in _LOCATION_COLUMNS]
    cust, date = mapping.source[S.CUSTOMER_ID], mapping.source[S.ORDER_DATE]
    found = execute(raw.filter(_permuted_header(raw, mapping)).select(*names).limit(20))
    if found.empty:
        return raw, []
    orders = {tuple(str(v).strip() for v in row) for row in found.itertuples(index=False)}
    if len(orders) > 1 or set(next(iter(orders))) != set(names):
        shown = ", ".join(repr(list(o)) for o in list(orders)[:2])
        raise DataValidationError(
            f"the data repeats its header further down in another form ({shown}); split the "
            "file where the header repeats and load each part, or export it again"
        )
    order = next(iter(orders))
    numbered = raw.mutate(__retainkit_pos=ibis.row_number())
    text = {c: _ids.trimmed(numbered[c]) for c in names}
    flip = (
        one_of(text[cust], names)
        & one_of(text[date], names)
        & ((text[cust] != cust) | (text[date] != date))
    )
    numbered = numbered.mutate(
        __retainkit_seg=flip.cast("int64")
        .sum()
        .over(ibis.window(order_by=numbered["__retainkit_pos"], following=0))
    )
    # below a header in another order, the field order[j] sits in the column names[j]
    realigned = {
        name: ibis.cases(
            (numbered["__retainkit_seg"] > 0, numbered[names[order.index(name)]]),
            else_=numbered[name],
        )
        for name in names
    }
    extra = {c: numbered[c] for c in _LOCATION_COLUMNS if c in raw.columns}
    out = (
        numbered.select(**realigned, **extra, __retainkit_pos=numbered["__retainkit_pos"])
        .order_by("__retainkit_pos")
        .drop("__retainkit_pos")
    )
    note = (
        "the header repeats further down with the columns in another order "
        f"({', '.join(order[:4])}...); the rows below it were read in that order"
    )
    return out, [note]


# values of a document-type column that mark a credit note or a return
_CREDIT_VALUES = (
    "credit note",
    "credit memo",
    "sales credit",
    "sales credit note",
    "credit invoice",
    "refund",
    "return",
    "sales return",
    "gutschrift",
    "rechnungskorrektur",
    "rücksendung",
    "retoure",
    "avoir",
    "nota de crédito",
    "nota de credito",
    "nota di credito",
    "creditnota",
    "creditfactuur",
)
# accounting exports that write every amount unsigned beside a debit/credit flag
_SIGN_COLUMNS = (
    "sh",
    "sollhaben",
    "sollhabenkennzeichen",
    "debitcredit",
    "creditdebit",
    "dc",
    "drcr",
    "debitcreditindicator",
    "sign",
)
_SIGN_VALUES = ("s", "h", "d", "c", "dr", "cr", "soll", "haben", "debit", "credit")
# Sage's day-book type codes (sales invoice SI, sales credit SC, ...)
_SAGE_TYPES = ("si", "sc", "sa", "sr", "sp", "pi", "pc", "pa", "pr", "pp", "jd", "jc")


def _unsigned_credits(raw: ir.Table, columns: list[str], revenue: ir.FloatingValue) -> None:
    """Refuse credit notes or returns written with a positive amount beside a type column.

    Accounting exports often write every amount unsigned and say in another column that
    a row is a credit note (Sage's ``SC``, DATEV's ``H``); counted as written, credit notes
    would add to revenue. Which rows are negative is for the reader to say
    (``negative_when``): for customer postings a credit (``H``) lowers the balance, for
    revenue postings a debit (``S``) does.
    """
    if not columns:
        return
    checks = {}
    for i, c in enumerate(columns):
        value = _ids.text(raw[c]).lower()
        name = S._norm(c)
        checks[f"credit{i}"] = one_of(value, _CREDIT_VALUES).sum()
        if name in _SIGN_COLUMNS:
            checks[f"sign{i}"] = (value.notnull() & ~one_of(value, _SIGN_VALUES)).sum()
            checks[f"signs{i}"] = value.nunique()
        if name in ("type", "doctype", "documenttype", "transactiontype"):
            checks[f"sage{i}"] = (value.notnull() & ~one_of(value, _SAGE_TYPES)).sum()
            checks[f"sagesc{i}"] = (value == "sc").sum()
    found = execute(raw.aggregate(**checks)).iloc[0]
    hits = [i for i in range(len(columns)) if whole(found[f"credit{i}"])]
    hits += [i for i in range(len(columns)) if whole(found.get(f"sagesc{i}", 0))]
    if hits:  # only now the amounts: are the marked rows positive?
        positive = (revenue > 0).fill_null(False)
        again = {}
        for i in sorted(set(hits)):
            value = _ids.text(raw[columns[i]]).lower()
            again[f"credit{i}"] = (one_of(value, _CREDIT_VALUES) & positive).sum()
            if f"sagesc{i}" in found:
                again[f"sagesc{i}"] = ((value == "sc") & positive).sum()
        found = found.copy()
        for k, v in execute(raw.aggregate(**again)).iloc[0].items():
            found[k] = v
    for i, c in enumerate(columns):
        credit = whole(found[f"credit{i}"])
        sage = f"sage{i}" in found and not whole(found[f"sage{i}"]) and whole(found[f"sagesc{i}"])
        sign = (
            f"sign{i}" in found and not whole(found[f"sign{i}"]) and whole(found[f"signs{i}"]) >= 2
        )
        if not (credit or sage or sign):
            continue
        values = execute(raw.select(v=_ids.text(raw[c])).distinct().limit(12))["v"].dropna()
        shown = sorted(map(str, values))
        what = (
            "a debit/credit flag beside unsigned amounts"
            if sign
            else f"{credit or whole(found[f'sagesc{i}']):,} rows as credit notes or returns "
            "while their amounts are positive"
        )
        raise DataValidationError(
            f"the column {c!r} (values {shown}) marks {what}: counted as written, credit notes "
            "and returns would add to revenue. Say which rows count negative: "
            f"negative_when={{{c!r}: [...]}} with the values that mark them (in the [clean] "
            f'table of the mapping file: negative_when = {{ "{c}" = [...] }}); for a '
            "debit/credit flag on customer postings that is the credit value (H, C, CR)"
        )


def _decimal_marks(names: set[str], raw: ir.Table) -> tuple[str, dict[str, str], list[str]]:
    """Decide the decimal mark: for the whole log, or file by file when they differ.

    Returns the mark, the marks by file when the files of a folder disagree (a monthly
    export re-saved by someone else's Excel), and notes.
    """
    columns = sorted(names)
    if S.FILE_COLUMN not in raw.columns:
        mark, note = decide_decimal({c: raw[c] for c in columns}, raw)
        return mark, {}, [note] if note else []
    files = execute(raw.select(f=raw[S.FILE_COLUMN].cast("string")).distinct())["f"].tolist()
    if len(files) > 50:  # many files: one mark for all (an error if they disagree)
        mark, note = decide_decimal({c: raw[c] for c in columns}, raw)
        return mark, {}, [note] if note else []
    marks = {}
    for f in sorted(files):
        part = raw.filter(raw[S.FILE_COLUMN].cast("string") == f)
        try:
            marks[f], _ = decide_decimal({c: part[c] for c in columns}, part)
        except DataValidationError as exc:
            raise DataValidationError(f"in {f}: {exc}") from None
    if len(set(marks.values())) == 1:
        mark = next(iter(marks.values()))
        return mark, {}, ["amounts read with a decimal comma (1.234,56)"] if mark == "," else []
    said = ", ".join(f"{f} {'comma' if m == ',' else 'point'}" for f, m in marks.items())
    return ".", marks, [f"the files write decimals differently, each read with its own: {said}"]


def _filled_down(raw: ir.Table, columns: tuple[str, ...]) -> ir.Table:
    """Carry report headings down to the rows below them; mark the heading rows.

    Adds ``__retainkit_heading``: True on a row that holds only a heading (every other column
    empty).
    """
    names = [c for c in raw.columns if c not in _LOCATION_COLUMNS]
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise SchemaError(f"fill_down names {unknown}, which the data does not have; found {names}")
    numbered = raw.mutate(__retainkit_pos=ibis.row_number())
    heading = ibis.literal(False)
    groups = {}
    for c in columns:
        value = _ids.text(numbered[c])
        rest = ibis.literal(True)
        for other in names:
            if other != c:
                rest = rest & _ids.text(numbered[other]).isnull()
        heading = heading | (value.notnull() & rest)
        groups[f"__retainkit_grp_{c}"] = value.count().over(
            ibis.cumulative_window(order_by=numbered["__retainkit_pos"])
        )
    numbered = numbered.mutate(**groups, __retainkit_heading=heading)
    filled = {
        c: _ids.text(numbered[c]).max().over(ibis.window(group_by=numbered[f"__retainkit_grp_{c}"]))
        for c in columns
    }
    out = numbered.mutate(**filled).order_by("__retainkit_pos")
    return out.drop("__retainkit_pos", *groups)


def _typed_columns(
    raw: ir.Table,
    mapping: S.ColumnMapping,
    options: CleaningOptions,
    info: SourceInfo,
    carry: tuple[str, ...] = (),
) -> tuple[ir.Table, list[str]]:
    """Select, rename and type the canonical columns, with the working flags.

    Returns the table and notes. ``carry`` names columns of ``raw`` passed through
    unchanged (row numbers and raw values for error messages).
    """
    notes: list[str] = []
    src = mapping.source
    duck = is_duckdb(raw)
    cols: dict[str, ir.Value] = {}
    raw_schema = raw.schema()

    def column(canonical: str) -> ir.Value:
        """Return the source column of a canonical name, or the first non-empty of several."""
        first = raw[src[canonical]]
        others = [raw[c] for c in options.fallbacks.get(canonical, ())]
        if not others:
            return first
        return ibis.coalesce(*[_ids.text(c) for c in (first, *others)])

    for canonical, extra in options.fallbacks.items():
        unknown = [c for c in extra if c not in raw_schema]
        if unknown or canonical not in src:
            raise SchemaError(
                f"the mapping gives {canonical!r} the columns {[src.get(canonical), *extra]}, "
                f"but the data has no column {unknown or [src.get(canonical)]}; found "
                f"{list(raw_schema)}"
            )
    cols[S.CUSTOMER_ID] = _ids.customer_id(column(S.CUSTOMER_ID), options.id_case)

    dates = parse_dates(
        raw[src[S.ORDER_DATE]],
        raw,
        name=src[S.ORDER_DATE],
        date_format=options.date_format,
        dayfirst=options.dayfirst,
        timezone=options.timezone,
        column_zone=info.time_zones.get(src[S.ORDER_DATE]),
        duck=duck,
    )
    cols[S.ORDER_DATE] = dates.value
    notes += dates.notes

    refund_flag = None
    if S.REFUNDED in src and not raw_schema[src[S.REFUNDED]].is_numeric():
        refund_flag = _boolean_column(raw[src[S.REFUNDED]], raw)
        if refund_flag is not None:
            notes.append(
                f"{src[S.REFUNDED]!r} holds yes/no, not an amount: refunded rows are not "
                "completed sales"
            )
    numeric = [
        c
        for c in (*S.NUMERIC_COLUMNS, S.REFUNDED)
        if c in src and not (c == S.REFUNDED and refund_flag is not None)
    ]
    text_numeric = [c for c in numeric if not raw_schema[src[c]].is_numeric()]
    decimal = options.decimal
    per_file: dict[str, str] = {}
    if text_numeric and decimal is None:
        decimal, per_file, said = _decimal_marks({src[c] for c in text_numeric}, raw)
        notes += said
    money_columns = [src[c] for c in (S.REVENUE, S.UNIT_PRICE, S.COST, S.REFUNDED) if c in src]
    unit = options.amount_unit
    if unit is None and any(
        "cent" in S._norm(c) or S._norm(c).endswith("minor") for c in money_columns
    ):
        unit = "cents"
        notes.append(
            f"amounts in {', '.join(map(repr, money_columns))} read as cents (from the column "
            "name) and divided by 100; pass amount_unit='units' if they are not"
        )
    elif unit == "cents":
        notes.append("amounts read as cents and divided by 100 (amount_unit='cents')")

    def amount(col: ir.Value, scale: float) -> ir.FloatingValue:
        if col.type().is_numeric():
            value = col.cast("float64")
            return value * scale if scale != 1.0 else value
        if per_file:  # files read as one that write their decimals differently
            source = raw[S.FILE_COLUMN].cast("string")
            return ibis.cases(
                *[
                    (source == f, parse_amount(col, mark, scale=scale))
                    for f, mark in per_file.items()
                ],
                else_=ibis.null("float64"),
            )
        return parse_amount(col, decimal or ".", scale=scale)

    for c in numeric:
        scale = 0.01 if unit == "cents" and c != S.QUANTITY else 1.0
        if c == S.REFUNDED and options.refunded_pattern:
            found = _extract_all(_ids.text(raw[src[c]]).fill_null(""), options.refunded_pattern)
            cols[c] = _sum_texts(found, scale)
        else:
            cols[c] = amount(column(c), scale)
    if options.refund_from_adjusted:
        total, adjusted = (
            amount(raw[options.refund_from_adjusted[k]], 0.01 if unit == "cents" else 1.0)
            for k in ("total", "adjusted")
        )
        refund = ibis.cases(((adjusted != 0) & adjusted.notnull(), total - adjusted), else_=0.0)
        cols[S.REFUNDED] = cols[S.REFUNDED] + refund if S.REFUNDED in cols else refund
    if options.subtract and S.REVENUE in cols:
        for name in options.subtract:
            part = amount(raw[name], 0.01 if unit == "cents" else 1.0).fill_null(0).abs()
            cols[S.REVENUE] = cols[S.REVENUE] - part
        notes.append(f"revenue is {src[S.REVENUE]!r} less {', '.join(map(repr, options.subtract))}")
    if options.return_customer_id:
        turned = _ids.customer_id(raw[options.return_customer_id], options.id_case)
        negative = (cols[S.REVENUE] < 0).fill_null(False) if S.REVENUE in cols else False
        cols[S.CUSTOMER_ID] = ibis.cases((negative, turned), else_=cols[S.CUSTOMER_ID])

    for c in (S.ORDER_ID, S.PRODUCT_ID, S.CATEGORY):
        if c in src:
            cols[c] = _ids.text(raw[src[c]])
    for extra in options.keep_columns:
        if extra in cols:
            continue
        if extra in _WORKING_COLUMNS:
            raise SchemaError(
                f"keep_columns names {extra!r}, a name retainkit uses for its own working "
                "column; rename that column in the source to keep it"
            )
        if extra not in raw_schema:
            raise SchemaError(
                f"keep_columns names {extra!r}, which the data does not have; "
                f"found {list(raw_schema)}"
            )
        cols[extra] = _ids.text(raw[extra])

    flipped = ibis.literal(False)
    if S.REVENUE not in cols and S.QUANTITY in cols and S.UNIT_PRICE in cols:
        cols[S.REVENUE] = cols[S.QUANTITY] * cols[S.UNIT_PRICE]
        notes.append("revenue derived as quantity × unit_price")
    elif S.REVENUE in cols and S.QUANTITY in cols:
        # a return written as a negative quantity beside a positive amount (tills often
        # write the amount unsigned): the amount is returned, so it counts negative
        flipped = ((cols[S.QUANTITY] < 0) & (cols[S.REVENUE] > 0)).fill_null(False)
        cols[S.REVENUE] = ibis.cases((flipped, -cols[S.REVENUE]), else_=cols[S.REVENUE])
    if S.REVENUE in cols:
        if options.negative_when:
            marked = ibis.literal(False)
            for name, values in options.negative_when.items():
                if name not in raw_schema:
                    raise SchemaError(
                        f"negative_when names the column {name!r}, which the data does not "
                        f"have; found {list(raw_schema)}"
                    )
                marked = marked | one_of(_ids.text(raw[name]).lower(), [v.lower() for v in values])
            marked = marked & (cols[S.REVENUE] > 0).fill_null(False)
            flipped = flipped | marked
            cols[S.REVENUE] = ibis.cases((marked, -cols[S.REVENUE]), else_=cols[S.REVENUE])
            notes.append(
                "amounts made negative (credit notes, returns) where "
                + "; ".join(f"{k!r} is {list(v)}" for k, v in options.negative_when.items())
            )
        else:
            unmapped_text = [
                c
                for c in raw.columns
                if c not in set(src.values())
                and c not in _LOCATION_COLUMNS
                and raw_schema[c].is_string()
            ]
            _unsigned_credits(raw, unmapped_text, cols[S.REVENUE])

    date_type = raw_schema[src[S.ORDER_DATE]]
    cust_src, date_src = src[S.CUSTOMER_ID], src[S.ORDER_DATE]
    header = ibis.literal(False)
    if not date_type.is_temporal():
        header = (_ids.trimmed(raw[cust_src]) == cust_src) & (
            _ids.trimmed(raw[date_src]) == date_src
        )
    # a totals label in the customer or order column, or in a report's first column when
    # that column is a label column (not a product or category named "Total")
    first = next(c for c in raw.columns if c not in _LOCATION_COLUMNS)
    cleaned = {src[c]: cols[c] for c in (S.CUSTOMER_ID, S.ORDER_ID) if c in src}
    labels = [first] if first in cleaned or first not in set(src.values()) else []
    totals = ibis.literal(False)
    for name in dict.fromkeys([*cleaned, *labels]):
        label = cleaned.get(name, None)
        totals = totals | _ids.is_totals_text(label if label is not None else _ids.text(raw[name]))
    if "__retainkit_heading" in raw.columns:
        totals = totals | raw["__retainkit_heading"]
    working: dict[str, ir.Value] = {}
    if S.ORDER_ID in cols:
        # an order is its id within its file: order numbers start again in another export
        order = cols[S.ORDER_ID]
        if S.FILE_COLUMN in raw.columns:
            order = raw[S.FILE_COLUMN].cast("string") + "\x1f" + order
        working["_order"] = order
    if S.FILE_COLUMN in raw.columns:
        working["_source"] = raw[S.FILE_COLUMN].cast("string")
    working |= {
        "_flipped": flipped,
        "_header_row": header.fill_null(False),
        "_totals": totals,
        "_status": _statuses.normalised(column(S.STATUS))
        if S.STATUS in src
        else ibis.null("string"),
        "_currency": _ids.text(raw[src[S.CURRENCY]]).upper()
        if S.CURRENCY in src
        else ibis.null("string"),
    }
    not_sale = ibis.literal(False)
    for name, values in {**options.not_sales}.items():
        checked = [name, *options.subtract, *options.refund_from_adjusted.values()]
        checked += [options.return_customer_id] if options.return_customer_id else []
        unknown = [c for c in checked if c not in raw_schema]
        if unknown:
            raise SchemaError(
                f"the cleaning options name the column {unknown[0]!r}, which the data does "
                f"not have; found {list(raw_schema)}"
            )
        value = _ids.text(raw[name]).lower()
        wanted = [str(v).strip().lower() for v in values if v != "*"]
        flag = one_of(value, wanted)
        if "*" in values:  # any value at all (a cancellation date, say)
            flag = flag | value.notnull()
        not_sale = not_sale | flag.fill_null(False)
    if refund_flag is not None:
        not_sale = not_sale | refund_flag
    working["_not_sale"] = not_sale
    unmapped = [
        c
        for c in raw.columns
        if c not in set(src.values()) and c not in _LOCATION_COLUMNS and c not in _RAW_WORKING
    ]
    if unmapped and options.duplicates == "drop" and duck:
        parts = [raw[c].cast("string").fill_null("\x00") for c in unmapped]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + "\x1f" + part
        working["_line_hash"] = joined.hash()
    table = raw.select(**cols, **working, **{c: raw[c] for c in carry})
    return table, notes


# -------------------------------------------------------------------- flagging


def _flagged(
    table: ir.Table,
    options: CleaningOptions,
    has_revenue: bool,
    *,
    amount_limit: float | None = None,
    guests: tuple[str, ...] = (),
    placeholders: bool = True,
) -> ir.Table:
    """Add ``is_return`` and ``_drop_reason`` (NULL for kept rows).

    ``guests`` are ids that stand for guest checkouts; with ``placeholders`` the usual
    placeholder ids (``0``, ``guest``...) are guests too.
    """
    t = table
    is_return = ibis.literal(False)
    if S.REVENUE in t.columns:
        is_return = is_return | (t[S.REVENUE] < 0).fill_null(False)
    if S.QUANTITY in t.columns:
        is_return = is_return | (t[S.QUANTITY] < 0).fill_null(False)
    if options.cancellation_prefix and S.ORDER_ID in t.columns:
        is_return = is_return | t[S.ORDER_ID].startswith(options.cancellation_prefix).fill_null(
            False
        )
    t = t.mutate(**{S.IS_RETURN: is_return})

    date = t[S.ORDER_DATE]
    min_date = pd.Timestamp(options.min_date)
    max_date = (
        pd.Timestamp(options.max_date)
        if options.max_date
        else pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    )
    status_not_sale = _statuses.is_not_sale(
        t._status, sale=options.sale_statuses, not_sale=options.not_sale_statuses
    )
    branches = [
        (t._header_row, "repeated header row"),
        (t._totals, "totals row"),
    ]
    if options.currency:
        branches.append(
            (
                (t._currency.fill_null("BLANK") != options.currency.strip().upper()),
                "other currency",
            )
        )
    branches += [
        ((status_not_sale.fill_null(False) | t._not_sale), "not a completed sale"),
        (t[S.CUSTOMER_ID].isnull(), "missing customer id"),
        (
            _ids.is_guest(t[S.CUSTOMER_ID], guests, placeholders=placeholders),
            "guest placeholder id",
        ),
        (date.isnull(), "unparseable date"),
        (
            (date < min_date) | (date.year() > 2261) | (date >= max_date + pd.Timedelta(days=1)),
            "implausible date",
        ),
    ]
    if has_revenue:
        rev = t[S.REVENUE]
        bad = rev.isnull() | rev.isnan() | rev.isinf()
        branches.append((bad, "non-numeric amount"))
        if amount_limit is not None:
            branches.append((rev.abs() > amount_limit, "implausible amount"))
    if options.as_of is not None:
        branches.append((date >= options.as_of + pd.Timedelta(days=1), "after as_of"))
    if options.returns == "drop":
        branches.append((t[S.IS_RETURN], "return line (returns='drop')"))
    if has_revenue and options.zero_revenue == "drop":
        branches.append(((t[S.REVENUE] == 0) & ~t[S.IS_RETURN], "zero revenue"))
    reason = ibis.cases(*branches, else_=ibis.null("string"))
    return t.mutate(_drop_reason=reason)


def _amount_limit(flagged: ir.Table, options: CleaningOptions) -> tuple[float, int]:
    """Return the implausible-amount limit and how many usable lines exceed it."""
    ok = flagged.filter(flagged._drop_reason.isnull())
    rev = ok[S.REVENUE]
    if options.max_amount is not None:
        limit = float(options.max_amount)
    else:
        median = execute(ok.filter(rev != 0).aggregate(m=rev.abs().median()))["m"].iloc[0]
        if pd.isna(median):
            return float("inf"), 0
        limit = 100_000 * float(median)
    over = whole(execute(ok.aggregate(n=(rev.abs() > limit).sum()))["n"].iloc[0])
    return limit, over


def _prepared(
    raw: ir.Table,
    mapping: S.ColumnMapping,
    options: CleaningOptions,
    info: SourceInfo,
    carry: tuple[str, ...] = (),
    *,
    store: bool = False,
) -> tuple[ir.Table, list[str]]:
    """Typed columns with refunds netted and order-level revenue counted once.

    With ``store``, the parsed rows are kept in the engine (parsing runs once; the checks
    that follow read stored columns), and again after an order-level change.
    """
    typed, notes = _typed_columns(raw, mapping, options, info, carry)
    if store:
        typed = materialize(typed)
        if S.QUANTITY in typed.columns and S.REVENUE in mapping.source:
            n = whole(execute(typed.aggregate(n=typed._flipped.sum()))["n"].iloc[0])
            if n:
                notes.append(
                    f"{n:,} lines with a negative quantity and a positive amount are returns: "
                    "their amount counts negative"
                )
    if {S.QUANTITY, S.UNIT_PRICE, S.REVENUE} <= set(mapping.source):
        _price_as_revenue(typed, mapping, info)
    changed = False
    if S.ORDER_ID in typed.columns:
        typed, filled = _order_fields_filled(typed)
        if filled:
            notes.append(filled)
            changed = True
    order_level = S.STATUS in mapping.source or S.CURRENCY in mapping.source or options.not_sales
    if S.ORDER_ID in typed.columns and order_level:
        typed = _order_attributes(typed)
        changed = True
    if S.REVENUE in typed.columns:
        level = options.revenue_level if S.REVENUE in mapping.source else "line"
        typed, note = order_level_revenue(
            typed, source_column=mapping.source.get(S.REVENUE, S.REVENUE), level=level
        )
        if note:
            notes.append(note)
            changed = True
    elif S.REFUNDED in typed.columns:
        typed = typed.drop(S.REFUNDED)
    if store and changed:
        typed = materialize(typed)
    return typed, notes


def _price_as_revenue(typed: ir.Table, mapping: S.ColumnMapping, info: SourceInfo) -> None:
    """Refuse a revenue column that holds the price of one unit.

    Some exports write the unit price in a column named like an amount (Amazon's
    ``item-price`` is the line's, other tools' ``Price`` or ``Amount`` the unit's). When
    on nearly every line of several units the revenue equals the unit price and not
    quantity x price, summing it undercounts every multi-unit line.
    """
    rev, qty, price = typed[S.REVENUE], typed[S.QUANTITY], typed[S.UNIT_PRICE]
    multi = (qty > 1) & (price > 0) & rev.notnull()
    same = multi & ((rev - price).abs() < 0.005) & ((rev - qty * price).abs() >= 0.005)
    found = execute(typed.aggregate(multi=multi.sum(), same=same.sum())).iloc[0]
    n, k = whole(found["multi"]), whole(found["same"])
    if n < 3 or k < 0.9 * n:
        return
    src = mapping.source
    raise DataValidationError(
        f"{info.description}: on {k:,} of the {n:,} lines with more than one unit, the "
        f"revenue column {src[S.REVENUE]!r} equals the unit price {src[S.UNIT_PRICE]!r} "
        f"instead of quantity {src[S.QUANTITY]!r} x price: it looks like the price of one "
        "unit, and summing it would undercount every multi-unit line. Map revenue to the "
        "line's total column (columns={'revenue': '<line total>'}), or to none "
        "(columns={'revenue': ''}) to have it computed as quantity x unit price"
    )


def _order_fields_filled(typed: ir.Table) -> tuple[ir.Table, str | None]:
    """Give lines without a date or customer those of their order's other lines.

    Exports that write an order over several lines may leave the order's date and
    customer blank on its further lines (some Shopify exports). Such a line belongs to
    its order; without this it would be dropped with its share of the order.
    """
    oid = typed["_order"]
    gaps = execute(
        typed.filter(oid.notnull()).aggregate(
            dates=typed[S.ORDER_DATE].isnull().sum(), ids=typed[S.CUSTOMER_ID].isnull().sum()
        )
    ).iloc[0]
    n_dates, n_ids = whole(gaps["dates"]), whole(gaps["ids"])
    if not (n_dates or n_ids):
        return typed, None
    window = ibis.window(group_by=oid)
    fill = {}
    if n_dates:
        fill[S.ORDER_DATE] = typed[S.ORDER_DATE].fill_null(typed[S.ORDER_DATE].min().over(window))
    if n_ids:
        one = typed[S.CUSTOMER_ID].nunique().over(window) == 1
        fill[S.CUSTOMER_ID] = ibis.cases(
            (typed[S.CUSTOMER_ID].isnull() & one, typed[S.CUSTOMER_ID].max().over(window)),
            else_=typed[S.CUSTOMER_ID],
        )
    fill = {k: ibis.cases((oid.isnull(), typed[k]), else_=v) for k, v in fill.items()}
    what = " and ".join(w for w, n in (("date", n_dates), ("customer", n_ids)) if n)
    return typed.mutate(**fill), (
        f"lines of an order without their own {what} took the order's from its other lines "
        f"(up to {max(n_dates, n_ids):,} lines), as exports that fill order fields on the "
        "first line only mean it"
    )


def _order_attributes(typed: ir.Table) -> ir.Table:
    """Give every line of an order the order's status, currency and not-a-sale mark.

    Exports that write an order over several lines often fill order-level fields on
    the first line only (Shopify's Financial Status, Currency, Cancelled at).
    """
    if typed.schema()["_status"].is_null() and typed.schema()["_currency"].is_null():
        spread = {}
    else:
        window = ibis.window(group_by=typed["_order"])
        spread = {
            c: ibis.cases(
                (typed["_order"].isnull(), typed[c]),
                else_=typed[c].fill_null(typed[c].max().over(window)),
            )
            for c in ("_status", "_currency")
            if not typed.schema()[c].is_null()
        }
    window = ibis.window(group_by=typed["_order"])
    spread["_not_sale"] = ibis.cases(
        (typed["_order"].isnull(), typed._not_sale),
        else_=typed._not_sale.cast("int8").max().over(window) > 0,
    )
    return typed.mutate(**spread)


def _located(raw: ir.Table, info: SourceInfo) -> tuple[ir.Table, str]:
    """Add a column naming each record's place in the source, as the user would look for it."""
    if S.LINE_COLUMN in raw.columns:
        line = raw[S.LINE_COLUMN].cast("int64")
    elif S.FILE_COLUMN in raw.columns:
        line = ibis.row_number().over(group_by=raw[S.FILE_COLUMN]) + info.row_offset
    else:
        line = ibis.row_number() + info.row_offset
    where = ibis.literal(info.line_word + " ") + line.cast("string")
    if S.FILE_COLUMN in raw.columns:
        where = raw[S.FILE_COLUMN].cast("string") + " " + where
    return raw.mutate(__retainkit_where=where), "__retainkit_where"


def _examples(
    raw: ir.Table,
    mapping: S.ColumnMapping,
    options: CleaningOptions,
    info: SourceInfo,
    reason: str,
    source_col: str,
    has_revenue: bool,
    *,
    limit: float | None = None,
    guests: tuple[str, ...] = (),
    placeholders: bool = True,
) -> str:
    """Up to five offending rows, named by their place in the source."""
    located, where = _located(raw, info)
    located = located.mutate(__retainkit_raw=located[source_col].cast("string"))
    typed, _ = _prepared(located, mapping, options, info, carry=(where, "__retainkit_raw"))
    flagged = _flagged(
        typed, options, has_revenue, amount_limit=limit, guests=guests, placeholders=placeholders
    )
    rows = execute(
        flagged.filter(flagged._drop_reason == reason).select(where, "__retainkit_raw").limit(5)
    )
    return ", ".join(
        f"{w}: {v!r}" for w, v in zip(rows[where], rows["__retainkit_raw"], strict=True)
    )


def _scientific_ids(raw: ir.Table, mapping: S.ColumnMapping, info: SourceInfo) -> None:
    cust = mapping.source[S.CUSTOMER_ID]
    n = whole(execute(raw.aggregate(n=_scientific(raw, mapping).sum()))["n"].iloc[0])
    located, where = _located(raw, info)
    rows = execute(
        located.filter(_ids.text(located[cust]).re_search(S.SCIENTIFIC_ID_PATTERN))
        .select(where, v=located[cust])
        .limit(3)
    )
    shown = ", ".join(f"{w}: {v!r}" for w, v in zip(rows[where], rows["v"], strict=True))
    raise DataValidationError(
        f"{info.description}: {n:,} customer ids in {cust!r} are written in scientific "
        f"notation ({shown}). Excel writes long numbers this way when it saves a CSV and "
        "keeps only 15 digits, so different customers now share one id. Export the file "
        "again from the source system, or in Excel format the column as Text before "
        "saving; retainkit does not guess the lost digits"
    )


# ---------------------------------------------------------------------- cleaning


def clean_table(
    raw: ir.Table,
    mapping: S.ColumnMapping,
    options: CleaningOptions,
    *,
    info: SourceInfo | None = None,
    source: str | None = None,
    delimiter: str | None = None,
    row_offset: int | None = None,
) -> tuple[ir.Table, QualityReport, KeyedRows | None]:
    """Turn a raw table into the canonical cleaned transactions and a quality report.

    Parameters
    ----------
    raw : ibis.expr.types.Table
        The source table, columns as the user named them.
    mapping : ColumnMapping
        Where each canonical column is in ``raw``.
    options : CleaningOptions
    info : SourceInfo, optional
        What reading found (malformed lines, title lines, positions for messages).
    source : str, optional
        Description of the source (when ``info`` is not given).
    delimiter : str, optional
        Kept for compatibility; the decimal mark is decided from the values.
    row_offset : int, optional
        Added to 0-based row positions in messages (when ``info`` is not given).

    Returns
    -------
    (ibis.expr.types.Table, QualityReport, KeyedRows or None)
        The cleaned rows, what cleaning did, and, when the rows are stored in DuckDB
        (``materialize=True``) with exact duplicates dropped, the same rows with an
        integer customer key (see :class:`~retainkit.engine.Transactions`).

    Raises
    ------
    DataValidationError
        When more than ``options.max_invalid_share`` of the rows are malformed or have
        an unreadable or implausible date or amount, when more than
        ``options.max_missing_id_share`` lack a customer id, when customer ids were
        rounded by Excel, or when the amounts are in several currencies and
        ``options.currency`` does not choose one; the message shows offending rows.
    """
    del delimiter
    if info is None:
        info = SourceInfo(source or "data", row_offset if row_offset is not None else 1)
    notes: list[str] = list(info.notes)
    notes += [
        f"several columns could be {c!r}: {cols}; none was taken (name one in the mapping)"
        for c, cols in mapping.ambiguous.items()
    ]

    names = [c for c in raw.columns if c not in _LOCATION_COLUMNS]
    blank = ibis.literal(True)
    for c in names:
        blank = blank & (raw[c].isnull() | (_ids.trimmed(raw[c]) == ""))
    # the checks of the raw rows in one pass; each is followed up only when it finds rows
    checks = {
        "blank": blank,
        "permuted": _permuted_header(raw, mapping),
        "scientific": _scientific(raw, mapping),
    }
    found = execute(
        raw.aggregate(
            **{k: v.sum() for k, v in checks.items() if isinstance(v, ir.Column)},
            _rows=raw.count(),
        )
    ).iloc[0]
    found = {k: (found[k] if k in found else 0) for k in checks}
    if whole(found["scientific"]):
        _scientific_ids(raw, mapping, info)
    if whole(found["blank"]):
        raw = raw.filter(~blank)
        notes.append(f"{whole(found['blank']):,} empty rows (every field blank) skipped")
    if whole(found["permuted"]):
        raw, realigned = _realign_headers(raw, mapping)
        notes += realigned
    if options.fill_down:
        raw = _filled_down(raw, options.fill_down)
        notes.append(
            f"{', '.join(map(repr, options.fill_down))} carried down from each heading row to "
            "the rows below it; heading rows dropped as 'totals row'"
        )

    typed, typing_notes = _prepared(raw, mapping, options, info, store=options.materialize)
    notes += typing_notes
    has_revenue = S.REVENUE in typed.columns

    guests: tuple[str, ...] = tuple(options.guest_ids or ())
    placeholders = options.guest_ids is None
    if placeholders:
        live = typed.filter(typed[S.CUSTOMER_ID].notnull() & ~_ids.is_guest(typed[S.CUSTOMER_ID]))
        found = _ids.dominant_guest_id(
            live[S.CUSTOMER_ID],
            live,
            orders=live[S.ORDER_ID] if S.ORDER_ID in live.columns else None,
            days=live[S.ORDER_DATE].date(),
        )
        if found:
            gid, n, total, second = found
            guests = (gid,)
            notes.append(
                f"customer id {gid!r} holds {n:,} of {total:,} rows ({n / total:.0%}), "
                f"{n / max(second, 1):.0f} times the next customer, with several orders on most "
                "of its days: a guest or walk-in account, dropped as 'guest placeholder id' "
                "(pass guest_ids=() to keep it as a customer)"
            )
    flagged = _flagged(typed, options, has_revenue, guests=guests, placeholders=placeholders)
    # the parsed rows are stored (_prepared): flagging is a cheap expression over them

    def examples_of(reason: str, source_col: str, limit: float | None = None) -> str:
        return _examples(
            raw,
            mapping,
            options,
            info,
            reason,
            source_col,
            has_revenue,
            limit=limit,
            guests=guests,
            placeholders=placeholders,
        )

    if has_revenue and options.outliers != "keep":
        limit, over = _amount_limit(flagged, options)
        if over and options.outliers == "error":
            source_col = mapping.source.get(S.REVENUE, mapping.source.get(S.UNIT_PRICE, ""))
            raise DataValidationError(
                f"{info.description}: {over:,} lines have implausible amounts (above "
                f"{limit:,.2f}, "
                f"{'max_amount' if options.max_amount else '100,000 times the median line'}), "
                f"e.g. {examples_of('implausible amount', source_col, limit)}. Fix them at the "
                "source, pass outliers='drop' to leave them out, outliers='keep' if they are "
                "real, or a higher max_amount"
            )
        if over:
            flagged = _flagged(
                typed,
                options,
                has_revenue,
                amount_limit=limit,
                guests=guests,
                placeholders=placeholders,
            )

    aggs = {"rows": flagged.count(), "returns": flagged[S.IS_RETURN].sum()}
    if has_revenue:
        rev = flagged[S.REVENUE]
        aggs["revenue"] = ibis.cases(
            (rev.isnan() | rev.isinf(), ibis.null("float64")), else_=rev
        ).sum()
    by_reason = execute(flagged.group_by("_drop_reason").aggregate(**aggs))
    if not has_revenue:
        by_reason["revenue"] = 0.0
    by_reason["_drop_reason"] = by_reason["_drop_reason"].astype(object)
    rows_read = int(by_reason["rows"].sum()) + info.malformed
    dropped = {
        r: int(n)
        for r, n in zip(by_reason["_drop_reason"], by_reason["rows"], strict=True)
        if r is not None and not (isinstance(r, float) and pd.isna(r))
    }
    revenue_dropped = {
        r: float(v) if pd.notna(v) else 0.0
        for r, v in zip(by_reason["_drop_reason"], by_reason["revenue"], strict=True)
        if r in dropped
    }
    if info.malformed:
        dropped["malformed line"] = info.malformed
        revenue_dropped["malformed line"] = float("nan")

    _check_shares(dropped, rows_read, options, info, mapping, examples_of)
    currency_note = _check_currencies(flagged, options, info, mapping, columns=raw.columns)
    if currency_note:
        notes.append(currency_note)
    _note_statuses(flagged, notes, mapping, options)

    keep = [c for c in typed.columns if not c.startswith("_") and c != S.REFUNDED]
    keep = list(dict.fromkeys([*keep, S.IS_RETURN]))
    kept = flagged.filter(flagged._drop_reason.isnull())
    keyed = None
    if options.duplicates == "drop" and "_source" in kept.columns:
        kept, overlap = _without_overlaps(kept, keep)
        if overlap:
            notes.append(overlap)
    if options.duplicates == "drop":
        distinct_on = keep + (["_line_hash"] if "_line_hash" in flagged.columns else [])
        deduped = kept.select(*distinct_on).distinct()
        if "_line_hash" in distinct_on:
            deduped = deduped.drop("_line_hash")
        if options.materialize and is_duckdb(deduped):
            keyed = _keyed_store(deduped, customers=kept.select(*keep))
            deduped = keyed.rows.drop(CUSTOMER_KEY)
        elif options.materialize:
            deduped = materialize(deduped)
    else:  # a filter over the cached rows: cheap to re-read, not worth a second copy
        deduped = kept.select(*keep)

    def customer_counts(ids: ir.Table) -> dict[str, ir.Value]:
        return {
            "customers": ids[S.CUSTOMER_ID].nunique(),
            "customers_any_case": ids[S.CUSTOMER_ID].upper().nunique(),
        }

    stats_cols = {
        # with a key, the customers are counted on the keys rather than on every line
        **(customer_counts(deduped) if keyed is None else {}),
        "rows": deduped.count(),
        "first_date": deduped[S.ORDER_DATE].min(),
        "last_date": deduped[S.ORDER_DATE].max(),
        "returns": deduped[S.IS_RETURN].sum(),
    }
    if has_revenue:
        stats_cols["revenue"] = deduped[S.REVENUE].sum()
        stats_cols["return_revenue"] = deduped[S.REVENUE].sum(where=deduped[S.IS_RETURN])
    stats = execute(deduped.aggregate(**stats_cols)).iloc[0]
    customers = (
        stats
        if keyed is None
        else execute(keyed.keys.aggregate(**customer_counts(keyed.keys))).iloc[0]
    )
    rows_kept = int(stats["rows"])
    before_dedupe = rows_read - sum(dropped.values())
    if rows_kept < before_dedupe:
        dropped["exact duplicate"] = before_dedupe - rows_kept
        kept_revenue = by_reason.loc[by_reason["_drop_reason"].isna(), "revenue"].sum()
        revenue_dropped["exact duplicate"] = float(kept_revenue) - float(stats.get("revenue", 0))
    dropped = {r: dropped[r] for r in DROP_REASONS if r in dropped}

    def _ts(v: Any) -> pd.Timestamp | None:
        return None if pd.isna(v) else pd.Timestamp(v)

    merged = int(customers["customers"]) - int(customers["customers_any_case"])
    if merged:
        notes.append(
            f"{merged:,} customer ids differ from another only in letter case (as 'ab1' and "
            "'AB1' would); they are kept apart: pass id_case='upper' to treat them as one "
            "customer"
        )
    if options.as_of is not None and "after as_of" in dropped:
        notes.append(f"rows after as_of={options.as_of:%Y-%m-%d} left out")
    if set(dropped) - {
        "guest placeholder id",
        "missing customer id",
        "totals row",
        "repeated header row",
        "exact duplicate",
        "malformed line",
    }:
        notes += _customers_only_dropped(flagged, int(customers["customers"]))
    report = QualityReport(
        source=info.description,
        rows_read=rows_read,
        rows_kept=rows_kept,
        dropped=dropped,
        revenue_read=float(by_reason["revenue"].fillna(0).sum()) if has_revenue else None,
        revenue_kept=float(stats["revenue"])
        if has_revenue and rows_kept
        else (0.0 if has_revenue else None),
        revenue_dropped=revenue_dropped if has_revenue else {},
        return_rows=0 if pd.isna(stats["returns"]) else int(stats["returns"]),
        return_revenue=(
            float(stats["return_revenue"]) if pd.notna(stats["return_revenue"]) else 0.0
        )
        if has_revenue
        else None,
        customers=int(customers["customers"]),
        first_date=_ts(stats["first_date"]),
        last_date=_ts(stats["last_date"]),
        mapping=mapping,
        notes=tuple(dict.fromkeys(notes)),
        malformed_examples=info.malformed_examples,
    )
    return deduped, report, keyed


_FIXES = {
    "malformed line": "check the separator and quoting (pass delimiter=... or escape=...), or "
    "re-export the file with quoted fields",
    "unparseable date": "pass date_format (e.g. date_format='%d/%m/%Y', or 'excel'/'unix')",
    "implausible date": "check the date format (a day-first file read month-first, or a "
    "two-digit year) and pass date_format, or min_date/max_date if the dates are real",
    "non-numeric amount": "check the amount column, or pass decimal=',' or decimal='.'",
}


def _check_shares(
    dropped: dict[str, int],
    rows_read: int,
    options: CleaningOptions,
    info: SourceInfo,
    mapping: S.ColumnMapping,
    examples_of: Any,
) -> None:
    """Stop when too many rows are unusable; the message goes reason by reason."""
    if not rows_read:
        return
    missing = dropped.get("missing customer id", 0)
    cust = mapping.source[S.CUSTOMER_ID]
    if missing / rows_read > options.max_missing_id_share:
        raise DataValidationError(
            f"{info.description}: {missing:,} of {rows_read:,} rows ({missing / rows_read:.0%}) "
            f"have no customer id in {cust!r} (e.g. {examples_of('missing customer id', cust)}), "
            f"so {cust!r} is probably not the customer id column: name the right one with "
            "columns={'customer_id': '<column>'} (customer_id in the [columns] table of the "
            f"mapping file). If most sales really are guest checkouts, pass "
            f"max_missing_id_share={min(1.0, round(missing / rows_read + 0.05, 2))} "
            "(max_missing_id_share in the [clean] table)"
        )
    defects = {r: dropped[r] for r in DEFECT_REASONS if dropped.get(r)}
    total = sum(defects.values())
    if total / rows_read <= options.max_invalid_share:
        return
    columns = {
        "unparseable date": mapping.source[S.ORDER_DATE],
        "implausible date": mapping.source[S.ORDER_DATE],
        "non-numeric amount": mapping.source.get(S.REVENUE, mapping.source.get(S.UNIT_PRICE, "")),
    }
    problems = []
    for reason, n in defects.items():
        if reason == "malformed line":
            where = "; ".join(info.malformed_examples[:3])
            what = f"{reason}: {n:,} lines ({n / rows_read:.1%}), e.g. {where}"
        else:
            col = columns[reason]
            what = (
                f"{reason}: {n:,} rows ({n / rows_read:.1%}) in column {col!r}, e.g. "
                f"{examples_of(reason, col)}"
            )
        problems.append(f"{what}; {_FIXES[reason]}")
    raise DataValidationError(
        f"{info.description}: {total:,} of {rows_read:,} rows ({total / rows_read:.1%}) cannot "
        f"be used, more than the {options.max_invalid_share:.0%} that max_invalid_share "
        "allows:\n  - "
        + "\n  - ".join(problems)
        + "\nFix the cause, or raise max_invalid_share (in the [clean] table of the mapping "
        "file) to drop these rows and go on"
    )


# rows with an empty currency, counted apart: many systems leave the local currency blank
_BLANK_CURRENCY = "BLANK"


def _check_currencies(
    flagged: ir.Table,
    options: CleaningOptions,
    info: SourceInfo,
    mapping: S.ColumnMapping,
    *,
    columns: tuple[str, ...] | list[str] = (),
) -> str | None:
    if S.CURRENCY not in mapping.source:
        if options.currency:
            raise SchemaError(
                f"currency={options.currency!r} was given, but the data has no currency column; "
                "name it with columns={'currency': '<column>'}"
            )
        return None
    live = flagged.filter(
        flagged._drop_reason.isnull() | (flagged._drop_reason == "other currency")
    )
    counts = execute(
        live.group_by(c=live._currency.fill_null(_BLANK_CURRENCY))
        .aggregate(n=ibis._.count())
        .order_by(ibis.desc("n"))
    )
    if set(counts["c"]) == {_BLANK_CURRENCY}:
        return None
    column = mapping.source[S.CURRENCY]
    if options.currency:
        wanted = options.currency.strip().upper()
        if wanted not in set(counts["c"]):
            raise DataValidationError(
                f"{info.description}: no row is in currency {wanted!r}; the currencies in "
                f"{column!r} are {list(counts['c'])}"
            )
        return f"amounts in {wanted} kept (currency={wanted!r}); rows in other currencies dropped"
    if len(counts) > 1:
        listed = ", ".join(
            f"{'no currency (blank: often the local currency)' if c == _BLANK_CURRENCY else c} "
            f"({n:,} rows)"
            for c, n in zip(counts["c"], counts["n"], strict=True)
        )
        raise DataValidationError(
            f"{info.description}: the amounts are in {len(counts)} currencies ({listed}, by "
            f"column {column!r}), which cannot be added up; pass currency="
            f"{counts['c'].iloc[0]!r} to analyse one of them (currency in the [clean] table "
            "of the mapping file), or convert the amounts to one currency first"
            + _converted_hint(columns)
        )
    if len(counts) == 1:
        return f"amounts in {counts['c'].iloc[0]} (column {column!r})"
    return None


def _converted_hint(columns: tuple[str, ...] | list[str]) -> str:
    """Point at amounts a payment processor already converted to one currency.

    Stripe's payments export has ``Converted Amount`` in ``Converted Currency`` beside
    each charge's own currency.
    """
    converted = {S._norm(c): c for c in columns if S._norm(c).startswith("converted")}
    amount = next(
        (converted[k] for k in ("convertedamount", "convertedtotal") if k in converted), None
    )
    currency = converted.get("convertedcurrency")
    if amount is None or currency is None:
        return ""
    mapping = {"revenue": amount, "currency": currency}
    refunded = converted.get("convertedamountrefunded")
    if refunded is not None:
        mapping["refunded"] = refunded
    return (
        f"; this export also has the amounts converted to one currency ({amount!r} in "
        f"{currency!r}): columns={mapping!r} analyses all of them"
    )


def _customers_only_dropped(flagged: ir.Table, kept: int) -> list[str]:
    """Say when customer ids appear only on dropped rows (so the count is not a surprise)."""
    named = flagged.filter(
        flagged[S.CUSTOMER_ID].notnull()
        & ~one_of(
            flagged._drop_reason, ["guest placeholder id", "totals row", "repeated header row"]
        )
    )
    every = whole(execute(named.aggregate(n=named[S.CUSTOMER_ID].nunique()))["n"].iloc[0])
    lost = every - kept
    if lost <= 0:
        return []
    kept_ids = flagged.filter(flagged._drop_reason.isnull()).select(S.CUSTOMER_ID).distinct()
    only = named.anti_join(kept_ids, S.CUSTOMER_ID)
    why = execute(
        only.group_by("_drop_reason")
        .aggregate(n=only[S.CUSTOMER_ID].nunique())
        .order_by(ibis.desc("n"))
    )
    shown = execute(only.select(S.CUSTOMER_ID).distinct().order_by(S.CUSTOMER_ID).limit(3))
    reasons = ", ".join(f"{r} ({n:,})" for r, n in zip(why["_drop_reason"], why["n"], strict=True))
    return [
        f"{lost:,} customer id{'s' if lost > 1 else ''} appear only on dropped rows, so they are "
        f"not counted as customers (e.g. {', '.join(map(repr, shown[S.CUSTOMER_ID]))}; by "
        f"reason: {reasons})"
    ]


def _note_statuses(
    flagged: ir.Table, notes: list[str], mapping: S.ColumnMapping, options: CleaningOptions
) -> None:
    if S.STATUS not in mapping.source:
        return
    known = _statuses.is_known(
        flagged._status, sale=options.sale_statuses, not_sale=options.not_sale_statuses
    )
    unknown = execute(
        flagged.filter(flagged._status.notnull() & ~known)
        .group_by("_status")
        .aggregate(n=ibis._.count())
        .order_by(ibis.desc("n"))
        .limit(5)
    )
    if not len(unknown):
        return
    listed = ", ".join(
        f"{s!r} ({n:,} rows)" for s, n in zip(unknown["_status"], unknown["n"], strict=True)
    )
    column = mapping.source[S.STATUS]
    recognised = whole(
        execute(flagged.aggregate(n=(flagged._status.notnull() & known).sum()))["n"].iloc[0]
    )
    if recognised:  # a sale-status column with values that could go either way: ask
        first = str(unknown["_status"].iloc[0])
        raise DataValidationError(
            f"the status column {column!r} holds values retainkit cannot class as a sale or "
            f"not: {listed}. Say which they are: sale_statuses=[{first!r}] if they are "
            f"completed sales, or not_sale_statuses=[{first!r}] if not (in the [clean] table "
            "of the mapping file: sale_statuses = [...])"
        )
    notes.append(
        f"the column {column!r} holds no status retainkit knows ({listed}): it was not used "
        "to tell sales apart; pass not_sale_statuses=[...] if some values are not sales"
    )


def _without_overlaps(kept: ir.Table, columns: list[str]) -> tuple[ir.Table, str | None]:
    """Keep each line once when files read as one overlap (monthly exports repeat a day).

    Lines of different files that agree in every column read are the same sale exported
    twice (a column not read, such as a fulfilment status, may have changed between the
    downloads); the first file's lines are kept. Within one file, only lines equal in every
    column are duplicates.
    """
    window = ibis.window(group_by=[kept[c] for c in columns])
    first = kept._source.min().over(window)
    marked = kept.mutate(_later=kept._source != first)
    n = whole(execute(marked.aggregate(n=marked._later.sum()))["n"].iloc[0])
    if not n:
        return kept, None
    return marked.filter(~marked._later).drop("_later"), (
        f"{n:,} lines appear again in a later file with the same customer, date, amounts and "
        "order (the exports overlap): each sale is counted once, as 'exact duplicate'"
    )


def _keyed_store(rows: ir.Table, *, customers: ir.Table) -> KeyedRows:
    """Store ``rows`` in DuckDB with an integer customer key, sorted by customer and date.

    Nearly every analysis groups the rows by customer (and day). DuckDB groups faster on
    an integer than on text, and faster still when each customer's rows arrive side by
    side; the key is numbered in customer-id order, so the table is stored in that order.
    Measured on 10M lines and 903k customers (benchmarks/README.md): the per-customer
    summary took 1.64-1.92 s against 2.25 s on unsorted rows grouped by text ids;
    loading took 11.3 s against 13.0 s, since the customer counts of the quality
    report now read the 903k keys instead of the 10M lines (at 637k customers the
    load took 1.4 s longer). ``customers`` holds the same customer ids as ``rows`` (a
    cheaper table to read them from).
    """
    ids = customers.select(S.CUSTOMER_ID).distinct()
    number = ibis.row_number().over(order_by=ids[S.CUSTOMER_ID]).cast("int64")
    keys = materialize(ids.mutate(**{CUSTOMER_KEY: number}))
    stored = rows.inner_join(keys, S.CUSTOMER_ID).order_by([CUSTOMER_KEY, S.ORDER_DATE])
    return KeyedRows(rows=materialize(stored), keys=keys)
