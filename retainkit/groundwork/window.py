"""The lookback window in which lost customers are counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit.churn import ChurnThreshold, resolve_churn_days
from retainkit.groundwork._base import _DAY


@dataclass(frozen=True)
class ChurnWindow:
    """The lookback window and the churn threshold it is read with.

    Attributes
    ----------
    as_of : pandas.Timestamp
        End of the window (inclusive day).
    churn : ChurnThreshold
        ``churn.days`` is the inactivity threshold, with its explanation.
    lookback_days : int
        Window length actually used.
    requested_lookback_days : int
        Window length asked for; longer than ``lookback_days`` when the history is
        too short (see ``note``).
    start : pandas.Timestamp
        ``as_of - lookback_days``.
    history_start : pandas.Timestamp
        First order day in the data.
    feasible : bool
        False when the history is too short for any window (``note`` says why).
    note : str
        Plain-words statement of the window, for reports.
    """

    as_of: pd.Timestamp
    churn: ChurnThreshold
    lookback_days: int
    requested_lookback_days: int
    start: pd.Timestamp
    history_start: pd.Timestamp
    feasible: bool
    note: str

    @property
    def churn_days(self) -> int:
        """The inactivity threshold in days."""
        return self.churn.days

    @property
    def lost_after(self) -> pd.Timestamp:
        """Lost customers' last purchase falls after this day ..."""
        return self.start - pd.Timedelta(days=self.churn_days)

    @property
    def lost_until(self) -> pd.Timestamp:
        """... and on or before this one."""
        return self.as_of - pd.Timedelta(days=self.churn_days)

    @property
    def is_full_year(self) -> bool:
        """True when the window is the 365 days the ``_12m`` key figures need."""
        return self.feasible and self.lookback_days == 365


def churn_window(
    transactions: Any,
    *,
    as_of: Any = None,
    churn_days: int | None = 0,
    lookback_days: int = 365,
    min_lookback_days: int = 60,
) -> ChurnWindow:
    """Fix the analysis window, shortening it when the history is too short.

    Counting the customers lost in a window needs ``lookback_days + churn_days`` of
    history before ``as_of`` (the active base at the start looks ``churn_days``
    further back). With less, the window is shortened to what the history allows, and
    ``note`` says so; below ``min_lookback_days`` the window is not feasible.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        End of the window; default: last order date.
    churn_days : int, optional
        Inactivity threshold in days; 0 or None derives it from the data
        (:func:`retainkit.churn.resolve_churn_days`).
    lookback_days : int
        Window length in days.
    min_lookback_days : int
        Shortest window worth reporting.

    Returns
    -------
    ChurnWindow

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2022-01-01", "2024-12-31"])})
    >>> w = churn_window(frame, churn_days=90)
    >>> w.start.date(), w.lost_after.date(), w.lost_until.date(), w.is_full_year
    (datetime.date(2024, 1, 1), datetime.date(2023, 10, 3), datetime.date(2024, 10, 2), True)
    """
    if lookback_days <= 0:
        raise ValueError(f"lookback_days={lookback_days} must be positive")
    as_of = engine.resolve_as_of(transactions, as_of)
    churn = resolve_churn_days(transactions, churn_days, as_of=as_of)
    history_start = _first_day(transactions)
    available = (as_of - history_start).days - churn.days
    used = min(lookback_days, available)
    feasible = used >= min_lookback_days
    if not feasible:
        used = lookback_days
        note = (
            f"The data covers {(as_of - history_start).days} days up to {as_of:%d %b %Y}; "
            f"counting losses needs at least {min_lookback_days + churn.days} days "
            f"({churn.days} days of inactivity plus a window of {min_lookback_days} days), "
            "so this section cannot be computed."
        )
    elif used < lookback_days:
        note = (
            f"The data covers only {(as_of - history_start).days} days up to {as_of:%d %b %Y}, "
            f"too short for a {lookback_days}-day window with a {churn.days}-day inactivity "
            f"threshold; losses are counted over the last {used} days instead."
        )
    else:
        note = (
            f"Losses are counted over the {used} days from "
            f"{as_of - pd.Timedelta(days=used) + _DAY:%d %b %Y} to {as_of:%d %b %Y}."
        )
    return ChurnWindow(
        as_of=as_of,
        churn=churn,
        lookback_days=int(used),
        requested_lookback_days=int(lookback_days),
        start=as_of - pd.Timedelta(days=int(used)),
        history_start=history_start,
        feasible=feasible,
        note=note,
    )


def _first_day(transactions: Any) -> pd.Timestamp:
    return engine.date_span(transactions)[0].normalize()
