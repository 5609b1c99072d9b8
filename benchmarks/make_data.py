"""Write simulated transaction logs for the scale benchmarks, as Parquet.

Usage: .venv/bin/python benchmarks/make_data.py --rows 10000000 [--customers N] [--out DIR]

Writes DIR/transactions_<rows>/part-NNN.parquet in chunks of at most 5,000,000 rows, so a
100,000,000-row set is written with bounded memory. Columns: customer_id (text),
order_id (text), order_date (timestamp), category (text), quantity, unit_price, revenue.
Customers join at random times over three years and buy, at heterogeneous rates
(gamma-distributed), until they leave (exponential lifetimes with gamma-distributed
dropout rates) or the data ends; orders have one to three lines, line values are
log-normal and about 2% of lines are returns. Default customers: rows / 10.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = np.array(["Coffee", "Tea", "Brewing equipment", "Accessories", "Gift boxes"])
START = np.datetime64("2022-01-01T00:00:00", "s")
SPAN_SECONDS = 3 * 365 * 86400
CHUNK = 5_000_000


def write(rows: int, customers: int, out: Path, seed: int = 7) -> Path:
    folder = out / f"transactions_{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    # each customer joins at a random time and buys, at their own rate, until they leave
    # or the data ends; lifetimes are exponential with a gamma-distributed dropout rate
    # (shape 2, mean lifetime 18 months), as in the Pareto/NBD model
    joined = rng.integers(0, SPAN_SECONDS, size=customers)
    dropout = rng.gamma(2.0, 1.0 / (2.0 * 1.5 * 365 * 86400), size=customers)
    life = np.minimum(rng.exponential(1.0 / dropout), 100 * SPAN_SECONDS).astype(np.int64)
    active = np.maximum(np.minimum(joined + life, SPAN_SECONDS) - joined, 86400)
    weights = rng.gamma(0.6, 1.0, size=customers) * active  # expected orders ~ rate x time
    cum = np.cumsum(weights / weights.sum())
    written, part, next_order = 0, 0, 0
    while written < rows:
        n = min(CHUNK, rows - written)
        # orders of 1-3 lines: a line belongs to the order of its customer and time
        lines_per_order = rng.integers(1, 4, size=n)  # at most n orders cover n lines
        ends = np.cumsum(lines_per_order)
        orders = int(np.searchsorted(ends, n)) + 1
        order_of_line = np.repeat(np.arange(orders), lines_per_order[:orders])[:n]
        order_customer = np.searchsorted(cum, rng.random(orders))
        order_seconds = joined[order_customer] + (
            rng.random(orders) * active[order_customer]
        ).astype(np.int64)
        order_seconds = np.minimum(order_seconds, SPAN_SECONDS - 1)
        cust = order_customer[order_of_line]
        seconds = order_seconds[order_of_line]
        qty = rng.integers(1, 4, size=n)
        price = np.round(np.exp(rng.normal(2.8, 0.8, size=n)), 2)
        ret = rng.random(n) < 0.02
        qty = np.where(ret, -qty, qty)
        table = pa.table(
            {
                "customer_id": pa.array(np.char.add("C", cust.astype(str))),
                "order_id": pa.array(np.char.add("O", (order_of_line + next_order).astype(str))),
                "order_date": pa.array(START + seconds.astype("timedelta64[s]")),
                "category": pa.array(CATEGORIES[rng.integers(0, len(CATEGORIES), size=n)]),
                "quantity": pa.array(qty.astype(np.int64)),
                "unit_price": pa.array(price),
                "revenue": pa.array(np.round(qty * price, 2)),
            }
        )
        pq.write_table(table, folder / f"part-{part:03d}.parquet", compression="zstd")
        written += n
        next_order += orders
        part += 1
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--customers", type=int)
    parser.add_argument("--out", default="benchmarks/data")
    args = parser.parse_args()
    t0 = time.perf_counter()
    folder = write(args.rows, args.customers or max(args.rows // 10, 1), Path(args.out))
    size = sum(f.stat().st_size for f in folder.glob("*.parquet"))
    print(
        f"{args.rows:,} rows in {folder} ({size / 1e6:,.0f} MB) in {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
