"""Display helpers for notebooks and reports: money, shares and readable tables.

They return objects Jupyter renders (a pandas ``Styler``, ``Markdown``); they never
print.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd
from IPython.display import Markdown

__all__ = ["Parts", "escape_dollars", "markdown", "money", "share", "table"]


def _words(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def money(value: float | None, currency: str = "", *, decimals: int = 0) -> str:
    """Format an amount: ``money(1234.5, "£") == "£1,235"``.

    Examples
    --------
    >>> money(-1234.5, "$", decimals=2)
    '-$1,234.50'
    >>> money(None, "$")
    '—'
    """
    if value is None or pd.isna(value):
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.{decimals}f}"


def share(value: float | None, *, decimals: int = 1) -> str:
    """Format a share 0-1 as a percentage: ``share(0.1234) == "12.3%"``.

    Examples
    --------
    >>> share(0.5)
    '50.0%'
    """
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.{decimals}%}"


def escape_dollars(text: str) -> str:
    r"""Keep "$" from starting a formula where text is shown as Markdown or HTML.

    JupyterLab typesets every ``$...$`` in Markdown and HTML output with MathJax, even
    after a backslash (``\$``, which Markdown turns back into a plain "$" first):
    "$2,018 of $2,918" shows as an italic formula. A "$" alone in its own element is
    never paired, and the entity is not "$" to a Markdown converter either.

    Examples
    --------
    >>> escape_dollars("$80 of $95")
    '<span>&#36;</span>80 of <span>&#36;</span>95'
    """
    return text.replace("$", "<span>&#36;</span>")


def markdown(text: str, **values: Any) -> Markdown:
    r"""Render narrative with values filled in; the values are escaped for HTML.

    Parameters
    ----------
    text : str
        Markdown with ``{name}`` fields (format specs allowed: ``{n:,}``).
    **values
        Field values.

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> markdown("We lost **{n:,}** customers.", n=1234).data
    'We lost **1,234** customers.'
    >>> markdown("It cost **{v}**.", v="$1,234").data
    'It cost **<span>&#36;</span>1,234**.'
    """
    # escape HTML, and "$" so that money is not read as the start of a formula
    safe = {
        k: escape_dollars(html.escape(v)) if isinstance(v, str) else v for k, v in values.items()
    }
    return Markdown(text.format(**safe))


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def table(
    frame: pd.DataFrame,
    *,
    currency: str = "",
    money_columns: Sequence[str] = (),
    share_columns: Sequence[str] = (),
    integer_columns: Sequence[str] = (),
    date_columns: Sequence[str] = (),
    pvalue_columns: Sequence[str] = ("p_value",),
    decimals: int = 0,
    caption: str | None = None,
    max_rows: int | None = 50,
    pretty_headers: bool = True,
) -> Any:
    """Style a frame for a report: formatted numbers, no index, optional caption.

    Parameters
    ----------
    frame : pandas.DataFrame
    currency : str
        Symbol for ``money_columns``.
    money_columns, share_columns, integer_columns, date_columns : sequence of str
        Columns to format as money, percentages (from 0-1), integers with thousands
        separators, and dates (YYYY-MM-DD).
    pvalue_columns : sequence of str
        Columns of p-values: three decimals, "<0.001" below that.
    decimals : int
        Decimals for money.
    caption : str, optional
        Shown above the table; say what it is, its unit and period.
    max_rows : int, optional
        Show at most this many rows (the caption says how many there are).
    pretty_headers : bool
        Show ``snake_case`` column names as words ("days_since_last_purchase" ->
        "Days since last purchase").

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> styled = table(pd.DataFrame({"revenue": [1234.6]}), currency="$",
    ...                money_columns=["revenue"])
    >>> "$1,235" in styled.to_html()
    True
    """
    shown = frame if max_rows is None else frame.head(max_rows)
    if caption and max_rows is not None and len(frame) > max_rows:
        caption = f"{caption} (first {max_rows:,} of {len(frame):,} rows)"
    fmt: dict[str, Any] = {}
    for c in money_columns:
        fmt[c] = lambda v, _d=decimals: money(v, currency, decimals=_d)
    for c in share_columns:
        fmt[c] = lambda v: share(v)
    for c in integer_columns:
        fmt[c] = lambda v: "—" if pd.isna(v) else f"{int(v):,}"
    for c in date_columns:
        fmt[c] = lambda v: "—" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"
    for c in pvalue_columns:
        fmt[c] = lambda v: "—" if pd.isna(v) else ("<0.001" if v < 0.001 else f"{v:.3f}")
    text = [
        c
        for c in frame.columns
        if c not in fmt
        and not pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    for c in text:  # "down 70% ($161 to $48)": "$" is no formula
        fmt[c] = lambda v: "—" if _missing(v) else escape_dollars(str(v))
    styler = shown.style.format(
        {k: v for k, v in fmt.items() if k in shown.columns},
        escape="html",
        precision=2,
        thousands=",",
        na_rep="—",
    )
    styler = styler.hide(axis="index")
    if text:  # text wrapped over lines reads from the left
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    dates = [c for c in date_columns if c in shown.columns]
    if dates:  # a date broken over two lines reads as two values
        styler = styler.set_properties(subset=dates, **{"white-space": "nowrap"})
    if pretty_headers:
        styler = styler.relabel_index([_words(str(c)) for c in shown.columns], axis="columns")
    if caption:
        styler = styler.set_caption(escape_dollars(html.escape(caption)))
    return styler


class Parts(list):
    """Things a report section shows, in order: Jupyter displays each one in turn.

    A section function returns ``Parts([story, table, figure])``; as the last expression of
    a notebook cell it shows all of them (a plain list would show its ``repr``).

    Examples
    --------
    >>> parts = Parts([markdown("**one**"), markdown("two")])
    >>> [p.data for p in parts]
    ['**one**', 'two']
    """

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self:
            display(part)
