"""The scenario panels run the same functions as the report cells."""

import contextlib
import io

import pandas as pd
import pytest

import retainkit as rk
from retainkit.exceptions import DataValidationError


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
        window = rk.groundwork.churn_window(frame, as_of="2024-12-31", churn_days=90)
        panel = rk.widgets.loss_scenario(frame, window)
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
        review = rk.alerts.monthly_review(
            frame, as_of="2024-12-31", thresholds=rk.alerts.ReviewThresholds(min_orders=2)
        )
        panel = rk.widgets.review_scenario(frame, review)
        flagged = panel.last_result[0].data.set_index("warning")["customers_flagged"]
        assert flagged["falling order value"] == 1
        panel.controls["min_drop"].value = 0.6  # the 50% drop no longer counts
        flagged = panel.last_result[0].data.set_index("warning")["customers_flagged"]
        assert flagged["falling order value"] == 0


# --- the scenario tables: the panels' functions at preset settings ---------------------------


def _two_purchases():
    """Four customers who bought 400 days before 2024-12-31 and last 30, 80, 150, 250 days before.

    A fifth, "z", bought once 1,000 days before: the history is then long enough for the
    full 365-day window at every threshold below 635 days, and z, lost long before the
    window, is neither in the active base nor lost in it. The window is the 365 days to
    2024-12-31; the first purchases lie 35 days before it opens, so with a threshold of 50,
    100 or 200 days the four are the active base. A customer is lost in the window when last
    purchase + threshold falls inside it, i.e. when the last purchase is more than
    `threshold` (and at most 365 + `threshold`) days old: at 50 days three are lost (80,
    150, 250), at 100 two (150, 250), at 200 one (250).
    """
    as_of = pd.Timestamp("2024-12-31")
    last = [30, 80, 150, 250]
    return pd.DataFrame(
        {
            "customer_id": [c for c in "abcd" for _ in range(2)] + ["z"],
            "order_date": [as_of - pd.Timedelta(days=d) for d in last for d in (400, d)]
            + [as_of - pd.Timedelta(days=1000)],
            "revenue": [100.0, 50.0] * 4 + [10.0],
        }
    )


def test_loss_table_counts_the_lost_at_each_threshold_by_hand():
    shop = _two_purchases()
    window = rk.groundwork.churn_window(shop, as_of="2024-12-31", churn_days=100)
    t = rk.widgets.loss_scenario_table(shop, window, factors=(0.5, 1, 2)).data
    assert t["setting"].tolist() == ["0.5 x", "1 x", "2 x"]
    assert t["churn_days"].tolist() == [50, 100, 200]
    assert t["customers_active_at_start"].tolist() == [4, 4, 4]
    assert t["customers_lost"].tolist() == [3, 2, 1]
    assert t["churn_rate"].tolist() == [0.75, 0.5, 0.25]  # 3/4, 2/4, 1/4


def test_loss_table_rows_are_what_the_panel_shows(frame):
    # one rule: each row is loss_overview at that threshold, as the slider would show it
    window = rk.groundwork.churn_window(frame, as_of="2024-12-31", churn_days=90)
    value = rk.ValueAssumptions(margin=0.4)
    t = rk.widgets.loss_scenario_table(frame, window, value=value).data
    for _, row in t.iterrows():
        figures = rk.groundwork.loss_overview(
            frame, as_of="2024-12-31", churn_days=int(row["churn_days"]), margin=0.4
        ).to_dict()["figures"]
        for name in ["customers_lost", "churn_rate", "profit_lost_12m", "lifetime_value_lost"]:
            assert row[name] == pytest.approx(figures[f"groundwork.{name}"])


def test_loss_table_starts_from_the_derived_threshold(frame):
    derived = rk.churn.resolve_churn_days(frame, 0, as_of="2024-12-31").days
    window = rk.groundwork.churn_window(frame, as_of="2024-12-31")
    t = rk.widgets.loss_scenario_table(frame, window, factors=(1,)).data
    assert t["churn_days"].tolist() == [derived]


@pytest.mark.parametrize("factors", [(), (0, 1), (-1,), ("x",)])
def test_loss_table_wants_positive_factors(frame, factors):
    with pytest.raises(DataValidationError, match="factors"):
        window = rk.groundwork.churn_window(frame, as_of="2024-12-31")
        rk.widgets.loss_scenario_table(frame, window, factors=factors)


def test_review_table_rows_are_the_review_at_each_list_length():
    from retainkit.simulate import simulate_shop

    transactions = simulate_shop(n_customers=400, seed=3).transactions
    as_of = transactions["order_date"].max()
    risk = rk.calls.customer_risk(transactions, as_of=as_of, horizon_days=90)
    start = rk.alerts.monthly_review(
        transactions, as_of=as_of, risk=risk, call_list_size=10, horizon_days=90
    )
    t = rk.widgets.review_scenario_table(transactions, start).data
    assert t["setting"].tolist() == ["0.5 x", "1 x", "2 x"]
    # the list is the slipping customers ranked by value at risk: counted here on `risk`
    slipping = risk.loc[risk["group"] == "slipping", "value_at_risk"]
    ranked = slipping[slipping > 0].sort_values(ascending=False)
    for size, (_, row) in zip([5, 10, 20], t.iterrows(), strict=True):
        review = rk.alerts.monthly_review(
            transactions, as_of=as_of, risk=risk, call_list_size=size, horizon_days=90
        )
        assert row["customers_to_call"] == len(review.calls) == min(size, len(ranked))
        assert row["value_at_risk"] == pytest.approx(ranked.head(size).sum())
        assert row["share_of_value_at_risk"] == pytest.approx(
            ranked.head(size).sum() / ranked.sum()
        )
        assert row["last_call_value_at_risk"] == pytest.approx(ranked.head(size).iloc[-1])
