import pandas as pd

from retainkit.clv.margin import resolve_margin
from retainkit.clv.segments import clv_by_segment, pick_segment_column


def test_clv_by_segment_and_helpers():
    v = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "probability_alive": [1.0, 0.5, 0.5],
            "clv": [30.0, 10.0, 60.0],
        }
    )
    seg = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["web", "web", "app"]})
    out = clv_by_segment(v, seg, by="channel")
    assert out["clv_total"].tolist() == [60.0, 40.0]
    assert pick_segment_column(None) is None
    assert pick_segment_column(seg.rename(columns={"channel": "region"})) == "region"
    frame = pd.DataFrame(
        {"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"]), "revenue": [10.0]}
    )
    assert resolve_margin(frame, 0.25)[0] == 0.25
