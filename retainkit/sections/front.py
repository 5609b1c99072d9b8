"""The dashboard's front page: each notebook's headline figures, what changed, the call list.

``retainkit app`` opens on this page. Each ``*_headlines`` function runs the calls its
notebook makes for those figures, with the notebook's parameters under the same names,
and takes the figures from the function the notebook's own key figures come from, so
that the front page and the notebook page show the same numbers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.display import HTML

from retainkit.display import Parts, markdown
from retainkit.figures import KeyFigures, key_figures

__all__ = [
    "HEADLINES",
    "Headlines",
    "changes_section",
    "front_section",
    "groundwork_headlines",
    "lifetime_value_headlines",
    "segmentation_headlines",
    "write_call_list",
]

#: The key figures the front page shows of each notebook, in this order.
HEADLINES: dict[str, tuple[str, ...]] = {
    "01_groundwork": (
        "groundwork.customers_lost",
        "groundwork.churn_rate",
        "groundwork.revenue_lost_12m",
        "groundwork.lifetime_value_lost",
        "groundwork.call_list_size",
        "groundwork.call_list_value_at_risk",
    ),
    "02_segmentation": (
        "segmentation.customers",
        "segmentation.top20_revenue_share",
        "segmentation.champions",
        "segmentation.at_risk",
    ),
    "03_lifetime_value": (
        "ltv.retained_share_12m",
        "ltv.nrr_12m",
        "ltv.clv_mean",
        "ltv.clv_total",
    ),
}


@dataclass(frozen=True)
class Headlines:
    """One notebook's headline figures for the front page.

    Attributes
    ----------
    page : str
        The notebook's name (``"01_groundwork"``), a key of :data:`HEADLINES`.
    figures : KeyFigures
        The figures of ``HEADLINES[page]``, in that order.
    review : MonthlyReview or None
        The groundwork notebook's monthly review (its call list), else None.
    """

    page: str
    figures: KeyFigures
    review: Any = None


def _pick(page: str, *sets: KeyFigures) -> KeyFigures:
    """Keep the figures of ``HEADLINES[page]``, in its order."""
    by_name = {f.name: f for kf in sets for f in kf.figures}
    return key_figures([by_name[n] for n in HEADLINES[page]], currency=sets[0].currency)


def groundwork_headlines(
    dataset: Any,
    *,
    as_of: Any = "",
    churn_days: int = 0,
    lookback_days: int = 365,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    call_list_size: int = 50,
    risk_days: int = 180,
    review_months: int = 0,
    min_drop: float = 0.35,
    min_orders: int = 0,
    min_purchases: int = 0,
    max_variation: float = 0.5,
    overdue_factor: float = 3.0,
    range_months: int = 0,
    range_of_months: int = 0,
    quiet_months: int = 0,
) -> Headlines:
    """Return the groundwork notebook's headline figures and its monthly review.

    The options are the groundwork notebook's parameters of the same names (the app
    passes the notebook's values); the calls are the notebook's.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`.
    as_of, churn_days, lookback_days, margin, horizon_years, discount_rate
        The churn window and the value of the losses
        (:func:`retainkit.groundwork.churn_window`,
        :func:`retainkit.groundwork.loss_figures`).
    call_list_size, risk_days
        The call list (:func:`retainkit.alerts.monthly_review`; no backtest).
    review_months, min_drop, min_orders, min_purchases, max_variation, overdue_factor, \
range_months, range_of_months, quiet_months
        The early warnings' thresholds (:func:`retainkit.alerts.review_thresholds`).

    Returns
    -------
    Headlines
        ``figures``: customers lost and churn rate in the window, revenue lost over 12
        months, lifetime value lost, customers on the call list and their value at
        risk (:func:`retainkit.groundwork.loss_figures`,
        :func:`retainkit.sections.call_list_figures`); ``review``: the review.

    Examples
    --------
    >>> import pandas as pd, retainkit as rk
    >>> # a stops after 2024-01-10; b buys every 2-3 months; as_of: the last order
    >>> frame = pd.DataFrame({"customer_id": ["a", "a"] + ["b"] * 6,
    ...     "order_date": pd.to_datetime(["2023-11-01", "2024-01-10", "2023-11-20",
    ...         "2024-02-01", "2024-04-15", "2024-07-01", "2024-09-15", "2024-12-01"]),
    ...     "revenue": 10.0})
    >>> h = groundwork_headlines(rk.load_dataset(frame), churn_days=90)
    >>> figures = h.figures.to_dict()["figures"]  # both active at the window's start
    >>> figures["groundwork.customers_lost"], figures["groundwork.churn_rate"]
    (1, 0.5)
    """
    import pandas as pd

    from retainkit import alerts, groundwork
    from retainkit.assumptions import ValueAssumptions
    from retainkit.calls.backtest import CallListBacktest
    from retainkit.sections.call_list import call_list_figures

    tx = dataset.transactions
    window = groundwork.churn_window(
        tx, as_of=as_of, churn_days=churn_days, lookback_days=lookback_days
    )
    value = ValueAssumptions(
        margin=margin, horizon_years=horizon_years, discount_rate=discount_rate
    )
    status = groundwork.customer_status(
        tx, window, margin=value.margin, customers=dataset.customers
    )
    losses = groundwork.loss_figures(status, value=value, currency=dataset.currency)
    thresholds = alerts.review_thresholds(
        tx,
        as_of=window.as_of,
        months=review_months,
        min_drop=min_drop,
        min_orders=min_orders,
        min_purchases=min_purchases,
        max_variation=max_variation,
        overdue_factor=overdue_factor,
        min_months=range_months,
        of_months=range_of_months,
        quiet_months=quiet_months,
    )
    review = alerts.monthly_review(
        tx,
        as_of=window.as_of,
        call_list_size=call_list_size,
        horizon_days=risk_days,
        churn_days=window.churn_days,
        margin=margin,
        customers=dataset.customers,
        currency=dataset.currency,
        thresholds=thresholds,
    )
    # the headlines need the list, not its backtest (the slow part of the notebook's calls)
    unit = "purchase days" if review.calls.attrs.get("unit") == "purchase days" else "money"
    backtest = CallListBacktest(pd.NaT, 0, None, 0, 0.0, unit, "not computed for the front page")
    listed = call_list_figures(review, backtest, currency=dataset.currency)
    return Headlines("01_groundwork", _pick("01_groundwork", losses, listed), review)


def segmentation_headlines(
    dataset: Any,
    *,
    as_of: Any = "",
    churn_days: int = 0,
    rfm_bins: int = 5,
    segment_rules: str = "",
    loyal_purchases: int = 4,
    loyal_months: int = 6,
) -> Headlines:
    """Return the segmentation notebook's headline figures.

    The options are the segmentation notebook's parameters of the same names.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`.
    as_of, churn_days, rfm_bins, segment_rules, loyal_purchases, loyal_months
        As in the notebook: the RFM segments and the lifecycle stages.

    Returns
    -------
    Headlines
        ``figures``: customers, the top 20%'s share of revenue, Champions and At risk
        (:func:`retainkit.segmentation.segmentation_figures`).

    Examples
    --------
    >>> import pandas as pd, retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": list("abcde"),
    ...     "order_date": pd.to_datetime(["2024-01-05"] * 5),
    ...     "revenue": [60.0, 10.0, 10.0, 10.0, 10.0]})
    >>> h = segmentation_headlines(rk.load_dataset(frame))
    >>> h.figures.to_dict()["figures"]["segmentation.top20_revenue_share"]
    0.6
    """
    from retainkit import churn, engine, lifecycle, segmentation

    tx = dataset.transactions
    values = engine.customer_values(tx, as_of=as_of)
    segments = segmentation.assign_segments(
        segmentation.rfm_scores(values, bins=rfm_bins), rules=segment_rules
    )
    threshold = churn.resolve_churn_days(tx, churn_days, as_of=as_of)
    journeys = engine.purchase_journeys(
        tx, as_of=as_of, loyal_purchases=loyal_purchases, loyal_months=loyal_months
    )
    stages = lifecycle.lifecycle_stage(journeys, churn_days=threshold.days)
    figures = segmentation.segmentation_figures(
        values, segments=segments, stages=stages, currency=dataset.currency
    )
    return Headlines("02_segmentation", _pick("02_segmentation", figures))


def lifetime_value_headlines(
    dataset: Any,
    *,
    churn_days: int = 0,
    margin: float = 0.3,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    holdout_weeks: int = 0,
    comparison_customers: int = 20000,
    value_regular: bool = False,
) -> Headlines:
    """Return the lifetime value notebook's headline figures.

    The options are the lifetime value notebook's parameters of the same names. Only
    what these figures need is computed: the holdout check and the model choice (the
    values use the chosen purchase model, :func:`retainkit.sections.values_model`), no
    acquisition budget.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`.
    churn_days, margin, horizon_years, discount_rate, holdout_weeks, comparison_customers,
    value_regular
        As in the notebook: yearly retention, the model choice and the model lifetime
        values (:func:`retainkit.sections.model_values`).

    Returns
    -------
    Headlines
        ``figures``: the share of customers still active after 12 months, net revenue
        retention, and the lifetime value per customer and in all
        (:func:`retainkit.sections.lifetime_value_figures`).

    Examples
    --------
    >>> import pandas as pd, retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-05"])})
    >>> h = lifetime_value_headlines(rk.load_dataset(frame))
    >>> h.figures.to_dict()["reasons"]["ltv.clv_mean"]
    'the data has no revenue'
    """
    from retainkit import clv, metrics
    from retainkit.engine import customer_summary
    from retainkit.sections.customer_value import model_values
    from retainkit.sections.holdout import holdout_check
    from retainkit.sections.ltv_figures import lifetime_value_figures
    from retainkit.sections.model_choice import purchase_model_choice, values_model
    from retainkit.sections.models import fit_spend_model
    from retainkit.sections.revenue_retention import revenue_retention_row

    tx = dataset.transactions
    rates = metrics.retention_rates(tx, period="year", churn_days=churn_days)
    nrr = revenue_retention_row(tx)
    profit_margin, _ = clv.value.resolve_margin(tx, margin)
    summary = customer_summary(tx, time_unit="weeks", litt=True)
    bgnbd, fit_note = clv.fit_or_explain(clv.BetaGeoModel, summary)
    spend, spend_note = fit_spend_model(tx, summary)
    holdout = holdout_check(tx, holdout_weeks=holdout_weeks)
    choice = purchase_model_choice(tx, holdout, max_customers=comparison_customers)
    purchases, _ = values_model(
        choice, summary, reference=bgnbd, note=fit_note, regular=value_regular
    )
    forecast, values = model_values(
        purchases,
        spend,
        summary,
        horizon_years=horizon_years,
        discount_rate=discount_rate,
        margin=profit_margin,
    )
    figures = lifetime_value_figures(
        dataset,
        rates=rates,
        nrr=nrr,
        purchases=bgnbd,
        fit_note=fit_note,
        spend_note=spend_note,
        forecast=forecast,
        values=values,
        holdout=holdout,
        budget=None,
        horizon_years=horizon_years,
    )
    return Headlines("03_lifetime_value", _pick("03_lifetime_value", figures))


def write_call_list(review: Any, base: str) -> list[Path]:
    """Write the call sheet as ``base``.csv and ``base``.xlsx, as the groundwork notebook does.

    Parameters
    ----------
    review : MonthlyReview
        :attr:`Headlines.review` of :func:`groundwork_headlines`.
    base : str
        The groundwork notebook's ``call_list_file``; empty: write nothing.

    Returns
    -------
    list of Path
        The files written (none for an empty ``base``).

    Examples
    --------
    >>> write_call_list(None, "")
    []
    """
    if not base:
        return []
    from retainkit.calls import call_sheet
    from retainkit.io import write_table

    sheet = call_sheet(review.calls, review.winback)
    return [write_table(sheet, f"{base}{suffix}", overwrite=True) for suffix in (".csv", ".xlsx")]


def _link(href: str, text: str) -> str:
    return f"<a href='{html.escape(href, quote=True)}'>{html.escape(text)}</a>"


def front_section(
    headlines: Sequence[Headlines],
    *,
    pages: Mapping[str, tuple[str, str]],
    call_list_files: Sequence[str | Path] = (),
    files_url: str = "",
) -> Parts:
    """Show each notebook's headline figures under a link to its page, then the call list.

    Parameters
    ----------
    headlines : sequence of Headlines
        From :func:`groundwork_headlines`, :func:`segmentation_headlines` and
        :func:`lifetime_value_headlines`.
    pages : mapping
        Notebook name -> (title, address of its page).
    call_list_files : sequence of str or Path
        The call list files (:func:`write_call_list`); their names are linked.
    files_url : str
        Address of the folder the files are served from, ending in "/".

    Returns
    -------
    Parts
        Per notebook a heading linking to its page and its figures (a
        :class:`~retainkit.figures.KeyFigures` table), then the call list's links.

    Examples
    --------
    >>> from retainkit.figures import figure
    >>> h = Headlines("02_segmentation",
    ...               key_figures([figure("segmentation.customers", 5, "Customers")]))
    >>> parts = front_section([h], pages={"02_segmentation": ("Segments", "02.ipynb")})
    >>> parts[0].data
    "<h2><a href='02.ipynb'>Segments</a></h2>"
    >>> parts[-1].data[:33]
    'No call list file was written (`c'
    """
    parts: list[Any] = []
    for h in headlines:
        title, href = pages[h.page]
        parts += [HTML(f"<h2>{_link(href, title)}</h2>"), h.figures]
    if not call_list_files:
        parts.append(markdown("No call list file was written (`call_list_file` is empty)."))
        return Parts(parts)
    names = [Path(f).name for f in call_list_files]
    links = " and ".join(_link(f"{files_url}{n}", n) for n in names)
    parts.append(
        HTML(
            f"<p>The call list (customers to keep and to win back, with the columns to fill "
            f"in as you call): {links}.</p>"
        )
    )
    return Parts(parts)


def changes_section(
    previous: str | Path | None,
    groundwork: Headlines,
    transactions: Any,
    *,
    rows_shown: int = 20,
) -> Parts:
    """Say what changed since the previous review: who is new, who came back, what calls did.

    Parameters
    ----------
    previous : str or Path, optional
        Last month's run folder or call list file (the groundwork notebook's
        ``previous``; only read); empty: no comparison.
    groundwork : Headlines
        :func:`groundwork_headlines` (its review's call list and risk).
    transactions : Transactions, pandas.DataFrame or ibis Table
    rows_shown : int
        Rows of the table of customers whose place changed.

    Returns
    -------
    Parts
        :func:`retainkit.sections.previous_review`'s story and tables, or, without a
        previous review, a line saying how to give one.

    Examples
    --------
    >>> changes_section("", Headlines("01_groundwork", key_figures([])), None)[0].data[:29]
    'No previous review was given:'
    """
    if not previous:
        return Parts(
            [
                markdown(
                    "No previous review was given: start the app with `-p previous=DIR` "
                    "(last month's report folder, or its call list file) to see who is new "
                    "on the call list, who came back and what the calls achieved."
                )
            ]
        )
    from retainkit.sections.call_list import previous_review

    review = groundwork.review
    return previous_review(
        previous,
        review.calls,
        transactions,
        as_of=review.settings["as_of"],
        risk=review.risk,
        rows_shown=rows_shown,
    )
