"""Identical customer rows grouped into one row with a weight, for the likelihoods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Compressed", "compress", "distinct_rows", "first_positions", "spread_rows"]


@dataclass(frozen=True)
class Compressed:
    """Distinct rows of several numeric columns and how many customers each stands for.

    Attributes
    ----------
    levels : list of numpy arrays
        The distinct values of each column (in no particular order).
    codes : list of numpy arrays
        For each distinct row, the position of its value in each column's ``levels``.
    weights : numpy array
        Customers per distinct row.
    """

    levels: list[np.ndarray]
    codes: list[np.ndarray]
    weights: np.ndarray

    @property
    def unique_rows(self) -> list[np.ndarray]:
        """The distinct rows, column by column."""
        return [lv[c] for lv, c in zip(self.levels, self.codes, strict=True)]

    def subset(self, keep: np.ndarray, weights: np.ndarray) -> Compressed:
        """Keep some rows, with new weights, and only the levels those rows use.

        A likelihood computes terms per level: a sample of the rows should not pay for
        the levels only the other rows have.

        Examples
        --------
        >>> c = compress([np.array([1.0, 2.0, 3.0]), np.array([5.0, 5.0, 6.0])])
        >>> s = c.subset(c.unique_rows[0] < 3, np.array([1.0, 1.0]))
        >>> [lv.tolist() for lv in s.levels], [u.tolist() for u in s.unique_rows]
        ([[1.0, 2.0], [5.0]], [[1.0, 2.0], [5.0, 5.0]])
        """
        levels, codes = [], []
        for lv, code in zip(self.levels, self.codes, strict=True):
            used, new_code = np.unique(code[keep], return_inverse=True)
            levels.append(lv[used])
            codes.append(new_code.astype(np.int64).ravel())
        return Compressed(levels, codes, weights)


def compress(columns: Sequence[np.ndarray], weights: np.ndarray | None = None) -> Compressed:
    """Group identical rows of several numeric columns, counting the customers in each.

    Parameters
    ----------
    columns : sequence of numpy arrays
        Equal-length columns.
    weights : numpy array, optional
        Customers each row stands for (data published already grouped); default 1 each.

    Returns
    -------
    Compressed

    Examples
    --------
    >>> c = compress([np.array([1, 1, 2]), np.array([0.5, 0.5, 0.5])])
    >>> sorted(zip(*[v.tolist() for v in c.unique_rows], c.weights.tolist()))
    [(1.0, 0.5, 2.0), (2.0, 0.5, 1.0)]
    >>> compress([np.array([1, 1, 2])], weights=np.array([3.0, 4.0, 5.0])).weights.tolist()
    [7.0, 5.0]
    """
    codes = []
    levels = []
    for col in columns:
        code, uniq = pd.factorize(np.asarray(col, dtype="float64"), sort=False)
        codes.append(code.astype(np.int64))
        levels.append(np.asarray(uniq, dtype="float64"))
    sizes = [len(u) for u in levels]
    if not len(codes) or len(codes[0]) == 0:
        return Compressed(levels, [c[:0] for c in codes], np.zeros(0))
    w = None if weights is None else np.asarray(weights, dtype="float64")
    if len(codes) > 1:
        # a row whose value of the most varied column no other row has is distinct as it
        # is: only the others need grouping (with exact times, most rows are distinct by
        # their recency alone, and grouping hashes every row)
        widest = int(np.argmax(sizes))
        alone = np.bincount(codes[widest], minlength=sizes[widest])[codes[widest]] == 1
        if alone.any():
            rest = ~alone
            grouped = _group([c[rest] for c in codes], sizes, None if w is None else w[rest])
            single = np.ones(int(alone.sum())) if w is None else w[alone]
            return Compressed(
                levels,
                [np.concatenate([c[alone], g]) for c, g in zip(codes, grouped[0], strict=True)],
                np.concatenate([single, grouped[1]]),
            )
    out, counts = _group(codes, sizes, w)
    return Compressed(levels, out, counts)


def _group(
    codes: list[np.ndarray], sizes: list[int], weights: np.ndarray | None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Group identical rows of level codes: the distinct rows' codes and their weights."""
    if len(codes[0]) == 0:
        return [c[:0] for c in codes], np.zeros(0)
    if float(np.prod([float(s) for s in sizes])) < 2**62:
        key = np.zeros(len(codes[0]), dtype=np.int64)
        for code, size in zip(codes, sizes, strict=True):
            key = key * size + code
        kcode, kuniq = pd.factorize(key, sort=False)
        counts = np.bincount(kcode, weights=weights).astype("float64")
        rest = np.asarray(kuniq, dtype=np.int64)
        out: list[np.ndarray] = []
        for size in reversed(sizes):
            out.append(rest % size)
            rest = rest // size
        return out[::-1], counts
    frame = pd.DataFrame({i: c for i, c in enumerate(codes)})
    keys = list(frame.columns)
    if weights is None:
        grouped = frame.groupby(keys, sort=False).size().reset_index(name="weight")
    else:
        frame["weight"] = weights
        grouped = frame.groupby(keys, sort=False)["weight"].sum().reset_index()
    return (
        [grouped[i].to_numpy(dtype=np.int64) for i in range(len(codes))],
        grouped["weight"].to_numpy(dtype="float64"),
    )


def distinct_rows(columns: Sequence[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the distinct rows of equal-length numeric columns and where each row went.

    Unlike :func:`compress` (which counts), this keeps the way back: ``[c[inverse] for c in
    rows]`` gives the columns again. The distinct rows come in order of first appearance.
    Hashes each column once and the combined codes once per column (no sort), so it stays
    fast on millions of rows.

    Parameters
    ----------
    columns : sequence of numpy arrays
        Equal-length columns.

    Returns
    -------
    (list of numpy arrays, numpy array)
        The distinct rows column by column (float64), and each row's position among them.

    Examples
    --------
    >>> rows, inverse = distinct_rows([np.array([1, 2, 1]), np.array([5.0, 6.0, 5.0])])
    >>> [r.tolist() for r in rows], inverse.tolist()
    ([[1.0, 2.0], [5.0, 6.0]], [0, 1, 0])
    """
    values = [np.asarray(col, dtype="float64") for col in columns]
    inverse = np.zeros(len(values[0]) if values else 0, dtype=np.int64)
    for col in values:
        code, uniq = pd.factorize(col, sort=False, use_na_sentinel=False)
        # the combined code stays below (rows so far) x (levels) <= n^2: no overflow
        inverse, _ = pd.factorize(inverse * len(uniq) + code, sort=False)
        inverse = inverse.astype(np.int64)
    first = first_positions(inverse)
    return [col[first] for col in values], inverse


def first_positions(inverse: np.ndarray) -> np.ndarray:
    """Return the position of each distinct row's first occurrence, from rows' codes.

    Examples
    --------
    >>> first_positions(np.array([0, 1, 0, 2, 1])).tolist()
    [0, 1, 3]
    """
    first = np.zeros(int(inverse.max()) + 1 if len(inverse) else 0, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)
    return first


def spread_rows(per_row: np.ndarray, at: np.ndarray, *factors: np.ndarray) -> np.ndarray:
    """Return ``per_row[at]`` times each of ``factors`` in turn, plus 0.0 (no negative zero).

    Built in place: customers x horizons is the bulk of a forecast, computed once per
    distinct row (``at`` from :func:`distinct_rows`) and spread back to the customers.

    Examples
    --------
    >>> spread_rows(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0, 1]),
    ...             np.array([[1.0], [2.0], [-0.0]])).tolist()
    [[3.0, 4.0], [2.0, 4.0], [0.0, 0.0]]
    """
    out = per_row[at]
    for factor in factors:
        out *= factor
    out += 0.0
    return out
