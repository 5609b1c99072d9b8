"""Lifecycle stages: from the first purchase (new) to repeat buyer to loyal customer.

A customer is *new* after their first purchase, *repeat* from their second purchase
day, and *loyal* once they have bought on at least ``loyal_purchases`` days spread
over at least ``loyal_months`` months (see :func:`retainkit.engine.purchase_journeys`).
Whatever their stage, a customer with no purchase for more than ``churn_days`` days is
*lapsed*. Stage counts over time come from
:func:`retainkit.engine.lifecycle_counts`.

Conversion between stages is measured with the Kaplan-Meier estimator: customers
who reached a stage recently have had little time to move on, so a plain "share who
converted" would understate conversion; Kaplan-Meier uses each customer for as long
as they have been observed (censored at the analysis date). It treats the time to
the next stage like a survival time: a lapsed customer who has not converted stays
in the base, since they may still come back and convert.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.exceptions import SchemaError
from retainkit.survival import kaplan_meier

__all__ = ["TRANSITIONS", "conversion_curve", "lifecycle_stage", "stage_conversion"]

#: Stage changes measured: label -> (date the earlier stage was reached, date of the later).
TRANSITIONS: dict[str, tuple[str, str]] = {
    "new → repeat": ("first_purchase", "repeat_date"),
    "repeat → loyal": ("repeat_date", "loyal_date"),
    "new → loyal": ("first_purchase", "loyal_date"),
}


def _check(journeys: pd.DataFrame) -> pd.Timestamp:
    needed = [S.CUSTOMER_ID, "first_purchase", "repeat_date", "loyal_date", "last_purchase"]
    missing = [c for c in needed if c not in journeys.columns]
    if missing:
        raise SchemaError(
            f"journeys lack {missing}; found {list(journeys.columns)}. "
            "Pass rk.engine.purchase_journeys(...)."
        )
    if "as_of" not in journeys.attrs:
        raise SchemaError(
            "journeys carry no analysis date (attrs['as_of']); pass "
            "rk.engine.purchase_journeys(...) unchanged or set journeys.attrs['as_of']"
        )
    return pd.Timestamp(journeys.attrs["as_of"])


def lifecycle_stage(journeys: pd.DataFrame, *, churn_days: int) -> pd.DataFrame:
    """Return each customer's stage at the analysis date.

    Parameters
    ----------
    journeys : pandas.DataFrame
        From :func:`retainkit.engine.purchase_journeys` (its ``attrs["as_of"]`` is the
        analysis date).
    churn_days : int
        Days without a purchase after which a customer counts as lapsed.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and ``stage``, a categorical: ``new``, ``repeat``, ``loyal``,
        ``lapsed``. Loyal customers became loyal by the analysis date and bought
        within ``churn_days`` days of it.

    Raises
    ------
    SchemaError
        When a column or the analysis date is missing.

    Examples
    --------
    >>> j = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01", "2024-03-01", "2023-01-01"]),
    ...     "repeat_date": pd.to_datetime(["2024-02-01", None, "2023-02-01"]),
    ...     "loyal_date": pd.to_datetime(["2024-03-15", None, None]),
    ...     "last_purchase": pd.to_datetime(["2024-03-15", "2024-03-01", "2023-02-01"])})
    >>> j.attrs["as_of"] = pd.Timestamp("2024-03-31")
    >>> lifecycle_stage(j, churn_days=90)["stage"].tolist()
    ['loyal', 'new', 'lapsed']
    """
    as_of = _check(journeys)
    if churn_days < 1:
        raise ValueError(f"churn_days={churn_days!r} must be at least 1 day")
    idle = (as_of - journeys["last_purchase"]).dt.days
    stage = np.select(
        [
            idle > churn_days,
            journeys["loyal_date"].notna(),
            journeys["repeat_date"].notna(),
        ],
        ["lapsed", "loyal", "repeat"],
        default="new",
    )
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: journeys[S.CUSTOMER_ID].to_numpy(),
            "stage": pd.Categorical(stage, categories=["new", "repeat", "loyal", "lapsed"]),
        }
    )
    out.attrs = {"as_of": as_of, "churn_days": int(churn_days)}
    return out


def _kaplan_meier(durations: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    """Share converted by each event time: 1 - :func:`retainkit.survival.kaplan_meier`."""
    curve = kaplan_meier(
        pd.DataFrame({"days": durations, "converted": events}), duration="days", event="converted"
    )
    hit = curve[curve["events"] > 0]
    return pd.DataFrame(
        {
            "days": hit["time"].to_numpy(dtype="int64"),
            "at_risk": hit["at_risk"].to_numpy(dtype="int64"),
            "converted": hit["events"].to_numpy(dtype="int64"),
            "share_converted": 1.0 - hit["survival"].to_numpy(dtype=float),
        }
    )


def _durations(
    journeys: pd.DataFrame, transition: str, as_of: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    if transition not in TRANSITIONS:
        raise ValueError(f"transition={transition!r} is not one of {list(TRANSITIONS)}")
    start_col, end_col = TRANSITIONS[transition]
    reached = journeys[journeys[start_col].notna()]
    start = reached[start_col]
    end = reached[end_col]
    events = end.notna().to_numpy()
    stop = end.where(end.notna(), as_of)
    return (stop - start).dt.days.to_numpy(dtype="int64"), events


def conversion_curve(journeys: pd.DataFrame, *, transition: str = "new → repeat") -> pd.DataFrame:
    """Return the share of customers who have moved on to the next stage, by days since.

    Parameters
    ----------
    journeys : pandas.DataFrame
        From :func:`retainkit.engine.purchase_journeys`.
    transition : str
        One of :data:`TRANSITIONS`: ``"new → repeat"``, ``"repeat → loyal"``,
        ``"new → loyal"``.

    Returns
    -------
    pandas.DataFrame
        One row per day on which someone converted: ``days`` (since reaching the
        earlier stage), ``at_risk`` (customers observed that long without converting),
        ``converted`` (customers converting that day) and ``share_converted``
        (Kaplan-Meier estimate, 0-1). ``attrs``: ``transition``, ``customers`` (who
        reached the earlier stage), ``followed_days`` (longest observation), ``as_of``.

    Raises
    ------
    SchemaError
        When a column or the analysis date is missing.
    ValueError
        For an unknown transition.

    Examples
    --------
    >>> j = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01"] * 3 + ["2024-03-01"]),
    ...     "repeat_date": pd.to_datetime(["2024-01-11", "2024-01-31", None, None]),
    ...     "loyal_date": pd.NaT, "last_purchase": pd.NaT})
    >>> j.attrs["as_of"] = pd.Timestamp("2024-03-21")
    >>> conversion_curve(j)[["days", "at_risk", "converted", "share_converted"]]
       days  at_risk  converted  share_converted
    0    10        4          1            0.250
    1    30        2          1            0.625
    """
    as_of = _check(journeys)
    durations, events = _durations(journeys, transition, as_of)
    out = _kaplan_meier(durations, events)
    out.attrs = {
        "transition": transition,
        "customers": len(durations),
        "followed_days": int(durations.max()) if len(durations) else 0,
        "as_of": as_of,
    }
    return out


def stage_conversion(
    journeys: pd.DataFrame,
    *,
    horizons_days: Sequence[int] = (90, 180, 365),
    min_followed: int = 50,
) -> pd.DataFrame:
    """Return conversion rates between stages and the time conversion takes.

    Parameters
    ----------
    journeys : pandas.DataFrame
        From :func:`retainkit.engine.purchase_journeys`.
    horizons_days : sequence of int
        Days after reaching the earlier stage at which the share converted is read.
    min_followed : int
        A horizon's share is given only when at least this many customers reached the
        earlier stage that many days before the analysis date (else NaN: the data is
        too short to say).

    Returns
    -------
    pandas.DataFrame
        One row per transition (:data:`TRANSITIONS`): ``transition``, ``customers``
        (who reached the earlier stage), ``converted`` (by the analysis date),
        ``within_{h}_days`` for each horizon (Kaplan-Meier share converted within
        ``h`` days, 0-1) and ``median_days`` (days by which half have converted; NaN
        when fewer than half ever do within the data).

    Raises
    ------
    SchemaError
        When a column or the analysis date is missing.

    Examples
    --------
    >>> j = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01"] * 3 + ["2024-03-01"]),
    ...     "repeat_date": pd.to_datetime(["2024-01-11", "2024-01-31", None, None]),
    ...     "loyal_date": pd.NaT, "last_purchase": pd.NaT})
    >>> j.attrs["as_of"] = pd.Timestamp("2024-03-21")
    >>> t = stage_conversion(j, horizons_days=(20, 60), min_followed=4)
    >>> t[["customers", "converted", "within_20_days", "within_60_days", "median_days"]].head(1)
       customers  converted  within_20_days  within_60_days  median_days
    0          4          2            0.25             NaN         30.0
    """
    as_of = _check(journeys)
    rows = []
    for transition, (start_col, _end) in TRANSITIONS.items():
        durations, events = _durations(journeys, transition, as_of)
        curve = _kaplan_meier(durations, events)
        followed = (as_of - journeys[start_col].dropna()).dt.days.to_numpy()
        row: dict[str, object] = {
            "transition": transition,
            "customers": len(durations),
            "converted": int(events.sum()),
        }
        for h in horizons_days:
            upto = curve[curve["days"] <= h]
            share = float(upto["share_converted"].iloc[-1]) if len(upto) else 0.0
            enough = int((followed >= h).sum()) >= min_followed
            row[f"within_{int(h)}_days"] = share if enough else np.nan
        half = curve[curve["share_converted"] >= 0.5]
        row["median_days"] = float(half["days"].iloc[0]) if len(half) else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = {
        "as_of": as_of,
        **{k: journeys.attrs[k] for k in journeys.attrs if k.startswith("loyal")},
    }
    return out
