"""The lifetime value notebook's cohort section: heatmaps of customers and revenue kept."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from retainkit import cohorts as _cohorts
from retainkit.display import Parts, markdown
from retainkit.plotting import plot_cohort_heatmap

__all__ = ["cohort_section"]


def cohort_section(dataset: Any, *, period: str = "month") -> Parts:
    """Show the acquisition cohorts: customers kept, then revenue kept and cumulated.

    Figures are closed in pyplot, so that a notebook shows each once.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``transactions`` and ``currency``.
    period : {"month", "quarter"}
        Calendar period of the cohorts (:func:`retainkit.cohorts.cohort_table`).

    Returns
    -------
    Parts
        The heatmap of the share of each cohort still buying; then, with revenue, one
        figure with the revenue retained share and the cumulative revenue per customer;
        without, a sentence saying so.

    Examples
    --------
    >>> import pandas as pd
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-10"])})
    >>> parts = cohort_section(rk.load_dataset(frame))
    >>> type(parts[0]).__name__, parts[1].data
    ('Figure', 'Revenue cohorts need revenue; this data has none.')
    """
    transactions = dataset.transactions
    table = _cohorts.cohort_table(transactions, period=period)
    retained = _cohorts.cohort_triangle(table, measure="retained_share")
    fig, ax = plt.subplots(figsize=(13, 6))
    plot_cohort_heatmap(retained, ax=ax)
    fig.tight_layout()
    plt.close(fig)
    if not transactions.has_revenue:
        return Parts([fig, markdown("Revenue cohorts need revenue; this data has none.")])
    money_fig, axes = plt.subplots(1, 2, figsize=(15, 6))
    plot_cohort_heatmap(
        _cohorts.cohort_triangle(table, measure="revenue_retained_share"),
        annotate=False,
        ax=axes[0],
    )
    plot_cohort_heatmap(
        _cohorts.cohort_triangle(table, measure="cumulative_revenue_per_customer"),
        currency=dataset.currency,
        annotate=False,
        ax=axes[1],
    )
    money_fig.tight_layout()
    plt.close(money_fig)
    return Parts([fig, money_fig])
