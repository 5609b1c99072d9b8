"""Time units: how many days each named unit holds.

Every duration retainkit reports names its unit. Months and years use the mean
Gregorian lengths (30.436875 and 365.2425 days), never a silent 30 days.
"""

from __future__ import annotations

__all__ = ["DAYS_PER", "PERIODS", "check_period", "days_per"]

#: Days in each time unit.
DAYS_PER: dict[str, float] = {
    "days": 1.0,
    "weeks": 7.0,
    "months": 365.2425 / 12,
    "years": 365.2425,
}

#: Calendar periods for customer x period tables and cohorts.
PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")


def days_per(time_unit: str) -> float:
    """Return the number of days in ``time_unit``.

    Parameters
    ----------
    time_unit : {"days", "weeks", "months", "years"}

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For any other name.

    Examples
    --------
    >>> days_per("weeks")
    7.0
    >>> round(days_per("months"), 6)
    30.436875
    """
    try:
        return DAYS_PER[time_unit]
    except KeyError:
        raise ValueError(f"time_unit={time_unit!r} is not one of {list(DAYS_PER)}") from None


def check_period(period: str) -> str:
    """Return ``period`` if it is a calendar period retainkit knows, else raise.

    Examples
    --------
    >>> check_period("month")
    'month'
    """
    if period not in PERIODS:
        raise ValueError(f"period={period!r} is not one of {list(PERIODS)}")
    return period
