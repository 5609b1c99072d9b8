import math

import numpy as np
import pandas as pd
import pytest

from retainkit.clv import ParetoNBDModel
from retainkit.sections.attributes import attribute_effects_section, attribute_effects_table
from tests.clv.test_covariates import simulate_pnbd


@pytest.fixture(scope="module")
def shop():
    # contract=Two year (z0 = 1) buys e^0.5 = 1.65x as often and leaves e^-0.4 = 0.67x as
    # fast; z1 is not shown to the section
    summary, cov = simulate_pnbd(4000, 0.8, 10.0, 0.7, 12.0, [0.5, -0.3], [-0.4, 0.6], seed=3)
    customers = pd.DataFrame(
        {
            "customer_id": cov["customer_id"],
            "contract": np.where(cov["z0"] == 1, "Two year", "Month-to-month"),
            "email": cov["customer_id"] + "@example.com",  # an id: too many levels
            "country": "US",  # one value
        }
    )
    return summary, customers


def test_table_by_hand():
    m = ParetoNBDModel()
    m.params_ = {"r": 1.0, "alpha": 5.0, "s": 1.0, "beta": 9.0}
    m.params_ |= {"trans.plan=pro": math.log(2.0), "life.plan=pro": -0.5, "trans.age": 0.0}
    m.params_ |= {"life.age": 0.1}
    m.standard_errors_ = {"trans.plan=pro": 0.1, "life.plan=pro": 0.2}
    m.standard_errors_ |= {"trans.age": 0.01, "life.age": 0.05}
    m.covariate_levels_ = {"plan": {"reference": "basic", "levels": ["basic", "pro"]}, "age": None}
    t = attribute_effects_table(m).set_index("attribute")
    # exp(1.6449 x 0.1) = 1.17879: 2 x 1.17879 = 2.35757, 2 / 1.17879 = 1.69666
    assert t.loc["plan=pro", "purchase_rate_factor"] == pytest.approx(2.0)
    assert t.loc["plan=pro", "purchase_rate_low_90"] == pytest.approx(1.69666, rel=1e-5)
    assert t.loc["plan=pro", "purchase_rate_high_90"] == pytest.approx(2.35757, rel=1e-5)
    # e^-0.5 = 0.60653; e^(-0.5 +- 1.6449 x 0.2) = e^-0.17103, e^-0.82897 = 0.84280, 0.43650
    assert t.loc["plan=pro", "dropout_rate_factor"] == pytest.approx(0.60653, rel=1e-5)
    assert t.loc["plan=pro", "dropout_rate_low_90"] == pytest.approx(0.43650, rel=1e-4)
    assert t.loc["plan=pro", "dropout_rate_high_90"] == pytest.approx(0.84280, rel=1e-4)
    assert t.loc["plan=pro", "compared_with"] == "plan=basic"
    assert t.loc["age", "compared_with"] == "age one unit lower"


def test_section_says_the_effects_in_words(shop):
    summary, customers = shop
    parts = attribute_effects_section(summary, customers=customers)
    story, shown = parts[0].data, parts[1].data
    # the same fit, done here, gives the numbers the words must carry
    model = ParetoNBDModel().fit(summary, covariates=customers[["customer_id", "contract"]])
    g = model.params_["trans.contract=Two year"]
    se = model.standard_errors_["trans.contract=Two year"]
    low, high = math.exp(g - 1.6449 * se), math.exp(g + 1.6449 * se)
    expected = (
        f"Customers with contract=Two year buy {math.exp(g):.2f}x as often "
        f"(90% interval {low:.2f}x-{high:.2f}x)"
    )
    assert expected in story
    assert "as those with contract=Month-to-month" in story
    # the simulated truth, e^0.5 = 1.65 and e^-0.4 = 0.67, is inside the intervals
    row = shown.set_index("attribute").loc["contract=Two year"]
    assert row["purchase_rate_low_90"] < 1.6487 < row["purchase_rate_high_90"]
    assert row["dropout_rate_low_90"] < 0.6703 < row["dropout_rate_high_90"]
    assert (
        "Left out: email (4,000 levels, too few customers in most), country (one value)." in story
    )
    assert list(shown.columns)[:2] == ["attribute", "compared_with"]


def test_customers_without_attributes_are_left_out_and_counted(shop):
    summary, customers = shop
    partial = customers.iloc[100:].copy()
    partial.loc[partial.index[:50], "contract"] = None
    story = attribute_effects_section(summary, customers=partial)[0].data
    assert "150 customers without complete attributes are left out." in story
    assert "from 3,850 customers" in story


def test_notes_when_there_is_nothing_to_compare(shop):
    summary, customers = shop
    none = attribute_effects_section(summary, customers=None)
    assert len(none) == 1 and none[0].data.startswith("No customer attributes here")
    useless = attribute_effects_section(summary, customers=customers[["customer_id", "country"]])
    assert len(useless) == 1
    assert useless[0].data.startswith("No usable customer attributes")
    assert "country (one value)" in useless[0].data


def _bills(gap_days):
    """Three customers paying 10 every ``gap_days`` days, 6 times, from 2024-01-05."""
    days = pd.Timestamp("2024-01-05") + pd.to_timedelta(np.arange(6) * gap_days, unit="D")
    return pd.DataFrame(
        {
            "customer_id": np.repeat(["a", "b", "c"], 6),
            "order_date": np.tile(days, 3),
            "revenue": 10.0,
        }
    )


def test_monthly_billing_gets_a_note_instead_of_the_model():
    summary = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "frequency": [5] * 3, "recency": [21.4] * 3}
    ).assign(T=21.4)
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["x", "y", "x"]})
    # every gap is 30 days, within the 28-31 of a monthly bill: all three pay monthly
    parts = attribute_effects_section(summary, customers=customers, transactions=_bills(30))
    assert [p.data for p in parts] == [
        "Customer attributes are not compared here: this data bills monthly, and the model "
        "behind the comparison is made for customers who buy whenever they like, so its "
        "effects on buying and leaving would mislead. The subscription section above "
        "describes how long subscribers stay."
    ]
    # every 12 days is not monthly: the section goes on (here to the one-value column)
    one_value = customers.assign(plan="x")
    parts = attribute_effects_section(summary, customers=one_value, transactions=_bills(12))
    assert parts[0].data.startswith("No usable customer attributes")


def test_small_levels_are_compared_together_as_other(shop):
    summary, customers = shop
    # 4,000 customers: 3,000 in UK, 400 in DE, 590 spread over 59 countries of 10 customers,
    # 10 in FR: DE keeps its own level (400 >= 30); the 60 small ones (< 30 each) become one
    # "other" of 600 customers; UK, the most common, is the reference
    n = len(customers)
    small = [f"C{i:02d}" for i in range(59) for _ in range(10)]
    country = ["UK"] * 3000 + ["DE"] * 400 + small + ["FR"] * 10
    assert len(country) == n
    with_country = customers[["customer_id"]].assign(country=country)
    parts = attribute_effects_section(summary, customers=with_country)
    story, shown = parts[0].data, parts[1].data
    assert set(shown["attribute"]) == {"country=DE", "country=other"}
    assert set(shown["compared_with"]) == {"country=UK"}
    assert "Grouped: country: 60 smaller levels compared together as *other*." in story


def test_an_interval_too_wide_to_use_is_said_to_be_unknown():
    from retainkit.sections.attributes import _sentence

    row = pd.Series(
        {
            "attribute": "Country=France",
            "compared_with": "Country=United Kingdom",
            "purchase_rate_factor": 1.08,
            "purchase_rate_low_90": 0.81,
            "purchase_rate_high_90": 1.45,
            # 0.001x to 27,000x: a ratio far above 100
            "dropout_rate_factor": 0.97,
            "dropout_rate_low_90": 0.001,
            "dropout_rate_high_90": 27000.0,
        }
    )
    assert _sentence(row) == (
        "Customers with Country=France, compared with Country=United Kingdom: they buy 1.08x "
        "as often (90% interval 0.81x-1.45x; no clear difference); how fast they leave cannot "
        "be told from these data."
    )
