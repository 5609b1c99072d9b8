"""Scenario controls for the groundwork notebook.

Both panels re-run the functions the report cells call: :func:`loss_scenario` runs
:func:`retainkit.groundwork.loss_overview`, :func:`review_scenario` runs
:func:`retainkit.alerts.monthly_review`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from retainkit import alerts, groundwork
from retainkit.churn import resolve_churn_days
from retainkit.display import table
from retainkit.engine import resolve_as_of
from retainkit.widgets._base import scenario_panel

__all__ = ["loss_scenario", "review_scenario"]

_STYLE = {"description_width": "initial"}


def loss_scenario(
    transactions: Any,
    *,
    as_of: Any = None,
    churn_days: int = 0,
    lookback_days: int = 365,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    currency: str = "",
) -> w.VBox:
    """Build controls for the loss key figures: inactivity threshold, window, money.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    churn_days : int
        Starting threshold; 0 starts from the one derived from the data.
    lookback_days : int
    margin, horizon_years, discount_rate : float
    currency : str

    Returns
    -------
    ipywidgets.VBox
        A :func:`retainkit.widgets.scenario_panel`.

    Examples
    --------
    >>> import contextlib, io
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     panel = loss_scenario(frame, churn_days=90)
    ...     panel.controls["horizon_years"].value = 1.0
    ...     panel.controls["discount_rate"].value = 0.0
    >>> panel.last_result.to_dict()["figures"]["groundwork.lifetime_value_lost"]
    45.0
    """
    as_of = resolve_as_of(transactions, as_of)
    start_days = resolve_churn_days(transactions, churn_days, as_of=as_of).days
    controls = {
        "churn_days": w.IntSlider(
            value=start_days,
            min=7,
            max=max(730, start_days),
            step=1,
            description="Days without purchase = lost",
            continuous_update=False,
            style=_STYLE,
        ),
        "lookback_days": w.IntSlider(
            value=lookback_days,
            min=60,
            max=max(730, lookback_days),
            step=5,
            description="Window (days)",
            continuous_update=False,
            style=_STYLE,
        ),
        "margin": w.FloatSlider(
            value=margin,
            min=0.0,
            max=1.0,
            step=0.05,
            description="Margin (no cost data)",
            readout_format=".0%",
            continuous_update=False,
            style=_STYLE,
        ),
        "horizon_years": w.FloatSlider(
            value=horizon_years,
            min=1.0,
            max=25.0,
            step=1.0,
            description="Horizon (years)",
            readout_format=".0f",
            continuous_update=False,
            style=_STYLE,
        ),
        "discount_rate": w.FloatSlider(
            value=discount_rate,
            min=0.0,
            max=0.3,
            step=0.01,
            description="Discount rate / year",
            readout_format=".0%",
            continuous_update=False,
            style=_STYLE,
        ),
    }

    def render(**values: Any) -> Any:
        return groundwork.loss_overview(transactions, as_of=as_of, currency=currency, **values)

    return scenario_panel(render, controls, title="Scenario: how many lost, what it cost")


def review_scenario(
    transactions: Any,
    *,
    as_of: Any = None,
    margin: float | None = None,
    customers: pd.DataFrame | None = None,
    currency: str = "",
    **thresholds: Any,
) -> w.VBox:
    """Build controls for the monthly review's detector thresholds.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    margin : float, optional
    customers : pandas.DataFrame, optional
    currency : str
    **thresholds
        Starting values for :func:`retainkit.alerts.monthly_review`'s thresholds.

    Returns
    -------
    ipywidgets.VBox
        Shows the detector summary and the top of the call list.

    Examples
    --------
    >>> import contextlib, io
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     panel = review_scenario(frame, min_orders=2)
    ...     panel.controls["min_drop"].value = 0.6
    >>> int(panel.last_result[0].data["customers_flagged"].iloc[0])
    0
    """
    start = {**_REVIEW_DEFAULTS, **thresholds}
    controls = {
        "min_drop": w.FloatSlider(
            value=start["min_drop"],
            min=0.1,
            max=0.9,
            step=0.05,
            description="Order value drop",
            readout_format=".0%",
            continuous_update=False,
            style=_STYLE,
        ),
        "min_orders": w.IntSlider(
            value=start["min_orders"],
            min=1,
            max=10,
            description="Min orders per window",
            continuous_update=False,
            style=_STYLE,
        ),
        "overdue_factor": w.FloatSlider(
            value=start["overdue_factor"],
            min=1.5,
            max=8.0,
            step=0.5,
            description="Overdue (x usual gap)",
            continuous_update=False,
            style=_STYLE,
        ),
        "max_variation": w.FloatSlider(
            value=start["max_variation"],
            min=0.1,
            max=1.0,
            step=0.05,
            description="Max gap variation",
            continuous_update=False,
            style=_STYLE,
        ),
        "min_purchases": w.IntSlider(
            value=start["min_purchases"],
            min=3,
            max=20,
            description="Min purchase days (regular)",
            continuous_update=False,
            style=_STYLE,
        ),
        "min_months": w.IntSlider(
            value=start["min_months"],
            min=1,
            max=12,
            description="Range bought in months",
            continuous_update=False,
            style=_STYLE,
        ),
    }
    fixed = {k: v for k, v in start.items() if k not in controls}

    def render(**values: Any) -> Any:
        review = alerts.monthly_review(
            transactions,
            as_of=as_of,
            margin=margin,
            customers=customers,
            currency=currency,
            **fixed,
            **values,
        )
        calls = review.calls.head(10)
        return (
            table(review.summary(), caption="Early warnings with these thresholds"),
            table(
                calls,
                currency=currency,
                money_columns=["value_at_risk"],
                date_columns=["last_purchase"],
                caption=f"Top of the call list ({len(review.calls):,} customers), ranked by "
                f"{review.calls.attrs.get('value', 'value at risk')}",
            ),
        )

    return scenario_panel(render, controls, title="Scenario: early-warning thresholds")


_REVIEW_DEFAULTS = {
    "months": 3,
    "min_drop": 0.35,
    "min_orders": 3,
    "min_purchases": 8,
    "max_variation": 0.5,
    "overdue_factor": 3.0,
    "min_months": 5,
    "of_months": 6,
    "quiet_months": 3,
}
