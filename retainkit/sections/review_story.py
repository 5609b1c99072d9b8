"""What the monthly review shows its reader: the story, the trend verdict, the detectors' tables."""

from __future__ import annotations

from typing import Any

from IPython.display import Markdown

from retainkit import calls
from retainkit import schema as S
from retainkit.alerts.review import MonthlyReview
from retainkit.alerts.trend import monthly_order_value
from retainkit.display import Parts, markdown, money, share, table


def review_story(review: MonthlyReview, *, currency: str = "") -> Markdown:
    """Say in words what the call list holds and what to do next.

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit.alerts import ReviewThresholds, monthly_review
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = monthly_review(
    ...     frame, as_of="2024-12-31", thresholds=ReviewThresholds(min_orders=2))
    >>> print(review_story(review, currency="£").data)  # doctest: +ELLIPSIS
    The model expects the 1 customer who bought in the last 180 days (and does not count as lost)...
    """
    risk, ranked = review.risk, review.calls
    days = review.settings["horizon_days"]
    slipping = risk[(risk["group"] == calls.SLIPPING) & (risk["value_at_risk"] > 0)]
    n_back = int((risk["group"] == calls.WIN_BACK).sum())
    value = risk.attrs.get("value", "value")
    unit = risk.attrs.get("unit", "money")

    def amount(v: float) -> str:
        return money(v, currency) if unit == "money" else f"{v:,.0f} purchase days"

    back = (
        f" Another {n_back:,} customer{'' if n_back == 1 else 's'} already count as lost and "
        "have nothing left at risk or little chance of still buying: they are listed "
        "separately below, to win back."
        if n_back
        else ""
    )
    if slipping.empty:
        return markdown(
            "No active customer is expected to spend less in the next {days} days than in the "
            "last {days}: nobody is slipping away by this measure.{back}",
            days=days,
            back=back,
        )
    total = slipping["value_at_risk"].sum()
    top = ranked["value_at_risk"].sum()
    n = len(slipping)
    quiet = int(risk.set_index(S.CUSTOMER_ID)["quiet"].reindex(ranked[S.CUSTOMER_ID]).sum())
    return markdown(
        "The model expects the {n:,} customer{plural} who bought in the last {days} days (and {do} "
        "not count as lost) to bring {total} less {value} in the next {days} days than in the "
        "last {days}: that is the value at risk. "
        "**The {shown:,} customers on the call list hold {top} ({top_share}) of it**: call them "
        "in the order shown, and ask what changed. Of them, {quiet} gone quiet for at least "
        "their usual gap; {busy} still buying but expected to spend less than in the last "
        "{days} days (the evidence column says which): for those, a call to review the "
        "account. The model knows no seasons: if the last {days} days held your "
        "busy season, part of the shortfall is the season.{back} {model}",
        n=n,
        plural="" if n == 1 else "s",
        do="does" if n == 1 else "do",
        total=amount(total),
        value=value,
        days=days,
        shown=len(ranked),
        top=amount(top),
        top_share=share(top / total) if total else "—",
        quiet=f"{quiet:,} {'has' if quiet == 1 else 'have'}",
        busy=f"{len(ranked) - quiet:,} {'is' if len(ranked) - quiet == 1 else 'are'}",
        back=back,
        model=risk.attrs.get("model_note", ""),
    )


def trend_section(review: MonthlyReview, transactions: Any, *, currency: str = "") -> Parts:
    """Return what the order-value trend part of the review shows: a verdict and a plot.

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit.alerts import monthly_review
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> trend_section(monthly_review(frame), frame)[0].data
    'The order-value checks need revenue; the data has none.'
    """
    import matplotlib.pyplot as plt

    from retainkit.plotting import plot_order_value_trend

    if review.trend is None:
        return Parts([markdown("The order-value checks need revenue; the data has none.")])
    fig, ax = plt.subplots(figsize=(10, 3.6))
    monthly = monthly_order_value(transactions, as_of=review.settings["as_of"])
    plot_order_value_trend(monthly, review.trend, currency=currency, ax=ax)
    plt.close(fig)
    return Parts([markdown("**{verdict}**", verdict=review.trend["verdict"].iloc[0]), fig])


def detector_tables(review: MonthlyReview, *, currency: str = "", rows_shown: int = 20) -> Parts:
    """Return one table per rule detector: the customers it flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> from retainkit.alerts import monthly_review
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    >>> len(detector_tables(monthly_review(frame)))  # only the overdue check runs
    1
    """
    out = Parts()
    for name, flagged in review.detectors.items():
        out.append(
            table(
                flagged.drop(columns="warning"),
                currency=currency,
                max_rows=rows_shown,
                money_columns=[
                    c for c in ("order_value_previous", "order_value_recent") if c in flagged
                ],
                share_columns=["change"] if "change" in flagged else [],
                date_columns=[c for c in ("last_purchase", "last_month") if c in flagged],
                caption=f"{name.capitalize()}: {len(flagged):,} customers",
            )
        )
    return out
