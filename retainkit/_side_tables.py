"""Loading side tables: customer attributes and stated churn reasons, from files or frames.

Both are read as text columns, so ids keep their zeros, and their ids are normalised as
transactions' are (:func:`retainkit.schema.normalize_customer_ids`). The input file is
only ever read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.reading import open_source

__all__ = ["load_churn_reasons", "load_customers"]


def _read_side_table(source: Any, what: str) -> tuple[pd.DataFrame, str]:
    """Read a side table as text columns (ids keep their zeros), numbers typed after."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), "pandas DataFrame"
    p = Path(source)
    if not p.is_file():
        raise SchemaError(f"the {what} file {str(p)!r} does not exist")
    raw = open_source(p, materialize=True)
    frame = engine.execute(raw.table).drop(columns=[S.LINE_COLUMN, S.FILE_COLUMN], errors="ignore")
    if raw.malformed:
        raise DataValidationError(
            f"the {what} file {str(p)!r} has {raw.malformed} lines that do not split into its "
            f"columns: {'; '.join(raw.malformed_examples[:3])}; fix them or quote the fields"
        )
    return frame.astype(object).where(frame.notna(), None), str(p)


def _numbers_typed(frame: pd.DataFrame, *, skip: str) -> pd.DataFrame:
    """Turn text columns that hold only numbers into numbers (ids excepted)."""
    out = frame.copy()
    for col in out.columns:
        if col == skip or out[col].dtype != object:
            continue
        values = out[col].dropna().astype(str).str.strip()
        if not len(values):
            continue
        if values.str.fullmatch(r"[-+]?(0|[1-9][0-9]*)").all():
            out[col] = pd.to_numeric(out[col]).astype("Int64")  # scores stay whole
        elif values.str.fullmatch(r"[-+]?[0-9]+\.[0-9]+").all():
            out[col] = pd.to_numeric(out[col])
    return out


def load_customers(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load a customer-attribute table: one row per customer, any attribute columns.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        CSV, Excel or Parquet file, or a frame.
    columns : mapping, optional
        ``{"customer_id": "<your id column>"}`` when it is not found by name.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (text, normalised as in transactions) first, then the other
        columns unchanged.

    Raises
    ------
    SchemaError
        When no customer id column is found.
    DataValidationError
        When customer ids are missing or repeated; the message lists them.

    Examples
    --------
    >>> frame = pd.DataFrame({"CustomerID": [17850.0, 12583.0], "region": ["UK", "FR"]})
    >>> load_customers(frame)["customer_id"].tolist()
    ['17850', '12583']
    """
    frame, desc = _read_side_table(source, "customer attributes")
    mapping = S.resolve_columns(
        list(map(str, frame.columns)),
        columns,
        required=(S.CUSTOMER_ID,),
        known=(S.CUSTOMER_ID,),
        table="customer attributes",
    )
    frame.columns = list(map(str, frame.columns))
    frame = frame.rename(columns={mapping.source[S.CUSTOMER_ID]: S.CUSTOMER_ID})
    ids = S.normalize_customer_ids(frame[S.CUSTOMER_ID])
    missing = ids.isna()
    if missing.any():
        raise DataValidationError(
            f"{desc}: {int(missing.sum())} rows have no customer id "
            f"(rows {', '.join(map(str, frame.index[missing][:5]))}); drop them"
        )
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        shown = list(dict.fromkeys(dup))[:5]
        raise DataValidationError(
            f"{desc}: customer ids must be unique, but {dup.nunique()} appear more than "
            f"once (e.g. {shown}); keep one row per customer"
        )
    frame[S.CUSTOMER_ID] = ids.astype(str)
    frame = _numbers_typed(frame, skip=S.CUSTOMER_ID)
    others = [c for c in frame.columns if c != S.CUSTOMER_ID]
    return frame[[S.CUSTOMER_ID, *others]].reset_index(drop=True)


def load_churn_reasons(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load stated churn reasons: why customers said they left.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        Needs a customer id and a reason column; a date column is optional.
    columns : mapping, optional
        Canonical name (``customer_id``, ``reason``, ``reason_date``) -> your column.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``reason`` (blank reasons become ``"not stated"``) and, when
        given, ``reason_date``. ``attrs["blank_reasons"]`` counts the blanks.

    Raises
    ------
    SchemaError
        When the id or reason column is missing.
    DataValidationError
        When dates cannot be read.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["1", "2"], "reason": ["Price", " "]})
    >>> load_churn_reasons(frame)["reason"].tolist()
    ['Price', 'not stated']
    """
    frame, desc = _read_side_table(source, "churn reasons")
    frame.columns = list(map(str, frame.columns))
    mapping = S.resolve_columns(
        list(frame.columns),
        columns,
        required=(S.CUSTOMER_ID, S.REASON),
        known=S.REASON_COLUMNS,
        table="churn reasons",
    )
    out = pd.DataFrame({c: frame[src] for c, src in mapping.source.items()})
    out[S.CUSTOMER_ID] = S.normalize_customer_ids(out[S.CUSTOMER_ID])
    out = out[out[S.CUSTOMER_ID].notna()].astype({S.CUSTOMER_ID: str})
    reason = out[S.REASON].astype("string").str.strip()
    blank = reason.isna() | (reason == "")
    out[S.REASON] = reason.where(~blank, "not stated").astype(str)
    if S.REASON_DATE in out.columns:
        parsed = pd.to_datetime(out[S.REASON_DATE], errors="coerce", format="mixed")
        bad = parsed.isna() & out[S.REASON_DATE].notna()
        if bad.any():
            raise DataValidationError(
                f"{desc}: {int(bad.sum())} reason dates cannot be read "
                f"(e.g. {out.loc[bad, S.REASON_DATE].head(3).tolist()}); write them as "
                "YYYY-MM-DD"
            )
        out[S.REASON_DATE] = parsed
    out = out.reset_index(drop=True)
    out.attrs["blank_reasons"] = int(blank.sum())
    return out
