import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.ticker import PercentFormatter

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


def _big_triangle(rows, cols):
    # a cohort triangle with holes: cohort i has cols - i ages, one cell missing
    rng = np.random.default_rng(3)
    values = rng.uniform(0.05, 0.9, size=(rows, cols))
    for i in range(rows):
        values[i, max(cols - i, 1) :] = np.nan
    values[0, 2] = np.nan
    tri = pd.DataFrame(values, index=[f"2024-{i:02d}" for i in range(rows)], columns=range(cols))
    tri.attrs = {"measure": "retained_share", "period": "month"}
    return tri


def _picture(ax):
    """What a reader sees of a heatmap: cells, colours, ticks, their turn, written values."""
    mesh = ax.collections[0]
    mesh.update_scalarmappable()
    return {
        "colours": np.round(mesh.get_facecolors(), 12).tolist(),
        "xticks": [
            (t, lab.get_text(), lab.get_rotation())
            for t, lab in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)
        ],
        "yticks": [
            (t, lab.get_text(), lab.get_rotation(), lab.get_va())
            for t, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
        ],
        "texts": [(t.get_position(), t.get_text(), t.get_color()) for t in ax.texts],
        "limits": (ax.get_xlim(), ax.get_ylim()),
        "spines": [s.get_visible() for s in ax.spines.values()],
        "colourbar": ax.figure.axes[-1].get_ylabel(),
    }


@pytest.mark.parametrize(
    ("rows", "cols", "figsize"),
    [
        (10, 13, (8, 5)),  # annotated in dark and white, nothing thinned
        (24, 26, (13, 6)),  # not annotated, horizontal cohort labels
        (40, 60, (5, 3)),  # thinned ticks both ways, vertical age labels
    ],
)
def test_cohort_heatmap_is_the_seaborn_picture_without_drawing_the_figure(rows, cols, figsize):
    import seaborn as sns

    tri = _big_triangle(rows, cols)
    # reference: seaborn.heatmap with the arguments the plot used to pass it
    fig_ref, ax_ref = plt.subplots(figsize=figsize)
    shown = tri.iloc[:, 1:]
    annotate = shown.shape[1] <= 15
    labels = shown.map(lambda v: "" if pd.isna(v) else f"{v:.0%}") if annotate else False
    sns.heatmap(
        shown,
        ax=ax_ref,
        annot=labels,
        fmt="",
        annot_kws={"fontsize": 7},
        linewidths=0.3,
        cmap="YlGnBu",
        vmin=0.0,
        vmax=float(np.nanmax(shown.to_numpy())),
        cbar_kws={"format": PercentFormatter(1.0, decimals=0), "label": "share"},
    )
    fig, ax = plt.subplots(figsize=figsize)
    draws = []
    fig.canvas.draw = lambda *a: draws.append(a)  # seaborn rendered the figure here
    rk.plotting.plot_cohort_heatmap(tri, ax=ax)
    assert draws == []
    ours, theirs = _picture(ax), _picture(ax_ref)
    assert ours == theirs
    # the cases cover what the rules decide: thinning and turning labels
    if rows == 10:
        assert {c for _, _, c in ours["texts"]} == {".15", "w"}
    if rows == 40:
        assert len(ours["xticks"]) < cols - 1 and ours["xticks"][0][2] == 90.0
    if rows == 24:
        assert {r for _, _, r, _ in ours["yticks"]} == {0.0}
    plt.close(fig)
    plt.close(fig_ref)
