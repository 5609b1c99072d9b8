"""Opening a source of transactions: files, folders, globs, frames and engine tables.

:func:`open_source` turns whatever the user points at into one raw engine table whose
columns are the source's own, every value as the source wrote it, plus what reading
found on the way (records that do not fit the header, title lines skipped, the
encoding). Containers are recognised by their bytes, not their names, and every
failure to read is a :class:`~retainkit.exceptions.RetainkitError` that names the file
and the fix.
"""

from __future__ import annotations

import glob as _glob
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.reading._bytes import (
    FileKind,
    file_kind,
    iter_bytes,
    line_of,
    remove_copy,
    scan_encoding,
    to_utf8,
)
from retainkit.reading._grid import REFUND_NAME, excel_grids, html_grids, pick_grids
from retainkit.reading._text import TextLayout, describe_delimiter, sniff_layout

__all__ = ["RawSource", "ReadOptions", "TextLayout", "open_source", "sniff_layout"]

_IGNORED_FILES = ("_SUCCESS", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class ReadOptions:
    r"""How to read a file; every field is detected when left as None.

    Parameters
    ----------
    delimiter : str, optional
        Field separator of text files: ``","``, ``";"``, ``"\t"``, ``"|"`` or
        ``"whitespace"``.
    encoding : str, optional
        Text encoding (``"utf-8"``, ``"cp1252"``, ``"latin-1"``, ``"utf-16"``).
    escape : str, optional
        How a quote is written inside a quoted field: ``'"'`` (doubled, RFC 4180) or
        ``"\\"`` (backslash).
    skip_rows : int, optional
        Lines above the header row (title lines are found when None).
    sheet : str or int, optional
        Excel sheet; when None, every sheet that holds the transactions (sheets
        with the same header are read together).
    names : sequence of str, optional
        Column names of a text file without a header row.
    """

    delimiter: str | None = None
    encoding: str | None = None
    escape: str | None = None
    skip_rows: int | None = None
    sheet: str | int | None = None
    names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RawSource:
    """A source opened for cleaning.

    Attributes
    ----------
    table : ibis.expr.types.Table
        The source's columns as it names them; text files and spreadsheets give text
        columns. Optional working columns: ``_line`` (the line or spreadsheet row of
        each record) and ``_file`` (which file or sheet, for several).
    description : str
        For messages and the quality report.
    row_offset : int
        Without a line column: the position of a record (0-based, per file) plus this
        is its line.
    line_word : str
        ``"line"`` when positions are exact physical lines, ``"record"`` when a quoted
        field spans lines or blank lines were skipped, so that line numbers would shift.
    malformed : int
        Lines set aside because they do not split into the header's fields.
    malformed_examples : tuple of str
        Up to five, with their line number, what is wrong and the raw text.
    notes : tuple of str
    files : tuple of Path
        The files read.
    time_zones : dict
        Column -> the time zone a Parquet column's timestamps are stored with.
    file_columns : dict
        For several files read as one: file -> its columns, so that a file lacking a
        column the others have can be named.
    duplicated : tuple of str
        Column names that the header repeats (the repeats were renamed ``name_2``...).
    """

    table: Any
    description: str
    row_offset: int = 2
    line_word: str = "line"
    malformed: int = 0
    malformed_examples: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    time_zones: dict[str, str] = field(default_factory=dict)
    file_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    duplicated: tuple[str, ...] = ()


def open_source(
    source: Any,
    *,
    read: ReadOptions | None = None,
    fits: Callable[[Sequence[str]], bool] = lambda columns: True,
    materialize: bool = True,
    backend: Any = None,
) -> RawSource:
    r"""Open a transaction source as a raw engine table.

    Parameters
    ----------
    source : str, Path, pandas.DataFrame or ibis Table
        A file (CSV/TSV/TXT, also gzip- or zstd-compressed; Parquet; Excel; an HTML
        table), a folder or glob of such files (all of one kind), a frame, an Ibis
        table, or a connection URL naming a table.
    read : ReadOptions, optional
    fits : callable
        Tells whether a list of column names holds the transaction columns (used to
        pick Excel sheets).
    materialize : bool
        Keep text files' rows in the engine (False re-reads the file per query).
    backend : ibis backend, optional

    Returns
    -------
    RawSource

    Raises
    ------
    SchemaError
        For a path that does not exist, a kind of file retainkit cannot read, or a
        workbook whose sheet must be named.
    DataValidationError
        For a file that is empty, damaged, or not readable as text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = p.write_text('id,name,amount\n1,"Covers, 14 7/8"" x 11"" red",2.50\n2,x,1,234.50\n')
    >>> raw = open_source(p)
    >>> engine.execute(raw.table)["name"].tolist(), raw.malformed
    (['Covers, 14 7/8" x 11" red'], 1)
    """
    read = read or ReadOptions()
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        return RawSource(
            engine.to_memtable(frame), "pandas DataFrame", row_offset=0, line_word="row"
        )
    if _is_ibis_table(source):
        return RawSource(source, "Ibis table", row_offset=1, line_word="row")
    if isinstance(source, str) and "://" in source:
        return RawSource(engine.read_url(source), engine.hide_password(source), 1, "row")
    text = str(source)
    p = Path(source)
    if not p.exists():
        if any(ch in text for ch in "*?["):
            files = sorted(Path(f) for f in _glob.glob(text, recursive=True) if Path(f).is_file())
            if not files:
                raise SchemaError(f"no file matches {text!r}")
            return _open_files(files, text, read, materialize, backend)
        raise SchemaError(f"no such file or folder: {text!r}")
    if p.is_dir():
        files = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and not f.name.startswith(".")
            and f.name not in _IGNORED_FILES
            and not f.name.endswith(".crc")
        )
        if not files:
            raise DataValidationError(f"the folder {text!r} holds no files")
        return _open_files(files, text, read, materialize, backend)
    return _open_file(p, read, fits, materialize, backend)


def _is_ibis_table(obj: Any) -> bool:
    """Return True for an Ibis table expression (without importing Ibis here)."""
    return type(obj).__module__.startswith("ibis.") and hasattr(obj, "schema")


def _suffix(p: Path) -> str:
    suffixes = [s.lower() for s in p.suffixes if s.lower() not in (".gz", ".gzip", ".zst")]
    return suffixes[-1] if suffixes else ""


def _kind_note(p: Path, kind: FileKind) -> str | None:
    suffix = _suffix(p)
    named = {
        ".parquet": "parquet",
        ".pq": "parquet",
        ".xlsx": "xlsx",
        ".xlsm": "xlsx",
        ".xls": "xls",
    }
    expected = named.get(suffix, "text")
    compressed = [s for s in p.suffixes if s.lower() in (".gz", ".gzip", ".zst")]
    if expected != kind.kind or (compressed and not kind.compression):
        what = {
            "text": "delimited text",
            "parquet": "Parquet",
            "xlsx": "an Excel workbook",
            "html": "an HTML page",
            "xls": "an old Excel workbook",
            "zip": "a zip archive",
        }[kind.kind]
        plain = " (not compressed)" if compressed and not kind.compression else ""
        named = suffix or "a plain file"
        return f"{p.name} is named like {named} but holds {what}{plain}: read as such"
    return None


def _open_file(
    p: Path,
    read: ReadOptions,
    fits: Callable[[Sequence[str]], bool],
    materialize: bool,
    backend: Any,
) -> RawSource:
    kind = file_kind(p)
    if kind.kind == "empty":
        raise DataValidationError(f"{str(p)!r} is empty: there are no rows to read")
    notes = [n for n in [_kind_note(p, kind)] if n]
    if kind.kind == "parquet":
        return _open_parquet([p], str(p), notes, backend)
    if kind.kind == "zip":
        import zipfile

        with zipfile.ZipFile(p) as archive:
            members = [n for n in archive.namelist() if not n.endswith("/")]
        raise SchemaError(
            f"{str(p)!r} is a zip archive holding {members[:5]}, not a workbook: unzip it and "
            "load the file inside (a folder of CSV files is read as one log)"
        )
    if kind.kind == "xls":
        raise SchemaError(
            f"{str(p)!r} is an old Excel 97-2003 workbook (.xls), which retainkit does not "
            "read; open it in Excel and save it as .xlsx (Excel Workbook) or CSV"
        )
    if kind.kind in ("xlsx", "html"):
        if kind.kind == "xlsx":
            grids = excel_grids(p)
        else:
            grids = html_grids(p, scan_encoding(p).encoding)
            notes.append(f"{p.name} is a web page: its table was read")
        frame, label, grid_notes, repeated = pick_grids(grids, path=p, sheet=read.sheet, fits=fits)
        table = engine.to_memtable(frame)
        return RawSource(
            table, label, notes=tuple(notes + grid_notes), files=(p,), duplicated=repeated
        )
    return _open_text(p, kind, read, notes, materialize, backend)


def _open_text(
    p: Path, kind: FileKind, read: ReadOptions, notes: list[str], materialize: bool, backend: Any
) -> RawSource:
    if read.encoding:
        scan = scan_encoding(p, kind.compression) if read.encoding in ("utf-8", "utf8") else None
        encoding = read.encoding
        lines = scan.lines if scan else None
    else:
        scan = scan_encoding(p, kind.compression)
        encoding, lines = scan.encoding, scan.lines
        if scan.note:
            notes.append(scan.note)
    if read.delimiter in ("whitespace", r"\s+"):
        frame = pd.read_csv(
            _decompressed(p, kind),
            sep=r"\s+",
            dtype=str,
            encoding=encoding,
            header=None if read.names else "infer",
            names=list(read.names) if read.names else None,
        )
        offset = 1 if read.names else 2
        return RawSource(engine.to_memtable(frame), str(p), offset, notes=tuple(notes), files=(p,))
    target, compression = p, kind.compression
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        target, compression = to_utf8(p, encoding, kind.compression), None
    try:
        layout = sniff_layout(
            target,
            compression=compression,
            encoding="utf-8",
            delimiter=read.delimiter,
            escape=read.escape,
            skip_lines=read.skip_rows,
            names=tuple(read.names) if read.names else None,
        )
        try:
            table, rejected = engine.read_csv(
                target,
                columns=layout.columns,
                delimiter=layout.delimiter,
                quote=layout.quote if layout.escape else "",
                escape=layout.escape,
                skip=layout.skip_lines,
                header=layout.header,
                compression=compression,
                materialize=materialize,
                backend=backend,
            )
        except Exception as exc:  # DuckDB's own errors: name the file and the layout used
            raise DataValidationError(
                f"cannot read {str(p)!r} as delimited text with separator "
                f"{describe_delimiter(layout.delimiter)}, quote {layout.quote!r} and escape "
                f"{layout.escape!r} ({str(exc).splitlines()[0]}); pass delimiter=..., "
                "escape=... or encoding=... (or set them in the [read] table of the mapping "
                "file)"
            ) from None
        examples = tuple(
            f"line {line_of(target, compression, offset) if offset else line}: {problem}: "
            f"{text[:160]!r}"
            for (line, problem, text), offset in zip(
                rejected.examples, rejected.byte_offsets, strict=True
            )
        )
    except DataValidationError as exc:
        raise DataValidationError(str(exc).replace(str(target), str(p))) from None
    finally:
        if target is not p and materialize:
            remove_copy(target)
    notes += list(layout.notes)
    header_lines = layout.skip_lines + (1 if layout.header else 0)
    exact = None
    if lines is not None and materialize:
        records = int(engine.execute(table.count())) + rejected.rows
        exact = records + header_lines == lines
    return RawSource(
        table,
        str(p),
        duplicated=tuple(layout.duplicated),
        row_offset=header_lines + 1,
        line_word="line" if exact in (True, None) else "record",
        malformed=rejected.rows,
        malformed_examples=examples,
        notes=tuple(notes),
        files=(p,),
    )


def _decompressed(p: Path, kind: FileKind) -> Any:
    import io

    if kind.compression is None:
        return p
    return io.BytesIO(b"".join(iter_bytes(p, kind.compression)))


def _open_parquet(files: list[Path], label: str, notes: list[str], backend: Any) -> RawSource:
    import pyarrow.parquet as pq

    zones: dict[str, str] = {}
    nanoseconds: dict[str, bool] = {}
    for f in files:
        try:
            schema = pq.read_schema(f)
        except Exception as exc:
            raise DataValidationError(
                f"{str(f)!r} is not a readable Parquet file ({exc}): it is truncated (cut "
                "short while copying or downloading) or damaged; copy or export it again"
            ) from None
        for fld in schema:
            tz = getattr(fld.type, "tz", None)
            if tz:
                zones[fld.name] = tz
            if getattr(fld.type, "unit", None) == "ns":
                nanoseconds[fld.name] = bool(tz)
    target: Any = files[0] if len(files) == 1 else [str(f) for f in files]
    try:
        table = engine.read_parquet(target, backend=backend, nanoseconds=nanoseconds)
    except Exception as exc:
        raise DataValidationError(
            f"cannot read the Parquet data {label!r} ({str(exc).splitlines()[0]}); when the "
            "files have different columns, read them one by one"
        ) from None
    return RawSource(
        table, label, 1, "row", notes=tuple(notes), files=tuple(files), time_zones=zones
    )


def _open_files(
    files: list[Path], label: str, read: ReadOptions, materialize: bool, backend: Any
) -> RawSource:
    kinds = {f: file_kind(f) for f in files}
    groups: dict[str, list[Path]] = {}
    for f, k in kinds.items():
        groups.setdefault("parquet" if k.kind == "parquet" else k.kind, []).append(f)
    groups.pop("empty", None)
    if len(groups) != 1:
        shown = ", ".join(f"{k}: {[f.name for f in v][:3]}" for k, v in groups.items())
        raise SchemaError(
            f"{label!r} holds files of different kinds ({shown}); point at one kind, e.g. a "
            "glob such as 'exports/*.csv'"
        )
    ((kind, members),) = groups.items()
    if kind == "parquet":
        return _open_parquet(members, label, [], backend)
    if kind != "text":
        raise SchemaError(
            f"{label!r} holds {kind} files; read them one by one (a folder is read as one "
            "source only for CSV/TSV text files or Parquet files)"
        )
    root = Path(label) if Path(label).is_dir() else None
    names = [str(f.relative_to(root)) if root else f.name for f in members]
    refunds = [n for n in names if REFUND_NAME.search(Path(n).name)]
    if refunds and len(members) > 1:
        raise SchemaError(
            f"{label!r} holds {names[:5]}, and {refunds} look like refunds or returns: read "
            "together, positive refund amounts would count as sales. Load the sales file(s) "
            "alone (a glob such as 'exports/sales*.csv'), or write refunds as negative amounts"
        )
    parts = [_open_text(f, kinds[f], read, [], materialize, backend) for f in members]
    table = engine.union_by_name([p.table for p in parts], names, materialize=materialize)
    orders = {tuple(p.table.columns) for p in parts}
    notes = [
        f"{len(parts)} files read together as one log: {', '.join(f.name for f in members[:5])}"
    ]
    if len(orders) > 1:
        notes.append("the files list their columns in different orders; columns matched by name")
    for f, part in zip(members, parts, strict=True):
        notes += [f"{f.name}: {n}" for n in part.notes]
    return RawSource(
        table,
        label,
        file_columns={
            n: tuple(c for c in p.table.columns if c not in (S.LINE_COLUMN, S.FILE_COLUMN))
            for n, p in zip(names, parts, strict=True)
        },
        duplicated=tuple(dict.fromkeys(d for p in parts for d in p.duplicated)),
        row_offset=parts[0].row_offset,
        line_word="line" if all(p.line_word == "line" for p in parts) else "record",
        malformed=sum(p.malformed for p in parts),
        malformed_examples=tuple(
            f"{f.name} {e}"
            for f, p in zip(members, parts, strict=True)
            for e in p.malformed_examples
        )[:5],
        notes=tuple(notes),
        files=tuple(members),
    )
