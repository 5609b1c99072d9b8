"""Loading transaction logs and side tables from files, frames and engine tables.

:func:`load_transactions` is the one entry point for transactions: it reads the
source, finds the canonical columns (from a mapping, canonical names or known
synonyms), parses dates and amounts, cleans, and returns a
:class:`~retainkit.engine.Transactions` whose rows stay in the engine, with a
data-quality report. The input file is only ever read. The side tables
(:func:`load_customers`, :func:`load_churn_reasons`) are read in
:mod:`retainkit._side_tables`.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit._resources import data_dir
from retainkit._side_tables import load_churn_reasons, load_customers
from retainkit.exceptions import DataValidationError, SchemaError
from retainkit.presets import Preset, resolve_preset
from retainkit.reading import ReadOptions, open_source
from retainkit.reading._mapping import (
    CLEAN_KEYS,
    list_profiles,
    load_profile,
    read_mapping_file,
    recognise_profile,
)

__all__ = [
    "list_profiles",
    "load_churn_reasons",
    "load_customers",
    "load_profile",
    "load_transactions",
    "read_mapping_file",
    "sha256_of",
    "write_table",
]

_READ_OPTIONS = ("delimiter", "encoding", "escape", "skip_rows", "sheet", "names")
_PARSE_OPTIONS = ("date_format", "dayfirst", "decimal", "timezone", "amount_unit")
_OPTIONS = _READ_OPTIONS + _PARSE_OPTIONS + CLEAN_KEYS


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


def _resolve_spec(
    columns: Mapping[str, str] | str | Path | None,
) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Return the mapping spec and the profile name it came from, if any."""
    empty: dict[str, dict[str, Any]] = {"columns": {}, "read": {}, "clean": {}}
    if columns is None:
        return empty, None
    if isinstance(columns, str) and not Path(columns).suffix and not Path(columns).exists():
        profile = load_profile(columns)
        return {k: dict(v) for k, v in profile.spec.items()}, profile.name
    if isinstance(columns, str | Path):
        spec = read_mapping_file(columns)
        return {k: spec[k] for k in ("columns", "read", "clean")}, None
    if not isinstance(columns, Mapping):
        raise SchemaError(
            "columns must map canonical names to your column names, e.g. "
            "{'customer_id': 'Cust No'}, be the path of a mapping file, or name an export "
            "profile such as 'shopify'"
        )
    return {**empty, "columns": dict(columns)}, None


def _check_option_names(options: Mapping[str, Any]) -> None:
    unknown = [k for k in options if k not in _OPTIONS]
    if unknown:
        hints = {k: difflib.get_close_matches(k, _OPTIONS, n=1) for k in unknown}
        raise SchemaError(
            "unknown loading option "
            + ", ".join(
                f"{k!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for k, h in hints.items()
            )
            + f"; the options are {sorted(_OPTIONS)}"
        )


def _load_preset(preset: Preset, overrides: Mapping[str, Any]) -> engine.Transactions:
    """Load a preset's transactions; ``overrides`` replace the preset's options."""
    source: Any = data_dir() / preset.transactions
    if preset.build is not None:
        source = preset.build(data_dir())[0]
    txn = load_transactions(source, **{**preset.options, **overrides})
    quality = dataclasses.replace(
        txn.quality, source=f"preset {preset.name!r} ({preset.transactions})"
    )
    return engine.Transactions(txn.table, quality, keyed=txn.keyed)


def _changed_options(cleaning: engine.CleaningOptions) -> dict[str, Any]:
    """Return the fields of ``cleaning`` that differ from their defaults, ``as_of`` aside."""
    if not isinstance(cleaning, engine.CleaningOptions):
        raise SchemaError(
            f"cleaning={cleaning!r} is not a CleaningOptions; build one with "
            "retainkit.engine.CleaningOptions(returns='drop', ...) or pass the options as "
            "keywords"
        )
    default = engine.CleaningOptions()
    return {
        f.name: getattr(cleaning, f.name)
        for f in dataclasses.fields(cleaning)
        if f.name != "as_of" and getattr(cleaning, f.name) != getattr(default, f.name)
    }


def load_transactions(
    source: Any,
    *,
    columns: Mapping[str, str] | str | Path | None = None,
    as_of: Any = None,
    backend: Any = None,
    prepared: str | Path | None = None,
    cleaning: engine.CleaningOptions | None = None,
    **options: Any,
) -> engine.Transactions:
    r"""Load and clean a transaction log.

    Parameters
    ----------
    source : str, Path, pandas.DataFrame, ibis Table or Transactions
        A file (CSV/TSV/TXT, optionally gzip- or zstd-compressed; Parquet; Excel; an
        HTML table saved as ``.xls``), a folder or glob of CSV or Parquet files (read as
        one log), a frame, an Ibis table from any backend, a connection URL naming a
        table (``duckdb:///shop.duckdb?table=orders``,
        ``postgres://user@host/db?table=orders``, ``pyspark://?table=orders``), or the
        name of a preset (``"demo"``; :func:`retainkit.list_presets` lists them; the
        preset's options apply, and keyword arguments given here override them). Files
        are recognised by their bytes, not their names, and never changed.
    columns : mapping, path or str, optional
        Canonical name -> your column name (``{"customer_id": "Cust No"}``); the path
        of a mapping file (see :func:`read_mapping_file`), which may also hold reading
        and cleaning options; or the name of an export profile (``"shopify"``,
        ``"woocommerce"``, ``"stripe"``, ...; see :func:`list_profiles`). Without it, a
        header that a profile recognises uses that profile, and other columns are found
        by their canonical name or a known synonym ("InvoiceDate" -> ``order_date``).
        A mapping of some columns keeps a recognised profile for the others; a column
        mapped to ``""`` is left out (``{"revenue": ""}``: quantity x unit price).
    as_of : date-like, optional
        Drop rows dated after this day.
    backend : ibis backend, optional
        Where files are read; default: the shared in-process DuckDB.
    prepared : str or Path, optional
        A DuckDB file in which the report runner saved this very load (same ``source``,
        ``columns``, ``as_of`` and options): it is attached read-only and the stored
        rows and quality report are used, without reading or cleaning ``source`` again.
        ``None`` or ``""``: load ``source``.
    cleaning : CleaningOptions, optional
        The parsing and cleaning options as one object
        (:class:`~retainkit.engine.CleaningOptions`); its fields that differ from their
        defaults apply as if given as keywords (a keyword given here wins; ``as_of``
        comes from the ``as_of`` argument when given).
    **options
        Reading: ``delimiter`` (``","``, ``";"``, ``"\\t"``, ``"|"``, ``"whitespace"``),
        ``encoding``, ``escape`` (``'"'`` doubled quotes, RFC 4180, or ``"\\\\"``),
        ``skip_rows`` (lines above the header), ``sheet`` (Excel; default: every sheet
        with the transactions, read together when their headers match), ``names``
        (for a file without header). Parsing: ``date_format`` (strftime, or
        ``"excel"``, ``"unix"``, ``"unix_ms"``, ``"iso"``), ``dayfirst``, ``decimal``,
        ``timezone`` (IANA zone for timestamps that state a zone), ``amount_unit``
        (``"cents"``). Cleaning: every field of
        :class:`~retainkit.engine.CleaningOptions` (``returns``, ``duplicates``,
        ``zero_revenue``, ``currency``, ``guest_ids``, ``revenue_level``,
        ``not_sales``, ``negative_when``, ``sale_statuses``, ``not_sale_statuses``,
        ``cancellation_prefix``, ``keep_columns``, ``min_date``,
        ``max_date``, ``outliers``, ``max_amount``, ``id_case``,
        ``max_invalid_share``, ``max_missing_id_share``, ``materialize``...). Given
        here, an option overrides the mapping file or profile.

    Returns
    -------
    Transactions
        The cleaned rows (in the engine) with ``.quality``, the data-quality report,
        and ``.to_pandas()``.

    Raises
    ------
    SchemaError
        When a required column cannot be found (the message lists the columns found
        and the closest names), the mapping is wrong, or an option is unknown.
    DataValidationError
        When the values cannot be used: ambiguous or unreadable dates, ambiguous
        decimal marks, several currencies, ids rounded by Excel, too many unreadable
        rows, or a damaged file. Every message says where and what to pass.

    Examples
    --------
    >>> frame = pd.DataFrame({"Customer ID": ["17850.0", "17850", None, "0"],
    ...                       "Date": ["2024-01-02", "2024-01-05", "2024-01-06", "2024-01-06"],
    ...                       "Amount": ["10.50", "4.50", "3.00", "7.00"]})
    >>> txn = load_transactions(frame, columns={"order_date": "Date"})
    >>> txn.quality.dropped
    {'missing customer id': 1, 'guest placeholder id': 1}
    >>> txn.to_pandas()["customer_id"].tolist()
    ['17850', '17850']
    """
    if isinstance(source, engine.Transactions):
        return source
    if cleaning is not None:
        options = {**_changed_options(cleaning), **options}
        if as_of is None and cleaning.as_of is not None:
            as_of = cleaning.as_of
    if prepared is not None and str(prepared).strip():
        from retainkit.engine._prepared import open_prepared

        request = _prepared_request(source, columns=columns, as_of=as_of, options=options)
        return open_prepared(prepared, request=request)
    _check_option_names(options)
    preset = resolve_preset(source)
    if preset is not None:
        given = {"columns": columns, "as_of": as_of, "backend": backend, **options}
        return _load_preset(preset, {k: v for k, v in given.items() if v is not None})

    spec, profile_name = _resolve_spec(columns)
    given = {k: v for k, v in options.items() if v is not None}
    merged = {**spec["read"], **spec["clean"], **given}
    read_given = {k: merged[k] for k in _READ_OPTIONS if k in merged}
    if read_given.get("names"):
        read_given["names"] = tuple(read_given["names"])
    try:
        read = ReadOptions(**read_given)
    except TypeError as exc:
        raise SchemaError(f"invalid reading option: {exc}") from None
    materialize = bool(merged.get("materialize", True))

    def fits(header: Any) -> bool:
        try:
            S.resolve_columns(list(map(str, header)), spec["columns"])
        except SchemaError:
            return recognise_profile(list(header)) is not None
        return True

    raw = open_source(source, read=read, fits=fits, materialize=materialize, backend=backend)
    notes = list(raw.notes)
    header = [c for c in raw.table.columns if c not in (S.LINE_COLUMN, S.FILE_COLUMN)]
    partial = isinstance(columns, Mapping) and bool(columns)
    if profile_name is None and (not spec["columns"] or partial):
        found = recognise_profile(header)
        if found is not None:
            user = dict(spec["columns"])
            spec = {k: dict(v) for k, v in found.spec.items()}
            # the user's columns win; a profile entry reading a column the user gave to
            # another name is left out
            taken = set(user.values())
            spec["columns"] = {
                k: v
                for k, v in spec["columns"].items()
                if k not in user and not taken & set(v if isinstance(v, list | tuple) else [v])
            } | {k: v for k, v in user.items()}
            if "revenue" in user:
                # the profile's revenue rules read its own amount columns: with another
                # revenue column they would subtract amounts of another kind or currency
                dropped = [k for k in ("subtract", "refund_from_adjusted") if k in spec["clean"]]
                for k in dropped:
                    del spec["clean"][k]
                if "refunded" not in user and "refunded" in spec["columns"]:
                    del spec["columns"]["refunded"]
                    dropped.append("refunded")
                if dropped:
                    notes.append(
                        f"your revenue ({user['revenue'] or 'quantity x unit price'!r}) "
                        "replaces the profile's, so its "
                        f"rules on the other amounts ({', '.join(dropped)}) are not used; map "
                        "refunded yourself if refunds are to be netted"
                    )
            merged = {**spec["read"], **spec["clean"], **given}
            profile_name = found.name
            notes.append(
                f"recognised as {found.title} from its columns (profile {found.name!r})"
                + (f", with your columns for {sorted(user)}" if user else "")
            )
    if profile_name is not None:
        chosen = load_profile(profile_name)
        other = [a for a in chosen.absent if a in header]
        if other:
            fitting = recognise_profile(header)
            raise SchemaError(
                f"{raw.description} has the column(s) {other}, which the {chosen.title} "
                "profile does not read: it is another layout of the export"
                + (f"; pass columns={fitting.name!r}" if fitting else "")
            )
        spec, merged, skipped = _fit_profile(spec, merged, given, header)
        notes += skipped
    # a list names alternatives: the columns of it the data has, the first non-empty counting
    present = {
        k: ([c for c in v if c in header] or list(v[:1])) if isinstance(v, list | tuple) else [v]
        for k, v in spec["columns"].items()
    }
    named = {k: v[0] for k, v in present.items()}
    fallbacks = {k: tuple(v[1:]) for k, v in present.items() if len(v) > 1}
    try:
        mapping = S.resolve_columns(header, named)
    except SchemaError as exc:
        raise SchemaError(str(exc) + _header_hint(header, notes)) from None
    _check_source_columns(raw, mapping)
    clean = {k: merged[k] for k in CLEAN_KEYS + _PARSE_OPTIONS if k in merged}
    for key in (
        "keep_columns",
        "guest_ids",
        "sale_statuses",
        "not_sale_statuses",
        "fill_down",
        "subtract",
    ):
        if clean.get(key) is not None:
            clean[key] = (clean[key],) if isinstance(clean[key], str) else tuple(clean[key])
    for key in ("not_sales", "negative_when"):
        if key in clean:
            clean[key] = {
                k: (v,) if isinstance(v, str) else tuple(v) for k, v in dict(clean[key]).items()
            }
    if fallbacks:
        clean["fallbacks"] = fallbacks
    try:
        cleaning = engine.CleaningOptions(as_of=_as_of(as_of), **clean)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"invalid loading option: {exc}") from None
    info = engine.SourceInfo(
        description=raw.description,
        row_offset=raw.row_offset,
        line_word=raw.line_word,
        malformed=raw.malformed,
        malformed_examples=raw.malformed_examples,
        time_zones=raw.time_zones,
        notes=tuple(notes),
    )
    table, report, keyed = engine.clean_table(raw.table, mapping, cleaning, info=info)
    if report.rows_kept == 0:
        raise DataValidationError(
            f"{raw.description}: no rows left after cleaning ({report.rows_read:,} read; "
            + ", ".join(f"{n:,} {r}" for r, n in report.dropped.items())
            + "). Check the column mapping and the options."
        )
    return engine.Transactions(table, report, keyed=keyed)


def _prepared_request(
    source: Any, *, columns: Any, as_of: Any, options: Mapping[str, Any]
) -> dict[str, str | None]:
    """Say what a load reads, as text: a prepared file is used only for the same request."""
    if not isinstance(source, str | Path):
        raise SchemaError(
            f"prepared data stands for a named source (a preset, file or URL), not a "
            f"{type(source).__name__}; leave prepared empty"
        )

    def text(value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Mapping):
            return repr(sorted(value.items()))
        return str(value) if isinstance(value, str | Path) else repr(value)

    request = {"data": str(source), "columns": text(columns), "as_of": text(as_of)}
    request |= {f"option {k}": text(options[k]) for k in sorted(options)}
    return request


def _prepare_transactions(
    source: Any,
    path: str | Path,
    *,
    columns: Any = None,
    as_of: Any = None,
    files: Any = (),
    **options: Any,
) -> tuple[Path | None, int]:
    """Load ``source`` once and save it into ``path`` for ``load_transactions(prepared=...)``.

    The report runner calls it before the notebooks start; they pass the same ``source``,
    ``columns``, ``as_of`` and options, with ``prepared=path``. Loading errors are raised
    here, as a notebook would have raised them. Returns the saved file and the rows kept;
    rows that stay in another engine than DuckDB (a warehouse named by a URL) are not
    saved: None.
    """
    from retainkit.engine._backend import is_duckdb
    from retainkit.engine._prepared import save_prepared

    request = _prepared_request(source, columns=columns, as_of=as_of, options=options)
    loaded = load_transactions(source, columns=columns, as_of=as_of, **options)
    rows = int(loaded.quality.rows_kept)
    if not is_duckdb(loaded.table):
        return None, rows
    return save_prepared(loaded, path, request=request, files=files), rows


def _header_hint(header: list[str], notes: list[str]) -> str:
    """Say what a missing-column error misses when the header itself looks wrong."""
    looks_like_data = sum(
        bool(re.fullmatch(r"[-+$€£]?[0-9][0-9.,/: -]*", h.strip())) for h in header
    )
    hints = []
    if header and looks_like_data * 2 >= len(header):
        hints.append(
            f"The first line ({', '.join(header[:4])}...) looks like data, not column names: "
            f"if the file has no header row, pass names=[...] with {len(header)} names (in "
            "the [read] table of a mapping file: names = [...])"
        )
    encoding = next((n for n in notes if n.startswith("read as ")), None)
    if encoding:
        hints.append(
            f"The file was {encoding.split(':')[0]}; if the names above look garbled, pass its "
            "encoding (encoding='cp932', 'gbk', 'cp1251'...)"
        )
    return "".join("\n" + h for h in hints)


def _fit_profile(
    spec: dict[str, dict[str, Any]],
    merged: dict[str, Any],
    given: dict[str, Any],
    header: list[str],
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], list[str]]:
    """Leave out a profile's optional columns and rules that the file does not have.

    Tools let users pick the columns of an export; a profile's optional column (a status,
    a refund amount) or a rule on one (Stripe's Captured) then has nothing to read. The
    required columns stay: their absence is an error.
    """
    notes = []
    columns = {}
    for canonical, source in spec["columns"].items():
        options = source if isinstance(source, list | tuple) else [source]
        if any(c in header for c in options) or canonical in S.REQUIRED_COLUMNS or source == "":
            columns[canonical] = source
        else:
            notes.append(f"the export has no {options[0]!r} column: {canonical} not read")
    clean = dict(merged)
    rules = {k: v for k, v in clean.get("not_sales", {}).items() if k in header}
    for name in set(clean.get("not_sales", {})) - set(rules):
        notes.append(f"the export has no {name!r} column: the profile's rule on it is skipped")
    if "not_sales" in clean and "not_sales" not in given:
        clean["not_sales"] = rules
    for key in ("subtract", "fill_down"):
        if key in clean and key not in given:
            kept = [c for c in clean[key] if c in header]
            notes += [
                f"the export has no {c!r} column: the profile's rule on it is skipped"
                for c in clean[key]
                if c not in kept
            ]
            clean[key] = kept
    for key in ("return_customer_id",):
        if clean.get(key) and clean[key] not in header and key not in given:
            notes.append(
                f"the export has no {clean[key]!r} column: the profile's rule on it is skipped"
            )
            clean.pop(key)
    adjusted = clean.get("refund_from_adjusted")
    if (
        adjusted
        and "refund_from_adjusted" not in given
        and not all(c in header for c in adjusted.values())
    ):
        notes.append("the export lacks the adjusted-total columns: refunds are not read from them")
        clean.pop("refund_from_adjusted")
    return {**spec, "columns": columns}, clean, notes


def _check_source_columns(raw: Any, mapping: S.ColumnMapping) -> None:
    """Refuse columns whose header name is repeated, and files that lack a used column."""
    used = set(mapping.source.values())
    repeated = [name for name in raw.duplicated if name in used or f"{name}_2" in used]
    if repeated:
        raise SchemaError(
            f"{raw.description}: the header names {repeated} more than once, so which column "
            "holds the values cannot be told; rename the columns in the file (the repeats "
            f"were read as {[f'{n}_2' for n in repeated]})"
        )
    for name, columns in raw.file_columns.items():
        missing = sorted(c for c in used if c not in columns)
        if missing:
            raise SchemaError(
                f"{raw.description}: the file {name!r} has no column {missing} (its columns are "
                f"{list(columns)}), which the other files have: its rows would have no "
                f"{', '.join(k for k, v in mapping.source.items() if v in missing)}. Rename "
                "the column in that file, or read the files one by one"
            )


def _as_of(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise SchemaError(f"as_of={value!r} is not a date; write it as YYYY-MM-DD") from None


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
