"""Plots for the groundwork notebook: losses, reasons, survival, the monthly review."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from retainkit.calls.ranking import ranked_values
from retainkit.plotting._base import money_formatter, period_label, plain_text

__all__ = [
    "plot_calls_curve",
    "plot_churn_by_attribute",
    "plot_loss_concentration",
    "plot_losses_by_month",
    "plot_order_value_trend",
    "plot_reasons",
    "plot_survival",
]

_GROUP_COLOURS = {
    "controllable": "#C44E52",
    "uncontrollable": "#8C8C8C",
    "unclassified": "#CCB974",
    "not stated": "#DDDDDD",
}


def plot_losses_by_month(
    losses: pd.DataFrame, *, churn_days: int, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Bars of customers lost per month (the month they counted as lost).

    Parameters
    ----------
    losses : pandas.DataFrame
        Output of :func:`retainkit.groundwork.losses_by_month`.
    churn_days : int
        The inactivity threshold, for the title.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> losses = pd.DataFrame({"month_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                        "customers_lost": [3, 5]})
    >>> fig, ax = plt.subplots()
    >>> len(plot_losses_by_month(losses, churn_days=90, ax=ax).patches)
    2
    """
    ax = ax if ax is not None else plt.gca()
    kwargs.setdefault("color", "#C44E52")
    ax.bar(losses["month_start"], losses["customers_lost"], width=25, align="edge", **kwargs)
    span = (
        f"{losses['month_start'].min():%b %Y} to {losses['month_start'].max():%b %Y}"
        if len(losses)
        else "no losses"
    )
    ax.set(
        title=f"Customers lost per month\nmonth in which they reached {churn_days} days "
        f"without a purchase; {span}",
        xlabel="Month",
        ylabel="Customers lost",
    )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.figure.autofmt_xdate()
    return ax


def plot_churn_by_attribute(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Horizontal bars of the churn rate per attribute value, with 95% intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`retainkit.groundwork.churn_by_attribute`.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> table = pd.DataFrame({"attribute": "region", "value": ["N", "S"],
    ...     "active_at_start": [10, 20], "lost": [5, 4], "churn_rate": [0.5, 0.2],
    ...     "churn_rate_low": [0.24, 0.08], "churn_rate_high": [0.76, 0.42]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_churn_by_attribute(table, ax=ax)
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_yticklabels()]  # highest churn rate at the top
    ['S (n=20)', 'N (n=10)']
    """
    ax = ax if ax is not None else plt.gca()
    t = table.iloc[::-1]
    labels = [
        f"{plain_text(v)} (n={n:,})" for v, n in zip(t["value"], t["active_at_start"], strict=True)
    ]
    low = t["churn_rate"] - t["churn_rate_low"]
    high = t["churn_rate_high"] - t["churn_rate"]
    err = np.vstack([low, high]).clip(min=0)  # rounding can put a bound a hair past the rate
    kwargs.setdefault("color", "#4C72B0")
    ax.barh(labels, t["churn_rate"], xerr=err, capsize=3, **kwargs)
    name = str(table["attribute"].iloc[0]).replace("_", " ") if len(table) else "attribute"
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(
        title=f"Churn rate by {name}\nactive base lost in the window; 95% intervals",
        xlabel="Churn rate",
        ylabel=name,
    )
    return ax


def plot_reasons(
    reasons: pd.DataFrame, *, value: str = "customers", ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Horizontal bars of stated churn reasons, coloured controllable or not.

    Parameters
    ----------
    reasons : pandas.DataFrame
        Output of :func:`retainkit.groundwork.reason_summary`.
    value : {"customers", "annual_revenue_lost"}
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> reasons = pd.DataFrame({"group": ["controllable", "uncontrollable"],
    ...     "reason": ["Price", "Moved"], "customers": [3, 1], "share": [0.75, 0.25]})
    >>> fig, ax = plt.subplots()
    >>> len(plot_reasons(reasons, ax=ax).patches)
    2
    """
    ax = ax if ax is not None else plt.gca()
    t = reasons.sort_values(value)
    colours = [_GROUP_COLOURS.get(g, "#4C72B0") for g in t["group"]]
    ax.barh([plain_text(r) for r in t["reason"]], t[value], color=colours, **kwargs)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=_GROUP_COLOURS[g])
        for g in _GROUP_COLOURS
        if g in set(t["group"])
    ]
    ax.legend(handles, [g for g in _GROUP_COLOURS if g in set(t["group"])], loc="lower right")
    what = "Customers" if value == "customers" else "Annual revenue lost"
    ax.set(
        title=f"Stated reasons for leaving\n{what.lower()} per reason, customers lost in the "
        "window who gave a reason",
        xlabel=what,
        ylabel="",
    )
    return ax


def plot_survival(
    curve: pd.DataFrame,
    *,
    title_group: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Step lines of Kaplan-Meier survival curves with their intervals.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`retainkit.survival.kaplan_meier` (grouped or not).
    title_group : str, optional
        What the groups are, for the title.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.step``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> curve = pd.DataFrame({"time": [0, 10], "survival": [1.0, 0.5],
    ...                       "ci_low": [1.0, 0.3], "ci_high": [1.0, 0.7]})
    >>> fig, ax = plt.subplots()
    >>> len(plot_survival(curve, ax=ax).get_lines())
    1
    """
    ax = ax if ax is not None else plt.gca()
    groups = curve.groupby("group") if "group" in curve else [(None, curve)]
    for name, part in groups:
        (line,) = ax.step(
            part["time"],
            part["survival"],
            where="post",
            label=plain_text(name) if name is not None else "all customers",
            **kwargs,
        )
        ax.fill_between(
            part["time"],
            part["ci_low"],
            part["ci_high"],
            step="post",
            alpha=0.15,
            color=line.get_color(),
        )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.02)
    title_group = title_group.replace("_", " ") if title_group else title_group
    by = f" by {title_group}" if title_group else ""
    ax.set(
        title=f"Customers still buying{by}\nKaplan-Meier estimate, 95% band; "
        "active customers censored",
        xlabel="Days since first purchase",
        ylabel="Still buying",
    )
    if "group" in curve:
        ax.legend(title=title_group)
    return ax


def plot_loss_concentration(
    concentration: pd.DataFrame,
    *,
    value_label: str = "annual revenue lost",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Cumulative share of the value lost against the share of lost customers.

    Parameters
    ----------
    concentration : pandas.DataFrame
        Output of :func:`retainkit.groundwork.loss_concentration`.
    value_label : str
        What the value is, for labels.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> conc = pd.DataFrame({"customer_share": [0.5, 1.0], "cumulative_share": [0.8, 1.0]})
    >>> fig, ax = plt.subplots()
    >>> len(plot_loss_concentration(conc, ax=ax).get_lines())
    2
    """
    ax = ax if ax is not None else plt.gca()
    x = np.concatenate([[0.0], concentration["customer_share"].to_numpy()])
    y = np.concatenate([[0.0], concentration["cumulative_share"].to_numpy()])
    ax.plot(x, y, **kwargs)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(
        title=f"How concentrated the losses are\ncumulative share of {value_label}, lost "
        "customers ranked from the most valuable",
        xlabel="Share of lost customers",
        ylabel=f"Share of {value_label}",
    )
    return ax


def plot_order_value_trend(
    monthly: pd.DataFrame,
    trend: pd.DataFrame,
    *,
    currency: str = "",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Average order value per month, with the two windows the review compares.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Output of :func:`retainkit.alerts.monthly_order_value`.
    trend : pandas.DataFrame
        Output of :func:`retainkit.alerts.order_value_trend`.
    currency : str
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> monthly = pd.DataFrame({"month_start": pd.to_datetime(["2024-10-01", "2024-11-01"]),
    ...                         "mean_order_value": [10.0, 8.0]})
    >>> trend = pd.DataFrame({"previous_start": pd.to_datetime(["2024-05-01"]),
    ...     "recent_end": pd.to_datetime(["2024-11-30"]), "aov_previous": [10.0],
    ...     "aov_recent": [8.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_order_value_trend(monthly, trend, currency="$", ax=ax)
    >>> len(ax.get_lines()), len(ax.collections)  # the monthly line, two window means
    (1, 2)
    """
    ax = ax if ax is not None else plt.gca()
    kwargs.setdefault("marker", "o")
    ax.plot(monthly["month_start"], monthly["mean_order_value"], **kwargs)
    row = trend.iloc[0]
    start, end = pd.Timestamp(row["previous_start"]), pd.Timestamp(row["recent_end"])
    middle = start + (end - start) / 2
    ax.hlines(
        row["aov_previous"],
        start,
        middle,
        colors="#8C8C8C",
        linestyles="--",
        label="mean, previous window",
    )
    ax.hlines(
        row["aov_recent"],
        middle,
        end,
        colors="#C44E52",
        linestyles="--",
        label="mean, recent window",
    )
    ax.axvspan(middle, end, color="#C44E52", alpha=0.08)
    ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.legend(loc="best")
    first = monthly["month_start"].min() if len(monthly) else start
    ax.set(
        title="Average order value per month\norder value = net revenue of an order's "
        f"purchase lines; {period_label(first, end)}",
        xlabel="Month",
        ylabel=f"Average order value ({currency or 'currency'})",
    )
    ax.figure.autofmt_xdate()
    return ax


def plot_calls_curve(
    risk: pd.DataFrame,
    *,
    calls: int | None = None,
    currency: str = "",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Value at risk covered by the first N calls: how far down the list to go.

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk` (its slipping customers are plotted).
    calls : int, optional
        The call list's length, marked on the curve.
    currency : str
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> risk = pd.DataFrame({"group": "slipping", "value_at_risk": [40.0, 30.0, 20.0, 10.0]})
    >>> risk.attrs = {"horizon_days": 180, "unit": "money", "value": "net revenue"}
    >>> fig, ax = plt.subplots()
    >>> ax = plot_calls_curve(risk, calls=2, currency="$", ax=ax)
    >>> ax.get_lines()[0].get_ydata().tolist()  # cumulative value at risk
    [0.0, 40.0, 70.0, 90.0, 100.0]
    """
    ax = ax if ax is not None else plt.gca()
    values = ranked_values(risk)
    covered = np.concatenate([[0.0], np.cumsum(values)])
    ax.plot(np.arange(len(covered)), covered, **kwargs)
    if calls and len(values):
        n = min(int(calls), len(values))
        ax.axvline(n, color="grey", linestyle="--", linewidth=1)
        total = covered[-1]
        ax.annotate(
            f"the first {n:,} calls: {covered[n] / total:.0%} of the value at risk",
            xy=(n, covered[n]),
            xytext=(8, -14),
            textcoords="offset points",
            fontsize=9,
        )
    days = risk.attrs.get("horizon_days", "")
    money_unit = risk.attrs.get("unit", "money") == "money"
    if money_unit:
        ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel("Calls made, most value at risk first (customers)")
    ax.set_ylabel(
        f"Value at risk covered ({currency or 'money'})" if money_unit else "Purchase days at risk"
    )
    ax.set_title(
        f"How much the first calls cover: expected shortfall of {risk.attrs.get('value', 'value')}"
        f"\nin the next {days} days against the last {days}, slipping customers"
    )
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    return ax
