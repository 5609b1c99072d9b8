"""Larger than memory on one machine: summary, month table and cohort triangle from Parquet.

Usage:
    .venv/bin/python benchmarks/make_data.py --rows 100000000      # about 1.2 GB of Parquet
    .venv/bin/python benchmarks/bench_out_of_core.py [--rows 100000000] [--memory-limit 3GB]

The transactions never enter pandas: ``load_transactions`` parses and checks them once in
DuckDB and stores the cleaned rows in a scratch DuckDB database file (compressed), with
DuckDB's memory capped at ``--memory-limit`` and spilling to a temporary folder beside the
data; ``--lazy`` instead keeps them as a query over the Parquet files, re-read at every
step. Only results come back: the per-customer summary (one row per customer) and the
cohort triangle to pandas, the customer x month table straight to a Parquet file.

Prints one line per step: wall time, the process's peak resident memory so far (DuckDB
runs in this process, so its memory is included) and the size of the result.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--memory-limit", default="3GB", help="DuckDB memory limit")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--lazy",
        action="store_true",
        help="keep the cleaned rows as a query over the files (re-read at every step) "
        "instead of a DuckDB table that spills to disk",
    )
    args = parser.parse_args()
    folder = Path(args.data) / f"transactions_{args.rows}"
    if not folder.exists():
        raise SystemExit(f"missing {folder}: run benchmarks/make_data.py --rows {args.rows}")

    import retainkit as rk
    from retainkit import engine

    print(f"out of core: {args.rows:,} rows in {folder}, DuckDB memory limit {args.memory_limit}")
    print(f"{'step':<34} {'seconds':>8} {'peak GB':>8}  result")
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.data) as spill:
        # a scratch database file: the cleaned rows are stored in it compressed (about a
        # quarter of an in-memory table), so 100M rows fit under the memory limit
        con = engine.connect(
            database=str(Path(spill) / "scratch.duckdb"),
            memory_limit=args.memory_limit,
            temp_directory=spill,
            threads=args.threads,
        )

        def step(name: str, fn):
            t0 = time.perf_counter()
            result = fn()
            print(f"{name:<34} {time.perf_counter() - t0:>8.1f} {_peak_gb():>8.2f}  ", end="")
            return result

        txn = step(
            "load (checks, quality report)",
            lambda: rk.load_transactions(
                str(folder), backend=con, materialize=not args.lazy, duplicates="keep"
            ),
        )
        print(f"{txn.quality.rows_kept:,} rows kept, {txn.quality.customers:,} customers")
        summary = step("customer summary -> pandas", lambda: engine.customer_summary(txn))
        print(f"{len(summary):,} customers, {summary.memory_usage(deep=True).sum() / 1e9:.2f} GB")
        del summary
        months = step(
            "customer x month -> Parquet",
            lambda: engine.write_period_table(txn, Path(spill) / "months.parquet"),
        )
        print(f"{months.stat().st_size / 1e6:,.0f} MB Parquet")
        cohorts = step("cohort triangle -> pandas", lambda: rk.cohorts.cohort_table(txn))
        print(f"{len(cohorts):,} cohort x month rows")
    print(f"{'total':<34} {time.perf_counter() - total:>8.1f} {_peak_gb():>8.2f}")


if __name__ == "__main__":
    main()
