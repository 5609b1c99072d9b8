"""Per-customer and customer x period summaries, computed in the engine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute, is_duckdb
from retainkit.engine._customer_days import customer_days
from retainkit.engine._transactions import Transactions, as_table, remember
from retainkit.engine._transactions import order_key as _order_key
from retainkit.units import check_period, days_per

__all__ = ["customer_summary", "period_table", "resolve_as_of", "write_period_table"]

_TRUNC = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def resolve_as_of(transactions: Any, as_of: Any = None) -> pd.Timestamp:
    """Return the analysis date: ``as_of`` as a day, or the last order date in the data.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        ``"2011-12-09"``, a datetime or a Timestamp; empty text counts as None.

    Returns
    -------
    pandas.Timestamp
        Midnight of the analysis day. Orders on that day count as before it.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"],
    ...                       "order_date": pd.to_datetime(["2024-03-05 14:00"])})
    >>> resolve_as_of(frame)
    Timestamp('2024-03-05 00:00:00')
    """
    if as_of is not None and not (isinstance(as_of, str) and not as_of.strip()):
        try:
            return pd.Timestamp(as_of).normalize()
        except (ValueError, TypeError):
            raise ValueError(f"as_of={as_of!r} is not a date; write it as YYYY-MM-DD") from None
    if isinstance(transactions, Transactions) and transactions.quality.last_date is not None:
        return transactions.quality.last_date.normalize()
    table = as_table(transactions)
    last = execute(table[S.ORDER_DATE].max())
    if pd.isna(last):
        raise ValueError("the transactions are empty, so there is no last order date")
    return pd.Timestamp(last).normalize()


def _until(table: ir.Table, as_of: pd.Timestamp) -> ir.Table:
    return table.filter(table[S.ORDER_DATE] < as_of + pd.Timedelta(days=1))


def _money(values: pd.Series) -> pd.Series:
    """Round sums of money to a millionth of the currency unit.

    A parallel engine adds in a different order on every run, so a sum can differ in
    its last bits from one run (or engine) to the next; models fitted on these sums
    would then give figures that differ in their ninth digit. Amounts carry a few
    decimals, so their exact sum has a few decimals too: rounding the sum to six gives
    it back exactly, the same on every run and on every engine (a customer whose returns
    cancel their purchases is exactly 0, never +-1e-13; a sum of 405.435 never shows as
    405.43 on one run and 405.44 on the next). Means are computed from the rounded sums,
    never rounded themselves. The per-customer sums of the summaries, windows, values
    and cohorts go through it.
    """
    return values.astype("float64").round(6) + 0.0  # + 0.0: no negative zeros


@ibis.udf.agg.builtin(name="arg_min")
def _duckdb_arg_min(value: float, key: dt.date) -> float:  # type: ignore[empty-body]
    """DuckDB's ``arg_min``: the value at the smallest key.

    Ibis compiles ``argmin`` for DuckDB as an ordered ``FIRST``, several times slower
    on large inputs; other backends keep Ibis's portable form.
    """


@remember
def customer_summary(
    transactions: Any,
    *,
    as_of: Any = None,
    time_unit: str = "weeks",
    litt: bool = False,
) -> pd.DataFrame:
    """Summarise each customer's purchases up to ``as_of``, one row per customer.

    Follows the conventions of the buy-till-you-die models: purchases on the same day
    are one purchase (a *purchase day*), the first purchase day opens the customer's
    history, and ``frequency`` counts the repeat purchase days after it. A day with
    only returns is not a purchase day, but its revenue is netted into ``revenue``.
    Customers whose only rows are returns have no first purchase and are left out.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``; uses ``revenue``, ``order_id`` and
        ``is_return`` where present.
    as_of : date-like, optional
        End of the observation period (inclusive day); default: last order date.
    time_unit : {"days", "weeks", "months", "years"}
        Unit of ``recency`` and ``T``. Months are 30.436875 days, years 365.2425.
    litt : bool
        Add ``litt``, the sum of the logarithms of the times between purchase days,
        which the regularity models (:class:`~retainkit.clv.BetaGeoCNBDModel`) need.
        Off by default: it costs a second query.

    Returns
    -------
    pandas.DataFrame
        One row per customer, sorted by ``customer_id``, with columns

        - ``customer_id``
        - ``first_purchase``, ``last_purchase``: first and last purchase day
        - ``orders``: distinct orders (order ids, or order timestamps without them),
          returns excluded
        - ``purchase_days``: distinct days with a purchase
        - ``revenue``: net revenue up to ``as_of`` (only with revenue)
        - ``return_lines``: return or cancellation lines
        - ``frequency``: repeat purchase days, ``purchase_days - 1``
        - ``recency``: last minus first purchase day, in ``time_unit``
        - ``T``: ``as_of`` minus first purchase day, in ``time_unit``
        - ``litt`` (only with ``litt=True``): the sum over the repeat purchase days of
          the natural logarithm of the time since the previous purchase day, in
          ``time_unit`` (0 without repeats); BTYDplus's ``litt``
        - ``monetary_value``: mean revenue of the repeat purchase days, 0 without
          repeats (only with revenue)
        - ``days_since_last_purchase``: ``as_of`` minus last purchase day, in days

        ``attrs`` holds ``as_of`` and ``time_unit``.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15",
    ...                                   "2024-01-08"]),
    ...     "revenue": [10.0, 5.0, 20.0, 7.0]})
    >>> s = customer_summary(frame, as_of="2024-01-29", time_unit="weeks")
    >>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]]
      customer_id  frequency  recency    T  monetary_value
    0           a          1      2.0  4.0            20.0
    1           b          0      0.0  3.0             0.0
    """
    unit_days = days_per(time_unit)
    table = as_table(transactions)
    as_of = resolve_as_of(transactions, as_of)
    relation = customer_days(transactions)
    keyed = transactions.keyed if isinstance(transactions, Transactions) else None
    has_rev = relation.has_revenue
    cid = S.CUSTOMER_ID
    group = relation.key

    # per customer from the customer-days relation; a day with only returns is not a
    # purchase day, but its (negative) revenue counts in the customer's net revenue
    daily = relation.until(as_of)
    # without money, a column of zeros keeps one query shape; it is dropped at the end
    day_revenue = daily.day_revenue if has_rev else daily.purchase_lines.cast("float64") * 0.0
    bought = daily.purchase_lines > 0
    per_customer = daily.group_by(group).aggregate(
        first_purchase=daily.day.min(where=bought),
        last_purchase=daily.day.max(where=bought),
        purchase_days=daily.count(where=bought),
        purchase_day_revenue=day_revenue.sum(where=bought),
        first_day_revenue=(
            _duckdb_arg_min(day_revenue, daily.day, where=bought)
            if is_duckdb(daily)
            else day_revenue.argmin(daily.day, where=bought)
        ),
        revenue=day_revenue.sum(),
        return_lines=daily.return_lines.sum(),
    )
    per_customer = per_customer.filter(per_customer.purchase_days > 0)
    # orders are counted from the lines, as distinct (customer, order) pairs: cheaper
    # than a distinct count per group; grouped on the relation's customer column
    t = _until(keyed.rows if keyed is not None else table, as_of)
    purchase = ~t[S.IS_RETURN]
    pairs = t.filter(purchase).select(t[group], _order_key(t).name("order_key")).distinct()
    orders = pairs.group_by(group).aggregate(orders=pairs.count())
    joined = relation.ids(per_customer.inner_join(orders, group))
    joined = joined.order_by(cid)
    out = execute(joined)

    frequency = out["purchase_days"].astype("int64") - 1
    recency_days = (out["last_purchase"] - out["first_purchase"]).dt.days
    tenure_days = (as_of - out["first_purchase"]).dt.days
    repeat_revenue = _money(out["purchase_day_revenue"]) - _money(out["first_day_revenue"])
    result = pd.DataFrame(
        {
            cid: out[cid].astype(str),
            "first_purchase": out["first_purchase"],
            "last_purchase": out["last_purchase"],
            "orders": out["orders"].astype("int64"),
            "purchase_days": out["purchase_days"].astype("int64"),
            "revenue": _money(out["revenue"]),
            "return_lines": out["return_lines"].fillna(0).astype("int64"),
            "frequency": frequency,
            "recency": recency_days / unit_days,
            "T": tenure_days / unit_days,
            "monetary_value": np.where(
                frequency > 0, repeat_revenue / frequency.where(frequency > 0, 1), 0.0
            ),
            "days_since_last_purchase": (as_of - out["last_purchase"]).dt.days.astype("int64"),
        }
    )
    if litt:
        result.insert(
            result.columns.get_loc("T") + 1,
            "litt",
            _log_gaps(transactions, as_of, result[cid]) - frequency * np.log(unit_days),
        )
    if not has_rev:
        result = result.drop(columns=["revenue", "monetary_value"])
    result.attrs = {"as_of": as_of, "time_unit": time_unit}
    return result


def _log_gaps(transactions: Any, as_of: pd.Timestamp, customers: pd.Series) -> np.ndarray:
    """Per customer of ``customers``: the sum of the logs of the gaps between purchase days.

    Gaps in days; 0 for customers with one purchase day.
    """
    # imported here: the gaps module builds on this one
    from retainkit.engine._gaps import _gaps

    gaps = _gaps(transactions, as_of)
    sums = execute(
        gaps.group_by(S.CUSTOMER_ID).aggregate(
            log_gap_days=gaps.gap_days.cast("float64").ln().sum()
        )
    )
    by_customer = pd.Series(
        sums["log_gap_days"].to_numpy(dtype="float64"), index=sums[S.CUSTOMER_ID].astype(str)
    )
    return customers.map(by_customer).fillna(0.0).to_numpy(dtype="float64")


def period_table(
    transactions: Any,
    *,
    period: str = "month",
    as_of: Any = None,
) -> pd.DataFrame:
    """Aggregate transactions to one row per customer and calendar period with activity.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``; uses ``revenue``, ``order_id``.
    period : {"week", "month", "quarter", "year"}
        Calendar period; weeks start on Monday.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``period_start`` (first day of the period),
        ``orders`` (distinct orders, returns excluded), ``purchase_days`` and, with
        revenue, ``revenue`` (net). Sorted by customer and period. Customer-periods
        with no rows are absent.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-01-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]})
    >>> period_table(frame, period="month")[["customer_id", "period_start", "revenue"]]
      customer_id period_start  revenue
    0           a   2024-01-01     10.0
    1           a   2024-02-01      5.0
    2           b   2024-01-01      7.0
    """
    expr, as_of = _period_expr(transactions, period=period, as_of=as_of)
    out = execute(expr.order_by([S.CUSTOMER_ID, "period_start"]))
    out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(str)  # counts are int64 in the query
    out.attrs = {"as_of": as_of, "period": period}
    return out.reset_index(drop=True)


def _period_expr(transactions: Any, *, period: str, as_of: Any) -> tuple[ir.Table, pd.Timestamp]:
    check_period(period)
    table = as_table(transactions)
    as_of = resolve_as_of(transactions, as_of)
    t = _until(table, as_of)
    purchase = ~t[S.IS_RETURN]
    order_key = _order_key(t)
    aggs: dict[str, ir.Value] = {
        "orders": order_key.nunique(where=purchase).cast("int64"),
        "purchase_days": t[S.ORDER_DATE].truncate("D").nunique(where=purchase).cast("int64"),
    }
    if S.REVENUE in t.columns:
        aggs["revenue"] = t[S.REVENUE].sum()
    start = t[S.ORDER_DATE].truncate(_TRUNC[period]).name("period_start")
    return t.group_by([t[S.CUSTOMER_ID], start]).aggregate(**aggs), as_of


def write_period_table(
    transactions: Any,
    path: str | Path,
    *,
    period: str = "month",
    as_of: Any = None,
) -> Path:
    """Write the customer x period table to Parquet without bringing it into pandas.

    For data too large for memory: the engine aggregates and writes the file itself,
    so neither the transactions nor the (possibly hundreds of millions of)
    customer-periods pass through Python. The columns are those of
    :func:`period_table`; rows are not sorted. DuckDB writes one file; Spark writes a
    folder of part files under ``path`` (``pandas.read_parquet`` reads either). The
    output appears under ``path`` only once complete.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``; uses ``revenue``, ``order_id``.
    path : str or Path
        The Parquet file (a folder on Spark) to write. An existing one is an error:
        nothing is overwritten.
    period : {"week", "month", "quarter", "year"}
        Calendar period; weeks start on Monday.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pathlib.Path
        The file (or, on Spark, folder) written.

    Raises
    ------
    FileExistsError
        When ``path`` exists.

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-01-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_period_table(frame, Path(tmp) / "months.parquet")
    ...     back = pd.read_parquet(written).sort_values(["customer_id", "period_start"])
    >>> back["revenue"].tolist()
    [10.0, 5.0, 7.0]
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; choose a new file name or remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    expr, _ = _period_expr(transactions, period=period, as_of=as_of)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        expr.to_parquet(partial)  # a file on DuckDB, a folder of part files on Spark
        partial.replace(path)
    finally:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
    return path


def attributes_from_transactions(
    transactions: Any, *, columns: tuple[str, ...] | list[str]
) -> pd.DataFrame:
    """Derive customer attributes from columns carried in the transactions.

    Each customer gets the value they have on most of their rows (ties go to the
    alphabetically first value), e.g. the country of an Online Retail customer.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    columns : sequence of str
        Carried columns (``keep_columns`` when loading).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and one column per name, sorted by customer.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                       "order_date": pd.to_datetime(["2024-01-01"] * 4),
    ...                       "Country": ["UK", "UK", "FR", "DE"]})
    >>> attributes_from_transactions(frame, columns=["Country"])
      customer_id Country
    0           a      UK
    1           b      DE
    """
    table = as_table(transactions, need=tuple(columns))
    cid = S.CUSTOMER_ID
    result = None
    for col in columns:
        counts = (
            table.filter(table[col].notnull()).group_by([cid, col]).aggregate(n=lambda t: t.count())
        )
        rank = ibis.row_number().over(
            group_by=counts[cid], order_by=[ibis.desc(counts.n), counts[col]]
        )
        top = execute(counts.mutate(rank=rank).filter(lambda t: t["rank"] == 0).select(cid, col))
        top[cid] = top[cid].astype(str)
        result = top if result is None else result.merge(top, on=cid, how="outer")
    return result.sort_values(cid).reset_index(drop=True)


def period_totals(transactions: Any, *, period: str = "month", as_of: Any = None) -> pd.DataFrame:
    """Totals per calendar period: active and new customers, orders and revenue.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    period : {"week", "month", "quarter", "year"}
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first to the last with activity (periods with
        none are included with zeros): ``period_start``, ``period_end`` (last day
        included, capped at ``as_of``), ``days_covered``, ``active_customers``
        (customers with a purchase in the period), ``new_customers`` (first purchase
        in the period), ``orders`` and, with revenue, ``revenue`` (net).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-03-10", "2024-01-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]})
    >>> period_totals(frame)[["period_start", "active_customers", "new_customers", "revenue"]]
      period_start  active_customers  new_customers  revenue
    0   2024-01-01                 2              2     17.0
    1   2024-02-01                 0              0      0.0
    2   2024-03-01                 1              0      5.0
    """
    check_period(period)
    table = as_table(transactions)
    as_of = resolve_as_of(transactions, as_of)
    t = _until(table, as_of)
    purchase = ~t[S.IS_RETURN]
    start = t[S.ORDER_DATE].truncate(_TRUNC[period])
    order_key = _order_key(t)
    first = (
        t.filter(purchase).group_by(S.CUSTOMER_ID).aggregate(first=lambda x: x[S.ORDER_DATE].min())
    )
    first = first.mutate(period_start=first["first"].truncate(_TRUNC[period]))
    aggs: dict[str, ir.Value] = {
        "active_customers": t[S.CUSTOMER_ID].nunique(where=purchase),
        "orders": order_key.nunique(where=purchase),
    }
    if S.REVENUE in t.columns:
        aggs["revenue"] = t[S.REVENUE].sum()
    per = execute(t.group_by(start.name("period_start")).aggregate(**aggs))
    new = execute(first.group_by("period_start").aggregate(new_customers=lambda x: x.count()))
    freq = {"week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}[period]
    if per.empty:
        full = pd.DatetimeIndex([], name="period_start")
    else:
        full = pd.date_range(
            per["period_start"].min(), per["period_start"].max(), freq=freq, name="period_start"
        ).astype(per["period_start"].dtype)
    out = (
        per.set_index("period_start")
        .join(new.set_index("period_start"), how="outer")
        .reindex(full)
        .fillna(0)
        .reset_index()
    )
    step = {
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
        "year": pd.DateOffset(years=1),
    }[period]
    out["period_end"] = (out["period_start"] + step - pd.Timedelta(days=1)).clip(upper=as_of)
    out["days_covered"] = (out["period_end"] - out["period_start"]).dt.days + 1
    cols = [
        "period_start",
        "period_end",
        "days_covered",
        "active_customers",
        "new_customers",
        "orders",
    ] + (["revenue"] if "revenue" in out.columns else [])
    out = out[cols]
    for c in ("active_customers", "new_customers", "orders"):
        out[c] = out[c].astype("int64")
    out.attrs = {"as_of": as_of, "period": period}
    return out


def date_span(transactions: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last order timestamps in the data.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-03-05 14:00", "2023-01-02 00:00"])})
    >>> date_span(frame)
    (Timestamp('2023-01-02 00:00:00'), Timestamp('2024-03-05 14:00:00'))
    """
    if isinstance(transactions, Transactions) and transactions.quality.first_date is not None:
        return transactions.quality.first_date, transactions.quality.last_date
    table = as_table(transactions)
    row = execute(
        table.aggregate(first=table[S.ORDER_DATE].min(), last=table[S.ORDER_DATE].max())
    ).iloc[0]
    if pd.isna(row["first"]):
        raise ValueError("the transactions are empty, so they have no dates")
    return pd.Timestamp(row["first"]), pd.Timestamp(row["last"])


def customer_ids(transactions: Any) -> pd.Series:
    """Return the distinct customer ids of the transactions, sorted.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["b", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01"] * 3)})
    >>> customer_ids(frame).tolist()
    ['a', 'b']
    """
    table = as_table(transactions)
    ids = execute(table.select(S.CUSTOMER_ID).distinct().order_by(S.CUSTOMER_ID))
    return ids[S.CUSTOMER_ID].astype(str).reset_index(drop=True)
