"""The lifetime value notebook's subscription section: sBG retention and residual value.

A subscription business (telecoms, software, memberships, boxes) bills its customers once
a month and sees when they leave. For such data the shifted-beta-geometric model (sBG,
:class:`retainkit.clv.ShiftedBetaGeoModel`) is the standard: this module tells from the
data whether it bills monthly (:func:`monthly_billing`, the one home of that rule), fits
the sBG on each subscriber's tenure in bills, and shows retention curves and the value of
subscribers by the renewals they have made (:func:`subscription_section`). Figures are built
without pyplot, so that a notebook shows each one once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from retainkit import display as D
from retainkit import schema as S
from retainkit.clv.sbg import ShiftedBetaGeoModel
from retainkit.display import Parts
from retainkit.engine._tenure import purchase_rhythm
from retainkit.exceptions import ConvergenceError, DataValidationError
from retainkit.plotting import plot_subscriber_retention_rate, plot_subscriber_survival
from retainkit.survival import kaplan_meier

__all__ = [
    "BILL_GAP_RANGE_DAYS",
    "MIN_AT_RISK",
    "MONTHLY_GAP_DAYS",
    "MONTHLY_SHARE",
    "RENEWALS_SHOWN",
    "monthly_billing",
    "monthly_rate",
    "subscriber_values",
    "subscription_section",
]

#: A customer pays monthly when the median gap between their purchase days is a calendar
#: month (28 to 31 days) ...
MONTHLY_GAP_DAYS = (28.0, 31.0)
#: ... and every gap stays within a couple of days of one (a bill moved by a weekend or a
#: retried payment): no second purchase in a month, no skipped month. Shops fail this:
#: even their regular buyers vary by more than a few days (in the demo shop, CDNOW and
#: Online Retail about 1% of the customers who bought twice or more pass; in the telco
#: preset every one).
BILL_GAP_RANGE_DAYS = (26.0, 33.0)
#: The data bills monthly when at least this share of the customers with two or more
#: purchase days pay monthly: a billing export has nearly all (a paused month or a changed
#: billing day costs a few), a shop a few percent.
MONTHLY_SHARE = 0.8
#: Months of the Kaplan-Meier curve drawn: those with at least this many subscribers at risk.
MIN_AT_RISK = 10
#: Renewals made for which the value table shows a subscriber's expected residual value.
RENEWALS_SHOWN = (0, 1, 3, 6, 12, 24)


def monthly_billing(transactions: Any, *, as_of: Any = None, missed_bills: int = 1) -> pd.DataFrame:
    """Read the data as monthly bills: each subscriber's tenure, whether they left, the verdict.

    The rule, from the data and not from its name: a customer **pays monthly** when the
    median gap between their purchase days is 28-31 days (:data:`MONTHLY_GAP_DAYS`) and
    every gap lies within 26-33 days (:data:`BILL_GAP_RANGE_DAYS`); the data **bills
    monthly** when at least 80% (:data:`MONTHLY_SHARE`) of the customers with two or more
    purchase days pay monthly. A subscriber's **tenure** is the number of bills (purchase
    days) they paid; they have **churned** when the bill due ``missed_bills`` calendar
    month(s) after their last one fell on or before the analysis date and did not come.

    With ``missed_bills=1`` a subscriber who misses one bill counts as lost: an export
    records a cancellation as the first bill not paid (the telco preset's churners paid
    their last bill one month before its end, and the rule matches its churn flag for
    every subscriber). A payment retried after the analysis date is then counted as a
    cancellation; ``missed_bills=2`` waits for a second missed bill, at the price of
    counting the last month's cancellations as still subscribed.

    Cancellations show in the data only from the earliest last bill of a subscriber who
    cancelled (``cancellations_from``). A snapshot of current customers plus the last
    month's cancellations (the telco preset) holds no one who left before that: the
    long-tenure subscribers in it are the survivors of their cohorts. ``entered`` counts
    each subscriber's bills before that date, the renewals they had made when the data
    began, for a fit that accounts for it
    (:meth:`~retainkit.clv.ShiftedBetaGeoModel.fit_durations` ``entered``); in a full
    history, where cancellations start early, it is small and changes little.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        Analysis date; default: the last order date.
    missed_bills : int
        Bills missed, 1 or more, after which a subscriber counts as lost.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase day, sorted by customer: ``customer_id``,
        ``periods`` (bills paid), ``renewals`` (``periods - 1``), ``last_bill`` (day),
        ``monthly_bill`` (revenue of the last bill; NaN without revenue), ``pays_monthly``
        (False for a single bill), ``churned`` and ``entered`` (bills paid before
        ``cancellations_from``: renewals made before the data shows any cancellation).
        ``attrs``: ``as_of``, ``cancellations_from`` (the earliest last bill of a
        subscriber who cancelled; NaT when nobody did), ``missed_bills``,
        ``repeat_customers`` (two or more purchase days), ``monthly_payers``,
        ``monthly_share`` (NaN without repeat customers) and ``bills_monthly`` (the
        verdict).

    Raises
    ------
    ValueError
        When ``missed_bills`` is not a whole number of 1 or more.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31",
    ...                                   "2024-01-31", "2024-02-29"]),
    ...     "revenue": [10.0, 10.0, 12.0, 5.0, 5.0]})
    >>> bills = monthly_billing(frame)  # b's bill due 2024-03-29 did not come
    >>> bills[["customer_id", "periods", "monthly_bill", "pays_monthly", "churned"]]
      customer_id  periods  monthly_bill  pays_monthly  churned
    0           a        3          12.0          True    False
    1           b        2           5.0          True     True
    >>> bills.attrs["bills_monthly"], bills.attrs["monthly_share"]
    (True, 1.0)
    """
    if isinstance(missed_bills, bool) or int(missed_bills) != missed_bills or missed_bills < 1:
        raise ValueError(f"missed_bills={missed_bills!r} must be a whole number of 1 or more")
    rhythm = purchase_rhythm(transactions, as_of=as_of)
    as_of = rhythm.attrs["as_of"]
    repeat = rhythm["purchase_days"] >= 2
    low, high = MONTHLY_GAP_DAYS
    first, last = BILL_GAP_RANGE_DAYS
    monthly = (
        repeat
        & rhythm["median_gap_days"].between(low, high)
        & (rhythm["min_gap_days"] >= first)
        & (rhythm["max_gap_days"] <= last)
    )
    # the bill due missed_bills calendar months after the last (same day, clipped to the
    # month's end) fell on or before the analysis date and is not in the data
    due = rhythm["last_purchase"] + pd.DateOffset(months=int(missed_bills))
    churned = (due <= as_of).astype(bool)
    # cancellations are seen from the first churner's last bill on: before it, the data
    # may hold only those who stayed (left truncation); bills paid before it are renewals
    # the subscriber had made when the data began
    seen_from = rhythm.loc[churned, "last_purchase"].min() if churned.any() else pd.NaT
    if pd.isna(seen_from):
        entered = pd.Series(0, index=rhythm.index)
    else:
        last = rhythm["last_purchase"]
        since = (last.dt.year - seen_from.year) * 12 + (last.dt.month - seen_from.month)
        paid = rhythm["purchase_days"]
        # every last bill is on or after seen_from (a stayer's next bill is due after
        # as_of, a churner's on or before it, and adding months keeps the order), so
        # `since` is never negative and the count at most paid - 1
        entered = (paid - since - 1).clip(lower=0)
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: rhythm[S.CUSTOMER_ID],
            "periods": rhythm["purchase_days"],
            "renewals": rhythm["purchase_days"] - 1,
            "last_bill": rhythm["last_purchase"],
            "monthly_bill": rhythm["last_day_revenue"],
            "pays_monthly": monthly.astype(bool),
            "churned": churned,
            "entered": entered.astype("int64"),
        }
    )
    n_repeat, n_monthly = int(repeat.sum()), int(monthly.sum())
    share = n_monthly / n_repeat if n_repeat else math.nan
    out.attrs = {
        "as_of": as_of,
        "cancellations_from": seen_from,
        "missed_bills": int(missed_bills),
        "repeat_customers": n_repeat,
        "monthly_payers": n_monthly,
        "monthly_share": share,
        "bills_monthly": bool(n_repeat > 0 and share >= MONTHLY_SHARE),
    }
    return out


def monthly_rate(discount_rate: float) -> float:
    """Return the monthly discount rate equivalent to a yearly one: (1 + d)^(1/12) - 1.

    Examples
    --------
    >>> round(monthly_rate(0.1), 6)
    0.007974
    """
    if not np.isfinite(discount_rate) or discount_rate < 0:
        raise ValueError(f"discount_rate={discount_rate!r} must be 0 or positive (a year)")
    return (1.0 + discount_rate) ** (1.0 / 12.0) - 1.0


def subscriber_values(
    model: ShiftedBetaGeoModel,
    *,
    renewals: Any = RENEWALS_SHOWN,
    monthly_value: float,
    discount_rate: float,
    horizon_years: float,
) -> pd.DataFrame:
    """Return a subscriber's chance of renewing, DERL and residual value by renewals made.

    Parameters
    ----------
    model : ShiftedBetaGeoModel
        Fitted on monthly bills.
    renewals : sequence of int
        Renewals made (a subscriber in their first month has made 0).
    monthly_value : float
        Margin a subscriber brings a month (monthly bill x margin), in money.
    discount_rate : float
        Yearly; months are discounted at ``(1 + d)^(1/12) - 1``.
    horizon_years : float
        For ``derl_within_horizon_months``.

    Returns
    -------
    pandas.DataFrame
        One row per entry of ``renewals``: ``renewals``, ``next_renewal_rate`` (chance of
        renewing at the next bill, r(renewals + 1)), ``derl_months`` (discounted expected
        months still to pay, the next bill included, see
        :meth:`~retainkit.clv.ShiftedBetaGeoModel.derl`), ``derl_within_horizon_months``
        (the same, counting the next ``12 x horizon_years`` bills only) and
        ``residual_value`` (``derl_months x monthly_value``).

    Examples
    --------
    >>> m = ShiftedBetaGeoModel()
    >>> m.params_ = {"alpha": 1.0, "beta": 1.0}
    >>> # r(1) = 1/2; DERL(0 renewals) at 0%: sum over t >= 1 of S(t) = 1/(t + 1), infinite;
    >>> # the next 12 bills: 1/2 + 1/3 + ... + 1/13 = 2.180134
    >>> subscriber_values(m, renewals=[0], monthly_value=10.0, discount_rate=0.0,
    ...                   horizon_years=1.0).round(6).iloc[0].tolist()
    [0.0, 0.5, inf, 2.180134, inf]
    """
    n = np.asarray(renewals, dtype="float64")
    rate = monthly_rate(discount_rate)
    months = round(12 * horizon_years)
    derl = np.atleast_1d(model.derl(rate, n))
    # within the horizon: sum over k < months of S(n + 1 + k) / S(n) / (1 + rate)^k
    steps = np.arange(months, dtype="float64")
    grid = n[:, None] + 1 + steps[None, :]
    survival = model.survival(np.unique(np.r_[n, grid.ravel()]).astype(int))
    ratio = survival.reindex(grid.ravel().astype(int)).to_numpy().reshape(grid.shape)
    ratio = ratio / survival.reindex(n.astype(int)).to_numpy()[:, None]
    within = (ratio * (1.0 + rate) ** -steps[None, :]).sum(axis=1)
    return pd.DataFrame(
        {
            "renewals": n.astype(int) if np.all(n == np.round(n)) else n,
            "next_renewal_rate": model.retention_rate(n.astype(int) + 1).to_numpy(),
            "derl_months": derl,
            "derl_within_horizon_months": within,
            "residual_value": derl * monthly_value,
        }
    )


def _observed(bills: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier survival by month and the monthly retention rate it implies."""
    # churned after p bills: lost at p; still subscribed: known to stay past p - 1
    durations = pd.DataFrame(
        {
            "months": np.where(bills["churned"], bills["periods"], bills["periods"] - 1),
            "lost": bills["churned"].to_numpy(bool),
            "entered": bills["entered"].to_numpy(),
        }
    )
    # counted from the renewals made before cancellations show in the data
    curve = kaplan_meier(durations, duration="months", event="lost", entry="entered")
    curve = curve.assign(retention_rate=1.0 - curve["events"] / curve["at_risk"])
    # the last months rest on a handful of subscribers (at the longest tenure only those
    # who cancelled are still at risk, and the curve would fall to 0): show the months
    # with at least MIN_AT_RISK subscribers at risk
    return curve[curve["at_risk"] >= MIN_AT_RISK].reset_index(drop=True)


def _spread_words(alpha: float, beta: float) -> str:
    """Say in words what alpha and beta tell about how subscribers differ."""
    if alpha < 1 and beta < 1:
        return (
            "Both are below 1: subscribers are polarised, many almost never cancel and many "
            "cancel at the first chance."
        )
    if alpha < 1:
        return (
            "With alpha below 1, a large group of subscribers is very unlikely ever to "
            "cancel, while a few cancel early."
        )
    if beta < 1:
        return "With beta below 1, a large group of subscribers cancels at almost the first chance."
    return (
        "Both are above 1: subscribers are fairly alike, so the retention rate rises only "
        "slowly with tenure."
    )


def subscription_section(
    dataset: Any,
    *,
    discount_rate: float,
    margin: float,
    horizon_years: float,
    currency: str,
) -> Parts:
    """Show, for subscription data, the sBG's retention curves and subscriber values.

    For data that bills monthly (see :func:`monthly_billing`) the sBG model is fitted to
    each subscriber's bills and churn (:meth:`ShiftedBetaGeoModel.fit_durations`); the
    section says what it found in words, draws survival and retention-rate curves (data,
    model, projection), tabulates DERL and residual value by renewals made, and values the
    current subscribers (:meth:`ShiftedBetaGeoModel.base_value`) and a new one. Money is
    the bill x ``margin``; months are discounted at the monthly equivalent of
    ``discount_rate``. For other data it is one line saying the purchase models apply.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its ``transactions``.
    discount_rate : float
        Yearly, e.g. 0.1.
    margin : float
        Gross margin (0-1) on the monthly bill.
    horizon_years : float
        For the column of months within the horizon and how far the curves are
        projected (at least this far, and half as far again as the data).
    currency : str

    Returns
    -------
    Parts
        Subscription data: Markdown story, a Figure (two panels), the value table (a
        Styler) and Markdown on values. Other data: one Markdown line.

    Examples
    --------
    >>> import retainkit as rk
    >>> ds = rk.load_dataset("cdnow_sample")
    >>> parts = subscription_section(ds, discount_rate=0.1, margin=0.3, horizon_years=5,
    ...                              currency="$")
    >>> len(parts), parts[0].data.startswith("The data does not look like monthly billing")
    (1, True)
    """
    bills = monthly_billing(dataset.transactions)
    info = bills.attrs
    if not info["bills_monthly"]:
        share = D.share(info["monthly_share"]) if info["repeat_customers"] else "none"
        return Parts(
            [
                D.markdown(
                    "The data does not look like monthly billing ({share} of the {n:,} "
                    "customers who bought on two or more days paid once a month; a "
                    "subscription export has {need} or more), so the purchase models below "
                    "(BG/NBD) apply rather than the subscription model (sBG).",
                    share=share,
                    n=info["repeat_customers"],
                    need=D.share(MONTHLY_SHARE, decimals=0),
                )
            ]
        )
    try:
        model = ShiftedBetaGeoModel().fit_durations(
            bills["periods"], bills["churned"], entered=bills["entered"]
        )
    except (ConvergenceError, DataValidationError) as exc:
        return Parts(
            [
                D.markdown(
                    "The data looks like monthly billing, but the subscription model (sBG) "
                    "could not be fitted ({why}); the purchase models below apply.",
                    why=str(exc),
                )
            ]
        )
    p = model.params_
    alpha, beta = p["alpha"], p["beta"]
    active = bills[~bills["churned"]]
    lost = int(bills["churned"].sum())
    last_month = int(bills["periods"].max())
    first_cancel = 1.0 - float(model.retention_rate([1]).iloc[0])
    later = 1.0 - model.retention_rate([12, 24])
    as_of = pd.Timestamp(info["as_of"])
    seen_from = info["cancellations_from"]
    earlier = float((bills["entered"] > 0).mean())
    truncation = (
        "\n\nThe first cancellation in the data is on {seen_from}, and {earlier} of the "
        "subscribers had joined before it. Data like this often holds only the subscribers "
        "still there by then (a snapshot of current customers and the latest cancellations), "
        "so those who cancelled earlier are missing and the long tenures in it are the "
        "survivors of their cohorts. The fit therefore counts each subscriber only from "
        "that date: their earlier renewals explain why they are in the data, not how loyal "
        "subscribers are. (Counting them from their start would make everyone look far "
        "more loyal, and the values below far too high.)"
        if earlier > 0
        else ""
    )
    story = D.markdown(
        "**This data looks like monthly billing**: {share} of the {repeat:,} customers with two "
        "or more bills paid once a calendar month, so it is read as subscriptions. A "
        "subscriber's tenure is their number of monthly bills; one whose next bill was due by "
        "{as_of} and did not come counts as having cancelled: **{lost:,}** of {n:,} "
        "subscribers ({lost_share}).\n\n"
        "The **shifted-beta-geometric model** (sBG; Fader & Hardie 2007) is made for such "
        "data: each subscriber has their own chance of cancelling at each monthly renewal, "
        "the same month after month, and these chances differ from one subscriber to the "
        "next. Fitted to the {n:,} subscribers' bills (alpha = {alpha:.3f}, beta = {beta:.3f}, "
        "log-likelihood {ll:,.1f}): on average **{first} of new subscribers cancel at the "
        "first renewal** (alpha / (alpha + beta)). {spread} So the share cancelling falls "
        "with tenure, to {m12} at the 12th renewal and {m24} at the 24th: no one changes "
        "their mind, but those likely to cancel have already gone and the loyal ones remain. "
        "Read the model beyond {last} months, the longest tenure in the data, as a "
        "projection." + truncation,
        share=D.share(info["monthly_share"]),
        repeat=info["repeat_customers"],
        as_of=f"{as_of:%Y-%m-%d}",
        lost=lost,
        n=len(bills),
        lost_share=D.share(lost / len(bills)),
        alpha=alpha,
        beta=beta,
        ll=model.log_likelihood_,
        first=D.share(first_cancel),
        spread=_spread_words(alpha, beta),
        m12=D.share(float(later.iloc[0])),
        m24=D.share(float(later.iloc[1])),
        last=last_month,
        seen_from=f"{seen_from:%Y-%m-%d}" if not pd.isna(seen_from) else "",
        earlier=D.share(earlier),
    )
    end = int(12 * math.ceil(max(12 * horizon_years, 1.5 * last_month) / 12))
    fig = Figure(figsize=(13, 5), layout="constrained")
    observed = _observed(bills)
    left, right = fig.subplots(1, 2)
    plot_subscriber_survival(observed, model=model, last_month=last_month, end_month=end, ax=left)
    plot_subscriber_retention_rate(
        observed, model=model, last_month=last_month, end_month=end, ax=right
    )

    parts: list[Any] = [story, fig]
    bill = float(active["monthly_bill"].mean()) if len(active) else math.nan
    if math.isnan(bill):
        parts.append(
            D.markdown(
                "The data has no revenue{why}, so the subscribers' value cannot be shown.",
                why="" if len(active) else " from current subscribers",
            )
        )
        return Parts(parts)
    rate = monthly_rate(discount_rate)
    values = subscriber_values(
        model,
        monthly_value=bill * margin,
        discount_rate=discount_rate,
        horizon_years=horizon_years,
    )
    now = active["renewals"].value_counts()
    values.insert(1, "subscribers_now", now.reindex(values["renewals"]).fillna(0).to_numpy())
    years = f"{horizon_years:g} year" + ("" if horizon_years == 1 else "s")
    shown = values.rename(
        columns={
            "renewals": "Renewals made",
            "subscribers_now": "Subscribers now",
            "next_renewal_rate": "Chance of renewing next month",
            "derl_months": "Expected months still to pay (DERL)",
            "derl_within_horizon_months": f"Of which in the next {years}",
            "residual_value": "Expected residual value",
        }
    )
    view = D.table(
        shown,
        currency=currency,
        money_columns=["Expected residual value"],
        share_columns=["Chance of renewing next month"],
        integer_columns=["Renewals made", "Subscribers now"],
        pretty_headers=False,
        caption=(
            f"A subscriber's expected future by renewals made: months discounted at "
            f"{D.share(discount_rate, decimals=0)} a year ({D.share(rate, decimals=2)} a "
            f"month), the next bill counted in full; value = months x "
            f"{D.money(bill, currency, decimals=2)} a month x {D.share(margin, decimals=0)} "
            "margin"
        ),
    )
    view = view.format(
        "{:.1f}",
        subset=["Expected months still to pay (DERL)", f"Of which in the next {years}"],
        na_rep="—",
    )
    # base_value sums customers[k] x value_per_period x DERL(k): with each renewal group's
    # monthly bills in place of its head count and the margin as value per period, every
    # subscriber is valued at their own bill
    base = model.base_value(
        active.groupby("renewals")["monthly_bill"].sum(),
        value_per_period=margin,
        discount_rate=rate,
    )
    derl_new = float(values.loc[values["renewals"] == 0, "derl_months"].iloc[0])
    new_value = (1.0 + derl_new / (1.0 + rate)) * bill * margin
    parts += [
        view,
        D.markdown(
            "**Value of the current subscribers: {base}** — the {k:,} {who} still paying, "
            "each at their own monthly bill x {margin} margin x the months they are expected "
            "still to pay (DERL for the renewals they have made), discounted at {d} a year. "
            "Long-standing subscribers are worth more than new ones at the same bill: they "
            "have shown they are among the loyal.\n\n"
            "**What a new subscriber is worth: {new}** — their first month plus, a month "
            "later, the {derl:.1f} discounted months a subscriber with no renewal yet is "
            "expected to pay, at the average bill of {bill} and {margin} margin. This is the "
            "most it can be worth paying to win one (the acquisition budget); keeping part "
            "of it as profit leaves the allowable acquisition cost.",
            base=D.money(base, currency),
            k=len(active),
            who="subscriber" if len(active) == 1 else "subscribers",
            margin=D.share(margin, decimals=0),
            d=D.share(discount_rate, decimals=0),
            new=D.money(new_value, currency),
            derl=derl_new,
            bill=D.money(bill, currency, decimals=2),
        ),
    ]
    return Parts(parts)
