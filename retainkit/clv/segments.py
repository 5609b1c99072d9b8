"""Lifetime values by customer segment: which attribute splits them, and the split.

- :func:`pick_segment_column`: the customer attribute to split values by;
- :func:`clv_by_segment`: model lifetime values summed and averaged per segment.

The segment of each customer (``"unknown"`` when the segment table lacks it) is looked
up once here, for the historical value and the acquisition budget as well.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.exceptions import DataValidationError

__all__ = ["clv_by_segment", "pick_segment_column"]


def _segment_labels(summary: pd.DataFrame, segments: pd.DataFrame, by: str) -> np.ndarray:
    if by not in segments.columns or S.CUSTOMER_ID not in segments.columns:
        raise DataValidationError(
            f"the segment table needs 'customer_id' and {by!r}; found {list(segments.columns)}"
        )
    lookup = segments.drop_duplicates(S.CUSTOMER_ID).set_index(S.CUSTOMER_ID)[by]
    labels = summary[S.CUSTOMER_ID].astype(str).map(lookup.rename(index=str))
    return labels.astype(object).where(labels.notna(), "unknown").astype(str).to_numpy()


def pick_segment_column(customers: pd.DataFrame | None, segment_by: str = "") -> str | None:
    """Choose the customer attribute to split values by.

    ``segment_by`` when given; else ``channel`` when present; else the first attribute
    with 2 to 50 distinct values; None without attributes.

    Examples
    --------
    >>> pick_segment_column(pd.DataFrame({"customer_id": ["a"], "region": ["N"],
    ...                                   "channel": ["web"]}))
    'channel'
    """
    if customers is None:
        return None
    if segment_by:
        if segment_by not in customers.columns:
            raise DataValidationError(
                f"segment_by={segment_by!r} is not a customer attribute; attributes: "
                f"{[c for c in customers.columns if c != S.CUSTOMER_ID]}"
            )
        return segment_by
    if "channel" in customers.columns:
        return "channel"
    for col in customers.columns:
        if col != S.CUSTOMER_ID and 2 <= customers[col].nunique() <= 50:
            return str(col)
    return None


def clv_by_segment(values: pd.DataFrame, segments: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Sum and average model lifetime values per segment.

    Parameters
    ----------
    values : pandas.DataFrame
        :func:`retainkit.clv.model_value.customer_value` output.
    segments : pandas.DataFrame
        ``customer_id`` and ``by``.
    by : str

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``customers``, ``mean_probability_alive``, ``clv_per_customer``,
        ``clv_total``, ``share_of_clv``; largest total first.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["a", "b", "c"], "probability_alive": [1.0, 0.5, 0.5],
    ...                   "clv": [30.0, 10.0, 60.0]})
    >>> seg = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["web", "web", "app"]})
    >>> clv_by_segment(v, seg, by="channel")[["segment", "clv_per_customer", "share_of_clv"]]
      segment  clv_per_customer  share_of_clv
    0     app              60.0           0.6
    1     web              20.0           0.4
    """
    frame = values.assign(segment=_segment_labels(values, segments, by))
    out = (
        frame.groupby("segment")
        .agg(
            customers=("clv", "size"),
            mean_probability_alive=("probability_alive", "mean"),
            clv_per_customer=("clv", "mean"),
            clv_total=("clv", "sum"),
        )
        .reset_index()
    )
    total = out["clv_total"].sum()
    out["share_of_clv"] = out["clv_total"] / total if total else np.nan
    return out.sort_values("clv_total", ascending=False).reset_index(drop=True)
