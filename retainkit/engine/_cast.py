"""Typing a raw table: its columns selected, renamed and cast into the canonical schema.

Everything here is an Ibis expression. How values are read lives in its own modules
(dates in ``_dates``, amounts in ``_amounts``, ids in ``_ids``, order-level revenue in
``_order_totals``); this module applies them to the mapped columns, signs the amounts,
adds the working columns that flagging reads (``_header_row``, ``_totals``,
``_status``, ``_not_sale``...), and nets refunds and order-level revenue once
(:func:`_prepared`).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine import _ids, _statuses
from retainkit.engine._amounts import decide_decimal, parse_amount
from retainkit.engine._backend import execute, is_duckdb, materialize, one_of, whole
from retainkit.engine._dates import parse_dates
from retainkit.engine._options import (
    LOCATION_COLUMNS,
    RAW_WORKING,
    WORKING_COLUMNS,
    CleaningOptions,
    SourceInfo,
)
from retainkit.engine._order_lines import order_attributes, order_fields_filled
from retainkit.engine._order_totals import order_level_revenue
from retainkit.engine._revenue_checks import price_as_revenue, unsigned_credits
from retainkit.exceptions import DataValidationError, SchemaError


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


def _decimal_marks(names: set[str], raw: ir.Table) -> tuple[str, dict[str, str], list[str]]:
    """Decide the decimal mark: for the whole log, or file by file when they differ.

    Returns the mark, the marks by file when the files of a folder disagree (a monthly
    export re-saved by someone else's Excel), and notes.
    """
    columns = sorted(names)

    def decided(table: ir.Table) -> tuple[str, str | None]:
        return decide_decimal({c: table[c] for c in columns}, table)

    files = []
    if S.FILE_COLUMN in raw.columns:
        files = execute(raw.select(f=raw[S.FILE_COLUMN].cast("string")).distinct())["f"]
    if not 1 < len(files) <= 50:  # one file, or many: one mark for all (an error if mixed)
        mark, note = decided(raw)
        return mark, {}, [note] if note else []
    marks, said_by_mark, undecided = {}, {}, []
    for f in sorted(files):
        try:
            part = raw.filter(raw[S.FILE_COLUMN].cast("string") == f)
            marks[f], said_by_mark[marks[f]] = decided(part)
        except DataValidationError:
            undecided.append(f)  # values that read either way: the folder decides
    if undecided:
        try:
            folder, said = decided(raw)
        except DataValidationError as exc:
            raise DataValidationError(f"in {undecided[0]}: {exc}") from None
        marks = dict(sorted((marks | dict.fromkeys(undecided, folder)).items()))
        said_by_mark.setdefault(folder, said)
    if len(set(marks.values())) == 1:
        mark = next(iter(marks.values()))
        return mark, {}, [said_by_mark[mark]] if said_by_mark[mark] else []
    said = ", ".join(f"{f} {'comma' if m == ',' else 'point'}" for f, m in marks.items())
    return ".", marks, [f"the files write decimals differently, each read with its own: {said}"]


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
        if extra in WORKING_COLUMNS:
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

    # rows whose amount counts negative although written positive, negated once below
    flipped = ibis.literal(False)
    derived = S.REVENUE not in cols and S.QUANTITY in cols and S.UNIT_PRICE in cols
    if derived:
        cols[S.REVENUE] = cols[S.QUANTITY] * cols[S.UNIT_PRICE]
        notes.append("revenue derived as quantity × unit_price")
    if S.REVENUE in cols:
        positive = (cols[S.REVENUE] > 0).fill_null(False)
        unsigned_quantity = S.QUANTITY in cols and not derived
        if unsigned_quantity:
            # a return written as a negative quantity beside a positive amount (tills
            # often write the amount unsigned): the amount is returned
            flipped = positive & (cols[S.QUANTITY] < 0).fill_null(False)
        if options.negative_when:
            marked = ibis.literal(False)
            for name, values in options.negative_when.items():
                if name not in raw_schema:
                    raise SchemaError(
                        f"negative_when names the column {name!r}, which the data does not "
                        f"have; found {list(raw_schema)}"
                    )
                marked = marked | one_of(_ids.text(raw[name]).lower(), [v.lower() for v in values])
            flipped = flipped | (marked & positive)
            notes.append(
                "amounts made negative (credit notes, returns) where "
                + "; ".join(f"{k!r} is {list(v)}" for k, v in options.negative_when.items())
            )
        if unsigned_quantity or options.negative_when:
            cols[S.REVENUE] = ibis.cases((flipped, -cols[S.REVENUE]), else_=cols[S.REVENUE])
        if not options.negative_when:
            unmapped_text = [
                c
                for c in raw.columns
                if c not in set(src.values())
                and c not in LOCATION_COLUMNS
                and c not in options.not_sales  # rows it marks are dropped already
                and raw_schema[c].is_string()
            ]
            unsigned_credits(raw, unmapped_text, cols[S.REVENUE])

    date_type = raw_schema[src[S.ORDER_DATE]]
    cust_src, date_src = src[S.CUSTOMER_ID], src[S.ORDER_DATE]
    header = ibis.literal(False)
    if not date_type.is_temporal():
        header = (_ids.trimmed(raw[cust_src]) == cust_src) & (
            _ids.trimmed(raw[date_src]) == date_src
        )
    # a totals label in the customer or order column, or in a report's first column when
    # that column is a label column (not a product or category named "Total")
    first = next(c for c in raw.columns if c not in LOCATION_COLUMNS)
    cleaned_from = [c for c in (S.CUSTOMER_ID, S.ORDER_ID) if c in src]
    cleaned = {src[c]: cols[c] for c in cleaned_from}
    labels = [first] if first in cleaned or first not in set(src.values()) else []
    totals = ibis.literal(False)
    for name in dict.fromkeys([*cleaned, *labels]):
        label = cleaned.get(name, None)
        label = label if label is not None else _ids.text(raw[name])
        # a value filled from a fallback column was not read from this one
        filled = any(src[c] == name and options.fallbacks.get(c) for c in cleaned_from)
        totals = totals | _ids.is_totals_text(label, read=None if filled else raw[name])
    if "__retainkit_heading" in raw.columns:
        totals = totals | raw["__retainkit_heading"]
    working: dict[str, ir.Value] = {}
    if S.FILE_COLUMN in raw.columns:
        working["_source"] = raw[S.FILE_COLUMN].cast("string")
    if S.ORDER_ID in cols:
        # an order is its id within its file: order numbers start again in another export
        order = cols[S.ORDER_ID]
        working["_order"] = working["_source"] + "\x1f" + order if "_source" in working else order
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
        if c not in set(src.values()) and c not in LOCATION_COLUMNS and c not in RAW_WORKING
    ]
    if unmapped and options.duplicates == "drop" and duck:
        parts = [raw[c].cast("string").fill_null("\x00") for c in unmapped]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + "\x1f" + part
        working["_line_hash"] = joined.hash()
    table = raw.select(**cols, **working, **{c: raw[c] for c in carry})
    return table, notes


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
        price_as_revenue(typed, mapping, info)
    changed = False
    if S.ORDER_ID in typed.columns:
        typed, filled = order_fields_filled(typed)
        if filled:
            notes.append(filled)
            changed = True
    order_level = S.STATUS in mapping.source or S.CURRENCY in mapping.source or options.not_sales
    if S.ORDER_ID in typed.columns and order_level:
        typed = order_attributes(typed)
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
