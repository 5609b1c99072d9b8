"""The lifetime value notebook's revenue retention section: NRR and GRR, and by cohort."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit import metrics
from retainkit.display import Parts, markdown, money, table

__all__ = ["revenue_retention_row", "revenue_retention_section"]


def revenue_retention_row(transactions: Any) -> pd.Series | None:
    """Net and gross revenue retention over the last 12 months, or None without revenue.

    Parameters
    ----------
    transactions : Transactions
        ``dataset.transactions`` of :func:`retainkit.load_dataset`.

    Returns
    -------
    pandas.Series or None
        The row of :func:`retainkit.metrics.revenue_retention` (``nrr``, ``grr``,
        ``base_customers``, ``base_start``, ``base_end``, ``base_revenue``,
        ``retained_revenue``, ``note``); None when the data has no revenue.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    >>> revenue_retention_row(rk.load_transactions(frame)) is None
    True
    """
    if not transactions.has_revenue:
        return None
    return metrics.revenue_retention(transactions).iloc[0]


def revenue_retention_section(dataset: Any, nrr: pd.Series | None) -> Parts:
    """Show revenue retention: the 12-month story, then the table by year of acquisition.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``transactions`` (for
        :func:`retainkit.metrics.revenue_retention_by_cohort`) and ``currency``.
    nrr : pandas.Series or None
        :func:`revenue_retention_row`.

    Returns
    -------
    Parts
        A sentence with the base customers, their revenue before and after, NRR and GRR,
        and the table by cohort; or why revenue retention cannot be measured.

    Examples
    --------
    >>> row = pd.Series({"base_customers": 10, "base_start": pd.Timestamp("2023-01-01"),
    ...     "base_end": pd.Timestamp("2023-12-31"), "base_revenue": 1000.0,
    ...     "retained_revenue": 800.0, "nrr": 0.8, "grr": 0.7, "note": "too short"})
    >>> revenue_retention_section(None, row)[0].data
    '**Revenue retention cannot be measured:** too short.'
    """
    unavailable = markdown(
        "Revenue retention by cohort is not available for this data (see above)."
    )
    if nrr is None:
        return Parts(
            [markdown("Revenue retention needs revenue; this data has none."), unavailable]
        )
    if nrr["note"]:
        return Parts(
            [
                markdown("**Revenue retention cannot be measured:** {note}.", note=nrr["note"]),
                unavailable,
            ]
        )
    currency = dataset.currency
    story = markdown(
        "The **{n:,}** customers who bought between {bs:%d %b %Y} and {be:%d %b %Y} spent "
        "**{base}** then and **{kept}** in the following 12 months: net revenue retention "
        "**{nrr:.1%}**, gross revenue retention **{grr:.1%}**.",
        n=nrr["base_customers"],
        bs=nrr["base_start"],
        be=nrr["base_end"],
        base=money(nrr["base_revenue"], currency),
        kept=money(nrr["retained_revenue"], currency),
        nrr=nrr["nrr"],
        grr=nrr["grr"],
    )
    by_cohort = metrics.revenue_retention_by_cohort(dataset.transactions, cohort_period="year")
    shown = table(
        by_cohort.drop(columns="note").rename(columns={"nrr": "NRR", "grr": "GRR"}),
        currency=currency,
        money_columns=["base_revenue", "retained_revenue", "retained_revenue_capped"],
        share_columns=["NRR", "GRR"],
        integer_columns=["base_customers"],
        caption="Revenue retention by year of acquisition "
        "(the last 12 months against the 12 before)",
    )
    return Parts([story, shown])
