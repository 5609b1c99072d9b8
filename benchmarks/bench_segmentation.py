"""Segmentation timings: the engine queries and analyses behind notebooks/02_segmentation.

Run: .venv/bin/python benchmarks/bench_segmentation.py [--repeat 5] [--no-report]
Prints one table of medians (seconds) per preset. Target (2-core machine): the segmentation
notebook under 20 s on demo and online_retail.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import retainkit as rk
from retainkit import lifecycle
from retainkit import segmentation as seg
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

    rows = []
    for preset in ("demo", "online_retail", "cdnow"):
        ds = rk.load_dataset(preset)
        txn = ds.transactions
        values = rk.engine.customer_values(txn)
        steps = {
            "values": lambda txn=txn: rk.engine.customer_values(txn),
            "pareto": lambda values=values: (
                seg.pareto_summary(values),
                seg.lorenz_curve(values),
                seg.vital_few(values),
            ),
            "rfm+segm": lambda values=values: seg.assign_segments(seg.rfm_scores(values)),
            "movement": lambda txn=txn: seg.movement_between(txn),
            "lifecycle": lambda txn=txn: (
                lifecycle.stage_conversion(rk.engine.purchase_journeys(txn)),
                rk.engine.lifecycle_counts(txn, churn_days=120),
            ),
        }
        rows.append((preset, len(values), {k: _median(f, args.repeat) for k, f in steps.items()}))

    names = list(rows[0][2])
    print(f"{'data':<15}{'customers':>10}" + "".join(f"{n + ' s':>12}" for n in names))
    for preset, n, t in rows:
        print(f"{preset:<15}{n:>10,}" + "".join(f"{t[k]:>12.3f}" for k in names))

    if not args.no_report:
        print()
        for preset in ("demo", "online_retail", "cdnow"):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                result = run_report(preset, only=["02"], out=Path(tmp) / preset)
                total = time.perf_counter() - t0
            notebook = result.manifest["timings_seconds"]["02_segmentation"]
            print(f"02_segmentation on {preset:<14}{notebook:>6.1f} s  (wall clock {total:.1f} s)")


if __name__ == "__main__":
    main()
