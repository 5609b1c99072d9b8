"""The lifetime value notebook's historical value: the classic formula, per segment."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit.clv.historical import historical_clv, historical_clv_by_segment
from retainkit.display import Parts, markdown, money, table

__all__ = ["MAX_LIFESPAN_YEARS", "expected_lifespan", "historical_value_section"]

#: Longest expected lifespan, in years, that 1 / churn rate may give: a churn rate near zero
#: (a tiny or young customer base) would otherwise make every customer live for centuries.
MAX_LIFESPAN_YEARS = 50.0


def expected_lifespan(churn_rate: float, *, horizon_years: float) -> tuple[float, str]:
    """Compute the expected lifespan in years, 1 / yearly churn rate, and say how.

    Parameters
    ----------
    churn_rate : float
        Yearly churn rate, 0-1 (NaN when it cannot be measured).
    horizon_years : float
        The lifespan used when the churn rate is NaN or zero.

    Returns
    -------
    (float, str)
        Years (at most :data:`MAX_LIFESPAN_YEARS`) and a phrase saying where they come
        from.

    Examples
    --------
    >>> expected_lifespan(0.4, horizon_years=5)
    (2.5, 'an expected lifespan of 2.5 years (1 / churn rate 40.0%)')
    >>> expected_lifespan(float("nan"), horizon_years=5)[0]
    5
    """
    if churn_rate == churn_rate and churn_rate > 0:
        years = min(1 / churn_rate, MAX_LIFESPAN_YEARS)
        return years, f"an expected lifespan of {years:.1f} years (1 / churn rate {churn_rate:.1%})"
    return horizon_years, (
        f"a lifespan of {horizon_years:g} years "
        "(the horizon parameter: the churn rate cannot be measured)"
    )


def historical_value_section(
    dataset: Any,
    summary: pd.DataFrame,
    *,
    churn_rate: float,
    horizon_years: float,
    margin: float,
    margin_text: str,
    by: str | None,
) -> Parts:
    """Show the historical lifetime value: margin and lifespan used, then the values.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``transactions``, ``customers`` and
        ``currency``.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` of the transactions.
    churn_rate, horizon_years : float
        For :func:`expected_lifespan`.
    margin : float
        Gross margin, 0-1.
    margin_text : str
        Where the margin comes from (:func:`retainkit.clv.value.resolve_margin`).
    by : str or None
        Customer attribute to split by (:func:`retainkit.clv.value.pick_segment_column`).

    Returns
    -------
    Parts
        A sentence on the margin and lifespan; then the table per segment, or the mean
        and total value when there is no attribute, or why there is no value.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "a"], "revenue": [100.0, 100.0],
    ...     "order_date": pd.to_datetime(["2023-01-02", "2024-01-01"])})
    >>> ds = rk.load_dataset(frame, currency="$")
    >>> s = rk.customer_summary(ds.transactions, time_unit="weeks")
    >>> parts = historical_value_section(ds, s, churn_rate=0.5, horizon_years=5, margin=0.5,
    ...                                  margin_text="Margin 50%.", by=None)
    >>> parts[1].data.replace("<span>&#36;</span>", "$")  # 100 x 2 a year x 2 years x 50%
    'Historical lifetime value: **$200** per customer on average, **$200** for all customers.'
    """
    lifespan_years, lifespan_text = expected_lifespan(churn_rate, horizon_years=horizon_years)
    intro = markdown("{m} The formula uses {l}.", m=margin_text, l=lifespan_text)
    currency = dataset.currency
    if not dataset.transactions.has_revenue:
        return Parts(
            [intro, markdown("The historical lifetime value needs revenue; this data has none.")]
        )
    if not by:
        hist = historical_clv(summary, lifespan_years=lifespan_years, margin=margin)
        return Parts(
            [
                intro,
                markdown(
                    "Historical lifetime value: **{v}** per customer on average, **{t}** for all "
                    "customers.",
                    v=money(hist["historical_clv"].mean(), currency),
                    t=money(hist["historical_clv"].sum(), currency),
                ),
            ]
        )
    hist = historical_clv_by_segment(
        summary, dataset.customers, by=by, lifespan_years=lifespan_years, margin=margin
    )
    shown = table(
        hist.head(15).rename(
            columns={
                "historical_clv": "historical CLV per customer",
                "total_historical_clv": "historical CLV, all customers",
            }
        ),
        currency=currency,
        decimals=2,
        money_columns=[
            "average_order_value",
            "historical CLV per customer",
            "historical CLV, all customers",
        ],
        integer_columns=["customers"],
        caption=f"Historical lifetime value per customer by {by} (gross profit over the "
        f"lifespan, {currency or 'currency'})",
    )
    return Parts([intro, shown])
