"""The scenario panels run the same functions as the report cells."""

import contextlib
import io

import pandas as pd
import pytest

import retainkit as rk


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c"],
            "order_date": pd.to_datetime(
                ["2023-06-01", "2023-12-20", "2024-12-01", "2023-11-01", "2024-01-10"]
            ),
            "revenue": [100.0, 50.0, 20.0, 30.0, 30.0],
        }
    )


def test_loss_panel_equals_loss_overview_at_every_setting(frame):
    with contextlib.redirect_stdout(io.StringIO()):
        panel = rk.widgets.loss_scenario(frame, as_of="2024-12-31", churn_days=90)
        for days, years in [(90, 5.0), (200, 2.0), (400, 10.0)]:
            panel.controls["churn_days"].value = days
            panel.controls["horizon_years"].value = years
            shown = panel.last_result.to_dict()
            expected = rk.groundwork.loss_overview(
                frame,
                as_of="2024-12-31",
                churn_days=days,
                horizon_years=years,
                margin=panel.controls["margin"].value,
                discount_rate=panel.controls["discount_rate"].value,
                lookback_days=panel.controls["lookback_days"].value,
            ).to_dict()
            assert shown == expected


def test_review_panel_reruns_the_review():
    frame = pd.DataFrame(
        {
            "customer_id": ["a"] * 4,
            "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01"]),
            "revenue": [100.0, 100.0, 40.0, 60.0],
        }
    )
    with contextlib.redirect_stdout(io.StringIO()):
        panel = rk.widgets.review_scenario(frame, as_of="2024-12-31", min_orders=2)
        flagged = panel.last_result[0].data.set_index("warning")["customers_flagged"]
        assert flagged["falling order value"] == 1
        panel.controls["min_drop"].value = 0.6  # the 50% drop no longer counts
        flagged = panel.last_result[0].data.set_index("warning")["customers_flagged"]
        assert flagged["falling order value"] == 0
