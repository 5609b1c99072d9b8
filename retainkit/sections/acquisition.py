"""The lifetime value notebook's acquisition budget: what winning a new customer may cost."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit.clv.model_value import acquisition_budget, incentive_check
from retainkit.display import Parts, markdown, table

__all__ = ["acquisition_section", "incentive_section", "new_customer_budget"]


def new_customer_budget(
    dataset: Any,
    summary: pd.DataFrame,
    *,
    by: str | None,
    horizon_years: float,
    discount_rate: float,
    margin: float,
    target_profit_share: float,
    purchases: Any = None,
    spend: Any = None,
) -> pd.DataFrame | None:
    """Compute the allowable acquisition cost overall and per segment (None without revenue).

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``transactions`` and ``customers``.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output.
    by : str or None
        Segment column.
    horizon_years, discount_rate, margin, target_profit_share : float
        See :func:`retainkit.clv.value.acquisition_budget`.
    purchases, spend : BetaGeoModel and GammaGammaModel, optional
        The notebook's fits on ``summary``, reused for the "all customers" row.

    Returns
    -------
    pandas.DataFrame or None
        :func:`retainkit.clv.value.acquisition_budget` (first row: all customers;
        ``max_acquisition_cost``, ``note``, ...); None when the data has no revenue.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    >>> ds = rk.load_dataset(frame)
    >>> new_customer_budget(ds, pd.DataFrame(), by=None, horizon_years=5, discount_rate=0.1,
    ...                     margin=0.3, target_profit_share=0.5) is None
    True
    """
    if not dataset.transactions.has_revenue:
        return None
    return acquisition_budget(
        summary,
        segments=dataset.customers,
        by=by,
        horizon_years=horizon_years,
        discount_rate=discount_rate,
        margin=margin,
        target_profit_share=target_profit_share,
        purchases=purchases,
        spend=spend,
    )


def acquisition_section(
    budget: pd.DataFrame | None, *, target_profit_share: float, currency: str = ""
) -> Parts:
    """Show the allowable acquisition cost and payback time, overall and per segment.

    Parameters
    ----------
    budget : pandas.DataFrame or None
        :func:`new_customer_budget`; the ``note`` column is shown only when a row has one.
    target_profit_share : float
        Share of the lifetime profit kept, for the caption.
    currency : str

    Returns
    -------
    Parts
        The budget table, or why there is none.

    Examples
    --------
    >>> budget = pd.DataFrame({"segment": ["all"], "customers": [3],
    ...     "new_customer_value": [90.0], "max_acquisition_cost": [45.0], "note": [""]})
    >>> html = acquisition_section(budget, target_profit_share=0.5, currency="$")[0].to_html()
    >>> "45.00" in html, "Note" in html, "keeping 50%" in html
    (True, False, True)
    """
    if budget is None:
        return Parts([markdown("The acquisition budget needs revenue; this data has none.")])
    notes = budget["note"].str.len().any()
    shown = table(
        (budget if notes else budget.drop(columns=["note"])).rename(
            columns={
                "new_customer_value": "lifetime value of a new customer",
                "max_acquisition_cost": "allowable acquisition cost",
                "payback_months": "payback (months)",
            }
        ),
        currency=currency,
        decimals=2,
        money_columns=["lifetime value of a new customer", "allowable acquisition cost"],
        share_columns=["repeat_share"],
        integer_columns=["customers"],
        caption=f"Allowable acquisition cost per new customer ({currency or 'currency'}; keeping "
        f"{target_profit_share:.0%} of the lifetime profit; payback in months of gross profit)",
    )
    return Parts([shown])


def incentive_section(
    value: float = 10_000,
    incentive: float = 199,
    *,
    horizon_years: float,
    target_profit_share: float,
) -> Parts:
    """Check one incentive against one lifetime value, in dollars: a worked example.

    Parameters
    ----------
    value, incentive : float
        Lifetime value (gross profit) and the incentive's cost, in dollars.
    horizon_years : float
        Years over which the value is earned, evenly.
    target_profit_share : float
        Share of the value to keep.

    Returns
    -------
    Parts
        The table of :func:`retainkit.clv.value.incentive_check` (``measure``, ``value``).

    Examples
    --------
    >>> parts = incentive_section(horizon_years=5, target_profit_share=0.5)
    >>> "10,000 lifetime value against a <span>&#36;</span>199 incentive" in parts[0].caption
    True
    """
    check = incentive_check(
        value,
        incentive,
        lifespan_years=horizon_years,
        target_profit_share=target_profit_share,
        currency="$",
    )
    shown = table(
        check[["measure", "shown"]].rename(columns={"shown": "value"}),
        caption=f"${value:,.0f} lifetime value against a ${incentive:,.0f} incentive (value "
        f"earned evenly over {horizon_years:g} years)",
    )
    return Parts([shown])
