"""Customer tenure: how long customers stay, as durations and survival curves."""

from __future__ import annotations

import pandas as pd

from retainkit import schema as S
from retainkit.groundwork._base import _STATUS_COLUMNS
from retainkit.groundwork.attributes import pool_small_groups
from retainkit.survival import kaplan_meier


def tenure_durations(status: pd.DataFrame) -> pd.DataFrame:
    """Durations for a survival curve of customer tenure.

    A customer's tenure runs from their first purchase to their last one. It is
    *observed* (they were lost) when their last purchase lies more than ``churn_days``
    before ``as_of``; otherwise it is *censored*: they are still buying, and their
    tenure will be at least this long.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``tenure_days``, ``lost`` (True when observed), plus the
        attribute columns of ``status``.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-12-01"]),
    ...     "status": ["lost in window", "active"]})
    >>> tenure_durations(status)
      customer_id  tenure_days   lost
    0           a           31   True
    1           b          275  False
    """
    out = status[[S.CUSTOMER_ID]].copy()
    out["tenure_days"] = (status["last_purchase"] - status["first_purchase"]).dt.days
    out["lost"] = status["status"].isin(["lost in window", "lost before window"]).to_numpy()
    extra = [c for c in status.columns if c not in _STATUS_COLUMNS]
    for c in extra:
        out[c] = status[c].to_numpy()
    return out


def survival_by(
    status: pd.DataFrame, attribute: str | None = None, *, min_customers: int = 20
) -> pd.DataFrame:
    """Kaplan-Meier curves of customer tenure, overall or per attribute value.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    attribute : str, optional
        Customer attribute splitting the curves; values with fewer than
        ``min_customers`` customers are pooled as ``"(other)"``.
    min_customers : int

    Returns
    -------
    pandas.DataFrame
        Output of :func:`retainkit.survival.kaplan_meier` over
        :func:`tenure_durations`.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "first_purchase": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...     "last_purchase": pd.to_datetime(["2024-02-01", "2024-12-01"]),
    ...     "status": ["lost in window", "active"]})
    >>> survival_by(status)["survival"].tolist()
    [1.0, 0.5, 0.5]
    """
    durations = tenure_durations(status)
    if attribute is None:
        return kaplan_meier(durations)
    durations[attribute] = pool_small_groups(durations[attribute], min_customers=min_customers)
    return kaplan_meier(durations, group=attribute)
