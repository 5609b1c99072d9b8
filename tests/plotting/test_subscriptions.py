import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv import ShiftedBetaGeoModel
from retainkit.survival import kaplan_meier


def _model():
    # alpha = beta = 1: S(t) = 1 / (t + 1) and r(t) = t / (t + 1)
    m = ShiftedBetaGeoModel()
    m.params_ = {"alpha": 1.0, "beta": 1.0}
    return m


def _observed():
    # 4 subscribers: 2 cancel after 1 month, 1 after 2, 1 still subscribed after 3
    tenure = pd.DataFrame({"months": [1, 1, 2, 3], "lost": [True, True, True, False]})
    km = kaplan_meier(tenure, duration="months", event="lost")
    return km.assign(retention_rate=1.0 - km["events"] / km["at_risk"])


def test_survival_draws_data_model_and_projection():
    _, ax = plt.subplots()
    out = rk.plotting.plot_subscriber_survival(
        _observed(), model=_model(), last_month=3, end_month=6, ax=ax
    )
    assert out is ax
    data, model, projection, end = ax.lines
    # Kaplan-Meier: 1 at 0; 2 of 4 left at month 1 -> 1/2; 1 of 2 at month 2 -> 1/4
    assert data.get_xdata().tolist() == [0, 1, 2, 3]
    assert data.get_ydata().tolist() == [1.0, 0.5, 0.25, 0.25]
    assert model.get_xdata().tolist() == [0, 1, 2, 3]
    assert model.get_ydata().tolist() == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    assert projection.get_xdata().tolist() == [3, 4, 5, 6]
    assert projection.get_linestyle() == "--"
    assert list(end.get_xdata()) == [3, 3]  # the end of the data
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Data (Kaplan-Meier)",
        "sBG model",
        "sBG projection",
    ]
    assert ax.get_xlabel() == "Months since subscribing"
    assert ax.get_ylabel() == "Share still subscribed"
    assert ax.get_xlim() == (0, 6)
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert ax.texts[0].get_text() == "end of the data (3 months)"


def test_retention_rate_shows_the_months_with_cancellations():
    _, ax = plt.subplots()
    out = rk.plotting.plot_subscriber_retention_rate(
        _observed(), model=_model(), last_month=3, end_month=6, ax=ax, color="red"
    )
    assert out is ax
    data, model, projection, _end = ax.lines
    # months 1 and 2 had cancellations: 2 of 4 and 1 of 2 left, so half renewed both times
    assert data.get_xdata().tolist() == [1, 2]
    assert data.get_ydata().tolist() == [0.5, 0.5]
    assert data.get_color() == "red"  # kwargs go to the data's Axes.plot
    assert model.get_xdata().tolist() == [1, 2, 3]
    assert model.get_ydata().tolist() == pytest.approx([1 / 2, 2 / 3, 3 / 4])
    assert projection.get_xdata().tolist() == [3, 4, 5, 6]
    assert ax.get_xlabel() == "Month of the renewal"
    assert ax.get_ylabel() == "Subscribers renewing that month"


def test_plots_use_the_current_axes_by_default():
    fig = plt.figure()
    ax = fig.gca()
    assert (
        rk.plotting.plot_subscriber_survival(_observed(), model=_model(), last_month=3, end_month=6)
        is ax
    )
    plt.close(fig)
