"""The BG/NBD family on a million customers: BG/NBD, MBG/NBD, BG/CNBD-k and MBG/CNBD-k fits.

Issue 15's target: fits on a million customers stay under a second for the BG/NBD family.
The customers are simulated from BG/NBD with the demo shop's parameters (as in
bench_clv.py), with their purchase times, so that the sum of the logs of the gaps between
purchases (``litt``, which the regularity models need) is exact. Prints one row per fit:
median seconds over ``--repeat`` runs (wall clock, and the process's CPU time: on a shared
machine the wall clock also counts the time other processes hold the cores) and the
estimates. The customer ids are zero-padded, so that they sort as
:func:`retainkit.customer_summary` returns them: the fits check that ids are unique, at
once when they are sorted (unsorted string ids cost a hash of every id, about 0.25 s
here).

    .venv/bin/python benchmarks/bench_clv_family.py               # 1,000,000 customers
    .venv/bin/python benchmarks/bench_clv_family.py --customers 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from retainkit.clv import (
    BetaGeoCNBDModel,
    BetaGeoModel,
    ModifiedBetaGeoCNBDModel,
    ModifiedBetaGeoModel,
)
from retainkit.simulate import ShopParameters


def simulate_summary(n: int, *, seed: int = 1, weeks: float = 150.0) -> pd.DataFrame:
    """Per-customer BG/NBD summaries with ``litt``, in weeks.

    A customer's purchases after the first are a Poisson process on (0, T) cut at the
    purchase after which they leave. Given ``events`` purchases in (0, T), their times are
    uniform order statistics: gaps ``T E_i / S`` with ``E_i`` unit exponentials and ``S``
    the sum of ``events + 1`` of them, so the first ``x`` gaps need ``x`` draws and one
    Gamma(``events + 1 - x``) for the rest of ``S``. Times are not rounded to days, so that
    ``litt`` and ``recency`` agree: nearly every repeat customer is a distinct row (the
    hardest case for the fits, which compress identical rows; bench_clv.py rounds to days).
    """
    prm = ShopParameters()
    rng = np.random.default_rng(seed)
    T = rng.integers(1, int(weeks * 7) + 1, size=n) / 7.0
    lam = rng.gamma(prm.r, 1.0 / prm.alpha, size=n)
    p = rng.beta(prm.a, prm.b, size=n)
    lives_for = rng.geometric(np.clip(p, 1e-9, 1.0))
    events = rng.poisson(lam * T)
    x = np.minimum(lives_for, events)
    owner = np.repeat(np.arange(n), x)
    e = rng.exponential(size=owner.size)
    first_x = np.bincount(owner, weights=e, minlength=n)
    rest = rng.gamma(np.maximum(events + 1 - x, 1e-12), 1.0)
    total = first_x + np.where(events + 1 - x > 0, rest, 0.0)
    scale = np.where(x > 0, T / np.where(total > 0, total, 1.0), 0.0)
    tx = first_x * scale
    litt = np.bincount(owner, weights=np.log(e * scale[owner]), minlength=n)
    out = pd.DataFrame(
        {
            "customer_id": np.char.zfill(np.arange(n).astype(str), len(str(n))),
            "frequency": x.astype("int64"),
            "recency": tx,
            "T": T,
            "litt": litt,
        }
    )
    out.attrs["time_unit"] = "weeks"
    return out


def _medians(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``repeat`` calls, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> None:
    """Fit each model and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    summary = simulate_summary(args.customers)
    distinct = len(summary[["frequency", "recency", "T"]].drop_duplicates())
    print(
        f"{args.customers:,} customers, {int((summary.frequency > 0).sum()):,} with repeat "
        f"purchases, {distinct:,} distinct (frequency, recency, T) rows"
    )
    BetaGeoModel().fit(summary.head(5000))  # warm up imports and the thread pool
    fits = {
        "BetaGeoModel (BG/NBD)": lambda: BetaGeoModel().fit(summary),
        "ModifiedBetaGeoModel (MBG/NBD)": lambda: ModifiedBetaGeoModel().fit(summary),
        "BetaGeoCNBDModel (k = 2 given)": lambda: BetaGeoCNBDModel(k=2).fit(summary),
        "ModifiedBetaGeoCNBDModel (k = 2 given)": lambda: ModifiedBetaGeoCNBDModel(k=2).fit(
            summary
        ),
        "BetaGeoCNBDModel (k searched 1..3)": lambda: BetaGeoCNBDModel(max_k=3).fit(summary),
    }
    print("| fit | median s | CPU s | estimates |")
    print("|---|---:|---:|---|")
    for name, fit in fits.items():
        seconds, cpu, model = _medians(fit, args.repeat)
        params = ", ".join(f"{k}={v:.4g}" for k, v in model.params_.items())
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {params} |")


if __name__ == "__main__":
    main()
