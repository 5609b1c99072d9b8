"""Money and quantities written as text: the decimal mark, signs and currency marks.

Rules (stated, not guessed):

- The decimal mark is decided from the values of every money and quantity column of
  the file together, never from the separator: ``1.234,56``, ``2,5`` and ``0,500``
  are evidence for a decimal comma; ``1,234.56``, ``2.5`` and ``0.500`` for a decimal
  point. A value such as ``1.500`` or ``1,500`` (one to three digits, one mark, three
  digits) is evidence for neither. When the values give evidence both ways, or only
  such values exist, loading stops and asks for ``decimal``.
- A value is negative when it is in parentheses ``(12.00)``, starts with a minus
  (``-``, or the Unicode minus and dashes ``−``, ``–``), ends with a minus (SAP's
  ``1.234,56-``) or ends with ``CR`` (a credit); ``DR`` marks a debit (positive).
- Currency marks before or after the number are ignored whatever their length (``$``,
  ``EUR``, ``Rs.``, ``R$``, ``CHF``, ``kr``); groups of digits may be separated by the
  thousands mark, an apostrophe (``1'234.50``) or a (no-break) space (``1 234,50``).
  Anything else (``12abc3``) is not a number.
- ``amount_unit="cents"`` divides money by 100 (quantities are counts).
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from retainkit.engine._backend import execute, whole
from retainkit.engine._ids import trimmed
from retainkit.exceptions import DataValidationError

__all__ = ["decide_decimal", "parse_amount"]

_MINUS = "[\u2212\u2012\u2013\u2014\ufe63\uff0d]"
_SPACES = "[\u00a0\u202f\u2009\u2007]"
# apostrophes used to group thousands (1'234, 1’234, 1ʼ234): read as the ASCII one
_APOSTROPHES = "[\u2019\u02bc\u2032\u00b4]"
# a currency mark: symbols and letters ($, EUR, R$, kr), or letters ended by a point
# (Rs.): a point after a symbol belongs to the number ($.99)
_CURRENCY = r"(?:[\p{L}\p{Sc}]*\p{L}\.|[\p{L}\p{Sc}]+)"
_NUMBER = r"(?:[0-9]+(?:[.,' ][0-9]+)*|[.,][0-9]+)"
_SHAPE = (
    rf"^[-+(]?\s*(?:{_CURRENCY})?\s*[-+(]?\s*{_NUMBER}\s*(?:{_CURRENCY})?\s*(?:-|\)|CR|DR)?\.?$"
)
_CREDIT = r"(?i)(^|[^\p{L}])CR\.?$"

# evidence for the decimal mark, on the digits-and-marks core of a value
_COMMA_EVIDENCE = (
    r"^[0-9]{1,3}([. '][0-9]{3})+,[0-9]+$"  # 1.234,56  1 234,5
    r"|^[0-9]+,([0-9]{1,2}|[0-9]{4,})$"  # 2,5  12,50  0,1234
    r"|^(0|[0-9]{4,}),[0-9]+$"  # 0,500  1234,500
    r"|^[0-9]{1,3}(\.[0-9]{3}){2,}$"  # 1.234.567
)
_DOT_EVIDENCE = (
    r"^[0-9]{1,3}([, '][0-9]{3})+\.[0-9]+$"
    r"|^[0-9]+\.([0-9]{1,2}|[0-9]{4,})$"
    r"|^(0|[0-9]{4,})\.[0-9]+$"
    r"|^[0-9]{1,3}(,[0-9]{3}){2,}$"
)
_AMBIGUOUS = r"^[1-9][0-9]{0,2}[.,][0-9]{3}$"


def _normalised(col: ir.Value) -> ir.StringValue:
    return (
        trimmed(col).re_replace(_MINUS, "-").re_replace(_SPACES, " ").re_replace(_APOSTROPHES, "'")
    )


def _core(text: ir.StringValue) -> ir.StringValue:
    return text.re_extract(_NUMBER, 0)


def decide_decimal(columns: Mapping[str, ir.Value], table: ir.Table) -> tuple[str, str | None]:
    """Decide the decimal mark from the values of text money and quantity columns.

    Parameters
    ----------
    columns : mapping
        Source column name -> raw column, every text column holding numbers.
    table : ibis.expr.types.Table

    Returns
    -------
    (str, str or None)
        ``"."`` or ``","``, and a note for the quality report.

    Raises
    ------
    DataValidationError
        When the values give evidence for both marks, or only values that read
        either way (``1.500``); the message names the values and ``decimal``.
    """
    counts = {"comma": 0, "dot": 0, "ambiguous": 0}
    examples: dict[str, list[str]] = {k: [] for k in counts}
    for name, col in columns.items():
        distinct = table.select(v=col.cast("string")).distinct()  # the clean-up on each value once
        values = distinct.select(v=_core(_normalised(distinct.v))).filter(ibis._.v != "").distinct()
        flags = {
            "comma": values.v.re_search(_COMMA_EVIDENCE),
            "dot": values.v.re_search(_DOT_EVIDENCE),
            "ambiguous": values.v.re_search(_AMBIGUOUS),
        }
        found = execute(values.aggregate(**{k: f.sum() for k, f in flags.items()})).iloc[0]
        for k in counts:
            n = whole(found[k])
            counts[k] += n
            if n and len(examples[k]) < 3:
                shown = execute(values.filter(flags[k]).v.name("v").as_table().limit(2))["v"]
                examples[k] += [f"{v!r} in {name!r}" for v in shown]
    if counts["comma"] and counts["dot"]:
        raise DataValidationError(
            f"the amounts mix decimal marks: {counts['comma']:,} values read like '1.234,56' "
            f"or '2,5' (e.g. {', '.join(examples['comma'])}) and {counts['dot']:,} like "
            f"'1,234.56' or '2.5' (e.g. {', '.join(examples['dot'])}); pass decimal=',' or "
            "decimal='.' (or decimal in the [read] table of the mapping file)"
        )
    if counts["comma"]:
        return (
            ",",
            "amounts read with a decimal comma (1.234,56 is one thousand two hundred "
            "thirty-four and 56 hundredths)",
        )
    if counts["dot"]:
        return ".", None
    if counts["ambiguous"]:
        raise DataValidationError(
            f"{counts['ambiguous']:,} amounts, such as {', '.join(examples['ambiguous'])}, "
            "read either with a decimal mark (1.5) or a thousands mark (1,500), and no "
            "value settles which; pass decimal='.' or decimal=',' (or decimal in the "
            "[read] table of the mapping file)"
        )
    return ".", None


def parse_amount(col: ir.Value, decimal: str, *, scale: float = 1.0) -> ir.FloatingValue:
    """Return the expression that reads money or a quantity written as text.

    Parameters
    ----------
    col : ibis.expr.types.Value
    decimal : {".", ","}
    scale : float
        Multiply the value (0.01 for amounts in cents).

    Returns
    -------
    ibis.expr.types.FloatingValue
        NULL where the text is not a number.
    """
    plain = trimmed(col)
    direct = plain.try_cast("float64")
    text = _normalised(col)
    negative = (
        text.re_search(r"^\(.*\)$")
        | text.re_search(r"^[^0-9]*-")
        | text.re_search(r"[0-9][^0-9]*-\.?$")
        | text.re_search(_CREDIT)
    )
    core = _core(text)
    if decimal == ",":
        digits = core.re_replace(r"[. ']", "").re_replace(",", ".")
    else:
        digits = core.re_replace(r"[, ']", "")
    magnitude = digits.try_cast("float64")
    value = ibis.cases(
        (~text.re_search(_SHAPE), ibis.null("float64")),
        (negative, -magnitude),
        else_=magnitude,
    )
    # most values are plain numbers: they skip the clean-up (a point in them is a decimal
    # point only when that is the file's decimal mark)
    fast = direct.notnull() & (plain != "")
    if decimal == ",":
        fast = fast & ~plain.contains(".")
    value = ibis.cases((fast, direct), else_=value)
    return value * scale if scale != 1.0 else value
