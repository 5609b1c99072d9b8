"""The customers lost in the window, listed and counted by month or by attribute."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.groundwork._base import _DAY, _STATUS_COLUMNS


def lost_customers(status: pd.DataFrame) -> pd.DataFrame:
    """List the customers lost in the window, most valuable first.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``first_purchase``, ``last_purchase``, ``lapse_date``,
        ``orders``, ``annual_revenue`` and ``annual_profit`` (with revenue), then the
        attribute columns; sorted by annual revenue (or last purchase without money).

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"], "status": ["lost in window"] * 2,
    ...     "first_purchase": pd.to_datetime(["2024-01-01"] * 2),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-03-01"]),
    ...     "lapse_date": pd.to_datetime(["2024-05-01", "2024-06-01"]), "orders": [2, 3],
    ...     "annual_revenue": [10.0, 30.0], "annual_profit": [3.0, 9.0]})
    >>> lost_customers(status)["customer_id"].tolist()
    ['b', 'a']
    """
    lost = status[status["status"] == "lost in window"]
    cols = [S.CUSTOMER_ID, "first_purchase", "last_purchase", "lapse_date", "orders"]
    money = [c for c in ("annual_revenue", "annual_profit") if c in lost]
    extra = [c for c in lost.columns if c not in _STATUS_COLUMNS]
    by = (["annual_revenue"] if money else ["last_purchase"]) + [S.CUSTOMER_ID]
    return lost.sort_values(by, ascending=[False, True])[cols + money + extra].reset_index(
        drop=True
    )


def losses_by_month(status: pd.DataFrame) -> pd.DataFrame:
    """Count the customers lost in the window by the month they counted as lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``month_start``, ``customers_lost``, and with revenue ``annual_revenue_lost``;
        every month of the window appears, with zeros where nobody lapsed.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window"] * 2 + ["active"],
    ...     "lapse_date": pd.to_datetime(["2024-01-10", "2024-03-02", "2024-03-05"])})
    >>> losses_by_month(status)
      month_start  customers_lost
    0  2024-01-01               1
    1  2024-02-01               0
    2  2024-03-01               1
    """
    lost = status[status["status"] == "lost in window"]
    window = status.attrs.get("window")
    month = lost["lapse_date"].dt.to_period("M").dt.to_timestamp()
    aggs = {"customers_lost": (S.CUSTOMER_ID if S.CUSTOMER_ID in lost else "status", "size")}
    if "annual_revenue" in lost:
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = lost.assign(month_start=month).groupby("month_start").agg(**aggs)
    if window is not None and window.feasible:
        first = (window.start + _DAY).to_period("M").to_timestamp()
        last = window.as_of.to_period("M").to_timestamp()
    elif len(out):
        first, last = out.index.min(), out.index.max()
    else:
        return out.reset_index()
    months = pd.date_range(first, last, freq="MS", name="month_start").astype(
        out.index.dtype if len(out) else "datetime64[ns]"
    )
    out = out.reindex(months, fill_value=0).reset_index()
    out["customers_lost"] = out["customers_lost"].astype("int64")
    return out


def losses_by(status: pd.DataFrame, column: str) -> pd.DataFrame:
    """Losses in the window per value of a column: customers and annual value lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (with the column joined).
    column : str

    Returns
    -------
    pandas.DataFrame
        ``value``, ``customers_lost``, ``share_of_losses`` and, with revenue,
        ``annual_revenue_lost``; largest first.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window"] * 3,
    ...     "first_category": ["Tea", "Tea", "Coffee"], "annual_revenue": [1.0, 2.0, 3.0]})
    >>> losses_by(status, "first_category")
        value  customers_lost  share_of_losses  annual_revenue_lost
    0     Tea               2         0.666667                  3.0
    1  Coffee               1         0.333333                  3.0
    """
    lost = status[status["status"] == "lost in window"]
    value = lost[column].astype(object).where(lost[column].notna(), "(unknown)").astype(str)
    frame = pd.DataFrame({"value": value})
    aggs: dict[str, tuple[str, str]] = {"customers_lost": ("value", "size")}
    if "annual_revenue" in lost:
        frame["annual_revenue"] = lost["annual_revenue"].to_numpy()
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = frame.groupby("value").agg(**aggs).reset_index()
    total = out["customers_lost"].sum()
    out.insert(2, "share_of_losses", out["customers_lost"] / total if total else np.nan)
    return out.sort_values(["customers_lost", "value"], ascending=[False, True]).reset_index(
        drop=True
    )
