"""The segmentation notebook: its parameters, and runs the other tests do not cover."""

import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

import retainkit as rk
from retainkit.cli import main
from retainkit.report import list_notebooks, notebook_parameters

NOTEBOOK = next(p for p in list_notebooks() if p.stem == "02_segmentation")
SHARED = {
    "margin": "0.3",
    "churn_days": "0",
    "data": '"demo"',
    "columns": '""',
    "customers": '""',
    "reasons": '""',
    "as_of": '""',
    "currency": '""',
}


def test_every_parameter_line_is_seen_by_papermill():
    # papermill's inspector silently drops a line with a second "=" (in the help text);
    # such a parameter could then not be passed with `retainkit report -p`
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = [line for line in cell.source.splitlines() if not line.startswith("#")]
    assert len(lines) == len(cell.source.splitlines()) - 1  # only "# fmt: off" is a comment
    names = [re.match(r"^(\w+):", line).group(1) for line in lines]
    params = notebook_parameters(NOTEBOOK)
    assert list(params) == names
    for name, default in SHARED.items():
        assert params[name]["default"] == default, name


def _frequency_only_csv(path):
    rng = np.random.default_rng(11)
    rows = []
    for i in range(400):
        day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 540)))
        for _ in range(int(rng.geometric(0.35))):
            rows.append((f"K{i:04d}", day.strftime("%Y-%m-%d")))
            day += pd.Timedelta(days=int(rng.exponential(40)) + 1)
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    frame = frame[frame["order_date"] <= "2024-12-31"]
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.notebooks
def test_runs_on_frequency_only_data(tmp_path, capsys):
    csv = tmp_path / "visits.csv"
    frame = _frequency_only_csv(csv)
    out = tmp_path / "run"
    code = main(["report", "--data", str(csv), "--only", "02", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    figures, reasons = manifest["figures"], manifest["figure_reasons"]
    assert figures["segmentation.customers"] == frame["customer_id"].nunique()
    for name in ("segmentation.top20_revenue_share", "segmentation.gini"):
        assert figures[name] is None and "needs revenue" in reasons[name]
    assert isinstance(figures["segmentation.champions"], int)
    assert 0 <= figures["segmentation.loyal_share"] <= 1
    html = (out / "02_segmentation.html").read_text()
    assert "Revenue and profit shares need revenue" in html
    assert "no customer attributes" in html


@pytest.mark.notebooks
def test_demo_shows_key_clients_of_every_subgroup_and_its_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["report", "--only", "02", "--out", str(out), "-p", "churn_days=120"])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["churn_days"] == 120

    ds = rk.load_dataset("demo")
    values = rk.engine.customer_values(ds.transactions)
    segments = rk.segmentation.assign_segments(rk.segmentation.rfm_scores(values))
    journeys = rk.engine.purchase_journeys(ds.transactions)
    stages = rk.lifecycle.lifecycle_stage(journeys, churn_days=120)
    expected = rk.segmentation.segmentation_figures(values, segments=segments, stages=stages)
    for name, value in expected.to_dict()["figures"].items():
        assert manifest["figures"][name] == pytest.approx(value), name

    html = (out / "02_segmentation.html").read_text()
    key_table = html[html.index("Key clients of every group") :]
    key_table = key_table[: key_table.index("</table>")]
    groups = {
        column: ds.customers[column].dropna().astype(str).unique()
        for column in ("region", "channel")
    }
    for column, names in groups.items():
        for name in names:
            assert f">{name}</td>" in key_table, (column, name)
    for category in rk.engine.category_values(ds.transactions)["category"].unique():
        assert f">{category}</td>" in key_table
    assert "Move the controls" not in html  # interactive cells are left out of the report
