"""Scenario controls for the groundwork notebook.

Both panels re-run the functions the report cells call: :func:`loss_scenario` runs
:func:`retainkit.groundwork.loss_overview`, :func:`review_scenario` runs
:func:`retainkit.alerts.monthly_review` and draws
:func:`retainkit.plotting.plot_calls_curve`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from retainkit import alerts, calls, groundwork
from retainkit.assumptions import ValueAssumptions
from retainkit.display import table
from retainkit.groundwork.window import ChurnWindow
from retainkit.plotting import plot_calls_curve
from retainkit.widgets._base import _preset_table, _presets, scenario_panel

__all__ = ["loss_scenario", "loss_scenario_table", "review_scenario", "review_scenario_table"]

_STYLE = {"description_width": "initial"}


#: The scenario's margin control starts here when the value assumptions leave it to
#: the data's cost (``margin=None``): the default of :class:`ValueAssumptions`.
_DEFAULT_MARGIN: float = ValueAssumptions.__dataclass_fields__["margin"].default


def _loss_start(
    window: ChurnWindow, value: ValueAssumptions | None
) -> tuple[pd.Timestamp, int, int, float, float, float]:
    """Return where the loss controls start: date, threshold, window, margin, horizon, rate."""
    v = ValueAssumptions() if value is None else value
    margin = _DEFAULT_MARGIN if v.margin is None else v.margin
    return (
        window.as_of,
        window.churn_days,
        window.requested_lookback_days,
        margin,
        v.horizon_years,
        v.discount_rate,
    )


def loss_scenario(
    transactions: Any,
    window: ChurnWindow,
    *,
    value: ValueAssumptions | None = None,
    currency: str = "",
) -> w.VBox:
    """Build controls for the loss key figures: inactivity threshold, window, money.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    window : ChurnWindow
        :func:`retainkit.groundwork.churn_window`: the analysis date, and the starting
        threshold and window length (the one asked for) of the controls.
    value : ValueAssumptions, optional
        Starting margin, horizon and discount rate; default ``ValueAssumptions()``.
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
    >>> window = groundwork.churn_window(frame, churn_days=90)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     panel = loss_scenario(frame, window)
    ...     panel.controls["horizon_years"].value = 1.0
    ...     panel.controls["discount_rate"].value = 0.0
    >>> panel.last_result.to_dict()["figures"]["groundwork.lifetime_value_lost"]
    45.0
    """
    as_of, start_days, lookback_days, margin, horizon_years, discount_rate = _loss_start(
        window, value
    )
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


def loss_scenario_table(
    transactions: Any,
    window: ChurnWindow,
    *,
    value: ValueAssumptions | None = None,
    currency: str = "",
    factors: Any = (0.5, 1.0, 2.0),
) -> Any:
    """Show the loss key figures at preset inactivity thresholds: :func:`loss_scenario` on paper.

    Each row is :func:`retainkit.groundwork.loss_overview` (the function the controls
    re-run) with the threshold at a multiple of the starting one, rounded to whole
    days; the other settings stay at the given values.

    Parameters
    ----------
    transactions, window, value, currency
        As for :func:`loss_scenario`.
    factors : sequence of float
        Multiples of the starting threshold, one row each.

    Returns
    -------
    pandas.io.formats.style.Styler
        Its ``data``: ``setting``, ``churn_days``, ``customers_active_at_start``,
        ``customers_lost``, ``churn_rate``, ``revenue_lost_12m``, ``profit_lost_12m``,
        ``lifetime_value_lost`` (NaN where the figure needs more history).

    Raises
    ------
    DataValidationError
        When ``factors`` are not positive numbers.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> window = groundwork.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> t = loss_scenario_table(frame, window).data
    >>> t[["setting", "churn_days", "customers_lost"]].values.tolist()
    [['0.5 x', 45, 1], ['1 x', 90, 1], ['2 x', 180, 1]]
    """
    steps = _presets("factors", factors)
    as_of, start_days, lookback_days, margin, horizon_years, discount_rate = _loss_start(
        window, value
    )
    names = [
        "customers_active_at_start",
        "customers_lost",
        "churn_rate",
        "revenue_lost_12m",
        "profit_lost_12m",
        "lifetime_value_lost",
    ]
    rows = []
    for step in steps:
        days = max(1, round(start_days * step))
        got = groundwork.loss_overview(
            transactions,
            as_of=as_of,
            churn_days=days,
            lookback_days=lookback_days,
            margin=margin,
            horizon_years=horizon_years,
            discount_rate=discount_rate,
            currency=currency,
        ).to_dict()["figures"]
        rows.append(
            {"setting": f"{step:g} x", "churn_days": days}
            | {n: got.get(f"groundwork.{n}") for n in names}
        )
    frame = pd.DataFrame(rows).astype({n: "float64" for n in names[2:]})
    return _preset_table(
        frame,
        currency=currency,
        money_columns=["revenue_lost_12m", "profit_lost_12m", "lifetime_value_lost"],
        share_columns=["churn_rate"],
        integer_columns=["churn_days", "customers_active_at_start", "customers_lost"],
        caption=f"Other inactivity thresholds: the key figures with a customer counted as lost "
        f"after {', '.join(f'{s:g}' for s in steps)} times the {start_days} days used above "
        f"(window {lookback_days} days, margin {margin:.0%}, lifetime value over "
        f"{horizon_years:g} years at {discount_rate:.0%} a year; revenue and profit lost are "
        "yearly). In JupyterLab the section's controls set any value.",
    )


def _review_inputs(review: alerts.MonthlyReview) -> tuple[Any, Any, Any, pd.DataFrame]:
    """Return the analysis date, margin, churn threshold and risk a review was built with."""
    s = review.settings
    return s["as_of"], s.get("margin"), s.get("churn_days"), review.risk


def review_scenario(
    transactions: Any,
    review: alerts.MonthlyReview,
    *,
    customers: pd.DataFrame | None = None,
    currency: str = "",
) -> w.VBox:
    """Build controls for the call list's length and horizon and the detectors' thresholds.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    review : MonthlyReview
        The report's :func:`retainkit.alerts.monthly_review`: the controls start at its
        thresholds, list length and horizon, and reuse its analysis date, margin,
        churn threshold and :func:`retainkit.calls.customer_risk` (refitted only when
        the horizon moves).
    customers : pandas.DataFrame, optional
        Attributes shown in the call list.
    currency : str

    Returns
    -------
    ipywidgets.VBox
        Shows the detector summary, the top of the call list and the calls-vs-value curve.

    Examples
    --------
    >>> import contextlib, io
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = alerts.monthly_review(
    ...     frame, thresholds=alerts.ReviewThresholds(min_orders=2))
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     panel = review_scenario(frame, review)
    ...     panel.controls["min_drop"].value = 0.6
    >>> int(panel.last_result[0].data["customers_flagged"].iloc[0])
    0
    """
    as_of, margin, churn_days, risk = _review_inputs(review)
    base = review.thresholds
    start = {
        "call_list_size": int(review.settings["call_list_size"]),
        "horizon_days": int(review.settings["horizon_days"]),
        **base.to_dict(),
    }
    controls = {
        "call_list_size": w.IntSlider(
            value=start["call_list_size"],
            min=5,
            max=max(500, int(start["call_list_size"])),
            step=5,
            description="Customers to call",
            continuous_update=False,
            style=_STYLE,
        ),
        "horizon_days": w.IntSlider(
            value=start["horizon_days"],
            min=30,
            max=max(365, int(start["horizon_days"])),
            step=15,
            description="Horizon (days)",
            continuous_update=False,
            style=_STYLE,
        ),
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
        "min_purchases": w.IntSlider(
            value=start["min_purchases"],
            min=3,
            max=20,
            description="Min purchase days (regular)",
            continuous_update=False,
            style=_STYLE,
        ),
    }
    start_names = set(base.names())
    # one model fit per horizon: the list length and the thresholds do not refit it
    risks: dict[int, pd.DataFrame] = {}
    if risk is not None:
        risks[int(risk.attrs.get("horizon_days", start["horizon_days"]))] = risk

    def render(**values: Any) -> Any:
        horizon = int(values["horizon_days"])
        if horizon not in risks:
            risks[horizon] = calls.customer_risk(
                transactions,
                as_of=as_of,
                horizon_days=horizon,
                churn_days=churn_days,
                margin=margin,
                currency=currency,
            )
        review = alerts.monthly_review(
            transactions,
            thresholds=base.replace(**{k: v for k, v in values.items() if k in start_names}),
            as_of=as_of,
            call_list_size=int(values["call_list_size"]),
            horizon_days=horizon,
            margin=margin,
            customers=customers,
            currency=currency,
            churn_days=churn_days,
            risk=risks[horizon],
        )
        fig, ax = plt.subplots(figsize=(8, 3.6))
        plot_calls_curve(review.risk, calls=len(review.calls), currency=currency, ax=ax)
        plt.close(fig)
        return (
            table(review.summary(), caption="Early warnings with these thresholds"),
            table(
                review.calls.drop(columns=list(calls.CALL_COLUMNS)),
                currency=currency,
                money_columns=["value_at_risk", "value_recent", "value_year", "expected_value"],
                share_columns=["p_alive"],
                date_columns=["last_purchase"],
                max_rows=10,
                caption=f"Top of the call list ({len(review.calls):,} customers), ranked by "
                f"value at risk over the next {horizon} days",
            ),
            fig,
        )

    return scenario_panel(render, controls, title="Scenario: the call list and its warnings")


def review_scenario_table(
    transactions: Any,
    review: alerts.MonthlyReview,
    *,
    customers: pd.DataFrame | None = None,
    currency: str = "",
    factors: Any = (0.5, 1.0, 2.0),
) -> Any:
    """Show the call list at preset lengths: :func:`review_scenario` on paper.

    Each row is :func:`retainkit.alerts.monthly_review` (the function the controls
    re-run) with ``call_list_size`` at a multiple of the starting one, rounded to whole
    customers; the horizon and the thresholds stay at their starting values, so one
    model fit (``risk``) serves every row.

    Parameters
    ----------
    transactions, review, customers, currency
        As for :func:`review_scenario`.
    factors : sequence of float
        Multiples of the starting ``call_list_size``, one row each.

    Returns
    -------
    pandas.io.formats.style.Styler
        Its ``data``: ``setting``, ``customers_to_call``, ``value_at_risk`` (of the
        customers on the list), ``share_of_value_at_risk`` (of every slipping customer's)
        and ``last_call_value_at_risk`` (what the last call on the list reaches).

    Raises
    ------
    DataValidationError
        When ``factors`` are not positive numbers.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = alerts.monthly_review(frame, as_of="2024-12-31", call_list_size=2)
    >>> t = review_scenario_table(frame, review).data
    >>> t[["setting", "customers_to_call"]].values.tolist()
    [['0.5 x', 1], ['1 x', 1], ['2 x', 1]]
    """
    steps = _presets("factors", factors)
    as_of, margin, churn_days, risk = _review_inputs(review)
    thresholds = review.thresholds
    call_list_size = int(review.settings["call_list_size"])
    horizon = int(review.settings["horizon_days"])
    if risk is None or int(risk.attrs.get("horizon_days", horizon)) != horizon:
        risk = calls.customer_risk(
            transactions,
            as_of=as_of,
            horizon_days=horizon,
            churn_days=churn_days,
            margin=margin,
            currency=currency,
        )
    rows = []
    for step in steps:
        size = max(1, round(int(call_list_size) * step))
        review = alerts.monthly_review(
            transactions,
            thresholds=thresholds,
            as_of=as_of,
            call_list_size=size,
            horizon_days=horizon,
            margin=margin,
            customers=customers,
            currency=currency,
            churn_days=churn_days,
            risk=risk,
        )
        listed = review.calls["value_at_risk"]
        total = float(review.curve()["value_at_risk"].iloc[-1]) if len(listed) else 0.0
        rows.append(
            {
                "setting": f"{step:g} x",
                "customers_to_call": len(listed),
                "value_at_risk": float(listed.sum()),
                "share_of_value_at_risk": float(listed.sum()) / total if total > 0 else np.nan,
                "last_call_value_at_risk": float(listed.iloc[-1]) if len(listed) else np.nan,
            }
        )
    what = risk.attrs.get("value", "value")
    return _preset_table(
        pd.DataFrame(rows),
        currency=currency,
        money_columns=["value_at_risk", "last_call_value_at_risk"],
        share_columns=["share_of_value_at_risk"],
        integer_columns=["customers_to_call"],
        caption=f"Other list lengths: {', '.join(f'{s:g}' for s in steps)} times the "
        f"{int(call_list_size)} customers to call above; value at risk = expected "
        f"shortfall of {what} in the next {horizon} days against the last {horizon}, of the "
        "customers on the list and of the last one. In JupyterLab the section's controls also "
        "move the horizon and the warnings' thresholds.",
    )
