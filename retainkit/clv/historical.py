"""The historical (formula) lifetime value: what a customer's past purchases say.

- :func:`historical_clv`: average order value x purchases per year x expected lifespan x
  margin, per customer;
- :func:`historical_clv_by_segment`: the same from each segment's pooled figures.

Durations say their unit in their names; years are 365.2425 days.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import validate_summary
from retainkit.clv._checks import _check_share
from retainkit.clv.segments import _segment_labels
from retainkit.exceptions import SchemaError
from retainkit.units import days_per

__all__ = ["historical_clv", "historical_clv_by_segment"]


def historical_clv(
    summary: pd.DataFrame,
    *,
    lifespan_years: float,
    margin: float = 0.3,
    min_tenure_years: float = 1.0,
) -> pd.DataFrame:
    """Compute the formula value per customer: AOV x purchases a year x lifespan x margin.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output: ``customer_id``, ``revenue``,
        ``purchase_days``, ``T`` (with ``attrs["time_unit"]``). Net revenue below zero
        (returns outweighing purchases) counts as zero.
    lifespan_years : float
        Expected customer lifespan, e.g. 1 / yearly churn rate.
    margin : float
        Gross margin, 0-1.
    min_tenure_years : float
        Customers younger than this are measured over this long, so a new customer's
        single purchase is not read as a yearly habit.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``average_order_value`` (net revenue per purchase day),
        ``purchases_per_year``, ``lifespan_years``, ``margin``, ``historical_clv``
        (gross profit over the lifespan, undiscounted).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a"], "revenue": [300.0], "purchase_days": [3],
    ...                   "T": [104.0]})
    >>> s.attrs["time_unit"] = "weeks"
    >>> row = historical_clv(s, lifespan_years=4, margin=0.5).iloc[0]
    >>> # 728 days = 1.993 years: 3 / 1.993 = 1.505 a year; 100 x 1.505 x 4 x 0.5 = 301.0
    >>> round(float(row["purchases_per_year"]), 3), round(float(row["historical_clv"]), 1)
    (1.505, 301.0)
    """
    if lifespan_years < 0 or math.isnan(lifespan_years):
        raise ValueError(f"lifespan_years={lifespan_years!r} must be 0 or positive")
    _check_share("margin", margin)
    validate_summary(summary, ("purchase_days", "T"), model="historical CLV")
    if "revenue" not in summary.columns:
        raise SchemaError("the historical lifetime value needs revenue; the summary has none")
    unit = summary.attrs.get("time_unit", "weeks")
    tenure_years = summary["T"].to_numpy(dtype="float64") * days_per(unit) / days_per("years")
    years = np.maximum(tenure_years, min_tenure_years)
    days = summary["purchase_days"].to_numpy(dtype="float64")
    # returns can outweigh a customer's purchases: such customers are worth nothing, not less
    revenue = np.clip(summary["revenue"].to_numpy(dtype="float64"), 0.0, None)
    aov = revenue / np.maximum(days, 1)
    per_year = days / years
    return pd.DataFrame(
        {
            S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
            "average_order_value": aov,
            "purchases_per_year": per_year,
            "lifespan_years": float(lifespan_years),
            "margin": float(margin),
            "historical_clv": aov * per_year * lifespan_years * margin,
        }
    )


def historical_clv_by_segment(
    summary: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    by: str,
    lifespan_years: float,
    margin: float = 0.3,
    min_tenure_years: float = 1.0,
) -> pd.DataFrame:
    """Compute the formula lifetime value per segment, from its pooled figures.

    The segment's average order value is its revenue over its purchase days, and its
    purchases per year are its purchase days over its customers' years of tenure
    (each at least ``min_tenure_years``).

    Parameters
    ----------
    summary : pandas.DataFrame
        As for :func:`historical_clv`.
    segments : pandas.DataFrame
        ``customer_id`` and the column ``by``; customers missing from it are "unknown".
    by : str
        Segment column.
    lifespan_years, margin, min_tenure_years : float
        As for :func:`historical_clv`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, largest first: ``segment``, ``customers``,
        ``average_order_value``, ``purchases_per_year``, ``historical_clv`` (per
        customer) and ``total_historical_clv``.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "revenue": [300.0, 100.0],
    ...                   "purchase_days": [3, 1], "T": [104.0, 52.0]})
    >>> s.attrs["time_unit"] = "weeks"
    >>> seg = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["web", "web"]})
    >>> historical_clv_by_segment(s, seg, by="channel", lifespan_years=4, margin=0.5)[
    ...     ["segment", "customers", "average_order_value"]]
      segment  customers  average_order_value
    0     web          2                100.0
    """
    per = historical_clv(
        summary, lifespan_years=lifespan_years, margin=margin, min_tenure_years=min_tenure_years
    )
    unit = summary.attrs.get("time_unit", "weeks")
    years = np.maximum(
        summary["T"].to_numpy(dtype="float64") * days_per(unit) / days_per("years"),
        min_tenure_years,
    )
    frame = pd.DataFrame(
        {
            "segment": _segment_labels(summary, segments, by),
            "revenue": np.clip(summary["revenue"].to_numpy(dtype="float64"), 0.0, None),
            "purchase_days": summary["purchase_days"].to_numpy(dtype="float64"),
            "years": years,
            "clv": per["historical_clv"].to_numpy(),
        }
    )
    grouped = frame.groupby("segment", sort=False).agg(
        customers=("revenue", "size"),
        revenue=("revenue", "sum"),
        purchase_days=("purchase_days", "sum"),
        years=("years", "sum"),
    )
    grouped["average_order_value"] = grouped["revenue"] / grouped["purchase_days"]
    grouped["purchases_per_year"] = grouped["purchase_days"] / grouped["years"]
    grouped["historical_clv"] = (
        grouped["average_order_value"] * grouped["purchases_per_year"] * lifespan_years * margin
    )
    grouped["total_historical_clv"] = grouped["historical_clv"] * grouped["customers"]
    out = grouped.reset_index().sort_values(["customers", "segment"], ascending=[False, True])
    return out[
        [
            "segment",
            "customers",
            "average_order_value",
            "purchases_per_year",
            "historical_clv",
            "total_historical_clv",
        ]
    ].reset_index(drop=True)
