import math
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import retainkit as rk
from retainkit.clv import ShiftedBetaGeoModel
from retainkit.sections.subscriptions import (
    _observed,
    monthly_billing,
    monthly_rate,
    subscriber_values,
    subscription_section,
)
from retainkit.subscriptions import subscriptions_to_transactions
from tests.conftest import DATA

AS_OF = "2024-06-30"


def _subscribers():
    # the tiny cohort of the sBG tests, as subscribers: 3 paid 1 bill and left, 1 paid 2
    # and left, 1 has paid 3 and stays; the sBG fits it exactly (alpha 3, beta 2)
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "months": [1, 1, 1, 2, 3],
            "charge": [10.0, 10.0, 10.0, 10.0, 10.0],
            "left": ["Yes", "Yes", "Yes", "Yes", "No"],
        }
    )


def _bills():
    return subscriptions_to_transactions(
        _subscribers(),
        customer_col="id",
        tenure_months_col="months",
        monthly_charge_col="charge",
        churned_col="left",
        as_of=AS_OF,
    )


def test_monthly_billing_reads_tenure_and_churn():
    bills = monthly_billing(_bills())
    # leavers' last bill is on 2024-05-30: the bill due 2024-06-30 did not come
    expected = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "periods": [1, 1, 1, 2, 3],
            "renewals": [0, 0, 0, 1, 2],
            "last_bill": pd.to_datetime(["2024-05-30"] * 4 + ["2024-06-30"]).astype(
                "datetime64[ns]"
            ),
            "monthly_bill": [10.0] * 5,
            "pays_monthly": [False, False, False, True, True],
            "churned": [True, True, True, True, False],
            # the first cancellation shows on 2024-05-30: d and e had each paid one bill
            # (2024-04-30) before it, a renewal made before the data shows who cancels
            "entered": [0, 0, 0, 1, 1],
        }
    )
    pd.testing.assert_frame_equal(bills, expected)
    assert bills.attrs["cancellations_from"] == pd.Timestamp("2024-05-30")
    # two customers with two or more bills, both pay monthly
    assert bills.attrs["repeat_customers"] == 2
    assert bills.attrs["monthly_share"] == 1.0
    assert bills.attrs["bills_monthly"] is True
    # waiting for a second missed bill: nobody's second bill (2024-07-30) is due yet
    assert not monthly_billing(_bills(), missed_bills=2)["churned"].any()
    with pytest.raises(ValueError, match="missed_bills"):
        monthly_billing(_bills(), missed_bills=0)


def test_monthly_billing_rule_thresholds():
    days = {
        # 4 monthly payers: gaps of 28-31 days
        "m1": ["2024-01-31", "2024-02-29", "2024-03-31"],
        "m2": ["2024-01-15", "2024-02-15", "2024-03-15"],
        "m3": ["2024-02-01", "2024-03-01"],
        "m4": ["2024-01-10", "2024-02-07", "2024-03-08"],  # 28 and 30 days
        # a regular shopper: median 30 days but a gap of 40 (outside 26-33)
        "s1": ["2024-01-01", "2024-01-21", "2024-02-20", "2024-03-31"],
        # one bill: not counted either way
        "x": ["2024-03-31"],
    }
    frame = pd.DataFrame(
        [(c, pd.Timestamp(d)) for c, ds in days.items() for d in ds],
        columns=["customer_id", "order_date"],
    )
    bills = monthly_billing(frame)
    assert bills.set_index("customer_id")["pays_monthly"].to_dict() == {
        "m1": True,
        "m2": True,
        "m3": True,
        "m4": True,
        "s1": False,
        "x": False,
    }
    # 4 of 5 repeat customers: 80%, the threshold
    assert bills.attrs["monthly_share"] == 0.8
    assert bills.attrs["bills_monthly"] is True
    assert math.isnan(bills["monthly_bill"].iloc[0])  # no revenue column
    # a second shopper: 4 of 6 = 67% < 80%
    more = pd.concat(
        [frame, frame[frame["customer_id"] == "s1"].assign(customer_id="s2")],
        ignore_index=True,
    )
    assert monthly_billing(more).attrs["bills_monthly"] is False


def test_monthly_rate():
    # (1.1)^(1/12) - 1: twelve months at it compound to 10%
    assert (1 + monthly_rate(0.1)) ** 12 == pytest.approx(1.1)
    assert monthly_rate(0.0) == 0.0
    with pytest.raises(ValueError, match="discount_rate"):
        monthly_rate(-0.1)


def test_subscriber_values_by_hand():
    m = ShiftedBetaGeoModel()
    m.params_ = {"alpha": 3.0, "beta": 2.0}
    # S(t) = B(3, 2 + t) / B(3, 2) = 24 / ((t + 2)(t + 3)(t + 4)); undiscounted, a
    # subscriber after k renewals (n = k + 1) still pays sum_{t >= n} S(t) / S(n - 1)
    # = [12 / ((n + 2)(n + 3))] / [24 / ((n + 1)(n + 2)(n + 3))] = (n + 1) / 2 = (k + 2) / 2
    # months; the next 12 bills after 0 renewals: sum_{t=1..12} S(t)
    # = 12 (1/12 - 1/240) = 0.95; r(k + 1) = (beta + k) / (alpha + beta + k)
    values = subscriber_values(
        m, renewals=[0, 1, 3, 6], monthly_value=5.0, discount_rate=0.0, horizon_years=1.0
    )
    expected = pd.DataFrame(
        {
            "renewals": [0, 1, 3, 6],
            "next_renewal_rate": [2 / 5, 3 / 6, 5 / 8, 8 / 11],
            "derl_months": [1.0, 1.5, 2.5, 4.0],
            "derl_within_horizon_months": values["derl_within_horizon_months"],
            "residual_value": [5.0, 7.5, 12.5, 20.0],
        }
    )
    pd.testing.assert_frame_equal(values, expected, rtol=1e-10)
    assert values["derl_within_horizon_months"].iloc[0] == pytest.approx(0.95)
    # discounted, the months within the horizon are a direct sum of S(t) / S(n - 1)
    disc = subscriber_values(
        m, renewals=[2], monthly_value=1.0, discount_rate=0.1, horizon_years=2.0
    )
    x = 1 / (1 + monthly_rate(0.1))
    s = [24 / ((t + 2) * (t + 3) * (t + 4)) for t in range(0, 40)]
    direct = sum(s[3 + j] / s[2] * x**j for j in range(24))
    assert disc["derl_within_horizon_months"].iloc[0] == pytest.approx(direct)
    assert disc["derl_months"].iloc[0] == pytest.approx(m.derl(monthly_rate(0.1), 2))


def _one_cohort():
    # the same five subscribers as one cohort seen from its start, 2024-01-31 (a full
    # history: the first cancellation, a's, is on everyone's first bill, so nobody had
    # renewed before the data shows cancellations)
    days = {
        "a": ["2024-01-31"],
        "b": ["2024-01-31"],
        "c": ["2024-01-31"],
        "d": ["2024-01-31", "2024-02-29"],
        "e": ["2024-01-31", "2024-02-29", "2024-03-31"],
    }
    return pd.DataFrame(
        [(c, pd.Timestamp(d), 10.0) for c, ds in days.items() for d in ds],
        columns=["customer_id", "order_date", "revenue"],
    )


def test_section_for_subscriptions_says_and_shows_the_fit():
    assert (monthly_billing(_one_cohort())["entered"] == 0).all()
    ds = rk.load_dataset(_one_cohort(), currency="$")
    parts = subscription_section(ds, discount_rate=0.0, margin=0.5, horizon_years=1.0, currency="$")
    story, fig, view, value = parts
    text = story.data
    assert "100.0% of the 2 customers with two or more bills" in text
    assert "**4** of 5 subscribers (80.0%)" in text
    assert "alpha = 3.000, beta = 2.000" in text
    # alpha / (alpha + beta) = 3/5; 1 - r(12) = 1 - 13/16 = 18.75%; 1 - r(24) = 3/28
    assert "**60.0% of new subscribers cancel at the first renewal**" in text
    # (18.75% exactly: the fit's alpha, 3 to 1e-5, rounds it either way)
    assert re.search(r"to 18\.[78]% at the 12th renewal and 10\.7% at the 24th", text)
    assert "fairly alike" in text
    assert "beyond 3 months" in text
    # figure: survival and retention rate, data, model and projection, months on x
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_xlabel() == "Months since subscribing"
    assert right.get_xlabel() == "Month of the renewal"
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "Data (Kaplan-Meier)",
        "sBG model",
        "sBG projection",
    ]
    # projected to 12 months (horizon 1 year >= 1.5 x 3 months)
    assert left.get_xlim() == (0.0, 12.0)
    # table: DERL (k + 2) / 2 months, value DERL x $10 x 50%
    html = view.to_html()
    shown = view.data
    assert shown["Renewals made"].tolist() == [0, 1, 3, 6, 12, 24]
    np.testing.assert_allclose(
        shown["Expected months still to pay (DERL)"], [1, 1.5, 2.5, 4, 7, 13], rtol=1e-4
    )
    np.testing.assert_allclose(
        shown["Expected residual value"], [5, 7.5, 12.5, 20, 35, 65], rtol=1e-4
    )
    assert shown["Subscribers now"].tolist() == [0, 0, 0, 0, 0, 0]  # e has made 2
    assert "Of which in the next 1 year" in html
    # base: e, 2 renewals, DERL 2 months x $10 x 50% = $10; a new subscriber: the first
    # month plus DERL(0) = 1 month: 2 x $10 x 50% = $10
    assert "Value of the current subscribers: <span>&#36;</span>10**" in value.data
    assert "What a new subscriber is worth: <span>&#36;</span>10**" in value.data
    assert "the 1 subscriber still paying, each at their own monthly bill x 50% margin" in (
        value.data
    )


def test_section_for_a_shop_is_one_line():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-11", "2024-01-01", "2024-01-31", "2024-02-01"]
            ),
            "revenue": [5.0, 6.0, 7.0, 8.0, 9.0],
        }
    )
    ds = rk.load_dataset(frame)
    (line,) = subscription_section(ds, discount_rate=0.1, margin=0.3, horizon_years=5, currency="$")
    # a: 10-day gap; b: 30 days, monthly; 1 of 2 = 50%
    assert line.data == (
        "The data does not look like monthly billing (50.0% of the 2 customers who bought "
        "on two or more days paid once a month; a subscription export has 80% or more), so "
        "the purchase models below (BG/NBD) apply rather than the subscription model (sBG)."
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("preset", "monthly"),
    [("telco", True), ("demo", False), ("cdnow", False), ("online_retail", False)],
)
def test_detection_on_the_presets(preset, monthly):
    bills = monthly_billing(rk.load_transactions(preset))
    assert bills.attrs["bills_monthly"] is monthly
    # a shop's regular buyers rarely keep a monthly rhythm: about 1% of them do
    share = bills.attrs["monthly_share"]
    assert share == 1.0 if monthly else share < 0.02


@pytest.mark.slow
def test_telco_churn_matches_its_churn_flag():
    raw = pd.read_csv(DATA / "telco_churn" / "Telco_customer_churn.csv")
    bills = monthly_billing(rk.load_transactions("telco")).set_index("customer_id")
    # 7,043 subscribers, of whom 11 have tenure 0 (no bill yet, no row)
    assert len(raw) == 7043 and (raw["Tenure Months"] == 0).sum() == 11
    truth = raw.set_index("CustomerID").loc[bills.index]
    assert len(bills) == 7032
    assert (bills["churned"] == truth["Churn Value"].astype(bool)).all()
    assert bills["churned"].sum() == (raw["Churn Value"] == 1).sum() == 1869
    assert (bills["periods"] == truth["Tenure Months"]).all()


@pytest.mark.slow
def test_telco_snapshot_is_fitted_from_when_cancellations_show():
    # the telco preset is a snapshot: current subscribers plus the last month's 1,869
    # cancellations, all with their last bill on 2019-08-30
    ds = rk.load_dataset("telco")
    bills = monthly_billing(ds.transactions)
    assert bills.attrs["cancellations_from"] == pd.Timestamp("2019-08-30")
    # at the first renewal the data sees those who paid 1 bill and cancelled, and those
    # who paid their 2nd bill after it: the share cancelling, counted by hand
    cancelled = int((bills["churned"] & (bills["periods"] == 1)).sum())
    renewed = int((~bills["churned"] & (bills["periods"] == 2)).sum())
    first = cancelled / (cancelled + renewed)
    assert (cancelled, renewed) == (380, 115)
    curve = _observed(bills).set_index("time")
    assert 1 - curve.loc[1, "retention_rate"] == pytest.approx(first)
    parts = subscription_section(ds, discount_rate=0.1, margin=0.3, horizon_years=5, currency="$")
    text = parts[0].data
    assert "The first cancellation in the data is on 2019-08-30" in text
    model = ShiftedBetaGeoModel().fit_durations(
        bills["periods"], bills["churned"], entered=bills["entered"]
    )
    alpha, beta = model.params_["alpha"], model.params_["beta"]
    assert f"alpha = {alpha:.3f}, beta = {beta:.3f}" in text
    # the model's first-renewal cancellation is near the data's; counting everyone from
    # their start (no truncation) puts it under 5%, against 26.6% cancelling in one month
    assert alpha / (alpha + beta) == pytest.approx(first, abs=0.1)
    plain = ShiftedBetaGeoModel().fit_durations(bills["periods"], bills["churned"])
    assert plain.params_["alpha"] / sum(plain.params_.values()) < 0.05
