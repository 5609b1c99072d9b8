"""Input checks shared by the segmentation modules: required columns, dates, segment order."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from retainkit.exceptions import SchemaError


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        close = {
            m: difflib.get_close_matches(m, list(map(str, frame.columns)), n=1) for m in missing
        }
        near = "; ".join(f"{m!r} (closest: {c[0]!r})" for m, c in close.items() if c)
        raise SchemaError(
            f"{what} lacks column {', '.join(map(repr, missing))}; found "
            f"{list(frame.columns)}{'. ' + near if near else ''}. {hint}"
        )


def _as_of(frame: pd.DataFrame) -> dict[str, Any]:
    return {k: frame.attrs[k] for k in ("as_of", "first_date") if k in frame.attrs}


def _categories(segment: pd.Series) -> list[str]:
    if isinstance(segment.dtype, pd.CategoricalDtype):
        return [str(c) for c in segment.cat.categories]
    return sorted(segment.astype(str).unique())
