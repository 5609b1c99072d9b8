"""The company's average order value: its monthly course and the change the review tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from retainkit import engine
from retainkit.alerts.windows import review_windows

_DAY = pd.Timedelta(days=1)


def order_value_trend(
    transactions: Any, *, as_of: Any = None, months: int = 3, alpha: float = 0.05
) -> pd.DataFrame:
    """Average order value of the last ``months`` against the ``months`` before.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
        Default: last order date.
    months : int
        Window length in calendar months.
    alpha : float
        Significance level for "beyond normal variation".

    Returns
    -------
    pandas.DataFrame
        One row: ``previous_start``, ``recent_end``, ``orders_previous``,
        ``orders_recent``, ``aov_previous``, ``aov_recent`` (mean order value),
        ``change`` (relative, recent / previous - 1), ``difference_low`` and
        ``difference_high`` (95% interval of recent minus previous), ``p_value``
        (Welch's t-test on the order values), ``beyond_normal_variation``
        (p below ``alpha``) and ``verdict`` (one sentence).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": list("abcdefgh"),
    ...     "order_date": pd.to_datetime(["2024-08-01"] * 4 + ["2024-11-01"] * 4),
    ...     "revenue": [10.0, 12.0, 11.0, 9.0, 5.0, 6.0, 4.0, 5.0]})
    >>> t = order_value_trend(frame, as_of="2024-12-31")
    >>> t[["aov_previous", "aov_recent", "change"]].round(3)
       aov_previous  aov_recent  change
    0          10.5         5.0  -0.524
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    windows = review_windows(as_of, months=months)
    s = engine.order_value_stats(transactions, windows=windows).set_index("window")
    n1, m1, s1 = s.loc["previous", ["orders", "mean_order_value", "std_order_value"]]
    n2, m2, s2 = s.loc["recent", ["orders", "mean_order_value", "std_order_value"]]
    p = low = high = np.nan
    if n1 >= 2 and n2 >= 2:
        v1, v2 = s1**2 / n1, s2**2 / n2
        se = np.sqrt(v1 + v2)
        if se > 0:
            t = (m2 - m1) / se
            df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
            p = float(2 * stats.t.sf(abs(t), df))
            q = stats.t.ppf(0.975, df)
            low, high = (m2 - m1) - q * se, (m2 - m1) + q * se
    change = m2 / m1 - 1 if m1 and not np.isnan(m1) else np.nan
    beyond = bool(p < alpha) if not np.isnan(p) else False
    if np.isnan(p):
        verdict = "Too few orders in one of the windows to judge the change."
    elif beyond:
        direction = "fell" if change < 0 else "rose"
        verdict = (
            f"Average order value {direction} by {abs(change):.1%}: beyond normal variation "
            f"(p = {p:.3f})."
        )
    else:
        verdict = (
            f"Average order value changed by {change:+.1%}, within normal variation (p = {p:.2f})."
        )
    return pd.DataFrame(
        {
            "previous_start": [windows["previous"][0] + _DAY],
            "recent_end": [as_of],
            "orders_previous": [int(n1)],
            "orders_recent": [int(n2)],
            "aov_previous": [m1],
            "aov_recent": [m2],
            "change": [change],
            "difference_low": [low],
            "difference_high": [high],
            "p_value": [p],
            "beyond_normal_variation": [beyond],
            "verdict": [verdict],
        }
    )


def monthly_order_value(transactions: Any, *, as_of: Any = None, months: int = 24) -> pd.DataFrame:
    """Average order value per calendar month, for the trend plot.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
    months : int
        How many months back from the month of ``as_of``.

    Returns
    -------
    pandas.DataFrame
        ``month_start``, ``orders``, ``mean_order_value``, ``std_order_value``; the
        month of ``as_of`` may be partial.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
    ...     "revenue": [10.0, 20.0]})
    >>> monthly_order_value(frame, months=2)[["month_start", "mean_order_value"]]
      month_start  mean_order_value
    0  2024-01-01              10.0
    1  2024-02-01              20.0
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    last = as_of.to_period("M").to_timestamp()
    starts = pd.date_range(end=last, periods=months, freq="MS")
    out = engine.order_value_by_month(transactions, first_month=starts[0], as_of=as_of)
    # the month starts as pandas makes them, whatever resolution the engine returned
    out["month_start"] = starts[starts.get_indexer(pd.DatetimeIndex(out["month_start"]))]
    return out
