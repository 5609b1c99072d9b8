import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import retainkit as rk
from retainkit.clv import BetaGeoModel


def _triangle(measure):
    tri = pd.DataFrame(
        [[1.0, 0.5, 0.25], [1.0, 0.4, np.nan], [1.0, np.nan, np.nan]],
        index=["2024-01", "2024-02", "2024-03"],
        columns=[0, 1, 2],
    )
    tri.attrs = {"measure": measure, "period": "month"}
    return tri


def test_cohort_heatmap_draws_on_the_given_axes():
    _, ax = plt.subplots()
    out = rk.plotting.plot_cohort_heatmap(_triangle("retained_share"), ax=ax)
    assert out is ax
    # age 0 (always 100%) is left out: 3 cohorts x 2 ages, 3 of them filled
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert texts == ["50%", "25%", "40%"]
    assert "Customers retained" in ax.get_title() and "2024-01 to 2024-03" in ax.get_title()
    assert ax.get_xlabel() == "Months since the month of first purchase"


def test_money_heatmap_keeps_age_zero_and_formats_currency():
    _, ax = plt.subplots()
    rk.plotting.plot_cohort_heatmap(
        _triangle("cumulative_revenue_per_customer") * 100, currency="£", ax=ax
    )
    assert [t.get_text() for t in ax.texts if t.get_text()][:2] == ["£100", "£50"]


def test_benchmark_bars():
    comp = rk.metrics.benchmark_comparison(0.5, industry="Retail")
    _, ax = plt.subplots()
    assert rk.plotting.plot_benchmark(comp, ax=ax) is ax
    assert [p.get_width() for p in ax.patches] == [0.5, 0.63]
    assert "Statista (2018 survey)" in ax.get_title()


def test_tracking_and_holdout_plots():
    t = pd.DataFrame(
        {
            "week_end": pd.date_range("2024-01-07", periods=4, freq="7D"),
            "actual": [0, 2, 3, 5],
            "predicted": [0.5, 1.5, 3.2, 4.8],
        }
    )
    t.attrs = {"calibration_end": pd.Timestamp("2024-01-14")}
    _, ax = plt.subplots()
    assert rk.plotting.plot_tracking(t, ax=ax) is ax
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["actual", "BG/NBD model", "end of calibration"]
    assert list(ax.lines[0].get_ydata()) == [0, 2, 3, 5]
    b = pd.DataFrame(
        {
            "frequency": ["0", "1+"],
            "customers": [4, 2],
            "actual": [0.2, 2.0],
            "predicted": [0.3, 1.8],
            "naive": [0.0, 2.5],
        }
    )
    b.attrs = {"duration_holdout": 39.0, "time_unit": "weeks"}
    _, ax = plt.subplots()
    rk.plotting.plot_holdout_by_frequency(b, ax=ax)
    assert [p.get_height() for p in ax.patches] == [0.2, 2.0]
    assert "39 weeks" in ax.get_title()


def test_frequency_recency_matrix_plot():
    m = BetaGeoModel()
    m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    m.time_unit_ = "weeks"
    _, ax = plt.subplots()
    rk.plotting.plot_frequency_recency(m.frequency_recency_matrix(T=39, t=52), ax=ax)
    assert len(ax.images) == 1
    assert "next 52 weeks" in ax.get_title()
    assert ax.get_ylabel() == "Frequency: repeat purchase days"
