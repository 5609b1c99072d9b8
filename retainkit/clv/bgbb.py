"""The BG/BB model of discrete transaction opportunities (Fader, Hardie & Shang 2010).

Some businesses give customers a fixed number of occasions to transact: a yearly
donation drive, an annual event, a season. Over ``n`` such periods a customer, while
alive, transacts in each period with probability ``p`` (``p ~ Beta(alpha, beta)``
across customers), and at the start of each period drops out for good with probability
``theta`` (``theta ~ Beta(gamma, delta)``). A customer is summarised by ``frequency`` x
(periods with a transaction), ``recency`` t_x (the last such period, 0 if none) and
``periods`` n. The likelihood (their eq. 5) is::

    L = B(alpha + x, beta + n - x) / B(alpha, beta) x B(gamma, delta + n) / B(gamma, delta)
      + sum over i = 0 .. n - t_x - 1 of
        B(alpha + x, beta + t_x - x + i) / B(alpha, beta)
        x B(gamma + 1, delta + t_x + i) / B(gamma, delta)

(alive through period n, or dropped out at the start of period t_x + i + 1).

Reference: Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6).
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, logsumexp, softmax

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed, _first, compress
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = ["BetaGeoBetaBinomModel"]

_COLUMNS = ("frequency", "recency", "periods")
_WEIGHTS = "weights"


def _validate(summary: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check a BG/BB summary; return frequency, recency, periods and weights."""
    if not isinstance(summary, pd.DataFrame):
        raise SchemaError(
            "BG/BB fits a summary (a pandas DataFrame) with the columns "
            f"{list(_COLUMNS)} and optionally {_WEIGHTS!r}; got {type(summary).__name__}"
        )
    missing = [c for c in _COLUMNS if c not in summary.columns]
    if missing:
        found = [str(c) for c in summary.columns]
        hints = [
            f"{c!r} (did you mean {close[0]!r}?)" if close else repr(c)
            for c in missing
            for close in [difflib.get_close_matches(c, found, n=1)]
        ]
        raise SchemaError(
            f"BG/BB needs the columns {list(_COLUMNS)}; missing {', '.join(hints)}, found "
            f"{found}. frequency: periods with a transaction; recency: the last such period "
            "(0 if none); periods: transaction opportunities observed"
        )
    if S.CUSTOMER_ID in summary.columns:
        labels = summary[S.CUSTOMER_ID]
        where = "customer(s)"
    else:
        labels = pd.Series(summary.index)
        where = "row(s), index"

    def problem(bad: np.ndarray, text: str) -> None:
        if bad.any():
            raise DataValidationError(
                f"{text} in {int(bad.sum())} {where} {_first(labels[bad])}; fix or drop them"
            )

    columns = [*_COLUMNS, *([_WEIGHTS] if _WEIGHTS in summary.columns else [])]
    values = {}
    for col in columns:
        v = pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype="float64")
        problem(~np.isfinite(v) | (v < 0), f"{col!r} is missing, negative or infinite")
        if col != _WEIGHTS:
            problem(v != np.round(v), f"{col!r} is not a whole number of periods")
        values[col] = v
    x, tx, n = (values[c] for c in _COLUMNS)
    w = values.get(_WEIGHTS, np.ones(len(x)))
    problem(tx > n, "'recency' (the last period with a transaction) exceeds 'periods'")
    problem(
        x > tx,
        "'frequency' exceeds 'recency' (x transactions in distinct periods end in period x "
        "or later)",
    )
    problem((x == 0) & (tx > 0), "'recency' is above 0 while 'frequency' is 0 (no transaction)")
    return x, tx, n, w


class BetaGeoBetaBinomModel(BaseModel):
    """BG/BB: who transacts at each discrete occasion, and who has silently left.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta`` (the transaction probability ``p`` is Beta(alpha, beta)
        across customers), ``gamma``, ``delta`` (the dropout probability ``theta`` is
        Beta(gamma, delta)).
    standard_errors_ : dict
        Standard errors of the parameters (inverse observed information).
    log_likelihood_ : float
        Log-likelihood at the estimate, summed over customers (with the weights).
    n_customers_ : int
        Customers fitted (the sum of the weights).
    n_rows_ : int
        Distinct (frequency, recency, periods) rows.
    time_unit_ : str
        ``"periods"``: one transaction opportunity each.

    Examples
    --------
    >>> # Fader, Hardie & Shang (2010): 11,104 donors over six yearly drives
    >>> donations = pd.DataFrame({
    ...     "frequency": [0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6],
    ...     "recency": [0, 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6, 3, 4, 5, 6, 4, 5, 6, 5, 6, 6],
    ...     "periods": 6,
    ...     "weights": [3464, 1091, 277, 129, 78, 119, 129, 613, 255, 155, 173, 234, 322,
    ...                 181, 225, 357, 240, 284, 512, 335, 728, 1203]})
    >>> model = BetaGeoBetaBinomModel().fit(donations)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _required = _COLUMNS
    _name = "BG/BB"
    _bounded = ("alpha", "beta", "gamma", "delta")
    _fit_hint = (
        ".fit(summary) first, with summary columns 'frequency', 'recency', 'periods' "
        "(and optionally 'weights')"
    )
    _advice = (
        "more customers or more periods; check that 'frequency' counts periods with a "
        "transaction (not transactions) and 'recency' is the last such period (0 if none)."
    )
    _empty = "the summary has no rows, or all its weights are 0"

    def fit(self, summary: pd.DataFrame) -> BetaGeoBetaBinomModel:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame
            One row per customer, or per pattern of identical customers:

            - ``frequency``: periods with a transaction (0..recency);
            - ``recency``: the last period with a transaction (1..periods; 0 if none);
            - ``periods``: transaction opportunities observed (whole numbers; they may
              differ across customers);
            - ``weights`` (optional): customers the row stands for (default 1), the way
              such data is often published.

            A ``customer_id`` column, if present, names the customers in messages.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When a column is missing.
        DataValidationError
            When a value is missing, negative or not whole, ``recency`` exceeds
            ``periods``, ``frequency`` exceeds ``recency``, or nobody is left to fit.
        ConvergenceError
            When the optimiser fails; the message says what to try.

        Examples
        --------
        >>> summary = pd.DataFrame({"frequency": [0, 1, 2, 3, 1, 2],
        ...                         "recency": [0, 1, 3, 3, 3, 2], "periods": 3,
        ...                         "weights": [40, 15, 10, 25, 5, 5]})
        >>> BetaGeoBetaBinomModel().fit(summary).n_customers_
        100
        """
        x, tx, n, w = _validate(summary)
        keep = w > 0
        self.time_unit_ = "periods"
        return self._fit_rows(compress([x[keep], tx[keep], n[keep]], weights=w[keep]))

    def _build(self, rows: Compressed) -> dict[str, Any]:
        x, tx, n = rows.unique_rows
        w = rows.weights
        # the sum of the likelihood runs over i = 0 .. n - t_x - 1: one column per i
        width = int(np.max(n - tx)) if len(n) else 0
        i = np.arange(width, dtype="float64")[None, :]
        return {
            "x": x[:, None],
            "tx": tx[:, None],
            "periods": n[:, None],
            "i": i,
            "inside": i < (n - tx)[:, None],
            "w": w,
            "total": float(w.sum()),
            "n": float(w.sum()),
        }

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        return np.ones(4)

    @staticmethod
    def _log_terms(
        params: np.ndarray, x: np.ndarray, tx: np.ndarray, n: np.ndarray, i: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the log of each term of L without the normalising betas, in columns.

        Column 0 is alive through period n; column 1 + i dropped out at the start of
        period t_x + i + 1. Also the second arguments of the two betas of each term.
        """
        alpha, beta, gamma, delta = params
        b_p = np.concatenate([beta + n - x, beta + tx - x + i + 0 * x], axis=1)
        b_theta = np.concatenate([delta + n, delta + tx + i + 0 * x], axis=1)
        a_theta = np.concatenate([np.zeros_like(n), np.ones_like(b_theta[:, 1:])], axis=1)
        logs = betaln(alpha + x, b_p) + betaln(gamma + a_theta, b_theta)
        return logs, b_p, b_theta

    def _row_log_likelihood(
        self, params: np.ndarray, x: np.ndarray, tx: np.ndarray, n: np.ndarray
    ) -> np.ndarray:
        """Log-likelihood of each row (1-d arrays in, one value per row out)."""
        x, tx, n = x[:, None], tx[:, None], n[:, None]
        width = int(np.max(n - tx)) if len(n) else 0
        i = np.arange(width, dtype="float64")[None, :]
        logs, _, _ = self._log_terms(params, x, tx, n, i)
        inside = np.concatenate([np.ones_like(n, dtype=bool), i < n - tx], axis=1)
        alpha, beta, gamma, delta = params
        return logsumexp(np.where(inside, logs, -np.inf), axis=1) - (
            betaln(alpha, beta) + betaln(gamma, delta)
        )

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        alpha, beta, gamma, delta = params
        x, tx, n, i = data["x"], data["tx"], data["periods"], data["i"]
        w, total = data["w"], data["total"]
        logs, b_p, b_theta = self._log_terms(params, x, tx, n, i)
        inside = np.concatenate([np.ones_like(n, dtype=bool), data["inside"]], axis=1)
        logs = np.where(inside, logs, -np.inf)
        ll_rows = logsumexp(logs, axis=1)
        ll = w @ ll_rows - total * (betaln(alpha, beta) + betaln(gamma, delta))
        # each row's gradient is the share-weighted gradient of its terms' logs, with
        # d betaln(a, b) / da = digamma(a) - digamma(a + b), and likewise for b
        share = softmax(logs, axis=1) * w[:, None]
        a_theta = np.concatenate([np.zeros_like(n), np.ones_like(b_theta[:, 1:])], axis=1)
        both_p = digamma(alpha + x + b_p)
        both_theta = digamma(gamma + a_theta + b_theta)

        def weighted(values: np.ndarray) -> float:
            return float(np.sum(np.where(inside, share * values, 0.0)))

        g = np.array(
            [
                weighted(digamma(alpha + x) - both_p),
                weighted(digamma(b_p) - both_p),
                weighted(digamma(gamma + a_theta) - both_theta),
                weighted(digamma(b_theta) - both_theta),
            ]
        )
        g -= total * np.array(
            [
                digamma(alpha) - digamma(alpha + beta),
                digamma(beta) - digamma(alpha + beta),
                digamma(gamma) - digamma(gamma + delta),
                digamma(delta) - digamma(gamma + delta),
            ]
        )
        return -float(ll), -g

    # --- predictions -------------------------------------------------------------------
    def _params(self) -> np.ndarray:
        p = self._check_fitted()
        return np.array([p[k] for k in self._param_names])

    def _log_alive_after(
        self, x: np.ndarray, tx: np.ndarray, n: np.ndarray, ahead: np.ndarray
    ) -> np.ndarray:
        """Return log P(alive in period n + k | x, t_x, n) for each row and each k of ``ahead``."""
        params = self._params()
        alpha, beta, gamma, delta = params
        ll = self._row_log_likelihood(params, x, tx, n)
        return (
            (betaln(alpha + x, beta + n - x) - betaln(alpha, beta) - ll)[:, None]
            + betaln(gamma, delta + n[:, None] + ahead[None, :])
            - betaln(gamma, delta)
        )

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Return the probability that each customer is alive in the next period.

        Fader, Hardie & Shang (2010), eq. 11: P(alive in period n + 1 | x, t_x, n), the
        chance that the customer has not dropped out by the next transaction opportunity.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``frequency``, ``recency``, ``periods`` as for :meth:`fit` (``weights`` is
            not used).

        Returns
        -------
        pandas.Series
            ``probability_alive`` (0-1), aligned with ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        SchemaError, DataValidationError
            As for :meth:`fit`.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> s = pd.DataFrame({"frequency": [6, 3], "recency": [6, 3], "periods": [6, 6]})
        >>> # a donor every year (x = t_x = n = 6) gives B(gamma, delta + 7) /
        >>> # B(gamma, delta + 6) = (delta + 6) / (gamma + delta + 6) = 8.783 / 9.44 = 0.930
        >>> m.probability_alive(s).round(3).tolist()
        [0.93, 0.095]
        """
        self._check_fitted()
        x, tx, n, _ = _validate(summary)
        log_alive = self._log_alive_after(x, tx, n, np.ones(1))[:, 0]
        return pd.Series(np.exp(log_alive), index=summary.index, name="probability_alive")

    def expected_transactions(self, n_periods: Any) -> Any:
        """Return the expected transactions of a new customer in their first periods.

        Fader, Hardie & Shang (2010), eq. 7, summed period by period: E[X(n)] =
        alpha / (alpha + beta) x sum over t = 1..n of B(gamma, delta + t) / B(gamma,
        delta), the chance of transacting while alive times the chance of being alive
        in period t.

        Parameters
        ----------
        n_periods : int or array of int
            Periods after the first one (0 or more).

        Returns
        -------
        float or numpy.ndarray
            Expected transactions, the shape of ``n_periods``.

        Raises
        ------
        ValueError
            When ``n_periods`` is not whole and 0 or more.
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> # one period: alpha / (alpha + beta) x delta / (gamma + delta)
        >>> #   = 0.616172 x 0.809012 = 0.49849
        >>> round(m.expected_transactions(1), 4)
        0.4985
        """
        alpha, beta, gamma, delta = self._params()
        horizon = _periods(n_periods)
        t = np.arange(1, int(horizon.max(initial=0)) + 1, dtype="float64")
        alive = np.exp(betaln(gamma, delta + t) - betaln(gamma, delta))
        cumulative = np.r_[0.0, np.cumsum(alive)] * alpha / (alpha + beta)
        out = cumulative[horizon.astype(int)]
        return float(out) if np.ndim(out) == 0 else out

    def conditional_expected_transactions(
        self, summary: pd.DataFrame, *, n_periods: int
    ) -> pd.Series:
        """Return each customer's expected transactions in the next ``n_periods``.

        Fader, Hardie & Shang (2010), eq. 13, summed period by period: the expected
        transaction probability of the customer given their history, (alpha + x) /
        (alpha + beta + n), times the chance of being alive in each period n + 1 ..
        n + n_periods.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``frequency``, ``recency``, ``periods`` as for :meth:`fit`.
        n_periods : int
            Future periods (0 or more).

        Returns
        -------
        pandas.Series
            Named ``expected_transactions_<n_periods>_periods``, aligned with ``summary``.

        Raises
        ------
        ValueError
            When ``n_periods`` is not whole and 0 or more.
        NotFittedError
            Before ``fit``.
        SchemaError, DataValidationError
            As for :meth:`fit`.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> s = pd.DataFrame({"frequency": [6, 0], "recency": [6, 0], "periods": [6, 6]})
        >>> m.conditional_expected_transactions(s, n_periods=5).round(3).tolist()
        [3.752, 0.073]
        """
        self._check_fitted()
        horizon = int(_periods(n_periods))
        alpha, beta, _, _ = self._params()
        x, tx, n, _ = _validate(summary)
        ahead = np.arange(1, horizon + 1, dtype="float64")
        alive = np.exp(self._log_alive_after(x, tx, n, ahead)).sum(axis=1)
        values = (alpha + x) / (alpha + beta + n) * alive
        return pd.Series(
            values, index=summary.index, name=f"expected_transactions_{horizon}_periods"
        )


def _periods(values: Any) -> np.ndarray:
    try:
        out = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        out = np.array(np.nan)
    if not np.all(np.isfinite(out)) or np.any(out != np.round(out)) or np.any(out < 0):
        raise ValueError(f"n_periods must be whole numbers, 0 or more; got {values!r}")
    return out
