"""The shifted-beta-geometric (sBG) model of contract renewals (Fader & Hardie 2007, 2010).

In a contractual setting (subscriptions, memberships, annual contracts) we see when a
customer leaves. At the end of each period a customer who is still subscribed cancels
with probability ``theta`` and renews otherwise, the same ``theta`` every period; across
customers ``theta ~ Beta(alpha, beta)``. The cohort's retention rate rises with time only
because the customers most likely to cancel leave first. With ``T`` the period in which
a customer cancels (T = 1, 2, ...):

- ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)``,
- ``S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)``, the share of the cohort
  still subscribed at the start of period ``t + 1`` (made ``t`` renewals),
- ``r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)``.

References: Fader & Hardie (2007), "How to Project Customer Retention", Journal of
Interactive Marketing 21(1); Fader & Hardie (2010), "Customer-Base Valuation in a
Contractual Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, hyp2f1

from retainkit.clv._base import BaseModel, Compressed, compress
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = ["ShiftedBetaGeoModel"]


def _cohorts(alive: Any) -> list[tuple[str, np.ndarray]]:
    """Check ``alive`` and return each cohort's name and counts of periods 0..n."""
    if isinstance(alive, pd.DataFrame):
        columns = [(str(c), alive[c]) for c in alive.columns]
        if not columns:
            raise SchemaError("alive has no columns; give one column per cohort")
    elif isinstance(alive, pd.Series | list | tuple | np.ndarray):
        values = np.asarray(alive, dtype=object)
        if values.ndim != 1:
            raise SchemaError(
                f"alive must be one cohort's counts (1-d) or a DataFrame with one column per "
                f"cohort, got an array of shape {values.shape}"
            )
        columns = [("alive", pd.Series(values))]
    else:
        raise SchemaError(
            "alive must be the numbers of customers still subscribed at the start of "
            "periods 0, 1, ..., n (a list, array or Series), or a DataFrame with one column "
            f"per cohort; got {type(alive).__name__}"
        )
    out = []
    for name, column in columns:
        where = (
            ""
            if len(columns) == 1 and not isinstance(alive, pd.DataFrame)
            else (f" of cohort {name!r}")
        )
        values = pd.to_numeric(pd.Series(np.asarray(column, dtype=object)), errors="coerce")
        counts = values.to_numpy(dtype="float64")
        text = pd.Series(np.asarray(column, dtype=object))
        unreadable = values.isna().to_numpy() & text.notna().to_numpy()
        if unreadable.any():
            first = int(np.flatnonzero(unreadable)[0])
            raise DataValidationError(
                f"alive{where} holds a value that is not a number at period {first} "
                f"({text.iloc[first]!r}); give counts of customers"
            )
        # a younger cohort is shorter: its column ends with missing values
        present = ~np.isnan(counts)
        last = int(np.flatnonzero(present)[-1]) + 1 if present.any() else 0
        gaps = np.flatnonzero(~present[:last])
        if len(gaps):
            raise DataValidationError(
                f"alive{where} is missing period {int(gaps[0])} before later periods; only "
                "the end of a cohort's column may be empty (periods not yet observed)"
            )
        counts = counts[:last]
        if len(counts) < 2:
            raise DataValidationError(
                f"alive{where} has {len(counts)} period(s); the sBG model needs at least "
                "periods 0 and 1 (the cohort's size and how many renewed once)"
            )
        checks = [
            (~np.isfinite(counts), "infinite", "give finite counts"),
            (counts < 0, "negative", "counts of customers cannot be negative"),
            (
                counts != np.round(counts),
                "not whole",
                "give counts of customers, not shares: multiply percentages by the cohort "
                "size over 100 (63.1% of 1,000 is 631)",
            ),
        ]
        for bad, what, fix in checks:
            if bad.any():
                periods = np.flatnonzero(bad)
                raise DataValidationError(
                    f"alive{where} has {len(periods)} {what} value(s), at period(s) "
                    f"{_listed(periods)} ({_listed(counts[periods])}); {fix}"
                )
        if counts[0] <= 0:
            raise DataValidationError(
                f"alive{where} starts with {counts[0]:g} customers at period 0; a cohort "
                "starts with the customers acquired (more than 0)"
            )
        rises = np.flatnonzero(np.diff(counts) > 0)
        if len(rises):
            k = int(rises[0])
            raise DataValidationError(
                f"alive{where} rises from {counts[k]:g} at period {k} to {counts[k + 1]:g} at "
                f"period {k + 1}; customers still subscribed can only fall within a cohort "
                "(count returning customers as a new cohort)"
            )
        out.append((name, counts))
    return out


def _listed(values: np.ndarray, n: int = 5) -> str:
    shown = [f"{v:g}" for v in values[:n]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _differ(bad: np.ndarray, raw: np.ndarray) -> str:
    """Say how many entries are bad, where, and the first few as given."""
    where = np.flatnonzero(bad)
    shown = ", ".join(repr(v) for v in raw[where[:5]])
    return f"{len(where)} differ, at position(s) {_listed(where)} ({shown})"


def _whole(values: Any, name: str, *, smallest: int) -> np.ndarray:
    try:
        out = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        out = np.array([np.nan])
    if not np.all(np.isfinite(out)) or np.any(out != np.round(out)) or np.any(out < smallest):
        raise ValueError(f"{name} must be whole numbers of at least {smallest}, got {values!r}")
    return out


def _period_grid(periods: Any, *, first: int) -> np.ndarray:
    """Return first..n for an int n, or the sequence itself (whole, at least first)."""
    if np.ndim(periods) == 0:
        last = _whole(periods, "periods", smallest=first)
        return np.arange(first, float(last) + 1)
    return _whole(periods, "periods", smallest=first)


class ShiftedBetaGeoModel(BaseModel):
    """sBG: how a cohort of subscribers renews, period after period.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``: the cancellation probability ``theta`` of a customer is
        Beta(alpha, beta) across customers; ``alpha / (alpha + beta)`` is the mean share
        cancelling at the first renewal.
    standard_errors_ : dict
        Standard errors of the parameters (inverse observed information).
    log_likelihood_ : float
        Log-likelihood at the estimate.
    n_customers_ : int
        Customers in the cohort(s) at period 0 (subscribers, with :meth:`fit_durations`).
    n_rows_ : int
        Distinct (period, cancelled or still subscribed) cells the fit uses.
    time_unit_ : str
        ``"periods"``: the length of a contract period (a month, a year) is the data's.

    Examples
    --------
    >>> # Fader & Hardie (2007), table 1, "regular" customers, years 0-7 of 1,000
    >>> alive = [1000, 631, 468, 382, 326, 289, 262, 241]
    >>> model = ShiftedBetaGeoModel().fit(alive)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 0.704, 'beta': 1.182}
    """

    _param_names = ("alpha", "beta")
    _required = ()
    _name = "sBG"
    _bounded = ("alpha", "beta")
    _fit_hint = (
        ".fit(alive) first, with alive = the customers still subscribed at the start of "
        "periods 0, 1, ..., n"
    )
    _advice = (
        "more periods or a larger cohort; a cohort where nobody (or everybody) cancels has "
        "no spread of cancellation probabilities to estimate."
    )
    _empty = "alive has no customers"

    def fit(self, alive: Any) -> ShiftedBetaGeoModel:
        """Fit the model by maximum likelihood to the survivors of one or more cohorts.

        Each cohort contributes ``alive[t-1] - alive[t]`` customers who cancelled in
        period ``t`` (log-likelihood ``log P(T = t)`` each) and ``alive[n]`` who are
        still subscribed after ``n`` periods (``log S(n)`` each).

        Parameters
        ----------
        alive : sequence, pandas.Series or pandas.DataFrame
            The number of customers still subscribed at the start of periods 0, 1, ...,
            n, in that order: period 0 is the cohort's size, period ``t`` counts those
            who renewed ``t`` times. Counts, not percentages. A DataFrame holds several
            cohorts, one column per cohort (rows are periods 0, 1, ... in order, the
            index is not read); a younger cohort's column ends with missing values for
            the periods not yet observed. All cohorts share the parameters.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When ``alive`` is not a sequence, Series or DataFrame.
        DataValidationError
            When a count is negative, not whole, missing before a later period, or
            rises from one period to the next; the message names cohort and period.
        ConvergenceError
            When the optimiser fails (a cohort where nobody cancels, say).

        Examples
        --------
        >>> two = pd.DataFrame({"2023": [500, 320, 250], "2024": [400, 250, None]})
        >>> ShiftedBetaGeoModel().fit(two).n_customers_
        900
        """
        cohorts = _cohorts(alive)
        if max(len(counts) for _, counts in cohorts) < 3:
            raise DataValidationError(
                "alive covers one period only (periods 0 and 1); the sBG model needs two or "
                "more in at least one cohort: one period shows the mean share cancelling, "
                "not how it varies across customers"
            )
        periods, survived, weights = [], [], []
        for _, counts in cohorts:
            n = len(counts) - 1
            # cancelled in period t = 1..n, and still subscribed after period n
            periods.append(np.r_[np.arange(1, n + 1, dtype="float64"), n])
            survived.append(np.r_[np.zeros(n), 1.0])
            weights.append(np.r_[-np.diff(counts), counts[-1]])
        t, s, w = (np.concatenate(v) for v in (periods, survived, weights))
        keep = w > 0
        self.time_unit_ = "periods"
        # everyone seen from the start: no renewals made before the data began
        return self._fit_rows(compress([t[keep], s[keep], 0.0 * t[keep]], weights=w[keep]))

    def fit_durations(
        self, periods: Any, churned: Any, *, entered: Any = None
    ) -> ShiftedBetaGeoModel:
        """Fit the model to individual subscribers who started at different times.

        A subscriber who paid ``p`` periods and then cancelled contributes
        ``log P(T = p)``; one who paid ``p`` periods and is still subscribed has made
        ``p - 1`` renewals and contributes ``log S(p - 1)`` (right-censored: we know
        ``T >= p``, not yet whether they renew after period ``p``; a subscriber in their
        first period tells nothing yet, ``S(0) = 1``). The cohort counts of :meth:`fit`
        are the special case where everybody started together: ``alive[t-1] - alive[t]``
        subscribers with ``periods = t`` who churned, and ``alive[n]`` with ``periods =
        n + 1`` still subscribed. Both build the same rows, so they share one likelihood.

        ``entered`` handles data that holds only subscribers still there when it began
        (left truncation: a snapshot of current customers plus the last month's
        cancellations, or an export that leaves out who cancelled before its start). A
        subscriber who had already made ``d`` renewals when the data began is in it only
        because they did not cancel at those ``d``: their term is divided by ``S(d)``.
        Without it, the long-tenure survivors of such data make everyone look loyal.

        Parameters
        ----------
        periods : sequence of int
            Periods each subscriber has paid for (bills), 1 or more.
        churned : sequence of bool
            True when the subscriber cancelled after ``periods`` periods; False when
            they are still subscribed (their latest bill paid period ``periods``).
        entered : sequence of int, optional
            Renewals each subscriber had made when the data began (0 to ``periods - 1``);
            default 0 for everyone (the data holds every subscriber from their start).

        Returns
        -------
        self

        Raises
        ------
        DataValidationError
            When the two have different lengths, a period count is not a whole number
            of 1 or more, a churn flag is not True/False, nobody cancelled, or no
            subscriber has been seen past their first renewal.
        ConvergenceError
            When the optimiser fails.

        Examples
        --------
        >>> # the tiny cohort of fit([5, 2, 1]): 3 cancel after 1 period, 1 after 2,
        >>> # 1 has paid 3 periods and stays
        >>> m = ShiftedBetaGeoModel().fit_durations([1, 1, 1, 2, 3], [1, 1, 1, 1, 0])
        >>> {k: round(v, 3) for k, v in m.params_.items()}
        {'alpha': 3.0, 'beta': 2.0}
        >>> # all 5 seen from the start: counting them from the start changes nothing
        >>> m.fit_durations([1, 1, 1, 2, 3], [1, 1, 1, 1, 0], entered=[0] * 5).params_ == m.params_
        True
        """
        p = np.asarray(periods, dtype=object)
        c = np.asarray(churned, dtype=object)
        if p.ndim != 1 or c.ndim != 1 or len(p) != len(c):
            raise DataValidationError(
                f"periods and churned must be two sequences of the same length, one entry "
                f"per subscriber; got shapes {p.shape} and {c.shape}"
            )
        paid = pd.to_numeric(pd.Series(p), errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(paid) | (paid < 1) | (paid != np.round(paid))
        if bad.any():
            raise DataValidationError(
                f"periods must be whole numbers of 1 or more (periods paid); {_differ(bad, p)}"
            )
        flags = pd.Series(c)
        readable = flags.map(lambda v: isinstance(v, bool | np.bool_) or v in (0, 1))
        if not readable.all():
            raise DataValidationError(
                f"churned must be True or False (or 1/0) for each subscriber; "
                f"{_differ(~readable.to_numpy(), c)}"
            )
        lost = flags.astype(bool).to_numpy()
        # churned: cancelled in period p, log P(T = p); still subscribed: log S(p - 1)
        t = np.where(lost, paid, paid - 1.0)
        if not len(t):
            raise DataValidationError("periods is empty: there are no subscribers to fit")
        if t.max() < 2:
            raise DataValidationError(
                "no subscriber was seen past their first renewal (a churn in period 2 or "
                "later, or 3 or more periods paid); the sBG model needs two or more "
                "renewal decisions: one shows the mean share cancelling, not how it varies"
            )
        if not lost.any():
            raise DataValidationError(
                f"nobody has cancelled among the {len(t):,} subscribers; the sBG model "
                "estimates how the chance of cancelling varies from cancellations (check "
                "that churned marks the subscribers who left)"
            )
        if entered is None:
            made = np.zeros(len(t))
        else:
            e = np.asarray(entered, dtype=object)
            if e.ndim != 1 or len(e) != len(t):
                raise DataValidationError(
                    f"entered must have one entry per subscriber ({len(t):,}); got shape {e.shape}"
                )
            made = pd.to_numeric(pd.Series(e), errors="coerce").to_numpy(dtype="float64")
            bad = ~np.isfinite(made) | (made < 0) | (made != np.round(made)) | (made > paid - 1)
            if bad.any():
                raise DataValidationError(
                    f"entered must be whole numbers from 0 to periods - 1 (renewals made "
                    f"before the data began); {_differ(bad, e)}"
                )
        self.time_unit_ = "periods"
        survived = (~lost).astype("float64")
        return self._fit_rows(compress([t, survived, made]))

    def _build(self, rows: Compressed) -> dict[str, Any]:
        t, survived, made = rows.unique_rows
        w = rows.weights
        kept = survived > 0
        cancelled = w @ ~kept
        return {
            # log P(T = t) = betaln(alpha + 1, beta + t - 1) - betaln(alpha, beta)
            # log S(t)     = betaln(alpha, beta + t)         - betaln(alpha, beta)
            # entered after d renewals: minus log S(d) = betaln(alpha, beta + d) - betaln(...)
            "a_shift": np.where(kept, 0.0, 1.0),
            "b_shift": np.where(kept, t, t - 1.0),
            "d": made,
            "w": w,
            "n": float(w.sum()),
            "first_churn": float(w @ ((t == 1) & ~kept)) / float(w.sum()),
            "cancelled": float(cancelled),
        }

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        # the mean of theta is the share cancelling in period 1
        mean = min(max(data["first_churn"], 0.01), 0.99)
        return np.array([1.0, (1.0 - mean) / mean])

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        alpha, beta = params
        a = alpha + data["a_shift"]
        b = beta + data["b_shift"]
        bd = beta + data["d"]
        w = data["w"]
        ll = w @ (betaln(a, b) - betaln(alpha, bd))
        # d betaln(a, b) / da = digamma(a) - digamma(a + b), and likewise for b
        both = digamma(a + b)
        start = digamma(alpha + bd)
        g_alpha = w @ (digamma(a) - both - digamma(alpha) + start)
        g_beta = w @ (digamma(b) - both - digamma(bd) + start)
        return -float(ll), -np.array([g_alpha, g_beta])

    # --- predictions -------------------------------------------------------------------
    def survival(self, periods: Any) -> pd.Series:
        """Return the share of a cohort still subscribed at the start of each period.

        Parameters
        ----------
        periods : int or sequence of int
            An int ``n`` gives periods 0..n; a sequence gives those periods (0 or more).

        Returns
        -------
        pandas.Series
            ``survival``, S(t) = B(alpha, beta + t) / B(alpha, beta) (0-1, S(0) = 1),
            indexed by ``period``.

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 1.0, "beta": 1.0}
        >>> m.survival(3).tolist()  # S(t) = 1 / (t + 1) when alpha = beta = 1
        [1.0, 0.5, 0.3333333333333333, 0.25]
        """
        p = self._check_fitted()
        t = _period_grid(periods, first=0)
        alpha, beta = p["alpha"], p["beta"]
        values = np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))
        return pd.Series(values, index=pd.Index(t.astype(int), name="period"), name="survival")

    def retention_rate(self, periods: Any) -> pd.Series:
        """Return the share of the customers subscribed in period t-1 who renew into t.

        Parameters
        ----------
        periods : int or sequence of int
            An int ``n`` gives periods 1..n; a sequence gives those periods (1 or more).

        Returns
        -------
        pandas.Series
            ``retention_rate``, r(t) = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta +
            t - 1) (0-1), indexed by ``period``. It rises with ``t``: those most likely
            to cancel leave first.

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 1.0, "beta": 1.0}
        >>> m.retention_rate(3).round(4).tolist()  # t / (t + 1)
        [0.5, 0.6667, 0.75]
        """
        p = self._check_fitted()
        t = _period_grid(periods, first=1)
        alpha, beta = p["alpha"], p["beta"]
        values = (beta + t - 1) / (alpha + beta + t - 1)
        return pd.Series(
            values, index=pd.Index(t.astype(int), name="period"), name="retention_rate"
        )

    def derl(self, discount_rate: float, renewals: Any = 0) -> Any:
        """Return the discounted expected residual lifetime (DERL) of a subscriber.

        Fader & Hardie (2010), eq. 6, for a customer who has made ``renewals`` = n - 1
        renewals and so is at the end of period n, just before the next renewal
        decision::

            DERL = sum over t >= n of S(t) / S(n - 1) / (1 + d)^(t - n)
                 = B(alpha, beta + n) / B(alpha, beta + n - 1)
                   x 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))

        in periods: the next renewal's payment, if made, counts in full (it is due now)
        and each later one is discounted one more period. Times the margin per period
        it is the customer's expected residual value. A customer's past renewals tell
        about their own cancellation probability, so DERL grows with ``renewals``.

        Parameters
        ----------
        discount_rate : float
            Per period (0.1 for 10% when a period is a year). With 0 the sum is the
            expected number of further renewals, infinite when ``alpha <= 1``.
        renewals : int or array of int
            Renewals the customer has made (0 for one in their first period).

        Returns
        -------
        float or numpy.ndarray
            DERL in periods, the shape of ``renewals``.

        Raises
        ------
        ValueError
            When ``discount_rate`` is negative or ``renewals`` is not whole and 0 or more.
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 0.668, "beta": 3.806}  # F&H (2007), "high end"
        >>> round(float(m.derl(0.1, renewals=7)), 3)  # F&H (2010): 7.530
        7.53
        """
        p = self._check_fitted()
        if not np.isfinite(discount_rate) or discount_rate < 0:
            raise ValueError(f"discount_rate={discount_rate!r} must be 0 or positive")
        n = _whole(renewals, "renewals", smallest=0) + 1.0
        alpha, beta = p["alpha"], p["beta"]
        head = np.exp(betaln(alpha, beta + n) - betaln(alpha, beta + n - 1))
        value = head * hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + discount_rate))
        return float(value) if np.ndim(value) == 0 else value

    def base_value(self, customers: Any, *, value_per_period: float, discount_rate: float) -> float:
        """Return the expected residual value of a base of subscribers.

        Fader & Hardie (2010): each customer's value is ``value_per_period`` x DERL
        (see :meth:`derl`), summed over the base: ``sum_k customers[k] x
        value_per_period x derl(discount_rate, k)``, valued just before the next
        renewal of each customer.

        Parameters
        ----------
        customers : pandas.Series or mapping
            Customers now subscribed, indexed (or keyed) by the renewals they have made
            (0, 1, 2, ...).
        value_per_period : float
            Margin (or revenue) a subscriber brings each period, in money.
        discount_rate : float
            Per period, as for :meth:`derl`.

        Returns
        -------
        float
            The base's expected residual value, in the money of ``value_per_period``.

        Raises
        ------
        ValueError
            When a count is negative or a renewal count is not whole and 0 or more.
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 1.0, "beta": 1.0}
        >>> # DERL at 0 renewals is sum_k x^k / (k + 2) = (-ln(1 - x) - x) / x^2 = 1.8015
        >>> # with x = 1 / 1.1; 100 such customers at 10 a period: 1,801.5
        >>> round(m.base_value({0: 100}, value_per_period=10, discount_rate=0.1), 1)
        1801.5
        """
        counts = pd.Series(customers, dtype="float64")
        if not np.all(np.isfinite(counts)) or bool((counts < 0).any()):
            raise ValueError(
                f"customers must be 0 or more for each number of renewals, got {counts.to_dict()}"
            )
        derl = self.derl(discount_rate, np.asarray(counts.index, dtype="float64"))
        return float(value_per_period * np.sum(counts.to_numpy() * derl))
