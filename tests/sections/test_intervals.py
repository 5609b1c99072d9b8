"""The forecast intervals section: totals with intervals in words, top customers, the band."""

import copy
from types import SimpleNamespace

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.clv.intervals import ForecastIntervals
from retainkit.sections.intervals import forecast_intervals, interval_section

DATASET = SimpleNamespace(currency="$")

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "probability_alive": [0.9, 0.5, 0.8],
        "expected_purchases": [4.0, 1.0, 6.0],
        "expected_purchases_low": [3.5, 0.8, 5.0],
        "expected_purchases_high": [4.6, 1.3, 7.1],
        "expected_revenue": [400.0, 100.0, 300.0],
        "expected_revenue_low": [350.0, 80.0, 250.0],
        "expected_revenue_high": [460.0, 130.0, 355.0],
        "clv": [100.0, 25.0, 75.0],
        "clv_low": [88.0, 20.0, 62.0],
        "clv_high": [115.0, 33.0, 89.0],
        "purchases_low": [1.0, 0.0, 2.0],
        "purchases_high": [8.0, 4.0, 11.0],
    }
)
# totals of the three customers: 11 expected purchases (4 + 1 + 6), 200 of value
TOTALS = pd.DataFrame(
    {
        "measure": ["expected_purchases", "purchases", "expected_revenue", "clv"],
        "estimate": [11.0, 11.0, 800.0, 200.0],
        "low": [10.0, 6.0, 700.0, 180.0],
        "high": [12.5, 17.0, 910.0, 222.0],
        "includes": ["parameter uncertainty"] * 4,
    }
)
CURVE = pd.DataFrame(
    {"horizon_years": [1.0, 2.0], "estimate": [6.0, 11.0], "low": [5.5, 10.0], "high": [6.8, 12.5]}
)


def _intervals(with_value=True):
    totals = TOTALS.copy()
    customers = CUSTOMERS.copy()
    if not with_value:
        totals.loc[2:, ["estimate", "low", "high"]] = np.nan
        customers[["clv", "clv_low", "clv_high"]] = np.nan
    return ForecastIntervals(customers, totals, CURVE, 0.9, 200, 2.0, "years")


def test_words_give_each_total_with_its_interval():
    parts = interval_section(DATASET, _intervals(), horizon_years=2, discount_rate=0.1)
    text = parts[0].data
    assert "Over the next 2 years the 3 customers are expected to make **11** repeat" in text
    assert "90% likely to lie between **10 and 12**" in text  # 12.5 shown whole: 12
    assert (
        "actually make, which also depend on each customer's chance, between **6 and 17**" in text
    )
    # money: "$" is escaped so it is not read as a formula
    assert "discounted at 10% a year, is **<span>&#36;</span>200**" in text
    assert "(90% interval **<span>&#36;</span>180 to <span>&#36;</span>222**)" in text
    assert "not whether the model suits these customers" in text


def test_table_lists_the_top_customers_by_value_with_their_bounds():
    parts = interval_section(DATASET, _intervals(), horizon_years=2, discount_rate=0.1, top=2)
    shown = parts[1].data
    # the two most valuable: a (100) then c (75)
    assert shown["customer_id"].tolist() == ["a", "c"]
    assert shown["lifetime value, low"].tolist() == [88.0, 62.0]
    assert shown["purchases to come, high"].tolist() == [8.0, 11.0]
    html = parts[1].to_html()
    assert "$115.00" in html.replace("<span>&#36;</span>", "$")
    assert "The 2 most valuable customers over 2 years with 90% intervals" in html
    assert isinstance(parts[2], matplotlib.figure.Figure)
    band_ax, top_ax = parts[2].axes
    assert band_ax.get_xlabel() == "Months from the analysis date"
    assert [t.get_text() for t in top_ax.get_yticklabels()] == ["a", "c"]


def test_without_revenue_the_words_and_table_are_in_purchases():
    parts = interval_section(
        DATASET, _intervals(with_value=False), horizon_years=2, discount_rate=0.1, top=2
    )
    assert "lifetime value" not in parts[0].data
    shown = parts[1].data
    # ranked by expected purchases: c (6) then a (4)
    assert shown["customer_id"].tolist() == ["c", "a"]
    assert "lifetime value" not in shown.columns


def test_no_intervals_says_why():
    parts = interval_section(
        DATASET, None, note="there is no purchase model.", horizon_years=5, discount_rate=0.1
    )
    assert [p.data for p in parts] == ["No forecast intervals: there is no purchase model."]


@pytest.fixture(scope="module")
def cdnow_fits():
    cdnow_summary = rk.customer_summary(
        rk.load_transactions("cdnow_sample"), as_of="1997-09-30", time_unit="weeks"
    )
    return cdnow_summary, BetaGeoModel().fit(cdnow_summary), GammaGammaModel().fit(cdnow_summary)


def test_forecast_intervals_price_the_fitted_models(cdnow_fits):
    cdnow_summary, bg, gg = cdnow_fits
    intervals, note = forecast_intervals(
        bg, gg, cdnow_summary, horizon_years=1, discount_rate=0.1, margin=0.3, n_draws=40
    )
    assert note == ""
    assert intervals.level == 0.9 and intervals.n_draws == 40
    assert len(intervals.customers) == len(cdnow_summary)
    clv = intervals.totals.set_index("measure").loc["clv"]
    assert clv["low"] < clv["estimate"] < clv["high"]


def test_a_loose_fit_gets_a_caveat_in_the_words():
    parts = interval_section(
        DATASET,
        _intervals(),
        note="The data say little about how soon customers stop buying.",
        horizon_years=2,
        discount_rate=0.1,
    )
    assert parts[0].data.endswith(
        "the holdout check tests that. The data say little about how soon customers stop buying."
    )


def test_forecast_intervals_flag_loosely_pinned_parameters(cdnow_fits):
    cdnow_summary, bg, gg = cdnow_fits
    # CDNOW's sample pins every parameter down (standard errors 5% to 29% of the
    # estimates, below half): no caveat
    assert max(bg.standard_errors_[k] / v for k, v in bg.params_.items()) < 0.5
    _, note = forecast_intervals(
        bg, gg, cdnow_summary, horizon_years=1, discount_rate=0.1, margin=0.3, n_draws=40
    )
    assert note == ""
    # the same fit with a's standard error at 3 times a, as Online Retail's: a caveat
    loose = copy.copy(bg)
    loose.standard_errors_ = {**bg.standard_errors_, "a": 3 * bg.params_["a"]}
    intervals, note = forecast_intervals(
        loose, gg, cdnow_summary, horizon_years=1, discount_rate=0.1, margin=0.3, n_draws=40
    )
    assert intervals is not None
    assert note == (
        "The data say little about how soon customers stop buying (the purchase model's a "
        "has a standard error 3.0 times its estimate), so these intervals, which treat that "
        "uncertainty as small, are rough: the real uncertainty is probably larger."
    )
    # the covariance follows the larger standard error: wider value intervals
    plain, _ = forecast_intervals(
        bg, gg, cdnow_summary, horizon_years=1, discount_rate=0.1, margin=0.3, n_draws=40
    )
    width = lambda iv: iv.totals.set_index("measure").eval("high - low")  # noqa: E731
    assert width(intervals)["clv"] > width(plain)["clv"]


def test_unidentified_parameters_give_no_intervals_and_say_why(cdnow_fits):
    cdnow_summary, bg, gg = cdnow_fits
    # a fit whose information matrix could not be inverted (NaN standard errors)
    broken = copy.copy(bg)
    broken._information_inverse = (np.full((4, 4), np.nan), np.full(4, np.nan))
    intervals, note = forecast_intervals(
        broken, gg, cdnow_summary, horizon_years=1, discount_rate=0.1, margin=0.3, n_draws=40
    )
    assert intervals is None
    assert note == (
        "the data do not pin down every parameter of the BG/NBD model (its information "
        "matrix is not positive definite), so its forecasts have no interval."
    )
