"""The two windows the monthly review compares: the last months and the months before."""

from __future__ import annotations

from typing import Any

import pandas as pd


def review_windows(as_of: Any, *, months: int = 3) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the two windows the review compares: the last ``months`` and those before.

    Each window holds the days after its start up to and including its end.

    Examples
    --------
    >>> w = review_windows("2024-12-31", months=3)
    >>> [(a.date().isoformat(), b.date().isoformat()) for a, b in w.values()]
    [('2024-06-30', '2024-09-30'), ('2024-09-30', '2024-12-31')]
    """
    if months <= 0:
        raise ValueError(f"months={months} must be positive")
    end = pd.Timestamp(as_of).normalize()
    middle = end - pd.DateOffset(months=months)
    start = middle - pd.DateOffset(months=months)
    return {"previous": (start, middle), "recent": (middle, end)}
