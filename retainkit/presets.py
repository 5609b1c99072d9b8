"""The preset registry: every data set shipped in ``data/`` and how to read it.

:data:`PRESETS` is the one list of presets. Loading (:func:`retainkit.load_transactions`,
:func:`retainkit.load_dataset`), the command line (``retainkit presets``, ``--help``) and
the report's messages read it; the README's preset table and the notebooks' ``data``
parameter help are checked against it by the tests. This module imports neither pandas
nor the engine, so listing the presets is quick.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retainkit.exceptions import SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PRESETS",
    "TELCO_AS_OF",
    "Preset",
    "get_preset",
    "is_preset",
    "list_presets",
    "resolve_preset",
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
        Keyword arguments for :func:`retainkit.load_transactions` (the column mapping
        and the reading and cleaning options).
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


#: Nominal end of the quarter the Telco data describes (it gives no year).
TELCO_AS_OF = "2019-09-30"


def _telco(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """IBM Telco: monthly bills from tenure and charges; attributes; stated reasons."""
    import pandas as pd

    from retainkit.subscriptions import subscriptions_to_transactions

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


#: Every preset, by name, in the order they are listed.
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
    )
}


def is_preset(name: str) -> bool:
    """Return True when ``name`` is a preset's name.

    Examples
    --------
    >>> is_preset("demo"), is_preset("orders.csv")
    (True, False)
    """
    return name in PRESETS


def resolve_preset(data: Any) -> Preset | None:
    """Return the preset ``data`` names, or None when it names none.

    This is the rule every loader follows: a string that is a preset's name, unless a
    file or folder of that name exists (then the file is read).

    Parameters
    ----------
    data : Any
        What was passed as the data: a preset name, a path, a frame, a table...

    Returns
    -------
    Preset or None

    Examples
    --------
    >>> resolve_preset("cdnow_sample").transactions
    'cdnow/CDNOW_sample.txt'
    >>> resolve_preset("orders.csv") is None
    True
    """
    if isinstance(data, str) and is_preset(data) and not Path(data).exists():
        return PRESETS[data]
    return None


def get_preset(name: str) -> Preset:
    """Return the preset called ``name``.

    Raises
    ------
    SchemaError
        When there is no such preset; the message lists the presets.

    Examples
    --------
    >>> get_preset("telco").currency
    '$'
    >>> try:
    ...     get_preset("cdnow_smple")
    ... except SchemaError as exc:
    ...     print(exc)
    no preset named 'cdnow_smple' (did you mean 'cdnow_sample'?); presets are demo,
    online_retail, cdnow, cdnow_sample, telco
    """
    try:
        return PRESETS[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), list(PRESETS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SchemaError(
            f"no preset named {name!r}{hint}; presets are {', '.join(PRESETS)}"
        ) from None


def list_presets() -> pd.DataFrame:
    """Return the presets: name, title, currency and description.

    Returns
    -------
    pandas.DataFrame
        One row per preset, in the registry's order: ``name``, ``title``,
        ``currency`` and ``description``.

    Examples
    --------
    >>> list_presets()["name"].tolist()
    ['demo', 'online_retail', 'cdnow', 'cdnow_sample', 'telco']
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {"name": p.name, "title": p.title, "currency": p.currency, "description": p.description}
            for p in PRESETS.values()
        ]
    )
