"""Kaplan-Meier survival curves: how long customers keep buying.

The estimator handles customers who are still buying (censored: we only know their
tenure is at least as long as observed) alongside those who have been lost.
Intervals use Greenwood's variance on the log(-log) scale, so they stay within 0-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["kaplan_meier", "median_survival"]


def _one_curve(
    durations: np.ndarray, events: np.ndarray, z: float, entries: np.ndarray | None = None
) -> pd.DataFrame:
    order = np.argsort(durations, kind="stable")
    t, e = durations[order], events[order].astype(int)
    times, first = np.unique(t, return_index=True)
    counts = np.diff(np.append(first, len(t)))
    deaths = np.add.reduceat(e, first) if len(t) else np.array([], dtype=int)
    at_risk = len(t) - first
    at_start = len(t)
    if entries is not None:
        # entered after time `entry` (left truncation): at risk at t only when entry < t
        later = np.sort(entries)
        at_risk = at_risk - (len(later) - np.searchsorted(later, times, side="left"))
        at_start = int((later <= 0).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1 - deaths / at_risk, 1.0)
        survival = np.cumprod(factor)
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), np.nan)
        greenwood = np.cumsum(np.nan_to_num(terms))
        log_s = np.log(survival)
        se = np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(z * se)
        high = survival ** np.exp(-z * se)
    low = np.where(survival > 0, np.where(np.isfinite(low), low, survival), 0.0)
    high = np.where(survival > 0, np.where(np.isfinite(high), high, survival), 0.0)
    high = np.where(greenwood == 0, survival, high)
    low = np.where(greenwood == 0, survival, low)
    curve = pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": deaths,
            "censored": counts - deaths,
            "survival": survival,
            "ci_low": low,
            "ci_high": high,
        }
    )
    start = pd.DataFrame(
        {
            "time": [0],
            "at_risk": [at_start],
            "events": [0],
            "censored": [0],
            "survival": [1.0],
            "ci_low": [1.0],
            "ci_high": [1.0],
        }
    )
    if len(curve) and curve["time"].iloc[0] == 0:
        return curve
    return pd.concat([start, curve], ignore_index=True)


def kaplan_meier(
    frame: pd.DataFrame,
    *,
    duration: str = "tenure_days",
    event: str = "lost",
    group: str | None = None,
    confidence: float = 0.95,
    entry: str | None = None,
) -> pd.DataFrame:
    """Estimate the survival curve S(t): the share of customers still buying after t.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer, e.g. :func:`retainkit.groundwork.tenure_durations`.
    duration : str
        Column with the time observed (days).
    event : str
        Boolean column: True when the customer was lost at that time, False when they
        are still buying (censored).
    group : str, optional
        Column splitting the customers into curves; missing values form
        ``"(unknown)"``.
    confidence : float
        Confidence level of the interval.
    entry : str, optional
        Column of the time each customer came under observation (left truncation,
        delayed entry): a customer is in the data only because they were still there at
        ``entry``, so they count as at risk only after it (``entry < t <= duration``).
        Default: everyone from time 0.

    Returns
    -------
    pandas.DataFrame
        One row per group and distinct time (plus time 0): ``group`` (only with
        ``group``), ``time``, ``at_risk``, ``events``, ``censored``, ``survival``,
        ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> frame = pd.DataFrame({"tenure_days": [1, 2, 2, 3], "lost": [True, True, False, True]})
    >>> kaplan_meier(frame)[["time", "at_risk", "events", "survival"]]
       time  at_risk  events  survival
    0     0        4       0      1.00
    1     1        4       1      0.75
    2     2        3       1      0.50
    3     3        1       1      0.00
    """
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    if frame[duration].isna().any() or (frame[duration] < 0).any():
        raise ValueError(f"column {duration!r} must hold durations of 0 or more, without gaps")
    if entry is not None:
        late = frame[entry].isna() | (frame[entry] < 0) | (frame[entry] > frame[duration])
        if late.any():
            raise ValueError(
                f"column {entry!r} must hold entry times from 0 to the row's {duration!r}; "
                f"{int(late.sum())} rows differ, first at index {frame.index[late.to_numpy()][0]!r}"
            )

    def entries(part: pd.DataFrame) -> np.ndarray | None:
        return None if entry is None else part[entry].to_numpy()

    if group is None:
        return _one_curve(
            frame[duration].to_numpy(), frame[event].to_numpy(bool), z, entries(frame)
        )
    labels = frame[group].astype(object).where(frame[group].notna(), "(unknown)").astype(str)
    curves = []
    for name, part in frame.groupby(labels, sort=True):
        curve = _one_curve(part[duration].to_numpy(), part[event].to_numpy(bool), z, entries(part))
        curve.insert(0, "group", name)
        curves.append(curve)
    return pd.concat(curves, ignore_index=True)


def median_survival(curve: pd.DataFrame) -> pd.DataFrame | float:
    """Return the first time the survival curve reaches 50% or below (NaN if never).

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`kaplan_meier`.

    Returns
    -------
    float, or pandas.DataFrame with ``group`` and ``median_time`` for grouped curves.

    Examples
    --------
    >>> frame = pd.DataFrame({"tenure_days": [1, 2, 2, 3], "lost": [True, True, False, True]})
    >>> median_survival(kaplan_meier(frame))
    2.0
    """

    def first_half(part: pd.DataFrame) -> float:
        below = part.loc[part["survival"] <= 0.5, "time"]
        return float(below.iloc[0]) if len(below) else float("nan")

    if "group" not in curve:
        return first_half(curve)
    rows = [{"group": g, "median_time": first_half(p)} for g, p in curve.groupby("group")]
    return pd.DataFrame(rows)
