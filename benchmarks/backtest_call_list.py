"""Backtest the call list on real logs and simulated ones: would it have found who left?

For each log and past review date, the call list is built from the data up to that date
(as the groundwork notebook builds it: derived inactivity threshold, 180-day horizon) and
set against the three naive lists of the same length (top value, value among the silent,
value x overdue). The figure is the revenue decline caught: the sum over the list's
customers of max(0, revenue in the 180 days before - revenue in the 180 days after).

Run on demand (about two minutes)::

    .venv/bin/python benchmarks/backtest_call_list.py

It prints one table per list length; the results are written down in benchmarks/README.md.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

import retainkit as rk
from retainkit import engine
from retainkit.calls import backtest_call_list
from retainkit.churn import resolve_churn_days

DAYS = 180
SIZES = (20, 50, 100)


def _infrequent() -> pd.DataFrame:
    # a few orders a year: purchase rate Gamma(0.8, 20) per week, about 2 a year on average
    shop = rk.simulate_shop(
        n_customers=4000,
        alpha=20.0,
        n_falling_order_value=0,
        n_dried_up=0,
        n_dropped_category=0,
        seed=7,
    )
    return shop.transactions


def _cases() -> list[tuple[str, object, str]]:
    """(label, transactions, past review date)."""
    retail = rk.load_transactions("online_retail")
    cdnow = rk.load_transactions("cdnow")
    demo = rk.load_transactions("demo")
    infrequent = rk.load_transactions(_infrequent())
    last = {name: engine.date_span(t)[1] for name, t in (("demo", demo), ("inf", infrequent))}
    return [
        ("Online Retail", retail, "2011-04-15"),
        ("Online Retail", retail, "2011-05-01"),
        ("Online Retail", retail, "2011-05-15"),
        ("Online Retail", retail, "2011-06-01"),
        ("Online Retail", retail, "2011-06-09"),
        ("CDNOW", cdnow, "1997-12-31"),
        ("demo shop", demo, f"{last['demo'] - pd.Timedelta(days=DAYS):%Y-%m-%d}"),
        (
            "infrequent buyers (simulated)",
            infrequent,
            f"{last['inf'] - pd.Timedelta(days=DAYS):%Y-%m-%d}",
        ),
    ]


def main() -> int:
    rows = []
    for label, txn, review in _cases():
        as_of = pd.Timestamp(review) + pd.Timedelta(days=DAYS)
        churn = resolve_churn_days(txn, None, as_of=review).days
        for size in SIZES:
            start = time.perf_counter()
            bt = backtest_call_list(txn, as_of=as_of, days=DAYS, size=size, churn_days=churn)
            seconds = time.perf_counter() - start
            best_name, best = bt.best_naive
            table = bt.table.set_index("list")
            rows.append(
                {
                    "log": label,
                    "review": review,
                    "active": bt.active,
                    "size": int(table["customers"].iloc[0]),
                    "list caught": round(bt.caught),
                    "list stopped": int(table["stopped"].iloc[0]),
                    "top value": round(table.loc["top value", "revenue_decline"]),
                    "silent": round(table.loc["value among the silent", "revenue_decline"]),
                    "x overdue": round(table.loc["value x overdue", "revenue_decline"]),
                    "best naive": best_name,
                    "ratio": round(bt.caught / best, 2) if best > 0 else float("nan"),
                    "seconds": round(seconds, 1),
                }
            )
    frame = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(frame.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
