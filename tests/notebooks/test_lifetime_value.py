"""The lifetime value notebook: every parameter is visible to papermill; it runs on data
without revenue."""

import json

import nbformat
import pandas as pd
import pytest

import retainkit as rk
from retainkit.cli import main
from retainkit.report import list_notebooks, notebook_parameters
from tests.conftest import DATA

NOTEBOOK = next(p for p in list_notebooks() if p.stem == "03_lifetime_value")


def test_every_parameter_line_is_parsed_by_papermill():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = [line for line in cell.source.splitlines() if not line.startswith("#")]
    assert len(lines) == len(cell.source.splitlines()) - 1  # only "# fmt: off" is a comment
    names = [line.split(":")[0] for line in lines]
    # papermill skips a line with a second "=" (in its help text) without an error
    assert list(notebook_parameters(NOTEBOOK)) == names


@pytest.mark.notebooks
def test_runs_on_a_frequency_only_csv(tmp_path, capsys):
    rows = ["customer_id,order_date"]
    for c in range(120):
        for k in range(1 + c % 5):
            rows.append(f"c{c},2023-{1 + (c + 3 * k) % 12:02d}-{1 + (7 * c + k) % 27:02d}")
    csv = tmp_path / "visits.csv"
    csv.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    code = main(["report", "--data", str(csv), "--only", "03", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    figures, reasons = manifest["figures"], manifest["figure_reasons"]
    assert figures["ltv.clv_mean"] is None and "no revenue" in reasons["ltv.clv_mean"]
    assert figures["ltv.nrr_12m"] is None
    assert figures["ltv.bgnbd_r"] > 0
    html = (out / "03_lifetime_value.html").read_text()
    assert "needs revenue" in html


@pytest.mark.notebooks
def test_demo_key_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["report", "--only", "03", "--out", str(out)]) == 0, capsys.readouterr().err
    figures = json.loads((out / "manifest.json").read_text())["figures"]
    names = [
        "ltv.crr_12m",
        "ltv.retained_share_12m",
        "ltv.nrr_12m",
        "ltv.grr_12m",
        "ltv.bgnbd_r",
        "ltv.bgnbd_alpha",
        "ltv.bgnbd_a",
        "ltv.bgnbd_b",
        "ltv.clv_mean",
        "ltv.clv_total",
        "ltv.holdout_mae",
        "ltv.max_acquisition_cost",
    ]
    # three years of demo history: every figure has a value
    assert all(figures[n] is not None for n in names)
    assert 0 < figures["ltv.retained_share_12m"] < 1
    # every customer of the demo bought: 5,240 of them, counted with pandas on the raw
    # file, the simulator's 5,000 background customers and 3 x 80 planted in a pattern
    # (ShopParameters); the summary values each of them once
    raw = pd.read_parquet(DATA / "demo_shop" / "transactions.parquet")
    buyers = raw.loc[raw["revenue"] > 0, "customer_id"].nunique()
    assert buyers == 5_000 + 3 * 80 == 5240
    txn = rk.load_transactions("demo")
    summary = rk.customer_summary(txn, time_unit="weeks")
    assert len(summary) == txn.quality.customers == buyers
    # the total recomputed outside the notebook with the report's defaults (5 years, 10% a
    # year, the margin of the data's own costs) from the per-customer values: a wrong
    # column, count or figure in the notebook shows here
    margin, _ = rk.clv.value.resolve_margin(txn, 0.3)
    bgnbd, _ = rk.clv.fit_or_explain(rk.clv.BetaGeoModel, summary)
    gamma_gamma, _ = rk.clv.fit_or_explain(rk.clv.GammaGammaModel, summary)
    forecast = rk.clv.value.clv_forecast(bgnbd, gamma_gamma, summary, max_horizon_years=10.0)
    values = rk.clv.value.customer_value(
        forecast, horizon_years=5.0, discount_rate=0.1, margin=margin
    )
    assert len(values) == buyers
    assert figures["ltv.clv_total"] == pytest.approx(values["clv"].sum(), rel=1e-9)
    assert figures["ltv.clv_total"] == pytest.approx(figures["ltv.clv_mean"] * buyers, rel=1e-9)


def test_subscription_section_sits_between_retention_and_the_purchase_models():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [c.source for c in nb.cells]
    at = next(i for i, s in enumerate(sources) if "rk.sections.subscription_section(" in s)
    assert nb.cells[at - 1].source.startswith("## Subscriptions")
    assert at > next(i for i, s in enumerate(sources) if "historical_value_section(" in s)
    assert at < next(i for i, s in enumerate(sources) if s.startswith("## The purchase and"))


@pytest.mark.notebooks
def test_telco_shows_the_subscription_model(tmp_path, capsys):
    out = tmp_path / "telco"
    code = main(["report", "--data", "telco", "--only", "03", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    html = (out / "03_lifetime_value.html").read_text()
    assert "This data looks like monthly billing" in html
    assert "shifted-beta-geometric model" in html
    assert "What a new subscriber is worth" in html
