"""Plots: thin seaborn/matplotlib wrappers that take results and return the Axes.

Every plot takes the output of a retainkit function (it never aggregates), draws on
``ax`` (the current Axes when None), labels what is shown, its unit and the period it
covers, and returns ``ax``. Nothing here calls ``plt.show()`` or changes global style;
call :func:`set_style` for the house look. One module per topic; this package
re-exports every ``plot_*`` function.
"""

from retainkit.plotting._activity import plot_activity
from retainkit.plotting._base import money_formatter, period_label, set_style
from retainkit.plotting._ltv import (
    plot_benchmark,
    plot_cohort_heatmap,
    plot_frequency_recency,
    plot_holdout_by_frequency,
    plot_tracking,
)

__all__ = [
    "money_formatter",
    "period_label",
    "plot_activity",
    "plot_benchmark",
    "plot_cohort_heatmap",
    "plot_frequency_recency",
    "plot_holdout_by_frequency",
    "plot_tracking",
    "set_style",
]
