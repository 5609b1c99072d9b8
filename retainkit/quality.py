"""The data-quality report: what loading and cleaning did to the rows.

Every row that is read is either kept or dropped for exactly one reason, so
``rows_read == rows_kept + sum(dropped.values())`` always holds, and the same holds
for revenue wherever the amount could be read.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from retainkit.schema import ColumnMapping

__all__ = ["DEFECT_REASONS", "DROP_REASONS", "REASON_MEANINGS", "QualityReport"]

#: Why a row was dropped, in the order the rules are applied: a row is counted under
#: the first reason that applies to it. Rows that are not the business's sales come
#: first (report furniture, another currency, failed payments, transfers), then the
#: sales that cannot be used as they are, so that the shares of unreadable rows are
#: shares of the sales.
DROP_REASONS: tuple[str, ...] = (
    "malformed line",
    "repeated header row",
    "totals row",
    "other currency",
    "not a completed sale",
    "missing customer id",
    "guest placeholder id",
    "unparseable date",
    "implausible date",
    "non-numeric amount",
    "implausible amount",
    "after as_of",
    "return line (returns='drop')",
    "zero revenue",
    "exact duplicate",
)

#: The reasons that mean the data could not be read as it was meant (as opposed to
#: rows that are read right and are not purchases): together they may not exceed
#: ``max_invalid_share`` of the rows read.
DEFECT_REASONS: tuple[str, ...] = (
    "malformed line",
    "unparseable date",
    "implausible date",
    "non-numeric amount",
)

#: What each reason means, for the report's readers.
REASON_MEANINGS: dict[str, str] = {
    "malformed line": "a line of the file that does not split into the header's columns "
    "(a stray separator or quote); its values cannot be placed",
    "repeated header row": "the column names again, inside the data (files joined together)",
    "totals row": "a totals or subtotal line of a report, or a group heading",
    "missing customer id": "no customer id: a guest checkout or a gap in the export",
    "guest placeholder id": "an id that stands for every guest checkout (0, 'guest'...), "
    "not for one customer",
    "unparseable date": "a date that cannot be read",
    "implausible date": "a date before 1900 or in the future",
    "non-numeric amount": "an amount that is not a number",
    "implausible amount": "an amount far above every other line (max_amount)",
    "other currency": "an amount in another currency than the one analysed",
    "not a completed sale": "a failed, pending, cancelled or fully refunded payment, or a "
    "row that is no sale (a transfer, a withdrawal)",
    "after as_of": "dated after the analysis date",
    "return line (returns='drop')": "a return or cancellation, left out on request",
    "zero revenue": "a line worth nothing (free item, adjustment)",
    "exact duplicate": "a line equal in every column to one before it",
}


@dataclass(frozen=True)
class QualityReport:
    """What loading and cleaning did to a transaction log.

    Attributes
    ----------
    source : str
        Where the rows came from (path, preset name or "pandas DataFrame").
    rows_read : int
        Data rows read, header excluded.
    rows_kept : int
        Rows left after cleaning.
    dropped : dict
        Reason -> rows dropped for it (see :data:`DROP_REASONS`); reasons with no rows
        are left out.
    revenue_read, revenue_kept : float or None
        Net revenue over every row whose amount could be read, and over the kept rows;
        None for data without revenue.
    revenue_dropped : dict
        Reason -> net revenue of the rows dropped for it.
    return_rows : int
        Kept rows that are returns or cancellations (netted into revenue).
    return_revenue : float or None
        Their (negative) revenue.
    customers : int
        Distinct customers in the kept rows.
    first_date, last_date : pandas.Timestamp or None
        First and last order date kept.
    mapping : ColumnMapping
        Where each canonical column came from.
    notes : tuple of str
        Decisions taken while reading (date format, decimal comma, derived revenue...).
    malformed_examples : tuple of str
        Up to five malformed lines: where, what is wrong, the raw text.
    """

    source: str
    rows_read: int
    rows_kept: int
    dropped: dict[str, int]
    revenue_read: float | None
    revenue_kept: float | None
    revenue_dropped: dict[str, float]
    return_rows: int
    return_revenue: float | None
    customers: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    mapping: ColumnMapping
    notes: tuple[str, ...] = field(default_factory=tuple)
    malformed_examples: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows_dropped(self) -> int:
        """Rows dropped for any reason."""
        return sum(self.dropped.values())

    def to_frame(self) -> pd.DataFrame:
        """Return the report as a table, one row per step.

        Returns
        -------
        pandas.DataFrame
            Columns ``step``, ``rows``, ``share_of_rows`` (0-1) and ``revenue`` (net, in
            the data's currency; NaN where the data has no revenue). The first row is
            the rows read, then one row per drop reason, then the rows kept and, among
            them, the returns netted into revenue.

        Examples
        --------
        >>> from retainkit.schema import ColumnMapping
        >>> q = QualityReport("x.csv", 10, 8, {"missing customer id": 2}, 100.0, 90.0,
        ...                   {"missing customer id": 10.0}, 1, -5.0, 3, None, None,
        ...                   ColumnMapping({}))
        >>> q.to_frame()["rows"].tolist()
        [10, 2, 8, 1]
        """
        has_money = self.revenue_read is not None
        nan = float("nan")
        rows = [("rows read", self.rows_read, self.revenue_read if has_money else nan)]
        for reason in DROP_REASONS:
            if reason in self.dropped:
                rows.append(
                    (
                        f"dropped: {reason}",
                        self.dropped[reason],
                        self.revenue_dropped.get(reason, nan) if has_money else nan,
                    )
                )
        rows.append(("rows kept", self.rows_kept, self.revenue_kept if has_money else nan))
        rows.append(
            (
                "of which returns/cancellations (netted)",
                self.return_rows,
                self.return_revenue if has_money else nan,
            )
        )
        frame = pd.DataFrame(rows, columns=["step", "rows", "revenue"])
        frame.insert(2, "share_of_rows", frame["rows"] / max(self.rows_read, 1))
        return frame

    def _repr_html_(self) -> str:
        money = "Net revenue (the data's currency)"
        frame = self.to_frame().rename(
            columns={
                "step": "Step",
                "rows": "Rows",
                "share_of_rows": "Share of rows",
                "revenue": money,
            }
        )
        if self.revenue_read is None:
            frame = frame.drop(columns=money)
        meaning = {f"dropped: {r}": m for r, m in REASON_MEANINGS.items()}
        frame["What it means"] = frame["Step"].map(meaning).fillna("")
        table = frame.to_html(
            index=False,
            formatters={
                "Rows": "{:,}".format,
                "Share of rows": "{:.1%}".format,
                money: lambda v: "" if pd.isna(v) else f"{v:,.2f}",
            },
        )
        period = (
            f"{self.first_date:%Y-%m-%d} to {self.last_date:%Y-%m-%d}"
            if self.first_date is not None and self.last_date is not None
            else "no rows kept"
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        if self.malformed_examples:
            shown = "".join(
                f"<li><code>{html.escape(e)}</code></li>" for e in self.malformed_examples
            )
            notes += (
                f"<li>malformed lines (first {len(self.malformed_examples)}):<ul>{shown}</ul></li>"
            )
        return (
            f"<p><b>Data quality</b> — {html.escape(self.source)}: "
            f"{self.rows_kept:,} of {self.rows_read:,} rows kept, "
            f"{self.customers:,} customers, orders dated {period}.</p>"
            + table
            + (f"<ul>{notes}</ul>" if notes else "")
        )
