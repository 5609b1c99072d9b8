"""The lifetime value notebook's holdout check of the purchase model on unseen weeks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from retainkit.clv import BetaGeoModel, fit_or_explain, validation
from retainkit.display import Parts, markdown, table
from retainkit.plotting import plot_holdout_by_frequency, plot_tracking

__all__ = [
    "HoldoutCheck",
    "holdout_check",
    "holdout_figure",
    "holdout_section",
]


@dataclass(frozen=True)
class HoldoutCheck:
    """A purchase model refitted up to a calibration date and scored on the weeks after.

    Attributes
    ----------
    calibration_end : pandas.Timestamp or None
        Last day of the calibration period; None when the history is too short.
    weeks : int
        Holdout weeks (0 without a holdout).
    note : str
        Why there is no check, or the calibration fit's fallback note.
    calibration : pandas.DataFrame or None
        :func:`retainkit.clv.validation.calibration_holdout`.
    model : BetaGeoModel or None
        Fitted on the calibration period.
    predictions : pandas.DataFrame or None
        :func:`retainkit.clv.validation.holdout_predictions`.
    scorecard : pandas.DataFrame or None
        :func:`retainkit.clv.validation.holdout_scorecard`: the model's row, then the
        naive forecast's (``mae_per_customer``, ``predicted_total``, ``actual_total``,
        ``total_error``, ...); None without a check.
    """

    calibration_end: pd.Timestamp | None
    weeks: int
    note: str
    calibration: pd.DataFrame | None = None
    model: Any = None
    predictions: pd.DataFrame | None = None
    scorecard: pd.DataFrame | None = None


def holdout_check(transactions: Any, *, holdout_weeks: int = 0) -> HoldoutCheck:
    """Refit BG/NBD on the history up to a calibration date and score it on the rest.

    Parameters
    ----------
    transactions : Transactions
        ``dataset.transactions`` of :func:`retainkit.load_dataset`.
    holdout_weeks : int
        Weeks held out (0: :func:`retainkit.clv.validation.holdout_plan` chooses).

    Returns
    -------
    HoldoutCheck

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-20"])})
    >>> check = holdout_check(rk.load_transactions(frame))
    >>> check.scorecard is None, check.note != ""
    (True, True)
    """
    quality = transactions.quality
    end, weeks, note = validation.holdout_plan(
        quality.first_date, quality.last_date, holdout_weeks=holdout_weeks
    )
    if end is None:
        return HoldoutCheck(end, weeks, note)
    # with litt, so that the model choice fits the regularity models on the same frame
    cal = validation.calibration_holdout(transactions, calibration_end=end, litt=True)
    model, note = fit_or_explain(BetaGeoModel, cal)
    if model is None:
        return HoldoutCheck(end, weeks, note, cal)
    predictions = validation.holdout_predictions(model, cal)
    scorecard = validation.holdout_scorecard(predictions)
    return HoldoutCheck(end, weeks, note, cal, model, predictions, scorecard)


def holdout_section(check: HoldoutCheck) -> Parts:
    """Show the holdout scorecard and read it: totals, error per customer, naive forecast.

    Parameters
    ----------
    check : HoldoutCheck
        :func:`holdout_check`.

    Returns
    -------
    Parts
        The scorecard table and a sentence saying whether the model beats the naive
        forecast per customer; or why there is no check.

    Examples
    --------
    >>> holdout_section(HoldoutCheck(None, 0, "history too short."))[0].data
    '**No holdout check:** history too short.'
    """
    card = check.scorecard
    if card is None:
        return Parts(
            [
                markdown("**No holdout check:** {note}.", note=check.note.rstrip(".")),
                markdown("Without a holdout there is no scorecard."),
            ]
        )
    shown = table(
        card.rename(
            columns={
                "mae_per_customer": "mean absolute error per customer",
                "rmse_per_customer": "root mean squared error per customer",
            }
        ),
        share_columns=["total_error"],
        integer_columns=["actual_total"],
        decimals=2,
        caption=f"Holdout scorecard: {check.weeks} weeks after {check.calibration_end:%d %b %Y}, "
        f"{len(check.calibration):,} customers acquired by then (repeat purchase days)",
    )
    model_row, naive_row = card.iloc[0], card.iloc[1]
    better = model_row["mae_per_customer"] < naive_row["mae_per_customer"]
    story = markdown(
        "Over the {w} holdout weeks the model expected **{pred:,.0f}** repeat purchases and "
        "there were **{act:,.0f}** ({err:+.1%}). Per customer it is off by **{mae:.2f}** "
        "purchases on average, against **{naive:.2f}** for the naive forecast: {verdict}",
        verdict=(
            "the model forecasts individual customers better."
            if better
            else "the model is no better than the naive forecast per customer here, so use its "
            "totals and rankings rather than its exact per-customer numbers."
        ),
        w=check.weeks,
        pred=model_row["predicted_total"],
        act=model_row["actual_total"],
        err=model_row["total_error"],
        mae=model_row["mae_per_customer"],
        naive=naive_row["mae_per_customer"],
    )
    return Parts([shown, story])


def holdout_figure(transactions: Any, check: HoldoutCheck) -> Parts:
    """Plot the holdout: cumulative repeat purchases by week, and by past frequency.

    The figure is closed in pyplot, so that a notebook shows it once.

    Parameters
    ----------
    transactions : Transactions
        For :func:`retainkit.clv.validation.tracking_table`.
    check : HoldoutCheck
        :func:`holdout_check`.

    Returns
    -------
    Parts
        One figure of two panels, or nothing without a check.

    Examples
    --------
    >>> len(holdout_figure(None, HoldoutCheck(None, 0, "too short")))
    0
    """
    if check.scorecard is None:
        return Parts([])
    tracking = validation.tracking_table(
        transactions, check.model, calibration_end=check.calibration_end
    )
    by_frequency = validation.holdout_by_frequency(check.predictions)
    fig, axes = plt.subplots(1, 2, figsize=(15, 4.5))
    plot_tracking(tracking, ax=axes[0])
    plot_holdout_by_frequency(by_frequency, ax=axes[1])
    fig.tight_layout()
    plt.close(fig)
    return Parts([fig])
