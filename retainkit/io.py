"""Loading transaction logs and side tables from files, frames and engine tables.

:func:`load_transactions` is the one entry point for transactions: it reads the
source, finds the canonical columns (from a mapping, canonical names or known
synonyms), parses dates and amounts, cleans, and returns a
:class:`~retainkit.engine.Transactions` whose rows stay in the engine, with a
data-quality report. The input file is only ever read.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = [
    "load_churn_reasons",
    "load_customers",
    "load_transactions",
    "read_mapping_file",
    "sha256_of",
    "write_table",
]

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".tab"}
_COMPRESSION = {".gz", ".zst", ".gzip"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}

_READ_KEYS = ("date_format", "dayfirst", "decimal", "delimiter", "encoding", "sheet", "names")
_CLEAN_KEYS = (
    "returns",
    "outliers",
    "max_amount",
    "max_date",
    "id_case",
    "duplicates",
    "zero_revenue",
    "cancellation_prefix",
    "keep_columns",
    "max_invalid_share",
    "min_date",
    "materialize",
)


def read_mapping_file(path: str | Path) -> dict[str, dict[str, Any]]:
    r"""Read a column-mapping file.

    The file is TOML with a ``[columns]`` table (canonical name = your column name)
    and optional ``[read]`` (``date_format``, ``dayfirst``, ``decimal``,
    ``delimiter``, ``encoding``, ``sheet``) and ``[clean]`` (``returns``,
    ``duplicates``, ``zero_revenue``, ``cancellation_prefix``, ``keep_columns``,
    ``max_invalid_share``, ``min_date``, ``materialize``) tables::

        [columns]
        customer_id = "Kundennr"
        order_date = "Datum"
        revenue = "Umsatz"

        [read]
        date_format = "%d.%m.%Y"
        decimal = ","

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``{"columns": {...}, "read": {...}, "clean": {...}}``.

    Raises
    ------
    SchemaError
        When the file is missing, is not valid TOML, or has unknown tables or keys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_text('[columns]\ncustomer_id = "Cust"\n')
    >>> read_mapping_file(p)["columns"]
    {'customer_id': 'Cust'}
    """
    p = Path(path)
    if not p.is_file():
        raise SchemaError(f"mapping file {str(p)!r} does not exist")
    try:
        content = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"mapping file {str(p)!r} is not valid TOML: {exc}") from None
    allowed = {"columns": None, "read": _READ_KEYS, "clean": _CLEAN_KEYS}
    problems = [f"unknown table [{k}]" for k in content if k not in allowed]
    for table, keys in allowed.items():
        section = content.get(table, {})
        if not isinstance(section, dict):
            problems.append(f"[{table}] must be a table")
            continue
        if keys is not None:
            problems += [
                f"unknown key {k!r} in [{table}] (known: {', '.join(keys)})"
                for k in section
                if k not in keys
            ]
        else:
            problems += [
                f"[columns] {k} must name a column as text, got {v!r}"
                for k, v in section.items()
                if not isinstance(v, str)
            ]
    if problems:
        raise SchemaError(f"mapping file {str(p)!r}: " + "; ".join(problems))
    return {t: dict(content.get(t, {})) for t in allowed}


def sha256_of(path: str | Path) -> str:
    """Return the SHA-256 of a file, or of every file in a folder in name order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(str(f.relative_to(p)).encode())
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _suffixes(p: Path) -> tuple[str, bool]:
    suffixes = [s.lower() for s in p.suffixes]
    compressed = bool(suffixes) and suffixes[-1] in _COMPRESSION
    if compressed:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), compressed


_HEAD = 1 << 16  # bytes sniffed for encoding and delimiter


def _head_bytes(p: Path, compressed: bool, n: int = _HEAD) -> bytes:
    if compressed and p.suffix.lower() in {".gz", ".gzip"}:
        with gzip.open(p, "rb") as fh:
            return fh.read(n)
    with p.open("rb") as fh:
        return fh.read(n)


def _detect_encoding(head: bytes, *, truncated: bool) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut by the end of the sample is not evidence against UTF-8
        cut = truncated and exc.reason == "unexpected end of data"
        if not cut:
            return "latin-1"
    return "utf-8"


def _detect_delimiter(head: bytes, encoding: str) -> str | None:
    text = head.decode("latin-1" if encoding == "latin-1" else "utf-8", errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[:1]
    if not first:
        return None
    line = first[0]
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def _excel_table(
    p: Path, sheet: str | int | None, mapping: Mapping[str, str] | None
) -> tuple[pd.DataFrame, str]:
    try:
        book = pd.ExcelFile(p)
    except Exception as exc:
        raise SchemaError(f"cannot open Excel file {str(p)!r}: {exc}") from None
    names = book.sheet_names
    if sheet is None:
        if len(names) == 1:
            sheet = names[0]
        else:
            fitting = []
            for name in names:
                header = pd.read_excel(book, sheet_name=name, nrows=0).columns
                try:
                    S.resolve_columns(list(map(str, header)), mapping)
                except SchemaError:
                    continue
                fitting.append(name)
            if len(fitting) != 1:
                raise SchemaError(
                    f"{str(p)!r} has {len(names)} sheets {names}"
                    + (
                        f" and {len(fitting)} of them look like transactions ({fitting})"
                        if fitting
                        else " and none has the transaction columns"
                    )
                    + "; pass sheet='<name>' (or sheet in the [read] table of the mapping file)"
                )
            sheet = fitting[0]
    elif sheet not in names and not (isinstance(sheet, int) and 0 <= sheet < len(names)):
        raise SchemaError(f"{str(p)!r} has no sheet {sheet!r}; its sheets are {names}")
    frame = pd.read_excel(book, sheet_name=sheet)
    return frame, f"{p.name} [sheet {sheet}]"


def _raw_from_source(
    source: Any,
    read: dict[str, Any],
    mapping: Mapping[str, str] | None,
    backend: Any,
    materialize: bool,
) -> tuple[Any, str, str | None, int]:
    """Return (raw ibis table, description, delimiter, row offset)."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        return engine.to_memtable(frame), "pandas DataFrame", None, 0
    if _is_ibis_table(source):
        return source, "Ibis table", None, 1
    if isinstance(source, str) and "://" in source:
        return engine.read_url(source), engine.hide_password(source), None, 1
    p = Path(source)
    if not p.exists():
        if any(ch in str(source) for ch in "*?["):
            return engine.read_parquet(str(source), backend=backend), str(source), None, 1
        raise SchemaError(f"no such file or folder: {str(source)!r}")
    if p.is_dir():
        return engine.read_parquet(p, backend=backend), str(p), None, 1
    kind, compressed = _suffixes(p)
    if kind in _PARQUET_SUFFIXES:
        return engine.read_parquet(p, backend=backend), str(p), None, 1
    if kind in _EXCEL_SUFFIXES:
        frame, desc = _excel_table(p, read.get("sheet"), mapping)
        return engine.to_memtable(frame), desc, None, 2
    if kind in _TEXT_SUFFIXES or not kind:
        head = _head_bytes(p, compressed)
        if not head.strip():
            raise DataValidationError(f"{str(p)!r} is empty: there are no rows to read")
        encoding = read.get("encoding") or _detect_encoding(head, truncated=len(head) == _HEAD)
        delimiter = read.get("delimiter")
        names = read.get("names")
        first_line = 1 if names else 2
        if delimiter in ("whitespace", r"\s+"):
            frame = pd.read_csv(
                p,
                sep=r"\s+",
                dtype=str,
                encoding=encoding,
                header=None if names else "infer",
                names=list(names) if names else None,
            )
            return engine.to_memtable(frame), str(p), None, first_line
        delimiter = delimiter or _detect_delimiter(head, encoding)
        try:
            raw = engine.read_csv(
                p,
                delimiter=delimiter,
                encoding=encoding,
                names=names,
                materialize=materialize,
                backend=backend,
            )
        except Exception as exc:
            raise DataValidationError(
                f"cannot read {str(p)!r} as delimited text ({str(exc).splitlines()[0]}); "
                "pass delimiter=... and encoding=... (or set them in the [read] table "
                "of the mapping file)"
            ) from None
        return raw, str(p), delimiter, first_line
    raise SchemaError(
        f"cannot tell how to read {str(p)!r} (suffix {kind!r}); retainkit reads CSV/TSV/TXT "
        "(also .gz/.zst), Parquet files or folders, and Excel workbooks"
    )


def _is_ibis_table(obj: Any) -> bool:
    """Return True for an Ibis table expression (without importing Ibis here)."""
    return type(obj).__module__.startswith("ibis.") and hasattr(obj, "schema")


def load_transactions(
    source: Any,
    *,
    columns: Mapping[str, str] | str | Path | None = None,
    as_of: Any = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    names: tuple[str, ...] | list[str] | None = None,
    returns: str | None = None,
    duplicates: str | None = None,
    zero_revenue: str | None = None,
    cancellation_prefix: str | None = None,
    keep_columns: tuple[str, ...] | list[str] | None = None,
    max_invalid_share: float | None = None,
    min_date: str | None = None,
    max_date: str | None = None,
    outliers: str | None = None,
    max_amount: float | None = None,
    id_case: str | None = None,
    materialize: bool | None = None,
    backend: Any = None,
) -> engine.Transactions:
    r"""Load and clean a transaction log.

    Parameters
    ----------
    source : str, Path, pandas.DataFrame, ibis Table or Transactions
        A file (CSV/TSV/TXT, optionally gzip- or zstd-compressed; Parquet; Excel), a
        folder or glob of Parquet files, a frame, an Ibis table from any backend, a
        connection URL naming a table (``duckdb:///shop.duckdb?table=orders``,
        ``postgres://user@host/db?table=orders``, ``pyspark://?table=orders``), or
        the name of a preset (``"demo"``, ``"online_retail"``, ``"cdnow"``,
        ``"cdnow_sample"``; see :func:`retainkit.list_presets`).
    columns : mapping or path, optional
        Canonical name -> your column name (``{"customer_id": "Cust No"}``), or the
        path of a mapping file (see :func:`read_mapping_file`), which may also hold
        reading and cleaning options. Columns not mapped are found by their canonical
        name or a known synonym ("InvoiceDate" -> ``order_date``).
    as_of : date-like, optional
        Drop rows dated after this day.
    date_format : str, optional
        ``strftime`` format of text dates; detected when None. Dates that read both
        day-first and month-first raise an error asking for it.
    dayfirst : bool, optional
        Settle day-first vs month-first without giving a full format.
    decimal : {".", ","}, optional
        Decimal mark of text amounts; detected when None.
    delimiter : str, optional
        Field separator of text files (``","``, ``";"``, ``"\\t"``, ``"|"``, or
        ``"whitespace"``); detected when None.
    encoding : str, optional
        ``"utf-8"``, ``"latin-1"`` or ``"utf-16"``; detected (BOM included) when None.
    names : sequence of str, optional
        Column names of a text file without a header row.
    sheet : str or int, optional
        Excel sheet; when None, the only sheet, or the one sheet with the
        transaction columns.
    returns : {"net", "drop"}, optional
        Net return/cancellation lines into revenue (default) or drop them.
    duplicates : {"drop", "keep"}, optional
        Drop exact duplicate lines (default).
    zero_revenue : {"drop", "keep"}, optional
        Drop lines with zero revenue (default) or keep them as purchases.
    cancellation_prefix : str, optional
        Order ids with this prefix are cancellations.
    keep_columns : sequence of str, optional
        Extra source columns to carry along as text (e.g. ``["Country"]``).
    max_invalid_share : float, optional
        Fail, showing the offending rows, when more than this share of rows (default
        0.05) lacks a customer id, a date or an amount.
    min_date : str, optional
        Rows before this date are implausible and dropped (default ``"1900-01-01"``).
    max_date : str, optional
        Rows after this date are implausible and dropped (default: tomorrow).
    outliers : {"error", "drop", "keep"}, optional
        Lines with implausible amounts (above ``max_amount``): stop and show them
        (default), drop and count them, or keep them.
    max_amount : float, optional
        Absolute line revenue above which an amount is implausible; default 100,000
        times the median line.
    id_case : {"keep", "upper", "lower"}, optional
        Fold the letter case of customer ids ("ab1" and "AB1" as one customer); by
        default ids are kept as written and the quality report notes ids that differ
        only in case.
    materialize : bool, optional
        Keep the cleaned rows in the engine (default True).
    backend : ibis backend, optional
        Where files are read; default: the shared in-process DuckDB.

    Returns
    -------
    Transactions
        The cleaned rows (in the engine) with ``.quality``, the data-quality report,
        and ``.to_pandas()``.

    Raises
    ------
    SchemaError
        When a required column cannot be found (the message lists the columns found
        and the closest names) or the mapping is wrong.
    DataValidationError
        When the values cannot be used: ambiguous or unreadable dates, mixed decimal
        marks, too many rows without customer id, date or amount.

    Examples
    --------
    >>> frame = pd.DataFrame({"Customer ID": ["17850.0", "17850", None],
    ...                       "Date": ["2024-01-02", "2024-01-05", "2024-01-06"],
    ...                       "Amount": ["10.50", "4.50", "3.00"]})
    >>> txn = load_transactions(frame, columns={"order_date": "Date"},
    ...                         max_invalid_share=0.5)
    >>> txn.quality.dropped
    {'missing customer id': 1}
    >>> txn.to_pandas()["customer_id"].tolist()
    ['17850', '17850']
    """
    if isinstance(source, engine.Transactions):
        return source
    from retainkit import datasets  # presets build on this function

    if isinstance(source, str) and datasets.is_preset(source) and not Path(source).exists():
        preset_kwargs = {
            k: v
            for k, v in {
                "columns": columns,
                "as_of": as_of,
                "returns": returns,
                "duplicates": duplicates,
                "zero_revenue": zero_revenue,
                "materialize": materialize,
                "backend": backend,
            }.items()
            if v is not None
        }
        return datasets.load_preset_transactions(source, **preset_kwargs)

    spec: dict[str, dict[str, Any]] = {"columns": {}, "read": {}, "clean": {}}
    if isinstance(columns, str | Path):
        spec = read_mapping_file(columns)
    elif columns is not None:
        if not isinstance(columns, Mapping):
            raise SchemaError(
                "columns must map canonical names to your column names, e.g. "
                "{'customer_id': 'Cust No'}, or be the path of a mapping file"
            )
        spec["columns"] = dict(columns)
    given_read = {
        "date_format": date_format,
        "dayfirst": dayfirst,
        "decimal": decimal,
        "delimiter": delimiter,
        "encoding": encoding,
        "sheet": sheet,
        "names": names,
    }
    read = {**spec["read"], **{k: v for k, v in given_read.items() if v is not None}}
    given_clean = {
        "returns": returns,
        "duplicates": duplicates,
        "zero_revenue": zero_revenue,
        "cancellation_prefix": cancellation_prefix,
        "keep_columns": tuple(keep_columns) if keep_columns is not None else None,
        "max_invalid_share": max_invalid_share,
        "min_date": min_date,
        "max_date": max_date,
        "outliers": outliers,
        "max_amount": max_amount,
        "id_case": id_case,
        "materialize": materialize,
    }
    clean = {**spec["clean"], **{k: v for k, v in given_clean.items() if v is not None}}
    if "keep_columns" in clean:
        clean["keep_columns"] = tuple(clean["keep_columns"])

    raw, description, used_delimiter, row_offset = _raw_from_source(
        source, read, spec["columns"], backend, bool(clean.get("materialize", True))
    )
    mapping = S.resolve_columns(list(raw.columns), spec["columns"])
    try:
        options = engine.CleaningOptions(
            date_format=read.get("date_format"),
            dayfirst=read.get("dayfirst"),
            decimal=read.get("decimal"),
            as_of=_as_of(as_of),
            **clean,
        )
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"invalid loading option: {exc}") from None
    table, report, keyed = engine.clean_table(
        raw,
        mapping,
        options,
        source=description,
        delimiter=used_delimiter,
        row_offset=row_offset,
    )
    if report.rows_kept == 0:
        raise DataValidationError(
            f"{description}: no rows left after cleaning ({report.rows_read:,} read; "
            + ", ".join(f"{n:,} {r}" for r, n in report.dropped.items())
            + "). Check the column mapping and the options."
        )
    return engine.Transactions(table, report, keyed=keyed)


def _as_of(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise SchemaError(f"as_of={value!r} is not a date; write it as YYYY-MM-DD") from None


def _read_side_table(source: Any, what: str) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "pandas DataFrame"
    p = Path(source)
    if not p.is_file():
        raise SchemaError(f"the {what} file {str(p)!r} does not exist")
    kind, compressed = _suffixes(p)
    if kind in _EXCEL_SUFFIXES:
        return pd.read_excel(p), str(p)
    if kind in _PARQUET_SUFFIXES:
        return pd.read_parquet(p), str(p)
    head = _head_bytes(p, compressed)
    encoding = _detect_encoding(head, truncated=len(head) == _HEAD)
    delimiter = _detect_delimiter(head, encoding) or ","
    frame = pd.read_csv(
        p,
        sep=delimiter,
        dtype=str,
        encoding="utf-8-sig" if encoding == "utf-8" else encoding,
        keep_default_na=False,
        na_values=[""],
    )
    for col in frame.columns:  # numbers stay numbers, codes stay text
        values = frame[col].dropna()
        if len(values) and values.str.fullmatch(r"[-+]?\d+").all():
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")  # scores stay whole
        elif len(values) and values.str.fullmatch(r"[-+]?\d+(\.\d+)?").all():
            frame[col] = pd.to_numeric(frame[col])
    return frame, str(p)


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(column: pd.Series) -> pd.Series:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    text = column.astype("string")
    risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
    return column.where(~risky, "'" + text)


def write_table(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a table for people to open in a spreadsheet, safely.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get
    a leading apostrophe, so customer-supplied text (names, product descriptions,
    reasons) can never run as a formula when the file is opened. Numbers are written
    as numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or Path
        ``.csv`` (UTF-8 with a byte-order mark, which Excel needs to show accents) or
        ``.xlsx``.
    overwrite : bool
        Replace an existing file; otherwise an existing file is an error.

    Returns
    -------
    Path

    Raises
    ------
    FileExistsError
        When the file exists and ``overwrite`` is False.
    ValueError
        For another suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "calls.csv"
    >>> _ = write_table(pd.DataFrame({"name": ["=HYPERLINK(1)"], "value": [-5]}), p)
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['name,value', "'=HYPERLINK(1),-5"]
    """
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{str(p)!r} exists; pass overwrite=True to replace it")
    text_cols = [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    safe = frame.assign(**{c: _neutralise(frame[c]) for c in text_cols})
    suffix = p.suffix.lower()
    if suffix == ".csv":
        safe.to_csv(p, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        safe.to_excel(p, index=False)
    else:
        raise ValueError(f"cannot write {str(p)!r}: use a .csv or .xlsx file name")
    return p
