"""Acquisition cohorts: how each month's (or quarter's) new customers keep buying.

A customer's cohort is the calendar period of their first purchase. For each cohort
and each period since (age 0 = the acquisition period):

- customers retained %: the cohort's customers with a purchase in that period, as a
  share of the cohort;
- revenue retained %: the cohort's net revenue in that period, as a share of its
  revenue in the acquisition period;
- cumulative revenue per customer: the cohort's net revenue up to and including that
  period, per customer of the cohort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine

__all__ = ["MEASURES", "cohort_table", "cohort_triangle"]

#: The triangle measures, with their meaning and unit.
MEASURES: dict[str, tuple[str, str]] = {
    "retained_share": ("Customers retained", "share of the cohort buying in the period"),
    "revenue_retained_share": (
        "Revenue retained",
        "revenue in the period as a share of the acquisition period's",
    ),
    "cumulative_revenue_per_customer": (
        "Cumulative revenue per customer",
        "net revenue to date per customer of the cohort",
    ),
}

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def cohort_table(transactions: Any, *, period: str = "month", as_of: Any = None) -> pd.DataFrame:
    """Cohort x age table: customers buying, retained shares and revenue.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    period : {"month", "quarter", "year"}
        Calendar period of cohorts and ages.
    as_of : date-like, optional
        Last day included; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per cohort and age from 0 to the last period, sorted:
        ``cohort_start``, ``age`` (periods since the acquisition period),
        ``period_start``, ``complete`` (False for the period that ``as_of`` cuts
        short), ``cohort_customers``, ``active_customers``, ``retained_share`` and,
        with revenue, ``revenue``, ``revenue_retained_share`` and
        ``cumulative_revenue_per_customer``. ``attrs``: ``as_of``, ``period``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-07", "2024-01-20",
    ...                                   "2024-02-03"]),
    ...     "revenue": [10.0, 5.0, 30.0, 8.0]})
    >>> t = cohort_table(frame, period="month", as_of="2024-02-29")
    >>> # January cohort: a (10) and b (30); in February a buys again (5 of 40 = 12.5%)
    >>> t[["cohort_start", "age", "cohort_customers", "active_customers", "retained_share"]]
      cohort_start  age  cohort_customers  active_customers  retained_share
    0   2024-01-01    0                 2                 2             1.0
    1   2024-01-01    1                 2                 1             0.5
    2   2024-02-01    0                 1                 1             1.0
    >>> t["revenue_retained_share"].tolist(), t["cumulative_revenue_per_customer"].tolist()
    ([1.0, 0.125, 1.0], [20.0, 22.5, 8.0])
    """
    if period not in _MONTHS:
        raise ValueError(f"period={period!r} is not one of {list(_MONTHS)}")
    act = engine.cohort_activity(transactions, period=period, as_of=as_of)
    end = act.attrs["as_of"]
    step = _MONTHS[period]
    if act.empty:
        empty = pd.DataFrame(
            columns=[
                "cohort_start",
                "age",
                "period_start",
                "complete",
                "cohort_customers",
                "active_customers",
                "retained_share",
            ]
        )
        empty.attrs = {"as_of": end, "period": period}
        return empty
    last = pd.Timestamp(act["period_start"].max())
    cohorts = np.sort(act["cohort_start"].unique())
    frames = []
    for start in cohorts:
        starts = pd.date_range(pd.Timestamp(start), last, freq=f"{step}MS")
        frames.append(
            pd.DataFrame(
                {
                    "cohort_start": pd.Timestamp(start),
                    "period_start": starts,
                    "age": np.arange(len(starts)),
                }
            )
        )
    grid = pd.concat(frames, ignore_index=True)
    grid["cohort_start"] = grid["cohort_start"].astype(act["cohort_start"].dtype)
    grid["period_start"] = grid["period_start"].astype(act["period_start"].dtype)
    out = grid.merge(act, on=["cohort_start", "period_start"], how="left")
    out["active_customers"] = out["active_customers"].fillna(0).astype("int64")
    size = out.loc[out["age"] == 0].set_index("cohort_start")["active_customers"]
    out["cohort_customers"] = out["cohort_start"].map(size).astype("int64")
    period_end = out["period_start"] + pd.DateOffset(months=step) - pd.Timedelta(days=1)
    out["complete"] = (period_end <= end).to_numpy()
    out["retained_share"] = out["active_customers"] / out["cohort_customers"]
    cols = [
        "cohort_start",
        "age",
        "period_start",
        "complete",
        "cohort_customers",
        "active_customers",
        "retained_share",
    ]
    if "revenue" in act.columns:
        out["revenue"] = out["revenue"].fillna(0.0)
        first = out.loc[out["age"] == 0].set_index("cohort_start")["revenue"]
        base = out["cohort_start"].map(first)
        out["revenue_retained_share"] = np.where(base > 0, out["revenue"] / base, np.nan)
        out["cumulative_revenue_per_customer"] = (
            out.groupby("cohort_start")["revenue"].cumsum() / out["cohort_customers"]
        )
        cols += ["revenue", "revenue_retained_share", "cumulative_revenue_per_customer"]
    out = out[cols].sort_values(["cohort_start", "age"]).reset_index(drop=True)
    out.attrs = {"as_of": end, "period": period}
    return out


def cohort_triangle(
    table: pd.DataFrame,
    *,
    measure: str = "retained_share",
    max_cohorts: int | None = 24,
    include_incomplete: bool = False,
) -> pd.DataFrame:
    """Pivot a cohort table to a triangle: cohorts down, ages across.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cohort_table` output.
    measure : {"retained_share", "revenue_retained_share", "cumulative_revenue_per_customer"}
    max_cohorts : int, optional
        Keep the most recent cohorts only.
    include_incomplete : bool
        Keep the period cut short by the analysis date (its shares look too low).

    Returns
    -------
    pandas.DataFrame
        Index: cohort label ("2024-01", "2024 Q1", "2024"), named ``cohort``; columns:
        ages 0, 1, ...; cells NaN where the cohort is not that old yet. ``attrs``:
        ``measure``, ``period``, ``as_of``, ``cohort_customers`` (a dict by label).

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "cohort_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
    ...     "age": [0, 1, 0], "complete": [True, True, True],
    ...     "cohort_customers": [2, 2, 1], "retained_share": [1.0, 0.5, 1.0]})
    >>> table.attrs = {"period": "month"}
    >>> tri = cohort_triangle(table)
    >>> tri.index.tolist(), tri.to_numpy().tolist()
    (['2024-01', '2024-02'], [[1.0, 0.5], [1.0, nan]])
    """
    if measure not in MEASURES:
        raise ValueError(f"measure={measure!r} is not one of {list(MEASURES)}")
    if measure not in table.columns:
        raise ValueError(f"the cohort table has no {measure!r}: the data has no revenue")
    period = table.attrs.get("period", "month")
    rows = table if include_incomplete else table[table["complete"]]
    starts = pd.to_datetime(rows["cohort_start"])
    if period == "month":
        labels = starts.dt.strftime("%Y-%m")
    elif period == "quarter":
        labels = starts.dt.year.astype(str) + " Q" + starts.dt.quarter.astype(str)
    else:
        labels = starts.dt.year.astype(str)
    wide = (
        rows.assign(cohort=labels.to_numpy())
        .pivot_table(index="cohort", columns="age", values=measure, aggfunc="first", dropna=False)
        .sort_index()
    )
    sizes = rows.assign(cohort=labels.to_numpy()).groupby("cohort")["cohort_customers"].first()
    if max_cohorts is not None and len(wide) > max_cohorts:
        wide = wide.iloc[-max_cohorts:]
        wide = wide.loc[:, wide.notna().any(axis=0)]
    wide.columns.name = "age"
    wide.attrs = {
        "measure": measure,
        "period": period,
        "as_of": table.attrs.get("as_of"),
        "cohort_customers": {k: int(v) for k, v in sizes.reindex(wide.index).items()},
    }
    return wide
