"""Data sets: the bundle a notebook analyses.

A :class:`Dataset` is what every notebook starts from: the cleaned transactions plus
the optional customer attributes and stated churn reasons, the currency and the input
files (for the report's fingerprint). :func:`load_dataset` builds one from a preset
name (see :mod:`retainkit.presets`) or from the user's own files.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit._resources import data_dir
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.io import load_churn_reasons, load_customers, load_transactions, sha256_of
from retainkit.presets import resolve_preset

__all__ = [
    "Dataset",
    "input_files",
    "load_dataset",
]


@dataclass(frozen=True)
class Dataset:
    """What a notebook analyses: transactions plus optional side tables.

    Attributes
    ----------
    name : str
        Preset name or the transaction file's name.
    transactions : Transactions
    customers : pandas.DataFrame or None
        ``customer_id`` plus attribute columns (region, channel...).
    reasons : pandas.DataFrame or None
        Stated churn reasons: ``customer_id``, ``reason`` and maybe ``reason_date``.
    currency : str
        Currency symbol for money ("" when unknown).
    description : str
    files : tuple of Path
        Input files, for the report's fingerprint.
    notes : tuple of str
        What does not fit between the tables (side-table ids unknown to the
        transactions), in words.
    """

    name: str
    transactions: engine.Transactions
    customers: pd.DataFrame | None
    reasons: pd.DataFrame | None
    currency: str
    description: str
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()

    def fingerprint(self) -> dict[str, str]:
        """Return the SHA-256 of each input file, keyed by path.

        Examples
        --------
        >>> ds = load_dataset("cdnow_sample")
        >>> [Path(p).name for p in ds.fingerprint()]
        ['CDNOW_sample.txt']
        """
        return {str(f): sha256_of(f) for f in self.files}

    def key_figures(self) -> KeyFigures:
        """Return the data section's key figures (``data.*`` in the report manifest).

        Returns
        -------
        KeyFigures
            ``data.rows_read``, ``data.rows_kept``, ``data.customers``,
            ``data.first_date``, ``data.last_date`` and ``data.revenue`` (net revenue
            kept; missing, with the reason, for data without revenue).

        Examples
        --------
        >>> load_dataset("cdnow_sample").key_figures().to_dict()["figures"]["data.customers"]
        2357
        """
        q = self.transactions.quality
        return key_figures(
            [
                figure("data.rows_read", q.rows_read, "Rows read from the source", unit="rows"),
                figure("data.rows_kept", q.rows_kept, "Rows kept after cleaning", unit="rows"),
                figure(
                    "data.customers", q.customers, "Customers in the kept rows", unit="customers"
                ),
                figure(
                    "data.first_date", q.first_date.normalize(), "First order date", unit="date"
                ),
                figure("data.last_date", q.last_date.normalize(), "Last order date", unit="date"),
                figure(
                    "data.revenue",
                    q.revenue_kept,
                    "Net revenue in the kept rows",
                    unit="currency",
                    reason="the data has no revenue (nor quantity and unit price)",
                ),
            ],
            currency=self.currency,
        )

    def _repr_html_(self) -> str:
        q = self.transactions.quality
        parts = [
            f"<p><b>{html.escape(self.name)}</b>: {html.escape(self.description)}</p>",
            f"<p>{q.rows_kept:,} transaction rows, {q.customers:,} customers",
        ]
        if self.customers is not None:
            attrs = [c for c in self.customers.columns if c != "customer_id"]
            parts.append(f"; customer attributes: {html.escape(', '.join(attrs))}")
        if self.reasons is not None:
            parts.append(f"; {len(self.reasons):,} stated churn reasons")
        parts.append(".</p>")
        parts += [f"<p><i>Note:</i> {html.escape(n)}</p>" for n in self.notes]
        return "".join(parts)


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def input_files(
    data: Any, *, columns: Any = None, customers: Any = None, reasons: Any = None
) -> list[Path]:
    """Return the files a data set is read from, for fingerprints.

    A preset's customer and reason files count unless ``customers`` or ``reasons``
    replaces them; frames and engine tables have no file.

    Examples
    --------
    >>> [p.name for p in input_files("cdnow_sample")]
    ['CDNOW_sample.txt']
    """
    files: list[Path] = []
    preset = resolve_preset(data)
    if preset is not None:
        root = data_dir()
        files.append(root / preset.transactions)
        files += [root / f for f in preset.extra_files]
        if preset.customers and not _given(customers):
            files.append(root / preset.customers)
        if preset.reasons and not _given(reasons):
            files.append(root / preset.reasons)
    elif isinstance(data, str | Path) and Path(data).exists():
        files.append(Path(data))
    for side in (columns, customers, reasons):
        if isinstance(side, str | Path) and _given(side) and Path(side).exists():
            files.append(Path(side))
    return files


def load_dataset(
    data: Any = "demo",
    *,
    columns: Mapping[str, str] | str | Path | None = None,
    customers: Any = None,
    reasons: Any = None,
    as_of: Any = None,
    currency: str | None = None,
    **options: Any,
) -> Dataset:
    """Load everything a notebook needs: transactions and optional side tables.

    Parameters
    ----------
    data : str, Path, pandas.DataFrame or ibis Table
        A preset name (see :func:`retainkit.list_presets`) or anything
        :func:`retainkit.load_transactions` reads.
    columns : mapping or path, optional
        Column mapping, or a mapping file (see :func:`retainkit.io.read_mapping_file`).
    customers : str, Path or pandas.DataFrame, optional
        Customer attributes; a preset brings its own when None or "".
    reasons : str, Path or pandas.DataFrame, optional
        Stated churn reasons; a preset brings its own when None or "".
    as_of : date-like, optional
        Rows after this day are left out.
    currency : str, optional
        Currency symbol; a preset brings its own, else "".
    **options
        Further keyword arguments for :func:`retainkit.load_transactions`.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> ds = load_dataset("demo")
    >>> ds.currency, ds.customers is not None, ds.reasons is not None
    ('$', True, True)
    """
    as_of = as_of if _given(as_of) else None
    columns = columns if _given(columns) else None
    customers = customers if _given(customers) else None
    reasons = reasons if _given(reasons) else None
    currency = currency if _given(currency) else None
    files = input_files(data, columns=columns, customers=customers, reasons=reasons)
    preset = resolve_preset(data)
    loaded = load_transactions(data, columns=columns, as_of=as_of, **options)
    if preset is not None:
        root = data_dir()
        if customers is None and preset.customers:
            customers = root / preset.customers
        if reasons is None and preset.reasons:
            reasons = root / preset.reasons
        cust = load_customers(customers) if customers is not None else None
        if preset.build is not None:
            _, built_customers, built_reasons = preset.build(root)
            cust = cust if cust is not None else load_customers(built_customers)
            reasons = reasons if reasons is not None else built_reasons
        if cust is None and preset.customers_from:
            cust = engine.attributes_from_transactions(loaded, columns=preset.customers_from)
        name, description = data, preset.description
        currency = currency if currency is not None else preset.currency
    else:
        cust = load_customers(customers) if customers is not None else None
        name = Path(data).name if isinstance(data, str | Path) else type(data).__name__
        description = loaded.source
    reas = load_churn_reasons(reasons) if reasons is not None else None
    return Dataset(
        name=name,
        transactions=loaded,
        customers=cust,
        reasons=reas,
        currency=currency or "",
        description=description,
        files=tuple(files),
        notes=_side_table_notes(loaded, cust, reas),
    )


def _side_table_notes(
    transactions: engine.Transactions,
    customers: pd.DataFrame | None,
    reasons: pd.DataFrame | None,
) -> tuple[str, ...]:
    """Say how many side-table ids the transactions do not know."""
    if customers is None and reasons is None:
        return ()
    known = set(engine.customer_ids(transactions))
    notes = []
    for table, what in ((customers, "customer attribute rows"), (reasons, "stated reasons")):
        if table is None:
            continue
        unknown = ~table["customer_id"].isin(known)
        if unknown.any():
            examples = ", ".join(map(repr, table.loc[unknown, "customer_id"].head(3)))
            notes.append(
                f"{int(unknown.sum()):,} {what} belong to customers with no kept transaction "
                f"(e.g. {examples}); they are left out of the analysis"
            )
    return tuple(notes)
