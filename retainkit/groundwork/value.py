"""The value that left with the lost customers: run rates, lifetime value, concentration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.discounting import annuity_factor
from retainkit.exceptions import SchemaError


def lifetime_value(
    annual_value: float | np.ndarray | pd.Series,
    *,
    horizon_years: float,
    discount_rate: float,
) -> float | np.ndarray | pd.Series:
    """Present value of an annual amount received monthly for ``horizon_years``.

    Each month pays ``annual_value / 12`` at its end, discounted at the monthly rate
    equivalent to ``discount_rate`` a year: ``(1 + discount_rate) ** (1/12) - 1`` (the
    rule of :mod:`retainkit.discounting`). Undiscounted it is simply
    ``annual_value * horizon_years``.

    Parameters
    ----------
    annual_value : float or array
        Value per year (revenue or profit).
    horizon_years : float
        Years counted; a month partly inside counts its share.
    discount_rate : float
        Yearly rate, e.g. 0.1 for 10%.

    Returns
    -------
    float or array

    Examples
    --------
    >>> lifetime_value(12_000, horizon_years=20, discount_rate=0)  # $1,000 a month
    240000.0
    >>> round(lifetime_value(12_000, horizon_years=1, discount_rate=0.1), 2)
    11400.49
    """
    return annual_value * annuity_factor(horizon_years=horizon_years, discount_rate=discount_rate)


def value_lost(status: pd.DataFrame, *, horizon_years: float, discount_rate: float) -> pd.DataFrame:
    """Sum what the customers lost in the window cost: revenue, profit, lifetime value.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (needs revenue).
    horizon_years, discount_rate : float
        For :func:`lifetime_value`.

    Returns
    -------
    pandas.DataFrame
        One row: ``customers_lost``, ``revenue_lost`` and ``profit_lost`` (sums of the
        annual run rates), ``lifetime_revenue_lost`` and ``lifetime_profit_lost``,
        ``revenue_before_window`` (all customers' net revenue in the 365 days before the
        window), ``lost_share_of_revenue`` (the lost customers' part of it).

    Raises
    ------
    SchemaError
        Without revenue.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active"],
    ...     "annual_revenue": [12_000.0, 500.0], "annual_profit": [6_000.0, 100.0],
    ...     "revenue_before_window": [3_000.0, 1_000.0]})
    >>> v = value_lost(status, horizon_years=20, discount_rate=0)
    >>> v[["revenue_lost", "lifetime_revenue_lost", "lost_share_of_revenue"]]
       revenue_lost  lifetime_revenue_lost  lost_share_of_revenue
    0       12000.0               240000.0                   0.75
    """
    if "annual_revenue" not in status:
        raise SchemaError("the value of lost customers needs revenue; the data has none")
    lost = status[status["status"] == "lost in window"]
    before = status["revenue_before_window"].sum()
    revenue, profit = lost["annual_revenue"].sum(), lost["annual_profit"].sum()
    return pd.DataFrame(
        {
            "customers_lost": [len(lost)],
            "revenue_lost": [revenue],
            "profit_lost": [profit],
            "lifetime_revenue_lost": [
                lifetime_value(revenue, horizon_years=horizon_years, discount_rate=discount_rate)
            ],
            "lifetime_profit_lost": [
                lifetime_value(profit, horizon_years=horizon_years, discount_rate=discount_rate)
            ],
            "revenue_before_window": [before],
            "lost_share_of_revenue": [
                lost["revenue_before_window"].sum() / before if before > 0 else np.nan
            ],
        }
    )


def loss_concentration(status: pd.DataFrame, *, value: str = "annual_revenue") -> pd.DataFrame:
    """Rank the lost customers by the value they took: the Pareto view of the losses.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    value : str
        ``"annual_revenue"`` or ``"annual_profit"``.

    Returns
    -------
    pandas.DataFrame
        Lost customers, largest first: ``rank``, ``customer_id``, the value,
        ``customer_share`` (rank / number lost) and ``cumulative_share`` of the value
        lost.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "status": ["lost in window"] * 4, "annual_revenue": [10.0, 60.0, 20.0, 10.0]})
    >>> loss_concentration(status)[["customer_id", "cumulative_share"]]
      customer_id  cumulative_share
    0           b               0.6
    1           c               0.8
    2           a               0.9
    3           d               1.0
    """
    lost = status.loc[status["status"] == "lost in window", [S.CUSTOMER_ID, value]]
    lost = lost.sort_values([value, S.CUSTOMER_ID], ascending=[False, True]).reset_index(drop=True)
    total = lost[value].sum()
    lost.insert(0, "rank", np.arange(1, len(lost) + 1))
    lost["customer_share"] = lost["rank"] / max(len(lost), 1)
    lost["cumulative_share"] = lost[value].cumsum() / total if total else np.nan
    return lost
