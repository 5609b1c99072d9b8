"""Lifetime value plots: cohort heatmaps, benchmarks, holdout checks and model matrices."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from retainkit.cohorts import MEASURES
from retainkit.plotting._base import money_formatter, period_label

__all__ = [
    "plot_benchmark",
    "plot_cohort_heatmap",
    "plot_frequency_recency",
    "plot_holdout_by_frequency",
    "plot_tracking",
]


def plot_cohort_heatmap(
    triangle: pd.DataFrame,
    *,
    currency: str = "",
    annotate: bool | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of a cohort triangle: cohorts down, periods since acquisition across.

    Parameters
    ----------
    triangle : pandas.DataFrame
        Output of :func:`retainkit.cohorts.cohort_triangle`.
    currency : str
        Currency symbol, for cumulative revenue per customer.
    annotate : bool, optional
        Write the values in the cells; default when there are at most 15 columns.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.pcolormesh`` (``cmap``, ``vmin``, ``vmax``...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> tri = pd.DataFrame([[1.0, 0.5], [1.0, np.nan]], index=["2024-01", "2024-02"],
    ...                    columns=[0, 1])
    >>> tri.attrs = {"measure": "retained_share", "period": "month"}
    >>> ax = plot_cohort_heatmap(tri, ax=plt.figure().gca())
    >>> ax.get_ylabel()
    'Cohort (month of first purchase)'
    """
    ax = ax if ax is not None else plt.gca()
    measure = triangle.attrs.get("measure", "retained_share")
    period = triangle.attrs.get("period", "month")
    title, definition = MEASURES[measure]
    money = measure == "cumulative_revenue_per_customer"
    shown = triangle.iloc[:, 1:] if measure != "cumulative_revenue_per_customer" else triangle
    if shown.shape[1] == 0:
        shown = triangle
    if annotate is None:
        annotate = shown.shape[1] <= 15
    fmt = (lambda v: f"{currency}{v:,.0f}") if money else (lambda v: f"{v:.0%}")
    labels = shown.map(lambda v: "" if pd.isna(v) else fmt(v)) if annotate else False
    kwargs.setdefault("cmap", "Blues" if money else "YlGnBu")
    if not money:
        kwargs.setdefault("vmin", 0.0)
        kwargs.setdefault("vmax", float(np.nanmax(shown.to_numpy())) if shown.size else 1.0)
    _heatmap(
        shown.astype("float64"),
        ax=ax,
        labels=labels if annotate else None,
        cbar_format=money_formatter(currency) if money else PercentFormatter(1.0, decimals=0),
        cbar_label=f"{currency or 'currency'} per customer" if money else "share",
        **kwargs,
    )
    span = f"cohorts {triangle.index[0]} to {triangle.index[-1]}" if len(triangle) else "no data"
    skipped = "" if money else f"; the acquisition {period} (100%) left out"
    ax.set(
        title=f"{title} by {period} since acquisition\n{definition}{skipped}; {span}",
        xlabel=f"{period.capitalize()}s since the {period} of first purchase",
        ylabel=f"Cohort ({period} of first purchase)",
    )
    return ax


def _heatmap(
    data: pd.DataFrame,
    *,
    ax: Axes,
    labels: pd.DataFrame | None,
    cbar_format: Any,
    cbar_label: str,
    **kwargs: Any,
) -> None:
    """Draw ``data`` as seaborn's ``heatmap`` does, without drawing the whole figure.

    The same picture as ``seaborn.heatmap(data, annot=labels, fmt="", linewidths=0.3,
    annot_kws={"fontsize": 7}, cbar_kws=...)`` (seaborn 0.13): cells with thin white
    edges, missing values blank, rows top down, a colour bar without outline, tick
    labels thinned to fit, the values written in dark or white by the cell's luminance.
    seaborn renders the figure to see whether tick labels overlap (three times for the
    cohort figures, half of their cost); their overlap is judged here from where the
    labels are placed, which is what that rendering measured.
    """
    values = data.to_numpy(dtype="float64")
    plot_data = np.ma.masked_invalid(values)
    rows, cols = values.shape
    kwargs.setdefault("vmin", float(np.nanmin(values)) if values.size else None)
    kwargs.setdefault("vmax", float(np.nanmax(values)) if values.size else None)
    kwargs["cmap"] = plt.get_cmap(kwargs.get("cmap"))
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    mesh = ax.pcolormesh(plot_data, linewidths=0.3, edgecolor="white", **kwargs)
    ax.set(xlim=(0, cols), ylim=(0, rows))
    ax.invert_yaxis()
    cbar = ax.get_figure().colorbar(mesh, ax=ax, format=cbar_format, label=cbar_label)
    cbar.outline.set_linewidth(0)
    xticks, xticklabels = _auto_ticks(ax, list(data.columns), axis=0)
    yticks, yticklabels = _auto_ticks(ax, list(data.index), axis=1)
    ax.set(xticks=xticks, yticks=yticks)
    xtl = ax.set_xticklabels(xticklabels)
    ytl = ax.set_yticklabels(yticklabels, rotation="vertical")
    for label in ytl:
        label.set_verticalalignment("center")
    if _overlap(xtl):
        for label in xtl:
            label.set_rotation("vertical")
    if _overlap(ytl):
        for label in ytl:
            label.set_rotation("horizontal")
    if labels is None:
        return
    mesh.update_scalarmappable()
    colours = mesh.get_facecolors()
    rgb = colours[:, :3]
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = (linear @ np.array([0.2126, 0.7152, 0.0722])).reshape(rows, cols)
    text = np.asarray(labels)
    for r, c in zip(*np.nonzero(~np.ma.getmaskarray(plot_data)), strict=True):
        ax.text(
            c + 0.5,
            r + 0.5,
            f"{text[r, c]}",
            color=".15" if luminance[r, c] > 0.408 else "w",
            ha="center",
            va="center",
            fontsize=7,
        )


def _auto_ticks(ax: Axes, labels: list[Any], *, axis: int) -> tuple[Any, list[Any]]:
    """Return tick positions and labels, every n-th so that they fit (seaborn's rule)."""
    if not labels:
        return [], []
    box = ax.get_window_extent().transformed(ax.get_figure().dpi_scale_trans.inverted())
    size = [box.width, box.height][axis]
    (tick,) = [ax.xaxis, ax.yaxis][axis].set_ticks([0])
    max_ticks = int(size // (tick.label1.get_size() / 72))
    if max_ticks < 1:
        return [], []
    every = len(labels) // max_ticks + 1
    return np.arange(0, len(labels), every) + 0.5, labels[::every]


def _overlap(labels: list[Any]) -> bool:
    """Return True when any two tick labels overlap where they are placed."""
    boxes = [label.get_window_extent() for label in labels]
    return bool(boxes) and max(b.count_overlaps(boxes) for b in boxes) > 1


def plot_benchmark(comparison: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Horizontal bars: the measured rate next to the published industry figure.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`retainkit.metrics.benchmark_comparison`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> comp = pd.DataFrame({"who": ["your data", "Retail (published)"],
    ...                      "value": [0.58, 0.63], "source": ["", "Statista, 2018"]})
    >>> comp.attrs = {"metric": "customer_retention_rate", "industry": "Retail"}
    >>> len(plot_benchmark(comp, ax=plt.figure().gca()).patches)
    2
    """
    ax = ax if ax is not None else plt.gca()
    values = comparison["value"].fillna(0).to_numpy()
    kwargs.setdefault("color", ["#4C72B0", "#BBBBBB"])
    bars = ax.barh(comparison["who"], values, **kwargs)
    for bar, v in zip(bars, comparison["value"], strict=True):
        ax.annotate(
            "not measured" if pd.isna(v) else f"{v:.0%}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
        )
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, max(1.0, float(np.nanmax(values)) * 1.15))
    metric = comparison.attrs.get("metric", "customer_retention_rate").replace("_", " ")
    source = comparison.attrs.get("source_short") or (
        comparison["source"].iloc[-1] if len(comparison) else ""
    )
    ax.set(
        title=f"Yearly {metric}: your data and the published industry figure\npublished: {source}",
        xlabel="Share of customers kept over a year"
        if "customer" in metric
        else "Revenue kept over a year",
        ylabel="",
    )
    return ax


def plot_tracking(tracking: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Cumulative repeat purchases week by week: actual against the model's forecast.

    Parameters
    ----------
    tracking : pandas.DataFrame
        Output of :func:`retainkit.clv.validation.tracking_table`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to the actual line's ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> t = pd.DataFrame({"week_end": pd.date_range("2024-01-07", periods=3, freq="7D"),
    ...                   "actual": [0, 2, 3], "predicted": [0.5, 1.5, 3.2]})
    >>> t.attrs = {"calibration_end": pd.Timestamp("2024-01-14"),
    ...            "holdout_end": pd.Timestamp("2024-01-21")}
    >>> len(plot_tracking(t, ax=plt.figure().gca()).lines)
    3
    """
    ax = ax if ax is not None else plt.gca()
    kwargs.setdefault("color", "#333333")
    ax.plot(tracking["week_end"], tracking["actual"], label="actual", **kwargs)
    ax.plot(
        tracking["week_end"], tracking["predicted"], label="BG/NBD model", color="#DD8452", ls="--"
    )
    cal = tracking.attrs.get("calibration_end")
    if cal is not None:
        ax.axvline(cal, color="grey", lw=1, ls=":", label="end of calibration")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    span = (
        period_label(tracking["week_end"].min(), tracking["week_end"].max())
        if len(tracking)
        else "no data"
    )
    ax.set(
        title="Cumulative repeat purchases: actual and model\n"
        f"calibration customers, weekly; {span}",
        xlabel="Week ending",
        ylabel="Repeat purchase days (cumulative)",
    )
    ax.legend(loc="upper left")
    ax.figure.autofmt_xdate()
    return ax


def plot_holdout_by_frequency(
    by_frequency: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Mean holdout purchases by calibration frequency: actual, model and naive baseline.

    Parameters
    ----------
    by_frequency : pandas.DataFrame
        Output of :func:`retainkit.clv.validation.holdout_by_frequency`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to the actual bars' ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> b = pd.DataFrame({"frequency": ["0", "1", "2+"], "customers": [5, 3, 2],
    ...                   "actual": [0.2, 1.0, 3.0], "predicted": [0.3, 0.9, 2.8],
    ...                   "naive": [0.0, 1.2, 4.0]})
    >>> b.attrs = {"duration_holdout": 39.0, "time_unit": "weeks"}
    >>> len(plot_holdout_by_frequency(b, ax=plt.figure().gca()).lines)
    2
    """
    ax = ax if ax is not None else plt.gca()
    x = np.arange(len(by_frequency))
    kwargs.setdefault("color", "#BBBBBB")
    ax.bar(x, by_frequency["actual"], width=0.6, label="actual", **kwargs)
    ax.plot(x, by_frequency["predicted"], marker="o", color="#DD8452", label="BG/NBD model")
    ax.plot(x, by_frequency["naive"], marker="s", color="#4C72B0", ls=":", label="naive: past rate")
    ax.set_xticks(x, by_frequency["frequency"])
    duration = by_frequency.attrs.get("duration_holdout")
    unit = by_frequency.attrs.get("time_unit", "weeks")
    length = f"{duration:.0f} {unit}" if duration is not None else "the holdout"
    ax.set(
        title=f"Holdout repeat purchases by calibration purchases\nmean per customer over {length}",
        xlabel="Repeat purchase days in the calibration period",
        ylabel="Repeat purchase days in the holdout (mean)",
    )
    ax.legend()
    return ax


def plot_frequency_recency(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Heatmap of a model output over frequency and recency (P(alive) or expected purchases).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :meth:`retainkit.clv.BetaGeoModel.frequency_recency_matrix`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> m = pd.DataFrame(np.linspace(0, 1, 6).reshape(2, 3), index=[0, 1],
    ...                  columns=[0.0, 5.0, 10.0])
    >>> m.attrs = {"T": 10, "t": None, "time_unit": "weeks", "measure": "probability_alive"}
    >>> len(plot_frequency_recency(m, ax=plt.figure().gca()).images)
    1
    """
    ax = ax if ax is not None else plt.gca()
    alive = matrix.attrs.get("measure") == "probability_alive"
    unit = matrix.attrs.get("time_unit", "weeks")
    T = matrix.attrs.get("T")
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("origin", "upper")
    rec = np.asarray(matrix.columns, dtype="float64")
    extent = (rec.min(), rec.max(), matrix.index.max() + 0.5, matrix.index.min() - 0.5)
    image = ax.imshow(matrix.to_numpy(), extent=extent, **kwargs)
    bar = ax.figure.colorbar(image, ax=ax)
    if alive:
        bar.formatter = PercentFormatter(1.0, decimals=0)
        bar.update_ticks()
        bar.set_label("probability alive")
        title = "Probability a customer is still active, by frequency and recency"
    else:
        bar.set_label(f"expected repeat purchases in the next {matrix.attrs.get('t'):g} {unit}")
        title = (
            f"Expected repeat purchases in the next {matrix.attrs.get('t'):g} {unit}, "
            "by frequency and recency"
        )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(
        title=f"{title}\nBG/NBD model; a customer who first bought {T:.0f} {unit} ago",
        xlabel=f"Recency: {unit} from first to last purchase",
        ylabel="Frequency: repeat purchase days",
    )
    return ax
