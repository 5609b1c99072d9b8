"""The monthly review: early warnings about customers we are about to lose, and a call list.

Four detectors, each a pure function of the transactions at ``as_of``:

- :func:`order_value_trend`: company-level average order value, the last ``months``
  against the ``months`` before, with a Welch t-test that says whether the change is
  beyond normal variation;
- :func:`falling_order_value`: customers whose mean order value fell by at least
  ``min_drop`` between the same two windows, with at least ``min_orders`` orders in
  each;
- :func:`overdue_regulars`: regular customers (steady gaps between purchases) now
  overdue by ``overdue_factor`` times their own median gap;
- :func:`dropped_categories`: customers who bought a product range in at least
  ``min_months`` of the ``of_months`` months before the last ``quiet_months`` and
  none since, while still buying other ranges.

:func:`call_list` ranks every active customer who is slipping away by expected value at
risk (:mod:`retainkit.calls`); the detectors' warnings are the reasons on their lines.
:func:`review_thresholds` fits the detectors' thresholds to the data's purchase rhythm.

- :mod:`~retainkit.alerts.windows`: the two windows the review compares;
- :mod:`~retainkit.alerts.trend`: the company's average order value and its change;
- :mod:`~retainkit.alerts.detectors`: the rule detectors, customer by customer;
- :mod:`~retainkit.alerts.settings`: the thresholds as one object (:class:`ReviewThresholds`);
- :mod:`~retainkit.alerts.thresholds`: thresholds that fit the data's rhythm;
- :mod:`~retainkit.alerts.review`: the monthly review and its call list;
"""

from retainkit.alerts.detectors import (
    DROPPED,
    FALLING,
    OVERDUE,
    dropped_categories,
    falling_order_value,
    overdue_regulars,
)
from retainkit.alerts.review import MonthlyReview, call_list, monthly_review
from retainkit.alerts.settings import ReviewThresholds
from retainkit.alerts.thresholds import review_thresholds
from retainkit.alerts.trend import monthly_order_value, order_value_trend
from retainkit.alerts.windows import review_windows

__all__ = [
    "DROPPED",
    "FALLING",
    "OVERDUE",
    "MonthlyReview",
    "ReviewThresholds",
    "call_list",
    "dropped_categories",
    "falling_order_value",
    "monthly_order_value",
    "monthly_review",
    "order_value_trend",
    "overdue_regulars",
    "review_thresholds",
    "review_windows",
]
