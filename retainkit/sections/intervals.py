"""The lifetime value notebook's forecast intervals: how sure the totals and top customers are."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from retainkit.clv.intervals import ForecastIntervals, value_intervals
from retainkit.display import Parts, markdown, money, table
from retainkit.exceptions import ConvergenceError
from retainkit.plotting import plot_customer_intervals, plot_forecast_band

__all__ = ["forecast_intervals", "interval_section"]


def forecast_intervals(
    purchases: Any,
    spend: Any,
    summary: pd.DataFrame,
    *,
    horizon_years: float,
    discount_rate: float,
    margin: float,
    n_draws: int = 200,
    seed: int = 0,
) -> tuple[ForecastIntervals | None, str]:
    """Compute 90% intervals on the model values, or say why there are none.

    Parameters
    ----------
    purchases : BetaGeoModel or None
        The purchase model fitted on ``summary``; None gives no intervals.
    spend : GammaGammaModel or None
        The spend model fitted on ``summary``; None gives purchases only.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output the models were fitted on.
    horizon_years, discount_rate, margin : float
        As priced in :func:`retainkit.sections.model_values`.
    n_draws : int
        Parameter draws behind the simulated purchase counts (200 keeps the notebook
        quick; more give steadier bounds).
    seed : int
        Seed of the draws.

    Returns
    -------
    (ForecastIntervals or None, str)
        :func:`retainkit.clv.intervals.value_intervals` at level 0.9 and "" (or a caveat
        when the data pin some purchase-model parameter down only loosely: a standard
        error above half its estimate, where the intervals' linear approximation is
        rough), or None and why there are no intervals.

    Examples
    --------
    >>> forecast_intervals(None, None, pd.DataFrame(), horizon_years=5, discount_rate=0.1,
    ...                    margin=0.3)
    (None, 'there is no purchase model.')
    """
    if purchases is None:
        return None, "there is no purchase model."
    try:
        intervals = value_intervals(
            purchases,
            spend,
            summary,
            horizon_years=horizon_years,
            discount_rate=discount_rate,
            margin=margin,
            level=0.9,
            n_draws=n_draws,
            seed=seed,
        )
    except ConvergenceError as exc:
        return None, str(exc).split(";")[0] + "."
    return intervals, _loose_parameters(purchases)


#: Standard error over estimate above which a parameter counts as loosely pinned down.
_LOOSE = 0.5
#: What each purchase-model parameter describes, for a manager.
_MEANING = {
    "r": "how often customers buy",
    "alpha": "how often customers buy",
    "a": "how soon customers stop buying",
    "b": "how soon customers stop buying",
    "s": "how soon customers stop buying",
    "beta": "how soon customers stop buying",
}


def _loose_parameters(model: Any) -> str:
    """Say which parameters the data hardly pin down, or "" when all are pinned down."""
    params, se = model.params_, model.standard_errors_ or {}
    loose = {k: se[k] / v for k, v in params.items() if se.get(k, 0) > _LOOSE * v}
    if not loose:
        return ""
    what = " or ".join(sorted({_MEANING.get(k, "how often customers buy") for k in loose}))
    names = " and ".join(loose)
    ratios = " and ".join(f"{r:.1f}" for r in loose.values())
    return (
        f"The data say little about {what} (the purchase model's {names} "
        f"{'has a standard error' if len(loose) == 1 else 'have standard errors'} "
        f"{ratios} times {'its estimate' if len(loose) == 1 else 'their estimates'}), so "
        "these intervals, which treat that uncertainty as small, are rough: the real "
        "uncertainty is probably larger."
    )


def _range(row: pd.Series, fmt: Any, joint: str = "to") -> str:
    return f"{fmt(row['low'])} {joint} {fmt(row['high'])}"


def interval_section(
    dataset: Any,
    intervals: ForecastIntervals | None,
    *,
    note: str = "",
    horizon_years: float,
    discount_rate: float,
    top: int = 10,
) -> Parts:
    """Say how sure the forecast is: the totals with 90% intervals, and the top customers'.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: only ``currency`` is read.
    intervals : ForecastIntervals or None
        :func:`forecast_intervals`.
    note : str
        Why there are no intervals, when there are none; otherwise a caveat added to the
        words (as :func:`forecast_intervals` returns it).
    horizon_years, discount_rate : float
        As priced, for the words.
    top : int
        Customers in the table and the figure.

    Returns
    -------
    Parts
        A paragraph for a manager: the total repeat purchases expected over the horizon
        and, with revenue, the total lifetime value, each with its interval and what the
        interval does and does not cover; a table of the top customers (by lifetime
        value, or by expected purchases without revenue) with their intervals; a figure
        of the total's band over the horizon and the top customers' ranges. Without
        intervals, one sentence saying why.

    Examples
    --------
    >>> interval_section(None, None, note="there is no purchase model.", horizon_years=5,
    ...                  discount_rate=0.1)[0].data
    'No forecast intervals: there is no purchase model.'
    """
    if intervals is None:
        return Parts([markdown("No forecast intervals: {note}", note=note)])
    currency = dataset.currency
    totals = intervals.totals.set_index("measure")
    level = intervals.level
    purchases, predicted = totals.loc["expected_purchases"], totals.loc["purchases"]
    count = "{:,.0f}".format
    has_value = bool(pd.notna(totals.loc["clv", "estimate"]))
    words = (
        "Over the next {h:g} years the {n:,} customers are expected to make **{p}** repeat "
        "purchases; allowing for the uncertainty in the model's estimates, that total is "
        "{lvl:.0%} likely to lie between **{p_range}**, and the purchases they will actually "
        "make, which also depend on each customer's chance, between **{a_range}**."
    )
    values: dict[str, Any] = {
        "h": horizon_years,
        "n": len(intervals.customers),
        "p": count(purchases["estimate"]),
        "lvl": level,
        "p_range": _range(purchases, count, "and"),
        "a_range": _range(predicted, count, "and"),
    }
    if has_value:
        clv = totals.loc["clv"]
        cash = lambda v: money(v, currency)  # noqa: E731
        words += (
            " Their lifetime value, gross profit discounted at {d:.0%} a year, is **{v}** "
            "({lvl:.0%} interval **{v_range}**)."
        )
        values.update(d=discount_rate, v=cash(clv["estimate"]), v_range=_range(clv, cash))
    words += (
        " The intervals cover the uncertainty of the fitted parameters, not whether the model "
        "suits these customers: the holdout check tests that."
    )
    if note:
        words += " {caveat}"
        values["caveat"] = note
    story = markdown(words, **values)
    measure = "clv" if has_value else "expected_purchases"
    columns = ["customer_id", "probability_alive", "expected_purchases"]
    columns += ["expected_purchases_low", "expected_purchases_high"]
    columns += ["purchases_low", "purchases_high"]
    if has_value:
        columns += ["clv", "clv_low", "clv_high"]
    shown = intervals.customers.nlargest(top, measure)[columns].rename(
        columns={
            "expected_purchases_low": "expected purchases, low",
            "expected_purchases_high": "expected purchases, high",
            "purchases_low": "purchases to come, low",
            "purchases_high": "purchases to come, high",
            "clv": "lifetime value",
            "clv_low": "lifetime value, low",
            "clv_high": "lifetime value, high",
        }
    )
    top_table = table(
        shown,
        currency=currency,
        decimals=2,
        money_columns=["lifetime value", "lifetime value, low", "lifetime value, high"],
        share_columns=["probability_alive"],
        integer_columns=["purchases to come, low", "purchases to come, high"],
        caption=f"The {len(shown)} most valuable customers over {horizon_years:g} years with "
        f"{level:.0%} intervals: expected purchases and lifetime value (uncertainty of the "
        "parameters), purchases to come (also each customer's chance)",
    )
    fig, axes = plt.subplots(1, 2, figsize=(15, 4.5))
    plot_forecast_band(intervals, ax=axes[0])
    plot_customer_intervals(intervals, measure=measure, top=top, currency=currency, ax=axes[1])
    fig.tight_layout()
    plt.close(fig)
    return Parts([story, top_table, fig])
