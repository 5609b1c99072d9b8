import matplotlib.pyplot as plt
import pandas as pd

from retainkit import plotting


def test_losses_by_month_bars_and_title():
    losses = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "customers_lost": [3, 0, 5],
        }
    )
    _, ax = plt.subplots()
    assert plotting.plot_losses_by_month(losses, churn_days=90, ax=ax) is ax
    assert [p.get_height() for p in ax.patches] == [3, 0, 5]
    assert "90 days without a purchase" in ax.get_title()
    assert "Jan 2024 to Mar 2024" in ax.get_title()


def test_churn_by_attribute_error_bars_are_the_intervals():
    table = pd.DataFrame(
        {
            "attribute": "region",
            "value": ["N", "S"],
            "active_at_start": [10, 20],
            "lost": [5, 4],
            "churn_rate": [0.5, 0.2],
            "churn_rate_low": [0.3, 0.1],
            "churn_rate_high": [0.7, 0.35],
        }
    )
    _, ax = plt.subplots()
    plotting.plot_churn_by_attribute(table, ax=ax)
    assert sorted(p.get_width() for p in ax.patches) == [0.2, 0.5]
    assert ax.get_xlabel() == "Churn rate" and "region" in ax.get_title()


def test_reasons_coloured_by_group():
    reasons = pd.DataFrame(
        {
            "group": ["controllable", "uncontrollable", "controllable"],
            "reason": ["Price", "Moved", "Service"],
            "customers": [3, 1, 2],
        }
    )
    _, ax = plt.subplots()
    plotting.plot_reasons(reasons, ax=ax)
    colours = {p.get_facecolor()[:3] for p in ax.patches}
    assert len(ax.patches) == 3 and len(colours) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["controllable", "uncontrollable"]


def test_survival_one_line_per_group_with_bands():
    curve = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "time": [0, 5, 0, 7],
            "survival": [1, 0.5, 1, 0.8],
            "ci_low": [1, 0.3, 1, 0.6],
            "ci_high": [1, 0.7, 1, 0.9],
        }
    )
    _, ax = plt.subplots()
    plotting.plot_survival(curve, title_group="region", ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert len(ax.collections) == 2 and "by region" in ax.get_title()


def test_concentration_and_order_value_trend():
    conc = pd.DataFrame({"customer_share": [0.5, 1.0], "cumulative_share": [0.8, 1.0]})
    _, ax = plt.subplots()
    plotting.plot_loss_concentration(conc, ax=ax)
    assert list(ax.get_lines()[0].get_ydata()) == [0.0, 0.8, 1.0]
    monthly = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2024-10-01", "2024-11-01"]),
            "mean_order_value": [10.0, 8.0],
        }
    )
    trend = pd.DataFrame(
        {
            "previous_start": pd.to_datetime(["2024-05-01"]),
            "recent_end": pd.to_datetime(["2024-11-30"]),
            "aov_previous": [10.0],
            "aov_recent": [8.0],
        }
    )
    _, ax = plt.subplots()
    plotting.plot_order_value_trend(monthly, trend, currency="£", ax=ax)
    assert ax.get_ylabel() == "Average order value (£)"
    assert list(ax.get_lines()[0].get_ydata()) == [10.0, 8.0]


def test_error_bars_tolerate_a_bound_rounded_past_the_rate():
    table = pd.DataFrame(
        {
            "attribute": "g",
            "value": ["x"],
            "active_at_start": [40],
            "lost": [0],
            "churn_rate": [0.0],
            "churn_rate_low": [1e-17],
            "churn_rate_high": [0.09],
        }
    )
    _, ax = plt.subplots()
    plotting.plot_churn_by_attribute(table, ax=ax)
    assert len(ax.patches) == 1
