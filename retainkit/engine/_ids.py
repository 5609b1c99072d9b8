"""Customer ids and other text columns: one normalisation, the same as for side tables.

See :func:`retainkit.schema.normalize_customer_ids` for the rules; this module writes
them as engine expressions, plus the checks that only make sense on a whole log:
ids that Excel rounded into scientific notation, guest placeholders, totals rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine._backend import execute, one_of, whole, whole_value_pattern

__all__ = [
    "customer_id",
    "dominant_guest_id",
    "first_column_totals",
    "is_guest",
    "is_placeholder",
    "is_totals",
    "is_totals_text",
    "text",
    "trimmed",
]


# a whole value that is one of the missing-value tokens, in any letter case
_MISSING_PATTERN = "(?i)" + whole_value_pattern(S.MISSING_TOKENS)


def trimmed(col: ir.Value) -> ir.StringValue:
    """Text without invisible characters and without space (Unicode spaces too) at its ends.

    One regular expression that reads its input once (a ``CASE`` that names a value twice
    doubles the query at each step that uses it: ids cleaned in four such steps made a
    23 MB query); on DuckDB it costs about what a plain ``trim`` beside a test for
    non-ASCII text did (0.25 s for the eight columns of Online Retail's 541,909 lines).
    """
    return col.cast("string").re_replace(S.TRIM_PATTERN, "")


def _plain(chars: str) -> str:
    """Return a pattern of a whole value of ``chars`` (single inner spaces) and no missing token.

    Every missing-value token has at most four characters, no digit and no space, so a
    value with a digit, a space inside or five characters or more is none of them.
    """
    c = f"[{chars}]"
    return f"^(?:{c}*[0-9]{c}*|{c}{{5,}}|{c}+(?: {c}+)+)$"


#: Text that :func:`text` returns unchanged: no space or invisible character at its
#: ends or inside it beyond single spaces, no Excel formula, no missing-value token.
_PLAIN_TEXT = _plain("0-9A-Za-z_#:/.+-")
#: Ids that :func:`customer_id` returns unchanged: plain text without ``.`` (no
#: ``123.0``), ``+`` or ``@`` (no e-mail address).
_PLAIN_ID = _plain("0-9A-Za-z_#:/-")


def _unless_plain(
    col: ir.Value, plain: str, rewrite: Callable[[ir.StringValue], ir.StringValue]
) -> ir.StringValue:
    """Return ``rewrite(text)`` for the values not matching ``plain``; the others as read.

    The test reads a value once; nearly every id and label of a real log passes it, so
    the chain of rewrites runs on a few rows (10M Parquet lines: the customer ids 2.4 s
    before, 0.55 s with it; benchmarks/README.md).
    """
    value = col.cast("string")
    return ibis.cases((value.re_search(plain), value), else_=rewrite(value))


def _text(value: ir.StringValue) -> ir.StringValue:
    value = trimmed(value).re_replace(S.EXCEL_TEXT_PATTERN, r"\1")
    return value.re_replace(_MISSING_PATTERN, "").nullif("")


def text(col: ir.Value) -> ir.StringValue:
    """Text trimmed (see :func:`trimmed`), with the missing-value tokens as NULL.

    A value written as an Excel text formula (``="00123"``) is the text inside.
    """
    return _unless_plain(col, _PLAIN_TEXT, _text)


def _customer_id(value: ir.StringValue) -> ir.StringValue:
    value = _text(value).re_replace(S.FLOAT_ID_PATTERN, r"\1")
    return ibis.cases((value.re_search(S.EMAIL_PATTERN), value.lower()), else_=value)


def customer_id(col: ir.Value, case: str = "keep") -> ir.StringValue:
    """Write a customer id as :func:`retainkit.schema.normalize_customer_ids` does."""
    value = _unless_plain(col, _PLAIN_ID, _customer_id)
    if case == "upper":
        value = value.upper()
    elif case == "lower":
        value = value.lower()
    return value


# cheap substring tests that every guest placeholder or totals label passes; the exact
# pattern is only tried on the values that pass them
_GUEST_HINTS = (
    "guest",
    "anon",
    "walk",
    "cash",
    "unknown",
    "customer",
    "regist",
    "consumidor",
    "blico",
    "cliente",
    "client",
    "lauf",
    "bar",
    "diverse",
    "divers",
    "klant",
    "kontant",
)
_TOTALS_HINTS = ("total", "summe", "gesamt", "totaal", "sum", "ergebnis", "totale")


def _maybe(value: ir.StringValue, hints: tuple[str, ...]) -> ir.BooleanValue:
    """Flag text containing one of ``hints`` in any letter case: one regular expression.

    Seventeen ``contains`` of a lowered value made DuckDB lower it seventeen times (10M
    ids: 3.0 s a scan, 0.5 s as one expression).
    """
    return value.re_search("(?i)" + "|".join(re.escape(h) for h in hints))


def is_placeholder(ids: ir.StringValue) -> ir.BooleanValue:
    """Flag guest placeholder ids (``0``, ``guest``, ``anonymous``...)."""
    maybe = ids.startswith("0") | (ids == "-1") | _maybe(ids, _GUEST_HINTS)
    return ibis.cases((maybe, ids.re_search(S.GUEST_ID_PATTERN)), else_=False).fill_null(False)


def is_guest(
    ids: ir.StringValue, extra: tuple[str, ...] = (), *, placeholders: bool = True
) -> ir.BooleanValue:
    """Flag the ids in ``extra`` and, with ``placeholders``, ``0``, ``guest``..."""
    flag = is_placeholder(ids) if placeholders else ibis.literal(False)
    if extra:
        flag = flag | one_of(ids, extra)
    return flag.fill_null(False)


def is_totals(col: ir.Value) -> ir.BooleanValue:
    """Flag the rows where a column holds a totals label ("Total", "Grand total", "Summe")."""
    return is_totals_text(text(col), read=col)


def is_totals_text(value: ir.StringValue, *, read: ir.Value | None = None) -> ir.BooleanValue:
    """Flag totals labels in text already cleaned by :func:`text`.

    ``read``: the column ``value`` was cleaned from. Cleaning only drops characters or
    the whole value, so a label holds a totals word only where the value as read does:
    the words are looked for there, and the cleaned value is computed only for the few
    rows that have one.
    """
    hinted = _maybe(value if read is None else read.cast("string"), _TOTALS_HINTS)
    return ibis.cases((hinted, value.re_search(S.TOTALS_PATTERN)), else_=False).fill_null(False)


def dominant_guest_id(
    ids: ir.StringValue, table: ir.Table, *, orders: ir.Value | None, days: ir.Value
) -> tuple[str, int, int, int] | None:
    """Find one id holding a share of the rows no real customer holds: a guest account.

    An id is such an account when it holds at least 10% of all rows and at least 20
    times the rows of the next id, among at least 50 customers, and on at least half the
    days it buys it places two orders or more. A walk-in or guest account collects many
    anonymous sales a day; a key account, however large, orders once at a time. Without
    order ids the last test cannot be made, and no id is taken for a guest account.

    Returns
    -------
    (str, int, int, int) or None
        The id, its rows, all rows with an id and the next id's rows.
    """
    if orders is None:
        return None
    per_id = (
        table.select(cid=ids)
        .filter(ibis._.cid.notnull())
        .group_by("cid")
        .aggregate(n=ibis._.count())
    )
    whole_window = ibis.window()
    top = execute(
        per_id.mutate(
            customers=per_id.count().over(whole_window), total=per_id.n.sum().over(whole_window)
        )
        .order_by(ibis.desc("n"))
        .limit(2)
    )
    if len(top) < 2 or whole(top["customers"].iloc[0]) < 50:
        return None
    first, second = int(top["n"].iloc[0]), int(top["n"].iloc[1])
    total = int(top["total"].iloc[0])
    if not (first >= 0.1 * total and first >= 20 * max(second, 1)):
        return None
    gid = str(top["cid"].iloc[0])
    mine = table.select(cid=ids, oid=orders, day=days).filter(ibis._.cid == gid)
    per_day = mine.group_by("day").aggregate(n=ibis._.oid.nunique())
    busy = execute(per_day.aggregate(days=per_day.count(), busy=(per_day.n >= 2).sum())).iloc[0]
    if whole(busy["busy"]) * 2 < whole(busy["days"]):
        return None
    return gid, first, total, second


def first_column_totals(table: ir.Table) -> ir.BooleanValue:
    """Flag the rows where the source's first column holds a totals label."""
    return is_totals(table[table.columns[0]])
