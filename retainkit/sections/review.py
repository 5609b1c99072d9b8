"""The groundwork notebook's monthly review sections: early warnings, call list, backtest.

Each function is one section of the monthly review in ``01_groundwork.ipynb`` and returns
what it shows (story, tables, figures) as a :class:`retainkit.display.Parts`, from a
:class:`retainkit.alerts.MonthlyReview` or a :class:`retainkit.calls.CallListBacktest`.
Figures are closed in pyplot, so that a notebook shows each one once.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from retainkit import calls
from retainkit.alerts.review import MonthlyReview
from retainkit.calls.backtest import CallListBacktest
from retainkit.display import Parts, table
from retainkit.plotting import plot_calls_curve
from retainkit.sections.call_list import backtest_story, backtest_table
from retainkit.sections.review_story import detector_tables, review_story, trend_section

__all__ = [
    "backtest_section",
    "call_list_section",
    "calls_curve_section",
    "warnings_section",
    "winback_section",
]


def warnings_section(
    review: MonthlyReview, transactions: Any, *, currency: str = "", rows_shown: int = 20
) -> Parts:
    """Show the early warnings: the order-value trend, what each check flagged, and whom.

    Parameters
    ----------
    review : MonthlyReview
        :func:`retainkit.alerts.monthly_review`.
    transactions : Transactions, pandas.DataFrame or ibis Table
        The transactions ``review`` was computed from (for the monthly order values).
    currency : str
    rows_shown : int
        Rows shown of each detector's table.

    Returns
    -------
    Parts
        :func:`trend_section` (a verdict and a figure, or a note without
        revenue), the table of :meth:`MonthlyReview.summary`, then
        :func:`detector_tables`.

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit import alerts
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> [type(p).__name__ for p in warnings_section(alerts.monthly_review(frame), frame)]
    ['Markdown', 'Styler', 'Styler']
    """
    return Parts(
        [
            *trend_section(review, transactions, currency=currency),
            table(
                review.summary(),
                integer_columns=["customers_flagged"],
                caption="Early warnings: what each looks for and how many customers it flagged",
            ),
            *detector_tables(review, currency=currency, rows_shown=rows_shown),
        ]
    )


def call_list_section(review: MonthlyReview, *, currency: str = "", rows_shown: int = 20) -> Parts:
    """Say what the call list holds, and show it.

    Parameters
    ----------
    review : MonthlyReview
        :func:`retainkit.alerts.monthly_review`.
    currency : str
    rows_shown : int
        Rows of the list shown (the caption counts them all).

    Returns
    -------
    Parts
        :func:`review_story`, then the call list (without the columns the
        caller fills in, :data:`retainkit.calls.CALL_COLUMNS`).

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit import alerts
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> story, styled = call_list_section(alerts.monthly_review(frame, as_of="2024-12-31"))
    >>> "Customers to call (1), ranked by value at risk" in styled.to_html()
    True
    """
    days = review.settings["horizon_days"]
    return Parts(
        [
            review_story(review, currency=currency),
            table(
                review.calls.drop(columns=list(calls.CALL_COLUMNS)),
                currency=currency,
                money_columns=["value_at_risk", "value_recent", "value_year", "expected_value"],
                share_columns=["p_alive"],
                date_columns=["last_purchase"],
                max_rows=rows_shown,
                caption=f"Customers to call ({len(review.calls):,}), ranked by value at risk: "
                f"expected shortfall of {review.risk.attrs['value']} in the next {days} "
                f"days against the last {days}; P alive = probability still buying",
            ),
        ]
    )


def calls_curve_section(review: MonthlyReview, *, currency: str = "") -> Parts:
    """Show how much of the value at risk the first N calls reach: curve and table.

    Parameters
    ----------
    review : MonthlyReview
        :func:`retainkit.alerts.monthly_review`; the list's length is marked on the curve.
    currency : str

    Returns
    -------
    Parts
        :func:`retainkit.plotting.plot_calls_curve` and the table of
        :meth:`MonthlyReview.curve`.

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit import alerts
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> fig, styled = calls_curve_section(alerts.monthly_review(frame, as_of="2024-12-31"))
    >>> "first N calls (next 180 days)" in styled.to_html()
    True
    """
    days = review.settings["horizon_days"]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    plot_calls_curve(review.risk, calls=review.settings["call_list_size"], currency=currency, ax=ax)
    plt.close(fig)
    return Parts(
        [
            fig,
            table(
                review.curve(),
                currency=currency,
                money_columns=["value_at_risk", "per_call"],
                share_columns=["share"],
                integer_columns=["calls"],
                caption=f"Value at risk covered by the first N calls (next {days} days); "
                "per call = value at risk of the last customer reached",
            ),
        ]
    )


def winback_section(review: MonthlyReview, *, currency: str = "", rows_shown: int = 20) -> Parts:
    """Show the customers to win back, most valuable in the last year first.

    Parameters
    ----------
    review : MonthlyReview
        :func:`retainkit.alerts.monthly_review`.
    currency : str
    rows_shown : int

    Returns
    -------
    Parts
        One table of ``review.winback`` (without the caller's columns and the value at
        risk, which is nil for them).

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit import alerts
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-12-20"]),
    ...     "revenue": [100.0, 10.0, 10.0]})
    >>> review = alerts.monthly_review(frame, as_of="2024-12-31", churn_days=90)
    >>> "Customers to win back (first 1), ranked by" in winback_section(review)[0].to_html()
    True
    """
    return Parts(
        [
            table(
                review.winback.drop(columns=[*calls.CALL_COLUMNS, "value_at_risk", "value_recent"]),
                currency=currency,
                money_columns=["value_year", "expected_value"],
                share_columns=["p_alive"],
                date_columns=["last_purchase"],
                max_rows=rows_shown,
                caption=f"Customers to win back (first {len(review.winback):,}), ranked by "
                f"{review.risk.attrs['value']} in the last 365 days",
            )
        ]
    )


def backtest_section(backtest: CallListBacktest, *, currency: str = "") -> Parts:
    """Say whether the list built in the past would have found who left, and compare lists.

    Parameters
    ----------
    backtest : CallListBacktest
        :func:`retainkit.calls.backtest_call_list`.
    currency : str

    Returns
    -------
    Parts
        :func:`backtest_story` and :func:`backtest_table`
        (both the backtest's note when there is no backtest).

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit import alerts
    >>> bt = CallListBacktest(pd.Timestamp("2024-06-01"), 180, None, 0, 0.0, "money", "n/a")
    >>> [p.data for p in backtest_section(bt)]
    ['n/a', 'n/a']
    """
    return Parts(
        [
            backtest_story(backtest, currency=currency),
            backtest_table(backtest, currency=currency),
        ]
    )
