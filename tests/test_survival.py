import numpy as np
import pandas as pd
import pytest

from retainkit.survival import kaplan_meier, median_survival


def test_kaplan_meier_by_hand_with_censoring():
    # times 2 (lost), 3 (censored), 3 (lost), 5 (lost), 8 (censored)
    frame = pd.DataFrame({"tenure_days": [2, 3, 3, 5, 8], "lost": [True, False, True, True, False]})
    km = kaplan_meier(frame).set_index("time")
    # S(2) = 4/5; at 3: 4 at risk, 1 lost -> 4/5 * 3/4 = 3/5; at 5: 2 at risk -> 3/10
    assert km["survival"].to_dict() == pytest.approx({0: 1.0, 2: 0.8, 3: 0.6, 5: 0.3, 8: 0.3})
    assert km.loc[3, "at_risk"] == 4 and km.loc[3, "censored"] == 1
    # Greenwood: Var S(2) = S^2 * 1/(5*4) = 0.032; on the log(-log) scale the standard
    # error is sqrt(0.032) / (0.8 * |ln 0.8|) = 1.00207, and the 95% interval is
    # 0.8 ** exp(+-1.95996 * 1.00207) = 0.8 ** 7.1281 .. 0.8 ** 0.14029 = 0.20381 .. 0.96918
    assert km.loc[2, "ci_low"] == pytest.approx(0.20381, abs=1e-5)
    assert km.loc[2, "ci_high"] == pytest.approx(0.96918, abs=1e-5)
    assert median_survival(kaplan_meier(frame)) == 5.0


def test_grouped_curves_and_no_losses():
    frame = pd.DataFrame(
        {
            "tenure_days": [1, 2, 3, 4],
            "lost": [False, False, True, True],
            "g": ["x", "x", "y", None],
        }
    )
    km = kaplan_meier(frame, group="g")
    assert set(km["group"]) == {"x", "y", "(unknown)"}
    x = km[km["group"] == "x"]
    assert (x["survival"] == 1.0).all() and (x["ci_low"] == 1.0).all()
    assert np.isnan(median_survival(km).set_index("group").loc["x", "median_time"])


def test_negative_durations_refused():
    with pytest.raises(ValueError, match="durations of 0 or more"):
        kaplan_meier(pd.DataFrame({"tenure_days": [-1], "lost": [True]}))


def test_delayed_entry_by_hand():
    # durations 2, 3, 3, 4 (lost, lost, stays, lost), under observation from 0, 2, 0, 1:
    # at t = 2 rows 0, 2, 3 are at risk (row 1 entered at 2): 1 lost, S = 2/3;
    # at t = 3 rows 1, 2, 3: 1 lost, S = 2/3 * 2/3 = 4/9; at t = 4 row 3 alone: S = 0
    frame = pd.DataFrame(
        {"d": [2, 3, 3, 4], "lost": [True, True, False, True], "entry": [0, 2, 0, 1]}
    )
    curve = kaplan_meier(frame, duration="d", entry="entry")
    assert curve["time"].tolist() == [0, 2, 3, 4]
    assert curve["at_risk"].tolist() == [2, 3, 3, 1]
    assert curve["survival"].tolist() == pytest.approx([1.0, 2 / 3, 4 / 9, 0.0])
    # everyone from 0: the plain curve (4 at risk at t = 2)
    plain = kaplan_meier(frame.assign(entry=0), duration="d", entry="entry")
    pd.testing.assert_frame_equal(plain, kaplan_meier(frame, duration="d"))
    with pytest.raises(ValueError, match="'entry' must hold entry times from 0 to the row's 'd'"):
        kaplan_meier(frame.assign(entry=[0, 5, 0, 0]), duration="d", entry="entry")
