"""The regularity models BG/CNBD-k and MBG/CNBD-k (Reutterer, Platzer & Schröder 2021).

BG/NBD (:class:`~retainkit.clv.BetaGeoModel`) and MBG/NBD
(:class:`~retainkit.clv.ModifiedBetaGeoModel`) let a customer buy as a Poisson process:
the times between purchases are exponential, as irregular as can be. The (M)BG/CNBD-k
models make them Erlang-k with rate ``lambda`` (the sum of ``k`` exponential stages): the
larger ``k``, the more regular the customer (the coefficient of variation of the gaps is
``1 / sqrt(k)``). Across customers ``lambda ~ Gamma(r, rate alpha)``, and the dropout
process is BG/NBD's (after each repeat purchase, with ``p ~ Beta(a, b)``) or, for the
MBG variant, MBG/NBD's (also right after the first purchase). ``k`` is common to all
customers and estimated by fitting each ``k = 1..max_k`` and keeping the best
likelihood. With ``k = 1`` the models are BG/NBD and MBG/NBD.

For a customer with ``x`` repeat purchases, the last at ``t_x``, observed for ``T``
since the first, and ``litt`` the sum of the logarithms of the ``x`` times between
purchase days (in the time unit of ``recency`` and ``T``), with ``m = 1`` for the MBG
variant and 0 otherwise, ``u = T - t_x`` and ``(c)_j`` the rising factorial:

    log L = (k - 1) litt - x log((k - 1)!) + log B(a, b + x + m) - log B(a, b)
            + log G(r + k x) - log G(r) + r log(alpha) - (r + k x) log(alpha + T)
            + log(S1 + S2),
    S1 = [m = 1 or x > 0] a / (b + x - 1 + m) ((alpha + T) / (alpha + t_x))^(r + k x),
    S2 = sum over j = 0..k-1 of (r + k x)_j u^j / (j! (alpha + T)^j).

``S2`` is the customer alive at ``T`` (the Erlang gap after ``t_x`` not yet over: ``j``
of its ``k`` stages done), ``S1`` gone right after the last purchase. This is BTYDplus's
``xbgcnbd.LL`` (R package BTYDplus, ``R/mbg-cnbd-k.R``, Platzer), and ``P(alive) = S2 /
(S1 + S2)`` its ``xbgcnbd.PAlive``; BTYDplus's own unit test (``src/`` C++,
``xbgcnbd_ll_cpp``) gives -10.42500 and -12.22396 for ``k, r, alpha, a, b = 3, 0.5, 2,
0.3, 0.6`` at ``x = 3, 4``, ``t_x = 12``, ``T = 14``, ``litt = 3``; our tests assert both.

Expected purchases: BTYDplus approximates the conditional expectation by the BG/NBD one
with ``alpha`` scaled by ``k`` and rescales the cohort's total to the exact
unconditional expectation (``xbgcnbd.ConditionalExpectedTransactions``), so a customer's
forecast depends on which other customers are passed. Here it is computed exactly, per
customer, from the same posterior: given alive, the stage ``j`` reached since the last
purchase has weight ``(r + k x)_j u^j / (j! (alpha + T)^j) / S2`` and then ``lambda ~
Gamma(r + k x + j, rate alpha + T)``, ``p ~ Beta(a, b + x + m)``. The n-th future
purchase needs ``k n - j`` more stages within ``t`` and the customer to survive the
``n - 1`` purchases before it, so

    E[Y(t) | x, t_x, T] = P(alive) sum_j w_j sum_{n >= 1} B(a, b + x + m + n - 1) /
                          B(a, b + x + m) P(NB(r + k x + j, (alpha + T) / (alpha + T + t))
                          >= k n - j),

with ``NB`` the negative binomial count of stages (the Poisson-gamma mixture), the sum
over ``n`` run until the count's upper tail is below 1e-12. At ``k = 1`` it is BG/NBD's
and MBG/NBD's closed form (tested to 1e-8), and for a new customer it is BTYDplus's
exact unconditional ``xbgcnbd.Expectation`` (the sum of x times its pmf; tested).

Reference: Reutterer, Platzer & Schröder (2021), "Leveraging purchase regularity for
predicting customer behavior the easy way", International Journal of Research in
Marketing 38(1), 194-215.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, logsumexp

from retainkit import schema as S
from retainkit.clv._base import (
    Compressed,
    _first,
    compress,
    summary_time_unit,
    validate_summary,
)
from retainkit.clv.bgnbd import BetaGeoModel, _family_neg_ll
from retainkit.exceptions import ConvergenceError, DataValidationError, SchemaError

__all__ = ["BetaGeoCNBDModel", "ModifiedBetaGeoCNBDModel"]

#: Mass of the stage count the expectation's sum leaves out, on each side.
_TAIL = 1e-13
#: Newton steps of the Chernoff bounds on the stage count (converged well before).
_NEWTON_STEPS = 12
#: Terms (customers x horizons x stages) evaluated at once by the expectation.
_CHUNK_CELLS = 200_000


def _log_terms(
    params: Any, k: int, mbg: bool, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the parameter-dependent part of log L without log(S1 + S2), and the log terms.

    Columns of the terms: 0 is log S1 (gone at the last purchase; -inf for BG/CNBD-k
    customers without repeats), 1 + j the j-th term of S2 (alive, j stages done).
    """
    r, alpha, a, b = params
    m = 1.0 if mbg else 0.0
    rkx = r + k * x
    lnaT = np.log(alpha + T)
    head = (
        betaln(a, b + x + m) - betaln(a, b) + gammaln(rkx) - gammaln(r) + r * np.log(alpha)
    ) - rkx * lnaT
    with np.errstate(divide="ignore", invalid="ignore"):
        gone = np.log(a) - np.log(b + x - 1 + m) + rkx * (lnaT - np.log(alpha + tx))
    if not mbg:
        gone = np.where(x > 0, gone, -np.inf)
    j = np.arange(k, dtype="float64")[None, :]
    u = (T - tx)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        # j log(u) with 0 log 0 = 0: at u = 0 only the j = 0 term is left
        ju = np.where(j > 0, j * np.log(u), 0.0)
    alive = (
        gammaln(rkx[:, None] + j) - gammaln(rkx)[:, None] + ju - gammaln(j + 1) - j * lnaT[:, None]
    )
    return head, np.concatenate([gone[:, None], alive], axis=1)


def _row_log_likelihood(
    params: Any,
    k: int,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    litt: np.ndarray,
    *,
    mbg: bool,
) -> np.ndarray:
    """Log-likelihood of each customer (BTYDplus's ``xbgcnbd.LL``), 1-d arrays in."""
    x, tx, T, litt = (np.asarray(v, dtype="float64") for v in (x, tx, T, litt))
    head, terms = _log_terms(params, k, mbg, x, tx, T)
    return (k - 1) * litt - x * math.lgamma(k) + head + logsumexp(terms, axis=1)


def _chernoff_bound(
    s: np.ndarray, logp: np.ndarray, logq: np.ndarray, *, upper: bool
) -> np.ndarray:
    """Count beyond which ``NB(s, p)`` has at most ``_TAIL`` of its mass (on that side).

    Chernoff: ``log P(N >= n)`` (``n`` above the mean) and ``log P(N <= n)`` (below) are
    at most ``f(n) = s log p + s log(1 + n / s) + n log(q (s + n) / n)``, concave in ``n``
    with ``f'(n) = log(q (s + n) / n)``. Newton's steps towards ``f(n) = log(_TAIL)``
    never cross the root once on its far side (a concave curve lies below its
    tangents), so the window returned leaves out at most ``_TAIL`` on each side.
    """
    q = np.exp(logq)
    p = -np.expm1(logq)
    mean = s * q / p
    sd = np.sqrt(s * q) / p
    target = math.log(_TAIL)
    n = mean + sd + 1.0 if upper else np.maximum(mean - sd - 1.0, 0.0)
    for _ in range(_NEWTON_STEPS):
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = logq + np.log1p(s / n)
            value = np.where(n > 0, s * logp + s * np.log1p(n / s) + n * slope, s * logp)
            step = np.where(value > target, (value - target) / slope, 0.0)
        n = np.maximum(n - step, mean) if upper else np.clip(n - step, 0.0, mean)
    return np.ceil(n) if upper else np.floor(n)


def _conditional_expected(
    params: np.ndarray,
    k: int,
    mbg: bool,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | alive, x, t_x, T] for each customer (rows) and horizon ``t`` (columns).

    The module's series, summed over the stages ``i = j + m`` done after the last
    purchase by ``T + t`` (``j`` by ``T``, ``m`` after it): with ``s = r + k x``, ``p =
    (alpha + T) / (alpha + T + t)``, ``q = 1 - p`` and ``u = T - t_x``, ``w_j NB(s + j,
    p)(i - j)`` equals ``NB(s, p)(i) C(i, j) (u / t)^j / Z`` (``Z`` the sum of the alive
    terms of ``S2``), and ``i`` stages make ``floor(i / k)`` purchases, the n-th survived
    with probability ``B(a, b + x + m + n - 1) / B(a, b + x + m)``:

        E = sum_i NB(s, p)(i) cum(floor(i / k)) sum_{j < k} C(i, j) (u / t)^j / Z,

    ``cum(N)`` the sum of the first ``N`` survival probabilities. ``log NB(s, p)(i) -
    s log p - i log q`` and ``cum`` are tabled once per customer; each horizon adds only
    ``s log p + i log q``, over the window of ``i`` outside which ``NB(s, p)`` (below)
    and ``NB(s + k - 1, p)`` shifted by ``k - 1`` (above) leave at most ``_TAIL``.
    """
    r, alpha, a, b = params
    m = 1.0 if mbg else 0.0
    out = np.zeros((len(x), len(t)))
    horizons = np.flatnonzero(t > 0)
    if len(x) == 0 or len(horizons) == 0:
        return out
    s = r + k * x
    rho_base = T - tx  # u, divided by t per horizon
    _, terms = _log_terms(params, k, mbg, x, tx, T)
    log_z = logsumexp(terms[:, 1:], axis=1)
    # one pair per customer and positive horizon, customer-major
    h = len(horizons)
    rows = np.repeat(np.arange(len(x)), h)
    cols = np.tile(horizons, len(x))
    spread = np.log(alpha + T[rows] + t[cols])
    logp = np.log(alpha + T[rows]) - spread
    logq = np.log(t[cols]) - spread
    # fewer than k stages make no purchase
    start = np.maximum(_chernoff_bound(s[rows], logp, logq, upper=False), k)
    stop = _chernoff_bound(s[rows] + k - 1, logp, logq, upper=True) + k
    start = start.astype("int64")
    stop = np.maximum(stop.astype("int64"), start)
    length = stop.reshape(len(x), h).max(axis=1)  # table entries i = 0..length - 1
    cost = (stop - start).reshape(len(x), h).sum(axis=1) + length
    # customers in chunks of a bounded number of cells, similar lengths together
    order = np.argsort(length, kind="stable")
    edges = np.searchsorted(
        np.cumsum(cost[order]), np.arange(1, cost.sum() // _CHUNK_CELLS + 1) * _CHUNK_CELLS
    )
    for part in np.split(order, np.unique(edges[(edges > 0) & (edges < len(order))])):
        pair = (part[:, None] * h + np.arange(h)).ravel()
        out[np.repeat(part, h), cols[pair]] = _window_sums(
            k,
            a,
            b + x[part] + m,
            s[part],
            length[part],
            start[pair],
            stop[pair],
            s[part].repeat(h) * logp[pair] + 0.0 - log_z[part].repeat(h),
            logq[pair],
            rho_base[part].repeat(h) / t[cols[pair]],
        )
    return out


def _window_sums(
    k: int,
    a: float,
    b_alive: np.ndarray,
    s: np.ndarray,
    length: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    shift: np.ndarray,
    logq: np.ndarray,
    rho: np.ndarray,
) -> np.ndarray:
    """Return the sums of :func:`_conditional_expected` for some customers, ``h`` pairs each.

    Customer arrays (``b_alive``, ``s``, ``length``) have one entry per customer, pair
    arrays (the rest) ``h`` per customer in a row.
    """
    h = len(start) // len(s)
    # per customer, i = 0..length - 1: log-gamma part and log cum(floor(i / k))
    offset = np.concatenate([[0], np.cumsum(length)[:-1]])
    owner = np.repeat(np.arange(len(s)), length)
    i = np.arange(int(length.sum())) - offset[owner]
    n = i // k
    steps = np.arange(1, int(n.max(initial=0)) + 1, dtype="float64")
    survive = np.exp(betaln(a, b_alive[:, None] + steps - 1) - betaln(a, b_alive)[:, None])
    cum = np.concatenate([np.zeros((len(s), 1)), np.cumsum(survive, axis=1)], axis=1)
    with np.errstate(divide="ignore"):
        table = gammaln(s[owner] + i) - gammaln(s)[owner] - gammaln(i + 1.0)
        table += np.log(cum[owner, n])
    # per pair, its window of i
    cells = stop - start
    cell_pair = np.repeat(np.arange(len(start)), cells)
    first = np.concatenate([[0], np.cumsum(cells)[:-1]])
    at = np.arange(int(cells.sum())) - first[cell_pair] + start[cell_pair]
    value = np.exp(
        table[offset.repeat(h)[cell_pair] + at] + shift[cell_pair] + at * logq[cell_pair]
    )
    # sum_{j < k} C(i, j) (u / t)^j, term by term
    if k > 1:
        ratio = rho[cell_pair]
        term = at * ratio
        poly = term + 1.0
        for j in range(2, k):
            term *= (at - (j - 1)) * (ratio / j)
            poly += term
        value *= poly
    return np.bincount(cell_pair, weights=value, minlength=len(start))


class BetaGeoCNBDModel(BetaGeoModel):
    """BG/CNBD-k: BG/NBD with regular (Erlang-k) times between purchases.

    Parameters
    ----------
    k : int, optional
        The regularity (1: BG/NBD's exponential gaps, larger: more regular). None (the
        default) estimates it: every ``k = 1..max_k`` is fitted and the best
        log-likelihood kept.
    max_k : int
        Largest ``k`` tried when ``k`` is None (12, as BTYDplus).
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    k_ : int
        The regularity fitted (``k`` itself when given).
    params_ : dict
        ``r``, ``alpha`` (the Erlang rates ``lambda ~ Gamma(r, rate alpha)``; a gap
        between purchases averages ``k / lambda``), ``a``, ``b`` (dropout).
    log_likelihood_by_k_ : pandas.Series
        The maximised log-likelihood of each ``k`` tried (NaN where the fit did not
        converge), indexed by ``k``.
    standard_errors_, log_likelihood_, n_customers_, n_rows_, time_unit_
        As for :class:`~retainkit.clv.BetaGeoModel`, at ``k_`` (standard errors are
        given ``k``).

    Notes
    -----
    The summary needs ``customer_id``, ``frequency`` (repeat purchase days),
    ``recency``, ``T`` and, unless ``k = 1``, ``litt``: the sum over the repeat purchase
    days of the logarithm of the time since the previous purchase day, in the time unit
    of ``recency`` and ``T`` (``retainkit.customer_summary(..., litt=True)`` adds it).
    The log-likelihoods of different ``k`` are comparable only through ``litt``. The
    predictions need no ``litt``.

    Examples
    --------
    >>> import retainkit as rk
    >>> summary = rk.customer_summary(rk.load_transactions("cdnow_sample"),
    ...                               as_of="1997-09-30", time_unit="weeks", litt=True)
    >>> model = BetaGeoCNBDModel(max_k=3).fit(summary)
    >>> model.k_, {k: round(v, 3) for k, v in model.params_.items()}
    (1, {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426})
    """

    _name = "BG/CNBD-k"
    _mbg = False

    def __init__(self, k: int | None = None, *, max_k: int = 12, penalizer: float = 0.0) -> None:
        super().__init__(penalizer=penalizer)
        if k is not None and (isinstance(k, bool) or int(k) != k or k < 1):
            raise ValueError(f"k={k!r} must be a whole number of at least 1 (or None)")
        if isinstance(max_k, bool) or int(max_k) != max_k or max_k < 1:
            raise ValueError(f"max_k={max_k!r} must be a whole number of at least 1")
        self.k = None if k is None else int(k)
        self.max_k = int(max_k)
        self.k_: int | None = None
        self.log_likelihood_by_k_: pd.Series | None = None
        self._start: np.ndarray | None = None

    def __repr__(self) -> str:
        text = super().__repr__()
        return text if self.k_ is None else text.replace("(", f"(k={self.k_}, ", 1)

    # --- fitting -----------------------------------------------------------------------
    def _fit_data(self, summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Validate the summary (``litt`` unless k = 1) and return x, t_x, T, litt."""
        needs_litt = self.k != 1
        if needs_litt and "litt" not in summary.columns and isinstance(summary, pd.DataFrame):
            what = "to estimate k" if self.k is None else f"at k={self.k}"
            raise SchemaError(
                f"{self._name} needs the column 'litt' (the sum of the logs of the times "
                f"between purchase days) {what}; found {list(summary.columns)}. Build the "
                "summary with retainkit.customer_summary(transactions, time_unit='weeks', "
                f"litt=True), or fit {type(self).__name__}(k=1), which does not use it."
            )
        required = (*self._required, "litt") if needs_litt else self._required
        validate_summary(summary, required, model=self._name, may_be_negative=("litt",))
        x, tx, T = self._columns(summary)
        if not needs_litt:
            return x, tx, T, np.zeros(len(x))
        litt = summary["litt"].to_numpy(dtype="float64")
        ids = summary[S.CUSTOMER_ID]
        stray = (x == 0) & (litt != 0)
        if stray.any():
            raise DataValidationError(
                f"'litt' is not 0 for {int(stray.sum())} customers without repeat purchases "
                f"({_first(ids[stray])}); with no time between purchases its sum is 0"
            )
        # the x gaps add up to t_x, so their mean log is at most log(t_x / x) (Jensen)
        with np.errstate(divide="ignore", invalid="ignore"):
            ceiling = np.where(x > 0, x * np.log(tx / np.where(x > 0, x, 1.0)), 0.0)
        over = (x > 0) & (litt > ceiling + 1e-9 * np.maximum(1.0, np.abs(ceiling)))
        if over.any():
            raise DataValidationError(
                f"'litt' exceeds frequency x log(recency / frequency) for {int(over.sum())} "
                f"customers ({_first(ids[over])}): the gaps between purchase days add up to "
                "'recency', so their logs cannot sum to more. Is 'litt' in the time unit "
                "of 'recency' and 'T'? Build it with retainkit.customer_summary(..., "
                "litt=True) and the same time_unit."
            )
        return x, tx, T, litt

    def fit(self, summary: pd.DataFrame, *, time_unit: str | None = None) -> BetaGeoCNBDModel:
        """Fit the model by maximum likelihood, estimating ``k`` unless it was given.

        Parameters
        ----------
        summary : pandas.DataFrame
            One row per customer: ``customer_id``, ``frequency``, ``recency``, ``T``
            and (unless ``k = 1``) ``litt``, as ``retainkit.customer_summary(...,
            litt=True)`` returns.
        time_unit : str, optional
            Unit of ``recency``, ``T`` and ``litt`` when ``summary.attrs`` does not
            name it (default ``"weeks"``).

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When a column is missing (``litt`` included, unless ``k = 1``).
        DataValidationError
            When customers repeat, values are missing, negative (``litt`` may be) or
            infinite, ``recency`` exceeds ``T``, or ``litt`` is impossible (not 0
            without repeats, or above ``frequency x log(recency / frequency)``).
        ConvergenceError
            When no ``k`` converges (or the given one does not).

        Examples
        --------
        >>> s = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
        ...                   "frequency": [0, 1, 2, 3], "recency": [0.0, 3.0, 8.0, 9.0],
        ...                   "T": [10.0, 10.0, 10.0, 10.0],
        ...                   "litt": [0.0, np.log(3.0), 2 * np.log(4.0), 3 * np.log(3.0)]})
        >>> BetaGeoCNBDModel(k=2, penalizer=0.01).fit(s).k_
        2
        """
        x, tx, T, litt = self._fit_data(summary)
        self.time_unit_ = summary_time_unit(summary, time_unit)
        rows = compress([x, tx, T])
        # litt enters log L as (k - 1) litt, a constant in the parameters: only the sum
        # is needed, to compare the k
        litt_sum, x_sum = float(litt.sum()), float(x.sum())

        def constant(k: int) -> float:
            return (k - 1) * litt_sum - math.lgamma(k) * x_sum

        if self.k is not None:
            self._fit_k(rows, self.k, constant(self.k), None)
            self.log_likelihood_by_k_ = pd.Series(
                {self.k: self.log_likelihood_}, name="log_likelihood"
            ).rename_axis("k")
            return self
        fits: dict[int, BetaGeoCNBDModel] = {}
        errors: dict[int, ConvergenceError] = {}
        start = None
        # the data and the warm start's sample do not depend on k: built once
        prepared = self._prepare(rows)
        for k in range(1, self.max_k + 1):
            trial = type(self)(k=k, max_k=self.max_k, penalizer=self.penalizer)
            trial.time_unit_ = self.time_unit_
            try:
                trial._fit_k(rows, k, constant(k), start, prepared)
            except ConvergenceError as exc:
                errors[k] = exc
                continue
            fits[k] = trial
            p = trial.params_ or {}
            # the next k's gaps, k + 1 stages, keep their mean if lambda grows by
            # (k + 1) / k: alpha shrinks by k / (k + 1)
            start = np.array([p["r"], p["alpha"] * k / (k + 1), p["a"], p["b"]])
        if not fits:
            first = errors[min(errors)]
            raise ConvergenceError(
                f"no k in 1..{self.max_k} gave a converged {self._name} fit; for k=1: {first}"
            ) from first
        lls = pd.Series(
            {k: fits[k].log_likelihood_ if k in fits else np.nan for k in range(1, self.max_k + 1)},
            name="log_likelihood",
            dtype="float64",
        ).rename_axis("k")
        best = fits[int(lls.idxmax())]
        for name in (
            "k_",
            "params_",
            "standard_errors_",
            "_information_inverse",
            "log_likelihood_",
            "n_customers_",
            "n_rows_",
            "iterations_",
        ):
            setattr(self, name, getattr(best, name))
        self.log_likelihood_by_k_ = lls
        return self

    def _fit_k(
        self,
        rows: Compressed,
        k: int,
        constant: float,
        start: np.ndarray | None,
        prepared: tuple[dict[str, Any], Any] | None = None,
    ) -> None:
        self.k_ = k
        self._start = start
        try:
            self._fit_rows(rows, prepared=prepared)
        finally:
            self._start = None
        self.log_likelihood_ = float(self.log_likelihood_ or 0.0) + constant

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        if self._start is not None:
            return self._start
        return super()._initial(data)

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        # BTYDplus's xbgcnbd.LL without (k - 1) litt - x log((k - 1)!), summed with the
        # weights: the family's likelihood (retainkit.clv.bgnbd._family_neg_ll)
        return _family_neg_ll(params, data, k=int(self.k_ or 1), mbg=self._mbg)[:2]

    def _neg_ll_grad_hess(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray, np.ndarray]:
        return _family_neg_ll(params, data, k=int(self.k_ or 1), mbg=self._mbg, hess=True)

    # --- predictions -------------------------------------------------------------------
    def _params(self) -> tuple[np.ndarray, int]:
        p = self._check_fitted()
        return np.array([p["r"], p["alpha"], p["a"], p["b"]]), int(self.k_ or 1)

    def _p_alive(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, cov: None = None
    ) -> np.ndarray:
        params, k = self._params()
        _, terms = _log_terms(params, k, self._mbg, x, tx, T)
        # S2 / (S1 + S2); 1 for BG/CNBD-k customers without repeats (S1 = 0)
        return np.exp(logsumexp(terms[:, 1:], axis=1) - logsumexp(terms, axis=1))

    def _expected(
        self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: Any, cov: None = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T] per customer (exact series); a 1-d ``t`` gives x horizons."""
        t = np.asarray(t, dtype="float64")
        grid = np.atleast_1d(t)
        if len(x) == 0:
            return np.zeros((0, *t.shape))
        # distinct customers only: the series is the costly part
        stacked = np.stack([x, tx, T], axis=1)
        unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
        ux, utx, uT = unique.T
        params, k = self._params()
        alive = self._p_alive(ux, utx, uT)
        values = _conditional_expected(params, k, self._mbg, ux, utx, uT, grid)
        out = (values * alive[:, None])[np.ravel(inverse)] + 0.0
        return out if t.ndim == 1 else out[:, 0]

    # --- public additions --------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Return the parameter table, as :meth:`BetaGeoModel.summary`, with ``k`` in attrs.

        Returns
        -------
        pandas.DataFrame
            ``parameter``, ``estimate``, ``standard_error``, ``lower_95``,
            ``upper_95`` for ``r``, ``alpha``, ``a``, ``b`` (given ``k``); ``attrs``
            adds ``k`` and ``log_likelihood_by_k``.

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> m = BetaGeoCNBDModel(k=2)
        >>> m.params_ = {"r": 1.0, "alpha": 2.0, "a": 0.5, "b": 1.5}
        >>> m.k_ = 2
        >>> m.summary().attrs["k"]
        2
        """
        out = super().summary()
        out.attrs["k"] = self.k_
        out.attrs["log_likelihood_by_k"] = self.log_likelihood_by_k_
        return out


class ModifiedBetaGeoCNBDModel(BetaGeoCNBDModel):
    """MBG/CNBD-k: MBG/NBD with regular (Erlang-k) times between purchases.

    As :class:`BetaGeoCNBDModel`, but a customer may also drop out right after the first
    purchase (as in :class:`~retainkit.clv.ModifiedBetaGeoModel`), so a customer without
    repeat purchases is not alive for sure. ``k = 1`` is the MBG/NBD.

    Parameters
    ----------
    k : int, optional
        The regularity; None estimates it over ``1..max_k``.
    max_k : int
        Largest ``k`` tried when ``k`` is None.
    penalizer : float
        Penalty on the squared logarithms of the parameters.

    Attributes
    ----------
    k_, params_, log_likelihood_by_k_, standard_errors_, log_likelihood_
        As for :class:`BetaGeoCNBDModel`.

    Examples
    --------
    >>> m = ModifiedBetaGeoCNBDModel(k=3)
    >>> m.params_ = {"r": 0.5, "alpha": 2.0, "a": 0.3, "b": 0.6}
    >>> m.k_, m.time_unit_ = 3, "weeks"
    >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
    ...                   "T": [0.0]})
    >>> round(float(m.probability_alive(s).iloc[0]), 6)  # b / (a + b) at T = 0
    0.666667
    """

    _name = "MBG/CNBD-k"
    _mbg = True
