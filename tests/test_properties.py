"""Invariants that must hold for any transaction log (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
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


def has_money(frame):
    """Whether a drawn log keeps a line: every line of zero revenue is dropped."""
    return bool((frame["revenue"] != 0).any())


@SETTINGS
@given(logs())
def test_cleaning_conserves_rows_and_revenue(frame):
    if (frame["revenue"] == 0).all():
        # zero-revenue lines are dropped: nothing is left, and loading says so
        with pytest.raises(rk.DataValidationError, match="no rows left"):
            rk.load_transactions(frame)
    assume(has_money(frame))  # the invariants below need a kept line
    q = rk.load_transactions(frame).quality  # any other refusal fails the test
    assert q.rows_read == len(frame)
    assert q.rows_kept + sum(q.dropped.values()) == q.rows_read
    assert q.revenue_kept + sum(q.revenue_dropped.values()) == pytest.approx(
        frame["revenue"].sum(), abs=1e-6
    )
    assert all(n >= 0 for n in q.dropped.values())


@SETTINGS
@given(logs(), st.randoms(use_true_random=False))
def test_summary_totals_and_row_order(frame, rnd):
    assume(has_money(frame))  # else refused (see test_cleaning_conserves_rows_and_revenue)
    txn = rk.load_transactions(frame)
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
    assume(has_money(frame))  # else refused (see test_cleaning_conserves_rows_and_revenue)
    txn = rk.load_transactions(frame)
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


@SETTINGS
@given(logs(), st.integers(min_value=20, max_value=300))
def test_retention_rates_agree_with_the_groundwork_and_their_definitions(frame, churn_days):
    assume(has_money(frame))  # else refused (see test_cleaning_conserves_rows_and_revenue)
    txn = rk.load_transactions(frame)
    r = rk.metrics.retention_rates(
        txn, period="year", churn_days=churn_days, as_of="2024-12-31"
    ).iloc[0]
    window = g.churn_window(
        txn, as_of="2024-12-31", churn_days=churn_days, lookback_days=365, min_lookback_days=1
    )
    s = g.churn_summary(g.customer_status(txn, window)).iloc[0]
    if window.is_full_year:
        assert r["customers_at_start"] == s["active_at_start"]
        assert r["retained_customers"] == s["retained_from_base"]
    assert r["retained_customers"] <= min(r["customers_at_start"], r["customers_at_end"])
    if r["customers_at_start"] and pd.notna(r["crr"]):
        # the definitions: CRR = (E - N) / S, retained share = |S and E| / S
        s_, e_, n_ = r["customers_at_start"], r["customers_at_end"], r["new_customers"]
        assert r["crr"] == pytest.approx((e_ - n_) / s_)
        assert r["retained_share"] == pytest.approx(r["retained_customers"] / s_)
        assert 0 <= r["retained_share"] <= 1
        assert r["churn_rate"] == pytest.approx(1 - r["retained_share"])


@SETTINGS
@given(logs())
def test_revenue_retention_bounds(frame):
    frame = frame.assign(revenue=frame["revenue"].abs() + 1.0)  # no returns: bounds hold
    txn = rk.load_transactions(frame)
    r = rk.metrics.revenue_retention(txn, as_of="2024-12-31").iloc[0]
    if pd.notna(r["nrr"]):
        assert 0 <= r["grr"] <= 1 + 1e-12
        assert r["grr"] <= r["nrr"] + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=0.05, max_value=3),
    st.floats(min_value=0.5, max_value=20),
    st.floats(min_value=0.05, max_value=3),
    st.floats(min_value=0.05, max_value=10),
    st.lists(
        st.tuples(st.integers(0, 30), st.floats(0, 50), st.floats(0, 50)), min_size=1, max_size=6
    ),
    st.floats(min_value=0.5, max_value=9.5),
    st.floats(min_value=0, max_value=0.4),
    st.floats(min_value=0.05, max_value=0.95),
)
def test_model_clv_monotone_in_horizon_and_margin(r, alpha, a, b, rows, horizon, rate, margin):
    from retainkit.clv import BetaGeoModel
    from retainkit.clv.value import clv_forecast, customer_value

    model = BetaGeoModel()
    model.params_ = {"r": r, "alpha": alpha, "a": a, "b": b}
    model.time_unit_ = "weeks"
    summary = pd.DataFrame(
        [(f"c{i}", x, min(t, big), max(t, big)) for i, (x, t, big) in enumerate(rows)],
        columns=["customer_id", "frequency", "recency", "T"],
    )
    summary.loc[summary["frequency"] == 0, "recency"] = 0.0
    forecast = clv_forecast(model, None, summary, max_horizon_years=10)
    short = customer_value(forecast, horizon_years=horizon, discount_rate=rate, margin=margin)
    longer = customer_value(
        forecast, horizon_years=horizon + 0.5, discount_rate=rate, margin=margin
    )
    assert (longer["expected_purchases"] >= short["expected_purchases"] - 1e-12).all()
    assert (short["expected_purchases"] >= 0).all()
    # with spend known, value grows with the horizon and in proportion to the margin
    forecast.expected_spend[:] = 10.0
    v1 = customer_value(forecast, horizon_years=horizon, discount_rate=rate, margin=margin)
    v2 = customer_value(forecast, horizon_years=horizon + 0.5, discount_rate=rate, margin=margin)
    v3 = customer_value(
        forecast, horizon_years=horizon, discount_rate=rate, margin=min(margin + 0.05, 1.0)
    )
    assert (v2["clv"] >= v1["clv"] - 1e-9).all()
    assert (v3["clv"] >= v1["clv"] - 1e-9).all()
