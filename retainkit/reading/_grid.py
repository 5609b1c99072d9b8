"""Spreadsheet-like sources: Excel workbooks and HTML tables, read as text grids.

Every cell becomes text the way it shows: a text cell stays exactly as typed (``00123``
keeps its zeros), a whole number loses Excel's float (``17850`` not ``17850.0``), a date
cell becomes ISO 8601. Typing happens in cleaning, as for CSV. Title lines above the
header are skipped, and sheets with the same header are read together.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.schema import FILE_COLUMN, LINE_COLUMN

__all__ = ["REFUND_NAME", "Grid", "cell_text", "excel_grids", "html_grids", "pick_grids"]

# sheet or file names that hold refunds, returns or credit notes, in several languages
REFUND_NAME = re.compile(
    r"(?i)refund|return|credit|gutschrift|retour|erstattung|storno|rembours|avoir|devoluc"
    r"|reembols|rimbors|\breso\b|terugbetal"
)


@dataclass(frozen=True)
class Grid:
    """One sheet or table: column names and rows of text, with where they came from.

    Attributes
    ----------
    name : str
        Sheet or table name.
    columns : tuple of str
    frame : pandas.DataFrame
        The data rows as text (``None`` for empty cells), columns as ``columns``.
    first_line : int
        Spreadsheet row number of the first data row.
    skipped : tuple of str
        Title lines found above the header.
    """

    name: str
    columns: tuple[str, ...]
    frame: pd.DataFrame
    first_line: int
    skipped: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()


def cell_text(value: Any) -> str | None:
    """Return a spreadsheet cell as the text it shows.

    Examples
    --------
    >>> [cell_text(v) for v in ("00123", 17850.0, 12.5, 0.1 + 0.2, None, True)]
    ['00123', '17850', '12.5', '0.3', None, 'TRUE']
    >>> cell_text(_dt.datetime(2024, 1, 5, 8, 26))
    '2024-01-05 08:26:00'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return pd.Timestamp(value).isoformat(sep=" ")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e15:  # Excel keeps 15 digits: shown as it shows them (4.00638E+15)
            return f"{float(value):.5E}".replace("E+0", "E+")
        text = f"{float(value):.15g}"
        return text if "e" not in text else np.format_float_positional(float(value), trim="-")
    return str(value)


def _column_text(values: pd.Series) -> pd.Series:
    """Every cell of a column as :func:`cell_text` writes it, vectorised where it can be."""
    blank = values.isna() | values.isin(["", " "])
    kinds = {type(v) for v in values[~blank]}
    if not kinds:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    if kinds <= {str}:
        out = values.astype(object)
    elif kinds <= {float, int, np.float64, np.int64}:
        arr = pd.to_numeric(values.where(~blank), errors="coerce").to_numpy(dtype="float64")
        finite = np.isfinite(arr)
        whole = finite & (np.floor(arr) == arr) & (np.abs(arr) < 1e15)
        out = pd.Series(np.char.mod("%.15g", np.where(finite, arr, 0.0)), index=values.index)
        out = out.astype(object)
        out[whole] = np.where(whole, arr, 0).astype(np.int64)[whole].astype(str)
        odd = (
            finite
            & ~whole
            & (out.str.contains("e", regex=False).to_numpy() | (np.abs(arr) >= 1e15))
        )
        if odd.any():
            out[odd] = [cell_text(v) for v in arr[odd]]
    elif kinds <= {_dt.datetime, _dt.date, pd.Timestamp}:
        stamps = pd.to_datetime(values.where(~blank), errors="coerce")
        out = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
    else:
        out = values.map(cell_text).astype(object)
    return out.where(~blank & out.notna(), None)


def _grid_from_rows(name: str, rows: Sequence[Sequence[Any]], first_row: int = 1) -> Grid | None:
    """Find the header among a sheet's rows and return the grid below it."""
    top = [[cell_text(v) for v in row] for row in rows[:200]]
    top = [[None if c is None or not str(c).strip() else c for c in row] for row in top]
    filled = [sum(c is not None for c in row) for row in top]
    if not any(filled):
        return None
    widest = max(filled)
    header_at = next(i for i, n in enumerate(filled) if n * 2 >= widest)
    header = top[header_at]
    last = max(j for j, c in enumerate(header) if c is not None) + 1
    seen: dict[str, int] = {}
    columns = []
    for j, cell in enumerate(header[:last]):
        label = str(cell).strip() if cell is not None else f"column_{j + 1}"
        seen[label] = seen.get(label, 0) + 1
        columns.append(label if seen[label] == 1 else f"{label}_{seen[label]}")
    body = [list(row[:last]) + [None] * (last - len(row)) for row in rows[header_at + 1 :]]
    frame = pd.DataFrame(body, columns=columns, dtype=object)
    frame = pd.DataFrame({c: _column_text(frame[c]) for c in columns}, dtype=object)
    empty = frame.isna().all(axis=1)
    if empty.any():  # trailing blank rows of a sheet are not records
        keep = ~empty[::-1].cummin()[::-1]
        frame = frame[keep.to_numpy()]
    skipped = tuple(
        " ".join(str(c) for c in row if c is not None) for row in top[:header_at] if any(row)
    )
    repeated = tuple(label for label, n in seen.items() if n > 1)
    return Grid(name, tuple(columns), frame, first_row + header_at + 1, skipped, repeated)


def _unmerged(sheet: Any) -> list[list[Any]]:
    """Return a sheet's rows with cells merged down filled with the first cell's value.

    A customer written once in cells merged down over that customer's orders belongs to
    each of those rows; a title merged across columns stays in its first cell.
    """
    rows = [list(r) for r in sheet.to_python()]
    ranges = getattr(sheet, "merged_cell_ranges", None) or []
    top, left = getattr(sheet, "start", None) or (0, 0)
    for (r0, c0), (r1, c1) in ranges:
        r0, r1, c0, c1 = r0 - top, r1 - top, c0 - left, c1 - left
        if not (0 <= r0 < len(rows)) or c0 < 0 or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        # down only: a title merged across the sheet's width stays one cell
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            if c0 < len(rows[r]):
                rows[r][c0] = value
    return rows


def excel_grids(path: Path) -> list[Grid]:
    """Read every sheet of an ``.xlsx`` workbook as a text grid.

    Raises
    ------
    DataValidationError
        When the workbook cannot be opened (damaged, or password-protected).
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [(name, _unmerged(book.get_sheet_by_name(name))) for name in book.sheet_names]
    except Exception as exc:
        raise DataValidationError(
            f"cannot open the Excel workbook {str(path)!r} ({type(exc).__name__}: {exc}); "
            "open it in Excel and save it again as .xlsx or CSV"
        ) from None
    grids = []
    for name, rows in sheets:
        grid = _grid_from_rows(name, rows)
        if grid is not None:
            grids.append(grid)
    return grids


def html_grids(path: Path, encoding: str) -> list[Grid]:
    """Read the tables of an HTML page (a web tool's "export to Excel") as text grids."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes().decode(encoding, errors="replace"), "html.parser")
    grids = []
    for i, table in enumerate(soup.find_all("table")):
        rows = [
            [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])]
            for tr in table.find_all("tr")
        ]
        grid = _grid_from_rows(f"table {i + 1}", rows)
        if grid is not None:
            grids.append(grid)
    return grids


def pick_grids(
    grids: list[Grid],
    *,
    path: Path,
    sheet: str | int | None,
    fits: Callable[[Sequence[str]], bool],
) -> tuple[pd.DataFrame, str, list[str], tuple[str, ...]]:
    """Choose the sheet(s) to read: the one named, or every sheet with the transactions.

    Sheets whose header holds the transaction columns (``fits``) are read together
    when their headers name the same columns (Online Retail II keeps one year per
    sheet); sheets with different headers need ``sheet``.

    Returns
    -------
    (pandas.DataFrame, str, list of str, tuple of str)
        The rows, with the spreadsheet row number in ``LINE_COLUMN`` and, when several
        sheets are combined, the sheet in ``FILE_COLUMN``; a description; notes; the
        column names a header repeats.

    Raises
    ------
    SchemaError
        When the named sheet does not exist, or the sheets that hold transactions
        have different headers.
    """
    names = [g.name for g in grids]
    if not grids:
        raise DataValidationError(f"{str(path)!r} has no data: every sheet or table is empty")
    if sheet is not None:
        chosen = [
            g
            for i, g in enumerate(grids)
            if g.name == sheet
            or (isinstance(sheet, int) and not isinstance(sheet, bool) and i == sheet)
        ]
        if not chosen:
            raise SchemaError(f"{str(path)!r} has no sheet {sheet!r}; its sheets are {names}")
    elif len(grids) == 1:
        chosen = grids
    else:
        chosen = [g for g in grids if fits(g.columns)]
        if not chosen:
            raise SchemaError(
                f"{str(path)!r} has {len(grids)} sheets {names} and none has the transaction "
                "columns; pass sheet='<name>' (or sheet in the [read] table of the mapping file)"
            )
        headers = {frozenset(g.columns) for g in chosen}
        refunds = [g.name for g in chosen if REFUND_NAME.search(g.name)]
        if len(chosen) > 1 and refunds:
            raise SchemaError(
                f"{str(path)!r} has sheets {[g.name for g in chosen]} with the transaction "
                f"columns, and {refunds} look like refunds or returns: read together, positive "
                "refund amounts would count as sales. Pass sheet='<name>' to read one sheet "
                "(or write the refunds as negative amounts in one sheet)"
            )
        if len(headers) > 1:
            raise SchemaError(
                f"{str(path)!r} has {len(grids)} sheets {names} and {len(chosen)} of them look "
                f"like transactions ({[g.name for g in chosen]}) but with different columns; "
                "pass sheet='<name>' (or sheet in the [read] table of the mapping file)"
            )
    notes = [
        f"sheet {g.name!r}: {len(g.skipped)} title line(s) above the header skipped "
        f"({'; '.join(g.skipped)[:100]!r})"
        for g in chosen
        if g.skipped
    ]

    def numbered(g: Grid) -> pd.DataFrame:
        return g.frame.assign(**{LINE_COLUMN: range(g.first_line, g.first_line + len(g.frame))})

    if len(chosen) == 1:
        g = chosen[0]
        label = (
            f"{path.name} [sheet {g.name}]" if len(grids) > 1 or sheet is not None else path.name
        )
        return numbered(g), label, notes, g.duplicated
    columns = [*chosen[0].columns, LINE_COLUMN]
    frames = [numbered(g)[columns].assign(**{FILE_COLUMN: f"sheet {g.name!r}"}) for g in chosen]
    notes.append(
        f"{len(chosen)} sheets with the same columns read together as one log: "
        + ", ".join(f"{g.name!r} ({len(g.frame):,} rows)" for g in chosen)
    )
    label = f"{path.name} [sheets {', '.join(g.name for g in chosen)}]"
    repeated = tuple(dict.fromkeys(d for g in chosen for d in g.duplicated))
    return pd.concat(frames, ignore_index=True), label, notes, repeated
