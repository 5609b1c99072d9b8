"""Load once per report: the report against one bare notebook run, and loading against pandas.

Run: .venv/bin/python benchmarks/bench_load_once.py [--repeat 3] [--tasks bare commands report load]
     [--data demo online_retail] [--rows-file benchmarks/data/transactions_10000000]

Prints one line per measurement (median of ``--repeat`` runs, seconds):

- **bare**: Papermill running a notebook of one ``import retainkit`` cell (kernel start,
  import, conversion to HTML not included): the floor under every notebook of a report;
- **commands** (not run by default): the same bare notebook as a ``papermill`` command
  and ``retainkit report --data ...`` as a command, each a fresh process, alternating;
  the issue's floor ("one Papermill run of a one-cell notebook, 3-4 s") is this command;
- **report**: ``run_report`` of the three notebooks on each ``--data`` (default jobs), with
  the manifest's per-step seconds (the runner's load, each notebook);
- **load**: ``load_transactions`` of a Parquet folder (every check of the quality report,
  rows stored) against ``pandas.read_parquet`` of the same files (no checks); make the
  10M-line folder with ``benchmarks/make_data.py --rows 10000000``.

For a before/after comparison run the script twice, the second time with ``PYTHONPATH``
pointing at a checkout of the earlier commit (``git archive <commit> | tar -x -C /tmp/x``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def _median(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def _bare_notebook(folder: Path) -> Path:
    """Write a notebook of one ``import retainkit`` cell into ``folder``; return its path."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [new_code_cell("import retainkit as rk")]
    src = folder / "bare.ipynb"
    nbformat.write(nb, src)
    return src


def bare(repeat: int) -> None:
    import papermill

    with tempfile.TemporaryDirectory() as tmp:
        src = _bare_notebook(Path(tmp))

        def run() -> None:
            papermill.execute_notebook(str(src), str(Path(tmp) / "out.ipynb"), progress_bar=False)

        med, times = _median(run, repeat)
    print(f"bare notebook run: median {med:.2f} s ({', '.join(f'{t:.1f}' for t in times)})")


def commands(data: list[str], repeat: int) -> None:
    """Commands as a user types them: ``papermill`` of a one-cell notebook, ``retainkit report``.

    Each is a fresh process (Python start, imports, kernel start), as the issue measured
    its floor of 3-4 s; the ratio is the report's command over the bare one, alternating
    runs so that both see the same machine.
    """
    import subprocess
    import sys

    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        src = _bare_notebook(Path(tmp))
        bare_cmd = [
            str(bin_dir / "papermill"),
            "--no-progress-bar",
            str(src),
            str(Path(tmp) / "o.ipynb"),
        ]
        times: dict[str, list[float]] = {"bare": [], **{d: [] for d in data}}
        for i in range(repeat):
            for name in times:
                cmd = (
                    bare_cmd
                    if name == "bare"
                    else [
                        sys.executable,
                        "-m",
                        "retainkit.cli",
                        "report",
                        "--data",
                        name,
                        "--out",
                        str(Path(tmp) / f"r{i}-{name}"),
                    ]
                )
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                times[name].append(time.perf_counter() - t0)
    bare_med = statistics.median(times["bare"])
    print(
        f"bare papermill command: median {bare_med:.2f} s "
        f"({', '.join(f'{t:.1f}' for t in times['bare'])})"
    )
    for d in data:
        med = statistics.median(times[d])
        print(
            f"retainkit report --data {d}: median {med:.1f} s "
            f"({', '.join(f'{t:.1f}' for t in times[d])}): {med / bare_med:.1f}x the bare command"
        )


def report(data: str, repeat: int) -> None:
    from retainkit.report import run_report

    steps: list[dict] = []

    def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            result = run_report(data, out=Path(tmp) / "r")
            steps.append(result.manifest["timings_seconds"])

    med, times = _median(run, repeat)
    keys = list(steps[0])
    parts = ", ".join(f"{k} {statistics.median(s.get(k, 0) for s in steps):.1f}" for k in keys)
    print(f"report {data}: median {med:.1f} s ({', '.join(f'{t:.1f}' for t in times)}); {parts}")


def load(folder: str, repeat: int) -> None:
    import pandas as pd

    import retainkit as rk

    rk.load_transactions("cdnow_sample")  # imports and the engine warmed up
    held = {}

    def ours() -> None:
        held["t"] = rk.load_transactions(folder)

    def theirs() -> None:
        held["p"] = pd.read_parquet(folder)

    med_rk, t_rk = _median(ours, repeat)
    med_pd, t_pd = _median(theirs, repeat)
    rows = held["t"].quality.rows_read
    print(
        f"load {Path(folder).name} ({rows:,} lines): retainkit {med_rk:.2f} s "
        f"({', '.join(f'{t:.1f}' for t in t_rk)}), pandas.read_parquet {med_pd:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in t_pd)}): {med_rk / med_pd:.1f}x"
    )
    print(json.dumps({"kept": held["t"].quality.rows_kept, "dropped": held["t"].quality.dropped}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", nargs="+", default=["bare", "report", "load"])
    parser.add_argument("--data", nargs="+", default=["demo", "online_retail"])
    parser.add_argument(
        "--rows-file", default=str(Path(__file__).parent / "data" / "transactions_10000000")
    )
    args = parser.parse_args()
    if "bare" in args.tasks:
        bare(args.repeat)
    if "commands" in args.tasks:
        commands(args.data, args.repeat)
    if "report" in args.tasks:
        for data in args.data:
            report(data, args.repeat)
    if "load" in args.tasks:
        load(args.rows_file, args.repeat)


if __name__ == "__main__":
    main()
