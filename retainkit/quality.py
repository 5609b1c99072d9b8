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

__all__ = ["DROP_REASONS", "QualityReport"]

#: Why a row was dropped, in the order the rules are applied: a row is counted under
#: the first reason that applies to it.
DROP_REASONS: tuple[str, ...] = (
    "repeated header row",
    "missing customer id",
    "unparseable date",
    "implausible date",
    "non-numeric amount",
    "implausible amount",
    "after as_of",
    "return line (returns='drop')",
    "zero revenue",
    "exact duplicate",
)


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
        return (
            f"<p><b>Data quality</b> — {html.escape(self.source)}: "
            f"{self.rows_kept:,} of {self.rows_read:,} rows kept, "
            f"{self.customers:,} customers, orders dated {period}.</p>"
            + table
            + (f"<ul>{notes}</ul>" if notes else "")
        )
