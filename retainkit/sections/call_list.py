"""The call list's report section in words: the backtest verdict, last month's calls, files."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML, Markdown

from retainkit import schema as S
from retainkit.calls.backtest import THE_LIST, CallListBacktest
from retainkit.calls.history import call_outcomes, compare_calls, read_previous_calls
from retainkit.display import Parts, escape_dollars, markdown, money, share, table
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.io import write_table

__all__ = [
    "SORTABLE_CLASS",
    "backtest_story",
    "backtest_table",
    "call_list_figures",
    "previous_review",
    "save_call_sheet",
]


def _amount(value: float, unit: str, currency: str) -> str:
    return money(value, currency) if unit == "money" else f"{value:,.0f} purchase days"


def backtest_story(backtest: CallListBacktest, *, currency: str = "") -> Markdown:
    """Say whether the call list would have found the customers who then left.

    Examples
    --------
    >>> bt = CallListBacktest(pd.Timestamp("2024-06-01"), 180, pd.DataFrame({
    ...     "list": ["the call list", "top value", "value among the silent", "value x overdue"],
    ...     "customers": 2, "stopped": [1, 0, 1, 0], "stopped_share": [0.5, 0, 0.5, 0],
    ...     "revenue_decline": [300.0, 200.0, 100.0, 50.0],
    ...     "share_of_decline": [0.3, 0.2, 0.1, 0.05]}), 40, 1000.0, "money", "")
    >>> print(backtest_story(bt, currency="$").data)  # doctest: +ELLIPSIS
    Had this review run on 2024-06-01, ... That is 1.5 times the best list ... (top value, ...
    """
    if backtest.table is None:
        return markdown(backtest.note)
    row = backtest.table.iloc[0]
    best_name, best = backtest.best_naive or ("", 0.0)
    unit = backtest.unit
    what = "revenue" if unit == "money" else "purchase days"
    ratio = row["revenue_decline"] / best if best > 0 else float("inf")
    if row["revenue_decline"] > 0 and best <= 0:
        verdict = (
            "None of the lists that need no model caught any decline: the list is worth the calls."
        )
    elif row["revenue_decline"] <= 0:
        verdict = (
            "None of them spent less afterwards: on this data the list did not find anyone who "
            "was about to leave, so treat it as a list of customers to keep in touch with, not "
            "as a warning."
        )
    elif ratio >= 1:
        verdict = (
            f"That is {ratio:.1f} times the best list that needs no model "
            f"({best_name}, {_amount(best, unit, currency)}): the list is worth the calls."
        )
    else:
        verdict = (
            f"That is less than the best list that needs no model ({best_name}, "
            f"{_amount(best, unit, currency)}): on this data, calling the customers of that "
            "list would have reached more of the decline. Check the list's horizon and the "
            "model note above before relying on it."
        )
    return markdown(
        "Had this review run on {date}, {days} days ago, its {n:,} customers would have "
        "been these: **{stopped:,}** of them then bought nothing at all, and their {what} "
        "fell by **{caught}** in the {days} days after, against the {days} days before "
        "({caught_share} of the decline of all {active:,} active customers). {verdict}",
        date=f"{backtest.review_date:%Y-%m-%d}",
        days=backtest.days,
        n=int(row["customers"]),
        stopped=int(row["stopped"]),
        what=what,
        caught=_amount(row["revenue_decline"], unit, currency),
        caught_share=share(row["share_of_decline"]),
        active=backtest.active,
        verdict=verdict,
    )


def backtest_table(backtest: CallListBacktest, *, currency: str = "") -> Any:
    """Show the backtest's lists side by side (a note when there is no backtest).

    Examples
    --------
    >>> bt = CallListBacktest(pd.Timestamp("2024-06-01"), 180, None, 0, 0.0, "money", "n/a")
    >>> backtest_table(bt).data
    'n/a'
    """
    if backtest.table is None:
        return markdown(backtest.note)
    what = "revenue" if backtest.unit == "money" else "purchase days"
    return table(
        backtest.table.rename(columns={"revenue_decline": f"{what}_decline"}),
        currency=currency,
        money_columns=[f"{what}_decline"] if backtest.unit == "money" else [],
        share_columns=["stopped_share", "share_of_decline"],
        integer_columns=["customers", "stopped"],
        caption=(
            f"Lists built on {backtest.review_date:%Y-%m-%d}; decline = sum over the list of "
            f"max(0, {what} in the {backtest.days} days before - in the {backtest.days} days "
            f"after); stopped = bought nothing in the {backtest.days} days after. "
            f"'{THE_LIST}' is this report's list, the others need no model."
        ),
    )


def previous_review(
    previous: str | Path | None,
    current: pd.DataFrame,
    transactions: Any,
    *,
    as_of: Any = None,
    risk: pd.DataFrame | None = None,
    rows_shown: int = 20,
) -> Parts:
    """Compare with last month's call list, if one is given: what changed, what calls did.

    Parameters
    ----------
    previous : str or Path, optional
        Last month's run folder or call list file (only read); empty: no comparison.
    current : pandas.DataFrame
        This month's call list.
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
    risk : pandas.DataFrame, optional
        This month's :func:`retainkit.calls.customer_risk`.
    rows_shown : int

    Returns
    -------
    Parts
        Things to display: a story and, with a previous list, the status counts, the call
        outcomes and the customers whose status changed.

    Examples
    --------
    >>> previous_review("", pd.DataFrame(), None)[0].data[:32]
    'No previous review was given: pa'
    """
    if not previous:
        return Parts(
            [
                markdown(
                    "No previous review was given: pass last month's run folder as `previous` "
                    "(or `retainkit report --previous DIR`) to see who is new on the list, who "
                    "came back, and what the calls achieved."
                )
            ]
        )
    before = read_previous_calls(previous)
    if before.empty:
        return Parts(
            [
                markdown(
                    "The previous call list (`{file}`) holds no customers: there is nothing to "
                    "compare with.",
                    file=Path(before.attrs["path"]).name,
                )
            ]
        )
    comparison = compare_calls(current, before, transactions, as_of=as_of, risk=risk)
    counts = comparison["status"].value_counts()
    outcomes = call_outcomes(comparison)
    called = outcomes.iloc[0]
    not_called = outcomes.iloc[1]
    since = before.attrs["review_date"]
    story = markdown(
        "Compared with the review of {since} (`{file}`, read only): **{new:,}** customers are "
        "new on the list, {still:,} are still on it, **{back:,}** came back (bought since), "
        "{lost:,} were lost since and {off:,} are no longer among the most at risk. "
        "{calls}",
        since=f"{since:%Y-%m-%d}",
        file=Path(before.attrs["path"]).name,
        new=int(counts.get("new on the list", 0)),
        still=int(counts.get("still on the list", 0)),
        back=int(counts.get("came back", 0)),
        lost=int(counts.get("lost since", 0)),
        off=int(counts.get("off the list", 0)),
        calls=(
            f"Of the {int(called['customers']):,} called, {int(called['reached']):,} were "
            f"reached and {int(called['came_back']):,} came back "
            f"({share(called['came_back_share'])}), against {share(not_called['came_back_share'])}"
            f" of the {int(not_called['customers']):,} on the list who were not called. The "
            "callers chose whom to call, so this is a comparison, not proof."
            if called["customers"]
            else "Nobody is marked as called in that file: fill its `called` and `outcome` "
            "columns as you call, and next month's review will count what the calls achieved."
        ),
    )
    changed = comparison[comparison["status"] != "still on the list"]
    return Parts(
        [
            story,
            table(
                outcomes,
                share_columns=["came_back_share"],
                integer_columns=["customers", "reached", "came_back"],
                caption=f"Last month's list ({since:%Y-%m-%d}): called against not called",
            ),
            table(
                changed,
                max_rows=rows_shown,
                caption=f"Customers whose place changed since {since:%Y-%m-%d} ({len(changed):,})",
            ),
        ]
    )


#: Columns of the call sheet shown in the page's sortable table (the file has them all).
_PAGE_COLUMNS = {
    "group": "Group",
    "rank": "Rank",
    S.CUSTOMER_ID: "Customer",
    "value_at_risk": "Value at risk",
    "p_alive": "P(still buying)",
    "value_recent": "Value, recent",
    "value_year": "Value, last year",
    "last_purchase": "Last purchase",
    "days_since_last_purchase": "Days since",
}
_MONEY = ("value_at_risk", "value_recent", "value_year")

#: HTML class of a table the report page lets the reader sort by clicking a heading.
SORTABLE_CLASS = "rk-sortable"


def _cell(value: Any, column: str, currency: str) -> str:
    """Format one table cell: the value for people, and its raw value as the sort key."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<td data-sort=''>—</td>"
    align = ""
    if column in _MONEY:
        shown, key = money(float(value), currency), f"{float(value):.6g}"
    elif column == "p_alive":
        shown, key = share(float(value)), f"{float(value):.6g}"
    elif column in ("rank", "days_since_last_purchase"):
        shown, key = f"{int(value):,}", str(int(value))
    elif column == "last_purchase":
        shown = key = f"{pd.Timestamp(value):%Y-%m-%d}"
    else:
        shown, key, align = str(value), str(value), " style='text-align: left'"
    return f"<td data-sort='{html.escape(key)}'{align}>{escape_dollars(html.escape(shown))}</td>"


def _sortable_table(sheet: pd.DataFrame, *, currency: str, link: str) -> HTML:
    """Show the whole call sheet as a table the report page sorts, with a link to the file."""
    columns = [c for c in _PAGE_COLUMNS if c in sheet.columns]
    head = "".join(
        f"<th scope='col' title='Click to sort'>{html.escape(_PAGE_COLUMNS[c])}</th>"
        for c in columns
    )
    body = "".join(
        "<tr>" + "".join(_cell(v, c, currency) for c, v in zip(columns, row, strict=True)) + "</tr>"
        for row in sheet[columns].itertuples(index=False, name=None)
    )
    caption = (
        f"The full call list ({len(sheet):,} lines): click a column heading to sort by it. "
        f"<a href='{html.escape(link)}' download>Download the call list (CSV)</a>"
    )
    return HTML(
        f"<table class='{SORTABLE_CLASS}'><caption>{caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _href(path: Path) -> str:
    """Link a written file from the page next to it: relatively when the path is relative."""
    return path.as_uri() if path.is_absolute() else quote(path.as_posix())


def save_call_sheet(sheet: pd.DataFrame, base: str, *, currency: str = "") -> Parts:
    """Write the call sheet as ``base``.csv and ``base``.xlsx; say where, and show it all.

    Parameters
    ----------
    sheet : pandas.DataFrame
        :func:`retainkit.calls.call_sheet`.
    base : str
        Path of the files without their suffix; empty: write nothing.
    currency : str
        Symbol for money in the page's table.

    Returns
    -------
    Parts
        A sentence with links to the files; with files written, the whole sheet as a
        sortable HTML table (class :data:`SORTABLE_CLASS`, one ``data-sort`` key a cell)
        under a download link to the CSV.

    Examples
    --------
    >>> save_call_sheet(pd.DataFrame(), "")[0].data
    'No call list file was written (`call_list_file` is empty).'
    """
    if not base:
        return Parts([markdown("No call list file was written (`call_list_file` is empty).")])
    written = [
        write_table(sheet, f"{base}{suffix}", overwrite=True) for suffix in (".csv", ".xlsx")
    ]
    links = " and ".join(f"[`{p.name}`]({_href(p)})" for p in written)
    story = markdown(
        "The full call list ({n:,} lines, {ids} customers to keep and to win back) is saved as "
        "{files} next to this report. Fill its `called`, `outcome` and `note` columns as you "
        "call: next month's review reads them back (`previous`).",
        n=len(sheet),
        ids=f"{sheet[S.CUSTOMER_ID].nunique():,}" if len(sheet) else "0",
        files=links,
    )
    return Parts([story, _sortable_table(sheet, currency=currency, link=_href(written[0]))])


def call_list_figures(review: Any, backtest: CallListBacktest, *, currency: str = "") -> KeyFigures:
    """Return the call list's key figures for the report's manifest and index.

    ``groundwork.call_list_size`` (customers on the list),
    ``groundwork.call_list_value_at_risk`` (their value at risk),
    ``groundwork.call_list_backtest_caught`` (revenue decline caught by the list built
    ``backtest.days`` ago) and ``groundwork.call_list_backtest_naive`` (the best naive
    list's).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> calls = pd.DataFrame({"value_at_risk": [5.0, 2.5]})
    >>> calls.attrs = {"horizon_days": 90, "value": "net revenue", "unit": "money"}
    >>> bt = CallListBacktest(pd.Timestamp("2024-06-01"), 180, None, 0, 0.0, "money", "too short")
    >>> kf = call_list_figures(SimpleNamespace(calls=calls), bt)
    >>> [(f.name, f.value) for f in kf.figures][:2]
    [('groundwork.call_list_size', 2), ('groundwork.call_list_value_at_risk', 7.5)]
    """
    calls = review.calls
    days = calls.attrs.get("horizon_days", "")
    unit = "purchase days" if calls.attrs.get("unit") == "purchase days" else "currency"
    backtest_unit = "currency" if backtest.unit == "money" else "purchase days"
    naive = backtest.best_naive
    why = backtest.note or "no backtest"
    measure = "revenue" if backtest.unit == "money" else "purchase days"
    return key_figures(
        [
            figure(
                "groundwork.call_list_size",
                len(calls),
                "Customers on the call list",
                unit="customers",
            ),
            figure(
                "groundwork.call_list_value_at_risk",
                float(calls["value_at_risk"].sum()),
                "Value at risk of the customers on the call list: expected shortfall of "
                f"{calls.attrs.get('value', 'value')} in the next {days} days against the "
                f"last {days}",
                unit=unit,
            ),
            figure(
                "groundwork.call_list_backtest_caught",
                backtest.caught,
                f"Backtest: {measure} decline caught by the call list built {backtest.days} "
                "days ago (sum over its customers of max(0, before - after), "
                f"{backtest.days} days each)",
                unit=backtest_unit,
                reason=why,
            ),
            figure(
                "groundwork.call_list_backtest_naive",
                None if naive is None else naive[1],
                f"Backtest: {measure} decline caught by the best list of the same length that "
                f"needs no model" + ("" if naive is None else f" ({naive[0]})"),
                unit=backtest_unit,
                reason=why,
            ),
        ],
        currency=currency,
    )
