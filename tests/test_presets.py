"""The preset registry, and every place that lists the presets for a reader."""

import re
import subprocess
import sys

import pytest

import retainkit as rk
from retainkit.cli import main
from retainkit.exceptions import SchemaError
from retainkit.presets import PRESETS, get_preset, list_presets, resolve_preset
from retainkit.report import list_notebooks, notebook_parameters
from tests.conftest import ROOT

NAMES = ["demo", "online_retail", "cdnow", "cdnow_sample", "telco"]


def _named_in_parentheses(text, prefix):
    """The comma-separated names in '<prefix> (a, b, c)' inside text."""
    found = re.search(re.escape(prefix) + r" \(([^)]*)\)", " ".join(text.split()))
    assert found, f"no '{prefix} (...)' in {text!r}"
    return [name.strip() for name in found.group(1).split(",")]


def test_registry_order_is_the_listing_order():
    assert list(PRESETS) == NAMES
    assert list_presets()["name"].tolist() == NAMES
    assert rk.list_presets()["name"].tolist() == NAMES
    assert list_presets().columns.tolist() == ["name", "title", "currency", "description"]


def test_readme_table_lists_exactly_the_presets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bundled data", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.MULTILINE)
    assert rows == list(PRESETS)


def test_data_readme_lists_exactly_the_presets_and_their_files():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| `([^`]+)` \|", text, flags=re.MULTILINE)
    assert [name for name, _ in rows] == list(PRESETS)
    for name, files in rows:
        assert PRESETS[name].transactions.startswith(files), name


@pytest.mark.parametrize("path", list_notebooks(), ids=lambda p: p.stem)
def test_notebook_data_parameter_names_exactly_the_presets(path):
    # the help papermill shows (retainkit report, papermill --help-notebook)
    help_text = notebook_parameters(path)["data"]["help"]
    assert _named_in_parentheses(help_text, "preset") == list(PRESETS)


def test_report_help_names_exactly_the_presets(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert _named_in_parentheses(capsys.readouterr().out, "preset name") == list(PRESETS)


def test_presets_command_prints_one_line_per_preset(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert lines[-1].startswith("telco          IBM Telco customer churn (subscriptions): ")


def test_a_file_named_like_a_preset_is_read_as_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_preset("demo") is PRESETS["demo"]
    (tmp_path / "demo").write_text("customer_id,order_date\na,2024-01-02\n")
    assert resolve_preset("demo") is None
    assert rk.load_transactions("demo").quality.customers == 1


@pytest.mark.parametrize("data", [None, 3, "orders.csv", "Demo"])
def test_anything_else_names_no_preset(data):
    assert resolve_preset(data) is None


def test_unknown_preset_suggests_the_closest():
    with pytest.raises(SchemaError, match="'cdnow_sample'") as exc:
        get_preset("cdnow_smple")
    assert "presets are demo, online_retail, cdnow, cdnow_sample, telco" in str(exc.value)


def test_preset_options_apply_and_arguments_override_them():
    txn = rk.load_transactions("cdnow_sample")
    assert txn.quality.source == "preset 'cdnow_sample' (cdnow/CDNOW_sample.txt)"
    assert txn.quality.customers == 2357
    # the preset keeps zero-revenue lines; an argument given here wins
    dropped = rk.load_transactions("cdnow_sample", zero_revenue="drop").quality.dropped
    assert dropped.get("zero revenue", 0) > 0


def test_registry_and_loading_import_no_cycle():
    # retainkit.io reads presets from the registry and never imports retainkit.datasets;
    # the registry needs neither pandas nor the engine
    probe = (
        "import sys\n"
        "import retainkit.presets\n"
        "light = sorted(m for m in ('pandas', 'ibis', 'retainkit.io') if m in sys.modules)\n"
        "import retainkit.io\n"
        "print(light, 'retainkit.datasets' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] False"
