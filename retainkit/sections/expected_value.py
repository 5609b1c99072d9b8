"""The groundwork notebook's model view of the cost of the losses."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit import groundwork as gw
from retainkit.assumptions import ValueAssumptions
from retainkit.display import Parts, markdown, money

__all__ = ["expected_value_section"]

_STORY = (
    "**What the purchase model says they were worth.** The lifetime value above assumes that "
    "each lost customer would have kept their last year's spending for {years:g} years. The "
    "purchase model (BG/NBD for purchases, Gamma-Gamma for spend, fitted on every customer's "
    "history) prices them instead as of their own last purchase, when nobody knew yet that "
    "they would stop, so it counts that some of them would have stopped anyway. Then the "
    "{customers:,} customers were expected to bring **{profit}** in profit over {years:g} "
    "years, discounted at {rate:.0%} a year ({purchases:,.0f} purchases, {revenue} in "
    "revenue), against **{same}** if each had kept their last year's spending: "
    "**{ratio:.2f}x**. {margin_note}\n\n"
    "*Read the two together:* the first is what the losses cost if these customers would "
    "surely have stayed, the second what they were worth with the chance that they would "
    "leave. Where the model's figure is the higher, the lost customers had been buying more "
    "than in their last year, or the model expects customers like them to keep buying for "
    "long."
)
_NO_MODEL = "*The purchase model gives no figure for the lost customers here: {why}*"


def expected_value_section(
    transactions: Any,
    window: Any,
    status: pd.DataFrame,
    *,
    value: ValueAssumptions | None = None,
    currency: str = "",
) -> Parts:
    """Set the model's expected value of the lost customers beside the "same spend" one.

    Parameters
    ----------
    transactions : Transactions
    window : ChurnWindow
        :func:`retainkit.groundwork.churn_window`.
    status : pandas.DataFrame
        :func:`retainkit.groundwork.customer_status`.
    value : ValueAssumptions, optional
        Horizon and discount rate (as for :func:`retainkit.groundwork.value_lost`) and
        the gross margin when the data has no cost; default ``ValueAssumptions()``.
    currency : str

    Returns
    -------
    Parts
        One story: :func:`retainkit.groundwork.expected_value_lost` against the lifetime
        profit lost of :func:`retainkit.groundwork.value_lost`; or why there is no figure
        (no revenue, no customer lost, no model).

    Examples
    --------
    >>> import retainkit as rk
    >>> ds = rk.load_dataset("demo")
    >>> w = rk.groundwork.churn_window(ds.transactions)
    >>> st = rk.groundwork.customer_status(ds.transactions, w)
    >>> parts = expected_value_section(ds.transactions, w, st, currency="$",
    ...                                value=rk.ValueAssumptions(horizon_years=5))
    >>> parts[0].data.startswith("**What the purchase model says they were worth.**")
    True
    """
    v = ValueAssumptions() if value is None else value
    horizon_years, discount_rate = v.horizon_years, v.discount_rate
    if "annual_revenue" not in status:
        why = "the data has no revenue."
        return Parts([markdown(_NO_MODEL, why=why)])
    same = gw.value_lost(status, horizon_years=horizon_years, discount_rate=discount_rate)
    if int(same["customers_lost"].iloc[0]) == 0:
        return Parts([markdown(_NO_MODEL, why="no customer was lost in the window.")])
    model = gw.expected_value_lost(
        transactions,
        window,
        status,
        horizon_years=horizon_years,
        discount_rate=discount_rate,
        margin=v.margin,
    )
    row = model.iloc[0]
    if pd.isna(row["expected_profit"]):
        return Parts([markdown(_NO_MODEL, why=model.attrs["note"] or "it could not be fitted.")])
    same_profit = float(same["lifetime_profit_lost"].iloc[0])
    return Parts(
        [
            markdown(
                _STORY,
                years=horizon_years,
                customers=int(row["customers_lost"]),
                profit=money(row["expected_profit"], currency),
                rate=discount_rate,
                purchases=row["expected_purchases"],
                revenue=money(row["expected_revenue"], currency),
                same=money(same_profit, currency),
                ratio=row["expected_profit"] / same_profit if same_profit else float("nan"),
                margin_note=model.attrs["margin_note"],
            )
        ]
    )
