"""The value assumptions: margin, horizon and discount rate, as one settings object."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from retainkit.exceptions import DataValidationError

__all__ = ["ValueAssumptions"]


@dataclass(frozen=True)
class ValueAssumptions:
    """What a customer's future is worth: margin, horizon and discount rate.

    Every lifetime value the notebooks show (lost, expected, historical) is computed
    under these three assumptions; passing them as one object keeps the sections, the
    key figures and the scenario controls on the same numbers.

    Attributes
    ----------
    margin : float or None
        Gross margin (0-1) for profit when the data has no cost column; None: the
        data's cost gives profit (a log without cost then counts revenue).
    horizon_years : float
        Years of future purchases counted (more than 0).
    discount_rate : float
        Yearly discount rate (0 or more), applied per month by
        :mod:`retainkit.discounting`.

    Raises
    ------
    DataValidationError
        When a value is out of range; the message names it and the allowed range.

    Examples
    --------
    >>> v = ValueAssumptions(margin=0.4, horizon_years=3)
    >>> v.margin, v.horizon_years, v.discount_rate
    (0.4, 3, 0.1)
    >>> v.replace(discount_rate=0.0).discount_rate
    0.0
    >>> ValueAssumptions(margin=1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    retainkit.exceptions.DataValidationError: margin=1.5 must be between 0 and 1 ...
    """

    margin: float | None = 0.3
    horizon_years: float = 5.0
    discount_rate: float = 0.1

    def __post_init__(self) -> None:
        """Check the ranges."""
        m = self.margin
        if m is not None and not (isinstance(m, int | float) and 0 <= m <= 1):
            raise DataValidationError(f"margin={m!r} must be between 0 and 1 (a share: 0.3 is 30%)")
        h = self.horizon_years
        if not (isinstance(h, int | float) and math.isfinite(h) and h > 0):
            raise DataValidationError(f"horizon_years={h!r} must be a number of years above 0")
        r = self.discount_rate
        if not (isinstance(r, int | float) and math.isfinite(r) and r >= 0):
            raise DataValidationError(
                f"discount_rate={r!r} must be 0 or more (a yearly rate: 0.1 is 10%)"
            )

    def replace(self, **changes: Any) -> ValueAssumptions:
        """Return a copy with some assumptions changed.

        Examples
        --------
        >>> ValueAssumptions().replace(horizon_years=20).horizon_years
        20
        """
        return dataclasses.replace(self, **changes)
