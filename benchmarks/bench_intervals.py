"""Forecast intervals as the lifetime value notebook computes them, on the bundled data.

Run: .venv/bin/python benchmarks/bench_intervals.py [--data demo cdnow_sample online_retail]
     [--repeat 3] [--per-draw] [--summary PATH --model pareto_nbd]

For each preset: load it, build the weekly summary, fit BG/NBD and Gamma-Gamma as the
notebook does (``fit_or_explain``, ``fit_spend_model``), then time
:func:`retainkit.sections.forecast_intervals` with the notebook's defaults (5 years, 10% a
year, margin 0.3, the section's default draws), median of ``--repeat`` runs in this
process. Also times :func:`retainkit.clv.intervals.purchase_intervals` over 39 weeks.

``--summary PATH --model pareto_nbd`` times a pickled weekly summary instead (a large
log's: the 10-million-line one's 636,596 customers), with the model named and Gamma-Gamma
fitted on the repeat customers.

Prints a table: customers, distinct (frequency, recency, T) rows, wall-clock and CPU
seconds per call (CPU time is the steadier figure on a shared machine), and the total
lifetime value with its 90% interval (so that a change in speed can be checked not to
have moved the numbers).

``--per-draw`` adds, per preset, the interval the package computed before the delta
method: 200 parameter draws of each model (:func:`retainkit.clv.intervals.parameter_draws`),
each priced in full by ``clv_forecast`` and ``customer_value``, the 5% and 95% quantiles
of the total; with its time.

Measured 2026-12-03 on the 2-core machine (load about 2), ``--repeat 3 --per-draw``; "per
draw" is the cost of the method the package used before the delta method:

| data | customers | delta s | per draw s | total clv, delta interval | per draw interval |
|---|---:|---:|---:|---|---|
| demo | 5,240 | 0.95 | 13.78 | 901,999 - 958,742 | 905,510 - 959,193 |
| cdnow_sample | 2,357 | 0.40 | 4.50 | 59,421 - 72,612 | 60,243 - 72,541 |
| online_retail | 4,338 | 0.86 | 11.01 | 10,369,927 - 10,750,691 | 10,016,894 - 10,666,280 |

Online Retail's BG/NBD ``a`` and ``b`` have standard errors 3 times their estimates, where a
linear approximation is rough (the section says so in words).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import retainkit as rk
from retainkit.clv._base import compress
from retainkit.clv.intervals import parameter_draws, purchase_intervals
from retainkit.clv.model_value import clv_forecast, customer_value


def _timed(repeat: int, call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple:
    """Median wall-clock and CPU seconds of ``repeat`` calls, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = call(*args, **kwargs)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def _per_draw_total(bgnbd: Any, spend: Any, summary: Any, n_draws: int = 200) -> np.ndarray:
    """Total lifetime value priced at each of ``n_draws`` draws of both models' parameters."""
    p_draws = parameter_draws(bgnbd, n_draws=n_draws, seed=0)
    s_draws = parameter_draws(spend, n_draws=n_draws, seed=1)
    totals = np.empty(n_draws)
    for j in range(n_draws):
        p, s = copy.copy(bgnbd), copy.copy(spend)
        p.params_, s.params_ = dict(p_draws.iloc[j]), dict(s_draws.iloc[j])
        forecast = clv_forecast(p, s, summary, max_horizon_years=5.0)
        value = customer_value(forecast, horizon_years=5.0, discount_rate=0.1, margin=0.3)
        totals[j] = value["clv"].sum()
    return np.quantile(totals, [0.05, 0.95])


#: Purchase models ``--summary`` can time, by name.
_MODELS = {
    "bgnbd": rk.clv.BetaGeoModel,
    "mbgnbd": rk.clv.ModifiedBetaGeoModel,
    "pareto_nbd": rk.clv.ParetoNBDModel,
}


def _fitted(args: argparse.Namespace) -> list[tuple[str, Any, Any, Any]]:
    """Each preset (or the pickled summary) with its purchase and spend models fitted."""
    out = []
    if args.summary:
        summary = pd.read_pickle(args.summary)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            purchases = _MODELS[args.model]().fit(summary)
            spend = rk.clv.GammaGammaModel().fit(summary[summary["frequency"] > 0])
        return [(args.model, summary, purchases, spend)]
    for name in args.data:
        ds = rk.load_dataset(name)
        summary = rk.customer_summary(ds.transactions, time_unit="weeks")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bgnbd, _ = rk.clv.fit_or_explain(rk.clv.BetaGeoModel, summary)
            spend, _ = rk.sections.fit_spend_model(ds.transactions, summary)
        out.append((name, summary, bgnbd, spend))
    return out


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["demo", "cdnow_sample", "online_retail"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-draw", action="store_true")
    parser.add_argument(
        "--summary",
        help="a pickled customer summary (pandas, in weeks, with monetary_value) to time "
        "instead of the presets, e.g. a large log's",
    )
    parser.add_argument("--model", choices=sorted(_MODELS), default="bgnbd")
    args = parser.parse_args()
    header = (
        f"{'data':<14}{'customers':>10}{'rows':>8}{'value s':>9}{'cpu s':>7}{'purch s':>9}"
        f"{'total clv':>14}{'low':>14}{'high':>14}"
    )
    print(header)
    print("-" * len(header))
    for name, summary, bgnbd, spend in _fitted(args):
        rows = len(compress(bgnbd._columns(summary)).weights)
        value_s, value_cpu, (iv, note) = _timed(
            args.repeat,
            rk.sections.forecast_intervals,
            bgnbd,
            spend,
            summary,
            horizon_years=5.0,
            discount_rate=0.1,
            margin=0.3,
        )
        purchase_s, _, _ = _timed(
            args.repeat, purchase_intervals, bgnbd, summary, t=39.0, n_draws=200
        )
        clv = iv.totals.set_index("measure").loc["clv"] if iv is not None else None
        shown = (
            f"{clv['estimate']:>14,.0f}{clv['low']:>14,.0f}{clv['high']:>14,.0f}"
            if clv is not None
            else f"  {note}"
        )
        print(
            f"{name:<14}{len(summary):>10,}{rows:>8,}{value_s:>9.2f}{value_cpu:>7.2f}"
            f"{purchase_s:>9.2f}{shown}"
        )
        if args.per_draw and clv is not None:
            wall, cpu, (low, high) = _timed(1, _per_draw_total, bgnbd, spend, summary)
            print(f"{'  per draw':<32}{wall:>9.2f}{cpu:>7.2f}{'':>23}{low:>14,.0f}{high:>14,.0f}")


if __name__ == "__main__":
    main()
