"""Subscription plots: the sBG model's survival and retention-rate curves against the data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

if TYPE_CHECKING:
    from retainkit.clv.sbg import ShiftedBetaGeoModel

__all__ = ["plot_subscriber_retention_rate", "plot_subscriber_survival"]


def plot_subscriber_survival(
    observed: pd.DataFrame,
    *,
    model: ShiftedBetaGeoModel,
    last_month: int,
    end_month: int,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Share of new subscribers still subscribed by month: data, sBG model and projection.

    The Kaplan-Meier curve is a grey step line; the model is drawn solid up to
    ``last_month`` (the longest tenure in the data) and dashed beyond it, to ``end_month``.

    Parameters
    ----------
    observed : pandas.DataFrame
        Output of :func:`retainkit.survival.kaplan_meier` on tenures in months: ``time``
        (months since subscribing) and ``survival`` (0-1).
    model : ShiftedBetaGeoModel
        A fitted :class:`retainkit.clv.ShiftedBetaGeoModel` (months as periods).
    last_month : int
        The longest tenure in the data, in months: where the projection starts.
    end_month : int
        The last month shown.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.step`` (the data's curve).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from retainkit.clv import ShiftedBetaGeoModel
    >>> from retainkit.survival import kaplan_meier
    >>> model = ShiftedBetaGeoModel()
    >>> model.params_ = {"alpha": 1.0, "beta": 1.0}
    >>> tenure = pd.DataFrame({"months": [1, 1, 2, 3], "lost": [True, True, True, False]})
    >>> observed = kaplan_meier(tenure, duration="months", event="lost")
    >>> ax = plot_subscriber_survival(observed, model=model, last_month=3, end_month=12,
    ...                               ax=plt.figure().gca())
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Months since subscribing', ['Data (Kaplan-Meier)', 'sBG model', 'sBG projection'])
    """
    ax = ax if ax is not None else plt.gca()
    seen = np.arange(0, last_month + 1)
    ahead = np.arange(last_month, end_month + 1)
    kwargs.setdefault("color", "0.55")
    kwargs.setdefault("label", "Data (Kaplan-Meier)")
    ax.step(observed["time"], observed["survival"], where="post", **kwargs)
    ax.plot(seen, model.survival(seen), color="C0", label="sBG model")
    ax.plot(ahead, model.survival(ahead), color="C0", linestyle="--", label="sBG projection")
    ax.set(
        xlabel="Months since subscribing",
        ylabel="Share still subscribed",
        title="Of 100 new subscribers, still subscribed after n months",
        ylim=(0, 1.02),
    )
    _mark_end_of_data(ax, last_month=last_month, end_month=end_month, legend="upper right")
    return ax


def plot_subscriber_retention_rate(
    observed: pd.DataFrame,
    *,
    model: ShiftedBetaGeoModel,
    last_month: int,
    end_month: int,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Share of subscribers renewing each month: data, sBG model and projection.

    The data's rates are grey dots, in the months with cancellations; the model is drawn
    solid up to ``last_month`` (the longest tenure in the data) and dashed beyond it, to
    ``end_month``.

    Parameters
    ----------
    observed : pandas.DataFrame
        Output of :func:`retainkit.survival.kaplan_meier` on tenures in months, with the
        monthly retention rate it implies: ``time`` (months since subscribing),
        ``events`` (cancellations that month) and ``retention_rate`` (0-1, 1 - events /
        at_risk).
    model : ShiftedBetaGeoModel
        A fitted :class:`retainkit.clv.ShiftedBetaGeoModel` (months as periods).
    last_month : int
        The longest tenure in the data, in months: where the projection starts.
    end_month : int
        The last month shown.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot`` (the data's dots).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from retainkit.clv import ShiftedBetaGeoModel
    >>> from retainkit.survival import kaplan_meier
    >>> model = ShiftedBetaGeoModel()
    >>> model.params_ = {"alpha": 1.0, "beta": 1.0}
    >>> tenure = pd.DataFrame({"months": [1, 1, 2, 3], "lost": [True, True, True, False]})
    >>> observed = kaplan_meier(tenure, duration="months", event="lost")
    >>> observed = observed.assign(retention_rate=1 - observed["events"] / observed["at_risk"])
    >>> ax = plot_subscriber_retention_rate(observed, model=model, last_month=3, end_month=12,
    ...                                     ax=plt.figure().gca())
    >>> ax.get_ylabel(), ax.lines[0].get_ydata().tolist()  # months 1 and 2: 2/4, 1/2 cancel
    ('Subscribers renewing that month', [0.5, 0.5])
    """
    ax = ax if ax is not None else plt.gca()
    seen = np.arange(0, last_month + 1)
    ahead = np.arange(last_month, end_month + 1)
    events = observed[(observed["time"] >= 1) & (observed["events"] > 0)]
    kwargs.setdefault("markersize", 3)
    kwargs.setdefault("color", "0.55")
    kwargs.setdefault("label", "Data (months with cancellations)")
    ax.plot(events["time"], events["retention_rate"], "o", **kwargs)
    ax.plot(seen[1:], model.retention_rate(seen[1:]), color="C1", label="sBG model")
    ax.plot(
        ahead[1:] if last_month == 0 else ahead,
        model.retention_rate(ahead[1:] if last_month == 0 else ahead),
        color="C1",
        linestyle="--",
        label="sBG projection",
    )
    ax.set(
        xlabel="Month of the renewal",
        ylabel="Subscribers renewing that month",
        title="Monthly retention rate rises with tenure",
    )
    _mark_end_of_data(ax, last_month=last_month, end_month=end_month, legend="lower right")
    return ax


def _mark_end_of_data(ax: Axes, *, last_month: int, end_month: int, legend: str) -> None:
    """Mark where the data ends, show shares as percentages, limit the months, add a legend."""
    ax.axvline(last_month, color="0.3", linewidth=0.8, linestyle=":")
    ax.annotate(
        f"end of the data ({last_month} months)",
        (last_month, 0.98),
        xycoords=("data", "axes fraction"),
        rotation=90,
        ha="right",
        va="top",
        fontsize=8,
        color="0.3",
    )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, end_month)
    ax.legend(loc=legend, fontsize=8)
