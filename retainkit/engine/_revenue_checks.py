"""Checks that the revenue column means what it says.

Credit notes written unsigned beside a type or debit/credit column, and a unit price
exported as the line's amount, are refused with the option that fixes them.
"""

from __future__ import annotations

import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine import _ids
from retainkit.engine._backend import execute, one_of, whole
from retainkit.engine._options import SourceInfo
from retainkit.exceptions import DataValidationError

__all__ = ["price_as_revenue", "unsigned_credits"]

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


def unsigned_credits(raw: ir.Table, columns: list[str], revenue: ir.FloatingValue) -> None:
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
    signs = [
        i
        for i in range(len(columns))
        if f"sign{i}" in found and not whole(found[f"sign{i}"]) and whole(found[f"signs{i}"]) >= 2
    ]
    if hits or signs:  # only now the amounts: are the marked rows positive?
        positive = (revenue > 0).fill_null(False)
        again = {"negative": (revenue < 0).fill_null(False).sum()}
        for i in sorted(set(hits)):
            value = _ids.text(raw[columns[i]]).lower()
            again[f"credit{i}"] = (one_of(value, _CREDIT_VALUES) & positive).sum()
            if f"sagesc{i}" in found:
                again[f"sagesc{i}"] = ((value == "sc") & positive).sum()
        found = found.copy()
        for k, v in execute(raw.aggregate(**again)).iloc[0].items():
            found[k] = v
        if whole(found["negative"]):  # amounts carry their sign: a flag beside them is not one
            signs = []
    for i, c in enumerate(columns):
        credit = whole(found[f"credit{i}"])
        sage = f"sage{i}" in found and not whole(found[f"sage{i}"]) and whole(found[f"sagesc{i}"])
        sign = i in signs
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


def price_as_revenue(typed: ir.Table, mapping: S.ColumnMapping, info: SourceInfo) -> None:
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
    rev_col, price_col = src[S.REVENUE], src[S.UNIT_PRICE]
    raise DataValidationError(
        f"{info.description}: on {k:,} of the {n:,} lines with more than one unit, the "
        f"revenue column {rev_col!r} equals the unit price column {price_col!r} instead of "
        f"quantity {src[S.QUANTITY]!r} x price, so one of them is misread. If {rev_col!r} is "
        "the price of one unit, map revenue to the line's total column (columns="
        "{'revenue': '<line total>'}) or to none (columns={'revenue': ''}) to compute "
        f"quantity x unit price; if {price_col!r} is the line's price, leave the unit price "
        "out (columns={'unit_price': ''})"
    )
