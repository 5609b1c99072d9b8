"""Flagging typed rows: which are returns, and why each dropped row is dropped.

:func:`_flagged` adds ``is_return`` and ``_drop_reason`` (NULL for kept rows) as one
Ibis expression over the typed rows (:mod:`retainkit.engine._cast`);
:func:`_amount_limit` decides above which amount a line is implausible.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine import _ids, _statuses
from retainkit.engine._backend import execute, whole
from retainkit.engine._options import BLANK_CURRENCY, CleaningOptions, wanted_currencies
from retainkit.engine._transactions import return_flag


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
    t = t.mutate(**{S.IS_RETURN: return_flag(t, cancellation_prefix=options.cancellation_prefix)})

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
                ~t._currency.fill_null(BLANK_CURRENCY).isin(
                    sorted(wanted_currencies(options.currency))
                ),
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
