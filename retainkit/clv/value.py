"""What a customer is worth, and what that lets you spend to win one.

The lifetime value functions in one namespace (``rk.clv.value``), as the notebooks call
them; each lives in the module of its concept:

- :mod:`retainkit.clv.historical`: :func:`historical_clv`, the formula value, average
  order value x purchases per year x expected lifespan x margin, per customer;
  :func:`historical_clv_by_segment` per segment.
- :mod:`retainkit.clv.model_value`: :func:`clv_forecast` and :func:`customer_value`, the
  model value, expected gross profit from future purchases (BG/NBD x Gamma-Gamma) over
  a horizon, discounted; :func:`new_customer_value`, :func:`payback_months`,
  :func:`acquisition_budget`: the allowable acquisition cost per segment and how long it
  takes to earn it back; :func:`incentive_check` for a single figure such as "$10,000
  lifetime value, $199 incentive".
- :mod:`retainkit.clv.scenarios`: :func:`scenario_table`, :func:`sensitivity_table`: how
  the value moves with retention, discount rate, margin and horizon.
- :mod:`retainkit.clv.segments`: :func:`pick_segment_column`, :func:`clv_by_segment`;
  :mod:`retainkit.clv.margin`: :func:`resolve_margin`.

Money is in the data's currency; durations say their unit in their names. Months are
365.2425 / 12 days and years 365.2425 days, never a silent 30 or 360.
"""

from __future__ import annotations

from retainkit.clv.historical import historical_clv, historical_clv_by_segment
from retainkit.clv.margin import resolve_margin
from retainkit.clv.model_value import (
    ClvForecast,
    acquisition_budget,
    clv_forecast,
    customer_value,
    incentive_check,
    new_customer_value,
    payback_months,
)
from retainkit.clv.scenarios import SENSITIVITY_PRESETS as SENSITIVITY_PRESETS
from retainkit.clv.scenarios import scenario_table, sensitivity_table
from retainkit.clv.segments import clv_by_segment, pick_segment_column

__all__ = [
    "ClvForecast",
    "acquisition_budget",
    "clv_by_segment",
    "clv_forecast",
    "customer_value",
    "historical_clv",
    "historical_clv_by_segment",
    "incentive_check",
    "new_customer_value",
    "payback_months",
    "pick_segment_column",
    "resolve_margin",
    "scenario_table",
    "sensitivity_table",
]
