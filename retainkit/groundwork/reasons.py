"""Stated churn reasons, grouped into controllable and uncontrollable and counted."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retainkit import schema as S

CONTROLLABLE = "controllable"


UNCONTROLLABLE = "uncontrollable"


UNCLASSIFIED = "unclassified"


#: Keyword (matched case-insensitively inside the stated reason) -> group. The first
#: matching keyword in this order wins; replace or extend it with ``groups=``.
DEFAULT_REASON_GROUPS: dict[str, str] = {
    "moved": UNCONTROLLABLE,
    "relocat": UNCONTROLLABLE,
    "closed": UNCONTROLLABLE,
    "closing": UNCONTROLLABLE,
    "bankrupt": UNCONTROLLABLE,
    "out of business": UNCONTROLLABLE,
    "died": UNCONTROLLABLE,
    "deceased": UNCONTROLLABLE,
    "death": UNCONTROLLABLE,
    "passed away": UNCONTROLLABLE,
    "no longer need": UNCONTROLLABLE,
    "retired": UNCONTROLLABLE,
    "deceas": UNCONTROLLABLE,
    "quality": CONTROLLABLE,
    "value for money": CONTROLLABLE,
    "service": CONTROLLABLE,
    "support": CONTROLLABLE,
    "attitude": CONTROLLABLE,
    "price": CONTROLLABLE,
    "expensive": CONTROLLABLE,
    "charge": CONTROLLABLE,
    "competitor": CONTROLLABLE,
    "offer": CONTROLLABLE,
    "delivery": CONTROLLABLE,
    "slow": CONTROLLABLE,
    "reliab": CONTROLLABLE,
    "dissatisf": CONTROLLABLE,
    "product": CONTROLLABLE,
    "speed": CONTROLLABLE,
    "network": CONTROLLABLE,
    "data": CONTROLLABLE,
    "extra": CONTROLLABLE,
    "fee": CONTROLLABLE,
}


def classify_reasons(reasons: pd.Series, groups: Mapping[str, str] | None = None) -> pd.Series:
    """Group stated churn reasons into controllable and uncontrollable by keywords.

    Parameters
    ----------
    reasons : pandas.Series
        Reason texts.
    groups : mapping, optional
        Keyword -> group, tried in order, matched case-insensitively anywhere in the
        reason; default :data:`DEFAULT_REASON_GROUPS`. A key equal to a whole reason
        works as an exact override.

    Returns
    -------
    pandas.Series
        The group of each reason; ``"unclassified"`` where no keyword matches and
        ``"not stated"`` for blank reasons.

    Examples
    --------
    >>> classify_reasons(pd.Series(["Moved away", "Price increase", "Other", "not stated"]))
    0    uncontrollable
    1      controllable
    2      unclassified
    3        not stated
    dtype: object
    """
    groups = dict(DEFAULT_REASON_GROUPS if groups is None else groups)
    text = reasons.astype(str).str.lower()
    result = pd.Series(UNCLASSIFIED, index=reasons.index, dtype=object)
    decided = pd.Series(False, index=reasons.index)
    for keyword, group in groups.items():
        hit = ~decided & text.str.contains(keyword.lower(), regex=False)
        result[hit] = group
        decided |= hit
    result[text.isin(["not stated", "", "nan"])] = "not stated"
    return result


def reason_summary(
    status: pd.DataFrame,
    reasons: pd.DataFrame,
    *,
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Stated reasons of the customers lost in the window: counts, shares, value lost.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.
    reasons : pandas.DataFrame
        ``customer_id``, ``reason`` (from :func:`retainkit.load_churn_reasons`). A
        customer with several reasons counts once per reason.
    groups : mapping, optional
        Keyword -> group for :func:`classify_reasons`.

    Returns
    -------
    pandas.DataFrame
        One row per reason: ``group``, ``reason``, ``customers``, ``share`` (of the
        lost customers who gave a reason) and, with revenue, ``annual_revenue_lost``;
        sorted by group then customers. ``attrs["lost_without_reason"]`` counts lost
        customers who gave none.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "status": ["lost in window"] * 3, "annual_revenue": [10.0, 20.0, 5.0]})
    >>> reasons = pd.DataFrame({"customer_id": ["a", "b"], "reason": ["Moved", "Price"]})
    >>> reason_summary(status, reasons)[["group", "reason", "customers", "share"]]
                group reason  customers  share
    0    controllable  Price          1    0.5
    1  uncontrollable  Moved          1    0.5
    """
    lost = status[status["status"] == "lost in window"]
    cols = [S.CUSTOMER_ID] + (["annual_revenue"] if "annual_revenue" in lost else [])
    joined = reasons[[S.CUSTOMER_ID, S.REASON]].merge(lost[cols], on=S.CUSTOMER_ID, how="inner")
    joined["group"] = classify_reasons(joined[S.REASON], groups)
    aggs: dict[str, tuple[str, str]] = {"customers": (S.CUSTOMER_ID, "nunique")}
    if "annual_revenue" in joined:
        aggs["annual_revenue_lost"] = ("annual_revenue", "sum")
    out = joined.groupby(["group", S.REASON]).agg(**aggs).reset_index()
    with_reason = joined[S.CUSTOMER_ID].nunique()
    out.insert(3, "share", out["customers"] / with_reason if with_reason else np.nan)
    out = out.sort_values(["group", "customers", S.REASON], ascending=[True, False, True])
    out = out.reset_index(drop=True)
    out.attrs["lost_without_reason"] = int(len(lost) - with_reason)
    out.attrs["lost_with_reason"] = int(with_reason)
    return out
