"""Would the call list have found who left? A backtest on the user's own data.

The list is built as it would have been ``days`` before the review date, from the data up
to then only, and compared with what those customers did in the ``days`` that followed:
how many bought nothing at all, and how much their revenue fell. A customer's **revenue
decline** is ``max(0, before - after)``: their net revenue in the ``days`` up to the past
review date minus their net revenue in the ``days`` after it, never below zero (a customer
who grew does not hide one who left). The list's figure is the sum over its customers.

It is set against three lists of the same length that need no model, built from the same
customers (those who bought in the year up to the past review date):

- **top value**: the most valuable customers of that year;
- **value among the silent**: the most valuable of those with nothing bought for at least
  the data's typical gap between purchases;
- **value x overdue**: the year's value times how overdue they are against their own
  median gap (against the data's typical gap for one-time buyers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.calls.ranking import rank_calls
from retainkit.calls.risk import PurchaseModel, customer_risk, fit_purchase_model

__all__ = ["CallListBacktest", "backtest_call_list"]

THE_LIST = "the call list"
_MIN_HISTORY_DAYS = 90
NAIVE = ("top value", "value among the silent", "value x overdue")


@dataclass(frozen=True)
class CallListBacktest:
    """The outcome of :func:`backtest_call_list`.

    Attributes
    ----------
    review_date : pandas.Timestamp
        The past date the lists were built at.
    days : int
        Days looked back before it and forward after it.
    table : pandas.DataFrame or None
        One row per list: ``list``, ``customers``, ``stopped`` (bought nothing in the
        ``days`` after), ``stopped_share``, ``revenue_decline`` (sum of the customers'
        declines) and ``share_of_decline`` (of all active customers' declines).
        None when the data cannot support a backtest (``note`` says why).
    active : int
        Customers who bought in the year up to the review date.
    total_decline : float
        Sum of every active customer's decline.
    unit : str
        "money" (revenue) or "purchase days" (data without revenue).
    note : str
    """

    review_date: pd.Timestamp
    days: int
    table: pd.DataFrame | None
    active: int
    total_decline: float
    unit: str
    note: str

    @property
    def caught(self) -> float | None:
        """Revenue decline caught by the call list (None without a backtest)."""
        return None if self.table is None else float(self.table["revenue_decline"].iloc[0])

    @property
    def best_naive(self) -> tuple[str, float] | None:
        """Name and revenue decline of the best naive list (None without a backtest)."""
        if self.table is None:
            return None
        naive = self.table.iloc[1:].sort_values("revenue_decline", ascending=False).iloc[0]
        return str(naive["list"]), float(naive["revenue_decline"])


def _naive_lists(risk: pd.DataFrame, *, size: int, typical_gap: float) -> dict[str, list[str]]:
    ids = risk[S.CUSTOMER_ID]
    value = risk["value_year"]
    gap = risk["usual_gap_days"].fillna(typical_gap)
    overdue = risk["days_since_last_purchase"] / gap
    silent = risk["days_since_last_purchase"] >= typical_gap
    scores = {
        "top value": value,
        "value among the silent": value.where(silent),
        "value x overdue": value * overdue,
    }
    out = {}
    for name, score in scores.items():
        ranked = pd.DataFrame({"id": ids, "s": score}).dropna()
        ranked = ranked[ranked["s"] > 0].sort_values(["s", "id"], ascending=[False, True])
        out[name] = ranked["id"].head(size).tolist()
    return out


def backtest_call_list(
    transactions: Any,
    *,
    as_of: Any = None,
    days: int = 180,
    size: int = 50,
    horizon_days: int = 180,
    churn_days: int | None = None,
    margin: float | None = None,
    reuse: PurchaseModel | None = None,
) -> CallListBacktest:
    """Build the call list ``days`` before ``as_of`` and see what its customers did next.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Today's review date; the backtest's review date is ``days`` earlier.
    days : int
        How far back the past review is, and the length of the before and after windows.
    size : int
        Length of the lists compared (the call list's own length when it is shorter).
    horizon_days, churn_days, margin
        As for :func:`retainkit.calls.customer_risk`, to build the list as today's.
    reuse : PurchaseModel, optional
        Today's purchase model (``MonthlyReview.purchase_model``): when its holdout
        began at the backtest's review date (``horizon_days`` equal to ``days``), the
        models it compared were fitted on exactly the history the backtest fits on, and
        are taken instead of fitted again (see :func:`retainkit.calls.fit_purchase_model`).

    Returns
    -------
    CallListBacktest

    Examples
    --------
    >>> import retainkit as rk
    >>> txn = rk.load_transactions("cdnow_sample")
    >>> bt = backtest_call_list(txn, as_of="1998-06-30", days=180, size=20)
    >>> bt.table["list"].tolist()[0], int(bt.table["customers"].iloc[0])
    ('the call list', 20)
    """
    as_of = engine.resolve_as_of(transactions, as_of)
    review = as_of - pd.Timedelta(days=days)
    first, _ = engine.date_span(transactions)
    history = (review - first.normalize()).days
    has_revenue = S.REVENUE in engine.as_table(transactions).columns
    unit = "money" if has_revenue else "purchase days"
    if history < _MIN_HISTORY_DAYS:
        return CallListBacktest(
            review,
            days,
            None,
            0,
            0.0,
            unit,
            f"No backtest: on {review:%Y-%m-%d}, {days} days before the review date, the data "
            f"held {max(history, 0)} days of history, too little to build a list on (it needs "
            f"{_MIN_HISTORY_DAYS}). Choose a shorter backtest horizon or wait for more history.",
        )
    chosen = (
        None
        if reuse is None
        else fit_purchase_model(transactions, as_of=review, holdout_days=horizon_days, reuse=reuse)
    )
    risk = customer_risk(
        transactions,
        as_of=review,
        horizon_days=horizon_days,
        churn_days=churn_days,
        margin=margin,
        purchase_model=chosen,
        evidence=False,
    )
    ours = rank_calls(risk, size=size)[S.CUSTOMER_ID].tolist()
    size = len(ours)
    typical_gap = risk.attrs["typical_gap_days"]
    lists = {THE_LIST: ours} | _naive_lists(risk, size=size, typical_gap=typical_gap)
    span = pd.Timedelta(days=days)
    windows = {"before": (review - span, review), "after": (review, review + span)}
    activity = engine.window_activity(transactions, windows=windows).set_index(S.CUSTOMER_ID)
    active = risk[S.CUSTOMER_ID]
    measure = "revenue" if has_revenue else "purchase_days"
    before = activity[f"{measure}_before"].reindex(active).fillna(0).to_numpy(dtype=float)
    after = activity[f"{measure}_after"].reindex(active).fillna(0).to_numpy(dtype=float)
    bought_after = activity["purchase_days_after"].reindex(active).fillna(0).to_numpy() > 0
    decline = pd.Series(np.maximum(before - after, 0.0), index=active.to_numpy())
    stopped = pd.Series(~bought_after, index=active.to_numpy())
    total = float(decline.sum())
    rows = []
    for name, members in lists.items():
        caught = float(decline.reindex(members).sum())
        n_stopped = int(stopped.reindex(members).sum())
        rows.append(
            {
                "list": name,
                "customers": len(members),
                "stopped": n_stopped,
                "stopped_share": n_stopped / len(members) if members else np.nan,
                "revenue_decline": caught,
                "share_of_decline": caught / total if total > 0 else np.nan,
            }
        )
    note = (
        f"Lists of {size:,} built on {review:%Y-%m-%d} from the data up to then; outcomes in "
        f"the {days} days after, against the {days} days before."
    )
    return CallListBacktest(review, days, pd.DataFrame(rows), len(active), total, unit, note)
