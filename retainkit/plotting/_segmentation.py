"""Segmentation plots: Lorenz curve, RFM segments, their movement, lifecycle stages.

Each takes the output of a :mod:`retainkit.segmentation`, :mod:`retainkit.lifecycle`
or engine function and never aggregates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, PercentFormatter

from retainkit.plotting._base import period_label

__all__ = [
    "SEGMENT_COLORS",
    "plot_conversion",
    "plot_lifecycle",
    "plot_lorenz",
    "plot_segment_flow",
    "plot_segment_grid",
    "plot_segment_movement",
    "plot_segments",
]

#: Colours of the default segments: greens for the best, blues for the new, ambers for
#: the slipping, reds for the valuable ones at risk, greys for the gone.
SEGMENT_COLORS: dict[str, str] = {
    "Champions": "#1a7f37",
    "Loyal": "#56b870",
    "New": "#4c72b0",
    "Promising": "#8fb3e0",
    "Potential loyalists": "#2a9d8f",
    "Need attention": "#e9c46a",
    "About to sleep": "#f4a261",
    "At risk": "#e76f51",
    "Can't lose them": "#c0392b",
    "Hibernating": "#a3a3a3",
    "Lost": "#6b6b6b",
    "Not yet a customer": "#d9d9d9",
    "Unassigned": "#ffffff",
}
_STAGE_COLORS = {"new": "#8fb3e0", "repeat": "#2a9d8f", "loyal": "#1a7f37", "lapsed": "#a3a3a3"}
_VALUE_WORDS = {
    "revenue": "net revenue",
    "profit": "gross profit",
    "purchase_days": "purchases",
    "orders": "orders",
}


def _value_words(value_col: str) -> str:
    return _VALUE_WORDS.get(value_col, value_col.replace("_", " "))


def _colors(names: Sequence[str]) -> list[Any]:
    spare = plt.get_cmap("tab20")
    out = []
    for i, name in enumerate(names):
        out.append(SEGMENT_COLORS.get(str(name), spare(i % 20)))
    return out


def _span(attrs: Mapping[str, Any]) -> str:
    first, as_of = attrs.get("first_date"), attrs.get("as_of")
    if first is not None and as_of is not None and not pd.isna(first):
        return period_label(pd.Timestamp(first), pd.Timestamp(as_of))
    if as_of is not None:
        return f"up to {pd.Timestamp(as_of):%d %b %Y}"
    return "whole period"


def _share_axis(axis: Any) -> None:
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def plot_lorenz(
    curve: pd.DataFrame,
    *,
    pareto: pd.DataFrame | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Lorenz curve of customer value, with the line of equality and the top share marked.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`retainkit.segmentation.lorenz_curve`.
    pareto : pandas.DataFrame, optional
        From :func:`retainkit.segmentation.pareto_summary`: its first row marks the
        share of value the top customers bring.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot`` for the curve.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from retainkit.segmentation import lorenz_curve
    >>> _, ax = plt.subplots()
    >>> ax = plot_lorenz(lorenz_curve(pd.DataFrame({"revenue": [1.0, 2.0, 7.0]})), ax=ax)
    >>> len(ax.lines)
    2
    """
    ax = ax if ax is not None else plt.gca()
    value_col = curve.attrs.get("value_col", "revenue")
    words = _value_words(value_col)
    gini = curve.attrs.get("gini", np.nan)
    kwargs.setdefault("color", "#4C72B0")
    kwargs.setdefault("linewidth", 2)
    ax.plot(curve["customer_share"], curve["value_share"], label="Lorenz curve", **kwargs)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="equal value")
    ax.fill_between(
        curve["customer_share"],
        curve["value_share"],
        curve["customer_share"],
        color=kwargs["color"],
        alpha=0.12,
    )
    if pareto is not None and len(pareto):
        row = pareto.iloc[0]
        top_share = pareto.attrs.get("top_share", 0.2)
        share = row.get(f"top_{value_col}_share", np.nan)
        if pd.notna(share):
            x, y = 1 - top_share, 1 - share
            ax.plot([x], [y], "o", color="#c0392b")
            ax.annotate(
                f"top {top_share:.0%} of customers:\n{share:.1%} of {words}",
                (x, y),
                xytext=(-150, 40),
                textcoords="offset points",
                arrowprops={"arrowstyle": "->", "color": "#c0392b"},
                color="#c0392b",
            )
    _share_axis(ax.xaxis)
    _share_axis(ax.yaxis)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    gini_text = f"Gini {gini:.2f}" if pd.notna(gini) else "Gini not defined"
    ax.set(
        title=f"Lorenz curve of {words} per customer\n"
        f"customers from lowest to highest value (negative counted as 0); {gini_text}; "
        f"{_span(curve.attrs)}",
        xlabel="Share of customers (lowest value first)",
        ylabel=f"Share of {words}",
    )
    ax.legend(loc="upper left")
    return ax


def plot_segments(
    summary: pd.DataFrame,
    *,
    value_col: str = "revenue",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars: each segment's share of customers and share of value.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`retainkit.segmentation.segment_summary`.
    value_col : str
        The value whose share is drawn beside the customer share (skipped when the
        summary has no ``{value_col}_share``).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> s = pd.DataFrame({"segment": ["A", "B"], "customers": [3, 1],
    ...                   "customer_share": [0.75, 0.25], "revenue_share": [0.4, 0.6]})
    >>> _, ax = plt.subplots()
    >>> len(plot_segments(s, ax=ax).patches)
    4
    """
    ax = ax if ax is not None else plt.gca()
    names = summary["segment"].astype(str).tolist()
    y = np.arange(len(names))[::-1]
    has_value = f"{value_col}_share" in summary.columns
    height = 0.4 if has_value else 0.7
    colors = _colors(names)
    ax.barh(
        y + (height / 2 if has_value else 0),
        summary["customer_share"],
        height=height,
        color=colors,
        label="share of customers",
        **kwargs,
    )
    words = _value_words(value_col)
    if has_value:
        ax.barh(
            y - height / 2,
            summary[f"{value_col}_share"],
            height=height,
            color=colors,
            alpha=0.45,
            hatch="//",
            edgecolor="white",
            label=f"share of {words}",
            **kwargs,
        )
    for yi, n in zip(y, summary["customers"], strict=True):
        ax.annotate(
            f"{int(n):,}",
            (0, yi + (height / 2 if has_value else 0)),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="black",
        )
    ax.set_yticks(y, names)
    _share_axis(ax.xaxis)
    what = f"customers and {words}" if has_value else "customers"
    as_of = summary.attrs.get("as_of")
    when = (
        f"segments at {pd.Timestamp(as_of):%d %b %Y}"
        if as_of is not None
        else "segments from recency, frequency and money scores"
    )
    if has_value and summary.attrs.get("first_date") is not None:
        when += f"; {words} {_span(summary.attrs)}"
    ax.set(
        title=f"Share of {what} per RFM segment\n{when}",
        xlabel="Share of all scored customers" + (f" / of all {words}" if has_value else ""),
        ylabel="",
    )
    ax.legend(loc="lower right")
    return ax


def plot_segment_grid(grid: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the RFM map: recency score against frequency-money score, coloured by segment.

    Parameters
    ----------
    grid : pandas.DataFrame
        From :func:`retainkit.segmentation.segment_grid`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``matplotlib.patches.Rectangle`` for every cell.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> g = pd.DataFrame({"r_score": [1, 1, 2, 2], "fm_score": [1, 2, 1, 2],
    ...                   "customers": [5, 0, 2, 9],
    ...                   "segment": ["Lost", "Lost", "New", "Champions"]})
    >>> _, ax = plt.subplots()
    >>> len(plot_segment_grid(g, ax=ax).patches)
    4
    """
    ax = ax if ax is not None else plt.gca()
    bins = int(max(grid["r_score"].max(), grid["fm_score"].max()))
    kwargs.setdefault("edgecolor", "white")
    kwargs.setdefault("linewidth", 2)
    for row in grid.itertuples(index=False):  # one cell per score pair, not per customer
        color = SEGMENT_COLORS.get(row.segment, "#cccccc")
        ax.add_patch(
            Rectangle((row.fm_score - 0.5, row.r_score - 0.5), 1, 1, facecolor=color, **kwargs)
        )
        dark = sum(to_rgba(color)[:3]) < 1.6
        ax.text(
            row.fm_score,
            row.r_score,
            f"{row.segment}\n{row.customers:,}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
        )
    ax.set_xlim(0.5, bins + 0.5)
    ax.set_ylim(0.5, bins + 0.5)
    ax.set_xticks(range(1, bins + 1))
    ax.set_yticks(range(1, bins + 1))
    ax.grid(False)
    as_of = grid.attrs.get("as_of")
    when = f" at {pd.Timestamp(as_of):%d %b %Y}" if as_of is not None else ""
    ax.set(
        title=f"RFM map: customers per recency and frequency-money score{when}\n"
        "cell label: segment of most of its customers, and the number of customers",
        xlabel="Frequency-money score (1 = fewest purchases / least money)",
        ylabel="Recency score (5 = most recent)"
        if bins == 5
        else f"Recency score ({bins} = most recent)",
    )
    return ax


def plot_segment_movement(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Heat map of customers moving between segments: rows earlier, columns later.

    Colour is the share of the row (where the earlier segment's customers went); the
    numbers are customers.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`retainkit.segmentation.segment_movement`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> m = pd.DataFrame([[3, 1], [0, 2]], index=["A", "B"], columns=["A", "B"])
    >>> _, ax = plt.subplots()
    >>> len(plot_segment_movement(m, ax=ax).texts)
    4
    """
    ax = ax if ax is not None else plt.gca()
    counts = matrix.to_numpy(dtype="float64")
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    kwargs.setdefault("cmap", "Blues")
    kwargs.setdefault("vmin", 0)
    kwargs.setdefault("vmax", 1)
    image = ax.imshow(shares, aspect="auto", **kwargs)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(
                j,
                i,
                f"{int(counts[i, j]):,}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if shares[i, j] > 0.55 else "black",
            )
    ax.set_xticks(range(counts.shape[1]), [str(c) for c in matrix.columns], rotation=40, ha="right")
    ax.set_yticks(range(counts.shape[0]), [str(r) for r in matrix.index])
    ax.grid(False)
    cbar = ax.figure.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    cbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    cbar.set_label("share of the earlier segment")
    before, after = matrix.attrs.get("earlier_as_of"), matrix.attrs.get("later_as_of")
    dates = (
        f"{pd.Timestamp(before):%d %b %Y} to {pd.Timestamp(after):%d %b %Y}"
        if before is not None and after is not None
        else "between two dates"
    )
    ax.set(
        title=f"Movement between RFM segments, {dates}\n"
        "number of customers; colour: share of the row's customers",
        xlabel="Segment at the later date",
        ylabel="Segment at the earlier date",
    )
    return ax


def _band(x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float]) -> Path:
    """Return a band from (x0, y0 top..bottom) to (x1, y1 top..bottom) with curved edges."""
    xm = (x0 + x1) / 2
    verts = [
        (x0, y0[0]), (xm, y0[0]), (xm, y1[0]), (x1, y1[0]),
        (x1, y1[1]), (xm, y1[1]), (xm, y0[1]), (x0, y0[1]), (x0, y0[0]),
    ]  # fmt: skip
    codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO,
             Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.CLOSEPOLY]  # fmt: skip
    return Path(verts, codes)


def plot_segment_flow(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Flow picture of the segment movement: earlier segments left, later right.

    Band widths are customers; bands take the colour of the earlier segment.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`retainkit.segmentation.segment_movement`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``matplotlib.patches.PathPatch`` for every band.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> m = pd.DataFrame([[3, 1], [0, 2]], index=["A", "B"], columns=["A", "B"])
    >>> _, ax = plt.subplots()
    >>> ax = plot_segment_flow(m, ax=ax)
    >>> sum(isinstance(p, PathPatch) for p in ax.patches)  # one band per non-zero cell
    3
    """
    ax = ax if ax is not None else plt.gca()
    counts = matrix.to_numpy(dtype="float64")
    total = counts.sum()
    left_tot = counts.sum(axis=1)
    right_tot = counts.sum(axis=0)
    gap = total * 0.012 if total else 1.0
    node_w = 0.04

    def positions(sizes: np.ndarray) -> np.ndarray:
        tops = np.zeros(len(sizes))
        y = total + gap * (np.count_nonzero(sizes) - 1)
        for i, s in enumerate(sizes):  # one step per segment
            tops[i] = y
            if s > 0:
                y -= s + gap
        return tops

    left_top = positions(left_tot)
    right_top = positions(right_tot)
    left_names = [str(r) for r in matrix.index]
    right_names = [str(c) for c in matrix.columns]
    left_colors = _colors(left_names)
    right_colors = _colors(right_names)
    kwargs.setdefault("alpha", 0.45)
    kwargs.setdefault("linewidth", 0)
    out_cursor = left_top.copy()
    in_cursor = right_top.copy()
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            n = counts[i, j]
            if n <= 0:
                continue
            path = _band(
                node_w,
                1 - node_w,
                (out_cursor[i], out_cursor[i] - n),
                (in_cursor[j], in_cursor[j] - n),
            )
            ax.add_patch(PathPatch(path, facecolor=left_colors[i], **kwargs))
            out_cursor[i] -= n
            in_cursor[j] -= n
    for tops, sizes, names, colors, x, side in (
        (left_top, left_tot, left_names, left_colors, 0.0, "left"),
        (right_top, right_tot, right_names, right_colors, 1 - node_w, "right"),
    ):
        for top, size, name, color in zip(tops, sizes, names, colors, strict=True):
            if size <= 0:
                continue
            ax.add_patch(
                Rectangle((x, top - size), node_w, size, facecolor=color, edgecolor="none")
            )
            ax.text(
                -0.01 if side == "left" else 1.01,
                top - size / 2,
                f"{name} ({int(size):,})",
                ha="right" if side == "left" else "left",
                va="center",
                fontsize=8,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(-gap, total + gap * max(np.count_nonzero(left_tot), np.count_nonzero(right_tot)))
    ax.set_xticks([0.02, 0.98], ["earlier", "later"])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    before, after = matrix.attrs.get("earlier_as_of"), matrix.attrs.get("later_as_of")
    dates = (
        f"{pd.Timestamp(before):%d %b %Y} (left) to {pd.Timestamp(after):%d %b %Y} (right)"
        if before is not None and after is not None
        else "earlier (left) to later (right)"
    )
    ax.set_title(f"Where each segment's customers went, {dates}\nband width: customers")
    return ax


def plot_lifecycle(counts: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Stacked bars: active customers per lifecycle stage at the end of each period.

    Parameters
    ----------
    counts : pandas.DataFrame
        From :func:`retainkit.engine.lifecycle_counts`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> c = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "period_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
    ...                   "new": [2, 1], "repeat": [0, 1], "loyal": [0, 0], "lapsed": [0, 1]})
    >>> _, ax = plt.subplots()
    >>> len(plot_lifecycle(c, ax=ax).patches)
    6
    """
    ax = ax if ax is not None else plt.gca()
    attrs = counts.attrs
    period = attrs.get("period", "month")
    width = {"week": 5, "month": 25, "quarter": 80, "year": 300}.get(period, 25)
    bottom = np.zeros(len(counts))
    for stage in ("new", "repeat", "loyal"):
        ax.bar(
            counts["period_start"],
            counts[stage],
            bottom=bottom,
            width=width,
            align="edge",
            color=_STAGE_COLORS[stage],
            label=stage,
            **kwargs,
        )
        bottom = bottom + counts[stage].to_numpy()
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    k, m = attrs.get("loyal_purchases"), attrs.get("loyal_months")
    loyal = f"loyal: {k}+ purchases over {m:g}+ months" if k is not None else "loyal"
    churn = attrs.get("churn_days")
    lapsed = f"lapsed (over {churn} days without a purchase) not shown" if churn else ""
    span = (
        period_label(counts["period_start"].min(), counts["period_end"].max())
        if len(counts)
        else ""
    )
    ax.set(
        title=f"Active customers by lifecycle stage at the end of each {period}\n"
        f"new: one purchase; repeat: two or more; {loyal}\n{lapsed + '; ' if lapsed else ''}{span}",
        xlabel=period.capitalize(),
        ylabel="Customers",
    )
    ax.legend(loc="upper left")
    ax.figure.autofmt_xdate()
    return ax


def plot_conversion(
    curves: Sequence[pd.DataFrame], *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Share of customers who reached the next stage, by days since reaching the last.

    Parameters
    ----------
    curves : sequence of pandas.DataFrame
        From :func:`retainkit.lifecycle.conversion_curve`, one per transition.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.step``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> c = pd.DataFrame({"days": [10, 30], "share_converted": [0.25, 0.625]})
    >>> c.attrs["transition"] = "new → repeat"
    >>> _, ax = plt.subplots()
    >>> len(plot_conversion([c], ax=ax).lines)
    1
    """
    ax = ax if ax is not None else plt.gca()
    as_of = None
    for curve in curves:
        days = np.concatenate([[0], curve["days"].to_numpy()])
        share = np.concatenate([[0.0], curve["share_converted"].to_numpy()])
        followed = curve.attrs.get("followed_days")
        if followed:
            days = np.append(days, followed)
            share = np.append(share, share[-1])
        ax.step(days, share, where="post", label=curve.attrs.get("transition", ""), **kwargs)
        as_of = curve.attrs.get("as_of", as_of)
    _share_axis(ax.yaxis)
    ax.set_ylim(0, 1)
    when = f"; data up to {pd.Timestamp(as_of):%d %b %Y}" if as_of is not None else ""
    ax.set(
        title="How fast customers move to the next stage\n"
        f"share converted (Kaplan-Meier, allowing for customers observed only briefly){when}",
        xlabel="Days since reaching the earlier stage",
        ylabel="Share converted",
    )
    ax.legend(loc="upper left")
    return ax
