"""RFM scores: recency, frequency and money scored 1 to ``bins`` by balanced quantile bins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.segmentation._inputs import _as_of, _require


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
