"""Lifetime value scenarios: how the value moves with its levers.

- :func:`scenario_table`: one scenario (retention uplift, discount rate, margin, horizon)
  against a baseline;
- :func:`sensitivity_table`: each lever moved alone to its preset values.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from retainkit.clv._checks import _check_share
from retainkit.clv.model_value import (
    ClvForecast,
    _increments,
    _weights,
    new_customer_value,
)
from retainkit.discounting import monthly_step_ends, step_weights

__all__ = ["SENSITIVITY_PRESETS", "scenario_table", "sensitivity_table"]

#: Preset values of the static sensitivity table.
SENSITIVITY_PRESETS: dict[str, tuple[float, ...]] = {
    "retention_uplift_points": (0.0, 5.0, 10.0),
    "discount_rate": (0.05, 0.10, 0.15),
    "margin": (0.2, 0.3, 0.4),
    "horizon_years": (3.0, 5.0, 10.0),
}


def _retention_factor(
    retention: float, uplift_points: float, horizon_years: float, discount_rate: float
) -> float:
    """Value with the yearly retention raised by ``uplift_points``, relative to without.

    Uses the retention-based value sum_k r^t_k w_k over the months t_k of the horizon,
    with the weights w_k of :func:`retainkit.discounting.step_weights`.
    """
    if uplift_points == 0:
        return 1.0
    steps = monthly_step_ends(horizon_years)
    weights = step_weights(steps, horizon_years=horizon_years, discount_rate=discount_rate)
    new = min(retention + uplift_points / 100, 0.999)
    base = float(np.sum(retention**steps * weights))
    return float(np.sum(new**steps * weights)) / base if base > 0 else float("nan")


def scenario_table(
    forecast: ClvForecast,
    *,
    baseline_retention: float,
    retention_uplift_points: float = 0.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    target_profit_share: float = 0.5,
    baseline: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Lifetime value, revenue and acquisition budget under a scenario, against a baseline.

    The scenario prices the model forecast at its discount rate, margin and horizon;
    a retention uplift raises the yearly retention from ``baseline_retention`` by that
    many points and scales values by how much more a customer kept with the higher
    rate is worth (the retention-based value, sum of r^t discounted).

    Parameters
    ----------
    forecast : ClvForecast
    baseline_retention : float
        Yearly retention now (e.g. the retained share over 12 months), 0-1.
    retention_uplift_points : float
        Percentage points added to it.
    discount_rate, margin, horizon_years, target_profit_share : float
        The scenario's values.
    baseline : dict, optional
        ``discount_rate``, ``margin``, ``horizon_years``, ``target_profit_share`` of the
        baseline; default: the scenario's own without uplift.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``baseline``, ``scenario``, ``change`` (share): lifetime value per
        customer, of all current customers, expected revenue over the horizon, and
        the allowable acquisition cost.

    Examples
    --------
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.array([100.0]),
    ...                 np.arange(1, 13) / 12, np.arange(1, 13)[None, :] / 12,
    ...                 np.arange(1, 13) / 12, 100.0, "weeks")
    >>> t = scenario_table(f, baseline_retention=0.6, retention_uplift_points=5,
    ...                    discount_rate=0.0, margin=0.5, horizon_years=1)
    >>> t["measure"].tolist()[0], round(float(t["change"].iloc[0]), 3)
    ('lifetime value per customer', 0.041)
    """
    _check_share("baseline_retention", baseline_retention)
    base_args = {
        "discount_rate": discount_rate,
        "margin": margin,
        "horizon_years": horizon_years,
        "target_profit_share": target_profit_share,
        **(baseline or {}),
    }

    spend_purchases, valued = _spend_purchases(forecast)

    def measures(d: float, m: float, h: float, share: float, uplift: float) -> list[float]:
        # the totals of customer_value's columns, from the customers' summed spend x
        # monthly purchases: linear in the month weights, so one sum serves every scenario
        _check_share("margin", m)
        total = m * float(spend_purchases @ _weights(forecast, h, d))
        revenue = float(spend_purchases @ _weights(forecast, h, 0.0))
        factor = _retention_factor(baseline_retention, uplift, h, d)
        revenue_factor = _retention_factor(baseline_retention, uplift, h, 0.0)
        new_value = new_customer_value(forecast, horizon_years=h, discount_rate=d, margin=m)
        return [
            (total / valued if valued else float("nan")) * factor,
            total * factor,
            revenue * revenue_factor,
            new_value * factor * (1 - share),
        ]

    base = measures(
        base_args["discount_rate"],
        base_args["margin"],
        base_args["horizon_years"],
        base_args["target_profit_share"],
        0.0,
    )
    scen = measures(
        discount_rate, margin, horizon_years, target_profit_share, retention_uplift_points
    )
    out = pd.DataFrame(
        {
            "measure": [
                "lifetime value per customer",
                "lifetime value of all current customers",
                "expected revenue from current customers over the horizon",
                "allowable acquisition cost per new customer",
            ],
            "baseline": base,
            "scenario": scen,
        }
    )
    out["change"] = np.where(out["baseline"] != 0, out["scenario"] / out["baseline"] - 1, np.nan)
    return out


_LAST_SUMS: list[tuple[Any, Any, np.ndarray, int]] = []


def _spend_purchases(forecast: ClvForecast) -> tuple[np.ndarray, int]:
    """Return sum over customers of spend x expected purchases in each month, and their count.

    Only customers whose value :func:`~retainkit.clv.model_value.customer_value` can
    price (no NaN in their spend or purchases) count, as its ``clv`` column's sum and
    mean skip the others. The last forecast's sums are kept (by weak reference to its
    arrays): a sensitivity table prices 26 scenarios of one forecast, each once
    2 x customers x months of work (636,596 customers: 17.9 s for the table, 0.7 s so).
    """
    if _LAST_SUMS:
        cumulative, spend, sums, valued = _LAST_SUMS[0]
        if cumulative() is forecast.cumulative and spend() is forecast.expected_spend:
            return sums, valued
    increments = _increments(forecast.cumulative)
    spend = np.asarray(forecast.expected_spend, dtype="float64")
    ok = ~np.isnan(spend) & ~np.isnan(increments).any(axis=1)
    sums, valued = spend[ok] @ increments[ok], int(ok.sum())
    _LAST_SUMS[:] = [
        (weakref.ref(forecast.cumulative), weakref.ref(forecast.expected_spend), sums, valued)
    ]
    return sums, valued


def sensitivity_table(
    forecast: ClvForecast,
    *,
    baseline_retention: float,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    target_profit_share: float = 0.5,
    presets: dict[str, tuple[float, ...]] | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of the lifetime value to the scenario's levers.

    Each row changes one lever to a preset value and keeps the others at the given
    values.

    Parameters
    ----------
    forecast : ClvForecast
    baseline_retention : float
        Yearly retention now, 0-1.
    discount_rate, margin, horizon_years, target_profit_share : float
        The baseline values.
    presets : dict, optional
        Lever -> values; default :data:`SENSITIVITY_PRESETS`.

    Returns
    -------
    pandas.DataFrame
        ``lever``, ``value`` (as text), ``clv_per_customer``, ``clv_total``,
        ``max_acquisition_cost``, ``change`` (share, against the baseline).

    Examples
    --------
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.array([100.0]),
    ...                 np.arange(1, 121) / 12, np.arange(1, 121)[None, :] / 12,
    ...                 np.arange(1, 121) / 12, 100.0, "weeks")
    >>> t = sensitivity_table(f, baseline_retention=0.6)
    >>> len(t), t["lever"].iloc[0]
    (12, 'retention uplift')
    """
    presets = presets or SENSITIVITY_PRESETS
    base = dict(
        discount_rate=discount_rate,
        margin=margin,
        horizon_years=horizon_years,
        target_profit_share=target_profit_share,
    )
    labels = {
        "retention_uplift_points": ("retention uplift", lambda v: f"+{v:g} points"),
        "discount_rate": ("discount rate", lambda v: f"{v:.0%} a year"),
        "margin": ("gross margin", lambda v: f"{v:.0%}"),
        "horizon_years": ("horizon", lambda v: f"{v:g} years"),
    }
    base_value = None
    rows = []
    for lever, values in presets.items():
        name, fmt = labels[lever]
        for v in values:
            args = dict(base)
            uplift = 0.0
            if lever == "retention_uplift_points":
                uplift = v
            else:
                args[lever] = v
            if args["horizon_years"] > forecast.grid_years[-1] + 1e-9:
                continue
            t = scenario_table(
                forecast,
                baseline_retention=baseline_retention,
                retention_uplift_points=uplift,
                baseline=base,
                **args,
            )
            if base_value is None:
                base_value = float(t["baseline"].iloc[0])
            rows.append(
                {
                    "lever": name,
                    "value": fmt(v),
                    "clv_per_customer": float(t["scenario"].iloc[0]),
                    "clv_total": float(t["scenario"].iloc[1]),
                    "max_acquisition_cost": float(t["scenario"].iloc[3]),
                }
            )
    out = pd.DataFrame(rows)
    out["change"] = out["clv_per_customer"] / base_value - 1 if base_value else np.nan
    return out
