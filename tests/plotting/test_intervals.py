import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv.intervals import ForecastIntervals

CURVE = pd.DataFrame(
    {
        "horizon_years": [0.5, 1.0, 1.5, 2.0],
        "estimate": [10.0, 18.0, 24.0, 28.0],
        "low": [8.0, 15.0, 20.0, 23.0],
        "high": [12.0, 21.0, 28.0, 33.0],
    }
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "clv": [50.0, 80.0, 20.0],
        "clv_low": [40.0, 60.0, 15.0],
        "clv_high": [65.0, 90.0, 30.0],
    }
)


def _intervals(curve=CURVE):
    return ForecastIntervals(CUSTOMERS, pd.DataFrame(), curve, 0.9, 500, 2.0, "years")


def test_band_spans_the_interval_and_the_line_the_estimate():
    _, ax = plt.subplots()
    out = rk.plotting.plot_forecast_band(_intervals(), ax=ax)
    assert out is ax
    # the line starts at 0 purchases at month 0, then the curve at 6, 12, 18, 24 months
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [0, 6, 12, 18, 24])
    np.testing.assert_allclose(line.get_ydata(), [0, 10, 18, 24, 28])
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    # the band's outline runs along low and back along high: its extremes are 0 and 33
    assert vertices[:, 1].min() == 0 and vertices[:, 1].max() == 33
    assert ax.get_xlabel() == "Months from the analysis date"
    assert "cumulative" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("90% interval")
    plt.close("all")


def test_band_needs_a_curve():
    with pytest.raises(ValueError, match="value_intervals"):
        rk.plotting.plot_forecast_band(_intervals(curve=None), ax=plt.figure().gca())
    plt.close("all")


def test_customer_ranges_highest_first_with_their_bounds():
    _, ax = plt.subplots()
    out = rk.plotting.plot_customer_intervals(_intervals(), currency="$", top=2, ax=ax)
    assert out is ax
    # the two highest estimates, b (80) above a (50)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    points = ax.get_lines()[0]  # then the caps
    np.testing.assert_allclose(points.get_xdata(), [80.0, 50.0])
    # error bars run from the low to the high bound: b 60-90, a 40-65
    segments = ax.collections[0].get_segments()
    assert sorted((s[0][0], s[1][0]) for s in segments) == [(40.0, 65.0), (60.0, 90.0)]
    assert ax.get_xlabel() == "Lifetime value (discounted gross profit) over 2 years ($)"
    assert ax.get_title() == "Top 2 customers with 90% intervals"
    plt.close("all")


def test_customer_ranges_reject_an_unknown_measure():
    with pytest.raises(ValueError, match="'value' is not one of"):
        rk.plotting.plot_customer_intervals(_intervals(), measure="value")
