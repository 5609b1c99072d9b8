"""`retainkit report` with the notebooks one after another (--jobs 1) and side by side.

Run: .venv/bin/python benchmarks/bench_report_parallel.py [--data demo online_retail]
     [--jobs 1 2] [--repeats 3]

Each run is a fresh `retainkit report` process (as a user runs it) writing to a temporary
folder; the runs alternate between the --jobs values (1, 2, 1, 2, ...) so that a change in
the machine's load hits both alike. Prints every run, then a table of medians: the
wall-clock time of the command, the manifest's total (the notebooks, without the start of
the command) and each notebook's time. Also checks that the key figures of every run of a
data set are identical, and prints the load average before and after (the machine is
shared: a load near or above the number of cores means the timings are inflated).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(data: str, jobs: int, tmp: Path, k: int) -> dict:
    out = tmp / f"{data}-j{jobs}-{k}"
    cmd = [sys.executable, "-m", "retainkit.cli", "report", "--data", data]
    cmd += ["--jobs", str(jobs), "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": wall, "timings": manifest["timings_seconds"], "figures": manifest["figures"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", nargs="+", default=["demo", "online_retail"])
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  cores: {os.cpu_count()}  "
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    results: dict[tuple[str, int], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for data in args.data:
            for k in range(args.repeats):
                for jobs in args.jobs:
                    r = _run(data, jobs, Path(tmp), k)
                    results.setdefault((data, jobs), []).append(r)
                    notebooks = {n: s for n, s in r["timings"].items() if n != "total"}
                    print(
                        f"  {data} --jobs {jobs} run {k + 1}: {r['wall']:.1f} s "
                        f"(manifest total {r['timings']['total']:.1f} s; "
                        + ", ".join(f"{n} {s:.1f}" for n, s in notebooks.items())
                        + ")",
                        flush=True,
                    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print()
    names = sorted({n for rs in results.values() for r in rs for n in r["timings"]} - {"total"})
    head = f"{'data':<15}{'jobs':>5}{'command s':>11}{'x jobs=1':>9}{'total s':>9}"
    head += "".join(f"{n[:3] + ' s':>8}" for n in names)
    print(head + "  (medians of " + str(args.repeats) + ")")
    for data in args.data:
        base = statistics.median(r["wall"] for r in results[(data, args.jobs[0])])
        for jobs in args.jobs:
            rs = results[(data, jobs)]
            wall = statistics.median(r["wall"] for r in rs)
            line = f"{data:<15}{jobs:>5}{wall:>11.1f}{wall / base:>9.2f}"
            line += f"{statistics.median(r['timings']['total'] for r in rs):>9.1f}"
            line += "".join(
                f"{statistics.median(r['timings'][n] for r in rs):>8.1f}" for n in names
            )
            print(line)
        figures = [r["figures"] for jobs in args.jobs for r in results[(data, jobs)]]
        same = all(f == figures[0] and list(f) == list(figures[0]) for f in figures)
        print(
            f"{'':<15}key figures (values and order) identical in all {len(figures)} runs: "
            f"{'yes' if same else 'NO'} ({len(figures[0])} figures)"
        )


if __name__ == "__main__":
    main()
