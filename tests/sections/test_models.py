"""The model sections: BG/NBD read in words, Gamma-Gamma and its check, the heatmaps."""

import matplotlib.pyplot as plt
import pandas as pd

import retainkit as rk
from retainkit.clv import BetaGeoModel, GammaGammaModel
from retainkit.sections import (
    fit_spend_model,
    frequency_recency_section,
    purchase_model_section,
    spend_model_section,
)


def _bgnbd(unit="weeks"):
    m = BetaGeoModel()
    m.params_ = {"r": 2.0, "alpha": 10.0, "a": 1.0, "b": 4.0}
    m.time_unit_, m.standard_errors_, m.log_likelihood_, m.n_customers_ = unit, {}, -1234.5, 300
    return m


def test_purchase_model_section_reads_the_parameters():
    shown, story = purchase_model_section(_bgnbd(), "Fitted with a penalizer.")
    assert "log-likelihood -1,234.5, 300 customers. Fitted with a penalizer." in shown.caption
    # r / alpha = 0.2 a week; x 365.2425 / 7 = 52.1775 weeks: 10.4 a year; a / (a + b) = 20%
    assert "**0.20** times a week (10.4 times a year)" in story.data
    assert "averages **20.0%**" in story.data


def test_purchase_model_section_without_a_model_says_why_twice():
    parts = purchase_model_section(None, "Too few repeat buyers.")
    assert [p.data for p in parts] == [
        "**Too few repeat buyers.** The model sections below say so too.",
        "No purchase model: Too few repeat buyers.",
    ]


def _dataset(with_revenue=True):
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-10"]),
            "revenue": [10.0, 20.0, 5.0],
        }
    )
    return rk.load_dataset(frame if with_revenue else frame.drop(columns="revenue"))


def test_spend_model_is_not_fitted_without_revenue():
    ds = _dataset(False)
    assert fit_spend_model(ds.transactions, pd.DataFrame()) == (None, "")
    parts = spend_model_section(ds, pd.DataFrame(), None, "")
    assert parts[0].data.startswith("The spend model needs revenue")
    assert parts[1].data == "No spend, so no spend assumption to check."


def test_spend_model_section_shows_the_fit_and_the_check():
    # 6 repeat customers whose spend rises with frequency: Spearman's correlation is 1
    summary = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "frequency": [1, 2, 3, 4, 5, 6],
            "recency": [10.0] * 6,
            "T": [20.0] * 6,
            "monetary_value": [10.0, 12.0, 15.0, 20.0, 30.0, 50.0],
        }
    )
    model = GammaGammaModel()
    model.params_ = {"p": 6.0, "q": 4.0, "v": 15.0}
    model.standard_errors_, model.log_likelihood_, model.time_unit_ = {}, -50.0, "weeks"
    model.n_customers_, model.excluded_customers_ = 6, 1
    shown, check = spend_model_section(_dataset(), summary, model, "")
    assert "6 repeat customers, 1 left out" in shown.caption
    assert "Spearman's rank correlation, which a few big spenders cannot dominate, is 1.00" in (
        check.data
    )
    note = spend_model_section(_dataset(), summary, None, "Could not fit.")[0]
    assert note.data == "Could not fit. Values below are in purchases."


def test_frequency_recency_section_is_one_closed_figure_or_nothing():
    assert len(frequency_recency_section(None, pd.DataFrame())) == 0
    open_before = set(plt.get_fignums())
    (fig,) = frequency_recency_section(_bgnbd(), pd.DataFrame({"T": [30.0, 52.0]}))
    assert set(plt.get_fignums()) == open_before
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 2 and titles[0].startswith("Probability a customer is still active")
