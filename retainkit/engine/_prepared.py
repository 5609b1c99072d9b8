"""Prepared data: cleaned transactions saved once in a DuckDB file, opened by each notebook.

The report runner loads and cleans the data once (:func:`save_prepared`); each notebook
kernel then attaches the file read-only (:func:`open_prepared`) and gets the same
:class:`~retainkit.engine.Transactions` (the stored rows, the data-quality report, the
integer customer key) without reading or cleaning the source again. Many kernels may
attach one file at once: DuckDB lets any number of processes open a file read-only.

The file holds the stored rows, the customer keys (when the rows have them) and one
metadata row: what was loaded (the request, compared when opening), the quality report,
and each input file's size, modification time and SHA-256 (a file changed since is an
error when opening).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import schema as S
from retainkit.engine._backend import default_backend
from retainkit.engine._transactions import CUSTOMER_KEY, KeyedRows, Transactions
from retainkit.exceptions import DataValidationError, RetainkitError
from retainkit.quality import QualityReport

__all__ = ["PREPARED_FORMAT", "open_prepared", "save_prepared"]

#: Version of the file's layout; a file of another version is refused.
PREPARED_FORMAT = 1

_ROWS = "retainkit_rows"
_KEYS = "retainkit_customer_keys"
_META = "retainkit_metadata"


def _quoted_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _alias(path: Path, *, mode: str) -> str:
    digest = hashlib.sha256(f"{mode}:{path}".encode()).hexdigest()[:16]
    return f"retainkit_prepared_{mode}_{digest}"


def _attached(con: Any) -> set[str]:
    rows = con.raw_sql("SELECT database_name FROM duckdb_databases()").fetchall()
    return {r[0] for r in rows}


def _encode(value: Any) -> Any:
    """Turn a quality-report value into JSON, keeping what JSON would lose (types, units)."""
    if isinstance(value, pd.Timestamp):
        return {"__timestamp__": value.isoformat(), "unit": value.unit, "tz": str(value.tz)}
    if isinstance(value, S.ColumnMapping):
        return {
            "__column_mapping__": {
                "source": dict(value.source),
                "guessed": list(value.guessed),
                "ambiguous": {k: list(v) for k, v in value.ambiguous.items()},
            }
        }
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[k, _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise RetainkitError(f"cannot save a quality-report value of type {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__timestamp__" in value:
        stamp = pd.Timestamp(value["__timestamp__"])
        return stamp.as_unit(value["unit"]) if hasattr(stamp, "as_unit") else stamp
    if "__column_mapping__" in value:
        m = value["__column_mapping__"]
        return S.ColumnMapping(
            source=dict(m["source"]),
            guessed=tuple(m["guessed"]),
            ambiguous={k: list(v) for k, v in m["ambiguous"].items()},
        )
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v) for k, v in value["__dict__"]}
    raise RetainkitError(f"unreadable value in the prepared data's metadata: {value!r}")


def _report_to_json(report: QualityReport) -> dict[str, Any]:
    return {f.name: _encode(getattr(report, f.name)) for f in dataclasses.fields(report)}


def _report_from_json(saved: Mapping[str, Any]) -> QualityReport:
    values = {k: _decode(v) for k, v in saved.items()}
    return QualityReport(**values)


def _file_facts(files: Sequence[str | Path]) -> dict[str, dict[str, Any]]:
    from retainkit.io import sha256_of

    out = {}
    for f in files:
        stat = os.stat(f)
        out[str(f)] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256_of(f)}
    return out


def save_prepared(
    transactions: Transactions,
    path: str | Path,
    *,
    request: Mapping[str, Any],
    files: Sequence[str | Path] = (),
) -> Path:
    """Save loaded transactions into a new DuckDB file for :func:`open_prepared`.

    Parameters
    ----------
    transactions : Transactions
        What :func:`retainkit.load_transactions` returned, with its rows in DuckDB.
    path : str or Path
        The file to write; it must not exist.
    request : mapping
        What was loaded (``data``, ``columns``, ``as_of``...: text, numbers or None);
        :func:`open_prepared` refuses a file made for another request.
    files : sequence of path
        The input files read, whose size, modification time and SHA-256 are kept.

    Returns
    -------
    Path

    Raises
    ------
    RetainkitError
        When ``path`` exists or the rows do not live in DuckDB.

    Examples
    --------
    >>> import tempfile, retainkit as rk
    >>> folder = Path(tempfile.mkdtemp())
    >>> txn = rk.load_transactions("cdnow_sample")
    >>> p = save_prepared(txn, folder / "data.duckdb", request={"data": "cdnow_sample"})
    >>> again = open_prepared(p, request={"data": "cdnow_sample"})
    >>> again.quality == txn.quality, len(again) == len(txn)
    (True, True)
    """
    path = Path(path).resolve()
    if path.exists():
        raise RetainkitError(f"{path}: already exists; prepared data goes into a new file")
    keyed = transactions.keyed
    # where the rows are stored: the shared DuckDB, or Ibis's own for rows from a frame
    con = transactions.table._find_backend(use_default=True)
    if con.name != "duckdb":
        raise RetainkitError(
            f"prepared data is saved from DuckDB; these rows live in {con.name}: load them "
            "in each notebook instead"
        )
    alias = _alias(path, mode="write")
    meta = {
        "format": PREPARED_FORMAT,
        "request": _encode(dict(request)),
        "quality": _report_to_json(transactions.quality),
        "keyed": keyed is not None,
        "files": _file_facts(files),
    }
    con.raw_sql(f"ATTACH {_quoted_path(path)} AS {alias}").fetchall()
    try:
        if keyed is not None:
            sources = {_ROWS: keyed.rows, _KEYS: keyed.keys}
        else:
            sources = {_ROWS: transactions.table}
        for name, table in sources.items():
            con.create_table(name, table, database=(alias, "main"))
        con.raw_sql(f"CREATE TABLE {alias}.main.{_META} (metadata VARCHAR)").fetchall()
        con.con.execute(f"INSERT INTO {alias}.main.{_META} VALUES (?)", [json.dumps(meta)])
    finally:
        con.raw_sql(f"DETACH {alias}").fetchall()
    return path


def open_prepared(path: str | Path, *, request: Mapping[str, Any]) -> Transactions:
    """Open a file of :func:`save_prepared` read-only: the same transactions, not re-read.

    Parameters
    ----------
    path : str or Path
    request : mapping
        What the caller would have loaded; it must be what the file was made for.

    Returns
    -------
    Transactions
        The stored rows (attached read-only to the shared DuckDB), the same quality
        report and, when saved with them, the integer customer keys.

    Raises
    ------
    DataValidationError
        When the file is missing, was made for other data or options, or an input file
        changed since: the message says to load the data itself (``prepared=""``).

    Examples
    --------
    See :func:`save_prepared`.
    """
    path = Path(path).expanduser().resolve()
    fix = 'set prepared = "" to load the data itself'
    if not path.is_file():
        raise DataValidationError(
            f"prepared={str(path)!r}: no such file (the report runner deletes it when its run "
            f"ends); {fix}"
        )
    con = default_backend()
    alias = _alias(path, mode="read")
    if alias not in _attached(con):
        try:
            con.raw_sql(f"ATTACH {_quoted_path(path)} AS {alias} (READ_ONLY)").fetchall()
        except Exception as exc:
            raise DataValidationError(
                f"prepared={str(path)!r}: not a prepared-data file ({exc}); {fix}"
            ) from None
    try:
        text = con.raw_sql(f"SELECT metadata FROM {alias}.main.{_META}").fetchall()[0][0]
        meta = json.loads(text)
    except Exception:
        raise DataValidationError(
            f"prepared={str(path)!r}: not a prepared-data file (no metadata); {fix}"
        ) from None
    if meta.get("format") != PREPARED_FORMAT:
        raise DataValidationError(
            f"prepared={str(path)!r}: written in format {meta.get('format')}, this retainkit "
            f"reads format {PREPARED_FORMAT}; {fix}"
        )
    saved = _decode(meta["request"])
    wanted = dict(request)
    if saved != wanted:
        differ = sorted(k for k in set(saved) | set(wanted) if saved.get(k) != wanted.get(k))
        shown = ", ".join(f"{k}: {saved.get(k)!r} there, {wanted.get(k)!r} here" for k in differ)
        raise DataValidationError(
            f"prepared={str(path)!r} holds other data than asked for ({shown}); {fix}"
        )
    for name, facts in meta["files"].items():
        try:
            stat = os.stat(name)
        except OSError:
            stat = None
        if stat is None or (stat.st_size, stat.st_mtime_ns) != (facts["size"], facts["mtime_ns"]):
            raise DataValidationError(
                f"prepared={str(path)!r}: the input file {name} changed (or went) since the "
                f"data was prepared; {fix}"
            )
    quality = _report_from_json(meta["quality"])
    rows = con.table(_ROWS, database=(alias, "main"))
    if meta["keyed"]:
        keyed = KeyedRows(rows=rows, keys=con.table(_KEYS, database=(alias, "main")))
        return Transactions(rows.drop(CUSTOMER_KEY), quality, keyed=keyed)
    return Transactions(rows, quality)
