"""The rule detectors' thresholds, fitted to the data's purchase rhythm."""

from __future__ import annotations

from typing import Any

import numpy as np

from retainkit import calls, engine
from retainkit.alerts.settings import ReviewThresholds


def review_thresholds(transactions: Any, *, as_of: Any = None, **given: Any) -> ReviewThresholds:
    """Return thresholds of the rule detectors that fit the data's purchase rhythm.

    Thresholds passed in ``given`` with a value above 0 are kept; the others are derived
    from the data's typical gap ``g`` between purchase days (the median over repeat
    customers of their median gap, :func:`retainkit.calls.typical_gap_days`), so that a
    business whose customers buy a few times a year gets rules that can fire:

    - ``months`` (each order-value window): ``ceil(3 g / 30.44)`` months, 3 to 12;
    - ``min_orders`` (per window): 3 when a window holds 6 typical gaps or more, else 2;
    - ``min_purchases`` (a regular): half the purchase days of two years at that
      rhythm, ``round(365 / g)``, 4 to 8;
    - ``quiet_months``: ``ceil(2 g / 30.44)``, 3 to 12; ``of_months``: twice that, 6 to
      12; ``min_months``: 80% of the habit months in which a customer buying every
      ``g`` days would buy, at least 2;
    - ``min_drop``, ``max_variation``, ``overdue_factor``: 0.35, 0.5, 3.0.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    **given
        Any of the fields of :class:`ReviewThresholds` (the notebook's parameters);
        0 or None means "derive".

    Returns
    -------
    ReviewThresholds
        Every threshold, for :func:`monthly_review`'s ``thresholds``.

    Raises
    ------
    TypeError
        When a name in ``given`` is not a threshold.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2023-01-01", periods=9, freq="91D")  # every 13 weeks
    >>> frame = pd.DataFrame({"customer_id": "a", "order_date": days})
    >>> t = review_thresholds(frame, months=4)
    >>> t.months, t.min_orders, t.min_purchases, t.quiet_months, t.min_months
    (4, 2, 4, 6, 3)
    """
    ReviewThresholds().replace(**given)  # unknown names fail here, before any query
    as_of = engine.resolve_as_of(transactions, as_of)
    gap = calls.typical_gap_days(engine.gap_statistics(transactions, as_of=as_of))
    g = gap if np.isfinite(gap) and gap > 0 else 30.44
    month = 30.44
    months = int(np.clip(np.ceil(3 * g / month), 3, 12))
    quiet = int(np.clip(np.ceil(2 * g / month), 3, 12))
    of_months = int(np.clip(2 * quiet, 6, 12))
    derived = {
        "months": months,
        "min_drop": 0.35,
        "min_orders": 3 if months * month / g >= 6 else 2,
        "min_purchases": int(np.clip(round(365 / g), 4, 8)),
        "max_variation": 0.5,
        "overdue_factor": 3.0,
        "quiet_months": quiet,
        "of_months": of_months,
        "min_months": max(2, round(0.8 * of_months * min(1.0, month / g))),
    }
    fitted = ReviewThresholds(**derived).replace(**{k: v for k, v in given.items() if v})
    if fitted.min_months > fitted.of_months:
        fitted = fitted.replace(min_months=fitted.of_months)
    return fitted
