"""The segmentation key figures."""

import pandas as pd

from retainkit import segmentation as seg


def test_segmentation_figures_by_hand_and_without_money():
    v = pd.DataFrame({"customer_id": list("abcde"), "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    segments = pd.DataFrame(
        {"segment": pd.Categorical(["Champions", "At risk", "At risk"], ["Champions", "At risk"])}
    )
    stages = pd.DataFrame({"stage": ["loyal", "new", "repeat", "loyal", "lapsed"]})
    figs = seg.segmentation_figures(v, segments=segments, stages=stages).to_dict()
    # top ceil(1) = 1: 50 / 100; Gini on 0,10,10,30,50: 2*(2*10+3*10+4*30+5*50)/(5*100) - 6/5
    # = 0.48; loyal 2 of 4 active
    assert figs["figures"] == {
        "segmentation.customers": 5,
        "segmentation.top20_revenue_share": 0.5,
        "segmentation.gini": 0.48,
        "segmentation.champions": 1,
        "segmentation.at_risk": 2,
        "segmentation.loyal_share": 0.5,
    }
    bare = seg.segmentation_figures(
        v.drop(columns="revenue"),
        segments=pd.DataFrame({"segment": pd.Categorical(["Top"])}),
        stages=stages,
    ).to_dict()
    assert bare["figures"]["segmentation.top20_revenue_share"] is None
    assert "needs revenue" in bare["reasons"]["segmentation.top20_revenue_share"]
    assert "needs revenue" in bare["reasons"]["segmentation.gini"]
    assert "no 'Champions' segment" in bare["reasons"]["segmentation.champions"]
