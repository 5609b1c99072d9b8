"""Retention measured the standard way: customer and revenue retention rates.

Customer retention rate (CRR) over a period from ``start`` to ``as_of``::

    CRR = (E - N) / S

- S: customers active at the start (a purchase in the ``churn_days`` before it),
- E: customers active at the end (a purchase in the ``churn_days`` before ``as_of``),
- N: new customers (first purchase within the period).

E - N also counts customers who were inactive at the start and came back, so CRR can
exceed the *retained share* |S and E| / S, the share of the starting customers still
active at the end. The churn rate is 1 - retained share. The repeat purchase rate is
the share of the period's buyers who bought on two or more days in it.

Revenue retention over the last 12 months: the revenue in the period from the
customers who bought in the 12 months before it, divided by their revenue in those 12
months (net revenue retention, NRR, also called dollar retention, DRR). Gross revenue
retention (GRR) caps each customer's period revenue at their earlier revenue, so
growth from upsell cannot hide losses. NRR above 100% means the existing base grows by
itself.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit._resources import data_dir
from retainkit.churn import resolve_churn_days
from retainkit.exceptions import SchemaError

__all__ = [
    "PERIOD_OFFSETS",
    "benchmark_comparison",
    "load_benchmarks",
    "retention_history",
    "retention_rates",
    "revenue_retention",
    "revenue_retention_by_cohort",
]

#: Length of each period the rates can be measured over. A year is the 365 days to the
#: analysis date, as in the groundwork notebook's 12-month window (so that its churn rate
#: is one minus the retained share here).
PERIOD_OFFSETS: dict[str, pd.DateOffset | pd.Timedelta] = {
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
    "year": pd.Timedelta(days=365),
}


def _offset(period: str) -> pd.DateOffset | pd.Timedelta:
    try:
        return PERIOD_OFFSETS[period]
    except KeyError:
        raise ValueError(f"period={period!r} is not one of {list(PERIOD_OFFSETS)}") from None


def _first_date(transactions: Any) -> pd.Timestamp:
    return engine.date_span(transactions)[0].normalize()


def _rates_from_windows(
    w: pd.DataFrame, ends: list[pd.Timestamp], churn_days: int, first_date: pd.Timestamp
) -> pd.DataFrame:
    """CRR and friends for consecutive periods ending at ``ends[1:]``."""
    rows = []
    for i in range(1, len(ends)):
        start, end = ends[i - 1], ends[i]
        active_start = w[f"active_{i - 1}_purchase_days"] > 0
        active_end = w[f"active_{i}_purchase_days"] > 0
        new = (w["first_purchase"] > start) & (w["first_purchase"] <= end)
        in_period = w[f"period_{i}_purchase_days"]
        S_, E_, N_ = int(active_start.sum()), int(active_end.sum()), int(new.sum())
        kept = int((active_start & active_end).sum())
        needed = start - pd.Timedelta(days=churn_days - 1)
        note = ""
        if first_date > needed:
            note = (
                f"history too short: the customers active at the start need purchases from "
                f"{needed:%d %b %Y}, the data starts on {first_date:%d %b %Y}"
            )
        elif S_ == 0:
            note = "no customer was active at the start of the period"
        ok = note == ""
        buyers = int((in_period > 0).sum())
        rows.append(
            {
                "period_start": start + pd.Timedelta(days=1),
                "period_end": end,
                "churn_days": churn_days,
                "customers_at_start": S_,
                "customers_at_end": E_,
                "new_customers": N_,
                "retained_customers": kept,
                "crr": (E_ - N_) / S_ if ok else np.nan,
                "retained_share": kept / S_ if ok else np.nan,
                "churn_rate": 1 - kept / S_ if ok else np.nan,
                "repeat_purchase_rate": (
                    int((in_period >= 2).sum()) / buyers if buyers else np.nan
                ),
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _windows_for(ends: list[pd.Timestamp], churn_days: int) -> dict[str, tuple[Any, Any]]:
    windows: dict[str, tuple[Any, Any]] = {}
    for i, end in enumerate(ends):
        windows[f"active_{i}"] = (end - pd.Timedelta(days=churn_days - 1), end)
        if i:
            windows[f"period_{i}"] = (ends[i - 1] + pd.Timedelta(days=1), end)
    return windows


def retention_rates(
    transactions: Any,
    *,
    period: str = "year",
    churn_days: int = 0,
    as_of: Any = None,
) -> pd.DataFrame:
    """Compute the customer retention rate (CRR), retained share, churn and repeat rate.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    period : {"month", "quarter", "year"}
        The period ending at ``as_of`` (a year: the 12 months to ``as_of``).
    churn_days : int
        A customer is active on a day when they bought in the ``churn_days`` up to it;
        0 derives it from the data (:func:`retainkit.churn.resolve_churn_days`).
    as_of : date-like, optional
        End of the period; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row: ``period_start``, ``period_end`` (both included), ``churn_days``,
        ``customers_at_start`` (S), ``customers_at_end`` (E), ``new_customers`` (N),
        ``retained_customers`` (in S and E), ``crr`` ((E - N) / S),
        ``retained_share`` (|S and E| / S), ``churn_rate`` (1 - retained share),
        ``repeat_purchase_rate`` (share of the period's buyers with two or more
        purchase days in it) and ``note`` (why the rates are missing, when they are:
        the history must reach ``churn_days`` before the start). ``attrs`` holds the
        churn threshold's explanation.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "customer_id": ["e", "a", "a", "b", "c", "c", "d"],
    ...     "order_date": pd.to_datetime(["2023-11-01", "2023-12-20", "2024-12-10",
    ...                                   "2023-12-25", "2023-12-28", "2024-03-01",
    ...                                   "2024-12-20"])})
    >>> r = retention_rates(frame, period="year", churn_days=30, as_of="2024-12-31")
    >>> # S = {a, b, c} (bought 02-31 Dec 2023), E = {a, d}, N = {d}: CRR = (2-1)/3
    >>> r[["customers_at_start", "customers_at_end", "new_customers", "crr"]].round(3)
       customers_at_start  customers_at_end  new_customers    crr
    0                   3                 2              1  0.333
    """
    offset = _offset(period)
    end = engine.resolve_as_of(transactions, as_of)
    threshold = resolve_churn_days(transactions, churn_days, as_of=end)
    days = threshold.days
    ends = [end - offset, end]
    w = engine.customer_windows(transactions, windows=_windows_for(ends, days), as_of=end)
    out = _rates_from_windows(w, ends, days, _first_date(transactions))
    out.attrs = {"as_of": end, "period": period, "churn_explanation": threshold.explanation}
    return out


def retention_history(
    transactions: Any,
    *,
    period: str = "quarter",
    periods: int = 8,
    churn_days: int = 0,
    as_of: Any = None,
) -> pd.DataFrame:
    """Retention rates for consecutive periods ending at ``as_of``, oldest first.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    period : {"month", "quarter", "year"}
    periods : int
        How many periods back; those without enough history are left out.
    churn_days : int
        As for :func:`retention_rates`.
    as_of : date-like, optional

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`retention_rates`, one row per period with enough history.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["c", "a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-12-15", "2024-01-05", "2024-02-05",
    ...                                   "2024-03-05", "2024-01-20"])})
    >>> # January: S = {a, b}, E (bought 30 Jan-29 Feb) = {a}; March: S = E = {a}
    >>> h = retention_history(frame, period="month", periods=2, churn_days=31,
    ...                       as_of="2024-03-31")
    >>> h["retained_share"].tolist()
    [0.5, 1.0]
    """
    offset = _offset(period)
    end = engine.resolve_as_of(transactions, as_of)
    threshold = resolve_churn_days(transactions, churn_days, as_of=end)
    ends = [end - offset * k for k in range(periods, -1, -1)]
    w = engine.customer_windows(transactions, windows=_windows_for(ends, threshold.days), as_of=end)
    out = _rates_from_windows(w, ends, threshold.days, _first_date(transactions))
    out = out[out["note"] == ""].reset_index(drop=True)
    out.attrs = {"as_of": end, "period": period, "churn_explanation": threshold.explanation}
    return out


def _revenue_windows(transactions: Any, as_of: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not getattr(transactions, "has_revenue", True):
        raise SchemaError(
            "revenue retention needs money: the data has no revenue (nor quantity and unit price)"
        )
    end = engine.resolve_as_of(transactions, as_of)
    start = end - PERIOD_OFFSETS["year"]
    base_start = start - PERIOD_OFFSETS["year"]
    windows = {
        "base": (base_start + pd.Timedelta(days=1), start),
        "period": (start + pd.Timedelta(days=1), end),
    }
    w = engine.customer_windows(transactions, windows=windows, as_of=end)
    if "base_revenue" not in w.columns:
        raise SchemaError("revenue retention needs money: the data has no revenue")
    first = _first_date(transactions)
    info = {
        "base_start": windows["base"][0],
        "base_end": start,
        "period_start": windows["period"][0],
        "period_end": end,
        "note": (
            ""
            if first <= windows["base"][0]
            else (
                f"history too short: revenue retention compares the 12 months to "
                f"{end:%d %b %Y} with the 12 months before, which needs data from "
                f"{windows['base'][0]:%d %b %Y}; the data starts on {first:%d %b %Y}"
            )
        ),
    }
    return w, info


def _nrr_row(w: pd.DataFrame, info: dict[str, Any]) -> dict[str, Any]:
    base = w[w["base_revenue"] > 0]
    base_rev = float(base["base_revenue"].sum())
    period_rev = float(base["period_revenue"].sum())
    capped = float(np.minimum(base["period_revenue"].clip(lower=0), base["base_revenue"]).sum())
    ok = info["note"] == "" and base_rev > 0
    return {
        "base_customers": len(base),
        "base_revenue": base_rev,
        "retained_revenue": period_rev,
        "retained_revenue_capped": capped,
        "nrr": period_rev / base_rev if ok else np.nan,
        "grr": capped / base_rev if ok else np.nan,
        "note": info["note"] or ("" if base_rev > 0 else "no revenue in the earlier 12 months"),
    }


def revenue_retention(transactions: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Net and gross revenue retention (NRR/DRR, GRR) over the 12 months to ``as_of``.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
        End of the period; default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row: ``base_start``, ``base_end`` (the earlier 12 months),
        ``period_start``, ``period_end``, ``base_customers`` (customers with revenue
        in the earlier 12 months), ``base_revenue``, ``retained_revenue`` (their
        revenue in the period), ``retained_revenue_capped`` (each capped at their
        earlier revenue), ``nrr``, ``grr`` and ``note`` (why they are missing: the
        data must cover both 12-month windows).

    Raises
    ------
    SchemaError
        When the data has no revenue.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-06-01",
    ...                                   "2024-06-01"]),
    ...     "revenue": [100.0, 50.0, 120.0, 30.0]})
    >>> # a and b bought in the earlier 12 months (100, 50), then spent 0 and 120:
    >>> # NRR = 120 / 150 = 0.8; GRR = (0 + 50) / 150 = 0.333
    >>> frame.loc[1, "customer_id"] = "b"
    >>> # the 365 days to 2024-12-30 start on 2024-01-01; the 365 before, on 2023-01-01
    >>> revenue_retention(frame, as_of="2024-12-30")[["nrr", "grr"]].round(3)
       nrr    grr
    0  0.8  0.333
    """
    w, info = _revenue_windows(transactions, as_of)
    row = {k: info[k] for k in ("base_start", "base_end", "period_start", "period_end")}
    row.update(_nrr_row(w, info))
    return pd.DataFrame([row])


def revenue_retention_by_cohort(
    transactions: Any, *, as_of: Any = None, cohort_period: str = "year"
) -> pd.DataFrame:
    """NRR and GRR per acquisition cohort (calendar year or quarter of the first purchase).

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``revenue``.
    as_of : date-like, optional
    cohort_period : {"year", "quarter"}

    Returns
    -------
    pandas.DataFrame
        One row per cohort with revenue in the earlier 12 months, oldest first:
        ``cohort`` (label), ``base_customers``, ``base_revenue``, ``retained_revenue``,
        ``retained_revenue_capped``, ``nrr``, ``grr``, ``note``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "a", "b"],
    ...     "order_date": pd.to_datetime(["2022-05-01", "2023-02-01", "2024-03-01",
    ...                                   "2023-03-01"]),
    ...     "revenue": [10.0, 20.0, 30.0, 40.0]})
    >>> revenue_retention_by_cohort(frame, as_of="2024-12-31")[["cohort", "nrr"]]
      cohort  nrr
    0   2023  0.0
    """
    if cohort_period not in ("year", "quarter"):
        raise ValueError(f"cohort_period={cohort_period!r} is not 'year' or 'quarter'")
    w, info = _revenue_windows(transactions, as_of)
    first = pd.to_datetime(w["first_purchase"])
    labels = (
        first.dt.year.astype(str)
        if cohort_period == "year"
        else first.dt.year.astype(str) + " Q" + first.dt.quarter.astype(str)
    )
    rows = []
    for label in sorted(labels[w["base_revenue"] > 0].unique()):
        row = {"cohort": label}
        row.update(_nrr_row(w[(labels == label).to_numpy()], info))
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "cohort",
            "base_customers",
            "base_revenue",
            "retained_revenue",
            "retained_revenue_capped",
            "nrr",
            "grr",
            "note",
        ],
    )


def load_benchmarks() -> pd.DataFrame:
    """Return the published retention benchmarks shipped in ``data/benchmarks.csv``.

    Returns
    -------
    pandas.DataFrame
        ``industry``, ``metric`` (``customer_retention_rate``,
        ``net_revenue_retention``, ``gross_revenue_retention``), ``value`` (0-1),
        ``source`` and ``year``; see ``data/README.md`` for each source.

    Examples
    --------
    >>> b = load_benchmarks()
    >>> float(b.loc[b["industry"] == "Retail", "value"].iloc[0])
    0.63
    """
    return pd.read_csv(data_dir() / "benchmarks.csv")


def benchmark_comparison(
    value: float,
    *,
    industry: str,
    metric: str = "customer_retention_rate",
    benchmarks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Set a measured rate next to the published figure for an industry.

    Parameters
    ----------
    value : float
        The measured rate, 0-1 (NaN when it could not be measured).
    industry : str
        An industry in the benchmarks (case-insensitive).
    metric : str
        The benchmark metric.
    benchmarks : pandas.DataFrame, optional
        Default: :func:`load_benchmarks`.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``who`` ("your data", the industry), ``value``, ``source``; ``attrs``
        holds ``difference`` (value minus benchmark, in share points).

    Raises
    ------
    ValueError
        For an industry without that metric; the message lists the industries.

    Examples
    --------
    >>> t = benchmark_comparison(0.58, industry="retail")
    >>> t["value"].tolist(), round(t.attrs["difference"], 2)
    ([0.58, 0.63], -0.05)
    """
    table = load_benchmarks() if benchmarks is None else benchmarks
    rows = table[table["metric"] == metric]
    match = rows[rows["industry"].str.lower() == industry.strip().lower()]
    if match.empty:
        names = rows["industry"].tolist()
        close = difflib.get_close_matches(industry, names, n=1, cutoff=0.4)
        raise ValueError(
            f"no {metric} benchmark for industry {industry!r}; industries: {names}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
        )
    bench = match.iloc[0]
    out = pd.DataFrame(
        {
            "who": ["your data", f"{bench['industry']} (published)"],
            "value": [float(value), float(bench["value"])],
            "source": ["computed here", f"{bench['source']}, {int(bench['year'])}"],
        }
    )
    out.attrs = {
        "difference": float(value) - float(bench["value"]),
        "metric": metric,
        "industry": str(bench["industry"]),
        "source_short": f"{str(bench['source']).split(',')[0]} ({int(bench['year'])} survey)",
    }
    return out
