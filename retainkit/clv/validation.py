"""Does the purchase model predict? Fit on a calibration period, check on a holdout.

:func:`calibration_holdout` splits the log at a calibration date: the summary up to it
(what the model is fitted on) and each customer's repeat purchase days in the holdout
after it. :func:`holdout_predictions` sets the model's forecast next to what happened,
:func:`holdout_scorecard` scores it against a naive baseline, and
:func:`holdout_by_frequency` and :func:`tracking_table` feed the standard plots.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.exceptions import DataValidationError
from retainkit.units import days_per

__all__ = [
    "calibration_holdout",
    "compare_models",
    "compare_purchase_models",
    "default_calibration_end",
    "fit_compared_models",
    "holdout_by_frequency",
    "holdout_plan",
    "holdout_predictions",
    "holdout_scorecard",
    "tracking_table",
]


def default_calibration_end(
    first_date: Any, last_date: Any, *, holdout_weeks: int = 0
) -> tuple[pd.Timestamp, int]:
    """Choose the calibration end: ``holdout_weeks`` before the last day.

    Parameters
    ----------
    first_date, last_date : date-like
        The data's first and last order dates.
    holdout_weeks : int
        Weeks held out; 0 = a third of the history, at most 52 weeks and at least 4.

    Returns
    -------
    (pandas.Timestamp, int)
        The calibration end (last day of the calibration period) and the holdout weeks.

    Raises
    ------
    DataValidationError
        When the history is too short to hold out that much (the calibration period
        must keep at least twice as long).

    Examples
    --------
    >>> default_calibration_end("2022-01-01", "2024-12-31")
    (Timestamp('2024-01-02 00:00:00'), 52)
    """
    first, last = pd.Timestamp(first_date).normalize(), pd.Timestamp(last_date).normalize()
    span_weeks = (last - first).days / 7
    weeks = int(holdout_weeks) if holdout_weeks else int(min(52, max(4, span_weeks // 3)))
    if span_weeks < 3 * weeks - 1e-9 or weeks <= 0:
        raise DataValidationError(
            f"the data covers {span_weeks:.0f} weeks, too short to hold out {weeks} weeks and "
            "keep twice as long to fit on; pass a smaller holdout_weeks or use more history"
        )
    return last - pd.Timedelta(weeks=weeks), weeks


def holdout_plan(
    first_date: Any, last_date: Any, *, holdout_weeks: int = 0
) -> tuple[pd.Timestamp | None, int, str]:
    """Like :func:`default_calibration_end`, but says why instead of raising.

    Returns
    -------
    (pandas.Timestamp or None, int, str)
        The calibration end, the holdout weeks and "" -- or None, 0 and the reason.

    Examples
    --------
    >>> holdout_plan("2024-01-01", "2024-02-01")[0] is None
    True
    """
    try:
        end, weeks = default_calibration_end(first_date, last_date, holdout_weeks=holdout_weeks)
    except DataValidationError as exc:
        return None, 0, str(exc).split(";")[0]
    return end, weeks, ""


def calibration_holdout(
    transactions: Any,
    *,
    calibration_end: Any,
    holdout_end: Any = None,
    time_unit: str = "weeks",
    litt: bool = False,
) -> pd.DataFrame:
    """Split at ``calibration_end``: the calibration summary and the holdout purchases.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    calibration_end : date-like
        Last day of the calibration period.
    holdout_end : date-like, optional
        Last day of the holdout; default: last order date.
    time_unit : {"days", "weeks", "months", "years"}
        Unit of ``recency``, ``T`` and ``duration_holdout``.
    litt : bool
        Add the calibration's ``litt`` (the sum of the logs of the times between
        purchase days), which the regularity models need.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase by ``calibration_end``: the columns of
        :func:`retainkit.customer_summary` at ``calibration_end`` (``litt`` too with
        ``litt=True``) plus
        ``frequency_holdout`` (purchase days in the holdout), ``duration_holdout`` and,
        with revenue, ``revenue_holdout``. ``attrs``: ``time_unit``, ``as_of`` (the
        calibration end), ``calibration_end``, ``holdout_end``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-02-05",
    ...                                   "2024-01-08", "2024-02-01"])})
    >>> ch = calibration_holdout(frame, calibration_end="2024-01-28",
    ...                          holdout_end="2024-02-25")
    >>> # a: first 01-01, T = 27 days; b: T = 20 days; c starts in the holdout: left out
    >>> ch[["customer_id", "frequency", "T", "frequency_holdout", "duration_holdout"]].round(3)
      customer_id  frequency      T  frequency_holdout  duration_holdout
    0           a          1  3.857                  1               4.0
    1           b          0  2.857                  0               4.0
    """
    cal_end = pd.Timestamp(calibration_end).normalize()
    end = engine.resolve_as_of(transactions, holdout_end)
    if end <= cal_end:
        raise DataValidationError(
            f"the holdout ends on {end:%Y-%m-%d}, not after the calibration end "
            f"{cal_end:%Y-%m-%d}; choose an earlier calibration_end"
        )
    cal = engine.customer_summary(transactions, as_of=cal_end, time_unit=time_unit, litt=litt)
    full = engine.customer_summary(transactions, as_of=end, time_unit=time_unit)
    later = full.set_index(S.CUSTOMER_ID).reindex(cal[S.CUSTOMER_ID])
    out = cal.copy()
    out["frequency_holdout"] = (
        later["purchase_days"].to_numpy() - cal["purchase_days"].to_numpy()
    ).astype("int64")
    out["duration_holdout"] = (end - cal_end).days / days_per(time_unit)
    if "revenue" in cal.columns:
        out["revenue_holdout"] = later["revenue"].to_numpy() - cal["revenue"].to_numpy()
    out.attrs = {
        "time_unit": time_unit,
        "as_of": cal_end,
        "calibration_end": cal_end,
        "holdout_end": end,
    }
    return out


def holdout_predictions(purchases: BetaGeoModel, cal_holdout: pd.DataFrame) -> pd.DataFrame:
    """Per customer: predicted and actual repeat purchases in the holdout.

    Parameters
    ----------
    purchases : BetaGeoModel
        Fitted on the calibration columns of ``cal_holdout``.
    cal_holdout : pandas.DataFrame
        :func:`calibration_holdout` output.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency`` (calibration), ``actual``, ``predicted`` (the
        model) and ``naive`` (the customer's calibration rate of repeat purchases,
        frequency / T, times the holdout length).

    Examples
    --------
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> m.time_unit_ = "weeks"
    >>> ch = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
    ...                    "T": [38.86], "frequency_holdout": [1], "duration_holdout": [39.0]})
    >>> holdout_predictions(m, ch).round(3)
      customer_id  frequency  actual  predicted  naive
    0           a          2       1      1.226  2.007
    """
    duration = float(cal_holdout["duration_holdout"].iloc[0]) if len(cal_holdout) else 0.0
    x = cal_holdout["frequency"].to_numpy(dtype="float64")
    T = cal_holdout["T"].to_numpy(dtype="float64")
    naive = np.where(T > 0, x / np.where(T > 0, T, 1.0), 0.0) * duration
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: cal_holdout[S.CUSTOMER_ID].to_numpy(),
            "frequency": cal_holdout["frequency"].to_numpy(),
            "actual": cal_holdout["frequency_holdout"].to_numpy(),
            "predicted": purchases.expected_purchases(cal_holdout, t=duration).to_numpy(),
            "naive": naive,
        }
    )
    out.attrs = {"duration_holdout": duration, "time_unit": purchases.time_unit_}
    return out


def holdout_scorecard(predictions: pd.DataFrame) -> pd.DataFrame:
    """Score the model's holdout forecast against the naive baseline.

    Parameters
    ----------
    predictions : pandas.DataFrame
        :func:`holdout_predictions` output.

    Returns
    -------
    pandas.DataFrame
        One row per method (``BG/NBD model``, ``naive: calibration rate``):
        ``predicted_total``, ``actual_total``, ``total_error`` (share, signed),
        ``mae_per_customer`` (mean absolute error, repeat purchases per customer) and
        ``rmse_per_customer``.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [1, 0],
    ...                   "actual": [2, 0], "predicted": [1.5, 0.5], "naive": [3.0, 0.0]})
    >>> holdout_scorecard(p)[["method", "predicted_total", "mae_per_customer"]]
                        method  predicted_total  mae_per_customer
    0             BG/NBD model              2.0               0.5
    1  naive: calibration rate              3.0               0.5
    """
    actual = predictions["actual"].to_numpy(dtype="float64")
    rows = []
    for method, col in (("BG/NBD model", "predicted"), ("naive: calibration rate", "naive")):
        pred = predictions[col].to_numpy(dtype="float64")
        total = float(pred.sum())
        rows.append(
            {
                "method": method,
                "predicted_total": total,
                "actual_total": float(actual.sum()),
                "total_error": total / actual.sum() - 1 if actual.sum() > 0 else np.nan,
                "mae_per_customer": float(np.mean(np.abs(pred - actual))) if len(pred) else np.nan,
                "rmse_per_customer": (
                    float(np.sqrt(np.mean((pred - actual) ** 2))) if len(pred) else np.nan
                ),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs = dict(predictions.attrs)
    return out


def holdout_by_frequency(predictions: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency.

    Parameters
    ----------
    predictions : pandas.DataFrame
        :func:`holdout_predictions` output.
    max_frequency : int
        Frequencies from this on are pooled into one group (labelled ``"7+"``).

    Returns
    -------
    pandas.DataFrame
        ``frequency`` (text label), ``customers``, ``actual``, ``predicted``, ``naive``
        (means per customer).

    Examples
    --------
    >>> p = pd.DataFrame({"frequency": [0, 0, 1, 9], "actual": [0, 1, 2, 5],
    ...                   "predicted": [0.2, 0.2, 1.0, 6.0], "naive": [0, 0, 1.0, 8.0]})
    >>> holdout_by_frequency(p, max_frequency=2)[["frequency", "customers", "actual"]]
      frequency  customers  actual
    0         0          2     0.5
    1         1          1     2.0
    2        2+          1     5.0
    """
    capped = np.minimum(predictions["frequency"].to_numpy(), max_frequency)
    frame = predictions.assign(_group=capped)
    out = (
        frame.groupby("_group", sort=True)
        .agg(
            customers=("actual", "size"),
            actual=("actual", "mean"),
            predicted=("predicted", "mean"),
            naive=("naive", "mean"),
        )
        .reset_index()
    )
    out.insert(
        0,
        "frequency",
        [f"{int(g)}+" if g == max_frequency else str(int(g)) for g in out["_group"]],
    )
    out = out.drop(columns="_group")
    out.attrs = dict(predictions.attrs)
    return out


def tracking_table(
    transactions: Any,
    purchases: BetaGeoModel,
    *,
    calibration_end: Any,
    holdout_end: Any = None,
) -> pd.DataFrame:
    """Cumulative repeat purchases week by week: actual against the model.

    Only customers whose first purchase falls on or before ``calibration_end`` count,
    as in the fit. The model's expectation sums, over first-purchase days, the
    customers acquired that day times E[X(t)] for the time since.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    purchases : BetaGeoModel
        Fitted on the calibration period.
    calibration_end : date-like
    holdout_end : date-like, optional
        Default: last order date.

    Returns
    -------
    pandas.DataFrame
        One row per week from the first purchase to ``holdout_end``: ``week_end``
        (date), ``actual`` and ``predicted`` cumulative repeat purchases. ``attrs``:
        ``calibration_end``, ``holdout_end``.

    Examples
    --------
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> m.time_unit_ = "weeks"
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-02"])})
    >>> t = tracking_table(frame, m, calibration_end="2024-01-07", holdout_end="2024-01-21")
    >>> t["actual"].tolist()
    [0, 1, 1]
    """
    cal_end = pd.Timestamp(calibration_end).normalize()
    end = engine.resolve_as_of(transactions, holdout_end)
    daily = engine.daily_purchases(transactions, as_of=end, acquired_until=cal_end)
    if daily.empty:
        raise DataValidationError(f"no customer made a first purchase by {cal_end:%Y-%m-%d}")
    start = daily["day"].min()
    week_ends = pd.date_range(start + pd.Timedelta(days=6), end + pd.Timedelta(days=6), freq="7D")
    week_ends = week_ends[week_ends - pd.Timedelta(days=6) <= end].map(lambda d: min(d, end))
    repeat = daily.set_index("day")["repeat_purchases"]
    cum = repeat.cumsum()
    actual = cum.reindex(cum.index.union(week_ends)).ffill().fillna(0).reindex(week_ends)
    firsts = daily[daily["first_purchases"] > 0]
    unit_days = days_per(purchases.time_unit_ or "weeks")
    # time from each acquisition day to each week's end, in the model's unit
    elapsed = (
        (week_ends.to_numpy()[None, :] - firsts["day"].to_numpy()[:, None]) / np.timedelta64(1, "D")
        + 1.0  # purchases on the week's last day count: the day ends at midnight
    ) / unit_days
    expected = purchases.expected_purchases_new_customer(np.maximum(elapsed - 1.0 / unit_days, 0))
    predicted = firsts["first_purchases"].to_numpy(dtype="float64") @ expected
    out = pd.DataFrame(
        {
            "week_end": pd.DatetimeIndex(week_ends).astype(daily["day"].dtype),
            "actual": actual.to_numpy().astype("int64"),
            "predicted": predicted,
        }
    )
    out.attrs = {"calibration_end": cal_end, "holdout_end": end}
    return out


def compare_models(models: dict[str, Any], cal_holdout: pd.DataFrame) -> pd.DataFrame:
    """Score several fitted purchase models on the same holdout.

    Parameters
    ----------
    models : dict
        Name -> a purchase model fitted on the calibration columns of ``cal_holdout``
        (:class:`~retainkit.clv.BetaGeoModel`, :class:`~retainkit.clv.ParetoNBDModel`).
    cal_holdout : pandas.DataFrame
        :func:`calibration_holdout` output.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model``, ``log_likelihood`` (calibration), ``predicted_total``,
        ``actual_total``, ``total_error``, ``mae_per_customer``.

    Examples
    --------
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> m.time_unit_, m.log_likelihood_ = "weeks", -1.0
    >>> ch = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
    ...                    "T": [38.86], "frequency_holdout": [1], "duration_holdout": [39.0]})
    >>> compare_models({"BG/NBD": m}, ch)[["model", "mae_per_customer"]].round(3)
        model  mae_per_customer
    0  BG/NBD             0.226
    """
    rows = []
    for name, model in models.items():
        card = holdout_scorecard(holdout_predictions(model, cal_holdout)).iloc[0]
        rows.append(
            {
                "model": name,
                "log_likelihood": model.log_likelihood_,
                "predicted_total": card["predicted_total"],
                "actual_total": card["actual_total"],
                "total_error": card["total_error"],
                "mae_per_customer": card["mae_per_customer"],
            }
        )
    return pd.DataFrame(rows)


def compare_purchase_models(
    cal_holdout: pd.DataFrame,
    *,
    max_customers: int = 20_000,
    seed: int = 0,
) -> tuple[pd.DataFrame | None, str]:
    """Fit BG/NBD and Pareto/NBD on the same calibration customers and score the holdout.

    The Pareto/NBD likelihood needs two hypergeometric functions per customer and a
    numerical gradient, about 50 times the work of BG/NBD's: above ``max_customers`` both
    models are fitted and scored on the same random sample of that many customers, which
    is ample to compare two four-parameter models, and the note says so.

    Parameters
    ----------
    cal_holdout : pandas.DataFrame
        :func:`calibration_holdout` output.
    max_customers : int
        Largest number of customers to fit on; ``0`` means all.
    seed : int
        Seed of the sample (the same seed gives the same sample and figures).

    Returns
    -------
    (pandas.DataFrame or None, str)
        The :func:`compare_models` table (None when BG/NBD cannot be fitted) and a note:
        the sample used and, when Pareto/NBD could not be fitted, why.

    Examples
    --------
    >>> import retainkit as rk
    >>> txn = rk.load_transactions("cdnow_sample")
    >>> ch = calibration_holdout(txn, calibration_end="1997-09-30")
    >>> table, note = compare_purchase_models(ch, max_customers=1000)
    >>> table["model"].tolist(), note.startswith("Both models fitted on a random sample of 1,000")
    (['BG/NBD', 'Pareto/NBD'], True)
    """
    n = len(cal_holdout)
    note = ""
    sample = cal_holdout
    if max_customers and n > max_customers:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=max_customers, replace=False))
        sample = cal_holdout.iloc[rows].reset_index(drop=True)
        sample.attrs = dict(cal_holdout.attrs)
        note = (
            f"Both models fitted on a random sample of {max_customers:,} of the {n:,} "
            f"customers (seed {seed}) and scored on their holdout."
        )
    models, why = fit_compared_models(sample)
    if not models:
        return None, why
    return compare_models(models, sample), " ".join(p for p in (note, why) if p)


def fit_compared_models(summary: pd.DataFrame) -> tuple[dict[str, Any], str]:
    """Fit BG/NBD and Pareto/NBD on the same customers, as a comparison needs them.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` (or the calibration columns of
        :func:`calibration_holdout`).

    Returns
    -------
    (dict, str)
        Name -> fitted model (``"BG/NBD"`` first; empty when BG/NBD cannot be fitted, and
        without ``"Pareto/NBD"`` when that one cannot) and why a model is missing ("" when
        both fitted).

    Examples
    --------
    >>> import retainkit as rk
    >>> txn = rk.load_transactions("cdnow_sample")
    >>> models, why = fit_compared_models(rk.customer_summary(txn, as_of="1997-09-30"))
    >>> list(models), why
    (['BG/NBD', 'Pareto/NBD'], '')
    """
    from retainkit.clv._fallback import fit_or_explain
    from retainkit.clv.pareto_nbd import ParetoNBDModel

    bgnbd, why = fit_or_explain(BetaGeoModel, summary)
    if bgnbd is None:
        return {}, why
    pareto, why = fit_or_explain(ParetoNBDModel, summary)
    return {"BG/NBD": bgnbd} | ({"Pareto/NBD": pareto} if pareto is not None else {}), why
