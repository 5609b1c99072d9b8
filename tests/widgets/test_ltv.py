import contextlib
import io

import numpy as np

from retainkit.clv.value import ClvForecast, scenario_table
from retainkit.widgets import clv_scenario_panel, clv_scenario_view


def _forecast():
    grid = np.arange(1, 121) / 12
    return ClvForecast(
        np.array(["a", "b"]),
        np.ones(2),
        np.array([100.0, 50.0]),
        grid,
        np.vstack([grid, 2 * grid]),
        grid,
        80.0,
        "weeks",
    )


def test_panel_shows_what_the_report_shows():
    f = _forecast()
    with contextlib.redirect_stdout(io.StringIO()):
        panel = clv_scenario_panel(f, baseline_retention=0.6, margin=0.3, currency="$")
        panel.controls["retention_uplift_points"].value = 5
        panel.controls["margin"].value = 0.4
    shown = panel.last_result.data
    expected = scenario_table(
        f,
        baseline_retention=0.6,
        retention_uplift_points=5,
        margin=0.4,
        baseline={
            "discount_rate": 0.1,
            "margin": 0.3,
            "horizon_years": 5.0,
            "target_profit_share": 0.5,
        },
    )
    np.testing.assert_allclose(shown["scenario"], expected["scenario"])
    np.testing.assert_allclose(shown["baseline"], expected["baseline"])
    # the report's cell calls the same function
    report = clv_scenario_view(
        f,
        baseline_retention=0.6,
        retention_uplift_points=5,
        margin=0.4,
        baseline={"margin": 0.3},
        currency="$",
    )
    np.testing.assert_allclose(report.data["scenario"], shown["scenario"])


def test_panel_without_money_is_a_sentence():
    # no forecast (no purchase model) or one without spend (no revenue): nothing to move
    no_spend = ClvForecast(*[*vars(_forecast()).values()][:6], float("nan"), "weeks")
    for forecast in (None, no_spend):
        shown = clv_scenario_panel(forecast, baseline_retention=0.6)
        assert shown.data == "No scenarios without revenue and a purchase model."


def test_uplift_table_by_hand():
    # Discount 0 and a 1-year horizon: every measure is scaled by the retention factor
    # sum_k (r + u)^(k/12) / sum_k r^(k/12) over the months k = 1..12 (clv/scenarios.py:
    # "sum_k r^t_k w_k", the weights equal without discounting and cancelling out).
    from retainkit.widgets import clv_scenario_panel_table

    f = _forecast()
    t = clv_scenario_panel_table(
        f, baseline_retention=0.6, discount_rate=0.0, horizon_years=1.0, currency="$"
    ).data
    assert t.columns.tolist() == [
        "measure",
        "baseline",
        "plus_1_point",
        "plus_2_points",
        "plus_5_points",
    ]
    months = np.arange(1, 13) / 12
    for column, points in [("plus_1_point", 1), ("plus_2_points", 2), ("plus_5_points", 5)]:
        factor = np.sum((0.6 + points / 100) ** months) / np.sum(0.6**months)
        np.testing.assert_allclose(t[column], t["baseline"] * factor)
    # the +5 column is what the slider shows at +5 (one rule)
    shown = scenario_table(
        f, baseline_retention=0.6, retention_uplift_points=5, discount_rate=0.0, horizon_years=1.0
    )
    np.testing.assert_allclose(t["plus_5_points"], shown["scenario"])
    np.testing.assert_allclose(t["baseline"], shown["baseline"])


def test_uplift_table_without_spend_says_why():
    from retainkit.widgets import clv_scenario_panel_table

    assert clv_scenario_panel_table(None, baseline_retention=0.6).data.startswith("No scenarios")
