"""A simulated shop with known truth: the demo data and the tests' ground truth.

Background customers follow the BG/NBD model (Fader, Hardie & Lee 2005) for purchases
and dropout and the Gamma-Gamma model (Fader & Hardie 2013) for order value, with the
parameters given. On top of them the simulator plants three groups whose behaviour the
groundwork early warnings should find:

- ``falling_order_value``: regular buyers whose order value drops sharply in the last
  three months before the end;
- ``dried_up``: regular customers (steady gaps between orders) who stopped ordering
  several of their usual gaps before the end;
- ``dropped_category``: customers who bought one product range in almost every order
  and stopped buying it in the last months while still buying the others.

Customers who drop out may state a reason (controllable ones such as quality or
service, uncontrollable ones such as moving away), and satisfaction scores run lower
for those who leave for a controllable reason.

Every draw comes from one ``numpy.random.Generator`` seeded by ``seed``, so the same
parameters give the same shop.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ShopParameters", "SimulatedShop", "simulate_shop", "write_shop"]

_DAYS_PER_WEEK = 7.0

CATEGORIES: dict[str, float] = {  # category -> gross margin
    "Coffee": 0.45,
    "Tea": 0.55,
    "Brewing equipment": 0.25,
    "Accessories": 0.50,
    "Gift boxes": 0.40,
}
REGIONS = ("North", "South", "East", "West")
CHANNELS = ("Web shop", "Mobile app", "Marketplace", "Phone")

CONTROLLABLE_REASONS = (
    "Product quality declined",
    "Poor value for money",
    "Slow delivery",
    "Unhelpful customer service",
    "Price increase",
    "Switched to a competitor",
)
UNCONTROLLABLE_REASONS = (
    "Moved away",
    "Business closed down",
    "Customer died",
    "No longer needs the product",
)


@dataclass(frozen=True)
class ShopParameters:
    """Everything that shapes a simulated shop.

    Time in the BG/NBD parameters is in weeks: purchase rates are per week.

    Parameters
    ----------
    n_customers : int
        Background customers (BG/NBD + Gamma-Gamma).
    start, end : str
        First possible acquisition day and the last day of data.
    acquisition_end : str
        Last day a background customer can make a first purchase.
    r, alpha, a, b : float
        BG/NBD: purchase rate ~ Gamma(r, rate alpha) per week; dropout probability
        after each purchase ~ Beta(a, b).
    p, q, gamma : float
        Gamma-Gamma order value: value ~ Gamma(p, rate nu), nu ~ Gamma(q, rate gamma).
    n_falling_order_value, n_dried_up, n_dropped_category : int
        Customers planted in each early-warning pattern.
    reason_share : float
        Share of the customers who dropped out that state a reason.
    satisfaction_share : float
        Share of customers with a satisfaction score.
    return_share : float
        Share of order lines returned later.
    seed : int
    """

    n_customers: int = 5000
    start: str = "2022-01-01"
    end: str = "2024-12-31"
    acquisition_end: str = "2024-10-31"
    r: float = 0.8
    alpha: float = 8.0
    a: float = 0.9
    b: float = 5.0
    p: float = 6.0
    q: float = 4.0
    gamma: float = 40.0
    n_falling_order_value: int = 80
    n_dried_up: int = 80
    n_dropped_category: int = 80
    reason_share: float = 0.6
    satisfaction_share: float = 0.7
    return_share: float = 0.02
    seed: int = 20241231


@dataclass(frozen=True)
class SimulatedShop:
    """A simulated shop: its data and the truth behind it.

    Attributes
    ----------
    transactions : pandas.DataFrame
        Order lines: ``customer_id``, ``order_id``, ``order_date``, ``product_id``,
        ``category``, ``quantity``, ``unit_price``, ``revenue``, ``cost``. Returns have
        negative quantity and revenue and an order id starting with ``R``.
    customers : pandas.DataFrame
        ``customer_id``, ``region``, ``channel``, ``satisfaction`` (1-5, missing for
        some).
    reasons : pandas.DataFrame
        ``customer_id``, ``reason``, ``reason_date`` for customers who stated one.
    truth : pandas.DataFrame
        Per customer: ``pattern`` (``background`` or a planted pattern),
        ``purchase_rate_per_week``, ``dropout_probability``, ``dropout_date`` (the
        last purchase before the customer became inactive; NaT if still active at
        ``end``), ``alive_at_end``, ``planted_category`` and ``pattern_start`` (the
        day the planted change began).
    parameters : ShopParameters
    """

    transactions: pd.DataFrame
    customers: pd.DataFrame
    reasons: pd.DataFrame
    truth: pd.DataFrame
    parameters: ShopParameters = field(repr=False)


def _segment_ids(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def _within_position(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each run of a repeated id."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def _background(rng: np.random.Generator, prm: ShopParameters) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = prm.n_customers
    start, end = pd.Timestamp(prm.start), pd.Timestamp(prm.end)
    acq_end = pd.Timestamp(prm.acquisition_end)
    horizon_weeks = (end - start).days / _DAYS_PER_WEEK + 1
    lam = rng.gamma(prm.r, 1.0 / prm.alpha, size=n)
    pdrop = rng.beta(prm.a, prm.b, size=n)
    first_day = rng.integers(0, (acq_end - start).days + 1, size=n)
    # purchases before dropout: the first, then repeat purchases until the one after
    # which the customer drops out (BG/NBD: dropout only after a repeat purchase, so
    # 1 + a geometric count); more cannot fit in the window anyway
    n_purchases = 1 + rng.geometric(np.clip(pdrop, 1e-6, 1.0))
    cap = np.ceil(lam * horizon_weeks * 4 + 20).astype(np.int64)
    n_gen = np.minimum(n_purchases, cap)
    idx = _segment_ids(n_gen)
    pos = _within_position(n_gen)
    gaps_weeks = rng.exponential(1.0, size=len(idx)) / lam[idx]
    gaps_weeks[pos == 0] = 0.0
    cums = np.cumsum(gaps_weeks)
    seg_start = np.repeat(np.cumsum(n_gen) - n_gen, n_gen)
    offsets = cums - cums[seg_start]
    day_offset = first_day[idx] + offsets * _DAYS_PER_WEEK
    # the customer is inactive after their n-th purchase; it is their dropout if it
    # happens before the end of the data
    last_pos = n_gen - 1
    is_last = pos == last_pos[idx]
    last_day = np.full(n, np.nan)
    last_day[idx[is_last]] = day_offset[is_last]
    within = day_offset < (end - start).days + 1
    dropped = (n_purchases <= cap) & (last_day < (end - start).days + 1)
    events = pd.DataFrame({"customer": idx[within], "day": day_offset[within]})
    truth = pd.DataFrame(
        {
            "customer": np.arange(n),
            "pattern": "background",
            "purchase_rate_per_week": lam,
            "dropout_probability": pdrop,
            "dropout_day": np.where(dropped, np.floor(last_day), np.nan),
        }
    )
    return events, truth


def _regular_schedule(
    rng: np.random.Generator,
    n: int,
    first_day: np.ndarray,
    stop_day: np.ndarray,
    gap_days: np.ndarray,
    jitter: float,
) -> pd.DataFrame:
    max_orders = int(np.ceil(((stop_day - first_day) / gap_days).max())) + 2
    steps = gap_days[:, None] * (1 + rng.uniform(-jitter, jitter, size=(n, max_orders)))
    steps[:, 0] = 0.0
    days = first_day[:, None] + np.cumsum(steps, axis=1)
    keep = days <= stop_day[:, None]
    cust = np.broadcast_to(np.arange(n)[:, None], days.shape)
    return pd.DataFrame({"customer": cust[keep], "day": days[keep]})


def _planted(
    rng: np.random.Generator, prm: ShopParameters, first_id: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    start, end = pd.Timestamp(prm.start), pd.Timestamp(prm.end)
    last = (end - start).days
    frames, truths = [], []
    next_id = first_id

    # dried up: steady every 14-35 days, stopped 4-8 gaps before the end
    n = prm.n_dried_up
    if n:
        gap = rng.uniform(14, 35, size=n)
        first = rng.uniform(0, 300, size=n)
        stop = last - gap * rng.uniform(4.0, 8.0, size=n)
        ev = _regular_schedule(rng, n, first, stop, gap, jitter=0.15)
        last_order = ev.groupby("customer")["day"].max().reindex(range(n)).to_numpy()
        ev["customer"] += next_id
        frames.append(ev.assign(value_scale=1.0, drop_category=False))
        truths.append(
            pd.DataFrame(
                {
                    "customer": np.arange(n) + next_id,
                    "pattern": "dried_up",
                    "purchase_rate_per_week": _DAYS_PER_WEEK / gap,
                    "dropout_probability": np.nan,
                    "dropout_day": np.floor(last_order),
                    "pattern_start_day": np.floor(last_order),
                }
            )
        )
        next_id += n

    # falling order value: steady every 10-25 days to the end; the last 3 months'
    # orders are worth 30-55% of the usual
    n = prm.n_falling_order_value
    if n:
        gap = rng.uniform(10, 25, size=n)
        first = rng.uniform(0, 500, size=n)
        stop = np.full(n, float(last))
        ev = _regular_schedule(rng, n, first, stop, gap, jitter=0.3)
        change_day = float((end - pd.DateOffset(months=3) - start).days + 1)
        scale = rng.uniform(0.30, 0.55, size=n)
        ev["value_scale"] = np.where(ev["day"] >= change_day, scale[ev["customer"]], 1.0)
        ev["customer"] += next_id
        frames.append(ev.assign(drop_category=False))
        truths.append(
            pd.DataFrame(
                {
                    "customer": np.arange(n) + next_id,
                    "pattern": "falling_order_value",
                    "purchase_rate_per_week": _DAYS_PER_WEEK / gap,
                    "dropout_probability": np.nan,
                    "dropout_day": np.nan,
                    "pattern_start_day": change_day,
                }
            )
        )
        next_id += n

    # dropped category: steady every 12-25 days to the end; one range in every order
    # until 3-4 months before the end, never after
    n = prm.n_dropped_category
    if n:
        gap = rng.uniform(12, 25, size=n)
        first = rng.uniform(0, 400, size=n)
        stop = np.full(n, float(last))
        ev = _regular_schedule(rng, n, first, stop, gap, jitter=0.3)
        change = last - rng.uniform(100, 130, size=n)
        ev["drop_category"] = ev["day"] >= change[ev["customer"]]
        ev["customer"] += next_id
        frames.append(ev.assign(value_scale=1.0))
        truths.append(
            pd.DataFrame(
                {
                    "customer": np.arange(n) + next_id,
                    "pattern": "dropped_category",
                    "purchase_rate_per_week": _DAYS_PER_WEEK / gap,
                    "dropout_probability": np.nan,
                    "dropout_day": np.nan,
                    "pattern_start_day": np.floor(change),
                }
            )
        )
        next_id += n

    if not frames:
        empty = pd.DataFrame(
            {
                "customer": np.array([], dtype=np.int64),
                "day": np.array([], dtype=float),
                "value_scale": np.array([], dtype=float),
                "drop_category": np.array([], dtype=bool),
            }
        )
        return empty, pd.DataFrame()
    return pd.concat(frames, ignore_index=True), pd.concat(truths, ignore_index=True)


def simulate_shop(parameters: ShopParameters | None = None, **overrides: object) -> SimulatedShop:
    """Simulate a shop's transaction log, customer table and stated churn reasons.

    Parameters
    ----------
    parameters : ShopParameters, optional
        Default: ``ShopParameters()``, the demo shop.
    **overrides
        Fields of :class:`ShopParameters` to change, e.g. ``n_customers=500``.

    Returns
    -------
    SimulatedShop

    Examples
    --------
    >>> shop = simulate_shop(n_customers=200, n_falling_order_value=0, n_dried_up=0,
    ...                      n_dropped_category=0, seed=1)
    >>> shop.truth["pattern"].unique().tolist()
    ['background']
    >>> bool((shop.transactions["revenue"] != 0).all())
    True
    """
    prm = parameters or ShopParameters()
    if overrides:
        prm = ShopParameters(**{**asdict(prm), **overrides})
    rng = np.random.default_rng(prm.seed)
    start, end = pd.Timestamp(prm.start), pd.Timestamp(prm.end)
    last = (end - start).days

    bg_events, bg_truth = _background(rng, prm)
    bg_events = bg_events.assign(value_scale=1.0, drop_category=False)
    pl_events, pl_truth = _planted(rng, prm, prm.n_customers)
    events = pd.concat([bg_events, pl_events], ignore_index=True)
    events = events[events["day"] <= last].sort_values(["customer", "day"], kind="stable")
    truth = pd.concat([bg_truth, pl_truth], ignore_index=True)
    n_total = len(truth)

    # customers: attributes, spend level, favourite and planted categories
    cats = np.array(list(CATEGORIES))
    nu = rng.gamma(prm.q, 1.0 / prm.gamma, size=n_total)
    pref = rng.dirichlet(np.full(len(cats), 0.6), size=n_total)
    planted_cat = rng.integers(0, len(cats), size=n_total)
    region = rng.choice(REGIONS, size=n_total, p=[0.35, 0.25, 0.2, 0.2])
    channel = rng.choice(CHANNELS, size=n_total, p=[0.5, 0.25, 0.17, 0.08])

    # orders: Gamma-Gamma value, time of day
    cust = events["customer"].to_numpy()
    n_orders = len(events)
    value = rng.gamma(prm.p, 1.0, size=n_orders) / nu[cust] * events["value_scale"].to_numpy()
    seconds = rng.integers(7 * 3600, 22 * 3600, size=n_orders)
    order_ts = (
        start
        + pd.to_timedelta(np.floor(events["day"].to_numpy()), unit="D")
        + pd.to_timedelta(seconds, unit="s")
    )
    order_no = np.empty(n_orders, dtype=np.int64)  # numbered in time order, as a shop does
    order_no[np.lexsort((cust, order_ts.to_numpy()))] = np.arange(1, n_orders + 1)

    # lines: 1-3 per order, value split across them
    n_lines = rng.integers(1, 4, size=n_orders)
    line_order = _segment_ids(n_lines)
    line_pos = _within_position(n_lines)
    weights = rng.gamma(1.0, 1.0, size=len(line_order))
    weights = weights / np.bincount(line_order, weights)[line_order]
    line_value = value[line_order] * weights
    lc = cust[line_order]
    planted = truth["pattern"].to_numpy()[lc] == "dropped_category"
    drop_cat = events["drop_category"].to_numpy()[line_order]
    # category by preference; planted customers' first line is their range until they stop
    u = rng.random(len(line_order))
    cum = np.cumsum(pref[lc], axis=1)
    category_idx = (u[:, None] > cum).sum(axis=1).clip(0, len(cats) - 1)
    own = planted_cat[lc]
    force = planted & (line_pos == 0) & ~drop_cat
    category_idx = np.where(force, own, category_idx)
    banned = planted & drop_cat & (category_idx == own)
    category_idx = np.where(
        banned, (own + 1 + (u * (len(cats) - 1)).astype(int)) % len(cats), category_idx
    )
    category = cats[category_idx]
    product_no = rng.integers(1, 13, size=len(line_order))
    quantity = rng.integers(1, 4, size=len(line_order))
    unit_price = np.maximum(np.round(line_value / quantity, 2), 0.5)
    revenue = np.round(quantity * unit_price, 2)
    margin = np.array([CATEGORIES[c] for c in cats])[category_idx]
    cost = np.round(revenue * (1 - margin), 2)

    customer_ids = np.array([f"C{i + 1:05d}" for i in range(n_total)])
    lines = pd.DataFrame(
        {
            "customer_id": customer_ids[lc],
            "order_id": np.char.add("O", np.char.zfill(order_no[line_order].astype(str), 7)),
            "order_date": order_ts[line_order],
            "product_id": np.char.add(
                np.char.add(np.array([c[:3].upper() for c in cats])[category_idx], "-"),
                np.char.zfill(product_no.astype(str), 2),
            ),
            "category": category,
            "quantity": quantity,
            "unit_price": unit_price,
            "revenue": revenue,
            "cost": cost,
        }
    )

    # returns: a few lines come back 5-30 days later
    returned = rng.random(len(lines)) < prm.return_share
    back = lines[returned].copy()
    back_days = rng.integers(5, 31, size=len(back))
    back["order_date"] = back["order_date"] + pd.to_timedelta(back_days, unit="D")
    back["order_id"] = "R" + back["order_id"].str[1:]
    for col in ("quantity", "revenue", "cost"):
        back[col] = -back[col]
    back = back[back["order_date"] < end + pd.Timedelta(days=1)]
    transactions = (
        pd.concat([lines, back], ignore_index=True)
        .sort_values(["order_date", "order_id", "product_id"], kind="stable")
        .reset_index(drop=True)
    )

    # truth table
    dropout = truth["dropout_day"].to_numpy()
    truth_out = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "pattern": truth["pattern"].to_numpy(),
            "purchase_rate_per_week": truth["purchase_rate_per_week"].to_numpy(),
            "dropout_probability": truth["dropout_probability"].to_numpy(),
            "dropout_date": start + pd.to_timedelta(dropout, unit="D"),
            "alive_at_end": np.isnan(dropout),
            "planted_category": np.where(
                truth["pattern"].to_numpy() == "dropped_category", cats[planted_cat], None
            ),
            "pattern_start": start
            + pd.to_timedelta(
                truth.get("pattern_start_day", pd.Series(np.nan, index=truth.index)).to_numpy(),
                unit="D",
            ),
        }
    )
    has_orders = np.zeros(n_total, dtype=bool)
    has_orders[np.unique(lc)] = True
    truth_out = truth_out[has_orders].reset_index(drop=True)

    # stated reasons and satisfaction
    gone = ~truth_out["alive_at_end"].to_numpy()
    states = gone & (rng.random(len(truth_out)) < prm.reason_share)
    ch = pd.Series(channel[has_orders])
    controllable_p = np.where(ch.isin(["Marketplace"]), 0.8, 0.6)
    is_ctrl = rng.random(len(truth_out)) < controllable_p
    ctrl_reason = rng.choice(
        CONTROLLABLE_REASONS, size=len(truth_out), p=[0.2, 0.22, 0.15, 0.13, 0.15, 0.15]
    )
    unctrl_reason = rng.choice(
        UNCONTROLLABLE_REASONS, size=len(truth_out), p=[0.4, 0.25, 0.05, 0.3]
    )
    reason = np.where(is_ctrl, ctrl_reason, unctrl_reason)
    reason_date = truth_out["dropout_date"] + pd.to_timedelta(
        rng.integers(20, 120, size=len(truth_out)), unit="D"
    )
    reasons = pd.DataFrame(
        {
            "customer_id": truth_out["customer_id"],
            "reason": reason,
            "reason_date": reason_date.dt.normalize(),
        }
    )[states & (reason_date <= end).to_numpy()].reset_index(drop=True)

    base = np.where(gone & is_ctrl, 2.6, np.where(gone, 3.6, 4.1))
    score = np.clip(np.round(base + rng.normal(0, 0.9, size=len(truth_out))), 1, 5)
    has_score = rng.random(len(truth_out)) < prm.satisfaction_share
    customers = pd.DataFrame(
        {
            "customer_id": truth_out["customer_id"],
            "region": region[has_orders],
            "channel": channel[has_orders],
            "satisfaction": pd.array(np.where(has_score, score, np.nan)).astype("Int64"),
        }
    )
    return SimulatedShop(transactions, customers, reasons, truth_out, prm)


def write_shop(shop: SimulatedShop, folder: str | Path) -> dict[str, Path]:
    """Write a simulated shop to a folder.

    Files: ``transactions.parquet``, ``customers.csv``, ``churn_reasons.csv``,
    ``truth.csv`` and ``parameters.json``.

    Parameters
    ----------
    shop : SimulatedShop
    folder : str or Path
        Created if missing; files in it with these names are replaced.

    Returns
    -------
    dict
        File role -> path written.

    Examples
    --------
    >>> import tempfile
    >>> shop = simulate_shop(n_customers=50, n_falling_order_value=0, n_dried_up=0,
    ...                      n_dropped_category=0)
    >>> sorted(write_shop(shop, tempfile.mkdtemp()))
    ['customers', 'parameters', 'reasons', 'transactions', 'truth']
    """
    import json

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "transactions": out / "transactions.parquet",
        "customers": out / "customers.csv",
        "reasons": out / "churn_reasons.csv",
        "truth": out / "truth.csv",
        "parameters": out / "parameters.json",
    }
    tx = shop.transactions.copy()
    tx["order_date"] = tx["order_date"].astype("datetime64[us]")
    tx.to_parquet(paths["transactions"], index=False, compression="zstd")
    shop.customers.to_csv(paths["customers"], index=False)
    shop.reasons.to_csv(paths["reasons"], index=False, date_format="%Y-%m-%d")
    shop.truth.to_csv(paths["truth"], index=False, date_format="%Y-%m-%d")
    paths["parameters"].write_text(json.dumps(asdict(shop.parameters), indent=2) + "\n")
    return paths
