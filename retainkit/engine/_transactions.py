"""The cleaned transaction log: a handle on a table that lives in the engine."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import execute, to_memtable
from retainkit.exceptions import SchemaError
from retainkit.quality import QualityReport

__all__ = ["CUSTOMER_KEY", "KeyedRows", "Transactions", "as_table", "remember"]

#: Integer customer number in stored rows; never part of the canonical schema.
CUSTOMER_KEY = "_customer_key"


@dataclass(frozen=True)
class KeyedRows:
    """Cleaned rows as stored in DuckDB: with an integer customer key, sorted by it.

    Attributes
    ----------
    rows : ibis.expr.types.Table
        The canonical columns plus ``_customer_key``, stored sorted by key and date.
    keys : ibis.expr.types.Table
        One row per customer: ``customer_id`` and its ``_customer_key``, numbered
        0, 1, 2, ... in ``customer_id`` order.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["b", "a", "b"],
    ...                       "order_date": ["2024-01-02", "2024-01-05", "2024-01-01"]})
    >>> keyed = rk.load_transactions(frame).keyed
    >>> execute(keyed.rows)[["_customer_key", "customer_id", "order_date"]]
       _customer_key customer_id order_date
    0              0           a 2024-01-05
    1              1           b 2024-01-01
    2              1           b 2024-01-02
    """

    rows: ir.Table
    keys: ir.Table


class Transactions:
    """A cleaned transaction log in the canonical schema, kept in the engine.

    Built by :func:`retainkit.load_transactions`. Analysis functions accept it where
    they take ``transactions``; the rows stay in DuckDB (or the backend they came
    from) and only results come back as pandas.

    Parameters
    ----------
    table : ibis.expr.types.Table
        Canonical columns plus ``is_return``.
    quality : QualityReport
        What cleaning did.
    keyed : KeyedRows, optional
        The same rows stored with an integer customer key, for the heaviest
        per-customer queries (grouping on an integer is faster than on text).

    Attributes
    ----------
    columns : tuple of str
        Canonical (and carried) columns present.
    keyed : KeyedRows or None
        As given: None for rows read in place (duplicates kept, other engines).

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "a"],
    ...                       "order_date": ["2024-01-02", "2024-02-03"],
    ...                       "revenue": [10.0, 5.0]})
    >>> txn = rk.load_transactions(frame)
    >>> len(txn), txn.has_revenue
    (2, True)
    """

    def __init__(
        self, table: ir.Table, quality: QualityReport, *, keyed: KeyedRows | None = None
    ) -> None:
        self.table = table
        self.quality = quality
        self.keyed = keyed
        self.columns: tuple[str, ...] = tuple(table.columns)
        # results of pure per-customer summaries, by function and arguments (see remember)
        self._memo: dict[tuple, pd.DataFrame] = {}
        # relations built once and kept in the engine (see engine/_customer_days.py)
        self._relations: dict[str, Any] = {}

    def __len__(self) -> int:
        return self.quality.rows_kept

    def has(self, column: str) -> bool:
        """Return whether the log has ``column`` (a canonical name).

        Examples
        --------
        >>> import retainkit as rk
        >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-02"]})
        >>> rk.load_transactions(frame).has("revenue")
        False
        """
        return column in self.columns

    @property
    def has_revenue(self) -> bool:
        """True when the log carries money (``revenue``)."""
        return self.has(S.REVENUE)

    @property
    def source(self) -> str:
        """Where the rows came from."""
        return self.quality.source

    def to_pandas(self, *, limit: int | None = None) -> pd.DataFrame:
        """Return the cleaned rows as a pandas frame.

        Parameters
        ----------
        limit : int, optional
            Return at most this many rows (ordered by date and customer).

        Returns
        -------
        pandas.DataFrame
            The canonical columns present, plus ``is_return``.

        Examples
        --------
        >>> import retainkit as rk
        >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-02"]})
        >>> rk.load_transactions(frame).to_pandas().columns.tolist()
        ['customer_id', 'order_date', 'is_return']
        """
        expr = self.table.order_by([S.ORDER_DATE, S.CUSTOMER_ID])
        if limit is not None:
            expr = expr.limit(limit)
        return execute(expr)

    def __repr__(self) -> str:
        q = self.quality
        return f"<Transactions: {q.rows_kept:,} rows, {q.customers:,} customers, from {q.source}>"

    def _repr_html_(self) -> str:
        preview = self.to_pandas(limit=5).to_html(index=False, max_cols=12)
        return (
            f"<p><b>Transactions</b> from {html.escape(self.source)} — first rows:</p>"
            + preview
            + self.quality._repr_html_()
        )


def remember(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Compute a per-customer summary once per :class:`Transactions` and arguments.

    Notebooks ask for the same customer summary several times (the churn window, the
    monthly review, the call list, each scenario row); on ten million lines each costs
    seconds. The result is kept on the Transactions object, which never changes its
    rows, and each caller gets its own copy. Frames and Ibis tables are not remembered.
    Only for functions that take the transactions and keyword options and, if they
    take ``as_of``, start from :func:`retainkit.engine.resolve_as_of`: ``as_of`` is
    resolved before the look-up, so that ``""`` and the last order date share a result.
    """

    @functools.wraps(func)
    def wrapper(transactions: Any, **kwargs: Any) -> pd.DataFrame:
        if not isinstance(transactions, Transactions):
            return func(transactions, **kwargs)
        if "as_of" in kwargs:
            from retainkit.engine._summaries import resolve_as_of

            kwargs["as_of"] = resolve_as_of(transactions, kwargs["as_of"])
        key = (func.__name__, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        memo = transactions._memo
        if key not in memo:
            memo[key] = func(transactions, **kwargs)
        kept = memo[key]
        out = kept.copy(deep=True)
        out.attrs = dict(kept.attrs)
        return out

    return wrapper


def return_flag(table: ir.Table, *, cancellation_prefix: str | None = None) -> ir.BooleanValue:
    """Return the one rule of what a return is: a line of negative revenue or quantity.

    With ``cancellation_prefix``, also an order id that starts with it (Online Retail's
    "C" invoices). Missing amounts are not returns.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"revenue": [5.0, -2.0, None], "order_id": ["1", "2", "C3"]})
    >>> t.select(r=return_flag(t, cancellation_prefix="C")).execute()["r"].tolist()
    [False, True, True]
    """
    flag = ibis.literal(False)
    for col in (S.REVENUE, S.QUANTITY):
        if col in table.columns:
            flag = flag | (table[col] < 0).fill_null(False)
    if cancellation_prefix and S.ORDER_ID in table.columns:
        flag = flag | table[S.ORDER_ID].startswith(cancellation_prefix).fill_null(False)
    return flag


def as_table(transactions: Any, *, need: tuple[str, ...] = ()) -> ir.Table:
    """Return the Ibis table behind ``transactions``.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        A pandas frame must already follow the canonical schema (see
        :func:`retainkit.schema.validate_transactions`).
    need : tuple of str
        Canonical columns the caller needs beyond ``customer_id`` and ``order_date``.

    Returns
    -------
    ibis.expr.types.Table

    Raises
    ------
    SchemaError
        When a needed column is missing; the message says how to supply it.
    """
    if isinstance(transactions, Transactions):
        table = transactions.table
    elif isinstance(transactions, (pd.DataFrame, ir.Table)):
        if isinstance(transactions, pd.DataFrame):
            S.validate_transactions(transactions)
            table = to_memtable(transactions)
        else:
            table = transactions
        if S.IS_RETURN not in table.columns:
            table = table.mutate(**{S.IS_RETURN: return_flag(table)})
    else:
        raise SchemaError(
            "transactions must be what retainkit.load_transactions returns, a pandas "
            f"DataFrame or an Ibis table; got {type(transactions).__name__}"
        )
    missing = [c for c in (*S.REQUIRED_COLUMNS, *need) if c not in table.columns]
    if missing:
        reason = (
            " This section needs money: load a file with a revenue column, or quantity and "
            "unit_price columns from which revenue is derived."
            if S.REVENUE in missing
            else ""
        )
        raise SchemaError(
            f"the transactions lack {', '.join(map(repr, missing))}; "
            f"found {list(table.columns)}.{reason}"
        )
    return table


def order_key(table: ir.Table) -> ir.Value:
    """Return what makes an order: its order id where the data has one, else its timestamp.

    The one definition of an order for every query that counts or groups orders. A line
    without an order id in data that has them is an order of its own timestamp (lines of
    one timestamp together), never merged with the customer's other lines without an id.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"order_id": ["o1", None, None],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> sorted(t.select(k=order_key(t)).execute()["k"].str[:10])
    ['2024-01-02', '2024-01-03', 'o1']
    """
    if S.ORDER_ID not in table.columns:
        return table[S.ORDER_DATE]
    return table[S.ORDER_ID].cast("string").fill_null(table[S.ORDER_DATE].cast("string"))
