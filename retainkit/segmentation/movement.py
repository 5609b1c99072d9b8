"""Segment movement: how customers moved between segments from one date to a later one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.segmentation._inputs import _categories, _require
from retainkit.segmentation.scores import rfm_scores
from retainkit.segmentation.segments import assign_segments

#: Row of the movement matrix for customers who had not bought yet at the earlier date.
NOT_YET_A_CUSTOMER = "Not yet a customer"


def segment_movement(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Count customers moving between segments from one date to another.

    Parameters
    ----------
    earlier, later : pandas.DataFrame
        :func:`assign_segments` results at two dates (each scored on its own data,
        as a CRM would have shown it then), with ``customer_id`` and ``segment``.

    Returns
    -------
    pandas.DataFrame
        Rows: segment at the earlier date, then "Not yet a customer" (first purchase
        after it); columns: segment at the later date; cells: customers. Every
        segment of the rules appears. Customers in ``earlier`` but not in ``later``
        (impossible when both come from the same data) are left out.
        ``attrs``: ``earlier_as_of``, ``later_as_of``.

    Examples
    --------
    >>> cats = ["Top", "Low"]
    >>> e = pd.DataFrame({"customer_id": ["a", "b"],
    ...                   "segment": pd.Categorical(["Top", "Low"], cats)})
    >>> l = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                   "segment": pd.Categorical(["Low", "Low", "Top"], cats)})
    >>> segment_movement(e, l)
                        Top  Low
    Top                   0    1
    Low                   0    1
    Not yet a customer    1    0
    """
    for name, frame in (("earlier", earlier), ("later", later)):
        _require(frame, [S.CUSTOMER_ID, "segment"], name, "Pass assign_segments(...).")
    cats = list(dict.fromkeys([*_categories(later["segment"]), *_categories(earlier["segment"])]))
    pairs = later[[S.CUSTOMER_ID, "segment"]].merge(
        earlier[[S.CUSTOMER_ID, "segment"]], on=S.CUSTOMER_ID, how="left", suffixes=("", "_before")
    )
    before = (
        pairs["segment_before"]
        .astype(object)
        .where(pairs["segment_before"].notna(), NOT_YET_A_CUSTOMER)
    )
    matrix = pd.crosstab(before.astype(str), pairs["segment"].astype(str))
    matrix = matrix.reindex(index=[*cats, NOT_YET_A_CUSTOMER], columns=cats, fill_value=0)
    matrix = matrix.fillna(0).astype("int64")
    matrix.index.name = None
    matrix.columns.name = None
    matrix.attrs = {
        "earlier_as_of": earlier.attrs.get("as_of"),
        "later_as_of": later.attrs.get("as_of"),
    }
    return matrix


def movement_between(
    transactions: Any,
    *,
    as_of: Any = None,
    months_before: int = 3,
    bins: int = 5,
    rules: Any = None,
) -> pd.DataFrame:
    """Score and segment customers at two dates and count their moves.

    Each date is scored on the data up to it, as a CRM would have shown it then.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        The later date; default: the last order date.
    months_before : int
        The earlier date is this many calendar months before ``as_of``.
    bins : int
        Number of RFM scores.
    rules : DataFrame, mapping, str or None
        Segment rules (see :func:`segment_rules`).

    Returns
    -------
    pandas.DataFrame
        See :func:`segment_movement`. ``attrs["earlier_customers"]`` counts the
        customers scored at the earlier date (0 when it lies before the first purchase).

    Raises
    ------
    ValueError
        When ``months_before`` is below 1.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-04-10", "2024-03-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]})
    >>> m = movement_between(frame, as_of="2024-04-30", months_before=2,
    ...                      rules="Recent: r 4-5; Earlier: r 1-3")
    >>> m
                        Recent  Earlier
    Recent                   0        0
    Earlier                  1        0
    Not yet a customer       0        1
    """
    if months_before < 1:
        raise ValueError(f"months_before={months_before!r} must be at least 1 month")
    later_as_of = engine.resolve_as_of(transactions, as_of)
    earlier_as_of = later_as_of - pd.DateOffset(months=int(months_before))
    later_values = engine.customer_values(transactions, as_of=later_as_of)
    earlier_values = engine.customer_values(transactions, as_of=earlier_as_of)
    later = assign_segments(rfm_scores(later_values, bins=bins), rules=rules)
    earlier = assign_segments(rfm_scores(earlier_values, bins=bins), rules=rules)
    matrix = segment_movement(earlier, later)
    matrix.attrs = {
        "earlier_as_of": earlier_as_of,
        "later_as_of": later_as_of,
        "earlier_customers": len(earlier),
    }
    return matrix


def movement_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """Summarise a movement matrix: per earlier segment, who stayed and where the rest went.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`segment_movement` or :func:`movement_between`.

    Returns
    -------
    pandas.DataFrame
        One row per earlier segment with customers (and "Not yet a customer"):
        ``segment``, ``customers``, ``stayed`` (share still in the segment, NaN for
        new customers), ``main_destination`` (the other segment most of them moved
        to, "" when all stayed) and ``main_destination_share``.

    Examples
    --------
    >>> m = pd.DataFrame([[6, 3, 1], [0, 4, 0]], index=["A", "B"], columns=["A", "B", "C"])
    >>> movement_summary(m)
      segment  customers  stayed main_destination  main_destination_share
    0       A         10     0.6                B                     0.3
    1       B          4     1.0                                      0.0
    """
    counts = matrix.to_numpy(dtype="float64")
    rows = counts.sum(axis=1)
    index = [str(r) for r in matrix.index]
    columns = [str(c) for c in matrix.columns]
    same = np.array([[r == c for c in columns] for r in index])  # segments x segments
    stayed = np.where(same, counts, 0).sum(axis=1)
    moved = np.where(same, -1.0, counts)
    best = moved.argmax(axis=1)
    best_n = moved[np.arange(len(index)), best].clip(min=0)
    has_self = same.any(axis=1)
    out = pd.DataFrame(
        {
            "segment": index,
            "customers": rows.astype("int64"),
            "stayed": np.where(has_self, stayed / np.where(rows > 0, rows, 1), np.nan),
            "main_destination": np.where(best_n > 0, np.asarray(columns)[best], ""),
            "main_destination_share": best_n / np.where(rows > 0, rows, 1),
        }
    )
    out = out[out["customers"] > 0].reset_index(drop=True)
    out.attrs = dict(matrix.attrs)
    return out
