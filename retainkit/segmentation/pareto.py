"""Pareto: how value is spread over customers, from the top share to the Gini coefficient."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.profit import profit
from retainkit.segmentation._inputs import _as_of, _require
from retainkit.segmentation.subgroups import UNKNOWN_GROUP


def _check_share(top_share: float) -> None:
    if not 0 < top_share <= 1:
        raise ValueError(f"top_share={top_share!r} must lie in (0, 1], e.g. 0.2 for the top 20%")


def top_count(customers: int, top_share: float) -> int:
    """Return how many customers make the top ``top_share``: ``ceil(top_share x customers)``.

    The product is rounded to 9 decimals first, so that 0.1 x 30 is 3, not 4.

    Parameters
    ----------
    customers : int
        Number of customers, ``N``.
    top_share : float
        Share of customers, in (0, 1].

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When ``top_share`` is not in (0, 1].

    Examples
    --------
    >>> top_count(4371, 0.2), top_count(30, 0.1), top_count(3, 0.2)
    (875, 3, 1)
    """
    _check_share(top_share)
    return math.ceil(round(top_share * customers, 9))


def customer_profit(values: pd.DataFrame, *, margin: float = 0.3) -> pd.DataFrame:
    """Add each customer's gross profit: revenue minus cost, or ``margin`` x revenue.

    Parameters
    ----------
    values : pandas.DataFrame
        Needs ``revenue``; uses ``cost`` when present (as from
        :func:`retainkit.engine.customer_values`).
    margin : float
        Gross margin (0-1) used when there is no ``cost`` column.

    Returns
    -------
    pandas.DataFrame
        A copy with ``profit``; ``attrs["profit_basis"]`` is ``"cost"`` or ``"margin"``
        and ``attrs["margin"]`` the margin used.

    Raises
    ------
    SchemaError
        Without ``revenue``.
    ValueError
        When ``margin`` is not in [0, 1] and there is no cost.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["a", "b"], "revenue": [100.0, 50.0]})
    >>> customer_profit(v, margin=0.25)["profit"].tolist()
    [25.0, 12.5]
    >>> customer_profit(v.assign(cost=[70.0, 20.0]))["profit"].tolist()
    [30.0, 30.0]
    """
    _require(values, [S.REVENUE], "values", "Profit needs revenue.")
    attrs = dict(values.attrs)
    if S.COST in values.columns:
        out = values.assign(profit=profit(values[S.REVENUE], cost=values[S.COST]))
        attrs.update(profit_basis="cost", margin=None)
    else:
        if not 0 <= margin <= 1:
            raise ValueError(f"margin={margin!r} must lie between 0 and 1 (0.3 for 30%)")
        out = values.assign(profit=profit(values[S.REVENUE], margin=margin))
        attrs.update(profit_basis="margin", margin=margin)
    out.attrs = attrs
    return out


def gini_coefficient(values: Any) -> float:
    """Return the Gini coefficient of customer values; negative values count as zero.

    ``G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n`` with ``x`` sorted ascending
    and ``i = 1..n``: 0 when every customer brings the same, close to 1 when one
    customer brings everything. It equals one minus twice the area under the Lorenz
    curve of :func:`lorenz_curve`.

    Parameters
    ----------
    values : array-like of float
        One value per customer (NaN counts as zero).

    Returns
    -------
    float
        NaN when there are no customers or the values sum to zero.

    Examples
    --------
    >>> gini_coefficient([0.0, 0.0, 10.0, 30.0])
    0.625
    >>> gini_coefficient([5.0, 5.0, 5.0]), gini_coefficient([-4.0, 2.0])
    (0.0, 0.5)
    """
    x = np.sort(np.clip(np.nan_to_num(np.asarray(values, dtype="float64")), 0.0, None))
    n = len(x)
    total = x.sum()
    if n == 0 or total <= 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * x) / (n * total) - (n + 1) / n)


def lorenz_curve(values: pd.DataFrame, *, value_col: str = S.REVENUE) -> pd.DataFrame:
    """Return the Lorenz curve: cumulative share of value against share of customers.

    Customers are sorted from the lowest value to the highest (negative values count
    as zero, as in :func:`gini_coefficient`).

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``value_col``.
    value_col : str
        The value: ``revenue``, ``profit``, ``purchase_days``...

    Returns
    -------
    pandas.DataFrame
        ``customer_share`` (0 to 1) and ``value_share`` (0 to 1), starting at (0, 0);
        ``attrs`` holds ``value_col``, ``gini`` and ``customers``.

    Raises
    ------
    SchemaError
        When ``value_col`` is missing.

    Examples
    --------
    >>> v = pd.DataFrame({"revenue": [30.0, 0.0, 10.0, 0.0]})
    >>> lorenz_curve(v)["value_share"].tolist()
    [0.0, 0.0, 0.0, 0.25, 1.0]
    """
    _require(values, [value_col], "values", "Pass value_col= one of its columns.")
    x = np.sort(np.clip(values[value_col].fillna(0).to_numpy(dtype="float64"), 0.0, None))
    n = len(x)
    total = x.sum()
    cum = np.concatenate([[0.0], np.cumsum(x)])
    out = pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / max(n, 1),
            "value_share": cum / total if total > 0 else np.full(n + 1, np.nan),
        }
    )
    out.attrs = {
        "value_col": value_col,
        "gini": gini_coefficient(x),
        "customers": n,
        **_as_of(values),
    }
    return out


def _groups(
    values: pd.DataFrame, by: str | Sequence[str] | None
) -> list[tuple[str, str, pd.DataFrame]]:
    """(subgroup, group, rows) for all customers and each group of each ``by`` column."""
    parts = [("all", "all customers", values)]
    for col in [by] if isinstance(by, str) else list(by or []):
        _require(values, [col], "values", "Join customer attributes with with_attributes().")
        labels = values[col].astype(object).where(values[col].notna(), UNKNOWN_GROUP).astype(str)
        for group, rows in values.groupby(labels, sort=True):
            parts.append((col, str(group), rows))
    return parts


def pareto_summary(
    values: pd.DataFrame,
    *,
    value_col: str = S.REVENUE,
    top_share: float = 0.2,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return how much of the value the top ``top_share`` of customers bring, with the Gini.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer (every customer of the period, also those with zero or
        negative value) with ``value_col`` and the ``by`` columns.
    value_col : str
        ``revenue`` (net), ``profit``, or ``purchase_days`` for data without money.
    top_share : float
        Share of customers in the top, in (0, 1]; default 0.2.
    by : str or list of str, optional
        Subgroup columns (customer attributes): the same figures within each group.

    Returns
    -------
    pandas.DataFrame
        A first row for all customers (``subgroup`` "all"), then one per group of each
        ``by`` column (missing values as "unknown"), with ``subgroup``, ``group``,
        ``customers``, ``customer_share`` (of all customers), ``{value_col}``,
        ``{value_col}_share`` (of the total), ``top_customers`` (``ceil(top_share x
        customers)``), ``top_{value_col}``, ``top_{value_col}_share`` (top value /
        total value of the row; NaN when the total is not positive) and ``gini``.

    Raises
    ------
    SchemaError
        When a column is missing.
    ValueError
        When ``top_share`` is not in (0, 1].

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> row = pareto_summary(v, top_share=0.2).iloc[0]
    >>> int(row["top_customers"]), float(row["top_revenue_share"]), float(row["gini"])
    (1, 0.5, 0.48)
    """
    _check_share(top_share)
    _require(values, [value_col], "values", "Pass value_col= one of its columns.")
    grand = float(values[value_col].sum())
    n_all = len(values)
    rows = []
    for subgroup, group, part in _groups(values, by):
        x = part[value_col].fillna(0).to_numpy(dtype="float64")
        n = len(x)
        k = top_count(n, top_share) if n else 0
        total = float(x.sum())
        top = float(np.sort(x)[::-1][:k].sum())
        rows.append(
            {
                "subgroup": subgroup,
                "group": group,
                "customers": n,
                "customer_share": n / n_all if n_all else np.nan,
                value_col: total,
                f"{value_col}_share": total / grand if grand > 0 else np.nan,
                "top_customers": k,
                f"top_{value_col}": top,
                f"top_{value_col}_share": top / total if total > 0 else np.nan,
                "gini": gini_coefficient(x),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs = {"value_col": value_col, "top_share": top_share, **_as_of(values)}
    return out


def vital_few(
    values: pd.DataFrame,
    *,
    value_col: str = S.REVENUE,
    top_share: float = 0.2,
    by: str | None = None,
) -> pd.DataFrame:
    """List the "vital few": the top ``top_share`` of customers by value.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``customer_id`` and ``value_col``.
    value_col : str
    top_share : float
        Share of customers listed, in (0, 1].
    by : str, optional
        A subgroup column: the top ``top_share`` of each group instead.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, (``by``,) ``rank`` (1 = most valuable, within the group),
        ``value_col``, ``share`` (of the total value, within the group) and
        ``cumulative_share``, plus the other columns of ``values``. Ties are broken
        by customer id.

    Raises
    ------
    SchemaError
        When a column is missing.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [10.0, 50.0, 30.0, 10.0, 0.0]})
    >>> vital_few(v, top_share=0.4)[["customer_id", "rank", "share", "cumulative_share"]]
      customer_id  rank  share  cumulative_share
    0           b     1    0.5               0.5
    1           c     2    0.3               0.8
    """
    _check_share(top_share)
    _require(values, [S.CUSTOMER_ID, value_col], "values", "Pass value_col= one of its columns.")
    frame = values.copy()
    keys = [by] if by else []
    if by:
        _require(values, [by], "values", "Join customer attributes with with_attributes().")
        frame[by] = frame[by].astype(object).where(frame[by].notna(), UNKNOWN_GROUP).astype(str)
    frame = frame.sort_values(
        [*keys, value_col, S.CUSTOMER_ID], ascending=[*[True] * len(keys), False, True]
    )
    grouped = frame.groupby(keys, sort=False)[value_col] if keys else None
    frame["rank"] = (
        grouped.cumcount() if keys else pd.Series(range(len(frame)), index=frame.index)
    ) + 1
    size = grouped.transform("size") if keys else pd.Series(len(frame), index=frame.index)
    total = (
        grouped.transform("sum") if keys else pd.Series(frame[value_col].sum(), index=frame.index)
    )
    cum = grouped.cumsum() if keys else frame[value_col].cumsum()
    positive = total > 0
    frame["share"] = (frame[value_col] / total).where(positive)
    frame["cumulative_share"] = (cum / total).where(positive)
    limit = np.ceil((top_share * size).round(9))
    frame = frame[frame["rank"] <= limit]
    first = [S.CUSTOMER_ID, *keys, "rank", value_col, "share", "cumulative_share"]
    rest = [c for c in values.columns if c not in first]
    out = frame[first + rest].reset_index(drop=True)
    out.attrs = {"value_col": value_col, "top_share": top_share, **_as_of(values)}
    return out
