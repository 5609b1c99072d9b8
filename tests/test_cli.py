import json

import pandas as pd
import pytest

from retainkit.cli import main
from tests.conftest import DATA, stderr_outputs


def test_unknown_parameter_exits_2_with_message(tmp_path, capsys):
    code = main(["report", "-p", "churndays=3", "--out", str(tmp_path / "r")])
    assert code == 2
    assert "unknown parameter 'churndays'" in capsys.readouterr().err


def test_bad_assignment_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "-p", "novalue"])
    assert exc.value.code == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--jobs", "0"])
    assert exc.value.code == 2
    assert "--jobs: expected a whole number of at least 1, got '0'" in capsys.readouterr().err


def test_jobs_is_passed_to_the_runner(tmp_path, monkeypatch, capsys):
    from types import SimpleNamespace

    import retainkit.report

    seen = {}

    def fake_run_report(data, **kwargs):
        seen.update(kwargs)
        return SimpleNamespace(
            manifest={"timings_seconds": {"total": 1.0}},
            folder=tmp_path,
            index=tmp_path / "index.html",
        )

    monkeypatch.setattr(retainkit.report, "run_report", fake_run_report)
    assert main(["report", "--jobs", "2"]) == 0
    assert seen["jobs"] == 2
    assert main(["report"]) == 0
    assert seen["jobs"] is None  # the runner's default: one notebook per core


def test_presets(capsys):
    assert main(["presets"]) == 0
    assert "online_retail" in capsys.readouterr().out


@pytest.mark.notebooks
@pytest.mark.parametrize("data", ["online_retail", "cdnow"])
def test_report_on_real_data(tmp_path, capsys, data):
    out = tmp_path / data
    code = main(["report", "--data", data, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == str(out / "index.html")
    assert "[3/3] 03_lifetime_value done" in captured.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert stderr_outputs(out) == []


@pytest.mark.notebooks
def test_report_on_a_csv_with_a_mapping_file(tmp_path, capsys):
    csv = tmp_path / "orders.csv"
    csv.write_text("Client;Day;Amount\n7;13.01.2024;1,50\n7;20.02.2024;2,50\n8;21.02.2024;4\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\ncustomer_id = "Client"\norder_date = "Day"\nrevenue = "Amount"\n'
    )
    out = tmp_path / "run"
    code = main(
        ["report", "--data", str(csv), "--columns", str(mapping), "--only", "01", "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["figures"]["data.customers"] == 2
    assert manifest["figures"]["data.revenue"] == 8.0
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[columns]\ncustomer_id = "client"\n')
    code = main(
        [
            "report",
            "--data",
            str(csv),
            "--columns",
            str(wrong),
            "--only",
            "01",
            "--out",
            str(tmp_path / "bad"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "'client'" in err and "closest: 'Client'" in err


@pytest.mark.notebooks
def test_groundwork_on_subscription_data(tmp_path, capsys):
    out = tmp_path / "telco"
    code = main(["report", "--data", "telco", "--only", "groundwork", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    figures = json.loads((out / "manifest.json").read_text())["figures"]
    # every churner of the raw file (all have a tenure) is lost in the window: 1,869
    raw = pd.read_csv(DATA / "telco_churn" / "Telco_customer_churn.csv")
    churners = int(((raw["Churn Value"] == 1) & (raw["Tenure Months"] > 0)).sum())
    assert churners == 1869
    assert figures["groundwork.customers_lost_12m"] == churners
    assert (out / "call_list.csv").exists() and (out / "call_list.xlsx").exists()
    assert stderr_outputs(out) == []


@pytest.mark.notebooks
def test_every_notebook_runs_on_frequency_only_data(tmp_path, capsys):
    sample = pd.read_csv(
        DATA / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "customer", "date", "cds", "dollars"],
        dtype=str,
    )
    csv = tmp_path / "visits.csv"
    sample[["customer", "date"]].to_csv(csv, index=False)
    out = tmp_path / "visits"
    code = main(["report", "--data", str(csv), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["figures"]["data.revenue"] is None
    assert "no revenue" in manifest["figure_reasons"]["data.revenue"]
    html = (out / "01_groundwork.html").read_text()
    assert "This section needs revenue" in html
    assert stderr_outputs(out) == []


def test_every_profile_is_named_where_they_are_listed(capsys):
    # the profiles written by hand beside their registry: the report's --help and the
    # README's profile table (the presets' lists are checked in tests/test_presets.py)
    import retainkit as rk
    from tests.conftest import ROOT

    profiles = [p.name for p in rk.list_profiles()]
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert [p for p in profiles if p not in help_text] == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [p for p in profiles if f"| `{p}` |" not in readme] == []


# --- retainkit app ------------------------------------------------------------------------


def test_app_refuses_an_unknown_parameter_before_starting(tmp_path, monkeypatch, capsys):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = main(["app", "-p", "churndays=3"])
    assert code == 2
    assert "unknown parameter 'churndays' (did you mean 'churn_days'?)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # its temporary folder is removed


def test_app_port_must_be_a_port_number(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["app", "--port", "70000"])
    assert exc.value.code == 2
    assert "--port: expected a port number from 1 to 65535, got '70000'" in capsys.readouterr().err


def test_app_passes_its_options_and_prints_the_address(monkeypatch, capsys):
    import retainkit.app

    seen = {}

    def fake_run_app(data, **kwargs):
        seen.update(data=data, **kwargs)
        kwargs["ready"]("http://127.0.0.1:9999/")
        raise KeyboardInterrupt  # Ctrl-C: how the app is stopped

    monkeypatch.setattr(retainkit.app, "run_app", fake_run_app)
    argv = ["app", "--data", "cdnow", "--columns", "shopify", "-p", "churn_days=90"]
    assert main([*argv, "--previous", "last", "--port", "9999"]) == 0
    out = capsys.readouterr()
    assert out.out == "http://127.0.0.1:9999/\n"
    assert out.err.rstrip().endswith("Stopped.")
    assert seen["data"] == "cdnow" and seen["columns"] == "shopify"
    assert seen["parameters"] == {"churn_days": "90"} and seen["previous"] == "last"
    assert seen["host"] == "127.0.0.1" and seen["port"] == 9999
    main(["app", "--host", "0.0.0.0"])
    assert seen["host"] == "0.0.0.0" and seen["port"] is None


def test_the_report_command_skips_jsonschemas_iri_grammar_and_still_validates():
    # rfc3987_syntax compiles a Lark grammar on import: 1.4 s of `import papermill`
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from retainkit.cli import _without_iri_grammar\n"
        "_without_iri_grammar()\n"
        "import nbformat, papermill\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "nbformat.validate(new_notebook(cells=[new_code_cell('1')]))\n"
        "bad = new_notebook()\n"
        "bad.cells = [{'cell_type': 'code'}]\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    print('invalid caught')\n"
        "print(sys.modules['rfc3987_syntax'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["invalid caught", "None"]  # validation works; the grammar never loaded
