"""The scenario sections: where they start, the sliders, the report's static tables."""

import numpy as np
import pandas as pd

from retainkit.clv.value import ClvForecast
from retainkit.sections import scenario_baseline, scenario_intro, scenario_tables
from retainkit.sections.scenarios import FALLBACK_RETENTION


def _forecast(spend=100.0):
    return ClvForecast(
        np.array(["a"]), np.ones(1), np.array([spend]), np.arange(1, 121) / 12,
        np.arange(1, 121)[None, :] / 12, np.arange(1, 121) / 12, spend, "weeks",
    )  # fmt: skip


MEASURED = pd.DataFrame({"retained_share": [0.55]})
UNMEASURED = pd.DataFrame({"retained_share": [np.nan]})
SETTINGS = {
    "baseline_retention": 0.55,
    "discount_rate": 0.1,
    "margin": 0.3,
    "horizon_years": 5.0,
    "target_profit_share": 0.5,
}


def test_baseline_is_the_measured_share_else_the_fallback():
    assert scenario_baseline(MEASURED) == 0.55
    assert scenario_baseline(UNMEASURED) == FALLBACK_RETENTION == 0.6


def test_intro_says_where_the_scenarios_start():
    (measured,) = scenario_intro(_forecast(), MEASURED)
    assert measured.data.endswith("the yearly retained share measured above, 55.0%.")
    (fallback,) = scenario_intro(_forecast(), UNMEASURED)
    assert fallback.data.endswith("the scenarios start from 60%.")
    (none,) = scenario_intro(_forecast(np.nan), MEASURED)
    assert none.data.startswith("Scenarios are in money")


def test_static_tables_are_the_5_point_scenario_and_the_sensitivity():
    view, sensitivity = scenario_tables(_forecast(), currency="$", **SETTINGS)
    assert "yearly retention 55% +5 points" in view.caption
    assert "Sensitivity: one lever at a time" in sensitivity.caption
    # one row per preset value of each of the 4 levers, 3 each: 12 rows and the header
    assert sensitivity.to_html().count("<tr") == 13
    texts = [p.data for p in scenario_tables(None, **SETTINGS)]
    assert texts == ["No scenario without revenue.", "No sensitivity table without revenue."]
