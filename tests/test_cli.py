import json

import pytest

from retainkit.cli import main


def test_unknown_parameter_exits_2_with_message(tmp_path, capsys):
    code = main(["report", "-p", "churndays=3", "--out", str(tmp_path / "r")])
    assert code == 2
    assert "unknown parameter 'churndays'" in capsys.readouterr().err


def test_bad_assignment_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "-p", "novalue"])
    assert exc.value.code == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


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
