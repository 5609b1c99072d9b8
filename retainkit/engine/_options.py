"""Options of cleaning and what reading knows about a source: the inputs of ``clean_table``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from retainkit import schema as S
from retainkit.engine._dates import NAMED_FORMATS
from retainkit.engine._transactions import CUSTOMER_KEY

__all__ = [
    "BLANK_CURRENCY",
    "DUPLICATES",
    "LOCATION_COLUMNS",
    "RAW_WORKING",
    "RETURNS",
    "WORKING_COLUMNS",
    "ZERO",
    "CleaningOptions",
    "SourceInfo",
    "wanted_currencies",
]

RETURNS = ("net", "drop")
DUPLICATES = ("drop", "keep")
ZERO = ("drop", "keep")


# Columns a source may carry for messages, and columns cleaning adds for itself; a
# carried source column may not take these names.
LOCATION_COLUMNS = (S.LINE_COLUMN, S.FILE_COLUMN)
# columns cleaning adds to the raw table for itself (never a source's own name)
RAW_WORKING = frozenset({"__retainkit_heading", "__retainkit_where", "__retainkit_raw"})
WORKING_COLUMNS = frozenset(
    {
        "_drop_reason",
        "_header_row",
        "_totals",
        "_guest",
        "_status",
        "_currency",
        "_line_hash",
        CUSTOMER_KEY,
        *LOCATION_COLUMNS,
    }
)

# rows with an empty currency, counted apart: many systems leave the local currency blank
BLANK_CURRENCY = "BLANK"


def wanted_currencies(currency: str) -> frozenset[str]:
    """Return the currencies a ``currency`` option keeps, upper-cased.

    ``"EUR"`` keeps EUR; ``"EUR,blank"`` counts the rows without a currency as EUR too;
    ``"blank"`` alone keeps only those.

    Examples
    --------
    >>> sorted(wanted_currencies(" eur, Blank"))
    ['BLANK', 'EUR']
    """
    return frozenset(c.strip().upper() for c in currency.split(",") if c.strip())


@dataclass(frozen=True)
class CleaningOptions:
    """How raw rows are parsed and which rows are kept.

    Parameters
    ----------
    date_format : str, optional
        ``strftime`` format of text dates (``"%d/%m/%Y"``), or ``"excel"`` (serial
        dates), ``"unix"``/``"unix_ms"`` (Unix times), ``"iso"``; detected when None.
    dayfirst : bool, optional
        Settles dates that read both ways (``03/04/2024``) during detection.
    decimal : {".", ","}, optional
        Decimal mark of text amounts; detected from the values when None.
    timezone : str, optional
        IANA zone (``"Europe/Berlin"``): timestamps that state a zone are shown as this
        zone's clock time; default: each in its own zone's clock time (Unix times: UTC).
    amount_unit : {"units", "cents"}, optional
        ``"cents"`` divides money by 100; default: units, or cents when the money
        column's name says so (``amount_cents``).
    currency : str, optional
        Keep the rows in this currency (by the currency column) and drop the others as
        "other currency"; ``"EUR,blank"`` also keeps rows without a currency. Without
        it, a log in several currencies (a blank currency counts as one) is refused.
    as_of : pandas.Timestamp, optional
        Rows dated after this day are dropped ("after as_of").
    returns : {"net", "drop"}
        Keep return and cancellation lines and net them into revenue, or drop them.
    duplicates : {"drop", "keep"}
        Drop exact duplicate lines: lines equal in every column of the source.
    zero_revenue : {"drop", "keep"}
        Drop lines whose revenue is exactly zero (free items, adjustments).
    cancellation_prefix : str, optional
        Order ids starting with it are cancellations ("C" in Online Retail).
    min_date : str
        Rows dated before it are dropped as implausible.
    max_date : str, optional
        Rows dated after it are dropped as implausible; default: tomorrow.
    outliers : {"error", "drop", "keep"}
        What to do with implausible amounts (see ``max_amount``).
    max_amount : float, optional
        Absolute revenue above which a line is implausible; default 100,000 times the
        median absolute revenue of a line.
    id_case : {"keep", "upper", "lower"}
        Keep customer ids as written, or fold their letter case.
    guest_ids : tuple of str, optional
        Ids that stand for guest checkouts, dropped as "guest placeholder id"; default:
        the usual placeholders (``0``, ``guest``, ``anonymous``...) and an id that holds
        a share of the rows no real customer holds while placing several orders on most
        of its days. Pass ``()`` to treat every id as a customer.
    revenue_level : {"auto", "line", "order"}
        Whether the revenue column holds line amounts or order totals (repeated on
        each line, or on the first line only); ``"auto"`` decides from the values.
    not_sales : mapping, optional
        Source column -> values marking rows that are not sales (a payment export's
        withdrawals and transfers), dropped as "not a completed sale"; the value
        ``"*"`` marks any non-empty value (a cancellation date).
    fallbacks : mapping, optional
        Canonical name -> further source columns read where the mapped one is empty
        (``customer_id``: ``Customer ID``, else ``Customer Email``). A mapping file
        writes them as a list: ``customer_id = ["Customer ID", "Customer Email"]``.
    fill_down : tuple of str
        Columns a report writes once above a group of rows (a customer heading), carried
        down to the rows below; a row holding only that value is a heading, dropped as
        "totals row".
    subtract : tuple of str
        Amount columns subtracted from revenue (a discount written beside the
        pre-discount amount).
    negative_when : mapping, optional
        Source column -> values marking rows whose amount counts negative (credit notes
        and returns written unsigned: ``{"Type": ["SC"]}``, ``{"Soll/Haben": ["H"]}``).
        Without it, such a column beside positive amounts stops loading.
    refunded_pattern : str, optional
        A regular expression whose first group finds the amounts, written as plain
        numbers, in a text refund column (``amount:([0-9.]+)``); they are added up.
    refund_from_adjusted : mapping, optional
        ``{"total": column, "adjusted": column}``: the amount refunded is the total less
        the adjusted total, where the adjusted total is not 0 (Etsy).
    return_customer_id : str, optional
        The column that names the customer on return lines (negative revenue), where
        the export names the other party there (PayPal's refunds).
    sale_statuses, not_sale_statuses : tuple of str, optional
        Status values (compared lower-cased) added to the built-in lists.
    max_invalid_share : float
        Loading stops when more than this share of rows is malformed or has an
        unreadable or implausible date or amount (default 0.05).
    max_missing_id_share : float
        Loading stops when more than this share of rows has no customer id, which
        means the id column is probably the wrong one (default 0.5); fewer are guest
        checkouts, dropped and shown in the quality report.
    keep_columns : tuple of str
        Source columns carried along unchanged (as text) beside the canonical ones.
    materialize : bool
        Compute the cleaned table once and keep it in the engine.
    """

    date_format: str | None = None
    dayfirst: bool | None = None
    decimal: str | None = None
    timezone: str | None = None
    amount_unit: str | None = None
    currency: str | None = None
    as_of: pd.Timestamp | None = None
    returns: str = "net"
    duplicates: str = "drop"
    zero_revenue: str = "drop"
    cancellation_prefix: str | None = None
    min_date: str = "1900-01-01"
    max_date: str | None = None
    outliers: str = "error"
    max_amount: float | None = None
    id_case: str = "keep"
    guest_ids: tuple[str, ...] | None = None
    revenue_level: str = "auto"
    not_sales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fill_down: tuple[str, ...] = ()
    subtract: tuple[str, ...] = ()
    negative_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refunded_pattern: str | None = None
    refund_from_adjusted: Mapping[str, str] = field(default_factory=dict)
    return_customer_id: str | None = None
    sale_statuses: tuple[str, ...] = ()
    not_sale_statuses: tuple[str, ...] = ()
    max_invalid_share: float = 0.05
    max_missing_id_share: float = 0.5
    keep_columns: tuple[str, ...] = field(default_factory=tuple)
    materialize: bool = True

    def __post_init__(self) -> None:
        checks = {
            "returns": (self.returns, RETURNS),
            "duplicates": (self.duplicates, DUPLICATES),
            "zero_revenue": (self.zero_revenue, ZERO),
            "decimal": (self.decimal, (None, ".", ",")),
            "outliers": (self.outliers, ("error", "drop", "keep")),
            "id_case": (self.id_case, ("keep", "upper", "lower")),
            "amount_unit": (self.amount_unit, (None, "units", "cents")),
            "revenue_level": (self.revenue_level, ("auto", "line", "order")),
        }
        for name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"{name}={value!r} is not one of {list(allowed)}")
        for name in ("max_invalid_share", "max_missing_id_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name}={value!r} must lie between 0 and 1")
        if (
            self.date_format
            and self.date_format not in NAMED_FORMATS
            and "%" not in self.date_format
        ):
            raise ValueError(
                f"date_format={self.date_format!r} is neither a strftime format (such as "
                f"'%d/%m/%Y') nor one of {list(NAMED_FORMATS)}"
            )


@dataclass(frozen=True)
class SourceInfo:
    """What reading knows about the raw table, for the report and messages.

    Attributes
    ----------
    description : str
    row_offset : int
        Without a ``_line`` column, a record's 0-based position plus this is its line.
    line_word : str
        ``"line"``, ``"record"`` or ``"row"``: how positions are named in messages.
    malformed : int
        Lines set aside by the reader (wrong number of fields).
    malformed_examples : tuple of str
    time_zones : dict
        Column -> the zone its timestamps were stored with.
    notes : tuple of str
    """

    description: str
    row_offset: int = 1
    line_word: str = "row"
    malformed: int = 0
    malformed_examples: tuple[str, ...] = ()
    time_zones: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
