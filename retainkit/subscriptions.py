"""Subscription data as a transaction log.

Subscription exports (telecoms, software, memberships) usually hold one row per
customer: how many months they have been subscribed, what they pay a month, and
whether they have left. There are no purchase dates. retainkit reads such data by
writing one billing row per month of tenure, so every analysis built on a transaction
log applies. The dates are *nominal*: for customers who stayed, the last bill falls on
``as_of``; for customers who left, one month earlier (they left during the period);
earlier bills run back one calendar month at a time. Counts, churn rates, reasons and
money are then exact; the calendar dates before ``as_of`` are a reconstruction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = ["subscriptions_to_transactions"]


def subscriptions_to_transactions(
    subscriptions: pd.DataFrame,
    *,
    customer_col: str,
    tenure_months_col: str,
    monthly_charge_col: str,
    churned_col: str,
    as_of: Any,
) -> pd.DataFrame:
    """Write one billing row per month of tenure for each subscriber.

    Parameters
    ----------
    subscriptions : pandas.DataFrame
        One row per customer.
    customer_col, tenure_months_col, monthly_charge_col, churned_col : str
        Columns: customer id; whole months subscribed (0 means a first bill not yet
        paid, and gives no row); the monthly charge; whether the customer has left
        (True/False, 1/0 or Yes/No).
    as_of : date-like
        End of the period the data describes (nominal if the data has no year).

    Returns
    -------
    pandas.DataFrame
        Canonical transaction columns ``customer_id``, ``order_date``, ``order_id``
        (``<customer>-<month number>``) and ``revenue`` (the monthly charge), sorted by
        customer and date.

    Raises
    ------
    SchemaError
        When a column is missing.
    DataValidationError
        When tenure is negative or not a whole number, or the churn flag cannot be
        read; the message lists customer ids.

    Examples
    --------
    >>> subs = pd.DataFrame({"id": ["a", "b"], "months": [2, 1], "charge": [10.0, 5.0],
    ...                      "left": ["No", "Yes"]})
    >>> subscriptions_to_transactions(subs, customer_col="id", tenure_months_col="months",
    ...     monthly_charge_col="charge", churned_col="left", as_of="2024-09-30")
      customer_id order_date order_id  revenue
    0           a 2024-08-30      a-1     10.0
    1           a 2024-09-30      a-2     10.0
    2           b 2024-08-30      b-1      5.0
    """
    cols = [customer_col, tenure_months_col, monthly_charge_col, churned_col]
    missing = [c for c in cols if c not in subscriptions.columns]
    if missing:
        raise SchemaError(
            f"the subscription data lacks {missing}; found {list(subscriptions.columns)}"
        )
    ids = S.normalize_customer_ids(subscriptions[customer_col])
    tenure = pd.to_numeric(subscriptions[tenure_months_col], errors="coerce")
    bad = tenure.isna() | (tenure < 0) | (tenure != np.floor(tenure))
    if bad.any():
        raise DataValidationError(
            f"{tenure_months_col!r} must be whole months of 0 or more; {int(bad.sum())} "
            f"customers differ (e.g. {list(ids[bad].head(5))})"
        )
    flag = subscriptions[churned_col]
    text = flag.astype(str).str.strip().str.lower()
    churned = text.isin(["1", "true", "yes", "y", "churned"])
    unreadable = ~(churned | text.isin(["0", "false", "no", "n", "stayed", "joined"]))
    if unreadable.any():
        raise DataValidationError(
            f"cannot read the churn flag {churned_col!r} for {int(unreadable.sum())} customers "
            f"(values such as {sorted(set(flag[unreadable].astype(str)))[:3]}); use Yes/No, 1/0 "
            "or True/False"
        )
    charge = pd.to_numeric(subscriptions[monthly_charge_col], errors="coerce")
    months = tenure.astype("int64").to_numpy()
    rows = np.repeat(np.arange(len(subscriptions)), months)
    starts = np.cumsum(months) - months
    number = np.arange(len(rows)) - np.repeat(starts, months) + 1  # 1..tenure
    back = months[rows] - number + churned.to_numpy()[rows].astype(int)
    end = pd.Timestamp(as_of).normalize()
    # the same day of the month, ``back`` months before as_of (clipped to the month's end)
    month_index = end.year * 12 + (end.month - 1) - back
    firsts = pd.to_datetime(
        pd.DataFrame({"year": month_index // 12, "month": month_index % 12 + 1, "day": 1})
    )
    day = np.minimum(end.day, firsts.dt.days_in_month.to_numpy())
    dates = firsts + pd.to_timedelta(day - 1, unit="D")
    customer = pd.Series(ids.to_numpy()[rows], dtype=object)
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: customer,
            S.ORDER_DATE: dates,
            S.ORDER_ID: customer + "-" + pd.Series(number).astype(str),
            S.REVENUE: charge.to_numpy()[rows],
        }
    )
    return out.sort_values([S.CUSTOMER_ID, S.ORDER_DATE], kind="stable").reset_index(drop=True)
