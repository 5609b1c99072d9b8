"""Lines of one order: fields filled on the first line only, order-level fields, overlaps.

Statuses and currencies written on an order's first line only are spread to its lines;
lines that a later file of a folder repeats are counted once.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine._backend import execute, whole

__all__ = ["order_attributes", "order_fields_filled", "overlap_note"]


def order_fields_filled(typed: ir.Table) -> tuple[ir.Table, str | None]:
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
    date_fill = typed[S.ORDER_DATE].min().over(window)
    one = typed[S.CUSTOMER_ID].nunique().over(window) == 1
    # how many lines actually take a value (an order without any id anywhere takes none)
    marked = typed.filter(oid.notnull()).select(
        d=typed[S.ORDER_DATE].isnull() & date_fill.notnull(),
        i=typed[S.CUSTOMER_ID].isnull() & one,
    )
    filled = execute(marked.aggregate(d=marked.d.sum(), i=marked.i.sum())).iloc[0]
    n_dates, n_ids = whole(filled["d"]), whole(filled["i"])
    if not (n_dates or n_ids):
        return typed, None
    fill = {}
    if n_dates:
        fill[S.ORDER_DATE] = typed[S.ORDER_DATE].fill_null(date_fill)
    if n_ids:
        fill[S.CUSTOMER_ID] = ibis.cases(
            (typed[S.CUSTOMER_ID].isnull() & one, typed[S.CUSTOMER_ID].max().over(window)),
            else_=typed[S.CUSTOMER_ID],
        )
    fill = {k: ibis.cases((oid.isnull(), typed[k]), else_=v) for k, v in fill.items()}
    said = " and ".join(
        f"{n:,} line{'s' if n > 1 else ''} took {w}"
        for w, n in (("the order's date", n_dates), ("the order's customer", n_ids))
        if n
    )
    return typed.mutate(**fill), (
        f"lines of an order without their own date or customer: {said} from the order's "
        "other lines, as exports that fill order fields on the first line only mean it"
    )


def order_attributes(typed: ir.Table) -> ir.Table:
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


def overlap_note(kept: ir.Table, columns: list[str]) -> str | None:
    """Say when files read as one repeat each other's sales in every column read.

    Lines of different files equal in every column of the source are one sale exported
    twice (overlapping date ranges) and are counted once, as within a file. Lines equal
    only in the columns read (customer, date, amounts) but not in another column may be
    two stores' sales or a status changed between two downloads: both are kept, and this
    note says how many, so that an overlap can be removed at the source.
    """
    if "_line_hash" not in kept.columns:  # every column is read: equal lines are one sale
        return None
    window = ibis.window(group_by=[kept[c] for c in columns])
    differ = (kept._source.nunique().over(window) > 1) & (
        kept._line_hash.nunique().over(window) > 1
    )
    marked = kept.select(_differ=differ)  # a window inside an aggregate: one level down
    n = whole(execute(marked.aggregate(n=marked._differ.sum()))["n"].iloc[0])
    if not n:
        return None
    said = ", ".join(c for c in columns if c != S.IS_RETURN)
    return (
        f"{n:,} lines of different files agree in {said} but differ in another column: "
        "each is kept as a sale of its own; if the exports overlap in time (a period "
        "downloaded twice), remove the overlap from one file"
    )
