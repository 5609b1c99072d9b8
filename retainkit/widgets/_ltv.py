"""Lifetime value scenarios: retention uplift, discount rate, margin and horizon."""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as w
import pandas as pd

from retainkit import display
from retainkit.clv.value import ClvForecast, scenario_table
from retainkit.widgets._base import _preset_table, _presets, scenario_panel

__all__ = ["clv_scenario_panel", "clv_scenario_panel_table", "clv_scenario_view"]


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


def clv_scenario_panel_table(
    forecast: ClvForecast | None,
    *,
    baseline_retention: float,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    target_profit_share: float = 0.5,
    currency: str = "",
    uplifts: Any = (1.0, 2.0, 5.0),
) -> Any:
    """Show the lifetime value at preset retention uplifts: :func:`clv_scenario_panel` on paper.

    Each column is :func:`retainkit.clv.value.scenario_table` (what
    :func:`clv_scenario_view`, which the sliders re-run, shows) with the yearly
    retention raised by that many points and the other levers at the baseline.

    Parameters
    ----------
    forecast : ClvForecast or None
    baseline_retention, discount_rate, margin, horizon_years, target_profit_share : float
        The baseline, as for :func:`clv_scenario_panel`.
    currency : str
    uplifts : sequence of float
        Retention uplifts in percentage points, one column each.

    Returns
    -------
    pandas.io.formats.style.Styler or IPython.display.Markdown
        Its ``data``: ``measure``, ``baseline`` and one column per uplift,
        ``plus_<n>_points`` (``plus_1_point``); without a forecast with spend, one
        sentence saying so.

    Raises
    ------
    DataValidationError
        When ``uplifts`` are not positive numbers.

    Examples
    --------
    >>> import numpy as np
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.array([100.0]),
    ...                 np.arange(1, 13) / 12, np.arange(1, 13)[None, :] / 12,
    ...                 np.arange(1, 13) / 12, 100.0, "weeks")
    >>> t = clv_scenario_panel_table(f, baseline_retention=0.6, horizon_years=1).data
    >>> t.columns.tolist()
    ['measure', 'baseline', 'plus_1_point', 'plus_2_points', 'plus_5_points']
    >>> clv_scenario_panel_table(None, baseline_retention=0.6).data
    'No scenarios without revenue and a purchase model.'
    """
    points = _presets("uplifts", uplifts)
    if forecast is None or not forecast.has_spend:
        return display.markdown("No scenarios without revenue and a purchase model.")
    settings = {
        "baseline_retention": baseline_retention,
        "discount_rate": discount_rate,
        "margin": margin,
        "horizon_years": horizon_years,
        "target_profit_share": target_profit_share,
    }
    first = scenario_table(forecast, **settings)
    frame = first[["measure", "baseline"]].copy()
    names = []
    for p in points:
        name = f"plus_{p:g}_point{'' if p == 1 else 's'}".replace(".", "_")
        frame[name] = scenario_table(forecast, retention_uplift_points=p, **settings)["scenario"]
        names.append(name)
    return _preset_table(
        pd.DataFrame(frame),
        currency=currency,
        decimals=2,
        money_columns=["baseline", *names],
        caption=f"Retention uplifts: the yearly retention of {baseline_retention:.0%} raised by "
        f"{', '.join(f'{p:g}' for p in points)} points, discount rate {discount_rate:.0%} a "
        f"year, margin {margin:.0%}, horizon {horizon_years:g} years; money in "
        f"{currency or 'the data currency'}. In JupyterLab the section's sliders set any uplift "
        "and move the other levers.",
    )
