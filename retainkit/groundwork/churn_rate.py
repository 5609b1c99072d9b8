"""The churn rate of the active base, overall and per customer attribute, with its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from retainkit.exceptions import SchemaError
from retainkit.groundwork._base import _STATUS_COLUMNS
from retainkit.groundwork.attributes import pool_small_groups


def churn_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Count the active base, the losses and the churn rate, with a 95% interval.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status`.

    Returns
    -------
    pandas.DataFrame
        One row: ``active_at_start``, ``lost_from_base``, ``retained_from_base``,
        ``churn_rate`` (lost_from_base / active_at_start), ``churn_rate_low`` and
        ``churn_rate_high`` (Wilson 95% interval), ``retained_share``,
        ``new_in_window``, ``lost_new_in_window`` (first bought during the window and
        already lost), ``lost_in_window`` (all losses in the window).

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active", "active",
    ...                                   "lost in window"],
    ...                        "in_base": [True, True, False, False],
    ...                        "new_in_window": [False, False, True, True]})
    >>> churn_summary(status)[["active_at_start", "lost_in_window", "churn_rate"]]
       active_at_start  lost_in_window  churn_rate
    0                2               2         0.5
    """
    lost = status["status"] == "lost in window"
    base = status["in_base"]
    n_base = int(base.sum())
    n_lost_base = int((lost & base).sum())
    low, high = wilson_interval(n_lost_base, n_base)
    return pd.DataFrame(
        {
            "active_at_start": [n_base],
            "lost_from_base": [n_lost_base],
            "retained_from_base": [n_base - n_lost_base],
            "churn_rate": [n_lost_base / n_base if n_base else float("nan")],
            "churn_rate_low": [low],
            "churn_rate_high": [high],
            "retained_share": [1 - n_lost_base / n_base if n_base else float("nan")],
            "new_in_window": [int(status["new_in_window"].sum())],
            "lost_new_in_window": [int((lost & status["new_in_window"]).sum())],
            "lost_in_window": [int(lost.sum())],
        }
    )


def wilson_interval(
    successes: int, trials: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval of a proportion (NaN, NaN without trials).

    Examples
    --------
    >>> [round(float(x), 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if trials <= 0:
        return float("nan"), float("nan")
    low, high = _wilson_vec(np.array([successes]), np.array([trials]), confidence)
    return float(low[0]), float(high[0])


def _wilson_vec(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + confidence / 2)
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    # the interval holds p exactly (at p = 0 the lower end is 0 in exact arithmetic)
    low = np.clip(np.minimum(p, centre - half), 0, 1)
    return low, np.clip(np.maximum(p, centre + half), 0, 1)


def churn_by_attribute(
    status: pd.DataFrame, attribute: str, *, min_customers: int = 20
) -> pd.DataFrame:
    """Churn rate of the active base per value of a customer attribute, with 95% CIs.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` with the attribute joined.
    attribute : str
        Column name (region, channel, first_category...).
    min_customers : int
        Values with fewer customers in the active base are pooled as ``"(other)"``:
        a rate from a handful of customers says little.

    Returns
    -------
    pandas.DataFrame
        ``attribute`` (the name), ``value``, ``active_at_start``, ``lost``,
        ``churn_rate``, ``churn_rate_low``, ``churn_rate_high``, sorted by churn
        rate, highest first. Customers without a value count as ``"(unknown)"``.

    Raises
    ------
    SchemaError
        When the column is absent.

    Examples
    --------
    >>> status = pd.DataFrame({"status": ["lost in window", "active", "active"],
    ...     "in_base": [True, True, True], "region": ["N", "N", "S"]})
    >>> churn_by_attribute(status, "region", min_customers=1)[["value", "active_at_start",
    ...                                                         "churn_rate"]]
      value  active_at_start  churn_rate
    0     N                2         0.5
    1     S                1         0.0
    """
    if attribute not in status.columns:
        raise SchemaError(
            f"no customer attribute {attribute!r}; attributes are "
            f"{[c for c in status.columns if c not in _STATUS_COLUMNS]}"
        )
    base = status[status["in_base"]]
    value = pool_small_groups(base[attribute], min_customers=min_customers)
    lost = (base["status"] == "lost in window").astype(int)
    grouped = pd.DataFrame({"value": value.astype(str), "lost": lost}).groupby("value")["lost"]
    out = pd.DataFrame({"active_at_start": grouped.size(), "lost": grouped.sum()}).reset_index()
    out["churn_rate"] = out["lost"] / out["active_at_start"]
    low, high = _wilson_vec(out["lost"].to_numpy(), out["active_at_start"].to_numpy())
    out["churn_rate_low"], out["churn_rate_high"] = low, high
    out.insert(0, "attribute", attribute)
    return out.sort_values(["churn_rate", "value"], ascending=[False, True]).reset_index(drop=True)
