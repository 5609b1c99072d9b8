"""Lifetime value scenarios: retention uplift, discount rate, margin and horizon."""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as w

from retainkit import display
from retainkit.clv.value import ClvForecast, scenario_table
from retainkit.widgets._base import scenario_panel

__all__ = ["clv_scenario_panel", "clv_scenario_view"]


def clv_scenario_view(
    forecast: ClvForecast,
    *,
    baseline_retention: float,
    retention_uplift_points: float = 0.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    target_profit_share: float = 0.5,
    baseline: dict[str, float] | None = None,
    currency: str = "",
) -> Any:
    """Show a scenario against the baseline: the table the report and the widget share.

    Parameters
    ----------
    forecast : ClvForecast
        From :func:`retainkit.clv.value.clv_forecast`.
    baseline_retention : float
        Yearly retention now, 0-1.
    retention_uplift_points, discount_rate, margin, horizon_years, target_profit_share : float
        The scenario (see :func:`retainkit.clv.value.scenario_table`).
    baseline : dict, optional
        The baseline's discount rate, margin, horizon and target profit share.
    currency : str

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> import numpy as np
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.array([100.0]),
    ...                 np.arange(1, 13) / 12, np.arange(1, 13)[None, :] / 12,
    ...                 np.arange(1, 13) / 12, 100.0, "weeks")
    >>> view = clv_scenario_view(f, baseline_retention=0.6, retention_uplift_points=5,
    ...                          horizon_years=1, currency="$")
    >>> "+5 points" in view.caption
    True
    """
    table = scenario_table(
        forecast,
        baseline_retention=baseline_retention,
        retention_uplift_points=retention_uplift_points,
        discount_rate=discount_rate,
        margin=margin,
        horizon_years=horizon_years,
        target_profit_share=target_profit_share,
        baseline=baseline,
    )
    caption = (
        f"Scenario: yearly retention {baseline_retention:.0%} +{retention_uplift_points:g} "
        f"points, discount rate {discount_rate:.0%} a year, margin {margin:.0%}, "
        f"horizon {horizon_years:g} years; money in {currency or 'the data currency'}"
    )
    return display.table(
        table,
        currency=currency,
        money_columns=["baseline", "scenario"],
        share_columns=["change"],
        caption=caption,
    )


def clv_scenario_panel(
    forecast: ClvForecast | None,
    *,
    baseline_retention: float,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    target_profit_share: float = 0.5,
    currency: str = "",
) -> w.VBox | Any:
    """Sliders for retention uplift, discount rate, margin and horizon over the scenario.

    Scenarios are in money: without a forecast with spend (no revenue, or no purchase
    model) the panel is one sentence saying so, so a notebook calls it unconditionally.

    Parameters
    ----------
    forecast : ClvForecast or None
    baseline_retention : float
        Yearly retention now, 0-1.
    discount_rate, margin, horizon_years, target_profit_share : float
        The baseline (the notebook's parameters); the sliders start there.
    currency : str

    Returns
    -------
    ipywidgets.VBox or IPython.display.Markdown
        See :func:`retainkit.widgets.scenario_panel`.

    Examples
    --------
    >>> import contextlib, io
    >>> import numpy as np
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.array([100.0]),
    ...                 np.arange(1, 121) / 12, np.arange(1, 121)[None, :] / 12,
    ...                 np.arange(1, 121) / 12, 100.0, "weeks")
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     panel = clv_scenario_panel(f, baseline_retention=0.6)
    ...     panel.controls["retention_uplift_points"].value = 5
    >>> "+5 points" in panel.last_result.caption
    True
    >>> clv_scenario_panel(None, baseline_retention=0.6).data
    'No scenarios without revenue and a purchase model.'
    """
    if forecast is None or not forecast.has_spend:
        return display.markdown("No scenarios without revenue and a purchase model.")
    top = float(forecast.grid_years[-1])
    controls = {
        "retention_uplift_points": w.FloatSlider(
            value=0.0,
            min=0.0,
            max=20.0,
            step=1.0,
            description="Yearly retention + points",
            readout_format="+.0f",
        ),
        "discount_rate": w.FloatSlider(
            value=discount_rate,
            min=0.0,
            max=0.3,
            step=0.01,
            description="Discount rate / year",
            readout_format=".0%",
        ),
        "margin": w.FloatSlider(
            value=margin,
            min=0.05,
            max=0.9,
            step=0.01,
            description="Margin",
            readout_format=".0%",
        ),
        "horizon_years": w.FloatSlider(
            value=min(horizon_years, top),
            min=1.0,
            max=top,
            step=0.5,
            description="Horizon (years)",
            readout_format=".1f",
        ),
    }
    render = functools.partial(
        clv_scenario_view,
        forecast,
        baseline_retention=baseline_retention,
        target_profit_share=target_profit_share,
        baseline={
            "discount_rate": discount_rate,
            "margin": margin,
            "horizon_years": horizon_years,
            "target_profit_share": target_profit_share,
        },
        currency=currency,
    )
    return scenario_panel(
        render,
        controls,
        title="Lifetime value scenarios: move a slider to see value, revenue and budget change",
    )
