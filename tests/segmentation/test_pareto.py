"""Pareto: top share, Gini, Lorenz curve, the vital few, customer profit."""

import math

import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit import segmentation as seg
from retainkit.exceptions import SchemaError


def test_top_count_rounds_up_and_is_safe_from_float_noise():
    # ceil(0.2 x 5) = 1, ceil(0.2 x 6) = ceil(1.2) = 2; 0.1 x 30 is 3.0000000000000004 in
    # floating point but must give 3
    assert [seg.top_count(n, 0.2) for n in (1, 5, 6, 4371)] == [1, 1, 2, 875]
    assert seg.top_count(30, 0.1) == 3
    with pytest.raises(ValueError, match="top_share=0"):
        seg.top_count(10, 0)


def test_gini_by_hand():
    # x sorted = 0, 0, 10, 30; sum(i x_i) = 3*10 + 4*30 = 150;
    # G = 2*150 / (4*40) - 5/4 = 1.875 - 1.25 = 0.625
    assert seg.gini_coefficient([30.0, 0.0, 10.0, 0.0]) == pytest.approx(0.625)
    assert seg.gini_coefficient([7.0] * 5) == pytest.approx(0.0)
    # negative values count as zero: [-4, 2] -> [0, 2]: 2*(2*2)/(2*2) - 3/2 = 0.5
    assert seg.gini_coefficient([-4.0, 2.0]) == pytest.approx(0.5)
    assert math.isnan(seg.gini_coefficient([])) and math.isnan(seg.gini_coefficient([0.0, -1.0]))


def _values():
    # six customers, one with more returns than purchases
    return pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "revenue": [50.0, 30.0, 10.0, 10.0, 0.0, -5.0],
            "region": ["N", "N", "S", "S", "S", None],
        }
    )


def test_pareto_summary_by_hand():
    out = seg.pareto_summary(_values(), top_share=0.2, by="region")
    # all: N = 6 (the negative customer counts), top ceil(1.2) = 2 -> (50 + 30) / 95;
    #      Gini on 0,0,10,10,30,50 (negative as 0): sum(i x) = 30+40+150+300 = 520,
    #      2*520 / (6*100) - 7/6 = 0.566667
    # N: a, b -> top ceil(0.4) = 1 -> 50 / 80; Gini 2*(1*30 + 2*50)/(2*80) - 3/2 = 0.125
    # S: c, d, e -> top 1 -> 10 / 20; Gini on 0,10,10: 2*(2*10+3*10)/(3*20) - 4/3 = 1/3
    # unknown: f alone, net -5 -> no share (total not positive), no Gini
    expected = pd.DataFrame(
        {
            "subgroup": ["all", "region", "region", "region"],
            "group": ["all customers", "N", "S", "unknown"],
            "customers": [6, 2, 3, 1],
            "customer_share": [1.0, 2 / 6, 3 / 6, 1 / 6],
            "revenue": [95.0, 80.0, 20.0, -5.0],
            "revenue_share": [1.0, 80 / 95, 20 / 95, -5 / 95],
            "top_customers": [2, 1, 1, 1],
            "top_revenue": [80.0, 50.0, 10.0, -5.0],
            "top_revenue_share": [80 / 95, 50 / 80, 0.5, np.nan],
            "gini": [520 / 300 - 7 / 6, 0.125, 1 / 3, np.nan],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_pareto_summary_on_purchases_and_errors():
    v = pd.DataFrame({"customer_id": list("abcd"), "purchase_days": [1, 1, 2, 6]})
    row = seg.pareto_summary(v, value_col="purchase_days", top_share=0.25).iloc[0]
    # top ceil(1) = 1 customer: 6 of 10 purchases
    assert row["top_purchase_days_share"] == pytest.approx(0.6)
    with pytest.raises(SchemaError, match="revenue"):
        seg.pareto_summary(v)
    with pytest.raises(ValueError, match=r"top_share=1\.5"):
        seg.pareto_summary(v, value_col="purchase_days", top_share=1.5)


def test_lorenz_curve_matches_the_gini():
    v = pd.DataFrame({"revenue": [30.0, 0.0, 10.0, -3.0]})
    curve = seg.lorenz_curve(v)
    # sorted with negatives as 0: 0, 0, 10, 30 -> cumulative 0, 0, 0, 10, 40 of 40
    assert curve["value_share"].tolist() == [0.0, 0.0, 0.0, 0.25, 1.0]
    assert curve["customer_share"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # 1 - 2 x (area under the curve by trapezoids) is the Gini
    x, y = curve["customer_share"].to_numpy(), curve["value_share"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    assert 1 - 2 * area == pytest.approx(curve.attrs["gini"]) == pytest.approx(0.625)


def test_vital_few_ranks_breaks_ties_by_id_and_works_per_group():
    v = pd.DataFrame(
        {
            "customer_id": ["d", "a", "c", "b", "e"],
            "revenue": [10.0, 50.0, 10.0, 30.0, 0.0],
            "region": ["S", "N", "S", "N", "S"],
        }
    )
    top = seg.vital_few(v, top_share=0.6)
    # top ceil(3) = 3: a (50), b (30), then c and d tie at 10 -> c by id
    assert top["customer_id"].tolist() == ["a", "b", "c"]
    assert top["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9])
    per = seg.vital_few(v, top_share=0.5, by="region")
    # N: ceil(1) = 1 -> a; S: ceil(1.5) = 2 -> c, d (tie at 10, by id)
    assert per[["region", "customer_id", "rank"]].values.tolist() == [
        ["N", "a", 1],
        ["S", "c", 1],
        ["S", "d", 2],
    ]


def test_customer_profit_from_cost_or_margin():
    v = pd.DataFrame({"customer_id": ["a"], "revenue": [200.0]})
    assert seg.customer_profit(v, margin=0.3)["profit"].tolist() == [60.0]
    with_cost = seg.customer_profit(v.assign(cost=[150.0]), margin=0.3)
    assert with_cost["profit"].tolist() == [50.0]
    assert with_cost.attrs["profit_basis"] == "cost"
    with pytest.raises(ValueError, match="margin=30"):
        seg.customer_profit(v, margin=30)


# --------------------------------------------------------------- real data check


@pytest.mark.slow
def test_online_retail_top20_share_matches_an_independent_pandas_computation(data_dir):
    """Recompute the top-20% share of net revenue from the raw CSV with plain pandas.

    Replicates the online_retail preset's default cleaning (retainkit.datasets.PRESETS
    and the quality report): rows without CustomerID dropped (ids like "17850.0" read as
    17850); revenue = Quantity x UnitPrice; lines with zero revenue dropped unless they
    are returns; returns and cancellations (negative quantity or revenue, or an
    InvoiceNo starting with "C") kept and netted; exact duplicate lines (equal in every
    column of the file, the description included) dropped once; text trimmed. No
    analysis date: the whole file.
    """
    raw = pd.read_csv(
        data_dir / "online_retail" / "online_retail_2010-2011.csv.gz",
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str, "Country": str},
    )
    raw = raw[raw["CustomerID"].notna()].copy()
    raw["CustomerID"] = raw["CustomerID"].str.strip().str.replace(r"\.0+$", "", regex=True)
    for col in ("InvoiceNo", "StockCode", "Country"):
        raw[col] = raw[col].str.strip()
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    is_return = (raw["revenue"] < 0) | (raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C")
    raw = raw[~((raw["revenue"] == 0) & ~is_return)]
    raw = raw.drop_duplicates(
        subset=["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                "CustomerID", "Country"]
    )  # fmt: skip
    net = raw.groupby("CustomerID")["revenue"].sum().sort_values(ascending=False)
    n = len(net)
    k = math.ceil(0.2 * n)
    expected = net.iloc[:k].sum() / net.sum()

    ds = rk.load_dataset("online_retail")
    values = rk.engine.customer_values(ds.transactions)
    assert len(values) == n == 4371  # every customer, 33 of them with returns only
    share = seg.pareto_summary(values, top_share=0.2)["top_revenue_share"].iloc[0]
    assert share == pytest.approx(expected, rel=1e-9)
    assert 0.73 < share < 0.75
    figs = seg.segmentation_figures(
        values,
        segments=seg.assign_segments(seg.rfm_scores(values)),
        stages=pd.DataFrame({"stage": ["loyal"]}),
    ).to_dict()["figures"]
    assert figs["segmentation.top20_revenue_share"] == pytest.approx(expected, rel=1e-9)
