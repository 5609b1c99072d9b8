import numpy as np
import pandas as pd

import retainkit as rk
from retainkit.simulate import ShopParameters, write_shop
from tests.conftest import DATA


def test_same_seed_same_shop_and_different_seed_differs():
    a = rk.simulate_shop(n_customers=300, seed=7)
    b = rk.simulate_shop(n_customers=300, seed=7)
    c = rk.simulate_shop(n_customers=300, seed=8)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    assert not a.transactions["revenue"].equals(c.transactions["revenue"])


def test_shape_of_the_demo_shop():
    shop = rk.simulate_shop()
    tx, truth = shop.transactions, shop.truth
    assert set(truth["pattern"]) == {
        "background",
        "falling_order_value",
        "dried_up",
        "dropped_category",
    }
    # one truth row per customer: the background ones plus those planted in each pattern,
    # as ShopParameters asks (5,000 + 3 x 80 = 5,240 by default)
    prm = ShopParameters()
    assert truth["pattern"].value_counts().to_dict() == {
        "background": prm.n_customers,
        "falling_order_value": prm.n_falling_order_value,
        "dried_up": prm.n_dried_up,
        "dropped_category": prm.n_dropped_category,
    }
    assert (truth["pattern"] != "background").sum() == 3 * 80 == 240
    assert truth["customer_id"].is_unique and len(truth) == 5_240
    assert set(tx["customer_id"]) == set(truth["customer_id"])  # each of them bought
    assert tx["order_date"].min() >= pd.Timestamp("2022-01-01")
    assert tx["order_date"].max() < pd.Timestamp("2025-01-01")
    returns = tx["order_id"].str.startswith("R")
    assert (tx.loc[returns, "revenue"] < 0).all() and (tx.loc[~returns, "revenue"] > 0).all()
    # a customer's last purchase never falls after their dropout
    last = tx[~returns].groupby("customer_id")["order_date"].max().dt.normalize()
    gone = truth.dropna(subset=["dropout_date"]).set_index("customer_id")["dropout_date"]
    assert (last.reindex(gone.index) <= gone).all()
    assert shop.reasons["reason_date"].max() <= pd.Timestamp("2024-12-31")


def test_planted_category_customers_stop_buying_their_range():
    shop = rk.simulate_shop()
    truth = shop.truth[shop.truth["pattern"] == "dropped_category"].set_index("customer_id")
    tx = shop.transactions.merge(
        truth[["planted_category", "pattern_start"]], left_on="customer_id", right_index=True
    )
    tx = tx[~tx["order_id"].str.startswith("R")]  # returns of earlier orders are not buying
    after = tx[tx["order_date"] >= tx["pattern_start"] + pd.Timedelta(days=1)]
    assert not (after["category"] == after["planted_category"]).any()
    before = tx[tx["order_date"] < tx["pattern_start"]]
    share = (before["category"] == before["planted_category"]).groupby(before["customer_id"]).mean()
    assert share.min() > 0.3


def test_bundled_demo_data_is_what_the_simulator_makes(tmp_path):
    write_shop(rk.simulate_shop(ShopParameters()), tmp_path)
    for name in ("customers.csv", "churn_reasons.csv", "truth.csv", "parameters.json"):
        assert (tmp_path / name).read_text() == (DATA / "demo_shop" / name).read_text(), name
    ours = pd.read_parquet(tmp_path / "transactions.parquet")
    bundled = pd.read_parquet(DATA / "demo_shop" / "transactions.parquet")
    pd.testing.assert_frame_equal(ours, bundled)
    assert np.isclose(bundled["revenue"].sum(), ours["revenue"].sum())
