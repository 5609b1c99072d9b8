"""Lifetime-value model fits: retainkit against lifetimes and PyMC-Marketing, one run.

Run: .venv/bin/python benchmarks/bench_clv.py [--customers 1000000] [--repeat 5]
     [--compare-repeat 3] [--no-compare]

The data: per-customer summaries simulated from the BG/NBD and Gamma-Gamma processes
with the demo shop's parameters (``retainkit.simulate.ShopParameters``: r=0.8,
alpha=8 per week, a=0.9, b=5; p=6, q=4, gamma=40), first purchases spread over 150
weeks, purchase times on whole days, in weeks. Every tool fits the same summary.

retainkit is timed in this process (median of ``--repeat`` fits, each from the summary
frame: validation, compression, fit and standard errors). lifetimes 0.11
(``BetaGeoFitter``, ``GammaGammaFitter``) and PyMC-Marketing (``BetaGeoModel`` and
``GammaGammaModel`` fitted with ``method="map"``) run in their own environment,
``benchmarks/.venv-compare`` (never a retainkit dependency), made with::

    python3 -m venv benchmarks/.venv-compare
    benchmarks/.venv-compare/bin/pip install "setuptools<82" "lifetimes==0.11.3" \
        "pymc-marketing==0.19.*"

Prints a table of medians in seconds and the ratios to retainkit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.simulate import ShopParameters

HERE = Path(__file__).resolve().parent
COMPARE_PYTHON = HERE / ".venv-compare" / "bin" / "python"


def simulate_summary(n: int, *, seed: int = 1, weeks: float = 150.0) -> pd.DataFrame:
    """Per-customer BG/NBD + Gamma-Gamma summaries with the demo shop's parameters."""
    prm = ShopParameters()
    rng = np.random.default_rng(seed)
    T = rng.integers(1, int(weeks * 7) + 1, size=n) / 7.0
    lam = rng.gamma(prm.r, 1.0 / prm.alpha, size=n)
    p = rng.beta(prm.a, prm.b, size=n)
    # repeat purchases the customer lives for: after each repeat purchase, dropout with
    # probability p (BG/NBD: none at the first purchase)
    lives_for = rng.geometric(np.clip(p, 1e-9, 1.0))
    events = rng.poisson(lam * T)
    x = np.minimum(lives_for, events)
    # the x-th of `events` uniform purchase times on (0, T)
    tx = np.zeros(n)
    has = x > 0
    tx[has] = T[has] * rng.beta(x[has], events[has] - x[has] + 1)
    tx = np.floor(tx * 7) / 7  # whole days
    nu = rng.gamma(prm.q, 1.0 / prm.gamma, size=n)
    xm = np.maximum(x, 1)
    monetary = np.where(has, rng.gamma(prm.p * xm, 1.0) / (xm * nu), 0.0)
    width = len(str(n))
    out = pd.DataFrame(
        {
            "customer_id": np.char.zfill(np.arange(n).astype(str), width),
            "frequency": x.astype("int64"),
            "recency": tx,
            "T": T,
            "monetary_value": np.round(monetary, 2),
        }
    )
    out.attrs["time_unit"] = "weeks"
    return out


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


COMPARE_SCRIPT = r"""
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
data = np.load(sys.argv[1])
df = pd.DataFrame({k: data[k] for k in ("frequency", "recency", "T", "monetary_value")})
df.insert(0, "customer_id", np.arange(len(df)))
repeat = int(sys.argv[2])
out = {}
def timed(name, fn):
    times = []
    try:
        for _ in range(repeat):
            t0 = time.perf_counter(); params = fn(); times.append(time.perf_counter() - t0)
        out[name] = {"seconds": statistics.median(times), "params": params}
    except Exception as exc:
        out[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
try:
    import lifetimes
    out["lifetimes_version"] = lifetimes.__version__
    def lt_bg():
        f = lifetimes.BetaGeoFitter().fit(df["frequency"], df["recency"], df["T"])
        return {k: float(v) for k, v in f.params_.items()}
    def lt_gg():
        rep = df[df["frequency"] > 0]
        f = lifetimes.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        return {k: float(v) for k, v in f.params_.items()}
    timed("lifetimes BetaGeoFitter", lt_bg)
    timed("lifetimes GammaGammaFitter", lt_gg)
except Exception as exc:
    out["lifetimes BetaGeoFitter"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
try:
    import pymc_marketing
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel
    out["pymc_marketing_version"] = pymc_marketing.__version__
    def pm_bg():
        m = BetaGeoModel(data=df[["customer_id", "frequency", "recency", "T"]])
        m.fit(method="map", progressbar=False)
        post = m.fit_result
        return {k: float(post[k].values.ravel()[0]) for k in ("r", "alpha", "a", "b")}
    def pm_gg():
        rep = df[df["frequency"] > 0][["customer_id", "frequency", "monetary_value"]]
        m = GammaGammaModel(data=rep)
        m.fit(method="map", progressbar=False)
        post = m.fit_result
        return {k: float(post[k].values.ravel()[0]) for k in ("p", "q", "v")}
    timed("PyMC-Marketing BetaGeoModel (MAP)", pm_bg)
    timed("PyMC-Marketing GammaGammaModel (MAP)", pm_gg)
except Exception as exc:
    out["PyMC-Marketing BetaGeoModel (MAP)"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
print(json.dumps(out))
"""


def compare(summary: pd.DataFrame, repeat: int) -> dict:
    if not COMPARE_PYTHON.exists():
        return {"error": f"{COMPARE_PYTHON} not found; see this file's docstring"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.npz"
        np.savez(
            path,
            **{c: summary[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value")},
        )
        script = Path(tmp) / "compare.py"
        script.write_text(COMPARE_SCRIPT)
        proc = subprocess.run(
            [str(COMPARE_PYTHON), str(script), str(path), str(repeat)],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        return {"error": proc.stderr[-500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare-repeat", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args()

    summary = simulate_summary(args.customers)
    repeaters = int((summary["frequency"] > 0).sum())
    BetaGeoModel().fit(summary.head(5000))  # warm up imports and the thread pool
    t_bg, bg = _median(lambda: BetaGeoModel().fit(summary), args.repeat)
    t_gg, gg = _median(lambda: GammaGammaModel().fit(summary), args.repeat)
    print(
        f"{args.customers:,} customers ({repeaters:,} repeat customers), "
        f"{bg.n_rows_:,} distinct (frequency, recency, T) rows"
    )
    rows = [
        ("retainkit BetaGeoModel", t_bg, bg.params_),
        ("retainkit GammaGammaModel", t_gg, gg.params_),
    ]
    results = {} if args.no_compare else compare(summary, args.compare_repeat)
    for name, value in results.items():
        if isinstance(value, dict) and "seconds" in value:
            rows.append((name, value["seconds"], value["params"]))
    print(f"{'fit':<40}{'median s':>10}{'x retainkit':>13}  parameters")
    for name, seconds, params in rows:
        ours = t_bg if "Beta" in name else t_gg
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        print(f"{name:<40}{seconds:>10.2f}{seconds / ours:>13.1f}  {shown}")
    for name, value in results.items():
        if isinstance(value, dict) and "error" in value:
            print(f"{name}: failed: {value['error']}", file=sys.stderr)
        elif name.endswith("_version"):
            print(f"{name.replace('_version', '')} {value}")


if __name__ == "__main__":
    main()
