"""Subgroups: the customer attributes that results are broken down by, as text labels."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import pandas as pd

from retainkit import schema as S
from retainkit.exceptions import SchemaError
from retainkit.segmentation._inputs import _require

#: Group label for customers without a value of the attribute.
UNKNOWN_GROUP = "unknown"


def subgroup_columns(
    attributes: pd.DataFrame | None, subgroup: str = "", *, max_groups: int = 50
) -> list[str]:
    """Return the customer attributes to break results down by.

    Parameters
    ----------
    attributes : pandas.DataFrame or None
        ``customer_id`` plus attribute columns (``Dataset.customers``).
    subgroup : str
        One attribute, or "" for every attribute with at most ``max_groups`` values.
    max_groups : int
        Attributes with more distinct values (ids, free text, amounts) are skipped
        when ``subgroup`` is "".

    Returns
    -------
    list of str
        Empty without attributes.

    Raises
    ------
    SchemaError
        When ``subgroup`` names a column the attributes do not have.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": ["1", "2"], "region": ["N", "S"]})
    >>> subgroup_columns(a), subgroup_columns(None)
    (['region'], [])
    """
    if attributes is None:
        if subgroup:
            raise SchemaError(
                f"subgroup={subgroup!r} needs customer attributes, but the data set has none; "
                "pass customers= a file with customer_id and attribute columns"
            )
        return []
    cols = [c for c in attributes.columns if c != S.CUSTOMER_ID]
    if subgroup:
        if subgroup not in cols:
            close = difflib.get_close_matches(subgroup, cols, n=1)
            raise SchemaError(
                f"subgroup={subgroup!r} is not a customer attribute; the attributes are {cols}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        return [subgroup]
    return [c for c in cols if attributes[c].nunique(dropna=True) <= max_groups]


def with_attributes(
    values: pd.DataFrame, attributes: pd.DataFrame | None, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Join customer attributes to a per-customer frame, as text labels.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``customer_id``.
    attributes : pandas.DataFrame or None
        ``customer_id`` plus attribute columns.
    columns : sequence of str, optional
        Attributes to join; default all.

    Returns
    -------
    pandas.DataFrame
        ``values`` with the attribute columns as text; customers without a value (or
        absent from ``attributes``) get "unknown". Whole numbers stay whole ("4", not
        "4.0").

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["1", "2"], "revenue": [5.0, 7.0]})
    >>> a = pd.DataFrame({"customer_id": ["1"], "score": [4.0]})
    >>> with_attributes(v, a)["score"].tolist()
    ['4', 'unknown']
    """
    if attributes is None:
        return values.copy()
    _require(attributes, [S.CUSTOMER_ID], "attributes", "Load them with rk.load_customers.")
    cols = (
        list(columns)
        if columns is not None
        else [c for c in attributes.columns if c != S.CUSTOMER_ID]
    )
    side = attributes[[S.CUSTOMER_ID, *cols]].copy()
    side[S.CUSTOMER_ID] = side[S.CUSTOMER_ID].astype(str)
    for c in cols:
        col = side[c]
        if pd.api.types.is_float_dtype(col) and (col.dropna() % 1 == 0).all():
            col = col.astype("Int64")
        side[c] = col.astype(str).where(col.notna(), UNKNOWN_GROUP)
    out = values.drop(columns=[c for c in cols if c in values.columns]).merge(
        side, on=S.CUSTOMER_ID, how="left"
    )
    for c in cols:
        out[c] = out[c].fillna(UNKNOWN_GROUP).astype(str)
    out.attrs = dict(values.attrs)
    return out
