"""The dashboard's front page: headline figures, links, the call list files, the changes."""

import ast
import inspect

import pandas as pd
import pytest

import retainkit as rk
from retainkit.figures import figure, key_figures
from retainkit.report import list_notebooks, notebook_parameters
from retainkit.sections import front
from retainkit.sections.front import HEADLINES, Headlines

# five customers, all buying on one day: a spends 60, the four others 10 each
FIVE = pd.DataFrame(
    {
        "customer_id": list("abcde"),
        "order_date": pd.to_datetime(["2024-01-05"] * 5),
        "revenue": [60.0, 10.0, 10.0, 10.0, 10.0],
    }
)

# a shop over two years, analysed with 120 days without a purchase = lost. a and d stop in
# spring 2023; b and c buy again in 2024 after long gaps; e is active in December 2023 and
# stops after 2024-01-10; f buys every three months (gaps of 92 days or less)
_ORDERS = {
    "a": ["2023-01-10", "2023-03-01"],
    "b": ["2023-02-01", "2024-03-01", "2024-11-20"],
    "c": ["2023-06-01", "2024-06-01", "2024-12-01"],
    "d": ["2023-01-20", "2023-04-15"],
    "e": ["2023-11-01", "2024-01-10"],
    "f": ["2023-10-15", "2024-01-15", "2024-04-15", "2024-07-15", "2024-10-15"],
}
SHOP = pd.DataFrame(
    {
        "customer_id": [c for c, days in _ORDERS.items() for _ in days],
        "order_date": pd.to_datetime([d for days in _ORDERS.values() for d in days]),
        "revenue": 10.0,
    }
)


@pytest.fixture(scope="module")
def shop():
    return rk.load_dataset(SHOP)


@pytest.fixture(scope="module")
def groundwork(shop):
    return front.groundwork_headlines(shop, churn_days=120, call_list_size=5)


def test_headline_names_are_in_order_and_known():
    assert list(HEADLINES) == [p.stem for p in list_notebooks()]
    for names in HEADLINES.values():
        assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("notebook", "function"),
    [
        ("01_groundwork", front.groundwork_headlines),
        ("02_segmentation", front.segmentation_headlines),
        ("03_lifetime_value", front.lifetime_value_headlines),
    ],
)
def test_options_are_the_notebooks_parameters_with_their_defaults(notebook, function):
    # the app passes each option the notebook's value of the parameter of the same name
    path = next(p for p in list_notebooks() if p.stem == notebook)
    params = notebook_parameters(path)
    options = {
        p.name: p.default
        for p in inspect.signature(function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert options
    for name, default in options.items():
        assert name in params, f"{notebook} has no parameter {name}"
        assert ast.literal_eval(params[name]["default"]) == default, name


def test_segmentation_headlines_top_share_by_hand():
    h = front.segmentation_headlines(rk.load_dataset(FIVE))
    figures = h.figures.to_dict()["figures"]
    assert h.page == "02_segmentation"
    assert list(figures) == list(HEADLINES["02_segmentation"])
    # top 20% of 5 customers = 1 customer (a): 60 of 100 in all
    assert figures["segmentation.top20_revenue_share"] == pytest.approx(0.6)
    assert figures["segmentation.customers"] == 5


def test_groundwork_headlines_are_the_notebooks_figures(shop, groundwork):
    window = rk.groundwork.churn_window(shop.transactions, as_of="", churn_days=120)
    status = rk.groundwork.customer_status(shop.transactions, window, margin=0.3)
    value = rk.ValueAssumptions(margin=0.3, horizon_years=5.0, discount_rate=0.1)
    losses = rk.groundwork.loss_figures(status, value=value).to_dict()
    got = groundwork.figures.to_dict()
    assert groundwork.page == "01_groundwork"
    assert list(got["figures"]) == list(HEADLINES["01_groundwork"])
    for name in HEADLINES["01_groundwork"][:4]:
        assert got["figures"][name] == losses["figures"][name], name
    # the call list is the review's: its length and the sum of its value at risk
    calls = groundwork.review.calls
    assert got["figures"]["groundwork.call_list_size"] == len(calls)
    assert got["figures"]["groundwork.call_list_value_at_risk"] == pytest.approx(
        calls["value_at_risk"].sum()
    )
    assert groundwork.review.settings["as_of"] == pd.Timestamp("2024-12-01")


def test_groundwork_headlines_count_the_lost_by_hand(groundwork):
    # as_of = the last order, 2024-12-01; the window: the 365 days from 2023-12-02. Active
    # at its start (a purchase in the 120 days before): e (2023-11-01) and f (2023-10-15);
    # a, b, c and d had been silent longer. e's 120 days run out on 2024-05-09, inside the
    # window: lost. f never goes 120 days without a purchase. Lost: 1 of 2, a rate of 0.5.
    figures = groundwork.figures.to_dict()["figures"]
    assert figures["groundwork.customers_lost"] == 1
    assert figures["groundwork.churn_rate"] == pytest.approx(1 / 2)


def test_lifetime_value_headlines_without_revenue_say_why():
    frame = pd.DataFrame(
        {"customer_id": ["a", "b"], "order_date": pd.to_datetime(["2024-01-05", "2024-02-05"])}
    )
    h = front.lifetime_value_headlines(rk.load_dataset(frame))
    got = h.figures.to_dict()
    assert list(got["figures"]) == list(HEADLINES["03_lifetime_value"])
    assert got["figures"]["ltv.clv_mean"] is None
    assert got["reasons"]["ltv.clv_mean"] == "the data has no revenue"
    assert got["reasons"]["ltv.nrr_12m"] == "the data has no revenue"


def test_front_section_links_pages_and_files():
    seg = Headlines(
        "02_segmentation",
        key_figures([figure("segmentation.customers", 5, "Customers", unit="customers")]),
    )
    parts = front.front_section(
        [seg],
        pages={"02_segmentation": ("Segments <&> more", "02_segmentation.ipynb")},
        call_list_files=["/tmp/x/call_list.csv", "/tmp/x/call_list.xlsx"],
        files_url="../files/",
    )
    assert parts[0].data == (
        "<h2><a href='02_segmentation.ipynb'>Segments &lt;&amp;&gt; more</a></h2>"
    )
    assert parts[1] is seg.figures
    assert "<a href='../files/call_list.csv'>call_list.csv</a> and " in parts[2].data
    assert "<a href='../files/call_list.xlsx'>call_list.xlsx</a>." in parts[2].data


def test_front_section_without_call_list_file():
    parts = front.front_section([], pages={})
    assert parts[0].data == "No call list file was written (`call_list_file` is empty)."


def test_write_call_list_writes_the_sheet(tmp_path, monkeypatch, groundwork):
    monkeypatch.chdir(tmp_path)
    written = front.write_call_list(groundwork.review, "calls")
    assert [p.name for p in written] == ["calls.csv", "calls.xlsx"]
    sheet = pd.read_csv(tmp_path / "calls.csv", dtype={"customer_id": str})
    want = rk.calls.call_sheet(groundwork.review.calls, groundwork.review.winback)
    assert sheet["customer_id"].tolist() == want["customer_id"].astype(str).tolist()
    assert front.write_call_list(groundwork.review, "") == []


def test_changes_section_without_previous_says_how():
    text = front.changes_section("", Headlines("01_groundwork", key_figures([])), None)[0].data
    assert "-p previous=DIR" in text


def test_changes_section_compares_with_the_previous_list(tmp_path, shop, groundwork):
    previous = tmp_path / "call_list.csv"
    previous.write_text(
        "customer_id,group,review_date,called,outcome,note\n"
        "b,keep,2024-10-31,yes,,\n"
        "zz,keep,2024-10-31,,,\n"
    )
    parts = front.changes_section(str(previous), groundwork, shop.transactions)
    want = rk.sections.previous_review(
        str(previous),
        groundwork.review.calls,
        shop.transactions,
        as_of=groundwork.review.settings["as_of"],
        risk=groundwork.review.risk,
    )
    assert parts[0].data.startswith("Compared with the review of 2024-10-31")
    assert [getattr(p, "data", None) for p in parts][:1] == [want[0].data]
    assert len(parts) == len(want)


def test_lifetime_value_headlines_value_with_the_notebook_s_chosen_model():
    # the notebook's steps: holdout check, model choice, the chosen model refitted on the
    # whole history, its values; the front page must show the same total
    ds = rk.load_dataset("cdnow_sample")
    figures = front.lifetime_value_headlines(ds).figures.to_dict()["figures"]
    summary = rk.customer_summary(ds.transactions, time_unit="weeks", litt=True)
    bg, note = rk.clv.fit_or_explain(rk.clv.BetaGeoModel, summary)
    check = rk.sections.holdout_check(ds.transactions)
    choice = rk.sections.purchase_model_choice(ds.transactions, check)
    model, _ = rk.sections.values_model(choice, summary, reference=bg, note=note)
    spend, _ = rk.sections.fit_spend_model(ds.transactions, summary)
    _, values = rk.sections.model_values(
        model, spend, summary, horizon_years=5.0, discount_rate=0.1, margin=0.3
    )
    assert figures["ltv.clv_total"] == pytest.approx(values["clv"].sum(), rel=1e-9)
