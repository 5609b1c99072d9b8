"""Discounting: the one rule by which every lifetime value weighs future money.

Money comes at the end of each step (a month, or a step of a model's forecast grid) and is
discounted from that end at the yearly rate ``d``: a step ending ``t`` years from now weighs
``(1 + d)^-t``, which for monthly steps is compounding at the equivalent monthly rate
``(1 + d)^(1/12) - 1``. A horizon that ends inside a step counts that step's share inside
the horizon (2.5 months count half of the third month). Used by the groundwork notebook's
value of lost customers, the model-based lifetime value and the retention scenarios.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["annuity_factor", "monthly_step_ends", "step_weights"]

_EPS = 1e-9


def _check(horizon_years: float, discount_rate: float) -> None:
    if horizon_years < 0:
        raise ValueError(f"horizon_years={horizon_years} must not be negative")
    if discount_rate <= -1:
        raise ValueError(f"discount_rate={discount_rate} must be above -1")


def monthly_step_ends(horizon_years: float) -> np.ndarray:
    """Return the ends of the months that a horizon touches, in years: 1/12, 2/12, ...

    Examples
    --------
    >>> monthly_step_ends(0.2) * 12  # 2.4 months touch three months
    array([1., 2., 3.])
    """
    _check(horizon_years, 0.0)
    return np.arange(1, math.ceil(horizon_years * 12 - _EPS) + 1) / 12


def step_weights(
    ends_years: np.ndarray, *, horizon_years: float, discount_rate: float
) -> np.ndarray:
    """Weight of the money of each step: its share inside the horizon times its discount.

    Parameters
    ----------
    ends_years : array
        Increasing ends of consecutive steps starting at 0, in years.
    horizon_years : float
        Years counted.
    discount_rate : float
        Yearly rate, e.g. 0.1 for 10%.

    Returns
    -------
    numpy.ndarray
        ``clip((horizon - start) / (end - start), 0, 1) x (1 + discount_rate)^-end``.

    Examples
    --------
    >>> # steps of half a year, 0.75 years counted at 10%: 1.1^-0.5 and half of 1.1^-1
    >>> step_weights(np.array([0.5, 1.0]), horizon_years=0.75, discount_rate=0.1).round(6)
    array([0.953463, 0.454545])
    """
    _check(horizon_years, discount_rate)
    ends = np.asarray(ends_years, dtype=float)
    starts = np.concatenate([[0.0], ends[:-1]])
    inside = np.clip((horizon_years - starts) / np.maximum(ends - starts, 1e-12), 0.0, 1.0)
    return inside * (1.0 + discount_rate) ** (-ends)


def annuity_factor(*, horizon_years: float, discount_rate: float) -> float:
    """Present value of 1 a year, paid in monthly twelfths, over ``horizon_years``.

    Examples
    --------
    >>> annuity_factor(horizon_years=20, discount_rate=0)  # $1,000 a month: 240,000 / 12,000
    20.0
    >>> round(12_000 * annuity_factor(horizon_years=1, discount_rate=0.1), 2)
    11400.49
    """
    ends = monthly_step_ends(horizon_years)
    weights = step_weights(ends, horizon_years=horizon_years, discount_rate=discount_rate)
    return float(weights.sum() / 12)
