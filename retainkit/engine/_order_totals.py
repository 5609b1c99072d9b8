"""Revenue written per order instead of per line, found from the values and undone.

Many exports write an order-level amount beside line items: an invoice total repeated
on every line (Xero), or an order total on the first line only (Shopify). Summed per
line, the first doubles or triples the revenue; the second leaves the other lines
without an amount. Such a column is recognised from the values, never from its name:

- *first line only*: in at least 90% of the orders with several lines, exactly one line
  has an amount;
- *repeated*: in at least 90% of the orders with several lines, every line has the
  same amount, and either the lines' own amounts (quantity x unit price) add up to it,
  or the column is named as an order's total (``Total``, ``Order Value``, ``Invoice
  Amount``; not a line's or an item's) while two lines of different orders have the
  same amount far less often (at most half the time). Equal amounts alone prove
  nothing: tickets of one order, or the monthly charges of one standing order, have
  the same amount on every line and are each a sale.

At least three orders with several lines are needed to decide; above a million rows the
decision is taken on every 16th order, chosen by a hash of its id. The order's amount is
then counted once: as the lines' own amounts (quantity x unit price) when they add up
to it in at least 90% of the orders, otherwise spread evenly over the order's lines.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from retainkit import schema as S
from retainkit.engine._backend import execute, whole

__all__ = ["order_level_revenue"]

_MIN_ORDERS = 3
_SHARE = 0.9
# Above this many rows the decision is taken on every 16th order (by a hash of its id):
# tens of thousands of orders still decide, at a sixteenth of the cost.
_SAMPLE_ABOVE = 1_000_000
_SAMPLE_EVERY = 16


def order_level_revenue(
    typed: ir.Table, *, source_column: str, level: str = "auto"
) -> tuple[ir.Table, str | None]:
    """Count an order-level revenue column once per order, net of refunds.

    Parameters
    ----------
    typed : ibis.expr.types.Table
        Canonical columns, with ``revenue``; ``order_id`` with the working column
        ``_order`` (the order id within its file), ``quantity``, ``unit_price`` and
        ``refunded`` where the source has them.
    source_column : str
        The revenue column's name in the source, for the note.
    level : {"auto", "line", "order"}
        What the revenue column holds; ``"auto"`` decides from the values.

    Returns
    -------
    (ibis.expr.types.Table, str or None)
        The table with ``revenue`` per line (refunds subtracted, ``refunded``
        dropped), and what was done when the column held order totals.
    """
    rev = typed[S.REVENUE]
    refunds = S.REFUNDED in typed.columns
    mode = None
    if S.ORDER_ID in typed.columns and level != "line":
        mode = (
            _order_mode(typed, _named_as_total(source_column))
            if level == "auto"
            else ("given", level == "order", False)
        )
    if mode is None:
        if refunds:
            rev = rev - typed[S.REFUNDED].fill_null(0).abs()
            return typed.mutate(**{S.REVENUE: rev}).drop(S.REFUNDED), None
        return typed, None
    how, first_only, lines_match = mode
    where = (
        {
            True: "on the first line of each order only",
            False: "repeated on every line",
        }[first_only]
        if how != "given"
        else "as an order total (revenue_level='order')"
    )
    # an order is its id within its file, for one customer (two stores numbering their
    # orders alike, or an export whose numbers start again, do not merge orders)
    window = ibis.window(group_by=[typed["_order"], typed[S.CUSTOMER_ID]])
    lines = typed["_order"].count().over(window)
    refund = typed[S.REFUNDED].abs().max().over(window).fill_null(0) if refunds else 0
    line_amount = (
        typed[S.QUANTITY] * typed[S.UNIT_PRICE]
        if S.QUANTITY in typed.columns and S.UNIT_PRICE in typed.columns
        else None
    )
    if line_amount is not None and lines_match:
        value = ibis.cases((line_amount.notnull(), line_amount), else_=rev) - refund / lines
        note = (
            f"'{source_column}' holds each order's total, {where}; the line amounts "
            "(quantity × unit price), which add up to it, are used instead"
        )
    else:
        total = rev.max().over(window)
        value = (total - refund) / lines
        note = (
            f"'{source_column}' holds each order's total, {where}; it is counted once per "
            "order (spread evenly over the order's lines)"
        )
    value = ibis.cases((typed["_order"].isnull(), rev), else_=value)
    out = typed.mutate(**{S.REVENUE: value})
    return (out.drop(S.REFUNDED) if refunds else out), note


_TOTAL_WORDS = ("total", "ordervalue", "orderamount", "invoiceamount", "invoicevalue")
_LINE_WORDS = ("line", "item", "unit", "sub", "product")


def _named_as_total(name: str) -> bool:
    """Tell whether a column's name says it holds an order's (not a line's) total."""
    norm = "".join(ch for ch in name.lower() if ch.isalnum())
    return any(w in norm for w in _TOTAL_WORDS) and not any(w in norm for w in _LINE_WORDS)


def _order_mode(typed: ir.Table, named_total: bool) -> tuple[str, bool, bool] | None:
    """Decide from the values whether revenue is written per order; see the module."""
    rev = typed[S.REVENUE]
    has_lines = S.QUANTITY in typed.columns and S.UNIT_PRICE in typed.columns
    line_amount = typed[S.QUANTITY] * typed[S.UNIT_PRICE] if has_lines else ibis.null("float64")
    rows = typed.filter(typed["_order"].notnull()).select(
        oid=typed["_order"], cid=typed[S.CUSTOMER_ID], rev=rev, line=line_amount
    )
    if whole(execute(typed.count())) > _SAMPLE_ABOVE:  # decide on a sample of the orders
        rows = rows.filter(rows.oid.hash() % _SAMPLE_EVERY == 0)
    per_order = rows.group_by(["oid", "cid"]).aggregate(
        lines=ibis._.count(),
        filled=ibis._.rev.count(),
        n_values=ibis._.rev.nunique(),
        low=ibis._.rev.min(),
        high=ibis._.rev.max(),
        line_sum=ibis._.line.sum(),
    )
    multi = per_order.filter(per_order.lines >= 2)
    matches = (multi.line_sum - multi.high).abs() <= 0.01 * multi.high.abs() + 0.01
    stats = execute(
        multi.aggregate(
            orders=multi.count(),
            first_only=(multi.filled == 1).sum(),
            repeated=(
                (multi.filled == multi.lines) & (multi.n_values == 1) & (multi.low >= 0)
            ).sum(),
            lines_match=matches.fill_null(False).sum(),
        )
    ).iloc[0]
    orders = whole(stats["orders"])
    if orders < _MIN_ORDERS:
        return None
    first_only = whole(stats["first_only"]) >= _SHARE * orders
    lines_match = has_lines and whole(stats["lines_match"]) >= _SHARE * orders
    repeated = whole(stats["repeated"]) >= _SHARE * orders and (
        lines_match or (named_total and _chance_equal(rows) <= 0.5)
    )
    if not (first_only or repeated):
        return None
    return "found", first_only, lines_match


def _chance_equal(rows: ir.Table) -> float:
    """How often two lines picked at random have the same amount (sum of squared shares)."""
    counts = rows.filter(rows.rev.notnull()).group_by("rev").aggregate(n=ibis._.count())
    sums = execute(counts.aggregate(total=counts.n.sum(), squares=(counts.n * counts.n).sum()))
    total, squares = sums["total"].iloc[0], sums["squares"].iloc[0]
    return float(squares) / float(total) ** 2 if total and total == total else 0.0
