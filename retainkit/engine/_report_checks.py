"""Checks on the flagged rows that stop loading or add a note to the quality report.

Shares of unusable rows, currencies, statuses not recognised, customers seen only on
dropped rows.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine import _statuses
from retainkit.engine._backend import execute, one_of, whole
from retainkit.engine._options import BLANK_CURRENCY, CleaningOptions, SourceInfo, wanted_currencies
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.quality import DEFECT_REASONS, DROP_REASONS

__all__ = ["check_currencies", "check_shares", "customers_only_dropped", "note_statuses"]

_FIXES = {
    "malformed line": "check the separator and quoting (pass delimiter=... or escape=...), or "
    "re-export the file with quoted fields",
    "unparseable date": "pass date_format (e.g. date_format='%d/%m/%Y', or 'excel'/'unix')",
    "implausible date": "check the date format (a day-first file read month-first, or a "
    "two-digit year) and pass date_format, or min_date/max_date if the dates are real",
    "non-numeric amount": "check the amount column, or pass decimal=',' or decimal='.'",
}


def check_shares(
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


def check_currencies(
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
        live.group_by(c=live._currency.fill_null(BLANK_CURRENCY))
        .aggregate(n=ibis._.count())
        .order_by(ibis.desc("n"))
    )
    if set(counts["c"]) == {BLANK_CURRENCY}:
        return None
    column = mapping.source[S.CURRENCY]

    def said(c: str) -> str:
        return "blank" if c == BLANK_CURRENCY else c

    if options.currency:
        wanted = wanted_currencies(options.currency)
        missing = sorted(wanted - set(counts["c"]))
        if missing:
            raise DataValidationError(
                f"{info.description}: no row is in currency {', '.join(map(said, missing))}; "
                f"the currencies in {column!r} are {[said(c) for c in counts['c']]}"
            )
        kept = " and ".join(
            "rows without a currency" if c == BLANK_CURRENCY else c for c in sorted(wanted)
        )
        return f"amounts in {kept} kept (currency={options.currency!r}); other rows dropped"
    if len(counts) > 1:
        listed = ", ".join(
            f"{'no currency (blank: often the local currency)' if c == BLANK_CURRENCY else c} "
            f"({n:,} rows)"
            for c, n in zip(counts["c"], counts["n"], strict=True)
        )
        named = [c for c in counts["c"] if c != BLANK_CURRENCY]
        blank_hint = (
            f", or currency='{named[0]},blank' if the rows without a currency are in {named[0]} too"
            if BLANK_CURRENCY in set(counts["c"]) and named
            else ""
        )
        raise DataValidationError(
            f"{info.description}: the amounts are in {len(counts)} currencies ({listed}, by "
            f"column {column!r}), which cannot be added up; pass currency="
            f"{said(named[0] if named else counts['c'].iloc[0])!r} to analyse one of them "
            f"(currency in the [clean] table of the mapping file){blank_hint}, or convert the "
            "amounts to one currency first" + _converted_hint(columns)
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


def customers_only_dropped(flagged: ir.Table, kept: int) -> list[str]:
    """Say when customer ids appear only on dropped rows (so the count is not a surprise).

    One query: the distinct (customer id, drop reason) pairs of the customers that have
    no kept row. ``kept`` (the customers kept) is no longer needed to find them and is
    kept for the callers.
    """
    del kept
    named = flagged.filter(
        flagged[S.CUSTOMER_ID].notnull()
        & ~one_of(
            flagged._drop_reason, ["guest placeholder id", "totals row", "repeated header row"]
        )
    )
    pairs = named.group_by([S.CUSTOMER_ID, "_drop_reason"]).aggregate()
    with_kept = pairs._drop_reason.isnull().any().over(group_by=pairs[S.CUSTOMER_ID])
    only = execute(pairs.filter(~with_kept))
    lost = only[S.CUSTOMER_ID].nunique()
    if lost <= 0:
        return []
    # customers per reason, most first; ties in the order the reasons are applied
    why = only["_drop_reason"].astype(object).value_counts()
    rank = {r: i for i, r in enumerate(DROP_REASONS)}
    order = sorted(why.index, key=lambda r: (-why[r], rank.get(r, len(rank)), str(r)))
    shown = sorted(only[S.CUSTOMER_ID].unique())[:3]
    reasons = ", ".join(f"{r} ({why[r]:,})" for r in order)
    return [
        (
            f"{lost:,} customer ids appear only on dropped rows, so they are not counted as "
            "customers"
            if lost > 1
            else "1 customer id appears only on dropped rows, so it is not counted as a customer"
        )
        + f" (e.g. {', '.join(map(repr, shown))}; by "
        f"reason: {reasons})"
    ]


def note_statuses(
    flagged: ir.Table, notes: list[str], mapping: S.ColumnMapping, options: CleaningOptions
) -> None:
    if S.STATUS not in mapping.source:
        return
    live = flagged.filter(flagged._drop_reason.isnull())  # rows dropped anyway do not count
    known = _statuses.is_known(
        live._status, sale=options.sale_statuses, not_sale=options.not_sale_statuses
    )
    unknown = execute(
        live.filter(live._status.notnull() & ~known)
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
    counts = execute(
        live.aggregate(
            recognised=(live._status.notnull() & known).sum(),
            unknown=(live._status.notnull() & ~known).sum(),
        )
    ).iloc[0]
    recognised, n_unknown = whole(counts["recognised"]), whole(counts["unknown"])
    first = str(unknown["_status"].iloc[0])
    if recognised and n_unknown > 0.01 * (recognised + n_unknown):
        # a sale-status column with values that could go either way, on more than a
        # few rows: ask rather than guess
        raise DataValidationError(
            f"the status column {column!r} holds values retainkit cannot class as a sale or "
            f"not: {listed}. Say which they are: sale_statuses=[{first!r}] if they are "
            f"completed sales, or not_sale_statuses=[{first!r}] if not (in the [clean] table "
            "of the mapping file: sale_statuses = [...])"
        )
    if recognised:
        notes.append(
            f"{n_unknown:,} rows (under 1%) have a status retainkit does not know ({listed}) "
            f"and were kept as sales; pass not_sale_statuses=[{first!r}] if they are not"
        )
        return
    notes.append(
        f"the column {column!r} holds no status retainkit knows ({listed}): it was not used "
        "to tell sales apart; pass not_sale_statuses=[...] if some values are not sales"
    )
