"""Start order of notebooks run side by side: longest first (retainkit/report/_order.py)."""

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from retainkit.report import run_report
from retainkit.report._order import earlier_timings, start_order


def _cells(folder, name, n, body="pass"):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [new_code_cell(body) for _ in range(n)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _manifest(folder, status, timings):
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"status": status, "timings_seconds": timings})
    )


def test_timings_order_longest_first_and_ties_keep_notebook_order(tmp_path):
    nbs = [tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb", tmp_path / "03_c.ipynb"]
    assert start_order(nbs, timings={"01_a": 5, "02_b": 9.5, "03_c": 5, "total": 20}) == [1, 0, 2]


def test_without_a_time_for_every_notebook_the_code_cells_decide(tmp_path):
    nbs = [_cells(tmp_path, "01_a", 2), _cells(tmp_path, "02_b", 1), _cells(tmp_path, "03_c", 4)]
    assert start_order(nbs) == [2, 0, 1]
    # a time for two of three is not used: the cells decide
    assert start_order(nbs, timings={"01_a": 1.0, "02_b": 30.0}) == [2, 0, 1]
    # nonsense times are ignored the same way
    assert start_order(nbs, timings={"01_a": "x", "02_b": -1, "03_c": True}) == [2, 0, 1]
    assert start_order(nbs, timings={"01_a": 1.0, "02_b": 30.0, "03_c": 2.0}) == [1, 2, 0]
    # an unreadable notebook counts as no cells, last
    (tmp_path / "01_a.ipynb").write_text("not json")
    assert start_order(nbs) == [2, 1, 0]


def test_earlier_timings_read_previous_then_the_newest_complete_run(tmp_path):
    reports = tmp_path / "reports"
    _manifest(reports / "20261101-090000-demo", "complete", {"01_a": 3.0})
    _manifest(reports / "20261201-090000-demo", "complete", {"01_a": 4.0})
    _manifest(reports / "20261202-090000-demo", "failed", {"01_a": 9.0})
    assert earlier_timings(reports_dir=reports) == {"01_a": 4.0}  # newest complete
    # previous wins, as a folder or as its call list file
    old = reports / "20261101-090000-demo"
    assert earlier_timings(previous=old, reports_dir=reports) == {"01_a": 3.0}
    assert earlier_timings(previous=old / "call_list.csv") == {"01_a": 3.0}
    assert earlier_timings(reports_dir=tmp_path / "none") == {}
    assert earlier_timings() == {}
    before = {p: p.read_bytes() for p in reports.rglob("manifest.json")}
    earlier_timings(previous=old, reports_dir=reports)
    assert {p: p.read_bytes() for p in reports.rglob("manifest.json")} == before  # read only


def test_the_longest_notebooks_start_first_and_reports_keep_notebook_order(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    figure = "import retainkit as rk\nrk.key_figures([rk.figure('{n}.x', 1, 'X')])"
    _cells(nbs, "01_short", 1, figure.format(n="a"))
    _cells(nbs, "02_mid", 2, figure.format(n="b"))
    _cells(nbs, "03_long", 3, figure.format(n="c"))
    lines = []
    result = run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=2, progress=lines.append)
    starts = [line for line in lines if line.endswith("...")]
    # two slots: the two longest start together, the shortest waits for a free slot
    # (in notebook order 01_short would have started first and 03_long last)
    assert sorted(starts[:2]) == ["[2/3] 02_mid ...", "[3/3] 03_long ..."]
    assert starts[2] == "[1/3] 01_short ..."
    assert [n["name"] for n in result.manifest["notebooks"]] == ["01_short", "02_mid", "03_long"]
    assert list(result.manifest["figures"]) == ["a.x", "b.x", "c.x"]
