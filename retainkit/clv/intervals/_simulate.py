"""Process noise: each customer's future repeat purchases simulated, once per draw."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import softmax

from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel, _log_terms
from retainkit.clv.intervals._draws import (
    _check_draws,
    _draws_covariance,
    _log_covariance,
    _with_params,
    parameter_draws,
)
from retainkit.clv.mbgnbd import ModifiedBetaGeoModel
from retainkit.clv.pareto_nbd import ParetoNBDModel

__all__: list[str] = []

#: Most customers x draws (or customers x monthly steps) held in one array at a time.
_CELLS = 2_000_000


def _simulate_bgnbd(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under BG/NBD.

    Given alive at ``T``: ``lambda ~ Gamma(r + x, alpha + T)`` and ``p ~ Beta(a, b + x)``.
    A Poisson process of rate ``lambda`` gives ``K`` purchase chances in ``t``; the
    customer drops out after purchase ``G ~ Geometric(p)``, so buys ``min(K, G)`` times.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    is_alive = rng.random(len(x)) < alive
    rate = rng.gamma(r + x, 1.0 / (alpha + T))
    p = np.clip(rng.beta(a, b + x), 1e-12, 1.0)
    chances = rng.poisson(rate * t)
    until_dropout = rng.geometric(p)
    return np.where(is_alive, np.minimum(chances, until_dropout), 0)


def _simulate_mbgnbd(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under MBG/NBD.

    As BG/NBD, but the customer also had a dropout chance at the first purchase: the
    alive term of the likelihood is ``B(a, b + x + 1) / B(a, b)`` times the Poisson part
    (``retainkit.clv.mbgnbd``), so given alive ``p ~ Beta(a, b + x + 1)`` and ``lambda ~
    Gamma(r + x, alpha + T)``; after each future purchase the customer leaves with
    probability ``p``.
    """
    return _simulate_bgnbd({**params, "b": params["b"] + 1.0}, alive, x, T, t, rng)


def _stages(
    params: Any,
    k: int,
    mbg: bool,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the Erlang stages done since the last purchase (0..k-1), given alive.

    Their weights are the alive terms of the likelihood's ``S2`` (``retainkit.clv.cnbd``):
    ``(r + k x)_j u^j / (j! (alpha + T)^j)``, normalised.
    """
    _, terms = _log_terms(params, k, mbg, x, tx, T)
    weights = np.cumsum(softmax(terms[:, 1:], axis=1), axis=1)
    drawn = (rng.random(len(x))[:, None] >= weights[:, :-1]).sum(axis=1)
    return drawn.astype("int64")


def _simulate_cnbd(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
    *,
    k: int,
    mbg: bool,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under (M)BG/CNBD-k.

    From the likelihood's alive term (``retainkit.clv.cnbd``): given alive, the stages
    ``j`` done since the last purchase (:func:`_stages`), then ``lambda ~ Gamma(r + k x +
    j, alpha + T)`` (the ``x`` Erlang gaps give ``lambda^(k x) e^(-lambda t_x)``, the
    ``j`` stages in ``u`` ``lambda^j e^(-lambda u)``) and ``p ~ Beta(a, b + x + m)``
    (``m = 1`` for MBG). Future stages are Poisson with mean ``lambda t``; with ``N`` of
    them the customer reaches ``floor((N + j) / k)`` purchases, and leaves after each with
    probability ``p``.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    m = 1.0 if mbg else 0.0
    j = _stages((r, alpha, a, b), k, mbg, x, tx, T, rng)
    is_alive = rng.random(len(x)) < alive
    rate = rng.gamma(r + k * x + j, 1.0 / (alpha + T))
    p = np.clip(rng.beta(a, b + x + m), 1e-12, 1.0)
    reached = (rng.poisson(rate * t) + j) // k
    until_dropout = rng.geometric(p)
    return np.where(is_alive, np.minimum(reached, until_dropout), 0)


def _simulate_pareto(
    params: dict[str, float],
    alive: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in the next ``t`` under Pareto/NBD.

    Given alive at ``T``: ``lambda ~ Gamma(r + x, alpha + T)``, ``mu ~ Gamma(s, beta + T)``
    and (memoryless) the remaining lifetime ``~ Exponential(mu)``; purchases are Poisson
    with mean ``lambda x min(lifetime, t)``.
    """
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    is_alive = rng.random(len(x)) < alive
    rate = rng.gamma(r + x, 1.0 / (alpha + T))
    dropout = rng.gamma(s, 1.0 / (beta + T), size=len(x))
    lifetime = rng.exponential(1.0, size=len(x)) / np.maximum(dropout, 1e-300)
    return np.where(is_alive, rng.poisson(rate * np.minimum(lifetime, t)), 0)


def _simulate(
    model: Any,
    alive: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in ``t`` under the (drawn) model."""
    simulate = _SIMULATORS[type(model)]
    if isinstance(model, BetaGeoCNBDModel):
        k = int(model.k_ or 1)
        return _simulate_cnbd(model.params_, alive, x, tx, T, t, rng, k=k, mbg=model._mbg)
    return simulate(model.params_, alive, x, T, t, rng)


_SIMULATORS: dict[type, Callable[..., np.ndarray]] = {
    BetaGeoModel: _simulate_bgnbd,
    ModifiedBetaGeoModel: _simulate_mbgnbd,
    BetaGeoCNBDModel: _simulate_cnbd,
    ModifiedBetaGeoCNBDModel: _simulate_cnbd,
    ParetoNBDModel: _simulate_pareto,
}


# --- quantiles ---------------------------------------------------------------------------
def _check_level(level: float, n_draws: int) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1 (0.9 for a 90% interval)")
    need = math.ceil(2 / (1 - level))
    if n_draws < need:
        raise ValueError(
            f"n_draws={n_draws} is too few for a {level:.0%} interval: its tails need at "
            f"least {need} draws (500 or more give stable bounds)"
        )


def _count_bounds(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Predictive interval of counts (draws on the last axis): observed counts as bounds.

    Equal tails where the lower tail leaves out some positive counts; where the count is 0
    in at least the lower tail's share of the draws the interval starts at 0, the floor,
    and all of the share it leaves out is at the top (the ``level`` quantile), since no
    count lies below 0.
    """
    tail = (1 - level) / 2
    low, high = np.quantile(counts, [tail, 1 - tail], axis=-1, method="inverted_cdf")
    floor_high = np.quantile(counts, level, axis=-1, method="inverted_cdf")
    high = np.where(low <= 0, floor_high, high)
    return low.astype("float64"), high.astype("float64")


def _total_row(
    measure: str, estimate: float, low: float, high: float, includes: str
) -> dict[str, Any]:
    return {
        "measure": measure,
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
        "includes": includes,
    }


_PARAMETERS = "parameter uncertainty"
_PROCESS = "parameter uncertainty and purchase-to-purchase chance"


def _chunks(n: int, per_customer: int) -> list[slice]:
    size = max(1, _CELLS // max(per_customer, 1))
    return [slice(lo, min(lo + size, n)) for lo in range(0, n, size)] or [slice(0, 0)]


def _predictive_counts(
    model: Any,
    summary: pd.DataFrame,
    values: np.ndarray,
    t: float,
    level: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate each customer's repeat purchases in ``t``, once per parameter draw.

    The probability alive under each draw is computed once per distinct (frequency,
    recency, T) row. Returns each customer's predictive bounds and the total per draw.
    """
    names = list(model.params_)
    x, tx, T = model._columns(summary)
    n, d = len(x), len(values)
    low, high, total = np.empty(n), np.empty(n), np.zeros(d)
    for part in _chunks(n, d):
        codes, rows = pd.factorize(pd.MultiIndex.from_arrays([x[part], tx[part], T[part]]))
        ux, utx, uT = (rows.get_level_values(i).to_numpy(dtype="float64") for i in range(3))
        counts = np.empty((len(codes), d))
        for j, row in enumerate(values):
            drawn = _with_params(model, names, row)
            alive = drawn._p_alive(ux, utx, uT)[codes]
            counts[:, j] = _simulate(drawn, alive, x[part], tx[part], T[part], t, rng)
        low[part], high[part] = _count_bounds(counts, level)
        total += counts.sum(axis=0)
    return low, high, total


def _uncertainty(
    model: Any, draws: pd.DataFrame | None, n_draws: int, seed: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return the parameter draws and the log-parameters' covariance the deltas use.

    Without ``draws``: ``n_draws`` from the fit and the fit's own covariance; with them,
    the covariance of their logarithms (so draws all at the estimate give no spread).
    """
    if draws is None:
        values = parameter_draws(model, n_draws=n_draws, seed=seed).to_numpy(dtype="float64")
        return values, _log_covariance(model)
    values = _check_draws(draws, model, what)
    return values, _draws_covariance(values)
