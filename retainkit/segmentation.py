"""Segmentation: how value is spread over customers, RFM segments, and whom to keep first.

Everything here works on per-customer frames the engine returns
(:func:`retainkit.engine.customer_values`, :func:`retainkit.customer_summary`), so it is
plain, vectorised pandas and numpy.

**Pareto.** Customers are ranked by net revenue over the analysed period. The *top
share* is the net revenue of the top ``ceil(top_share x N)`` customers divided by the
total net revenue, where ``N`` counts every customer, including those whose net
revenue is zero or negative. The Lorenz curve and the Gini coefficient use the same
ranking with negative net revenue counted as zero (a customer who returned more than
they bought brought nothing, but cannot take away from others' share).

**RFM scores.** Recency (days since the last purchase, recent = high score), frequency
(purchase days: several orders on one day count once) and monetary value (net revenue)
are scored 1 to ``bins`` by *balanced quantile bins* (:func:`quantile_scores`): scores
are filled from the lowest values up, each taking the run of lowest remaining values
whose customers come closest to an equal share of the customers not yet scored;
customers with the same value always get the same score, so the scores do not depend
on the row order. One-purchase customers are often more than a fifth of all
customers: they then fill frequency score 1 alone, and the higher scores share the
repeat buyers evenly. The cut points actually used are returned by
:func:`rfm_cut_points`. ``fm_score`` combines frequency and money: their mean,
rounded half up (frequency alone without revenue).

With fewer distinct values than scores (tiny data), the values are spread evenly over
the scale.

**Segments.** Named segments come from score rules (:data:`DEFAULT_SEGMENT_RULES`,
replaceable by a frame, a mapping or text; see :func:`segment_rules`). A customer gets
the first rule, in table order, that their scores satisfy, so every customer is in
exactly one segment; the default rules leave no score combination out. Movement
between segments compares two dates, each scored on its own data.

**Whom to keep.** :func:`retention_priority` combines three tests (solvent,
interested, key client of a subgroup: :func:`key_clients`) into one list, most
valuable first, with an action and the reasons in words.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.exceptions import SchemaError
from retainkit.figures import KeyFigures, figure, key_figures

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "NOT_YET_A_CUSTOMER",
    "UNASSIGNED",
    "assign_segments",
    "customer_profit",
    "format_segment_rules",
    "gini_coefficient",
    "key_clients",
    "lorenz_curve",
    "movement_between",
    "movement_summary",
    "pareto_summary",
    "parse_segment_rules",
    "quantile_scores",
    "retention_priority",
    "rfm_cut_points",
    "rfm_scores",
    "score_cut_points",
    "segment_grid",
    "segment_movement",
    "segment_rules",
    "segment_summary",
    "segmentation_figures",
    "subgroup_columns",
    "top_count",
    "vital_few",
    "with_attributes",
]

#: Segment of customers no rule matches (only with user rules that leave gaps).
UNASSIGNED = "Unassigned"
#: Row of the movement matrix for customers who had not bought yet at the earlier date.
NOT_YET_A_CUSTOMER = "Not yet a customer"
#: Group label for customers without a value of the attribute.
UNKNOWN_GROUP = "unknown"

_DIMENSIONS = ("r", "f", "m", "fm")
_SCORE_COLUMNS = {"r": "r_score", "f": "f_score", "m": "m_score", "fm": "fm_score"}

#: The default segment rules, on the 1-5 scale: recency score ``r``, frequency ``f`` and
#: the combined frequency-money score ``fm``. First match wins: "New" and "Promising"
#: (one purchase) come before "Potential loyalists". Every score combination is covered.
DEFAULT_SEGMENT_RULES = """\
Champions: r 5, fm 4-5  # bought very recently, buy often and spend the most: reward them
Loyal: r 3-4, fm 4-5  # buy often and spend well, not in the last weeks: upsell, loyalty scheme
New: r 5, f 1  # first and only purchase very recently: welcome them, earn the second purchase
Promising: r 4, f 1  # one recent purchase: make the brand known, give a reason to come back
Potential loyalists: r 4-5, fm 1-3  # recent, a few purchases: offer membership, recommendations
Need attention: r 3, fm 3  # average on all counts, slipping: limited-time offers
About to sleep: r 3, fm 1-2  # few purchases, fading: reconnect with popular products
At risk: r 1-2, fm 3-4  # bought often and spent well, but long ago: personal contact, renewals
Can't lose them: r 1-2, fm 5  # among the best customers, but gone quiet: win them back now
Hibernating: r 2, fm 1-2  # few small purchases long ago: relevant offers, low effort
Lost: r 1, fm 1-2  # longest gone with the least value: low-cost reactivation or let go
"""


# --------------------------------------------------------------------------- inputs


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        close = {
            m: difflib.get_close_matches(m, list(map(str, frame.columns)), n=1) for m in missing
        }
        near = "; ".join(f"{m!r} (closest: {c[0]!r})" for m, c in close.items() if c)
        raise SchemaError(
            f"{what} lacks column {', '.join(map(repr, missing))}; found "
            f"{list(frame.columns)}{'. ' + near if near else ''}. {hint}"
        )


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


# --------------------------------------------------------------------------- Pareto


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
        out = values.assign(profit=values[S.REVENUE] - values[S.COST])
        attrs.update(profit_basis="cost", margin=None)
    else:
        if not 0 <= margin <= 1:
            raise ValueError(f"margin={margin!r} must lie between 0 and 1 (0.3 for 30%)")
        out = values.assign(profit=values[S.REVENUE] * margin)
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


def _as_of(frame: pd.DataFrame) -> dict[str, Any]:
    return {k: frame.attrs[k] for k in ("as_of", "first_date") if k in frame.attrs}


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


# ------------------------------------------------------------------------ subgroups


def subgroup_columns(
    attributes: pd.DataFrame | None, subgroup: str = "", *, max_groups: int = 50
) -> list[str]:
    """Return the customer attributes to break results down by.

    Parameters
    ----------
    attributes : pandas.DataFrame or None
        ``customer_id`` plus attribute columns (``Dataset.customers``).
    subgroup : str
        One attribute, or "" for every attribute with at most ``max_groups`` values.
    max_groups : int
        Attributes with more distinct values (ids, free text, amounts) are skipped
        when ``subgroup`` is "".

    Returns
    -------
    list of str
        Empty without attributes.

    Raises
    ------
    SchemaError
        When ``subgroup`` names a column the attributes do not have.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": ["1", "2"], "region": ["N", "S"]})
    >>> subgroup_columns(a), subgroup_columns(None)
    (['region'], [])
    """
    if attributes is None:
        if subgroup:
            raise SchemaError(
                f"subgroup={subgroup!r} needs customer attributes, but the data set has none; "
                "pass customers= a file with customer_id and attribute columns"
            )
        return []
    cols = [c for c in attributes.columns if c != S.CUSTOMER_ID]
    if subgroup:
        if subgroup not in cols:
            close = difflib.get_close_matches(subgroup, cols, n=1)
            raise SchemaError(
                f"subgroup={subgroup!r} is not a customer attribute; the attributes are {cols}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        return [subgroup]
    return [c for c in cols if attributes[c].nunique(dropna=True) <= max_groups]


def with_attributes(
    values: pd.DataFrame, attributes: pd.DataFrame | None, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Join customer attributes to a per-customer frame, as text labels.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``customer_id``.
    attributes : pandas.DataFrame or None
        ``customer_id`` plus attribute columns.
    columns : sequence of str, optional
        Attributes to join; default all.

    Returns
    -------
    pandas.DataFrame
        ``values`` with the attribute columns as text; customers without a value (or
        absent from ``attributes``) get "unknown". Whole numbers stay whole ("4", not
        "4.0").

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["1", "2"], "revenue": [5.0, 7.0]})
    >>> a = pd.DataFrame({"customer_id": ["1"], "score": [4.0]})
    >>> with_attributes(v, a)["score"].tolist()
    ['4', 'unknown']
    """
    if attributes is None:
        return values.copy()
    _require(attributes, [S.CUSTOMER_ID], "attributes", "Load them with rk.load_customers.")
    cols = (
        list(columns)
        if columns is not None
        else [c for c in attributes.columns if c != S.CUSTOMER_ID]
    )
    side = attributes[[S.CUSTOMER_ID, *cols]].copy()
    side[S.CUSTOMER_ID] = side[S.CUSTOMER_ID].astype(str)
    for c in cols:
        col = side[c]
        if pd.api.types.is_float_dtype(col) and (col.dropna() % 1 == 0).all():
            col = col.astype("Int64")
        side[c] = col.astype(str).where(col.notna(), UNKNOWN_GROUP)
    out = values.drop(columns=[c for c in cols if c in values.columns]).merge(
        side, on=S.CUSTOMER_ID, how="left"
    )
    for c in cols:
        out[c] = out[c].fillna(UNKNOWN_GROUP).astype(str)
    out.attrs = dict(values.attrs)
    return out


# ------------------------------------------------------------------------- scoring


def _bin_uppers(x: np.ndarray, bins: int) -> np.ndarray:
    """Return the upper (inclusive) value of each score, lowest score first.

    Needs at least ``bins`` distinct values.
    """
    u, counts = np.unique(x, return_counts=True)
    cum = np.cumsum(counts)
    n = int(cum[-1])
    uppers = np.empty(bins)
    done = 0
    pos = 0
    for s in range(bins):  # a loop over scores, never over customers
        left = bins - s
        if left == 1:
            idx = len(u) - 1
        else:
            # aim: done + (n - done) / left customers scored; integers avoid rounding
            aim = done * left + (n - done)
            hi = int(np.searchsorted(cum * left, aim, side="left"))
            hi = min(max(hi, pos), len(u) - 1)
            idx = hi
            if hi > pos and 2 * aim <= left * (cum[hi - 1] + cum[hi]):
                idx = hi - 1  # the smaller run is at least as close to the aim
            idx = min(idx, len(u) - left)  # leave a distinct value for every score to come
        uppers[s] = u[idx]
        done = int(cum[idx])
        pos = idx + 1
    return uppers


def quantile_scores(values: Any, *, bins: int = 5, higher_is_better: bool = True) -> np.ndarray:
    """Score values 1 to ``bins`` by balanced quantile bins; equal values share a score.

    Scores are filled from the worst values up. Each score takes the run of worst
    remaining distinct values whose customers come closest to an equal share of the
    customers not yet scored (``remaining customers / remaining scores``; when two
    runs are equally close, the smaller), leaving at least one distinct value for
    each score still to fill, so every score is used. Customers with the same value
    are never split; when one value holds more than a fair share (one-purchase
    customers), it fills its score alone and the scores above share the rest evenly.
    With fewer distinct values than scores, the values are spread evenly over the
    scale (the lowest gets 1, the highest ``bins``; a single value gets the middle
    score). The result depends only on the values, not on their order.

    Parameters
    ----------
    values : array-like of float
        One value per customer, without NaN.
    bins : int
        Number of scores, 2 to 10.
    higher_is_better : bool
        False for values where lower is better (days since the last purchase).

    Returns
    -------
    numpy.ndarray of int
        Scores 1 (worst) to ``bins`` (best).

    Raises
    ------
    ValueError
        For ``bins`` outside 2-10 or NaN values.

    Examples
    --------
    >>> quantile_scores([1, 1, 1, 2, 3, 4, 5, 6, 7, 8]).tolist()
    [1, 1, 1, 2, 2, 3, 3, 4, 5, 5]
    >>> quantile_scores([3, 40, 12], bins=3, higher_is_better=False).tolist()
    [3, 1, 2]
    """
    if int(bins) != bins or not 2 <= bins <= 10:
        raise ValueError(f"bins={bins!r} must be a whole number from 2 to 10 (5 is usual)")
    x = np.asarray(values, dtype="float64")
    if np.isnan(x).any():
        raise ValueError("quantile_scores got NaN values; score only customers with a value")
    if len(x) == 0:
        return np.zeros(0, dtype="int64")
    good = x if higher_is_better else -x
    distinct = np.unique(good)
    if len(distinct) == 1:
        return np.full(len(x), (int(bins) + 1) // 2, dtype="int64")
    if len(distinct) < bins:  # spread the few values evenly over the scale
        position = np.searchsorted(distinct, good)
        return np.floor(1 + position * (bins - 1) / (len(distinct) - 1) + 0.5).astype("int64")
    uppers = _bin_uppers(good, int(bins))
    return (np.searchsorted(uppers, good, side="left") + 1).astype("int64")


def score_cut_points(values: Any, scores: Any, *, bins: int = 5) -> pd.DataFrame:
    """Return the value range and the number of customers behind each score.

    Parameters
    ----------
    values : array-like of float
    scores : array-like of int
        The scores of ``values`` (from :func:`quantile_scores`).
    bins : int
        Number of scores; empty scores are listed too.

    Returns
    -------
    pandas.DataFrame
        ``score`` (``bins`` down to 1), ``from_value``, ``to_value`` (smallest and
        largest value with the score; NaN when empty) and ``customers``.

    Examples
    --------
    >>> x = [1, 1, 1, 2, 3, 4, 5, 6, 7, 8]
    >>> score_cut_points(x, quantile_scores(x, bins=3), bins=3)
       score  from_value  to_value  customers
    0      3         5.0       8.0          4
    1      2         2.0       4.0          3
    2      1         1.0       1.0          3
    """
    frame = pd.DataFrame({"v": np.asarray(values, dtype="float64"), "s": np.asarray(scores)})
    agg = frame.groupby("s")["v"].agg(["min", "max", "size"])
    agg = agg.reindex(range(int(bins), 0, -1))
    return pd.DataFrame(
        {
            "score": np.arange(int(bins), 0, -1),
            "from_value": agg["min"].to_numpy(dtype="float64"),
            "to_value": agg["max"].to_numpy(dtype="float64"),
            "customers": agg["size"].fillna(0).to_numpy(dtype="int64"),
        }
    )


def _scored_customers(summary: pd.DataFrame) -> pd.DataFrame:
    _require(
        summary,
        [S.CUSTOMER_ID, "days_since_last_purchase", "purchase_days"],
        "summary",
        "Pass rk.engine.customer_values(...) or rk.customer_summary(...).",
    )
    has = summary["purchase_days"].fillna(0) > 0
    return summary[has & summary["days_since_last_purchase"].notna()]


def rfm_scores(summary: pd.DataFrame, *, bins: int = 5) -> pd.DataFrame:
    """Score every customer with a purchase on recency, frequency and money.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer with ``customer_id``, ``days_since_last_purchase``,
        ``purchase_days`` and, for the monetary score, ``revenue`` (net), as from
        :func:`retainkit.engine.customer_values` or :func:`retainkit.customer_summary`.
        Customers without a purchase (returns only) are left out.
    bins : int
        Number of scores, 2 to 10; default 5.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``recency_days``, ``purchases``, (``revenue``,) ``r_score``
        (recent = high), ``f_score``, (``m_score``,) ``fm_score`` (mean of f and m
        rounded half up; f alone without revenue) and ``rfm`` (e.g. ``"545"``), then
        the other columns of ``summary``. ``attrs``: ``bins``, ``has_monetary``,
        ``unscored`` (customers left out), ``as_of``.

    Raises
    ------
    SchemaError
        When a needed column is missing.
    ValueError
        For ``bins`` outside 2-10.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1],
    ...                   "revenue": [500.0, 20.0, 80.0, 30.0]})
    >>> rfm_scores(s, bins=2)[["customer_id", "r_score", "f_score", "m_score", "fm_score"]]
      customer_id  r_score  f_score  m_score  fm_score
    0           a        2        2        2         2
    1           b        1        1        1         1
    2           c        2        2        2         2
    3           d        1        1        1         1
    """
    scored = _scored_customers(summary)
    has_m = S.REVENUE in scored.columns
    days = scored["days_since_last_purchase"].to_numpy(dtype="float64")
    purchases = scored["purchase_days"].to_numpy(dtype="float64")
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: scored[S.CUSTOMER_ID].astype(str).to_numpy(),
            "recency_days": days,
            "purchases": purchases.astype("int64"),
        }
    )
    out["r_score"] = quantile_scores(days, bins=bins, higher_is_better=False)
    out["f_score"] = quantile_scores(purchases, bins=bins)
    if has_m:
        money = scored[S.REVENUE].to_numpy(dtype="float64")
        out.insert(3, S.REVENUE, money)
        out["m_score"] = quantile_scores(money, bins=bins)
        out["fm_score"] = (out["f_score"] + out["m_score"] + 1) // 2
    else:
        out["fm_score"] = out["f_score"]
    digits = out["r_score"].astype(str) + out["f_score"].astype(str)
    out["rfm"] = digits + (out["m_score"].astype(str) if has_m else "")
    rest = scored.drop(
        columns=[
            c
            for c in scored.columns
            if c in out.columns or c in ("days_since_last_purchase", "purchase_days")
        ]
    ).reset_index(drop=True)
    out = pd.concat([out, rest], axis=1)
    out.attrs = {
        "bins": int(bins),
        "has_monetary": has_m,
        "unscored": len(summary) - len(scored),
        **_as_of(summary),
    }
    return out


def rfm_cut_points(summary: pd.DataFrame, *, bins: int = 5) -> pd.DataFrame:
    """Return the cut points behind the RFM scores: value range and customers per score.

    Parameters
    ----------
    summary : pandas.DataFrame
        As for :func:`rfm_scores`.
    bins : int
        Number of scores.

    Returns
    -------
    pandas.DataFrame
        One row per score (highest first): ``score``, ``recency_days_from``,
        ``recency_days_to``, ``recency_customers``, ``purchases_from``,
        ``purchases_to``, ``purchases_customers`` and, with revenue,
        ``revenue_from``, ``revenue_to``, ``revenue_customers``. Ranges are the
        smallest and largest value among the customers with the score (NaN for an
        empty score); recency runs from the most recent (score ``bins``).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1]})
    >>> rfm_cut_points(s, bins=2)[["score", "recency_days_from", "recency_days_to",
    ...                            "purchases_from", "purchases_to"]]
       score  recency_days_from  recency_days_to  purchases_from  purchases_to
    0      2                3.0             12.0             2.0           5.0
    1      1               40.0             90.0             1.0           1.0
    """
    scores = rfm_scores(summary, bins=bins)
    parts = {
        "recency_days": ("recency_days", "r_score"),
        "purchases": ("purchases", "f_score"),
    }
    if scores.attrs["has_monetary"]:
        parts[S.REVENUE] = (S.REVENUE, "m_score")
    out = pd.DataFrame({"score": np.arange(int(bins), 0, -1)})
    for name, (col, score) in parts.items():
        cuts = score_cut_points(scores[col], scores[score], bins=bins)
        out[f"{name}_from"] = cuts["from_value"].to_numpy()
        out[f"{name}_to"] = cuts["to_value"].to_numpy()
        out[f"{name}_customers"] = cuts["customers"].to_numpy()
    out.attrs = dict(scores.attrs)
    return out


# ------------------------------------------------------------------------- segments

_RULE_LINE = re.compile(r"^\s*(?P<name>[^:#]+?)\s*:\s*(?P<conds>[^#]*?)\s*(?:#\s*(?P<desc>.*))?$")
_COND = re.compile(r"^(?P<dim>fm|r|f|m)\s+(?P<lo>\d+)(?:\s*-\s*(?P<hi>\d+))?$")


def parse_segment_rules(text: str, *, scale: int = 5) -> pd.DataFrame:
    r"""Read segment rules written one per line: ``Name: r 4-5, fm 4-5  # description``.

    Rules may also be separated by ``;`` (handy on a command line). Each condition
    names a score (``r``, ``f``, ``m`` or ``fm``) and a range (``4-5``) or a single
    score (``5``); scores not named may take any value. Blank lines and lines starting
    with ``#`` are skipped.

    Parameters
    ----------
    text : str
    scale : int
        The score scale the rules are written on (1 to ``scale``).

    Returns
    -------
    pandas.DataFrame
        See :func:`segment_rules`.

    Raises
    ------
    ValueError
        For a line that cannot be read; the message names the line.

    Examples
    --------
    >>> rules = parse_segment_rules("Best: r 4-5, fm 5  # the best\nRest: r 1-5  # the rest")
    >>> rules[["segment", "r_min", "r_max", "fm_min", "fm_max", "description"]]
      segment  r_min  r_max  fm_min  fm_max description
    0    Best      4      5       5       5    the best
    1    Rest      1      5       1       5    the rest
    """
    rows = []
    for number, line in enumerate(re.split(r"[\n;]", text), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _RULE_LINE.match(line)
        if not match or not match["conds"].strip():
            raise ValueError(
                f"segment rule line {number} ({line.strip()!r}) is not 'Name: r 4-5, fm 4-5'"
            )
        row: dict[str, Any] = {"segment": match["name"].strip()}
        for cond in match["conds"].split(","):
            c = _COND.match(cond.strip())
            if not c:
                raise ValueError(
                    f"segment rule line {number}: cannot read {cond.strip()!r}; write a score "
                    "(r, f, m or fm) and a range, e.g. 'r 4-5' or 'fm 1'"
                )
            lo, hi = int(c["lo"]), int(c["hi"] or c["lo"])
            row[f"{c['dim']}_min"], row[f"{c['dim']}_max"] = lo, hi
        row["description"] = (match["desc"] or "").strip()
        rows.append(row)
    return segment_rules(pd.DataFrame(rows), scale=scale)


def segment_rules(rules: Any = None, *, scale: int = 5) -> pd.DataFrame:
    """Return segment rules as a checked table, in precedence order.

    Parameters
    ----------
    rules : DataFrame, mapping, str or None
        None or "" for :data:`DEFAULT_SEGMENT_RULES`; text in the form of
        :func:`parse_segment_rules`; a mapping ``{"Champions": {"r": (5, 5), "fm":
        (4, 5)}, ...}``; or a frame with ``segment`` and any of ``r_min``/``r_max``,
        ``f_min``/``f_max``, ``m_min``/``m_max``, ``fm_min``/``fm_max`` (missing
        bounds: any score) and optionally ``description``.
    scale : int
        The score scale of the rules (1 to ``scale``).

    Returns
    -------
    pandas.DataFrame
        ``segment``, the eight bounds (integers) and ``description``; ``attrs["scale"]``.
        A customer gets the first rule, in this order, whose ranges hold all their
        scores.

    Raises
    ------
    ValueError
        For a repeated or empty segment name, a bound outside 1-``scale`` or a
        minimum above its maximum; the message names the segment.

    Examples
    --------
    >>> rules = segment_rules()
    >>> len(rules), rules["segment"].iloc[0]
    (11, 'Champions')
    >>> segment_rules({"Top": {"r": (4, 5)}, "Rest": {}})[["segment", "r_min", "fm_max"]]
      segment  r_min  fm_max
    0     Top      4       5
    1    Rest      1       5
    """
    if rules is None or (isinstance(rules, str) and not rules.strip()):
        return parse_segment_rules(DEFAULT_SEGMENT_RULES, scale=scale)
    if isinstance(rules, str):
        return parse_segment_rules(rules, scale=scale)
    if isinstance(rules, Mapping):
        rows = []
        for name, conds in rules.items():
            row: dict[str, Any] = {"segment": name}
            for dim, bounds in dict(conds).items():
                if dim == "description":
                    row["description"] = bounds
                    continue
                if dim not in _DIMENSIONS:
                    raise ValueError(f"segment {name!r}: unknown score {dim!r}; use r, f, m or fm")
                lo, hi = (bounds, bounds) if np.isscalar(bounds) else tuple(bounds)
                row[f"{dim}_min"], row[f"{dim}_max"] = lo, hi
            rows.append(row)
        rules = pd.DataFrame(rows)
    if not isinstance(rules, pd.DataFrame) or "segment" not in rules.columns:
        raise ValueError(
            "segment rules must be text, a mapping or a DataFrame with a 'segment' column"
        )
    out = pd.DataFrame({"segment": rules["segment"].astype(str).str.strip().to_numpy()})
    for dim in _DIMENSIONS:
        for end, default in (("min", 1), ("max", scale)):
            col = f"{dim}_{end}"
            given = rules[col] if col in rules.columns else pd.Series(default, index=rules.index)
            out[col] = (
                pd.to_numeric(given, errors="coerce").fillna(default).astype("int64").to_numpy()
            )
    desc = (
        rules["description"] if "description" in rules.columns else pd.Series("", index=rules.index)
    )
    out["description"] = desc.fillna("").astype(str).to_numpy()
    problems = []
    if (out["segment"] == "").any():
        problems.append("a segment has no name")
    dupes = sorted(set(out["segment"][out["segment"].duplicated()]))
    if dupes:
        problems.append(f"segments named twice: {dupes}")
    for dim in _DIMENSIONS:
        lo, hi = out[f"{dim}_min"], out[f"{dim}_max"]
        bad = (lo < 1) | (hi > scale) | (lo > hi)
        for name in out["segment"][bad]:
            problems.append(f"segment {name!r}: {dim} range must lie within 1-{scale}, low to high")
    if problems:
        raise ValueError("segment rules: " + "; ".join(problems))
    out.attrs = {"scale": int(scale)}
    return out


def format_segment_rules(rules: pd.DataFrame) -> str:
    r"""Write segment rules as text, one per line (the form :func:`parse_segment_rules` reads).

    Bounds spanning the whole scale are left out.

    Parameters
    ----------
    rules : pandas.DataFrame
        From :func:`segment_rules`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_segment_rules(segment_rules("Top: r 4-5  # recent\nRest: r 1-5")))
    Top: r 4-5  # recent
    Rest: r 1-5
    """
    scale = rules.attrs.get("scale", 5)
    lines = []
    for row in rules.to_dict("records"):
        conds = []
        for dim in _DIMENSIONS:
            lo, hi = int(row[f"{dim}_min"]), int(row[f"{dim}_max"])
            if (lo, hi) != (1, scale):
                conds.append(f"{dim} {lo}" if lo == hi else f"{dim} {lo}-{hi}")
        text = f"{row['segment']}: {', '.join(conds) or f'r 1-{scale}'}"
        lines.append(text + (f"  # {row['description']}" if row["description"] else ""))
    return "\n".join(lines)


def _on_scale(scores: pd.Series, bins: int, scale: int) -> pd.Series:
    """Map scores 1..bins linearly onto 1..scale, rounding half up."""
    if bins == scale:
        return scores
    return np.floor(1 + (scores - 1) * (scale - 1) / (bins - 1) + 0.5).astype("int64")


def assign_segments(scores: pd.DataFrame, *, rules: Any = None) -> pd.DataFrame:
    """Name each customer's segment: the first rule their scores satisfy.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`rfm_scores`. Without a monetary score, ``m`` conditions are
        ignored (``fm`` is the frequency score).
    rules : DataFrame, mapping, str or None
        See :func:`segment_rules`; default :data:`DEFAULT_SEGMENT_RULES`. When the
        scores use another number of bins than the rules' scale (5), scores are
        mapped linearly onto that scale first (score 1 stays 1, the top stays the
        top).

    Returns
    -------
    pandas.DataFrame
        ``scores`` with ``segment``, a categorical in rule order (plus
        "Unassigned" when some customers match no rule).

    Raises
    ------
    SchemaError
        When the score columns are missing.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b", "c"], "r_score": [5, 1, 3],
    ...                   "f_score": [5, 1, 3], "m_score": [4, 2, 3], "fm_score": [5, 2, 3]})
    >>> assign_segments(s)["segment"].tolist()
    ['Champions', 'Lost', 'Need attention']
    """
    _require(scores, ["r_score", "f_score", "fm_score"], "scores", "Pass rfm_scores(...).")
    table = segment_rules(rules)
    scale = table.attrs["scale"]
    bins = scores.attrs.get("bins")
    if bins is None:  # scores built by hand: the top score seen, at least 5 (none: 5)
        top = scores[["r_score", "f_score"]].max().max()
        bins = max(5, 0 if pd.isna(top) else int(top))
    bins = int(bins)
    conditions = []
    for row in table.to_dict("records"):
        ok = pd.Series(True, index=scores.index)
        for dim in _DIMENSIONS:
            col = _SCORE_COLUMNS[dim]
            if col not in scores.columns:
                continue
            s = _on_scale(scores[col], bins, scale)
            ok &= (s >= row[f"{dim}_min"]) & (s <= row[f"{dim}_max"])
        conditions.append(ok.to_numpy())
    names = list(table["segment"])
    labels = np.select(conditions, names, default=UNASSIGNED) if conditions else UNASSIGNED
    categories = names + ([UNASSIGNED] if (np.asarray(labels) == UNASSIGNED).any() else [])
    out = scores.copy()
    out["segment"] = pd.Categorical(np.asarray(labels, dtype=object), categories=categories)
    out.attrs = {**scores.attrs, "rules": table}
    return out


def segment_summary(segments: pd.DataFrame, *, value_col: str = S.REVENUE) -> pd.DataFrame:
    """Return size, value and behaviour of each segment.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`assign_segments`.
    value_col : str
        The money column; without it the money columns are left out.

    Returns
    -------
    pandas.DataFrame
        One row per segment in rule order (empty segments included): ``segment``,
        ``customers``, ``customer_share``, ``{value_col}``, ``{value_col}_share``,
        ``{value_col}_per_customer`` (mean), ``median_recency_days``,
        ``mean_purchases`` and ``description`` (from the rules).

    Examples
    --------
    >>> s = pd.DataFrame({"segment": pd.Categorical(["A", "A", "B"], ["A", "B", "C"]),
    ...                   "revenue": [10.0, 30.0, 60.0], "recency_days": [1, 3, 9],
    ...                   "purchases": [2, 4, 1]})
    >>> segment_summary(s)[["segment", "customers", "revenue_share", "revenue_per_customer"]]
      segment  customers  revenue_share  revenue_per_customer
    0       A          2            0.4                  20.0
    1       B          1            0.6                  60.0
    2       C          0            0.0                   NaN
    """
    _require(
        segments, ["segment", "recency_days", "purchases"], "segments", "Pass assign_segments(...)."
    )
    g = segments.groupby("segment", observed=False)
    out = pd.DataFrame({"customers": g.size()})
    total_n = len(segments)
    out["customer_share"] = out["customers"] / total_n if total_n else np.nan
    has_value = value_col in segments.columns
    if has_value:
        value = g[value_col].sum()
        total = float(segments[value_col].sum())
        out[value_col] = value
        out[f"{value_col}_share"] = value / total if total else np.nan
        out[f"{value_col}_per_customer"] = value / out["customers"].where(out["customers"] > 0)
    out["median_recency_days"] = g["recency_days"].median()
    out["mean_purchases"] = g["purchases"].mean()
    rules = segments.attrs.get("rules")
    desc = (
        dict(zip(rules["segment"], rules["description"], strict=True)) if rules is not None else {}
    )
    out["description"] = [desc.get(str(s), "") for s in out.index]
    out = out.reset_index()
    out["segment"] = out["segment"].astype(str)
    out.attrs = {k: v for k, v in segments.attrs.items() if k != "rules"}
    return out


def segment_grid(segments: pd.DataFrame) -> pd.DataFrame:
    """Return the recency x frequency-money grid: customers and segment of every cell.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`assign_segments`.

    Returns
    -------
    pandas.DataFrame
        One row per (``r_score``, ``fm_score``) pair on the scores' scale, with
        ``customers`` and ``segment`` (the segment most of the cell's customers are in;
        for an empty cell, the rule a customer with r and f = m = fm would match).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "r_score": [5, 1], "f_score": [5, 1],
    ...                   "fm_score": [5, 1]})
    >>> g = segment_grid(assign_segments(s))
    >>> g[(g.r_score == 5) & (g.fm_score >= 4)][["r_score", "fm_score", "customers", "segment"]]
        r_score  fm_score  customers    segment
    23        5         4          0  Champions
    24        5         5          1  Champions
    """
    _require(segments, ["r_score", "fm_score", "segment"], "segments", "Pass assign_segments(...).")
    bins = int(segments.attrs.get("bins", 5))
    r, fm = np.meshgrid(np.arange(1, bins + 1), np.arange(1, bins + 1), indexing="ij")
    cells = pd.DataFrame({"r_score": r.ravel(), "fm_score": fm.ravel()})
    probe = cells.assign(f_score=cells["fm_score"], m_score=cells["fm_score"])
    probe.attrs = {"bins": bins}
    rules = segments.attrs.get("rules")
    cells["segment"] = assign_segments(probe, rules=rules)["segment"].astype(str).to_numpy()
    counts = (
        segments.groupby(["r_score", "fm_score", "segment"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["r_score", "fm_score", "n"], ascending=[True, True, False])
    )
    top = counts.drop_duplicates(["r_score", "fm_score"])
    sizes = counts.groupby(["r_score", "fm_score"])["n"].sum().rename("customers").reset_index()
    out = cells.merge(sizes, on=["r_score", "fm_score"], how="left").merge(
        top[["r_score", "fm_score", "segment"]].rename(columns={"segment": "_main"}),
        on=["r_score", "fm_score"],
        how="left",
    )
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["segment"] = (
        out["_main"].astype(object).where(out["_main"].notna(), out["segment"]).astype(str)
    )
    out = out[["r_score", "fm_score", "customers", "segment"]]
    out.attrs = {"bins": bins, **_as_of(segments)}
    return out


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


def _categories(segment: pd.Series) -> list[str]:
    if isinstance(segment.dtype, pd.CategoricalDtype):
        return [str(c) for c in segment.cat.categories]
    return sorted(segment.astype(str).unique())


# ------------------------------------------------------------------- whom to retain


def key_clients(
    values: pd.DataFrame,
    *,
    attributes: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    category_values: pd.DataFrame | None = None,
    subgroup: str = "",
    value_col: str = S.REVENUE,
    top_n: int = 5,
) -> pd.DataFrame:
    """List the top ``top_n`` customers by value within every group of every subgroup.

    Subgroups are the customer attributes (region, channel...; see
    :func:`subgroup_columns`), the RFM segment and the product category.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``customer_id`` and ``value_col``.
    attributes : pandas.DataFrame, optional
        Customer attributes (``Dataset.customers``): within each group customers are
        ranked by ``value_col``.
    segments : pandas.DataFrame, optional
        From :func:`assign_segments`: the same within each segment (subgroup
        "segment").
    category_values : pandas.DataFrame, optional
        From :func:`retainkit.engine.category_values`: within each product category
        customers are ranked by their value in that category (subgroup "category").
    subgroup : str
        One attribute, or "" for every attribute with at most 50 values.
    value_col : str
        ``revenue``, ``profit`` or ``purchase_days``.
    top_n : int
        Customers per group.

    Returns
    -------
    pandas.DataFrame
        ``subgroup``, ``group``, ``group_customers`` (customers in the group),
        ``rank`` (1 = most valuable; ties broken by customer id), ``customer_id``,
        ``value`` (in the group: for categories, the category's value) and
        ``group_share`` (of the group's total). Only customers with a positive value
        are key clients.

    Raises
    ------
    SchemaError
        When a column is missing or ``subgroup`` is not an attribute.
    ValueError
        When ``top_n`` is below 1.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"), "revenue": [10.0, 50.0, 30.0, 5.0]})
    >>> a = pd.DataFrame({"customer_id": list("abcd"), "region": ["N", "N", "S", "S"]})
    >>> key_clients(v, attributes=a, top_n=1)[["group", "rank", "customer_id", "group_share"]]
      group  rank customer_id  group_share
    0     N     1           b     0.833333
    1     S     1           c     0.857143
    """
    if top_n < 1:
        raise ValueError(f"top_n={top_n!r} must be at least 1")
    _require(values, [S.CUSTOMER_ID, value_col], "values", "Pass value_col= one of its columns.")
    long = []
    groups = values[[S.CUSTOMER_ID]].copy()
    cols = subgroup_columns(attributes, subgroup)
    if cols:
        groups = with_attributes(groups, attributes, columns=cols)
    if segments is not None:
        _require(segments, [S.CUSTOMER_ID, "segment"], "segments", "Pass assign_segments(...).")
        groups = groups.merge(segments[[S.CUSTOMER_ID, "segment"]], on=S.CUSTOMER_ID, how="left")
        groups["segment"] = groups["segment"].astype(object)
        cols = [*cols, "segment"]
    base = values[[S.CUSTOMER_ID, value_col]].merge(groups, on=S.CUSTOMER_ID, how="left")
    for col in cols:
        known = base[col].notna()  # customers without a segment (returns only) stay out
        long.append(
            pd.DataFrame(
                {
                    "subgroup": col,
                    "group": base.loc[known, col].astype(str).to_numpy(),
                    S.CUSTOMER_ID: base.loc[known, S.CUSTOMER_ID].to_numpy(),
                    "value": base.loc[known, value_col].to_numpy(dtype="float64"),
                }
            )
        )
    if category_values is not None:
        _require(
            category_values,
            [S.CUSTOMER_ID, S.CATEGORY, value_col],
            "category_values",
            "Pass rk.engine.category_values(...).",
        )
        long.append(
            pd.DataFrame(
                {
                    "subgroup": S.CATEGORY,
                    "group": category_values[S.CATEGORY].astype(str).to_numpy(),
                    S.CUSTOMER_ID: category_values[S.CUSTOMER_ID].astype(str).to_numpy(),
                    "value": category_values[value_col].to_numpy(dtype="float64"),
                }
            )
        )
    columns = [
        "subgroup",
        "group",
        "group_customers",
        "rank",
        S.CUSTOMER_ID,
        "value",
        "group_share",
    ]
    if not long:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(long, ignore_index=True)
    positive = frame.assign(value=frame["value"].clip(lower=0))
    by_group = positive.groupby(["subgroup", "group"])["value"]
    total = by_group.transform("sum")
    frame["group_customers"] = by_group.transform("size")
    frame["group_share"] = (frame["value"] / total).where(total > 0)
    order = (
        {name: i for i, name in enumerate(_categories(segments["segment"]))}
        if segments is not None
        else {}
    )
    frame["_order"] = np.where(
        frame["subgroup"] == "segment", frame["group"].map(order).fillna(-1), -1
    )
    frame = frame[frame["value"] > 0].sort_values(
        ["subgroup", "_order", "group", "value", S.CUSTOMER_ID],
        ascending=[True, True, True, False, True],
    )
    frame["rank"] = frame.groupby(["subgroup", "group"]).cumcount() + 1
    out = frame[frame["rank"] <= top_n][columns].reset_index(drop=True)
    out.attrs = {"value_col": value_col, "top_n": int(top_n)}
    return out


def retention_priority(
    values: pd.DataFrame,
    *,
    churn_days: int,
    key_clients: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    value_col: str = S.REVENUE,
    max_return_share: float = 0.1,
) -> pd.DataFrame:
    """Return the retention-priority list: customers worth keeping, with the reasons.

    Three tests, each shown as a column and in words:

    - **solvent** (they pay): positive value and at most ``max_return_share`` of what
      they bought came back (returns and cancellations by value; by lines without
      revenue);
    - **interested**: a repeat buyer (two or more purchase days) who bought within the
      last ``churn_days`` days;
    - **key client**: among the top customers of a subgroup (``key_clients``).

    A customer is on the list when solvent and interested or a key client. The list
    is sorted by value, the most valuable first (what is at stake), and each customer
    gets an action: "call now" for key clients who have gone quiet (not a repeat
    buyer within ``churn_days``), "keep close" for key clients still buying, and
    "nurture" for the other solvent repeat buyers still buying.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` (``customer_id``,
        ``purchase_days``, ``days_since_last_purchase``, ``lines``, ``return_lines``
        and, with revenue, ``sales`` and ``returns``), with ``value_col``.
    churn_days : int
        Days without a purchase after which a customer counts as lost.
    key_clients : pandas.DataFrame, optional
        From :func:`key_clients`.
    segments : pandas.DataFrame, optional
        From :func:`assign_segments`: adds each customer's ``segment``.
    value_col : str
        ``revenue``, ``profit`` or ``purchase_days``.
    max_return_share : float
        Largest share of purchases returned for a solvent customer, 0-1.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, (``segment``,) ``value_col``, ``purchase_days``,
        ``days_since_last_purchase``, ``return_share``, ``solvent``, ``interested``,
        ``key_client``, ``tests_passed`` (0-3), ``action`` and ``reason``.

    Raises
    ------
    SchemaError
        When a column is missing.
    ValueError
        For ``max_return_share`` outside 0-1.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["a", "b", "c"], "purchase_days": [3, 4, 1],
    ...     "days_since_last_purchase": [10.0, 20.0, 200.0], "lines": [5, 5, 2],
    ...     "return_lines": [0, 2, 0], "sales": [100.0, 300.0, 80.0],
    ...     "returns": [0.0, 120.0, 0.0], "revenue": [100.0, 180.0, 80.0]})
    >>> k = pd.DataFrame({"subgroup": ["region"], "group": ["N"], "rank": [1],
    ...                   "customer_id": ["c"], "value": [80.0], "group_share": [0.5]})
    >>> p = retention_priority(v, churn_days=90, key_clients=k)
    >>> p[["customer_id", "solvent", "interested", "key_client", "tests_passed"]]
      customer_id  solvent  interested  key_client  tests_passed
    0           a     True        True       False             2
    1           c     True       False        True             2
    >>> p["action"].tolist()
    ['nurture: repeat buyer still buying', 'call now: key client gone quiet']
    >>> p["reason"].iloc[1]
    'solvent: nothing returned; key client: #1 in region N'
    """
    if not 0 <= max_return_share <= 1:
        raise ValueError(f"max_return_share={max_return_share!r} must lie between 0 and 1")
    needed = [
        S.CUSTOMER_ID,
        "purchase_days",
        "days_since_last_purchase",
        "lines",
        "return_lines",
        value_col,
    ]
    _require(values, needed, "values", "Pass rk.engine.customer_values(...).")
    v = values.copy()
    if {"sales", "returns"} <= set(v.columns):
        ret = (v["returns"] / v["sales"].where(v["sales"] > 0)).fillna(1.0).clip(lower=0)
        ret_word = "returned"
    else:
        ret = (v["return_lines"] / v["lines"].where(v["lines"] > 0)).fillna(1.0)
        ret_word = "of lines returned"
    v["return_share"] = ret
    v["solvent"] = (v[value_col] > 0) & (ret <= max_return_share)
    days = v["days_since_last_purchase"]
    v["interested"] = (v["purchase_days"] >= 2) & days.notna() & (days <= churn_days)
    if key_clients is not None and len(key_clients):
        k = key_clients.sort_values(["rank", "subgroup", "group"])
        text = (
            "#"
            + k["rank"].astype(str)
            + " in "
            + k["subgroup"].astype(str)
            + " "
            + k["group"].astype(str)
        )
        named = text.groupby(k[S.CUSTOMER_ID].astype(str)).agg(", ".join)
        v["_key"] = v[S.CUSTOMER_ID].astype(str).map(named)
    else:
        v["_key"] = pd.Series(None, index=v.index, dtype=object)
    v["key_client"] = v["_key"].notna()
    v["tests_passed"] = v[["solvent", "interested", "key_client"]].sum(axis=1).astype("int64")
    keep = v["solvent"] & (v["interested"] | v["key_client"])
    v = v[keep].copy()
    share = v["return_share"]
    pct = np.where(
        share < 0.01, "under 1%", (share * 100).round(0).astype("int64").astype(str) + "%"
    )
    solvent_text = np.where(
        share > 0,
        "solvent: " + pd.Series(pct, index=v.index) + " " + ret_word,
        "solvent: nothing returned",
    )
    idle = days.loc[v.index].fillna(0).astype("int64")
    when = np.where(
        idle == 0,
        "on the analysis date",
        idle.astype(str) + np.where(idle == 1, " day", " days") + " before the analysis date",
    )
    interested_text = (
        "still buying: "
        + v["purchase_days"].astype("int64").astype(str)
        + " purchases, the last "
        + pd.Series(when, index=v.index)
    )
    reason = pd.Series(solvent_text, index=v.index)
    reason = reason.where(~v["interested"], reason + "; " + interested_text)
    reason = reason.where(~v["key_client"], reason + "; key client: " + v["_key"].fillna(""))
    v["reason"] = reason
    cols = [S.CUSTOMER_ID]
    if segments is not None:
        _require(segments, [S.CUSTOMER_ID, "segment"], "segments", "Pass assign_segments(...).")
        v = v.merge(segments[[S.CUSTOMER_ID, "segment"]], on=S.CUSTOMER_ID, how="left")
        cols.append("segment")
    cols += [
        value_col,
        "purchase_days",
        "days_since_last_purchase",
        "return_share",
        "solvent",
        "interested",
        "key_client",
        "tests_passed",
        "action",
        "reason",
    ]
    cols = list(dict.fromkeys(cols))
    v["action"] = np.select(
        [v["key_client"] & ~v["interested"], v["key_client"]],
        ["call now: key client gone quiet", "keep close: key client still buying"],
        default="nurture: repeat buyer still buying",
    )
    out = v.sort_values([value_col, S.CUSTOMER_ID], ascending=[False, True])
    out = out[cols].reset_index(drop=True)
    out.attrs = {
        "churn_days": int(churn_days),
        "max_return_share": max_return_share,
        "value_col": value_col,
        **_as_of(values),
    }
    return out


# ------------------------------------------------------------------ movement, figures


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


def segmentation_figures(
    values: pd.DataFrame,
    *,
    segments: pd.DataFrame,
    stages: pd.DataFrame,
    currency: str = "",
) -> KeyFigures:
    """Return the segmentation key figures for the report manifest.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` (every customer of the period).
    segments : pandas.DataFrame
        From :func:`assign_segments`.
    stages : pandas.DataFrame
        From :func:`retainkit.lifecycle.lifecycle_stage`.
    currency : str

    Returns
    -------
    KeyFigures
        ``segmentation.customers`` (every customer with a row in the period),
        ``segmentation.top20_revenue_share`` (net revenue of the top ``ceil(0.2 x N)``
        customers over the total; missing without revenue, or when the total is not
        positive), ``segmentation.gini`` (of net revenue, negative counted as zero),
        ``segmentation.champions`` and ``segmentation.at_risk`` (customers in those
        segments; missing when the rules have no such segment) and
        ``segmentation.loyal_share`` (loyal customers among the active ones:
        new, repeat or loyal).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> s = pd.DataFrame({"segment": pd.Categorical(["Champions"], ["Champions", "At risk"])})
    >>> st = pd.DataFrame({"stage": ["loyal", "new", "lapsed"]})
    >>> segmentation_figures(v, segments=s, stages=st).to_dict()["figures"]
    {'segmentation.customers': 5, 'segmentation.top20_revenue_share': 0.5, 'segmentation.gini': 0.48, 'segmentation.champions': 1, 'segmentation.at_risk': 0, 'segmentation.loyal_share': 0.5}
    """  # noqa: E501
    no_money = "needs revenue: the data has no revenue (nor quantity and unit price)"
    share = gini = None
    reason = no_money
    if S.REVENUE in values.columns:
        row = pareto_summary(values, top_share=0.2).iloc[0]
        share, gini = row["top_revenue_share"], row["gini"]
        reason = "total net revenue is zero or negative"
    names = _categories(segments["segment"])
    counts = segments["segment"].astype(str).value_counts()

    def count(name: str) -> tuple[Any, str]:
        if name not in names:
            return None, f"the segment rules have no {name!r} segment"
        return int(counts.get(name, 0)), ""

    champions, why_c = count("Champions")
    at_risk, why_r = count("At risk")
    stage = stages["stage"].astype(str)
    active = int(stage.isin(["new", "repeat", "loyal"]).sum())
    loyal_share = (stage == "loyal").sum() / active if active else None
    return key_figures(
        [
            figure(
                "segmentation.customers",
                len(values),
                "Customers analysed (any purchase or return in the period)",
                unit="customers",
            ),
            figure(
                "segmentation.top20_revenue_share",
                share,
                "Share of net revenue from the top 20% of customers",
                unit="share",
                reason=reason,
            ),
            figure(
                "segmentation.gini",
                gini,
                "Gini coefficient of net revenue per customer (0 equal, 1 concentrated)",
                reason=reason,
            ),
            figure(
                "segmentation.champions",
                champions,
                "Champions (RFM segment)",
                unit="customers",
                reason=why_c,
            ),
            figure(
                "segmentation.at_risk",
                at_risk,
                "At risk (RFM segment)",
                unit="customers",
                reason=why_r,
            ),
            figure(
                "segmentation.loyal_share",
                loyal_share,
                "Loyal customers among active customers (new, repeat or loyal)",
                unit="share",
                reason="no active customer at the analysis date",
            ),
        ],
        currency=currency,
    )
