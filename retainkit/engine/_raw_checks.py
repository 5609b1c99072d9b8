"""Checks on the raw rows before typing, and where a row sits in its source.

Repeated or permuted headers, ids that Excel rounded, report headings carried down.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine import _ids
from retainkit.engine._backend import execute, one_of, whole
from retainkit.engine._options import LOCATION_COLUMNS, SourceInfo
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = [
    "filled_down",
    "located",
    "permuted_header",
    "realign_headers",
    "scientific",
    "scientific_ids",
]


def permuted_header(raw: ir.Table, mapping: S.ColumnMapping) -> ir.BooleanValue:
    """Flag rows that repeat the header with the columns in another order."""
    names = [c for c in raw.columns if c not in LOCATION_COLUMNS]
    cust, date = mapping.source[S.CUSTOMER_ID], mapping.source[S.ORDER_DATE]
    if not all(raw.schema()[c].is_string() for c in names):
        return ibis.literal(False)
    as_text = {c: _ids.trimmed(raw[c]) for c in (cust, date)}
    header_like = one_of(as_text[cust], names) & one_of(as_text[date], names)
    return header_like & ((as_text[cust] != cust) | (as_text[date] != date))


def scientific(raw: ir.Table, mapping: S.ColumnMapping) -> ir.BooleanValue:
    """Flag customer ids that Excel wrote in scientific notation."""
    cust = mapping.source[S.CUSTOMER_ID]
    if not raw.schema()[cust].is_string():  # numbers and dates cannot hold "4.00638E+12"
        return ibis.literal(False)
    # "E+" needs a "+", which cleaning never adds: the pattern runs only where one is
    # (DuckDB evaluates a CASE's result only for the rows its test selects)
    found = _ids.text(raw[cust]).re_search(S.SCIENTIFIC_ID_PATTERN)
    return ibis.cases((raw[cust].contains("+"), found), else_=False).fill_null(False)


def realign_headers(raw: ir.Table, mapping: S.ColumnMapping) -> tuple[ir.Table, list[str]]:
    """Read the rows below a repeated header with another column order in that order.

    A log concatenated from several exports can repeat its header further down with
    the columns in another order; the rows below such a header follow it.
    """
    names = [c for c in raw.columns if c not in LOCATION_COLUMNS]
    cust, date = mapping.source[S.CUSTOMER_ID], mapping.source[S.ORDER_DATE]
    found = execute(raw.filter(permuted_header(raw, mapping)).select(*names).limit(20))
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
    extra = {c: numbered[c] for c in LOCATION_COLUMNS if c in raw.columns}
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


def filled_down(raw: ir.Table, columns: tuple[str, ...]) -> ir.Table:
    """Carry report headings down to the rows below them; mark the heading rows.

    Adds ``__retainkit_heading``: True on a row that holds only a heading (every other column
    empty).
    """
    names = [c for c in raw.columns if c not in LOCATION_COLUMNS]
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


def located(raw: ir.Table, info: SourceInfo) -> tuple[ir.Table, str]:
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


def scientific_ids(raw: ir.Table, mapping: S.ColumnMapping, info: SourceInfo) -> None:
    cust = mapping.source[S.CUSTOMER_ID]
    n = whole(execute(raw.aggregate(n=scientific(raw, mapping).sum()))["n"].iloc[0])
    rows, where = located(raw, info)
    rows = execute(
        rows.filter(_ids.text(rows[cust]).re_search(S.SCIENTIFIC_ID_PATTERN))
        .select(where, v=rows[cust])
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
