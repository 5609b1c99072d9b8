"""The lifetime value notebook's model value: per customer, the most valuable, per segment."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit.clv.model_value import ClvForecast, clv_forecast, customer_value
from retainkit.clv.segments import clv_by_segment
from retainkit.display import Parts, markdown, money, table

__all__ = ["customer_value_section", "model_values", "top_decile_share"]


def model_values(
    purchases: Any,
    spend: Any,
    summary: pd.DataFrame,
    *,
    horizon_years: float,
    discount_rate: float,
    margin: float,
) -> tuple[ClvForecast | None, pd.DataFrame | None]:
    """Forecast each customer's purchases and spend, and price them over the horizon.

    The forecast reaches at least 10 years, so that the scenarios can move the horizon.

    Parameters
    ----------
    purchases : BetaGeoModel or None
        Fitted purchase model; None gives no values.
    spend : GammaGammaModel or None
        Fitted spend model; None values purchases only.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output.
    horizon_years, discount_rate, margin : float
        See :func:`retainkit.clv.value.customer_value`.

    Returns
    -------
    (ClvForecast or None, pandas.DataFrame or None)
        :func:`retainkit.clv.value.clv_forecast` and
        :func:`retainkit.clv.value.customer_value` (``customer_id``,
        ``probability_alive``, ``expected_purchases``, ``expected_spend``,
        ``expected_revenue``, ``clv``); ``(None, None)`` without a purchase model.

    Examples
    --------
    >>> model_values(None, None, pd.DataFrame(), horizon_years=5, discount_rate=0.1, margin=0.3)
    (None, None)
    """
    if purchases is None:
        return None, None
    forecast = clv_forecast(purchases, spend, summary, max_horizon_years=max(10.0, horizon_years))
    values = customer_value(
        forecast, horizon_years=horizon_years, discount_rate=discount_rate, margin=margin
    )
    return forecast, values


def top_decile_share(clv: pd.Series) -> float:
    """Share of the total value held by the most valuable 10% of customers (at least one).

    Examples
    --------
    >>> top_decile_share(pd.Series([50.0, 10, 10, 10, 10, 10]))  # top 1 of 6: 50 of 100
    0.5
    """
    return float(clv.nlargest(max(1, len(clv) // 10)).sum() / clv.sum())


def customer_value_section(
    dataset: Any,
    forecast: ClvForecast | None,
    values: pd.DataFrame | None,
    *,
    fit_note: str,
    horizon_years: float,
    discount_rate: float,
    by: str | None = None,
) -> Parts:
    """Show what the customers are worth: in all, the top 10, and per segment.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``customers`` (``customer_id`` and the column
        ``by``) and ``currency``.
    forecast : ClvForecast or None
        :func:`model_values`.
    values : pandas.DataFrame or None
        :func:`model_values`.
    fit_note : str
        Why there is no purchase model, when there is none.
    horizon_years, discount_rate : float
        As priced, for the words.
    by : str, optional
        Segment column (:func:`retainkit.clv.value.pick_segment_column`).

    Returns
    -------
    Parts
        A sentence on the total and mean value and the top decile's share (in purchases
        without spend); the 10 most valuable customers; the values per segment (or why
        there are none).

    Examples
    --------
    >>> parts = customer_value_section(None, None, None, fit_note="Too few customers.",
    ...                                horizon_years=5, discount_rate=0.1)
    >>> [p.data for p in parts][:2]
    ['No lifetime values: Too few customers.', 'No customer values without a purchase model.']
    """
    no_segments = markdown(
        "No customer attributes to split by, or no revenue: no values per segment."
    )
    if forecast is None or values is None:
        return Parts(
            [
                markdown("No lifetime values: {note}", note=fit_note),
                markdown("No customer values without a purchase model."),
                no_segments,
            ]
        )
    has_value = forecast.has_spend
    currency = dataset.currency
    if has_value:
        story = markdown(
            "Over the next {h:g} years, discounted at {d:.0%} a year, the **{n:,}** customers "
            "are worth **{total}** in gross profit: **{mean}** each on average; the top 10% of "
            "them hold **{top:.0%}** of it.",
            h=horizon_years,
            d=discount_rate,
            n=len(values),
            total=money(values["clv"].sum(), currency),
            mean=money(values["clv"].mean(), currency, decimals=2),
            top=top_decile_share(values["clv"]),
        )
    else:
        story = markdown(
            "Without revenue the value is in purchases: the {n:,} customers are expected to make "
            "**{p:,.0f}** repeat purchases over the next {h:g} years.",
            n=len(values),
            p=values["expected_purchases"].sum(),
            h=horizon_years,
        )
    top = values.sort_values("clv" if has_value else "expected_purchases", ascending=False)
    top_table = table(
        top.head(10).rename(columns={"clv": "lifetime value"}),
        currency=currency,
        decimals=2,
        money_columns=["expected_spend", "expected_revenue", "lifetime value"],
        share_columns=["probability_alive"],
        caption=f"The 10 most valuable customers: expected purchases and revenue over "
        f"{horizon_years:g} years (undiscounted) and lifetime value (discounted gross profit)",
    )
    if not (by and has_value):
        return Parts([story, top_table, no_segments])
    segment_table = table(
        clv_by_segment(values, dataset.customers, by=by)
        .head(15)
        .rename(
            columns={
                "clv_per_customer": "lifetime value per customer",
                "clv_total": "lifetime value, all customers",
                "share_of_clv": "share of the lifetime value",
            }
        ),
        currency=currency,
        decimals=2,
        money_columns=["lifetime value per customer", "lifetime value, all customers"],
        share_columns=["mean_probability_alive", "share of the lifetime value"],
        integer_columns=["customers"],
        caption=f"Lifetime value by {by} (discounted gross profit over {horizon_years:g} years)",
    )
    return Parts([story, top_table, segment_table])
