"""Process noise: each customer's future repeat purchases simulated, once per draw.

Laid out for hundreds of thousands of customers:

- **States** at ``T``: :mod:`retainkit.clv.intervals._states`.
- **Cells.** Customers x draws are simulated together, a chunk at a time, customers
  grouped by row so that a chunk needs the states of a run of rows; chunks run on
  :data:`_WORKERS` threads, each with its own generator spawned from the seed, so the
  result does not depend on how many there are. One uniform ``u`` per cell decides
  alive (``u < P(alive)``); in the alive cells ``u / P(alive)`` is a fresh uniform,
  independent of that decision, which draws by inversion the Pareto/NBD remaining
  lifetime, the (M)BG/NBD purchase after which the customer leaves, or the CNBD stage;
  dead cells need no more draws.

Every draw is exact in distribution: only the order of the random numbers differs from
drawing each variate on its own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from retainkit.clv.intervals._draws import (
    _check_draws,
    _draws_covariance,
    _log_covariance,
    parameter_draws,
)
from retainkit.clv.intervals._states import (
    _alive_probability,
    _Rows,
    _stage_cumulative,
    _state_logits,
    _states,
)
from retainkit.clv.mbgnbd import ModifiedBetaGeoModel
from retainkit.clv.pareto_nbd import ParetoNBDModel
from retainkit.engine._backend import _threads_from_environment

__all__: list[str] = []

#: Most customers x draws (or distinct rows x monthly steps) held in one array at a time;
#: small enough that a chunk's arrays stay in the processor's cache.
_CELLS = 500_000
#: Threads simulating chunks at once (the result does not depend on it): at most 4, and
#: in a report's kernel its share of the cores (``RETAINKIT_THREADS``, set by the runner
#: when notebooks run side by side).
_WORKERS = min(4, _threads_from_environment() or os.cpu_count() or 1)


# --- purchases of the customers alive at T -----------------------------------------------
def _geometric(p: Any, v: np.ndarray) -> np.ndarray:
    """Draw Geometric(p) on 1, 2, ... from uniforms ``v``, by inversion of ``(1 - p)^g``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return 1.0 + np.floor(np.log(v) / np.log1p(-p))


def _alive_bgnbd(
    params: dict[str, Any],
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    v: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the repeat purchases in the next ``t`` of customers alive at ``T``, BG/NBD.

    ``lambda ~ Gamma(r + x, alpha + T)`` and ``p ~ Beta(a, b + x)``: a Poisson process of
    rate ``lambda`` gives ``K`` purchase chances in ``t``; the customer drops out after
    purchase ``G ~ Geometric(p)`` (from the uniforms ``v``), so buys ``min(K, G)`` times.
    Parameters are scalars or one per customer.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    chances = rng.poisson(rng.standard_gamma(r + x) * (t / (alpha + T)))
    return np.fmin(chances, _geometric(rng.beta(a, b + x), v))


def _alive_mbgnbd(
    params: dict[str, Any],
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    v: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the repeat purchases in the next ``t`` of customers alive at ``T``, MBG/NBD.

    As BG/NBD, but the customer also had a dropout chance at the first purchase: the
    alive term of the likelihood is ``B(a, b + x + 1) / B(a, b)`` times the Poisson part
    (``retainkit.clv.mbgnbd``), so given alive ``p ~ Beta(a, b + x + 1)`` and ``lambda ~
    Gamma(r + x, alpha + T)``; after each future purchase the customer leaves with
    probability ``p``.
    """
    return _alive_bgnbd({**params, "b": params["b"] + 1.0}, x, T, t, v, rng)


def _alive_pareto(
    params: dict[str, Any],
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    v: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the repeat purchases in the next ``t`` of customers alive at ``T``, Pareto/NBD.

    ``lambda ~ Gamma(r + x, alpha + T)``; with ``mu ~ Gamma(s, beta + T)`` mixed out, the
    (memoryless) remaining lifetime ``L`` has ``P(L > u) = ((beta + T) / (beta + T +
    u))^s`` (Lomax), drawn from the uniforms ``v`` as ``(beta + T) (v^(-1/s) - 1)``;
    purchases are Poisson with mean ``lambda x min(L, t)``.
    """
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    with np.errstate(divide="ignore", over="ignore"):
        exposure = np.log(v)
        exposure /= -s
        np.expm1(exposure, out=exposure)
        exposure *= beta + T
    np.minimum(exposure, t, out=exposure)
    exposure /= alpha + T
    exposure *= rng.standard_gamma(r + x)
    return rng.poisson(exposure)


def _stages(cumulative: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Draw the Erlang stages done since the last purchase (0..k-1), given alive.

    ``cumulative`` holds per customer the probabilities of at most ``0..k-2`` stages
    (the alive terms of the likelihood's ``S2``, ``retainkit.clv.cnbd``, normalised and
    summed); ``v`` the customers' uniforms.
    """
    return (v[:, None] >= cumulative).sum(axis=1)


def _alive_cnbd(
    params: dict[str, Any],
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    stage: np.ndarray,
    rng: np.random.Generator,
    *,
    k: int,
    mbg: bool,
) -> np.ndarray:
    """Draw the repeat purchases in the next ``t`` of customers alive at ``T``, (M)BG/CNBD-k.

    From the likelihood's alive term (``retainkit.clv.cnbd``): given alive and the stages
    ``j`` done since the last purchase, ``lambda ~ Gamma(r + k x + j, alpha + T)`` (the
    ``x`` Erlang gaps give ``lambda^(k x) e^(-lambda t_x)``, the ``j`` stages in ``u``
    ``lambda^j e^(-lambda u)``) and ``p ~ Beta(a, b + x + m)`` (``m = 1`` for MBG).
    Future stages are Poisson with mean ``lambda t``; with ``N`` of them the customer
    reaches ``floor((N + j) / k)`` purchases, and leaves after each with probability ``p``.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    m = 1.0 if mbg else 0.0
    rate = rng.standard_gamma(r + k * x + stage) * (t / (alpha + T))
    reached = (rng.poisson(rate) + stage) // k
    until_dropout = _geometric(rng.beta(a, b + x + m), rng.random(len(x)))
    return np.fmin(reached, until_dropout)


_SIMULATORS: dict[type, Callable[..., np.ndarray]] = {
    BetaGeoModel: _alive_bgnbd,
    ModifiedBetaGeoModel: _alive_mbgnbd,
    BetaGeoCNBDModel: _alive_cnbd,
    ModifiedBetaGeoCNBDModel: _alive_cnbd,
    ParetoNBDModel: _alive_pareto,
}


def _alive_counts(
    model: Any,
    params: dict[str, Any],
    x: np.ndarray,
    T: np.ndarray,
    t: float,
    v: np.ndarray,
    cumulative: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the purchases of alive customers; ``v`` their uniforms, ``cumulative`` stages."""
    if isinstance(model, BetaGeoCNBDModel):
        stage = _stages(cumulative if cumulative is not None else np.zeros((len(x), 0)), v)
        return _alive_cnbd(params, x, T, t, stage, rng, k=int(model.k_ or 1), mbg=model._mbg)
    return _SIMULATORS[type(model)](params, x, T, t, v, rng)


def _alive_cells(alive: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the cells alive (``u < alive``, flat positions) and their fresh uniforms.

    Given ``u < p``, ``u / p`` is uniform on (0, 1) and independent of the decision.
    """
    live = np.flatnonzero(u < alive)
    return live, np.take(u, live) / np.take(alive, live)


def _simulate(
    model: Any,
    alive: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    t: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's repeat purchases in ``t`` at the model's parameters.

    ``alive`` is each customer's probability alive; the (M)BG/CNBD-k stages come from
    :func:`_state_logits`. The path :func:`_predictive_counts` takes for one draw.
    """
    live, v = _alive_cells(alive, rng.random(len(x)))
    out = np.zeros(len(x), dtype="int64")
    cumulative = None
    if isinstance(model, BetaGeoCNBDModel):
        cumulative = _stage_cumulative(_state_logits(model, x[live], tx[live], T[live]))
    out[live] = _alive_counts(model, dict(model.params_), x[live], T[live], t, v, cumulative, rng)
    return out


def _simulate_one(alive_counts: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def simulate(
        params: dict[str, float],
        alive: np.ndarray,
        x: np.ndarray,
        T: np.ndarray,
        t: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        live, v = _alive_cells(alive, rng.random(len(x)))
        out = np.zeros(len(x), dtype="int64")
        out[live] = alive_counts(params, x[live], T[live], t, v, rng)
        return out

    simulate.__doc__ = (
        f"Draw each customer's repeat purchases in ``t``: alive with probability ``alive``, "
        f"then :func:`{alive_counts.__name__}`."
    )
    return simulate


_simulate_bgnbd = _simulate_one(_alive_bgnbd)
_simulate_mbgnbd = _simulate_one(_alive_mbgnbd)
_simulate_pareto = _simulate_one(_alive_pareto)


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


def _positions(level: float, n_draws: int) -> np.ndarray:
    """Order statistics (0-based) of the ``tail``, ``1 - tail`` and ``level`` quantiles.

    numpy's ``inverted_cdf`` rule (the smallest value whose empirical distribution
    function reaches the quantile), read off ``0..n-1``.
    """
    tail = (1 - level) / 2
    at = np.quantile(np.arange(n_draws), [tail, 1 - tail, level], method="inverted_cdf")
    return np.asarray(at, dtype=np.int64)


def _count_bounds(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Predictive interval of counts (draws on the last axis): observed counts as bounds.

    Equal tails where the lower tail leaves out some positive counts; where the count is 0
    in at least the lower tail's share of the draws the interval starts at 0, the floor,
    and all of the share it leaves out is at the top (the ``level`` quantile), since no
    count lies below 0.
    """
    low_at, high_at, floor_at = _positions(level, counts.shape[-1])
    ordered = np.sort(counts, axis=-1)
    low, high = ordered[..., low_at], ordered[..., high_at]
    high = np.where(low <= 0, ordered[..., floor_at], high)
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


def _in_threads(function: Callable[..., Any], *arguments: list[Any]) -> Iterator[Any]:
    """Yield ``function`` of each chunk's arguments, in order, from :data:`_WORKERS` threads.

    Chunks write to separate rows and their sums are added in chunk order, so results do
    not depend on the number of threads; numpy's array arithmetic, scipy's special
    functions and numpy's random draws release the GIL, so the threads run in parallel.
    """
    workers = max(1, min(_WORKERS, len(arguments[0])))
    if workers == 1:
        yield from map(function, *arguments)
        return
    with ThreadPoolExecutor(workers) as pool:
        yield from pool.map(function, *arguments)


def _chunks(n: int, per_customer: int) -> list[slice]:
    size = max(1, _CELLS // max(per_customer, 1))
    return [slice(lo, min(lo + size, n)) for lo in range(0, n, size)] or [slice(0, 0)]


def _predictive_counts(
    model: Any,
    rows: _Rows,
    values: np.ndarray,
    t: float,
    level: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate each customer's repeat purchases in ``t``, once per parameter draw.

    ``rows`` are the summary's distinct rows (:func:`_distinct`); the states at each
    draw come from :func:`_states`. Each chunk of customers draws from its own generator,
    spawned from ``rng`` in chunk order, so the result is the same however many of
    :data:`_WORKERS` threads share the chunks (numpy's random draws and array arithmetic
    release the GIL). Returns each customer's predictive bounds and the total per draw.
    """
    names = list(model.params_)
    n, d = len(rows.codes), len(values)
    low, high, total = np.empty(n), np.empty(n), np.zeros(d)
    if n == 0:
        return low, high, total
    states = _states(model, values, rows)
    columns = [np.ascontiguousarray(values[:, i]) for i in range(len(names))]
    order = np.argsort(rows.codes, kind="stable")

    def simulate(part: slice, chunk_rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        customers = order[part]
        code = rows.codes[customers]
        first = int(code[0])
        logits = states.logits(first, int(code[-1]) + 1)
        local = code - first
        alive = _alive_probability(logits)[local]
        live, v = _alive_cells(alive, chunk_rng.random(alive.shape))
        # flat positions and integer division: faster than a 2-d mask and np.nonzero
        person = live // d
        draw = live - person * d
        at = np.take(code, person)
        cumulative = None
        if logits.shape[-1] > 1:
            cumulative = _stage_cumulative(logits[local[person], draw])
        params = {name: np.take(column, draw) for name, column in zip(names, columns, strict=True)}
        counts = np.zeros(alive.size, dtype=np.int32)
        x, T = np.take(rows.x, at), np.take(rows.T, at)
        counts[live] = _alive_counts(model, params, x, T, t, v, cumulative, chunk_rng)
        counts = counts.reshape(alive.shape)
        return (customers, *_count_bounds(counts, level), counts.sum(axis=0, dtype=np.int64))

    parts = _chunks(n, d)
    for customers, part_low, part_high, part_total in _in_threads(
        simulate, parts, rng.spawn(len(parts))
    ):
        low[customers], high[customers] = part_low, part_high
        total += part_total
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
