"""Canonical column names and the checks that hold every table to them.

retainkit renames the user's columns to these names once, when data is loaded
(:func:`retainkit.load_transactions`); every other function uses them.

Transaction log (one row per order line or per order):

=============  ========  ==========================================================
column         needed    meaning
=============  ========  ==========================================================
customer_id    required  who bought (text; ``17850.0`` and ``17850`` are one id)
order_date     required  when (date or timestamp)
revenue        money     net amount of the line in the data's currency; negative
                         for returns. Derived as quantity x unit_price when absent.
order_id       optional  invoice or order number
product_id     optional  product, SKU or stock code
category       optional  product range or category
quantity       optional  units on the line (negative for returns)
unit_price     optional  price per unit
cost           optional  cost of the line, same currency and basis as revenue
=============  ========  ==========================================================

Side tables: customer attributes (``customer_id`` plus any columns) and stated churn
reasons (``customer_id``, ``reason``, optional ``reason_date``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retainkit._synonyms import _SYNONYMS as _SYNONYMS
from retainkit._synonyms import _WEAK_SYNONYMS as _WEAK_SYNONYMS
from retainkit._synonyms import _norm as _norm
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = [
    "CATEGORY",
    "COST",
    "CURRENCY",
    "CUSTOMER_ID",
    "FILE_COLUMN",
    "IS_RETURN",
    "LINE_COLUMN",
    "OPTIONAL_COLUMNS",
    "ORDER_DATE",
    "ORDER_ID",
    "PRODUCT_ID",
    "QUANTITY",
    "REASON",
    "REASON_DATE",
    "REFUNDED",
    "REQUIRED_COLUMNS",
    "REVENUE",
    "SOURCE_COLUMNS",
    "SOURCE_TRANSACTION_COLUMNS",
    "STATUS",
    "TRANSACTION_COLUMNS",
    "UNIT_PRICE",
    "ColumnMapping",
    "normalize_customer_ids",
    "resolve_columns",
    "validate_transactions",
]

CUSTOMER_ID = "customer_id"
ORDER_DATE = "order_date"
REVENUE = "revenue"
ORDER_ID = "order_id"
PRODUCT_ID = "product_id"
CATEGORY = "category"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
COST = "cost"

#: Added by cleaning: True for a return or cancellation line.
IS_RETURN = "is_return"

#: Columns a reader adds to a raw table to say where each record came from: the line (or
#: spreadsheet row) and, when several files or sheets are read as one, which one. Named
#: so that no export's own column can take the name.
LINE_COLUMN = "__retainkit_line"
FILE_COLUMN = "__retainkit_file"

#: Read from the source and used by cleaning, never kept: a payment's or order's status
#: (paid, failed, refunded...), the amount refunded on the row, and its currency.
STATUS = "status"
REFUNDED = "refunded"
CURRENCY = "currency"

REASON = "reason"
REASON_DATE = "reason_date"

REQUIRED_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, ORDER_DATE)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    REVENUE,
    ORDER_ID,
    PRODUCT_ID,
    CATEGORY,
    QUANTITY,
    UNIT_PRICE,
    COST,
)
TRANSACTION_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
SOURCE_COLUMNS: tuple[str, ...] = (STATUS, REFUNDED, CURRENCY)
#: Every column a transaction source may map: the canonical ones and those cleaning uses.
SOURCE_TRANSACTION_COLUMNS: tuple[str, ...] = TRANSACTION_COLUMNS + SOURCE_COLUMNS
NUMERIC_COLUMNS: tuple[str, ...] = (REVENUE, QUANTITY, UNIT_PRICE, COST)
TEXT_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, ORDER_ID, PRODUCT_ID, CATEGORY)
REASON_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, REASON, REASON_DATE)

#: Text read as a missing value in id and text columns (compared lower-cased, stripped).
MISSING_TOKENS: tuple[str, ...] = ("", "na", "n/a", "nan", "none", "null", "nat", "#n/a", "-")
#: An id written as a number with a zero fraction ("17850.0") is the integer id.
FLOAT_ID_PATTERN = r"^([+-]?[0-9]+)\.0*$"
#: Invisible characters removed anywhere in ids and text (zero-width spaces and joiners,
#: word joiner, byte-order mark).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE_PATTERN = f"[{_INVISIBLE}]"
#: Space trimmed from both ends of ids and text: ASCII white space and the Unicode
#: spaces (no-break, thin, figure, ideographic...).
_SPACES = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Both at once, in one pass: space and invisible characters at the ends, invisible ones
#: anywhere (the same result as removing the invisible ones, then trimming).
TRIM_PATTERN = f"^[{_SPACES}{_INVISIBLE}]+|[{_SPACES}{_INVISIBLE}]+$|{INVISIBLE_PATTERN}"
#: An id that is an e-mail address; such ids are compared in lower case (mail systems
#: deliver Hana@Example.com and hana@example.com to one person).
#: (ASCII white space only: ``\s`` differs between Python and the engines.)
EMAIL_PATTERN = r"^[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v]+\.[A-Za-z]{2,}$"
#: A value some tools write as an Excel formula to keep its leading zeros: ="00123".
EXCEL_TEXT_PATTERN = r'^="(.*)"$'
#: An id as Excel writes a long number it has rounded: "4.00638E+12". Different
#: customers then share one id, so such ids are refused.
SCIENTIFIC_ID_PATTERN = r"^[0-9](\.[0-9]+)?[eE]\+[0-9]{1,3}$"
#: Ids that shops give every guest checkout (compared case-insensitively): they are
#: no customer, and are dropped as "guest placeholder id".
GUEST_ID_PATTERN = (
    r"(?i)^(0+|-1|guests?([ _-]?(checkout|customer|user|order|account))?|anonymous|anon"
    r"|walk[ -]?in( customer)?|cash[ _-]?(customer|sale)|unknown( customer)?|no customer"
    r"|not registered|unregistered|consumidor final|p[uú]blico en general|p[uú]blico general"
    r"|cliente (final|gen[eé]rico|contado|mostrador|varios|diversos)|clientes varios"
    r"|client (divers|comptoir|passage)|laufkunde|laufkundschaft|barverkauf|barkunde"
    r"|diverse kunden|kunde divers|cliente occasionale|klant divers|kontant kunde)$"
)
#: A totals or subtotal row of a report export, by the text in its id or first column.
TOTALS_PATTERN = (
    r"(?i)^(grand[ -]?totals?|sub-?totals?|totals?|total for .+|overall total"
    r"|report total|summe|gesamt(summe|ergebnis)?|zwischensumme|endsumme|ergebnis"
    r"|totaal|eindtotaal|subtotaal|total g[eé]n[eé]ral|sous-total|total geral|total general"
    r"|suma total|totale( complessivo| generale)?|subtotale|totalt|summa|sum)[:.]?$"
)

#: Money columns, which may be written in cents (``amount_cents``).
MONEY_COLUMNS: tuple[str, ...] = (REVENUE, UNIT_PRICE, COST)


def _money_base(name: str) -> str:
    """Return the name without a unit of minor currency (``amount_cents`` -> ``amount``)."""
    return re.sub(r"(in)?(cents|minor(units)?)$", "", _norm(name))


@dataclass(frozen=True)
class ColumnMapping:
    """How the canonical columns were found in a table.

    Attributes
    ----------
    source : dict
        Canonical name -> the table's own column name.
    guessed : tuple of str
        Canonical names that were matched by a known synonym rather than named by the
        user or spelled canonically; reports show them so a wrong guess is visible.
    ambiguous : dict
        Optional canonical names that several columns could be, so none was taken.
    """

    source: dict[str, str]
    guessed: tuple[str, ...] = field(default_factory=tuple)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)

    def describe(self) -> pd.DataFrame:
        """Return the mapping as a table: canonical name, source column, how it was found.

        Returns
        -------
        pandas.DataFrame
            Columns ``column``, ``source_column``, ``matched_by``.

        Examples
        --------
        >>> ColumnMapping({"customer_id": "CustomerID"}, ("customer_id",)).describe()
                column source_column matched_by
        0  customer_id    CustomerID    synonym
        """
        rows = [
            {
                "column": canonical,
                "source_column": src,
                "matched_by": (
                    "synonym"
                    if canonical in self.guessed
                    else ("same name" if src == canonical else "mapping")
                ),
            }
            for canonical, src in self.source.items()
        ]
        return pd.DataFrame(rows, columns=["column", "source_column", "matched_by"])


def _closest(name: str, candidates: Iterable[str]) -> list[str]:
    candidates = list(candidates)
    by_norm = {_norm(c): c for c in candidates}
    hits = difflib.get_close_matches(_norm(name), list(by_norm), n=3, cutoff=0.5)
    return [by_norm[h] for h in hits]


def resolve_columns(
    found: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    *,
    required: Sequence[str] = REQUIRED_COLUMNS,
    known: Sequence[str] = SOURCE_TRANSACTION_COLUMNS,
    guess: bool = True,
    table: str = "transactions",
) -> ColumnMapping:
    """Find each canonical column among a table's columns.

    A column is taken, in this order, from ``mapping``, from a column spelled
    canonically, or (when ``guess``) from a single column whose name is a known synonym
    ("InvoiceDate" for ``order_date``). Every problem is reported at once.

    Parameters
    ----------
    found : sequence of str
        The table's column names.
    mapping : mapping, optional
        Canonical name -> the table's column name, as given by the user.
    required : sequence of str
        Canonical names that must be found.
    known : sequence of str
        Every canonical name this table may have.
    guess : bool
        Match known synonyms for names the mapping does not give.
    table : str
        What the table is, for messages.

    Returns
    -------
    ColumnMapping

    Raises
    ------
    SchemaError
        When the mapping names an unknown canonical column or a column the table does
        not have, points two canonical names at one column, or a required column is
        missing. The message lists the columns found and the closest names.

    Examples
    --------
    >>> m = resolve_columns(["CustomerID", "InvoiceDate", "Amount"])
    >>> m.source
    {'customer_id': 'CustomerID', 'order_date': 'InvoiceDate', 'revenue': 'Amount'}
    """
    found = [str(c) for c in found]
    mapping = dict(mapping or {})
    problems: list[str] = []
    source: dict[str, str] = {}

    for canonical, src in mapping.items():
        if canonical not in known:
            hint = _closest(canonical, known)
            problems.append(
                f"the mapping names {canonical!r}, which is not a {table} column; "
                f"known names are {list(known)}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            )
        elif src in (None, ""):
            continue  # the user says the table has no such column: none is guessed
        elif src not in found:
            hint = _closest(src, found)
            problems.append(
                f"the mapping points {canonical!r} at {src!r}, but the {table} have no such "
                f"column; found {found}"
                + (f" (closest: {', '.join(map(repr, hint))})" if hint else "")
            )
        else:
            source[canonical] = src

    by_column: dict[str, list[str]] = {}
    for canonical, src in source.items():
        by_column.setdefault(src, []).append(canonical)
    for src, names in by_column.items():
        if len(names) > 1:
            problems.append(
                f"the mapping points {' and '.join(map(repr, names))} at the same column "
                f"{src!r}; each canonical name needs a column of its own"
            )

    guessed: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    taken = set(source.values())
    for canonical in known:
        if canonical in source or canonical in mapping:
            continue
        if canonical in found and canonical not in taken:
            source[canonical] = canonical
            taken.add(canonical)
            continue
        if not guess:
            continue
        synonyms = set(_SYNONYMS.get(canonical, ()))
        hits = [
            c
            for c in found
            if c not in taken
            and (
                _norm(c) in synonyms or (canonical in MONEY_COLUMNS and _money_base(c) in synonyms)
            )
        ]
        strong = [c for c in hits if _norm(c) not in _WEAK_SYNONYMS]
        if len(hits) > 1 and len(strong) == 1:  # a specific name wins over a generic one
            hits = strong
        if len(hits) == 1:
            source[canonical] = hits[0]
            taken.add(hits[0])
            guessed.append(canonical)
        elif len(hits) > 1 and (canonical in required or canonical == REVENUE):
            problems.append(
                f"several columns could be {canonical!r}: {hits}; name one in the mapping, "
                f"e.g. columns={{{canonical!r}: {hits[0]!r}}}"
            )
        elif len(hits) > 1:
            ambiguous[canonical] = hits

    for canonical in required:
        if canonical not in source and canonical not in mapping:
            hint = _closest(canonical, [c for c in found if c not in taken])
            problems.append(
                f"missing column {canonical!r}; found {found}. "
                + (
                    f"Pass columns={{{canonical!r}: {hint[0]!r}}} or rename it."
                    if hint
                    else f"Pass columns={{{canonical!r}: '<your column>'}} or rename it."
                )
            )

    if problems:
        raise SchemaError(
            f"Cannot read the {table}: "
            + ("; ".join(problems) if len(problems) == 1 else "\n  - " + "\n  - ".join(problems))
        )
    ordered = {c: source[c] for c in known if c in source}
    return ColumnMapping(ordered, tuple(c for c in known if c in guessed), ambiguous)


def normalize_customer_ids(ids: pd.Series) -> pd.Series:
    """Return customer ids as text, the way transactions store them.

    Invisible characters (zero-width spaces, byte-order marks) are removed, spaces are
    stripped from both ends (no-break and other Unicode spaces too), an id written as
    an Excel text formula (``="00123"``) is the text inside, ids written as
    whole numbers with a zero fraction (``17850.0``, as spreadsheets and float columns
    write them) lose it, e-mail addresses are written in lower case, and the tokens in
    :data:`MISSING_TOKENS` become missing. Ids are never turned into numbers: ``00123``
    keeps its zeros. The engine applies the same rules to transactions
    (``retainkit.engine``), so side tables match them.

    Parameters
    ----------
    ids : pandas.Series

    Returns
    -------
    pandas.Series
        Text ids, missing as ``None``.

    Examples
    --------
    >>> normalize_customer_ids(pd.Series([17850.0, " A1\u00a0", None, "nan", "00123"])).tolist()
    ['17850', 'A1', None, None, '00123']
    >>> normalize_customer_ids(pd.Series(["Hana@Example.com", "AB1"])).tolist()
    ['hana@example.com', 'AB1']
    """
    text = ids.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    text = text.str.replace(TRIM_PATTERN, "", regex=True)
    text = text.str.replace(EXCEL_TEXT_PATTERN, r"\1", regex=True)
    text = text.str.replace(FLOAT_ID_PATTERN, r"\1", regex=True)
    email = text.str.contains(EMAIL_PATTERN, regex=True, na=False)
    text = text.where(~email, text.str.lower())
    missing = text.isna() | text.str.lower().isin(MISSING_TOKENS)
    return text.astype(object).where(~missing, None)


def _row_labels(mask: pd.Series, n: int = 5) -> str:
    labels = list(mask[mask].index[:n])
    more = int(mask.sum()) - len(labels)
    return ", ".join(map(str, labels)) + (f" and {more} more" if more > 0 else "")


def validate_transactions(transactions: pd.DataFrame, *, need_revenue: bool = False) -> None:
    """Check that a pandas frame already follows the canonical transaction schema.

    Use it for frames built by hand; files and raw exports go through
    :func:`retainkit.load_transactions`, which renames, parses and cleans them.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Needs ``customer_id`` and ``order_date`` (datetime); ``revenue`` must be numeric
        where present.
    need_revenue : bool
        Raise when ``revenue`` is absent.

    Raises
    ------
    SchemaError
        When a required column is missing or has the wrong type.
    DataValidationError
        When ``customer_id`` or ``order_date`` is missing on some rows, or ``revenue``
        holds NaN or infinite values; the message names the rows.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-02"])})
    >>> validate_transactions(frame)
    """
    if not isinstance(transactions, pd.DataFrame):
        raise SchemaError(
            f"expected a pandas DataFrame of transactions, got {type(transactions).__name__}; "
            "load files with retainkit.load_transactions(path)"
        )
    cols = list(transactions.columns)
    required = list(REQUIRED_COLUMNS) + ([REVENUE] if need_revenue else [])
    missing = [c for c in required if c not in cols]
    if missing:
        hints = {m: _closest(m, cols) for m in missing}
        raise SchemaError(
            f"missing column {', '.join(map(repr, missing))}; found {cols}. "
            + " ".join(f"Rename {h[0]!r} to {m!r}." for m, h in hints.items() if h)
            + " Raw exports with other column names go through "
            "retainkit.load_transactions(frame, columns={...})."
        )
    if not pd.api.types.is_datetime64_any_dtype(transactions[ORDER_DATE]):
        raise SchemaError(
            f"column 'order_date' must hold dates, found dtype {transactions[ORDER_DATE].dtype}; "
            "parse it with pandas.to_datetime or load the frame through "
            "retainkit.load_transactions, which parses dates"
        )
    for col in (CUSTOMER_ID, ORDER_DATE):
        bad = transactions[col].isna()
        if bad.any():
            raise DataValidationError(
                f"{col!r} is missing on {int(bad.sum())} rows (rows {_row_labels(bad)}); "
                "drop those rows or load the frame through retainkit.load_transactions, "
                "which drops and counts them"
            )
    for col in NUMERIC_COLUMNS:
        if col not in cols:
            continue
        if not pd.api.types.is_numeric_dtype(transactions[col]):
            raise SchemaError(
                f"column {col!r} must be numeric, found dtype {transactions[col].dtype}; "
                "load the frame through retainkit.load_transactions, which parses amounts"
            )
        bad = ~np.isfinite(transactions[col].astype("float64"))
        if col == REVENUE and bad.any():
            raise DataValidationError(
                f"'revenue' has {int(bad.sum())} missing or infinite values "
                f"(rows {_row_labels(bad)}); fix or drop those rows"
            )
