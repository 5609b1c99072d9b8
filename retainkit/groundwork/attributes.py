"""The customer attributes that split customers into groups of a useful size."""

from __future__ import annotations

import pandas as pd

from retainkit.groundwork._base import _STATUS_COLUMNS


def pool_small_groups(values: pd.Series, *, min_customers: int = 20) -> pd.Series:
    """Return the values as text, with rare ones pooled as ``"(other)"``.

    Missing values become ``"(unknown)"`` (and are pooled too when rare).

    Examples
    --------
    >>> pool_small_groups(pd.Series(["UK"] * 3 + ["FR", None]), min_customers=2).tolist()
    ['UK', 'UK', 'UK', '(other)', '(other)']
    """
    text = values.astype(object).where(values.notna(), "(unknown)").astype(str)
    sizes = text.map(text.value_counts())
    return text.where(sizes >= min_customers, "(other)")


def attribute_columns(status: pd.DataFrame, *, max_values: int = 60) -> list[str]:
    """List the customer attributes in a status frame that make sensible groups.

    Columns with at most ``max_values`` distinct values (text or small integers such
    as a satisfaction score) qualify; ids and amounts do not.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": ["a"], "status": ["active"], "region": ["N"]})
    >>> attribute_columns(status)
    ['region']
    """
    out = []
    for c in status.columns:
        if c in _STATUS_COLUMNS:
            continue
        values = status[c].dropna()
        if 0 < values.nunique() <= max_values:
            out.append(c)
    return out
