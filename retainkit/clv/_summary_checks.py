"""Checks of the per-customer summary a lifetime-value model is fitted on.

A summary (:func:`retainkit.customer_summary`) has one row per customer, the columns the
model needs with valid values, and states the time unit of ``recency`` and ``T`` in its
``attrs``; the models check it here before fitting or predicting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.units import DAYS_PER

__all__ = ["summary_time_unit", "validate_summary"]


def validate_summary(
    summary: Any, required: Sequence[str], *, model: str, may_be_negative: Sequence[str] = ()
) -> pd.DataFrame:
    """Check a per-customer summary: a frame, the columns present, unique customers.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`retainkit.customer_summary` or any frame with the columns.
    required : sequence of str
        Columns the model needs.
    model : str
        The model's name, for messages.
    may_be_negative : sequence of str
        Columns that may hold negative values (net spend after returns).

    Returns
    -------
    pandas.DataFrame
        ``summary`` itself (not a copy).

    Raises
    ------
    SchemaError
        When it is not a frame or a column is missing.
    DataValidationError
        When ``customer_id`` repeats, or a needed value is missing, negative or
        infinite, or ``recency`` exceeds ``T``; the message names the customers.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"], "frequency": [1], "recency": [2.0],
    ...                       "T": [3.0]})
    >>> len(validate_summary(frame, ["frequency", "recency", "T"], model="BG/NBD"))
    1
    """
    if not isinstance(summary, pd.DataFrame):
        raise SchemaError(
            f"{model} fits a per-customer summary (a pandas DataFrame), got "
            f"{type(summary).__name__}; build it with retainkit.customer_summary(transactions, "
            "time_unit='weeks')"
        )
    missing = [c for c in (S.CUSTOMER_ID, *required) if c not in summary.columns]
    if missing:
        hint = (
            " This model needs money: the data has no revenue."
            if "monetary_value" in missing
            else ""
        )
        raise SchemaError(
            f"{model} needs the columns {[S.CUSTOMER_ID, *required]}; missing "
            f"{missing}, found {list(summary.columns)}. Build the summary with "
            f"retainkit.customer_summary(transactions, time_unit='weeks').{hint}"
        )
    ids = summary[S.CUSTOMER_ID]
    if not _strictly_increasing(ids):
        dupes = ids[ids.duplicated()]
        if len(dupes):
            raise DataValidationError(
                f"'customer_id' repeats in the summary ({len(dupes)} repeated rows, e.g. "
                f"{_first(dupes)}); a summary has one row per customer"
            )
    for col in required:
        values = pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(values) | ((values < 0) & (col not in may_be_negative))
        if bad.any():
            what = (
                "missing or infinite" if col in may_be_negative else "missing, negative or infinite"
            )
            raise DataValidationError(
                f"{col!r} has {int(bad.sum())} {what} values "
                f"(customers {_first(ids[bad])}); fix or drop those customers"
            )
    if {"recency", "T"} <= set(required):
        late = summary["recency"].to_numpy(dtype="float64") > summary["T"].to_numpy(
            dtype="float64"
        ) * (1 + 1e-9)
        if late.any():
            raise DataValidationError(
                f"'recency' exceeds 'T' for {int(late.sum())} customers ({_first(ids[late])}); "
                "the last purchase cannot come after the end of the observation period"
            )
    return summary


def _strictly_increasing(ids: pd.Series) -> bool:
    """Tell whether the ids are sorted without repeats (cheap; summaries are sorted)."""
    try:
        arr = pa.array(ids)
        if len(arr) < 2:
            return True
        return bool(pc.all(pc.less(arr[:-1], arr[1:])).as_py())
    except (pa.ArrowException, TypeError, ValueError):
        return False


def _first(ids: pd.Series, n: int = 5) -> str:
    shown = [str(v) for v in ids.iloc[:n]]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def summary_time_unit(summary: pd.DataFrame, default: str | None = None) -> str:
    """Return the time unit of ``recency`` and ``T``: ``summary.attrs`` or ``default``.

    Examples
    --------
    >>> frame = pd.DataFrame({"T": [1.0]})
    >>> frame.attrs["time_unit"] = "days"
    >>> summary_time_unit(frame), summary_time_unit(pd.DataFrame(), "weeks")
    ('days', 'weeks')
    """
    unit = summary.attrs.get("time_unit") or default or "weeks"
    if unit not in DAYS_PER:
        raise ValueError(f"time_unit={unit!r} is not one of {list(DAYS_PER)}")
    return unit
