"""Data sets: the presets that ship with retainkit, and the bundle a notebook analyses.

A :class:`Dataset` is what every notebook starts from: the cleaned transactions plus
the optional customer attributes and stated churn reasons, the currency and the input
files (for the report's fingerprint). :func:`load_dataset` builds one from a preset
name or from the user's own files.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from retainkit import engine
from retainkit._resources import data_dir
from retainkit.exceptions import SchemaError
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.io import load_churn_reasons, load_customers, load_transactions, sha256_of
from retainkit.subscriptions import subscriptions_to_transactions

__all__ = [
    "PRESETS",
    "Dataset",
    "Preset",
    "input_files",
    "is_preset",
    "list_presets",
    "load_dataset",
]


@dataclass(frozen=True)
class Preset:
    """A data set shipped in ``data/`` and how to read it.

    Attributes
    ----------
    name : str
        What to pass as ``data`` (``"demo"``).
    title : str
    transactions : str
        Path of the transaction file, relative to the data folder.
    options : dict
        Keyword arguments for :func:`retainkit.load_transactions`.
    currency : str
        Currency symbol of the amounts ("" for none).
    customers : str, optional
        Path of a customer-attribute file, relative to the data folder.
    customers_from : tuple of str
        Transaction columns to derive customer attributes from (the most frequent
        value per customer), when there is no attribute file.
    reasons : str, optional
        Path of a stated churn-reason file.
    description : str
        Origin and licence, in one line.
    extra_files : tuple of str
        Further input files (for the fingerprint), relative to the data folder.
    build : callable, optional
        For data that is not a transaction log: ``build(data_folder)`` returns the
        transactions, customer attributes and reasons as frames.
    """

    name: str
    title: str
    transactions: str
    options: dict[str, Any] = field(default_factory=dict)
    currency: str = ""
    customers: str | None = None
    customers_from: tuple[str, ...] = ()
    reasons: str | None = None
    description: str = ""
    extra_files: tuple[str, ...] = ()
    build: Callable[[Path], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] | None = None


def _telco(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """IBM Telco: monthly bills from tenure and charges; attributes; stated reasons."""
    main = pd.read_csv(root / "telco_churn/Telco_customer_churn.csv")
    status = pd.read_csv(root / "telco_churn/Telco_customer_churn_status.csv")
    transactions = subscriptions_to_transactions(
        main,
        customer_col="CustomerID",
        tenure_months_col="Tenure Months",
        monthly_charge_col="Monthly Charges",
        churned_col="Churn Value",
        as_of=TELCO_AS_OF,
    )
    attrs = main[
        ["CustomerID", "Contract", "Internet Service", "Payment Method", "Senior Citizen", "Gender"]
    ]
    score = status[["Customer ID", "Satisfaction Score"]].rename(
        columns={"Customer ID": "CustomerID", "Satisfaction Score": "satisfaction"}
    )
    customers = attrs.merge(score, on="CustomerID", how="left").rename(
        columns={
            "CustomerID": "customer_id",
            "Contract": "contract",
            "Internet Service": "internet_service",
            "Payment Method": "payment_method",
            "Senior Citizen": "senior_citizen",
            "Gender": "gender",
        }
    )
    reasons = main.loc[main["Churn Value"] == 1, ["CustomerID", "Churn Reason"]].rename(
        columns={"CustomerID": "customer_id", "Churn Reason": "reason"}
    )
    return transactions, customers, reasons


#: Nominal end of the quarter the Telco data describes (it gives no year).
TELCO_AS_OF = "2019-09-30"


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="demo",
            title="Demo shop (simulated)",
            transactions="demo_shop/transactions.parquet",
            customers="demo_shop/customers.csv",
            reasons="demo_shop/churn_reasons.csv",
            currency="$",
            description=(
                "A simulated coffee and tea shop, 2022-2024, made by retainkit.simulate "
                "from a fixed seed with known BG/NBD and Gamma-Gamma parameters"
            ),
        ),
        Preset(
            name="online_retail",
            title="UCI Online Retail 2010-2011",
            transactions="online_retail/online_retail_2010-2011.csv.gz",
            options={
                "columns": {
                    "customer_id": "CustomerID",
                    "order_date": "InvoiceDate",
                    "order_id": "InvoiceNo",
                    "product_id": "StockCode",
                    "quantity": "Quantity",
                    "unit_price": "UnitPrice",
                },
                "cancellation_prefix": "C",
                "keep_columns": ("Country",),
            },
            currency="£",
            customers_from=("Country",),
            description=(
                "A UK online gift retailer, 2010-12-01 to 2011-12-09 (Chen, Sain & Guo "
                "2012; UCI Machine Learning Repository, CC BY 4.0)"
            ),
        ),
        Preset(
            name="cdnow",
            title="CDNOW (full cohort)",
            transactions="cdnow/CDNOW_master.txt",
            options={
                "columns": {
                    "customer_id": "customer_id",
                    "order_date": "date",
                    "quantity": "number_of_cds",
                    "revenue": "dollar_value",
                },
                "delimiter": "whitespace",
                "date_format": "%Y%m%d",
                "zero_revenue": "keep",
                "duplicates": "keep",
            },
            currency="$",
            description=(
                "The 23,570 customers whose first CDNOW purchase was in Q1 1997, all their "
                "purchases to 1998-06-30 (Fader & Hardie; via lifetimes, MIT licence)"
            ),
        ),
        Preset(
            name="telco",
            title="IBM Telco customer churn (subscriptions)",
            transactions="telco_churn/Telco_customer_churn.csv",
            extra_files=("telco_churn/Telco_customer_churn_status.csv",),
            build=_telco,
            currency="$",
            description=(
                "IBM's fictional California telco, one quarter: 7,043 subscribers with "
                "tenure, monthly charge, churn flag, stated reason and satisfaction; turned "
                f"into monthly bills ending on a nominal {TELCO_AS_OF} (no dates in the data)"
            ),
        ),
        Preset(
            name="cdnow_sample",
            title="CDNOW 1-in-10 sample",
            transactions="cdnow/CDNOW_sample.txt",
            options={
                "columns": {
                    "customer_id": "sample_id",
                    "order_date": "date",
                    "quantity": "cds",
                    "revenue": "dollars",
                },
                "delimiter": "whitespace",
                "names": ("master_id", "sample_id", "date", "cds", "dollars"),
                "date_format": "%Y%m%d",
                "zero_revenue": "keep",
                "duplicates": "keep",
            },
            currency="$",
            description=(
                "The 1-in-10 sample of CDNOW (2,357 customers) used in the BG/NBD and "
                "Gamma-Gamma papers (Fader & Hardie; via lifetimes, MIT licence)"
            ),
        ),
    )
}


def is_preset(name: str) -> bool:
    """Return True when ``name`` is a preset.

    Examples
    --------
    >>> is_preset("demo"), is_preset("orders.csv")
    (True, False)
    """
    return name in PRESETS


def list_presets() -> pd.DataFrame:
    """Return the presets: name, title, currency and description.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> "online_retail" in list_presets()["name"].tolist()
    True
    """
    return pd.DataFrame(
        [
            {"name": p.name, "title": p.title, "currency": p.currency, "description": p.description}
            for p in PRESETS.values()
        ]
    )


def _preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise SchemaError(f"no preset named {name!r}; presets are {sorted(PRESETS)}") from None


def load_preset_transactions(name: str, **overrides: Any) -> engine.Transactions:
    """Load a preset's transactions; keyword arguments override the preset's options.

    Examples
    --------
    >>> txn = load_preset_transactions("cdnow_sample")
    >>> txn.quality.customers
    2357
    """
    preset = _preset(name)
    options = {**preset.options, **overrides}
    source: Any = data_dir() / preset.transactions
    if preset.build is not None:
        source = preset.build(data_dir())[0]
    txn = load_transactions(source, **options)
    quality = dataclasses.replace(txn.quality, source=f"preset {name!r} ({preset.transactions})")
    return engine.Transactions(txn.table, quality, keyed=txn.keyed)


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


def _is_preset_name(data: Any) -> bool:
    return isinstance(data, str) and is_preset(data) and not Path(data).exists()


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
    if _is_preset_name(data):
        preset = _preset(data)
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
        A preset name (see :func:`list_presets`) or anything
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
    if _is_preset_name(data):
        preset = _preset(data)
        given = {"columns": columns, "as_of": as_of, **options}
        loaded = load_preset_transactions(data, **{k: v for k, v in given.items() if v is not None})
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
        loaded = load_transactions(data, columns=columns, as_of=as_of, **options)
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
