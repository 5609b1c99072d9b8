"""The monthly review: every early warning the data allows, and the call list it annotates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from retainkit import calls, engine
from retainkit import schema as S
from retainkit.alerts.detectors import (
    DROPPED,
    FALLING,
    OVERDUE,
    dropped_categories,
    falling_order_value,
    overdue_regulars,
)
from retainkit.alerts.settings import ReviewThresholds
from retainkit.alerts.trend import order_value_trend


@dataclass(frozen=True)
class MonthlyReview:
    """The monthly review's results: the trend, each detector's list and the call list.

    Attributes
    ----------
    trend : pandas.DataFrame or None
        :func:`order_value_trend` (None without revenue).
    detectors : dict
        Detector name -> flagged customers (only the detectors the data allows).
    calls : pandas.DataFrame
        :func:`call_list`: the slipping customers to call, first ``call_list_size``.
    skipped : dict
        Detector name -> why it could not run.
    settings : dict
        What the review was built with: ``as_of``, the thresholds (as in
        :class:`ReviewThresholds`), ``call_list_size``, ``horizon_days``, ``margin`` and
        ``churn_days`` (as given; None: derived by the risk model).
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk` of every active customer.
    winback : pandas.DataFrame
        Customers to win back (already lost), ranked by their value in the last year.
    purchase_model : PurchaseModel or None
        :func:`retainkit.calls.fit_purchase_model`, the model behind ``risk`` (None when
        the review was given ``risk`` without it); a backtest can reuse its fits
        (:func:`retainkit.calls.backtest_call_list`).
    """

    trend: pd.DataFrame | None
    detectors: dict[str, pd.DataFrame]
    calls: pd.DataFrame
    skipped: dict[str, str]
    settings: dict[str, Any]
    risk: pd.DataFrame
    winback: pd.DataFrame
    purchase_model: calls.PurchaseModel | None = None

    @property
    def thresholds(self) -> ReviewThresholds:
        """The rule detectors' thresholds the review used."""
        return ReviewThresholds(**{k: self.settings[k] for k in ReviewThresholds.names()})

    def curve(self) -> pd.DataFrame:
        """Return :func:`retainkit.calls.calls_curve` of the slipping customers."""
        return calls.calls_curve(self.risk)

    def summary(self) -> pd.DataFrame:
        """Return one row per detector: what it looks for and how many it flagged.

        Examples
        --------
        >>> review = monthly_review(pd.DataFrame({"customer_id": ["a"],
        ...     "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [5.0]}))
        >>> review.summary()["customers_flagged"].tolist()  # no category column: no count
        [0, 0, <NA>]
        """
        s = self.settings
        definitions = {
            FALLING: (
                f"average order value down {s['min_drop']:.0%} or more, last {s['months']} "
                f"months against the {s['months']} before ({s['min_orders']}+ orders in each)"
            ),
            OVERDUE: (
                f"regular buyers ({s['min_purchases']}+ purchase days, gap variation at most "
                f"{s['max_variation']:.1f}) silent for {s['overdue_factor']:g} times their "
                "usual gap"
            ),
            DROPPED: (
                f"bought a range in {s['min_months']}+ of {s['of_months']} months, none in the "
                f"last {s['quiet_months']} months, still buying other ranges"
            ),
        }
        rows = []
        for name, definition in definitions.items():
            flagged = self.detectors.get(name)
            rows.append(
                {
                    "warning": name,
                    "definition": definition,
                    "customers_flagged": (
                        None if flagged is None else int(flagged[S.CUSTOMER_ID].nunique())
                    ),
                    "note": self.skipped.get(name, ""),
                }
            )
        out = pd.DataFrame(rows)
        out["customers_flagged"] = out["customers_flagged"].astype("Int64")
        return out


def monthly_review(
    transactions: Any,
    *,
    thresholds: ReviewThresholds | None = None,
    as_of: Any = None,
    call_list_size: int = 50,
    horizon_days: int = 180,
    churn_days: int | None = None,
    winback_below: float = 0.1,
    purchase_model: calls.PurchaseModel | None = None,
    risk: pd.DataFrame | None = None,
    margin: float | None = None,
    customers: pd.DataFrame | None = None,
    currency: str = "",
) -> MonthlyReview:
    """Run every early warning the data allows and build the call list.

    The call list ranks every active customer who is slipping away by expected value at
    risk (:func:`retainkit.calls.customer_risk`); the rule detectors add their warnings
    to the lines of the customers they flag. The order-value checks need revenue and the
    range check needs categories; the ones the data cannot support are listed in
    ``skipped`` with the reason. :func:`review_thresholds` gives thresholds that fit the
    data's rhythm.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    thresholds : ReviewThresholds, optional
        The rule detectors' thresholds; default ``ReviewThresholds()``.
        :func:`review_thresholds` fits them to the data's rhythm.
    as_of : date-like, optional
    call_list_size : int
        Customers on the call list (0: every slipping customer with value at risk).
    horizon_days, churn_days, winback_below, purchase_model
        See :func:`retainkit.calls.customer_risk`.
    risk : pandas.DataFrame, optional
        A :func:`retainkit.calls.customer_risk` computed already for this ``as_of``
        (scenario controls reuse it instead of refitting the model).
    margin : float, optional
        Gross margin for profit when the data has no cost.
    customers : pandas.DataFrame, optional
        Attributes shown in the call list.
    currency : str
        Currency symbol for the warning texts.

    Returns
    -------
    MonthlyReview

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a"] * 4,
    ...     "order_date": pd.to_datetime(["2024-08-01", "2024-09-01", "2024-11-01",
    ...                                   "2024-12-01"]),
    ...     "revenue": [100.0, 100.0, 40.0, 60.0]})
    >>> review = monthly_review(
    ...     frame, as_of="2024-12-31", thresholds=ReviewThresholds(min_orders=2))
    >>> review.calls[["customer_id", "reasons"]].to_dict("records")  # doctest: +ELLIPSIS
    [{'customer_id': 'a', 'reasons': 'falling order value: average order down 50%...'}]
    """
    t = ReviewThresholds() if thresholds is None else thresholds
    as_of = engine.resolve_as_of(transactions, as_of)
    table = engine.as_table(transactions)
    detectors: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    trend = None
    if S.REVENUE in table.columns:
        trend = order_value_trend(transactions, as_of=as_of, months=t.months)
        detectors[FALLING] = falling_order_value(
            transactions,
            as_of=as_of,
            months=t.months,
            min_orders=t.min_orders,
            min_drop=t.min_drop,
            currency=currency,
        )
    else:
        skipped[FALLING] = "needs revenue"
    detectors[OVERDUE] = overdue_regulars(
        transactions,
        as_of=as_of,
        min_purchases=t.min_purchases,
        max_variation=t.max_variation,
        overdue_factor=t.overdue_factor,
    )
    if S.CATEGORY in table.columns:
        detectors[DROPPED] = dropped_categories(
            transactions,
            as_of=as_of,
            min_months=t.min_months,
            of_months=t.of_months,
            quiet_months=t.quiet_months,
        )
    else:
        skipped[DROPPED] = "needs a product category column"
    if risk is None:
        if purchase_model is None:
            purchase_model = calls.fit_purchase_model(
                transactions, as_of=as_of, holdout_days=horizon_days
            )
        risk = calls.customer_risk(
            transactions,
            as_of=as_of,
            horizon_days=horizon_days,
            churn_days=churn_days,
            winback_below=winback_below,
            margin=margin,
            purchase_model=purchase_model,
            currency=currency,
        )
    reasons = calls.reasons_by_customer(detectors)
    shown = {"size": call_list_size, "reasons": reasons, "customers": customers}
    ranked = calls.rank_calls(risk, **shown)
    winback = calls.rank_calls(risk, group=calls.WIN_BACK, **shown)
    settings = {
        "as_of": as_of,
        **t.to_dict(),
        "call_list_size": call_list_size,
        "margin": margin,
        "churn_days": churn_days,
        "horizon_days": risk.attrs.get("horizon_days", horizon_days),
    }
    return MonthlyReview(trend, detectors, ranked, skipped, settings, risk, winback, purchase_model)


def call_list(
    risk: pd.DataFrame,
    alerts: Mapping[str, pd.DataFrame],
    *,
    size: int | None = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the call list: slipping customers by value at risk, with the rules' warnings.

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk`.
    alerts : mapping
        Detector name -> output of a detector (needs ``customer_id`` and ``warning``);
        their warnings become the ``reasons`` of each customer's line.
    size : int, optional
        Length of the list; None or 0 keeps every slipping customer with value at risk.
    customers : pandas.DataFrame, optional
        Attributes to show beside each customer.

    Returns
    -------
    pandas.DataFrame
        :func:`retainkit.calls.rank_calls` of the ``slipping`` group.

    Examples
    --------
    >>> risk = pd.DataFrame({"customer_id": ["a", "b"], "group": "slipping",
    ...     "value_at_risk": [5.0, 9.0], "p_alive": 0.5, "value_recent": 10.0,
    ...     "value_year": 10.0, "expected_value": 4.0, "evidence": "",
    ...     "last_purchase": pd.Timestamp("2024-01-01"), "days_since_last_purchase": 9})
    >>> flags = {"x": pd.DataFrame({"customer_id": ["a"], "warning": ["w1"]})}
    >>> call_list(risk, flags)[["rank", "customer_id", "reasons"]]
       rank customer_id reasons
    0     1           b
    1     2           a   x: w1
    """
    return calls.rank_calls(
        risk, size=size, reasons=calls.reasons_by_customer(alerts), customers=customers
    )
