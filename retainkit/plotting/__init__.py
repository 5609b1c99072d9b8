"""Plots: thin seaborn/matplotlib wrappers that take results and return the Axes.

Every plot takes the output of a retainkit function (it never aggregates), draws on
``ax`` (the current Axes when None), labels what is shown, its unit and the period it
covers, and returns ``ax``. Nothing here calls ``plt.show()`` or changes global style;
call :func:`set_style` for the house look. One module per topic; this package
re-exports every ``plot_*`` function.
"""

from retainkit.plotting._activity import plot_activity
from retainkit.plotting._base import grid, money_formatter, period_label, plain_text, set_style
from retainkit.plotting._groundwork import (
    plot_calls_curve,
    plot_churn_by_attribute,
    plot_loss_concentration,
    plot_losses_by_month,
    plot_order_value_trend,
    plot_reasons,
    plot_survival,
)
from retainkit.plotting._intervals import plot_customer_intervals, plot_forecast_band
from retainkit.plotting._ltv import (
    plot_benchmark,
    plot_cohort_heatmap,
    plot_frequency_recency,
    plot_holdout_by_frequency,
    plot_tracking,
)
from retainkit.plotting._segmentation import (
    SEGMENT_COLORS,
    plot_conversion,
    plot_lifecycle,
    plot_lorenz,
    plot_segment_flow,
    plot_segment_grid,
    plot_segment_movement,
    plot_segments,
)
from retainkit.plotting._subscriptions import (
    plot_subscriber_retention_rate,
    plot_subscriber_survival,
)

__all__ = [
    "SEGMENT_COLORS",
    "grid",
    "money_formatter",
    "period_label",
    "plain_text",
    "plot_activity",
    "plot_benchmark",
    "plot_calls_curve",
    "plot_churn_by_attribute",
    "plot_cohort_heatmap",
    "plot_conversion",
    "plot_customer_intervals",
    "plot_forecast_band",
    "plot_frequency_recency",
    "plot_holdout_by_frequency",
    "plot_lifecycle",
    "plot_lorenz",
    "plot_loss_concentration",
    "plot_losses_by_month",
    "plot_order_value_trend",
    "plot_reasons",
    "plot_segment_flow",
    "plot_segment_grid",
    "plot_segment_movement",
    "plot_segments",
    "plot_subscriber_retention_rate",
    "plot_subscriber_survival",
    "plot_survival",
    "plot_tracking",
    "set_style",
]
