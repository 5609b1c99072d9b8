"""retainkit at scale, side by side with what users would pick instead.

Usage:
    .venv/bin/python benchmarks/make_data.py --rows 1000000      # once per size
    .venv/bin/python benchmarks/make_data.py --rows 10000000
    .venv/bin/python benchmarks/bench_scale.py [--rows 1000000 10000000] [--repeats 3] [--report]

Prints one table per run: for each data size and task, every tool's median wall time, the
peak memory of its process and the ratio to retainkit. Each (tool, task, size) runs in a
fresh process, so peak memory is that tool's alone (data loading included).

Tasks
- ``summary``: the per-customer summary the buy-till-you-die models fit on (frequency,
  recency, T, monetary value), on the data already loaded: retainkit
  ``engine.customer_summary`` on the cleaned table in DuckDB; a plain pandas groupby
  computing the same columns; lifetimes ``summary_data_from_transaction_data`` and
  PyMC-Marketing ``rfm_summary`` on the pandas frame, daily time unit.
- ``cohort``: the monthly cohort triangle (customers active by acquisition month and
  months since): retainkit ``cohort_table``; the same with pandas.
- ``load``: retainkit ``load_transactions`` on the Parquet folder (reading and every
  cleaning check), against pandas ``read_parquet``.
- ``report`` (with ``--report``): the three-notebook report, ``run_report`` on the folder.

lifetimes and PyMC-Marketing run in their own environment, never dependencies of
retainkit (see benchmarks/README.md); a tool whose environment is missing is left out
with a note.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPARE_PYTHON = HERE / ".venv-compare" / "bin" / "python"
TASKS = {
    "load": ["retainkit", "pandas"],
    "summary": ["retainkit", "pandas", "lifetimes", "pymc-marketing"],
    "cohort": ["retainkit", "pandas"],
    "report": ["retainkit"],
}


# --------------------------------------------------------------------------- child side
def _peak_rss_gb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024**2  # Linux: kilobytes


def _read_pandas(folder: str):
    import pandas as pd

    df = pd.read_parquet(folder, columns=["customer_id", "order_date", "revenue"])
    df["customer_id"] = df["customer_id"].astype(str)
    return df


def _pandas_summary(df):
    """Frequency, recency, T (days) and monetary value with plain pandas."""
    import pandas as pd

    as_of = df["order_date"].max().normalize()
    day = df["order_date"].dt.floor("D")
    days = (
        df.assign(day=day)
        .groupby(["customer_id", "day"], sort=False)["revenue"]
        .sum()
        .reset_index()
        .sort_values(["customer_id", "day"])
    )
    g = days.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "first": g["day"].first(),
            "last": g["day"].last(),
            "n": g.size(),
            "revenue": g["revenue"].sum(),
            "first_revenue": g["revenue"].first(),
        }
    )
    out["frequency"] = out["n"] - 1
    out["recency"] = (out["last"] - out["first"]).dt.days
    out["T"] = (as_of - out["first"]).dt.days
    repeat = out["frequency"] > 0
    out["monetary_value"] = 0.0
    out.loc[repeat, "monetary_value"] = (out["revenue"] - out["first_revenue"])[repeat] / out[
        "frequency"
    ][repeat]
    return out


def _pandas_cohort(df):
    month = df["order_date"].dt.to_period("M")
    pairs = (
        df[["customer_id"]]
        .assign(month=month)
        .drop_duplicates()
        .sort_values(["customer_id", "month"])
    )
    first = pairs.groupby("customer_id")["month"].transform("min")
    pairs["cohort"] = first
    pairs["age"] = (pairs["month"] - first).map(lambda offset: offset.n)
    return pairs.groupby(["cohort", "age"]).size()  # one row per cohort and age


def _child(tool: str, task: str, folder: str, repeats: int) -> dict:
    seconds: list[float] = []
    rows = None
    if tool == "retainkit":
        import retainkit as rk
        from retainkit import engine
        from retainkit.report import run_report

        if task == "report":
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as tmp:
                    t0 = time.perf_counter()
                    run_report(folder, out=Path(tmp) / "run", reports_dir=tmp)
                    seconds.append(time.perf_counter() - t0)
            return {"seconds": seconds, "rows": None, "peak_rss_gb": _peak_rss_gb()}
        if task == "load":
            for _ in range(repeats):
                t0 = time.perf_counter()
                txn = rk.load_transactions(folder)
                seconds.append(time.perf_counter() - t0)
                rows = txn.quality.rows_kept
                del txn  # its cached table goes with it
                gc.collect()
            return {"seconds": seconds, "rows": rows, "peak_rss_gb": _peak_rss_gb()}
        txn = rk.load_transactions(folder)
        if task == "summary":
            for _ in range(repeats):
                txn._memo.clear()  # the notebooks reuse a summary; time computing it
                t0 = time.perf_counter()
                out = engine.customer_summary(txn, time_unit="days")
                seconds.append(time.perf_counter() - t0)
                rows = len(out)
        elif task == "cohort":
            for _ in range(repeats):
                t0 = time.perf_counter()
                out = rk.cohorts.cohort_table(txn, period="month")
                seconds.append(time.perf_counter() - t0)
                rows = len(out)
        return {"seconds": seconds, "rows": rows, "peak_rss_gb": _peak_rss_gb()}

    if task == "load":
        for _ in range(repeats):
            t0 = time.perf_counter()
            df = _read_pandas(folder)
            seconds.append(time.perf_counter() - t0)
            rows = len(df)
        return {"seconds": seconds, "rows": rows, "peak_rss_gb": _peak_rss_gb()}
    df = _read_pandas(folder)
    as_of = df["order_date"].max().normalize()
    for _ in range(repeats):
        t0 = time.perf_counter()
        if tool == "pandas" and task == "summary":
            out = _pandas_summary(df)
        elif tool == "pandas" and task == "cohort":
            out = _pandas_cohort(df)
        elif tool == "lifetimes":
            from lifetimes.utils import summary_data_from_transaction_data

            out = summary_data_from_transaction_data(
                df, "customer_id", "order_date", "revenue", observation_period_end=as_of
            )
        elif tool == "pymc-marketing":
            from pymc_marketing.clv import rfm_summary

            out = rfm_summary(
                df, "customer_id", "order_date", "revenue", observation_period_end=as_of
            )
        else:
            raise SystemExit(f"no task {task!r} for {tool!r}")
        seconds.append(time.perf_counter() - t0)
        rows = len(out)
        del out
    return {"seconds": seconds, "rows": rows, "peak_rss_gb": _peak_rss_gb()}


# -------------------------------------------------------------------------- parent side
def _python_for(tool: str) -> Path | None:
    if tool in ("retainkit", "pandas"):
        return Path(sys.executable)
    return COMPARE_PYTHON if COMPARE_PYTHON.exists() else None


def _run(tool: str, task: str, folder: Path, repeats: int) -> dict | str:
    python = _python_for(tool)
    if python is None:
        return "no benchmarks/.venv-compare (see benchmarks/README.md)"
    cmd = [str(python), __file__, "--child", tool, task, str(folder), "--repeats", str(repeats)]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:120]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tasks", nargs="+", default=["load", "summary", "cohort"])
    parser.add_argument("--report", action="store_true", help="also the full report")
    parser.add_argument("--tools", nargs="+", help="only these tools (default: all)")
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "TASK", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child, args.repeats)))
        return

    tasks = list(args.tasks) + (["report"] if args.report else [])
    print(f"bench_scale: medians of {args.repeats} runs; peak = the process's max RSS")
    print(f"{'rows':>12} {'task':<8} {'tool':<15} {'median s':>9} {'x rk':>6} {'peak GB':>8}  note")
    for rows in args.rows:
        folder = Path(args.data) / f"transactions_{rows}"
        if not folder.exists():
            print(f"{rows:>12,} missing {folder}: run benchmarks/make_data.py --rows {rows}")
            continue
        for task in tasks:
            base = None
            for tool in TASKS[task]:
                if args.tools and tool not in args.tools:
                    continue
                reps = 1 if task == "report" else args.repeats
                res = _run(tool, task, folder, reps)
                if isinstance(res, str):
                    print(f"{rows:>12,} {task:<8} {tool:<15} {'':>9} {'':>6} {'':>8}  {res}")
                    continue
                med = statistics.median(res["seconds"])
                base = med if tool == "retainkit" else base
                ratio = f"{med / base:.1f}" if base else ""
                note = f"{res['rows']:,} rows out" if res.get("rows") else ""
                print(
                    f"{rows:>12,} {task:<8} {tool:<15} {med:>9.2f} {ratio:>6} "
                    f"{res['peak_rss_gb']:>8.2f}  {note}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
