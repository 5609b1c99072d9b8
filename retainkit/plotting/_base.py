"""Shared plot helpers: the house style, money ticks and period labels."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

__all__ = ["grid", "money_formatter", "period_label", "plain_text", "set_style"]


def set_style() -> None:
    """Apply retainkit's plot style (seaborn "whitegrid", readable sizes).

    Examples
    --------
    >>> set_style()
    """
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.figsize": (9, 4),
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "figure.dpi": 100,
        }
    )


def money_formatter(currency: str = "") -> FuncFormatter:
    """Return a tick formatter for money: ``£1.2M``, ``£350k``, ``£90``.

    Examples
    --------
    >>> money_formatter("$")(1_250_000, 0)
    '$1.2M'
    """

    def fmt(value: float, _pos: Any) -> str:
        sign = "-" if value < 0 else ""
        v = abs(value)
        if v >= 1e6:
            return f"{sign}{currency}{v / 1e6:.1f}M"
        if v >= 1e3:
            return f"{sign}{currency}{v / 1e3:.0f}k"
        return f"{sign}{currency}{v:,.0f}"

    return FuncFormatter(fmt)


def period_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Return "01 Jan 2024 to 31 Dec 2024": the period a plot covers, for its title.

    Examples
    --------
    >>> period_label(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    '01 Jan 2024 to 31 Dec 2024'
    """
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def grid(
    panels: int, *, columns: int = 2, width: float = 6.5, height: float = 3.6
) -> tuple[Any, list[Any]]:
    """Make a figure with ``panels`` axes in rows of ``columns``; unused axes are hidden.

    Returns
    -------
    (matplotlib.figure.Figure, list of Axes)
        The axes to draw on, in reading order.

    Examples
    --------
    >>> fig, axes = grid(3)
    >>> len(axes), len(fig.axes)
    (3, 4)
    """
    panels = max(panels, 1)
    columns = min(columns, panels)
    rows = -(-panels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def plain_text(text: object) -> str:
    r"""Return data text safe for a matplotlib label: ``$`` no longer starts a formula.

    Examples
    --------
    >>> plain_text("Price $$$")
    'Price \\$\\$\\$'
    """
    return str(text).replace("$", r"\$")
