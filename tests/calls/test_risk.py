"""Risk and value at risk: the shortfall on paper, the win-back rule on a frame of five."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retainkit as rk
from retainkit.calls import (
    SLIPPING,
    WIN_BACK,
    PurchaseModel,
    customer_risk,
    day_value_spread,
    expected_shortfall,
    fit_purchase_model,
    probability_no_purchase,
)
from retainkit.clv.bgnbd import BetaGeoModel

AS_OF = "2024-12-31"


def _one(recent, m, p_alive, n, q):
    out = expected_shortfall(
        np.array([recent], dtype=float),
        np.array([m], dtype=float),
        np.array([p_alive], dtype=float),
        np.array([n], dtype=float),
        np.array([q], dtype=float),
    )
    return float(out[0])


# --- expected_shortfall -------------------------------------------------------------------


def test_shortfall_alive_for_sure_by_hand():
    # NB(n=1, q=.5): pmf k=0 .5, k=1 .25, k=2 .125; B=25, m=10, k*=2
    # E[max(0, 25 - 10K)] = .5 x 25 + .25 x 15 + .125 x 5 = 12.5 + 3.75 + .625 = 16.875
    # (K >= 3 brings nothing)
    assert _one(25, 10, 1.0, 1, 0.5) == pytest.approx(16.875)


def test_shortfall_with_two_shapes_by_hand():
    # NB(n=2, q=.5): pmf(k) = (k+1) q^2 (1-q)^k: k=0 .25, k=1 .25, k=2 .1875
    # E = .25 x 25 + .25 x 15 + .1875 x 5 = 6.25 + 3.75 + .9375 = 10.9375
    assert _one(25, 10, 1.0, 2, 0.5) == pytest.approx(10.9375)


def test_shortfall_when_recent_is_a_whole_number_of_purchases():
    # B=20, m=10, k*=2 but K=2 brings max(0, 0) = 0: E = .5 x 20 + .25 x 10 = 12.5
    assert _one(20, 10, 1.0, 1, 0.5) == pytest.approx(12.5)


def test_shortfall_mixes_in_the_customer_who_left():
    # p_alive .4: .6 x 25 (K = 0 when gone) + .4 x 16.875 = 15 + 6.75 = 21.75
    assert _one(25, 10, 0.4, 1, 0.5) == pytest.approx(21.75)


def test_shortfall_of_a_customer_surely_gone_is_the_recent_value():
    # p_alive 0: K = 0, E = B = 25, whatever n and q
    assert _one(25, 10, 0.0, 3, 0.2) == pytest.approx(25.0)


@pytest.mark.parametrize("m", [0.0, -3.0])
def test_shortfall_without_value_per_purchase_is_the_recent_value(m):
    # future purchases bring nothing (or less than nothing): max(0, 25 - K m) -> 25 at K = 0,
    # and the function says the shortfall is B = 25 (alive or not)
    assert _one(25, m, 0.7, 1, 0.5) == pytest.approx(25.0)


@pytest.mark.parametrize("recent", [0.0, -5.0])
def test_shortfall_without_recent_value_is_zero(recent):
    # max(0, B - K m) with B <= 0 and m > 0 is 0 for every K
    assert _one(recent, 10, 0.5, 1, 0.5) == 0.0


def test_shortfall_matches_a_brute_force_sum_over_counts():
    rng = np.random.default_rng(20241231)
    size = 200
    recent = rng.uniform(0, 400, size)
    m = rng.uniform(2, 80, size)
    p_alive = rng.uniform(0, 1, size)
    n = rng.uniform(0.1, 8, size)
    q = rng.uniform(0.05, 0.95, size)
    k = np.arange(0, 201)[:, None]  # B/m < 200, so K >= 200 brings nothing
    pmf = stats.nbinom.pmf(k, n, q)
    alive = (np.maximum(recent - k * m, 0.0) * pmf).sum(axis=0)
    brute = (1 - p_alive) * recent + p_alive * alive
    got = expected_shortfall(recent, m, p_alive, n, q)
    assert got.shape == (size,)
    np.testing.assert_allclose(got, brute, rtol=1e-9, atol=1e-9)


# --- probability_no_purchase ----------------------------------------------------------------


def _hand_model():
    m = BetaGeoModel()
    m.params_ = {"r": 1.0, "alpha": 10.0, "a": 1.0, "b": 1.0}
    m.time_unit_ = "days"
    return m


def test_probability_no_purchase_by_hand():
    s = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [0, 2], "recency": [0.0, 30.0], "T": [10.0, 50.0]}
    )
    got = probability_no_purchase(_hand_model(), s, days=30)
    # a: x=0, p_alive 1; q = (10+10)/(10+10+30) = .4; P = .4^1 = .4
    # b: p_alive = 1/(1 + 1/(1+2-1) x ((10+50)/(10+30))^3) = 1/(1 + .5 x 3.375) = 1/2.6875
    #    = .372093; q = 60/90 = 2/3, q^3 = 8/27 = .296296
    #    P = 1 - .372093 + .372093 x .296296 = .627907 + .110250 = .738157
    assert got.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(got.to_numpy(), [0.4, 0.738157], atol=1e-6)


def test_probability_no_purchase_follows_the_formula():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 50)
    big_t = rng.uniform(30, 400, 50)
    s = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(50)],
            "frequency": x,
            "recency": np.where(x > 0, big_t * rng.uniform(0.1, 1, 50), 0.0),
            "T": big_t,
        }
    )
    m = _hand_model()
    m.params_ = {"r": 0.7, "alpha": 25.0, "a": 0.9, "b": 2.5}
    pa = m.probability_alive(s).to_numpy()
    q = (25.0 + big_t) / (25.0 + big_t + 60)
    expected = 1 - pa + pa * q ** (0.7 + x)
    got = probability_no_purchase(m, s, days=60)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)
    assert got.index.tolist() == s["customer_id"].tolist()


# --- customer_risk ----------------------------------------------------------------------------
#
# The review is 2024-12-31, horizon 90 days, churn 60 days. Windows hold the days after their
# start up to the end: last 90 days = 2024-10-03..12-31; last year = 2024-01-02..12-31.
# Model (hand-set BG/NBD, days): r=1, alpha=10, a=1, b=1, so p_alive = 1 for x=0, else
#   1 / (1 + 1/x ((10+T)/(10+t_x))^(1+x)).
#
#   a: 03-01 40, 09-02 10, 10-02 20, 11-01 30, 12-01 50   (10-02 is the window's start: out)
#      recent 30+50 = 80, year 150, per purchase day 150/5 = 30, gaps 185,30,30,30 -> 30,
#      silent 30 (12-01 -> 12-31), overdue 30/30 = 1; x=4, t_x=275, T=305
#      p_alive = 1/(1 + .25 (315/285)^5) = 1/(1 + .25 x 1.64899) = .70804
#   b: 10-02 .. 10-22 every 5 days, 5 each: recent 4 x 5 = 20, year 25, per day 5,
#      gaps 5 -> 5, silent 70, overdue 14; x=4, t_x=20, T=90
#      p_alive = 1/(1 + .25 (100/30)^5) = 1/(1 + 102.88) = .00963 < .1 -> win-back
#   c: 10-22 60 once: recent 60, year 60, no gap, silent 70 (lost), p_alive 1 -> slipping
#   d: 06-23 100, 09-22 100: recent 0 (silent 100) -> win-back whatever p_alive,
#      year 200, gap 91, overdue 100/91; x=1, t_x=91, T=191: p_alive = 1/(1+(201/101)^2) = .20159
#   e: 11-01, 11-04, 11-07, 11-11, 10 each: recent 40, year 40, gaps 3,3,4 -> 3, silent 50
#      (not lost: 50 <= 60) -> slipping although p_alive = 1/(1 + (70/20)^4/3) = .01960 < .1
#   f: 2023-12-15 only: not active (nothing in the last year), left out


def _frame():
    rows = {
        "a": [
            ("2024-03-01", 40),
            ("2024-09-02", 10),
            ("2024-10-02", 20),
            ("2024-11-01", 30),
            ("2024-12-01", 50),
        ],
        "b": [(d, 5) for d in ["2024-10-02", "2024-10-07", "2024-10-12", "2024-10-17"]]
        + [("2024-10-22", 5)],
        "c": [("2024-10-22", 60)],
        "d": [("2024-06-23", 100), ("2024-09-22", 100)],
        "e": [(d, 10) for d in ["2024-11-01", "2024-11-04", "2024-11-07", "2024-11-11"]],
        "f": [("2023-12-15", 500)],
    }
    return pd.DataFrame(
        [(c, pd.Timestamp(d), float(v)) for c, lines in rows.items() for d, v in lines],
        columns=["customer_id", "order_date", "revenue"],
    )


HAND_SET = PurchaseModel(_hand_model(), "BG/NBD", None, "hand-set parameters")


def _risk(frame=None, **options):
    options = {"horizon_days": 90, "churn_days": 60, "purchase_model": HAND_SET} | options
    return customer_risk(_frame() if frame is None else frame, as_of=AS_OF, **options)


def _by_id(risk, column):
    return risk.set_index("customer_id")[column].to_dict()


def test_risk_keeps_only_customers_active_in_the_last_year():
    assert sorted(_risk()["customer_id"]) == ["a", "b", "c", "d", "e"]


def test_risk_win_back_rule():
    # b: lost, p_alive .0096 < .1; d: lost, nothing in the last 90 days;
    # c: lost but p_alive 1 and bought recently; e: p_alive .0196 but not lost; a: neither
    groups = _by_id(_risk(), "group")
    assert groups == {"a": SLIPPING, "b": WIN_BACK, "c": SLIPPING, "d": WIN_BACK, "e": SLIPPING}


def test_risk_p_alive_is_the_model_s():
    np.testing.assert_allclose(
        pd.Series(_by_id(_risk(), "p_alive"))[["a", "b", "c", "d", "e"]].to_numpy(),
        [0.70804, 0.00963, 1.0, 0.20159, 0.01960],
        atol=5e-5,
    )


def test_risk_values_by_hand():
    risk = _risk()
    assert _by_id(risk, "value_recent") == {"a": 80.0, "b": 20.0, "c": 60.0, "d": 0.0, "e": 40.0}
    assert _by_id(risk, "value_year") == {"a": 150.0, "b": 25.0, "c": 60.0, "d": 200.0, "e": 40.0}
    assert _by_id(risk, "value_per_purchase") == {
        "a": 30.0,
        "b": 5.0,
        "c": 60.0,
        "d": 100.0,
        "e": 10.0,
    }


def test_risk_usual_gap_and_overdue_ratio():
    risk = _risk().set_index("customer_id")
    assert risk["usual_gap_days"].drop("c").to_dict() == {"a": 30.0, "b": 5.0, "d": 91.0, "e": 3.0}
    assert np.isnan(risk.loc["c", "usual_gap_days"])  # one purchase day: no gap
    assert risk["days_since_last_purchase"].to_dict() == {
        "a": 30,
        "b": 70,
        "c": 70,
        "d": 100,
        "e": 50,
    }
    np.testing.assert_allclose(
        risk.loc[["a", "b", "d", "e"], "overdue_ratio"], [1.0, 14.0, 100 / 91, 50 / 3]
    )
    assert np.isnan(risk.loc["c", "overdue_ratio"])


def test_risk_value_at_risk_by_hand_and_sorted():
    risk = _risk()
    # c: alive for sure, n = r + x = 1, q = (10+70)/(10+70+90) = 80/170, m = B = 60: only K = 0
    #    leaves a shortfall: 60 q = 28.2353
    # a: n = 5, q = 315/405 = 7/9, B = 80, m = 30, k* = 2;
    #    pmf 0,1,2 = q^5 (1, 5(2/9), 15(2/9)^2) = .284628, .316253, .210835
    #    alive part 80 x .284628 + 50 x .316253 + 20 x .210835 = 42.7996
    #    .29196 x 80 + .70804 x 42.7996 = 23.357 + 30.304 = 53.661
    # e: n = 4, q = 70/160 = .4375, B = 40, m = 10: pmf 0..3 = .036636, .082431, .115931,
    #    .130422; alive part 40x.036636 + 30x.082431 + 20x.115931 + 10x.130422 = 7.5617;
    #    .98040 x 40 + .01960 x 7.5617 = 39.216 + .148 = 39.364
    # b: p_alive .0096: about .99 x 20 = 19.8, under c's 28.2; d: no recent value, 0
    # a's purchase days vary (40, 10, 20, 30, 50): spread .15873 (test below), so its value
    # at risk is the lumpy sum, above the 53.661 of days all worth 30
    np.testing.assert_allclose(
        pd.Series(_by_id(risk, "value_at_risk"))[["e", "c", "d"]].to_numpy(),
        [39.364, 28.2353, 0.0],
        atol=1e-3,
    )
    assert _one(80, 30, 0.70804, 5, 7 / 9) == pytest.approx(53.661, abs=1e-3)
    a_lumpy = expected_shortfall(
        *(np.array([v]) for v in (80.0, 30.0, 0.708044, 5.0, 7 / 9)), spread=np.array([1.0 / 6.3])
    )[0]
    assert _by_id(risk, "value_at_risk")["a"] == pytest.approx(a_lumpy, rel=1e-4)
    assert a_lumpy > 53.661 + 0.3
    assert 19.8 < _by_id(risk, "value_at_risk")["b"] < 20.0
    assert risk["customer_id"].tolist() == ["a", "e", "c", "b", "d"]
    assert risk.index.tolist() == [0, 1, 2, 3, 4]


def test_risk_p_no_purchase_of_a_one_time_buyer():
    # c: p_alive 1, q^(r+x) = 80/170 = .470588
    assert _by_id(_risk(), "p_no_purchase")["c"] == pytest.approx(80 / 170)


def test_risk_margin_halves_the_values():
    full, half = _risk(), _risk(margin=0.5)
    for column in ("value_recent", "value_year", "value_per_purchase", "value_at_risk"):
        np.testing.assert_allclose(
            pd.Series(_by_id(half, column)).sort_index(),
            pd.Series(_by_id(full, column)).sort_index() / 2,
        )
    assert _by_id(half, "value_recent")["a"] == 40.0  # 80 x .5
    assert half.attrs["value"] == "profit (margin 50% of revenue)"
    assert full.attrs["value"] == "net revenue"


def test_risk_without_revenue_counts_purchase_days():
    risk = _risk(_frame().drop(columns="revenue"))
    # purchase days in the last 90 days: a 11-01, 12-01; b 10-07..10-22; c 1; d 0; e 4
    assert _by_id(risk, "value_recent") == {"a": 2.0, "b": 4.0, "c": 1.0, "d": 0.0, "e": 4.0}
    assert _by_id(risk, "value_year") == {"a": 5.0, "b": 5.0, "c": 1.0, "d": 2.0, "e": 4.0}
    assert risk.attrs["unit"] == "purchase days"
    assert risk.attrs["value"] == "purchase days (no revenue in the data)"
    assert "4 purchase days in the last 90 days" in _by_id(risk, "evidence")["e"]


def test_risk_attrs():
    assert _risk().attrs == {
        "as_of": pd.Timestamp(AS_OF),
        "horizon_days": 90,
        "value": "net revenue",
        "unit": "money",
        "model": "BG/NBD",
        "model_note": "hand-set parameters",
        # median gaps: a [185, 30, 30, 30] -> 30, b 5, d 91, e [3, 3, 4] -> 3 (c and f buy
        # once); their median (5 + 30) / 2 = 17.5
        "typical_gap_days": 17.5,
    }


def test_risk_evidence_names_the_rhythm():
    evidence = _by_id(_risk(currency="$"), "evidence")
    assert evidence["a"].startswith("usually buys every 30 days; nothing for 30 days (1.0x")
    assert "P(still buying) 71%" in evidence["a"]
    assert "$80 in the last 90 days" in evidence["a"]
    assert evidence["c"].startswith("one purchase day so far, 70 days ago")


def test_risk_without_evidence_leaves_the_lines_empty_and_the_rest_as_it_is():
    full = _risk(currency="$")
    bare = _risk(currency="$", evidence=False)
    assert set(bare["evidence"]) == {""}
    pd.testing.assert_frame_equal(bare.drop(columns="evidence"), full.drop(columns="evidence"))


def test_risk_without_churn_days_nobody_is_win_back():
    assert set(_risk(churn_days=None)["group"]) == {SLIPPING}


def test_risk_without_a_model_scales_recent_value_by_overdue():
    risk = _risk(purchase_model=PurchaseModel(None, "", None, "no model"))
    # value at risk = recent x min(1, silent / usual gap / 3):
    # a 80 x 30/30/3 = 26.667; b 20 x min(1, 14/3) = 20; c no gap: 0; d recent 0: 0; e 40 x 1
    vat = _by_id(risk, "value_at_risk")
    assert vat == pytest.approx({"a": 80 / 3, "b": 20.0, "c": 0.0, "d": 0.0, "e": 40.0})
    assert risk["p_alive"].isna().all() and risk["expected_value"].isna().all()
    # without p_alive only "nothing in the last 90 days" makes a lost customer win-back: d
    assert _by_id(risk, "group") == {
        "a": SLIPPING,
        "b": SLIPPING,
        "c": SLIPPING,
        "d": WIN_BACK,
        "e": SLIPPING,
    }
    assert risk.attrs["model"] == "" and risk.attrs["model_note"] == "no model"


def test_risk_leaves_its_input_unchanged():
    frame = _frame()
    before = frame.copy()
    _risk(frame)
    pd.testing.assert_frame_equal(frame, before)


# --- fit_purchase_model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow():
    return rk.load_transactions("cdnow_sample")


def test_fit_purchase_model_compares_both_models_on_a_long_history(cdnow):
    # CDNOW starts 1997-01-01: 545 days to 1998-06-30 >= 3 x 180
    chosen = fit_purchase_model(cdnow, as_of="1998-06-30", holdout_days=180)
    assert chosen.model.time_unit_ == "days"
    assert sorted(chosen.comparison["model"]) == ["BG/NBD", "Pareto/NBD"]
    best = chosen.comparison.sort_values("mae_per_customer")["model"].iloc[0]
    assert chosen.name == best
    assert isinstance(chosen.model, rk.clv.ParetoNBDModel if best == "Pareto/NBD" else BetaGeoModel)
    assert chosen.note.startswith(f"{best}: of the models fitted on the history to 1998-01-01")


def test_fit_purchase_model_compares_from_exactly_three_holdouts(cdnow):
    # 1997-01-01 + 540 days = 1998-06-25: compared; a day earlier (539 days): not
    assert fit_purchase_model(cdnow, as_of="1998-06-25", holdout_days=180).comparison is not None
    assert fit_purchase_model(cdnow, as_of="1998-06-24", holdout_days=180).comparison is None


def test_the_compared_models_are_the_fits_at_the_holdout_start(cdnow):
    # the comparison fits both models on the history to 1998-06-30 - 180 days = 1998-01-01:
    # a purchase model chosen at that date fits the same history, so the same estimates
    chosen = fit_purchase_model(cdnow, as_of="1998-06-30", holdout_days=180)
    assert chosen.compared_to == pd.Timestamp("1998-01-01")
    assert list(chosen.compared) == ["BG/NBD", "Pareto/NBD"]
    earlier = fit_purchase_model(cdnow, as_of="1998-01-01", holdout_days=180)
    assert earlier.model.params_ == chosen.compared[earlier.name].params_
    assert earlier.model.standard_errors_ == chosen.compared[earlier.name].standard_errors_
    reused = fit_purchase_model(cdnow, as_of="1998-01-01", holdout_days=180, reuse=chosen)
    assert reused.model is chosen.compared[earlier.name]
    assert (reused.name, reused.note) == (earlier.name, earlier.note)


def test_reuse_is_ignored_for_another_date(cdnow):
    chosen = fit_purchase_model(cdnow, as_of="1998-06-30", holdout_days=180)
    other = fit_purchase_model(cdnow, as_of="1998-01-02", holdout_days=180, reuse=chosen)
    assert all(other.model is not m for m in chosen.compared.values())
    assert other.model.params_ != chosen.compared[other.name].params_


def test_reuse_is_ignored_for_other_customers(cdnow):
    # a model compared on every customer is not the fit of half of them at that date
    chosen = fit_purchase_model(cdnow, as_of="1998-06-30", holdout_days=180)
    frame = cdnow.table.to_pandas()
    half = frame[frame["customer_id"].isin(frame["customer_id"].drop_duplicates().iloc[::2])]
    own = fit_purchase_model(half, as_of="1998-01-01", holdout_days=180, reuse=chosen)
    assert all(own.model is not m for m in chosen.compared.values())
    assert own.model.n_customers_ < chosen.compared[own.name].n_customers_


def test_no_comparison_keeps_no_compared_models(cdnow):
    chosen = fit_purchase_model(cdnow, as_of="1998-06-24", holdout_days=180)
    assert (chosen.compared, chosen.compared_to) == ({}, None)


def test_fit_purchase_model_on_a_short_history_uses_bgnbd(cdnow):
    # a frame spanning 1997-01-01 .. 1997-12-31: 364 days < 3 x 180
    frame = cdnow.table.to_pandas()
    frame = frame[frame["order_date"] < "1998-01-01"]
    chosen = fit_purchase_model(frame, holdout_days=180)
    assert chosen.name == "BG/NBD"
    assert isinstance(chosen.model, BetaGeoModel)
    assert chosen.model.time_unit_ == "days"
    assert chosen.comparison is None
    assert chosen.note.startswith("BG/NBD: the history before the review date is shorter")
    assert "180-day holdout" in chosen.note


def test_quiet_tells_silence_from_a_slower_pace():
    # x buys every 10 days, last on 30 Dec, 1 day before the review: still buying; the hand frame's
    # customers are silent for at least their usual gap (a: 30 of 30 days, c: 70 of the
    # typical 17.5)
    x = pd.DataFrame(
        {
            "customer_id": "x",
            "order_date": pd.date_range("2024-10-01", "2024-12-30", freq="10D"),
            "revenue": 10.0,
        }
    )
    risk = _risk(pd.concat([_frame(), x], ignore_index=True))
    quiet = _by_id(risk, "quiet")
    assert quiet == {"a": True, "b": True, "c": True, "d": True, "e": True, "x": False}
    evidence = _by_id(risk, "evidence")["x"]
    assert evidence.startswith("still buying (every 10 days, last bought 1 day ago) but expected")


def test_evidence_of_a_purchase_on_the_review_day_says_today():
    x = pd.DataFrame(
        {
            "customer_id": "x",
            "order_date": pd.date_range("2024-10-02", "2024-12-31", freq="10D"),
            "revenue": 10.0,
        }
    )
    evidence = _by_id(_risk(pd.concat([_frame(), x], ignore_index=True)), "evidence")["x"]
    assert evidence.startswith("still buying (every 10 days, last bought today) but")


# --- lumpy purchase days ------------------------------------------------------------------


def test_day_value_spread_of_the_frame_by_hand():
    # a: days 40, 10, 20, 30, 50: mean 30, sample variance 250, own spread 250/900 = .27778;
    # b (5 x 5), d (100, 100), e (4 x 10): own spread 0; typical = median(.278, 0, 0, 0) = 0;
    # a: (4 x .27778 + 3 x 0)/(4 + 3) = .15873 = 1/6.3; c (one day): the typical, 0
    days = rk.engine.purchase_day_values(_frame(), as_of=AS_OF)
    spread = day_value_spread(days).to_dict()
    assert spread["a"] == pytest.approx(1 / 6.3)
    assert {k: spread[k] for k in "bcdef"} == {"b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0, "f": 0.0}


def test_day_value_spread_without_repeat_customers_is_zero():
    days = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "purchase_days": [1, 1],
            "mean_day_revenue": [5.0, 9.0],
            "std_day_revenue": [np.nan, np.nan],
        }
    )
    assert day_value_spread(days).tolist() == [0.0, 0.0]


def test_lumpy_shortfall_matches_a_simulation():
    rng = np.random.default_rng(11)
    recent = np.array([20.0, 300.0, 55.0, 1000.0])
    m = np.array([10.0, 40.0, 60.0, 120.0])
    p_alive = np.array([1.0, 0.8, 0.5, 0.9])
    n = np.array([1.0, 6.0, 2.5, 12.0])
    q = np.array([0.5, 0.45, 0.7, 0.6])
    spread = np.array([1.0, 0.4, 2.0, 0.8])
    got = expected_shortfall(recent, m, p_alive, n, q, spread=spread)
    draws = 400_000
    for i in range(4):
        k = rng.negative_binomial(n[i], q[i], draws)
        alive = rng.random(draws) < p_alive[i]
        value = np.where(k > 0, rng.gamma(np.maximum(k, 1) / spread[i], m[i] * spread[i]), 0.0)
        value = np.where(alive, value, 0.0)
        simulated = np.maximum(recent[i] - value, 0).mean()
        assert got[i] == pytest.approx(simulated, rel=0.01), i


def test_lumpy_shortfall_tends_to_equal_days_as_the_spread_vanishes():
    args = [
        np.array(v, dtype=float)
        for v in ([80, 40, 7], [30, 10, 2], [0.7, 1, 0.2], [5, 4, 1.5], [7 / 9, 0.4375, 0.3])
    ]
    fixed = expected_shortfall(*args)
    # a tiny spread smooths the steps at whole numbers of purchases only a little
    np.testing.assert_allclose(expected_shortfall(*args, spread=np.full(3, 1e-6)), fixed, rtol=1e-3)


def test_lumpy_shortfall_is_the_same_in_chunks(monkeypatch):
    rng = np.random.default_rng(3)
    size = 40
    args = (
        rng.uniform(10, 500, size),
        rng.uniform(5, 80, size),
        rng.uniform(0, 1, size),
        rng.uniform(0.5, 20, size),
        rng.uniform(0.2, 0.9, size),
    )
    spread = rng.uniform(0.1, 2, size)
    whole = expected_shortfall(*args, spread=spread)
    monkeypatch.setattr("retainkit.calls.risk._CELLS", 50)
    # each row sums to its own count, whatever chunk it falls in
    np.testing.assert_allclose(expected_shortfall(*args, spread=spread), whole, rtol=1e-12)


def test_lumpy_shortfall_equals_the_sum_written_out_with_scipy_stats():
    from retainkit.calls.risk import _NB_TAIL, _lumpy_shortfall

    # rows of very different counts: one long tail (n = 400) among short ones
    recent = np.array([20.0, 300.0, 5000.0, 55.0, 0.5])
    m = np.array([10.0, 40.0, 12.0, 60.0, 3.0])
    n = np.array([1.0, 6.0, 400.0, 2.5, 0.3])
    q = np.array([0.5, 0.45, 0.2, 0.7, 0.9])
    spread = np.array([1.0, 0.4, 0.05, 2.0, 3.0])
    expected = []
    for b, mm, nn, qq, c in zip(recent, m, n, q, spread, strict=True):
        k = np.arange(1, stats.nbinom.ppf(1 - _NB_TAIL, nn, qq) + 1)
        given_k = b * stats.gamma.cdf(b, k / c, scale=mm * c) - k * mm * stats.gamma.cdf(
            b, k / c + 1, scale=mm * c
        )
        expected.append(
            stats.nbinom.pmf(0, nn, qq) * b + (stats.nbinom.pmf(k, nn, qq) * given_k).sum()
        )
    np.testing.assert_allclose(_lumpy_shortfall(recent, m, n, q, spread), expected, rtol=1e-10)


def test_evidence_amounts_are_written_as_money_writes_them():
    from retainkit.calls.risk import _evidence
    from retainkit.display import money

    values = [0.0, -0.0, -0.4, 0.5, 1234.5, -1234.5, float("nan")]
    frame = pd.DataFrame(
        {
            "usual_gap_days": [30.0] * 7,
            "quiet": [True] * 7,
            "days_since_last_purchase": [60] * 7,
            "overdue_ratio": [2.0] * 7,
            "p_alive": [0.5] * 7,
            "value_recent": values,
            "expected_value": values[::-1],
        }
    )
    lines = _evidence(frame, horizon_days=90, currency="£", unit="money")
    for line, recent, expected in zip(lines, values, values[::-1], strict=True):
        assert f"; {money(recent, '£')} in the last 90 days, " in line
        assert line.endswith(f", {money(expected, '£')} expected in the next 90")
