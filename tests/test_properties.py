"""Invariants that must hold for any transaction log (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retainkit as rk
from retainkit import groundwork as g

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def logs(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    customers = draw(st.lists(st.sampled_from(list("abcdefgh")), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=0, max_value=900), min_size=n, max_size=n))
    amounts = draw(
        st.lists(
            st.one_of(
                st.floats(min_value=-200, max_value=500, allow_nan=False).map(
                    lambda v: round(v, 2)
                ),
                st.just(0.0),
            ),
            min_size=n,
            max_size=n,
        )
    )
    return pd.DataFrame(
        {
            "customer_id": customers,
            "order_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D"),
            "revenue": amounts,
        }
    )


@SETTINGS
@given(logs())
def test_cleaning_conserves_rows_and_revenue(frame):
    try:
        q = rk.load_transactions(frame).quality
    except rk.DataValidationError:
        return  # e.g. every line was zero revenue: nothing left, said so
    assert q.rows_read == len(frame)
    assert q.rows_kept + sum(q.dropped.values()) == q.rows_read
    assert q.revenue_kept + sum(q.revenue_dropped.values()) == pytest.approx(
        frame["revenue"].sum(), abs=1e-6
    )
    assert all(n >= 0 for n in q.dropped.values())


@SETTINGS
@given(logs(), st.randoms(use_true_random=False))
def test_summary_totals_and_row_order(frame, rnd):
    try:
        txn = rk.load_transactions(frame)
    except rk.DataValidationError:
        return
    s = rk.customer_summary(txn, as_of="2024-12-31")
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 10_000))
    s2 = rk.customer_summary(rk.load_transactions(shuffled), as_of="2024-12-31")
    pd.testing.assert_frame_equal(s, s2)
    # every customer with a purchase is summarised; their revenue is the kept revenue
    # minus that of customers whose only lines are returns
    kept = txn.to_pandas()
    buyers = kept.loc[~kept["is_return"], "customer_id"].unique()
    assert set(s["customer_id"]) == set(buyers)
    assert s["revenue"].sum() == pytest.approx(
        kept.loc[kept["customer_id"].isin(buyers), "revenue"].sum(), abs=1e-6
    )
    assert (s[["frequency", "recency", "T", "orders"]] >= 0).all().all()
    assert (s["recency"] <= s["T"]).all()


@SETTINGS
@given(logs(), st.integers(min_value=20, max_value=300), st.integers(min_value=60, max_value=400))
def test_churn_counts_and_shares(frame, churn_days, lookback_days):
    try:
        txn = rk.load_transactions(frame)
    except rk.DataValidationError:
        return
    window = g.churn_window(
        txn,
        as_of="2024-12-31",
        churn_days=churn_days,
        lookback_days=lookback_days,
        min_lookback_days=1,
    )
    status = g.customer_status(txn, window)
    s = g.churn_summary(status).iloc[0]
    counts = [
        "active_at_start",
        "lost_from_base",
        "retained_from_base",
        "new_in_window",
        "lost_new_in_window",
        "lost_in_window",
    ]
    assert (s[counts] >= 0).all()
    assert s["lost_from_base"] + s["retained_from_base"] == s["active_at_start"]
    if s["active_at_start"]:
        assert 0 <= s["churn_rate_low"] <= s["churn_rate"] <= s["churn_rate_high"] <= 1
        assert s["churn_rate"] == pytest.approx(1 - s["retained_share"])
    v = g.value_lost(status, horizon_years=5, discount_rate=0.1).iloc[0]
    if pd.notna(v["lost_share_of_revenue"]) and (status["revenue_before_window"] >= 0).all():
        assert 0 <= v["lost_share_of_revenue"] <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=0, max_value=30),
    st.floats(min_value=0, max_value=30),
    st.floats(min_value=0, max_value=0.5),
)
def test_lifetime_value_monotone_in_horizon_and_value(annual, h1, h2, rate):
    short, long_ = sorted([h1, h2])
    lv = g.lifetime_value
    assert (
        lv(annual, horizon_years=short, discount_rate=rate)
        <= lv(annual, horizon_years=long_, discount_rate=rate) + 1e-6
    )
    assert lv(annual, horizon_years=long_, discount_rate=rate) <= annual * long_ + 1e-6
    # more margin, more value: value scales with the annual amount
    assert (
        lv(annual * 0.5, horizon_years=long_, discount_rate=rate)
        <= lv(annual, horizon_years=long_, discount_rate=rate) + 1e-9
    )
    assert np.isfinite(lv(annual, horizon_years=long_, discount_rate=rate))
