"""The model lifetime value: expected gross profit from future purchases, discounted.

- :func:`clv_forecast` builds a :class:`ClvForecast` (BG/NBD x Gamma-Gamma) once;
  :func:`customer_value` prices it per customer over any horizon, discount rate and
  margin;
- :func:`new_customer_value`, :func:`payback_months`, :func:`acquisition_budget`: the
  allowable acquisition cost per segment and how long it takes to earn it back;
  :func:`incentive_check` for a single figure such as "$10,000 lifetime value, $199
  incentive".

Money is in the data's currency; durations say their unit in their names. Months are
365.2425 / 12 days and years 365.2425 days, never a silent 30 or 360.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import compress, validate_summary
from retainkit.clv._checks import _check_share
from retainkit.clv._fallback import fit_with_fallback
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.gamma_gamma import GammaGammaModel
from retainkit.clv.segments import _segment_labels
from retainkit.discounting import step_weights
from retainkit.exceptions import ConvergenceError, DataValidationError
from retainkit.units import days_per

__all__ = [
    "ClvForecast",
    "acquisition_budget",
    "clv_forecast",
    "customer_value",
    "incentive_check",
    "new_customer_value",
    "payback_months",
]


@dataclass(frozen=True)
class ClvForecast:
    """Expected purchases of each customer on a monthly grid, and spend per purchase.

    Built once by :func:`clv_forecast`; :func:`customer_value` and the scenario
    functions then price any horizon, discount rate and margin up to
    ``max_horizon_years`` without refitting.

    Attributes
    ----------
    customer_id : numpy array
    probability_alive : numpy array
    expected_spend : numpy array
        Per future purchase, in the data's currency (NaN without revenue).
    grid_years : numpy array
        Horizons of the grid, in years (step ``1 / steps_per_year``).
    cumulative : numpy array
        Customers x horizons: expected repeat purchases from now to each horizon.
    new_cumulative : numpy array
        The same for a newly acquired customer, from their first purchase.
    new_spend : float
        Expected spend per purchase of a new customer (the population mean).
    time_unit : str
        Unit the models were fitted in.
    """

    customer_id: np.ndarray
    probability_alive: np.ndarray
    expected_spend: np.ndarray
    grid_years: np.ndarray
    cumulative: np.ndarray
    new_cumulative: np.ndarray
    new_spend: float
    time_unit: str

    @property
    def has_spend(self) -> bool:
        """True when spend per purchase is known (the data has revenue)."""
        return bool(np.isfinite(self.new_spend))


def clv_forecast(
    purchases: BetaGeoModel,
    spend: GammaGammaModel | None,
    summary: pd.DataFrame,
    *,
    max_horizon_years: float = 10.0,
    steps_per_year: int = 12,
) -> ClvForecast:
    """Forecast each customer's expected repeat purchases on a monthly grid.

    Parameters
    ----------
    purchases : BetaGeoModel
        Fitted on ``summary`` (or on a calibration summary in the same time unit).
    spend : GammaGammaModel or None
        Fitted; None for data without revenue (values then come out as NaN).
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output at the analysis date.
    max_horizon_years : float
        Longest horizon priced later.
    steps_per_year : int
        Grid steps per year (12: months of 365.2425 / 12 days).

    Returns
    -------
    ClvForecast

    Examples
    --------
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> m.time_unit_ = "weeks"
    >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
    ...                   "T": [38.86]})
    >>> f = clv_forecast(m, None, s, max_horizon_years=1)
    >>> f.cumulative.shape, round(float(f.cumulative[0, -1]), 3)
    ((1, 12), 1.563)
    """
    purchases._check_fitted()
    validate_summary(summary, ("frequency", "recency", "T"), model="BG/NBD")
    unit = purchases._check_unit(summary)
    steps = max(1, math.ceil(max_horizon_years * steps_per_year - 1e-9))
    grid_years = np.minimum(np.arange(1, steps + 1) / steps_per_year, max_horizon_years)
    grid = grid_years * days_per("years") / days_per(unit)
    cols = purchases._columns(summary)
    rows = compress(cols)
    x, tx, T = rows.unique_rows
    cumulative = purchases._expected(x, tx, T, grid)
    alive = purchases._p_alive(x, tx, T)
    # back from distinct rows to customers
    inverse = _inverse(cols, rows)
    if spend is not None:
        expected_spend = spend.expected_spend(summary).to_numpy()
        new_spend = spend.mean_spend()
    else:
        expected_spend = np.full(len(summary), np.nan)
        new_spend = float("nan")
    return ClvForecast(
        customer_id=summary[S.CUSTOMER_ID].to_numpy(),
        probability_alive=alive[inverse],
        expected_spend=expected_spend,
        grid_years=grid_years,
        cumulative=cumulative[inverse],
        new_cumulative=purchases.expected_purchases_new_customer(grid),
        new_spend=float(new_spend),
        time_unit=unit,
    )


def _inverse(cols: list[np.ndarray], rows: Any) -> np.ndarray:
    """Position of each customer's row among the distinct rows."""
    lookup = pd.MultiIndex.from_arrays(rows.unique_rows)
    return lookup.get_indexer(pd.MultiIndex.from_arrays([np.asarray(c, float) for c in cols]))


def _weights(forecast: ClvForecast, horizon_years: float, discount_rate: float) -> np.ndarray:
    """Per grid step: the share of the step inside the horizon times its discount factor."""
    if horizon_years <= 0:
        return np.zeros(len(forecast.grid_years))
    top = float(forecast.grid_years[-1])
    if horizon_years > top + 1e-9:
        raise ValueError(
            f"horizon_years={horizon_years} exceeds the forecast's {top:g} years; build it "
            f"with clv_forecast(..., max_horizon_years={horizon_years})"
        )
    return step_weights(
        forecast.grid_years, horizon_years=horizon_years, discount_rate=discount_rate
    )


def _increments(cumulative: np.ndarray) -> np.ndarray:
    first = cumulative[..., :1]
    return np.concatenate([first, np.diff(cumulative, axis=-1)], axis=-1)


def customer_value(
    forecast: ClvForecast,
    *,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
) -> pd.DataFrame:
    """Model lifetime value per customer: discounted gross profit of future purchases.

    For each month of the horizon, the expected repeat purchases in that month x the
    expected spend per purchase x the margin, discounted at ``discount_rate`` a year
    from the end of the month; past purchases do not count.

    Parameters
    ----------
    forecast : ClvForecast
    horizon_years : float
        Years of future purchases counted.
    discount_rate : float
        Yearly discount rate (0.1 = 10%).
    margin : float
        Gross margin, 0-1.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``probability_alive``, ``expected_purchases`` (over the
        horizon, undiscounted), ``expected_spend`` (per purchase),
        ``expected_revenue`` (undiscounted) and ``clv`` (discounted gross profit).
        ``attrs`` holds the parameters.

    Examples
    --------
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> m.time_unit_ = "weeks"
    >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
    ...                   "T": [38.86]})
    >>> f = clv_forecast(m, None, s, max_horizon_years=1)
    >>> v = customer_value(f, horizon_years=1, discount_rate=0.0, margin=0.5)
    >>> round(float(v["expected_purchases"].iloc[0]), 3)
    1.563
    """
    _check_share("margin", margin)
    w = _weights(forecast, horizon_years, discount_rate)
    undiscounted = _weights(forecast, horizon_years, 0.0)
    inc = _increments(forecast.cumulative)
    purchases = inc @ undiscounted
    discounted = inc @ w
    spend = forecast.expected_spend
    out = pd.DataFrame(
        {
            S.CUSTOMER_ID: forecast.customer_id,
            "probability_alive": forecast.probability_alive,
            "expected_purchases": purchases,
            "expected_spend": spend,
            "expected_revenue": purchases * spend,
            "clv": discounted * spend * margin,
        }
    )
    out.attrs = {
        "horizon_years": horizon_years,
        "discount_rate": discount_rate,
        "margin": margin,
        "time_unit": forecast.time_unit,
    }
    return out


def new_customer_value(
    forecast: ClvForecast,
    *,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
) -> float:
    """Return the discounted gross profit of a newly won customer, first purchase included.

    The first purchase counts at the population mean spend, undiscounted; repeat
    purchases follow the fitted models from the first purchase on.

    Parameters
    ----------
    forecast : ClvForecast
    horizon_years, discount_rate, margin : float
        As for :func:`customer_value`.

    Returns
    -------
    float
        In the data's currency (NaN without revenue).

    Examples
    --------
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.ones(1), np.array([1.0, 2.0]),
    ...                 np.zeros((1, 2)), np.array([1.0, 1.5]), 100.0, "weeks")
    >>> new_customer_value(f, horizon_years=2, discount_rate=0.0, margin=0.5)
    125.0
    """
    _check_share("margin", margin)
    w = _weights(forecast, horizon_years, discount_rate)
    repeats = float(_increments(forecast.new_cumulative) @ w)
    return (1.0 + repeats) * forecast.new_spend * margin


def payback_months(forecast: ClvForecast, *, cost: float, margin: float = 0.3) -> float:
    """Months until a new customer's gross profit (undiscounted) pays back ``cost``.

    Parameters
    ----------
    forecast : ClvForecast
    cost : float
        Acquisition cost per new customer, in the data's currency.
    margin : float
        Gross margin, 0-1.

    Returns
    -------
    float
        Months of 365.2425 / 12 days (0 when the first purchase covers it), linearly
        interpolated within a grid step; NaN when it is not paid back within the
        forecast's horizon or without revenue.

    Examples
    --------
    >>> f = ClvForecast(np.array(["a"]), np.ones(1), np.ones(1),
    ...                 np.array([1, 2, 3]) / 12, np.zeros((1, 3)),
    ...                 np.array([0.5, 1.0, 1.5]), 100.0, "weeks")
    >>> payback_months(f, cost=75, margin=0.5)
    1.0
    """
    if not forecast.has_spend:
        return float("nan")
    per_purchase = forecast.new_spend * margin
    if per_purchase <= 0:
        return float("nan")
    needed = cost / per_purchase - 1.0  # repeat purchases still needed after the first
    if needed <= 0:
        return 0.0
    months = np.concatenate([[0.0], forecast.grid_years * 12])
    cum = np.concatenate([[0.0], forecast.new_cumulative])
    hit = np.nonzero(cum >= needed)[0]
    if not len(hit):
        return float("nan")
    i = int(hit[0])
    share = (needed - cum[i - 1]) / max(cum[i] - cum[i - 1], 1e-12)
    return float(months[i - 1] + share * (months[i] - months[i - 1]))


def acquisition_budget(
    summary: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    by: str | None = None,
    horizon_years: float = 5.0,
    discount_rate: float = 0.1,
    margin: float = 0.3,
    target_profit_share: float = 0.5,
    min_customers: int = 300,
    penalizers: tuple[float, ...] = (0.0, 0.001, 0.01),
    purchases: BetaGeoModel | None = None,
    spend: GammaGammaModel | None = None,
) -> pd.DataFrame:
    """Compute the allowable acquisition cost per segment from a new customer's value.

    Each segment's customers get their own BG/NBD and Gamma-Gamma fit; a new
    customer's lifetime profit (:func:`new_customer_value`) less the target share of
    it that the business keeps is the most it can spend to win one, and
    :func:`payback_months` says how long that spend takes to earn back. Segments with
    fewer than ``min_customers`` customers are pooled as "other segments".

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output with ``monetary_value``.
    segments : pandas.DataFrame, optional
        ``customer_id`` and ``by``; None for one row for all customers.
    by : str, optional
        Segment column (a channel, region...).
    horizon_years, discount_rate, margin : float
        As for :func:`customer_value`.
    target_profit_share : float
        Share of a new customer's lifetime profit to keep, 0-1 (0.5: spend at most
        half of it; 2/3 is the common "lifetime value three times acquisition cost").
    min_customers : int
        Smallest segment fitted on its own.
    penalizers : tuple of float
        Tried in order when a segment's plain fit does not converge
        (:func:`retainkit.clv.fit_with_fallback`).
    purchases, spend : BetaGeoModel and GammaGammaModel, optional
        Both already fitted on all of ``summary`` (as :func:`retainkit.clv.fit_or_explain`
        fits them): the "all customers" row uses them instead of fitting again.

    Returns
    -------
    pandas.DataFrame
        ``segment`` ("all customers" first), ``customers``, ``repeat_share``,
        ``new_customer_value`` (lifetime gross profit, discounted),
        ``max_acquisition_cost``, ``payback_months`` (at that cost), ``note``.

    Raises
    ------
    SchemaError
        When ``monetary_value`` is missing (the data has no revenue).

    Examples
    --------
    >>> import retainkit as rk
    >>> s = rk.customer_summary(rk.load_transactions("cdnow_sample"),
    ...                         as_of="1997-09-30", time_unit="weeks")
    >>> b = acquisition_budget(s, horizon_years=1, discount_rate=0.0, margin=0.2,
    ...                        target_profit_share=0.5)
    >>> b["segment"].iloc[0], int(b["customers"].iloc[0])
    ('all customers', 2357)
    """
    _check_share("target_profit_share", target_profit_share)
    validate_summary(
        summary,
        ("frequency", "recency", "T", "monetary_value"),
        model="budget",
        may_be_negative=("monetary_value",),
    )
    groups: list[tuple[str, pd.DataFrame, str]] = [("all customers", summary, "")]
    if segments is not None and by is not None:
        labels = pd.Series(_segment_labels(summary, segments, by), index=summary.index)
        counts = labels.value_counts()
        small = counts[counts < min_customers].index
        labels = labels.where(~labels.isin(small), "other segments")
        for name in sorted(labels.unique(), key=lambda v: (v == "other segments", v)):
            part = summary[(labels == name).to_numpy()]
            note = (
                f"{len(small)} segments under {min_customers} customers"
                if name == ("other segments")
                else ""
            )
            groups.append((str(name), part, note))
    rows = []
    for name, part, note in groups:
        row: dict[str, Any] = {
            "segment": name,
            "customers": len(part),
            "repeat_share": float((part["frequency"] > 0).mean()) if len(part) else np.nan,
        }
        try:
            if part is summary and purchases is not None and spend is not None:
                bg, gg = purchases, spend
            else:
                bg = fit_with_fallback(BetaGeoModel, part, penalizers=penalizers)[0]
                gg = fit_with_fallback(GammaGammaModel, part, penalizers=penalizers)[0]
            forecast = clv_forecast(bg, gg, part.iloc[:1], max_horizon_years=horizon_years)
            value = new_customer_value(
                forecast, horizon_years=horizon_years, discount_rate=discount_rate, margin=margin
            )
            cost = value * (1 - target_profit_share)
            row.update(
                new_customer_value=value,
                max_acquisition_cost=cost,
                payback_months=payback_months(forecast, cost=cost, margin=margin),
                note=note,
            )
        except (ConvergenceError, DataValidationError, ValueError) as exc:
            row.update(
                new_customer_value=np.nan,
                max_acquisition_cost=np.nan,
                payback_months=np.nan,
                note=(
                    "no estimate: the models could not be fitted to this segment"
                    if isinstance(exc, ConvergenceError)
                    else f"no estimate: {str(exc).split(';')[0]}"
                ),
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = {
        "horizon_years": horizon_years,
        "discount_rate": discount_rate,
        "margin": margin,
        "target_profit_share": target_profit_share,
    }
    return out


def incentive_check(
    lifetime_value: float,
    incentive: float,
    *,
    lifespan_years: float,
    target_profit_share: float = 0.5,
    currency: str = "",
) -> pd.DataFrame:
    """Is an incentive worth a customer of a given lifetime value? A worked check.

    Parameters
    ----------
    lifetime_value : float
        The customer's lifetime gross profit, in currency.
    incentive : float
        What winning them costs (a free installation, a discount...).
    lifespan_years : float
        Over how long the lifetime value is earned; for the payback it is taken as
        earned evenly.
    target_profit_share : float
        Share of the lifetime profit to keep, 0-1.
    currency : str
        Currency symbol for ``shown``.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``value`` and ``shown`` (the value formatted with its unit): the
        incentive's share of the lifetime value, the ratio of lifetime value to
        incentive, the allowable acquisition cost, the headroom left, the profit per
        month and the payback in months.

    Examples
    --------
    >>> t = incentive_check(10_000, 199, lifespan_years=5, target_profit_share=0.5)
    >>> t.set_index("measure")["value"].round(2).tolist()
    [0.02, 50.25, 5000.0, 4801.0, 166.67, 1.19]
    """
    _check_share("target_profit_share", target_profit_share)
    if lifetime_value <= 0 or lifespan_years <= 0:
        raise ValueError("lifetime_value and lifespan_years must be positive")
    allowable = lifetime_value * (1 - target_profit_share)
    per_month = lifetime_value / (lifespan_years * 12)
    out = pd.DataFrame(
        {
            "measure": [
                "incentive as a share of the lifetime value",
                "lifetime value per unit of incentive",
                "allowable acquisition cost",
                "headroom: allowable cost minus the incentive",
                "gross profit per month",
                "months to pay back the incentive",
            ],
            "value": [
                incentive / lifetime_value,
                lifetime_value / incentive if incentive > 0 else np.inf,
                allowable,
                allowable - incentive,
                per_month,
                incentive / per_month,
            ],
        }
    )
    v = out["value"].tolist()
    out["shown"] = [
        f"{v[0]:.1%}",
        f"{v[1]:,.1f} to 1",
        f"{currency}{v[2]:,.0f}",
        f"{currency}{v[3]:,.0f}",
        f"{currency}{v[4]:,.2f}",
        f"{v[5]:.1f} months",
    ]
    return out
