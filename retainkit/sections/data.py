"""The data section every notebook opens with."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from retainkit import engine
from retainkit.display import Parts, markdown, table
from retainkit.plotting import grid, plot_activity

__all__ = ["MAPPING_NOTE", "activity_figure", "data_section"]

MAPPING_NOTE = (
    "Where each column came from (*mapping*: named in the mapping file or parameters; "
    "*synonym*: recognised by its name, check that it is right):"
)


def activity_figure(dataset: Any) -> Any:
    """Revenue (or orders, without revenue) and active customers per calendar month.

    The figure is closed in pyplot, so that a notebook shows it once: as a part of
    :func:`data_section`, not again when the cell ends.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: ``revenue`` (or ``orders``) and ``active_customers`` per month.

    Examples
    --------
    >>> import retainkit as rk
    >>> fig = activity_figure(rk.load_dataset("demo"))
    >>> [ax.get_title().split(" per ")[0] for ax in fig.axes]
    ['Net revenue', 'Active customers']
    """
    transactions = dataset.transactions
    totals = engine.period_totals(transactions, period="month")
    fig, (left, right) = grid(2, columns=2)
    if transactions.has_revenue:
        plot_activity(totals, measure="revenue", currency=dataset.currency, ax=left)
    else:
        plot_activity(totals, measure="orders", ax=left)
    plot_activity(totals, measure="active_customers", ax=right)
    fig.tight_layout()
    plt.close(fig)
    return fig


def data_section(dataset: Any) -> Parts:
    """Show what the data is: its quality report, column mapping, activity and key figures.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`.

    Returns
    -------
    Parts
        In order: the dataset's summary, its data-quality report, a note and table on
        where each column came from, :func:`activity_figure` and the key figures.

    Examples
    --------
    >>> import retainkit as rk
    >>> parts = data_section(rk.load_dataset("demo"))
    >>> [type(p).__name__ for p in parts]
    ['Dataset', 'QualityReport', 'Markdown', 'Styler', 'Figure', 'KeyFigures']
    """
    quality = dataset.transactions.quality
    return Parts(
        [
            dataset,
            quality,
            markdown(MAPPING_NOTE),
            table(quality.mapping.describe(), caption="Column mapping"),
            activity_figure(dataset),
            dataset.key_figures(),
        ]
    )
