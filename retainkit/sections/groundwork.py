"""The groundwork notebook's loss sections: whom we lost, why, and what it cost.

Each function is one section of ``01_groundwork.ipynb`` and returns what it shows (story,
tables, figures) as a :class:`retainkit.display.Parts`. They take the customer status
(:func:`retainkit.groundwork.customer_status`, which carries its window in
``attrs["window"]``) and decide what there is to show: a figure needs a feasible window,
money needs revenue, a breakdown needs attributes. Figures are closed in pyplot, so that a
notebook shows each one once: as a part, not again when the cell ends.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from retainkit import engine
from retainkit import groundwork as gw
from retainkit.assumptions import ValueAssumptions
from retainkit.display import Parts, markdown, table
from retainkit.groundwork.window import ChurnWindow
from retainkit.plotting import (
    grid,
    plot_churn_by_attribute,
    plot_loss_concentration,
    plot_losses_by_month,
    plot_reasons,
    plot_survival,
)
from retainkit.sections.loss_story import behaviour_story, cost_story, loss_story, reason_story

__all__ = [
    "NO_ATTRIBUTES",
    "NO_REASONS",
    "behaviour_section",
    "churn_by_group_section",
    "cost_section",
    "loss_section",
    "lost_customers_section",
    "reasons_section",
    "tenure_section",
    "window_section",
]

NO_ATTRIBUTES = (
    "The data has no customer attributes or product categories, so losses cannot be broken "
    "down by group. Pass a customer attribute file with `customers` to see them."
)
NO_REASONS = (
    "No stated churn reasons were given: pass a file with `customer_id` and `reason` columns "
    "as `reasons` to see them."
)


def _window(status: pd.DataFrame) -> ChurnWindow:
    return status.attrs["window"]


def _groups(status: pd.DataFrame) -> list[str]:
    """Return the attributes to break losses down by: none without a feasible window."""
    return gw.attribute_columns(status) if _window(status).feasible else []


def _closed(fig: Any) -> Any:
    fig.tight_layout()
    plt.close(fig)
    return fig


def window_section(window: ChurnWindow) -> Parts:
    """Say when a customer counts as lost and which window the losses are counted in.

    Parameters
    ----------
    window : ChurnWindow
        :func:`retainkit.groundwork.churn_window`.

    Returns
    -------
    Parts
        One Markdown: the threshold's explanation, then the window's note.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> window_section(w)[0].data == w.churn.explanation + 2 * chr(10) + w.note
    True
    """
    return Parts(
        [
            markdown(
                "{threshold}\n\n{window}", threshold=window.churn.explanation, window=window.note
            )
        ]
    )


def loss_section(status: pd.DataFrame) -> Parts:
    """Say how many customers were lost, and show the losses per month.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.

    Returns
    -------
    Parts
        :func:`retainkit.sections.loss_story.loss_story`, then a figure of the customers lost per
        month (:func:`retainkit.plotting.plot_losses_by_month`) when the window is feasible.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> story, fig = loss_section(gw.customer_status(frame, w))
    >>> story.data[:51], int(sum(p.get_height() for p in fig.axes[0].patches))
    ('In the 365 days to 31 Dec 2024 we lost **1 customer', 1)
    """
    window = _window(status)
    parts = Parts([loss_story(status)])
    if window.feasible:
        fig, ax = plt.subplots(figsize=(10, 3.6))
        plot_losses_by_month(gw.losses_by_month(status), churn_days=window.churn_days, ax=ax)
        plt.close(fig)
        parts.append(fig)
    return parts


def churn_by_group_section(status: pd.DataFrame) -> Parts:
    """Show the churn rate per value of every customer attribute, or say there are none.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`, with attribute columns.

    Returns
    -------
    Parts
        A figure with one panel per attribute
        (:func:`retainkit.plotting.plot_churn_by_attribute`), or :data:`NO_ATTRIBUTES`
        when there are no attributes or the window is not feasible.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> churn_by_group_section(gw.customer_status(frame, w))[0].data == NO_ATTRIBUTES
    True
    """
    groups = _groups(status)
    if not groups:
        return Parts([markdown(NO_ATTRIBUTES)])
    fig, axes = grid(len(groups), columns=2)
    for attribute, ax in zip(groups, axes, strict=True):
        plot_churn_by_attribute(gw.churn_by_attribute(status, attribute), ax=ax)
    return Parts([_closed(fig)])


def lost_customers_section(
    status: pd.DataFrame, *, currency: str = "", rows_shown: int = 20
) -> Parts:
    """List the customers lost in the window, most valuable first.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.
    currency : str
    rows_shown : int
        Rows of the list shown (the caption counts them all).

    Returns
    -------
    Parts
        One table of :func:`retainkit.groundwork.lost_customers`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> html = lost_customers_section(gw.customer_status(frame, w), currency="£")[0].to_html()
    >>> "Customers lost in the window (1)" in html, "£150" in html
    (True, True)
    """
    lost = gw.lost_customers(status)
    return Parts(
        [
            table(
                lost,
                currency=currency,
                money_columns=["annual_revenue", "annual_profit"],
                date_columns=["first_purchase", "last_purchase", "lapse_date"],
                max_rows=rows_shown,
                caption=f"Customers lost in the window ({len(lost):,}); annual = net revenue or "
                "profit in the 365 days up to their last purchase",
            )
        ]
    )


def reasons_section(
    status: pd.DataFrame, reasons: pd.DataFrame | None, *, currency: str = ""
) -> Parts:
    """Show the stated reasons of the customers lost: story, bar chart and table.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.
    reasons : pandas.DataFrame, optional
        Stated reasons (``customer_id``, ``reason``), ``Dataset.reasons``; None: not given.
    currency : str

    Returns
    -------
    Parts
        :data:`NO_REASONS` without reasons or a feasible window; else
        :func:`retainkit.sections.loss_story.reason_story` and, when any customer lost gave a
        reason, :func:`retainkit.plotting.plot_reasons` and the table of
        :func:`retainkit.groundwork.reason_summary`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> reasons_section(gw.customer_status(frame, w), None)[0].data == NO_REASONS
    True
    """
    if reasons is None or not _window(status).feasible:
        return Parts([markdown(NO_REASONS)])
    summary = gw.reason_summary(status, reasons)
    parts = Parts([reason_story(summary)])
    if len(summary):
        fig, ax = plt.subplots(figsize=(10, 4))
        plot_reasons(summary, ax=ax)
        plt.close(fig)
        parts.append(fig)
        parts.append(
            table(
                summary,
                currency=currency,
                share_columns=["share"],
                money_columns=["annual_revenue_lost"],
                caption="Stated reasons of the customers lost in the window",
            )
        )
    return parts


def behaviour_section(status: pd.DataFrame, transactions: Any) -> Parts:
    """Compare lost with retained customers of the active base: story and table.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`; its ``satisfaction`` column, if any,
        is one of the measures.
    transactions : Transactions, pandas.DataFrame or ibis Table
        The transactions ``status`` was computed from.

    Returns
    -------
    Parts
        Empty when the window is not feasible; else
        :func:`retainkit.sections.loss_story.behaviour_story` and the table of
        :func:`retainkit.groundwork.behaviour_comparison`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> story, styled = behaviour_section(gw.customer_status(frame, w), frame)
    >>> story.data[:40]
    'None of the measures separates the lost '
    """
    window = _window(status)
    if not window.feasible:
        return Parts()
    comparison = gw.behaviour_comparison(
        status,
        engine.customer_behaviour(transactions, as_of=window.as_of),
        engine.gap_statistics(transactions, as_of=window.as_of),
        satisfaction="satisfaction" if "satisfaction" in status else None,
    )
    return Parts(
        [
            behaviour_story(comparison),
            table(
                comparison,
                integer_columns=["lost_customers", "retained_customers"],
                caption="Lost against retained customers of the active base",
            ),
        ]
    )


def tenure_section(status: pd.DataFrame) -> Parts:
    """Show how long customers keep buying: survival overall and by the first attribute.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.

    Returns
    -------
    Parts
        One figure of two panels: :func:`retainkit.groundwork.survival_by` overall and,
        when there is an attribute to break losses down by (as in
        :func:`churn_by_group_section`), by the first of them (else that panel is hidden).

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> fig = tenure_section(gw.customer_status(frame, w))[0]
    >>> [ax.get_visible() for ax in fig.axes]
    [True, False]
    """
    fig, axes = plt.subplots(1, 2, figsize=(13, 4))
    plot_survival(gw.survival_by(status), ax=axes[0])
    groups = _groups(status)
    if groups:
        by = groups[0]
        plot_survival(gw.survival_by(status, by), title_group=by, ax=axes[1])
    else:
        axes[1].set_visible(False)
    return Parts([_closed(fig)])


def cost_section(
    status: pd.DataFrame, *, value: ValueAssumptions | None = None, currency: str = ""
) -> Parts:
    """Say what the losses cost, and show how concentrated the loss is.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.
    value : ValueAssumptions, optional
        Horizon and discount rate of the lifetime value lost
        (:func:`retainkit.groundwork.value_lost`); default ``ValueAssumptions()``.
    currency : str

    Returns
    -------
    Parts
        :func:`retainkit.sections.loss_story.cost_story`, then, when the data has revenue, the
        window is feasible and some customer was lost in it,
        :func:`retainkit.plotting.plot_loss_concentration`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> w = gw.churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> from retainkit import ValueAssumptions
    >>> story, fig = cost_section(gw.customer_status(frame, w), currency="£",
    ...                           value=ValueAssumptions(horizon_years=1, discount_rate=0))
    >>> story.data[:59]
    'The 1 customer lost in the window was worth **£150 a year**'
    """
    v = ValueAssumptions() if value is None else value
    parts = Parts(
        [
            cost_story(
                status,
                horizon_years=v.horizon_years,
                discount_rate=v.discount_rate,
                currency=currency,
            )
        ]
    )
    if "annual_revenue" in status and _window(status).feasible and len(gw.lost_customers(status)):
        fig, ax = plt.subplots(figsize=(6, 4))
        plot_loss_concentration(gw.loss_concentration(status), ax=ax)
        plt.close(fig)
        parts.append(fig)
    return parts
