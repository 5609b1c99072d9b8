"""Forecast interval plots: the total's band over the horizon, and the top customers' ranges."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from retainkit.plotting._base import money_formatter

__all__ = ["plot_customer_intervals", "plot_forecast_band"]

_MEASURES = {
    "clv": "Lifetime value (discounted gross profit)",
    "expected_revenue": "Expected revenue (undiscounted)",
    "expected_purchases": "Expected repeat purchases",
}


def plot_forecast_band(intervals: Any, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Plot total expected repeat purchases to each month, with its interval as a band.

    Parameters
    ----------
    intervals : ForecastIntervals
        :func:`retainkit.clv.intervals.value_intervals`: its ``curve`` (``horizon_years``,
        ``estimate``, ``low``, ``high``) and ``level``.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.fill_between`` (the band).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``intervals`` has no curve (:func:`retainkit.clv.intervals.purchase_intervals`
        gives none).

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit.clv.intervals import ForecastIntervals
    >>> curve = pd.DataFrame({"horizon_years": [0.5, 1.0], "estimate": [10.0, 18.0],
    ...                       "low": [8.0, 15.0], "high": [12.0, 21.0]})
    >>> iv = ForecastIntervals(pd.DataFrame(), pd.DataFrame(), curve, 0.9, 500, 1.0, "years")
    >>> ax = plot_forecast_band(iv, ax=plt.figure().gca())
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Months from the analysis date', 'Repeat purchases, all customers (cumulative)')
    """
    curve = intervals.curve
    if curve is None:
        raise ValueError(
            "these intervals have no curve over the horizon; build them with "
            "retainkit.clv.intervals.value_intervals(...)"
        )
    ax = ax if ax is not None else plt.gca()
    months = np.concatenate([[0.0], curve["horizon_years"].to_numpy(dtype=float) * 12])
    low = np.concatenate([[0.0], curve["low"].to_numpy(dtype=float)])
    high = np.concatenate([[0.0], curve["high"].to_numpy(dtype=float)])
    estimate = np.concatenate([[0.0], curve["estimate"].to_numpy(dtype=float)])
    kwargs.setdefault("alpha", 0.3)
    kwargs.setdefault("color", "C0")
    ax.fill_between(
        months,
        low,
        high,
        label=f"{intervals.level:.0%} interval (uncertainty of the model's parameters)",
        **kwargs,
    )
    ax.plot(months, estimate, color="C0", label="Expected (fitted model)")
    ax.set(
        xlabel="Months from the analysis date",
        ylabel="Repeat purchases, all customers (cumulative)",
        title=f"Expected repeat purchases over the next {months[-1] / 12:g} years",
        xlim=(0, months[-1]),
    )
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return ax


def plot_customer_intervals(
    intervals: Any,
    *,
    measure: str = "clv",
    top: int = 15,
    currency: str = "",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot the top customers' estimates with their intervals, as horizontal ranges.

    Parameters
    ----------
    intervals : ForecastIntervals
        :func:`retainkit.clv.intervals.value_intervals` or
        :func:`~retainkit.clv.intervals.purchase_intervals`: its ``customers``
        (``customer_id``, ``<measure>``, ``<measure>_low``, ``<measure>_high``).
    measure : str
        ``"clv"``, ``"expected_revenue"`` or ``"expected_purchases"``.
    top : int
        Customers shown, the highest estimates first.
    currency : str
        Currency symbol for money measures.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.errorbar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit.clv.intervals import ForecastIntervals
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "clv": [50.0, 80.0],
    ...                   "clv_low": [40.0, 60.0], "clv_high": [65.0, 90.0]})
    >>> iv = ForecastIntervals(c, pd.DataFrame(), None, 0.9, 500, 5.0, "years")
    >>> ax = plot_customer_intervals(iv, currency="$", ax=plt.figure().gca())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['b', 'a']
    """
    if measure not in _MEASURES:
        raise ValueError(f"measure={measure!r} is not one of {list(_MEASURES)}")
    ax = ax if ax is not None else plt.gca()
    shown = intervals.customers.nlargest(top, measure)
    y = np.arange(len(shown))[::-1]
    est = shown[measure].to_numpy(dtype=float)
    err = np.vstack(
        [
            est - shown[f"{measure}_low"].to_numpy(float),
            shown[f"{measure}_high"].to_numpy(float) - est,
        ]
    )
    kwargs.setdefault("fmt", "o")
    kwargs.setdefault("capsize", 3)
    ax.errorbar(est, y, xerr=err, **kwargs)
    ax.set_yticks(y, [str(v) for v in shown["customer_id"]])
    unit = f" ({currency})" if currency and measure != "expected_purchases" else ""
    horizon = f"{intervals.horizon:g} {intervals.horizon_unit}"
    ax.set(
        xlabel=f"{_MEASURES[measure]} over {horizon}{unit}",
        ylabel="Customer",
        title=f"Top {len(shown)} customers with {intervals.level:.0%} intervals",
    )
    if measure != "expected_purchases":
        ax.xaxis.set_major_formatter(money_formatter(currency))
    return ax
