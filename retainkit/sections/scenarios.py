"""The lifetime value notebook's scenarios: retention, discount rate, margin and horizon."""

from __future__ import annotations

import pandas as pd

from retainkit.clv.model_value import ClvForecast
from retainkit.clv.scenarios import sensitivity_table
from retainkit.display import Parts, markdown, table

__all__ = [
    "FALLBACK_RETENTION",
    "scenario_baseline",
    "scenario_intro",
    "scenario_tables",
]

#: Yearly retention the scenarios start from when the data's own retained share cannot be
#: measured (less than a year and ``churn_days`` of history): about the published yearly
#: retention of retail, 63% (``data/benchmarks.csv``), rounded down to a round figure, so
#: that a retention uplift is priced on a plausible base rather than not at all.
FALLBACK_RETENTION = 0.6


def _has_value(forecast: ClvForecast | None) -> bool:
    return forecast is not None and forecast.has_spend


def scenario_baseline(rates: pd.DataFrame) -> float:
    """Yearly retention the scenarios start from: the measured retained share, if any.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`retainkit.metrics.retention_rates` over a year: ``retained_share``.

    Returns
    -------
    float
        The retained share, or :data:`FALLBACK_RETENTION` when it is NaN.

    Examples
    --------
    >>> scenario_baseline(pd.DataFrame({"retained_share": [0.55]}))
    0.55
    >>> scenario_baseline(pd.DataFrame({"retained_share": [float("nan")]}))
    0.6
    """
    share = float(rates.iloc[0]["retained_share"])
    return share if share == share else FALLBACK_RETENTION


def scenario_intro(forecast: ClvForecast | None, rates: pd.DataFrame) -> Parts:
    """Say what the scenarios start from, or why there are none.

    Parameters
    ----------
    forecast : ClvForecast or None
        :func:`retainkit.sections.model_values`; scenarios need one with spend.
    rates : pandas.DataFrame
        As for :func:`scenario_baseline`.

    Returns
    -------
    Parts
        One sentence.

    Examples
    --------
    >>> scenario_intro(None, pd.DataFrame({"retained_share": [0.5]}))[0].data
    'Scenarios are in money: they need revenue and a fitted purchase model.'
    """
    if not _has_value(forecast):
        text = markdown("Scenarios are in money: they need revenue and a fitted purchase model.")
    elif rates.iloc[0]["retained_share"] != rates.iloc[0]["retained_share"]:
        text = markdown(
            "The yearly retained share cannot be measured here; the scenarios start from "
            f"{FALLBACK_RETENTION:.0%}."
        )
    else:
        text = markdown(
            "The scenarios start from the yearly retained share measured above, {r:.1%}.",
            r=scenario_baseline(rates),
        )
    return Parts([text])


def scenario_tables(
    forecast: ClvForecast | None,
    *,
    baseline_retention: float,
    discount_rate: float,
    margin: float,
    horizon_years: float,
    target_profit_share: float,
    currency: str = "",
    retention_uplift_points: float = 5,
) -> Parts:
    """Show, for the report, one scenario against the baseline and the sensitivity table.

    Parameters
    ----------
    forecast : ClvForecast or None
        :func:`retainkit.sections.model_values`.
    baseline_retention, discount_rate, margin, horizon_years, target_profit_share : float
        The baseline (the notebook's parameters).
    currency : str
    retention_uplift_points : float
        The static scenario's retention uplift.

    Returns
    -------
    Parts
        :func:`retainkit.widgets.clv_scenario_view` at the uplift, and
        :func:`retainkit.clv.value.sensitivity_table`; or why there are none.

    Examples
    --------
    >>> [p.data for p in scenario_tables(None, baseline_retention=0.6, discount_rate=0.1,
    ...     margin=0.3, horizon_years=5, target_profit_share=0.5)]
    ['No scenario without revenue.', 'No sensitivity table without revenue.']
    """
    if not _has_value(forecast):
        return Parts(
            [
                markdown("No scenario without revenue."),
                markdown("No sensitivity table without revenue."),
            ]
        )
    from retainkit.widgets import clv_scenario_view

    settings = {
        "baseline_retention": baseline_retention,
        "discount_rate": discount_rate,
        "margin": margin,
        "horizon_years": horizon_years,
        "target_profit_share": target_profit_share,
    }
    view = clv_scenario_view(
        forecast,
        retention_uplift_points=retention_uplift_points,
        currency=currency,
        **settings,
    )
    sensitivity = table(
        sensitivity_table(forecast, **settings).rename(
            columns={
                "clv_per_customer": "lifetime value per customer",
                "clv_total": "lifetime value, all customers",
                "max_acquisition_cost": "allowable acquisition cost",
            }
        ),
        currency=currency,
        decimals=2,
        money_columns=[
            "lifetime value per customer",
            "lifetime value, all customers",
            "allowable acquisition cost",
        ],
        share_columns=["change"],
        caption="Sensitivity: one lever at a time at preset values, the others at the parameters "
        "(change: lifetime value per customer against the parameters)",
    )
    return Parts([view, sensitivity])
