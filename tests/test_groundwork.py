"""Every count and amount of the groundwork on a frame small enough to check by hand."""

import math

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import groundwork as g

AS_OF = "2024-12-31"


@pytest.fixture
def shop():
    """as_of 2024-12-31, churn_days 90, lookback 365.

    Window start 2024-01-01; lost when the last purchase L is in (2023-10-03, 2024-10-02];
    active base: a purchase in (2023-10-03, 2024-01-01].

    A: 2023-06-01 100, 2023-12-20 50           base, lost (L 2023-12-20)
    B: 2023-11-15 40, 2024-11-30 60            base, active
    C: 2024-03-01 30                           new in window, lost
    D: 2023-05-01 80                           lost before the window
    E: 2023-12-31 20, 2024-02-10 25, return 2024-03-01 -10   base, lost (L 2024-02-10)
    F: 2024-12-20 10                           new, active
    """
    rows = [
        ("A", "2023-06-01", 100.0),
        ("A", "2023-12-20", 50.0),
        ("B", "2023-11-15", 40.0),
        ("B", "2024-11-30", 60.0),
        ("C", "2024-03-01", 30.0),
        ("D", "2023-05-01", 80.0),
        ("E", "2023-12-31", 20.0),
        ("E", "2024-02-10", 25.0),
        ("E", "2024-03-01", -10.0),
        ("F", "2024-12-20", 10.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


@pytest.fixture
def status(shop):
    window = g.churn_window(shop, as_of=AS_OF, churn_days=90)
    customers = pd.DataFrame({"customer_id": list("ABCDEF"), "region": list("NNSSNS")})
    return g.customer_status(shop, window, margin=0.3, customers=customers)


def test_window_bounds(shop):
    w = g.churn_window(shop, as_of=AS_OF, churn_days=90)
    assert (w.start, w.lost_after, w.lost_until) == (
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2023-10-03"),
        pd.Timestamp("2024-10-02"),
    )
    assert w.is_full_year and w.churn.method == "given"


def test_status_by_hand(status):
    s = status.set_index("customer_id")
    assert s["status"].to_dict() == {
        "A": "lost in window",
        "B": "active",
        "C": "lost in window",
        "D": "lost before window",
        "E": "lost in window",
        "F": "active",
    }
    assert s.index[s["in_base"]].tolist() == ["A", "B", "E"]
    assert s.index[s["new_in_window"]].tolist() == ["C", "F"]
    # run rate: net revenue in the 365 days up to the last purchase (E's later return is out)
    assert s["annual_revenue"].to_dict() == {
        "A": 150.0,
        "B": 60.0,  # its 2023-11-15 purchase is 381 days before the last: outside
        "C": 30.0,
        "D": 80.0,
        "E": 45.0,
        "F": 10.0,
    }
    assert s.loc["A", "annual_profit"] == pytest.approx(45.0)
    assert s.loc["A", "lapse_date"] == pd.Timestamp("2024-03-19")
    assert s["revenue_before_window"].to_dict() == {
        "A": 150.0,
        "B": 40.0,
        "C": 0.0,
        "D": 80.0,
        "E": 20.0,
        "F": 0.0,
    }


def test_churn_summary_by_hand(status):
    s = g.churn_summary(status).iloc[0]
    assert (s["active_at_start"], s["lost_from_base"], s["lost_in_window"]) == (3, 2, 3)
    assert (s["new_in_window"], s["lost_new_in_window"]) == (2, 1)
    assert s["churn_rate"] == pytest.approx(2 / 3)
    # Wilson interval written out: p = 2/3, n = 3, z = 1.96
    z, p, n = 1.959963985, 2 / 3, 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (s["churn_rate_low"], s["churn_rate_high"]) == pytest.approx(
        (centre - half, centre + half)
    )


def test_value_lost_by_hand(status):
    v = g.value_lost(status, horizon_years=20, discount_rate=0).iloc[0]
    assert v["revenue_lost"] == 225.0  # 150 + 30 + 45
    assert v["profit_lost"] == pytest.approx(67.5)  # 30% margin
    assert v["lifetime_revenue_lost"] == pytest.approx(4500.0)
    assert v["lifetime_profit_lost"] == pytest.approx(1350.0)
    # a year before the window all customers brought 290, the lost ones 150 + 20
    assert v["lost_share_of_revenue"] == pytest.approx(170 / 290)


def test_lifetime_value_annuity():
    assert g.lifetime_value(12_000, horizon_years=20, discount_rate=0) == pytest.approx(240_000)
    # one year at 10%: twelve payments of 1,000 at the monthly rate 1.1 ** (1/12) - 1
    i = 1.1 ** (1 / 12) - 1
    expected = sum(1000 / (1 + i) ** k for k in range(1, 13))
    assert g.lifetime_value(12_000, horizon_years=1, discount_rate=0.1) == pytest.approx(expected)
    with pytest.raises(ValueError, match="horizon_years"):
        g.lifetime_value(1.0, horizon_years=-1, discount_rate=0)


def test_losses_by_month_and_attribute(status):
    months = g.losses_by_month(status)
    assert len(months) == 12  # Jan to Dec 2024
    assert months.set_index("month_start")["customers_lost"][lambda x: x > 0].to_dict() == {
        pd.Timestamp("2024-03-01"): 1,
        pd.Timestamp("2024-05-01"): 2,
    }
    by_region = g.churn_by_attribute(status, "region", min_customers=1).set_index("value")
    # base: A (N, lost), B (N, active), E (N, lost)
    assert by_region.loc["N", ["active_at_start", "lost"]].tolist() == [3, 2]
    pooled = g.churn_by_attribute(status, "region", min_customers=4)  # N has 3: pooled
    assert pooled[["value", "active_at_start", "lost"]].values.tolist() == [["(other)", 3, 2]]
    with pytest.raises(rk.SchemaError, match="no customer attribute 'channel'"):
        g.churn_by_attribute(status, "channel")
    by = g.losses_by(status, "region").set_index("value")
    assert by["customers_lost"].to_dict() == {"N": 2, "S": 1}
    assert by.loc["N", "annual_revenue_lost"] == 195.0


def test_reasons_grouped_and_counted(status):
    reasons = pd.DataFrame(
        {
            "customer_id": ["A", "C", "E", "B"],
            "reason": ["Moved away", "Price too high", "not stated", "Other"],
        }
    )
    table = g.reason_summary(status, reasons).set_index("reason")
    assert table["group"].to_dict() == {
        "Price too high": "controllable",
        "Moved away": "uncontrollable",
        "not stated": "not stated",
    }
    assert table.loc["Moved away", "annual_revenue_lost"] == 150.0
    assert table["share"].sum() == pytest.approx(1.0)
    own = {"price": "pricing", "moved": "life events"}
    assert set(g.classify_reasons(reasons["reason"], own)) == {
        "life events",
        "pricing",
        "not stated",
        "unclassified",
    }


def test_loss_concentration_and_durations(status):
    conc = g.loss_concentration(status)
    assert conc["customer_id"].tolist() == ["A", "E", "C"]
    assert conc["cumulative_share"].tolist() == pytest.approx([150 / 225, 195 / 225, 1.0])
    d = g.tenure_durations(status).set_index("customer_id")
    assert d.loc["A", "tenure_days"] == 202 and d.loc["A", "lost"]
    assert not d.loc["B", "lost"] and d.loc["D", "lost"]


def test_key_figures_and_short_history(shop, status):
    figs = g.loss_figures(status, horizon_years=20, discount_rate=0).to_dict()["figures"]
    assert figs["groundwork.customers_lost_12m"] == 3
    assert figs["groundwork.churn_rate_12m"] == pytest.approx(2 / 3)
    assert figs["groundwork.revenue_lost_12m"] == 225.0
    assert figs["groundwork.lifetime_value_lost"] == pytest.approx(1350.0)
    # a 450-day history cannot hold a 365-day window plus 90 days of silence
    w = g.churn_window(shop, as_of="2024-07-24", churn_days=90)
    assert (
        not w.is_full_year
        and w.lookback_days == (pd.Timestamp("2024-07-24") - pd.Timestamp("2023-05-01")).days - 90
    )
    kf = g.loss_figures(g.customer_status(shop, w), horizon_years=5, discount_rate=0.1)
    out = kf.to_dict()
    assert out["figures"]["groundwork.customers_lost_12m"] is None
    assert "not 365" in out["reasons"]["groundwork.customers_lost_12m"]
    assert "a window of 360 days" in out["reasons"]["groundwork.customers_lost_12m"]
    assert out["figures"]["groundwork.customers_lost"] is not None


def test_behaviour_comparison_by_hand():
    ids = [f"c{i}" for i in range(12)]
    status = pd.DataFrame(
        {
            "customer_id": ids,
            "in_base": True,
            "status": ["lost in window"] * 6 + ["active"] * 6,
            "satisfaction": [2, 2, 3, 2, 1, 2, 4, 5, 4, 4, 5, 4],
        }
    )
    behaviour = pd.DataFrame(
        {
            "customer_id": ids,
            "lines": 10,
            "return_lines": [2] * 6 + [0] * 6,
            "categories": [1.0] * 6 + [3.0] * 6,
            "recent_order_value": 10.0,
            "earlier_order_value": 20.0,
        }
    )
    gaps = pd.DataFrame(
        {"customer_id": ids, "median_gap_days": 10.0, "last_gap_days": [30] * 6 + [10] * 6}
    )
    out = g.behaviour_comparison(status, behaviour, gaps, satisfaction="satisfaction")
    out = out.set_index("measure")
    assert out.loc["returns share", ["lost_mean", "retained_mean"]].tolist() == pytest.approx(
        [0.2, 0.0]
    )
    assert out.loc["purchase slowdown (last gap / median gap)", "lost_mean"] == 3.0
    assert out.loc["satisfaction score", "lost_mean"] == pytest.approx(2.0)
    assert out.loc["returns share", "p_value"] < 0.01
    assert np.isnan(out.loc["order value trend (recent / earlier)", "p_value"])  # all equal


def test_frequency_only_data_counts_but_has_no_money(shop):
    no_money = shop.drop(columns="revenue")
    w = g.churn_window(no_money, as_of=AS_OF, churn_days=90)
    st = g.customer_status(no_money, w)
    # without amounts E's return on 2024-03-01 is a purchase: E is still lost, later
    assert g.churn_summary(st)["lost_in_window"].iloc[0] == 3
    assert st.set_index("customer_id").loc["E", "last_purchase"] == pd.Timestamp("2024-03-01")
    assert "needs revenue" in g.cost_story(st, horizon_years=5, discount_rate=0.1).data
    with pytest.raises(rk.SchemaError, match="needs revenue"):
        g.value_lost(st, horizon_years=5, discount_rate=0.1)


def test_demo_losses_match_the_simulators_own_records():
    """Counted from the simulator's output with plain pandas, not through the loader."""
    shop = rk.simulate_shop()  # the generator of data/demo_shop (a test checks they agree)
    ds = rk.load_dataset("demo")
    window = g.churn_window(ds.transactions)
    status = g.customer_status(ds.transactions, window)
    tx = shop.transactions
    last = tx[~tx["order_id"].str.startswith("R")].groupby("customer_id")["order_date"].max()
    last = last.dt.normalize()
    expected = set(last[(last > window.lost_after) & (last <= window.lost_until)].index)
    counted = set(status.loc[status["status"] == "lost in window", "customer_id"])
    assert counted == expected
    # every customer who truly dropped out with a last purchase in that range is counted
    truth = shop.truth.set_index("customer_id")
    gone = truth[
        (truth["dropout_date"] > window.lost_after) & (truth["dropout_date"] <= window.lost_until)
    ]
    assert set(gone.index) <= counted


def test_wilson_interval_holds_the_point_estimate_at_the_ends():
    # by hand: with no losses the lower end is 0 exactly, with all lost the upper end is 1
    for trials in (1, 3, 7, 10, 49, 1000):
        low, high = g.wilson_interval(0, trials)
        assert low == 0.0 < high
        low, high = g.wilson_interval(trials, trials)
        assert low < high == 1.0
    low, high = g._wilson_vec(np.array([0, 3]), np.array([3, 3]))
    assert low[0] == 0.0 and high[1] == 1.0


def test_loss_story_counts_add_up():
    # window 1 Jan - 31 Dec 2024, churn after 90 days: losses are last purchases in
    # (3 Oct 2023, 2 Oct 2024]; the base bought in (3 Oct 2023, 1 Jan 2024]
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "c", "d"],
            "order_date": pd.to_datetime(
                ["2023-12-20", "2024-03-01", "2023-05-01", "2024-04-01", "2024-12-01"]
            ),
        }
    )
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    text = g.loss_story(g.customer_status(frame, w)).data
    # a: from the base; b: new in the window; c: lapsed in 2023, back in April, lost again
    assert "we lost **3 customers**" in text
    assert "Of the 1 customer active when the window opened, 1 left" in text
    assert "Another 1 of the 2 customers who first bought during the window" in text
    assert "The other 1 had lapsed before the window opened" in text


def test_loss_story_without_returning_customers_says_nothing_of_them():
    frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2023-12-20"])})
    w = g.churn_window(frame, as_of="2024-12-31", churn_days=90, lookback_days=365)
    assert "lapsed before" not in g.loss_story(g.customer_status(frame, w)).data
