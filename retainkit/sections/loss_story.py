"""The groundwork's story in words: the losses, their reasons, behaviour and cost."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from retainkit import schema as S
from retainkit.display import markdown, money, share
from retainkit.groundwork.churn_rate import churn_summary
from retainkit.groundwork.reasons import CONTROLLABLE
from retainkit.groundwork.value import value_lost
from retainkit.groundwork.window import ChurnWindow


def loss_story(status: pd.DataFrame) -> Markdown:
    """Say in words how many customers were lost and what share of the base that is.

    Examples
    --------
    >>> from retainkit.groundwork import churn_window, customer_status
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"])})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> print(loss_story(customer_status(frame, w)).data)  # doctest: +ELLIPSIS
    In the 365 days to 31 Dec 2024 we lost **1 customer**...
    """
    window: ChurnWindow = status.attrs["window"]
    if not window.feasible:
        return markdown("**Not enough history.** {note}", note=window.note)
    s = churn_summary(status).iloc[0]
    n = int(s["lost_in_window"])
    text = (
        "In the {days} days to {end} we lost **{n:,} customer{plural}**. "
        "Of the {base:,} customer{base_plural} active when the window opened, {lost_base:,} "
        "left: a churn rate of **{rate}** (95% interval {low} to {high}); {kept:,} {are} still "
        "buying. Another {lost_new:,} of the {new:,} customer{new_plural} who first bought "
        "during the window were lost before its end."
    )
    # the rest bought before the window, had lapsed when it opened, came back in it and
    # were lost again: said so that the counts add up for the reader
    returned = n - int(s["lost_from_base"]) - int(s["lost_new_in_window"])
    if returned:
        text += (
            " The other {returned:,} had lapsed before the window opened, came back during it "
            "and {were} lost again."
        )
    return markdown(
        text,
        days=window.lookback_days,
        end=f"{window.as_of:%d %b %Y}",
        n=n,
        plural="" if n == 1 else "s",
        base=int(s["active_at_start"]),
        base_plural="" if int(s["active_at_start"]) == 1 else "s",
        new_plural="" if int(s["new_in_window"]) == 1 else "s",
        were="was" if returned == 1 else "were",
        are="is" if int(s["retained_from_base"]) == 1 else "are",
        lost_base=int(s["lost_from_base"]),
        rate=share(s["churn_rate"]),
        low=share(s["churn_rate_low"]),
        high=share(s["churn_rate_high"]),
        kept=int(s["retained_from_base"]),
        lost_new=int(s["lost_new_in_window"]),
        new=int(s["new_in_window"]),
        returned=returned,
    )


def reason_story(reasons: pd.DataFrame) -> Markdown:
    """Say in words how many stated reasons are controllable.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["controllable", "uncontrollable"],
    ...     "reason": ["Price", "Moved"], "customers": [3, 1], "share": [0.75, 0.25]})
    >>> table.attrs.update(lost_with_reason=4, lost_without_reason=6)
    >>> print(reason_story(table).data)  # doctest: +ELLIPSIS
    4 of the 10 customers lost gave a reason. **75.0%** of them gave a reason the business...
    """
    with_reason = reasons.attrs.get("lost_with_reason", int(reasons["customers"].sum()))
    without = reasons.attrs.get("lost_without_reason", 0)
    if not with_reason:
        return markdown(
            "None of the customers lost in the window is in the reasons table, so the stated "
            "reasons say nothing about these losses."
        )
    ctrl = reasons.loc[reasons["group"] == CONTROLLABLE, "customers"].sum() / with_reason
    top = reasons.sort_values("customers", ascending=False).iloc[0]
    return markdown(
        "{n:,} of the {total:,} customer{plural} lost gave a reason. **{ctrl}** of them gave a "
        "reason the business can act on (controllable); the most common reason was "
        '"{top}" ({top_share}).',
        n=with_reason,
        total=with_reason + without,
        plural="" if with_reason + without == 1 else "s",
        ctrl=share(ctrl),
        top=str(top[S.REASON]),
        top_share=share(top["share"]),
    )


def behaviour_story(comparison: pd.DataFrame) -> Markdown:
    """Name the measures on which lost customers differed clearly from retained ones.

    Examples
    --------
    >>> comparison = pd.DataFrame({"measure": ["returns share"], "lost_mean": [0.2],
    ...     "retained_mean": [0.05], "difference": [0.15], "p_value": [0.001]})
    >>> print(behaviour_story(comparison).data)  # doctest: +ELLIPSIS
    Before they left, lost customers differed clearly (p < 0.05) on: returns share...
    """
    clear = comparison[comparison["p_value"] < 0.05]
    if clear.empty:
        return markdown(
            "None of the measures separates the lost customers clearly from those who stayed "
            "(no difference significant at 5%)."
        )
    parts = [
        f"{m} ({lost:.2f} against {kept:.2f})"
        for m, lost, kept in zip(
            clear["measure"], clear["lost_mean"], clear["retained_mean"], strict=True
        )
    ]
    return markdown(
        "Before they left, lost customers differed clearly (p < 0.05) on: {parts}. These are "
        "the signals the monthly review below watches for.",
        parts="; ".join(parts),
    )


def cost_story(
    status: pd.DataFrame, *, horizon_years: float, discount_rate: float, currency: str = ""
) -> Markdown:
    """Say in words what the losses cost.

    Examples
    --------
    >>> from retainkit.groundwork import churn_window, customer_status
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-06-01", "2023-12-20", "2024-12-01"]),
    ...     "revenue": [100.0, 50.0, 20.0]})
    >>> w = churn_window(frame, as_of="2024-12-31", churn_days=90)
    >>> st = customer_status(frame, w)
    >>> print(cost_story(st, horizon_years=1, discount_rate=0, currency="£").data)
    ... # doctest: +ELLIPSIS
    The 1 customer lost in the window was worth **£150 a year** in net revenue...
    """
    window: ChurnWindow = status.attrs["window"]
    if "annual_revenue" not in status:
        return markdown(
            "**This section needs revenue.** The data has no revenue column (nor quantity and "
            "unit price to derive it), so the cost of the losses cannot be measured."
        )
    if not window.feasible:
        return markdown("**Not enough history.** {note}", note=window.note)
    v = value_lost(status, horizon_years=horizon_years, discount_rate=discount_rate).iloc[0]
    basis = (
        "revenue minus cost"
        if status.attrs.get("profit_from_cost")
        else f"{status.attrs.get('margin', 0):.0%} margin on revenue"
    )
    share_text = (
        f"A year before the window they brought {share(v['lost_share_of_revenue'])} of all "
        "net revenue."
        if pd.notna(v["lost_share_of_revenue"])
        else "The data does not reach back a year before the window, so their earlier share "
        "of revenue is unknown."
    )
    return markdown(
        "The {n:,} customer{plural} lost in the window {were} worth **{rev} a year** in net "
        "revenue and **{profit} a year** in profit ({basis}). Kept for {years:g} more years and "
        "discounted at {rate:.0%} a year, that profit would have been worth **{ltv}** today. "
        "{share_text}",
        n=int(v["customers_lost"]),
        plural="" if int(v["customers_lost"]) == 1 else "s",
        were="was" if int(v["customers_lost"]) == 1 else "were",
        rev=money(v["revenue_lost"], currency),
        profit=money(v["profit_lost"], currency),
        basis=basis,
        years=horizon_years,
        rate=discount_rate,
        ltv=money(v["lifetime_profit_lost"], currency),
        share_text=share_text,
    )
