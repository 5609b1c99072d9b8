"""Foundation timings: loading, cleaning and summarising, and the default report.

Run: .venv/bin/python benchmarks/bench_foundation.py [--repeat 5] [--no-report]
Prints one table of medians (seconds). Targets (2-core machine): Online Retail load + clean +
summary under 3 s; the default three-notebook report under 30 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import retainkit as rk
from retainkit.report import run_report


def _median(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()

    rk.load_transactions("cdnow_sample")  # warm up imports and the engine
    rows = []
    for preset in ("online_retail", "cdnow", "demo"):
        holder = {}

        def load(preset=preset, holder=holder):
            holder["txn"] = rk.load_transactions(preset)

        t_load = _median(load, args.repeat)
        t_sum = _median(lambda holder=holder: rk.customer_summary(holder["txn"]), args.repeat)
        t_all = _median(
            lambda preset=preset: rk.customer_summary(rk.load_transactions(preset)), args.repeat
        )
        q = holder["txn"].quality
        rows.append((preset, q.rows_read, t_load, t_sum, t_all))

    print(f"{'data':<15}{'rows':>10}{'load+clean s':>14}{'summary s':>11}{'both s':>9}")
    for name, n, a, b, c in rows:
        print(f"{name:<15}{n:>10,}{a:>14.2f}{b:>11.2f}{c:>9.2f}")

    if not args.no_report:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = run_report(out=Path(tmp) / "demo")
            total = time.perf_counter() - t0
        print()
        print(f"{'report on demo (in-process run_report)':<42}{'s':>8}")
        for name, seconds in result.manifest["timings_seconds"].items():
            print(f"  {name:<40}{seconds:>8.1f}")
        print(f"  {'wall clock incl. HTML and manifest':<40}{total:>8.1f}")


if __name__ == "__main__":
    main()
