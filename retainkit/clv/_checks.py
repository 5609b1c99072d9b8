"""Checks of the lifetime value functions' arguments."""

from __future__ import annotations

import math


def _check_share(name: str, value: float, *, upper: float = 1.0) -> float:
    if not 0 <= value <= upper or math.isnan(value):
        raise ValueError(f"{name}={value!r} must lie between 0 and {upper}")
    return float(value)
