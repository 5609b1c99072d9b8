"""Each customer's status, by hand and against the simulator's own records."""

import pandas as pd
import pytest

import retainkit as rk
from retainkit import groundwork as g
from retainkit.sections import cost_story
from tests.groundwork.conftest import AS_OF


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


def test_frequency_only_data_counts_but_has_no_money(shop):
    no_money = shop.drop(columns="revenue")
    w = g.churn_window(no_money, as_of=AS_OF, churn_days=90)
    st = g.customer_status(no_money, w)
    # without amounts E's return on 2024-03-01 is a purchase: E is still lost, later
    assert g.churn_summary(st)["lost_in_window"].iloc[0] == 3
    assert st.set_index("customer_id").loc["E", "last_purchase"] == pd.Timestamp("2024-03-01")
    assert "needs revenue" in cost_story(st, horizon_years=5, discount_rate=0.1).data
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
