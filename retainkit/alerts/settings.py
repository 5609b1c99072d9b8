"""The thresholds of the monthly review's rule detectors, as one settings object."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["ReviewThresholds"]


@dataclass(frozen=True)
class ReviewThresholds:
    """The thresholds of the monthly review's rule detectors.

    :func:`retainkit.alerts.review_thresholds` fits them to the data's purchase rhythm;
    :func:`retainkit.alerts.monthly_review` and the review's scenario controls take them
    as one object instead of nine keyword arguments.

    Attributes
    ----------
    months : int
        Length of the recent and of the previous window compared, in months
        (:func:`~retainkit.alerts.falling_order_value`, the company trend).
    min_drop : float
        Flag customers whose average order value fell by at least this share (0-1).
    min_orders : int
        Orders a customer needs in each window before their order value is judged.
    min_purchases : int
        Purchase days that make a customer a regular
        (:func:`~retainkit.alerts.overdue_regulars`).
    max_variation : float
        Regulars' gaps vary at most this much (standard deviation over mean).
    overdue_factor : float
        Flag regulars silent for this many times their usual gap.
    min_months, of_months, quiet_months : int
        Flag a product range bought in at least ``min_months`` of the ``of_months``
        months before the last ``quiet_months`` months and not since
        (:func:`~retainkit.alerts.dropped_categories`).

    Examples
    --------
    >>> t = ReviewThresholds(months=4)
    >>> t.months, t.min_drop
    (4, 0.35)
    >>> t.replace(min_drop=0.5).min_drop
    0.5
    """

    months: int = 3
    min_drop: float = 0.35
    min_orders: int = 3
    min_purchases: int = 8
    max_variation: float = 0.5
    overdue_factor: float = 3.0
    min_months: int = 5
    of_months: int = 6
    quiet_months: int = 3

    @classmethod
    def names(cls) -> list[str]:
        """Return the thresholds' names, in their order.

        Examples
        --------
        >>> ReviewThresholds.names()[:3]
        ['months', 'min_drop', 'min_orders']
        """
        return [f.name for f in dataclasses.fields(cls)]

    def replace(self, **changes: Any) -> ReviewThresholds:
        """Return a copy with some thresholds changed.

        Raises
        ------
        TypeError
            When a name is not a threshold; the message lists the names.

        Examples
        --------
        >>> ReviewThresholds().replace(quiet_months=4).quiet_months
        4
        """
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise TypeError(f"unknown thresholds {unknown}; use {self.names()}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the thresholds by name.

        Examples
        --------
        >>> ReviewThresholds().to_dict()["overdue_factor"]
        3.0
        """
        return dataclasses.asdict(self)
