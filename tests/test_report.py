import json
import os
import re
import sys

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import retainkit as rk
from retainkit.exceptions import ReportError
from retainkit.report import run_report
from tests.conftest import stderr_outputs


def _notebook(folder, name, body, params='data: str = "demo"  # data'):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# {name}"), p, new_code_cell(body)]
    nbformat.write(nb, folder / f"{name}.ipynb")


def test_unknown_parameter_and_notebook_fail_before_running(tmp_path):
    with pytest.raises(ReportError, match="unknown parameter 'churn_dayz'"):
        run_report(parameters={"churn_dayz": "1"}, out=tmp_path / "r")
    with pytest.raises(ReportError, match="no notebook named 'nope'"):
        run_report(only=["nope"], out=tmp_path / "r")
    with pytest.raises(ReportError, match="no such file"):
        run_report("missing.csv", out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_existing_folder_is_not_overwritten(tmp_path):
    (tmp_path / "r").mkdir()
    with pytest.raises(ReportError, match="already exists"):
        run_report(out=tmp_path / "r")


def test_failing_notebook_names_the_cell_and_keeps_partial_output(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_ok", "import retainkit as rk\nrk.key_figures([rk.figure('ok.x', 1, 'X')])")
    _notebook(nbs, "02_broken", "x = 1\nraise ValueError('broken on purpose')")
    with pytest.raises(ReportError, match=r"02_broken failed in cell \d+ \(ValueError: broken"):
        run_report(out=tmp_path / "run", notebooks_dir=nbs)
    assert not (tmp_path / "run").exists()
    failed = tmp_path / "run.failed"
    assert (failed / "02_broken.ipynb").exists()
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert not (failed / "index.html").exists()


def test_interactive_cells_are_not_run_in_a_report(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_widgets", "x = 1")
    nb = nbformat.read(nbs / "01_widgets.ipynb", as_version=4)
    widget = new_code_cell("raise RuntimeError('a widget cell ran')")
    widget.metadata["tags"] = ["interactive"]
    nb.cells.append(widget)
    nbformat.write(nb, nbs / "01_widgets.ipynb")
    result = run_report(out=tmp_path / "run", notebooks_dir=nbs)
    executed = nbformat.read(result.folder / "01_widgets.ipynb", as_version=4)
    assert not any("a widget cell ran" in c.source for c in executed.cells)


def test_parameters_are_typed_and_figures_collected(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(
        nbs,
        "01_typed",
        "import retainkit as rk\n"
        "rk.key_figures([rk.figure('t.days', days * 2, 'Twice', unit='days'),"
        " rk.figure('t.flag', flag, 'Flag')])",
        params="days: int = 1  # days\nflag: bool = False  # a flag",
    )
    result = run_report(
        parameters={"days": "21", "flag": "yes"}, out=tmp_path / "run", notebooks_dir=nbs
    )
    assert result.manifest["figures"] == {"t.days": 42, "t.flag": True}
    assert result.manifest["parameters"] == {"days": 21, "flag": True}
    with pytest.raises(ReportError, match="parameter days expects int, got 'many'"):
        run_report(parameters={"days": "many"}, out=tmp_path / "x", notebooks_dir=nbs)


@pytest.mark.notebooks
def test_demo_report_end_to_end(tmp_path):
    result = run_report(out=tmp_path / "demo")
    folder = result.folder
    assert [p.name for p in sorted(folder.iterdir())] == [
        "01_groundwork.html",
        "01_groundwork.ipynb",
        "02_segmentation.html",
        "02_segmentation.ipynb",
        "03_lifetime_value.html",
        "03_lifetime_value.ipynb",
        "call_list.csv",
        "call_list.xlsx",
        "index.html",
        "manifest.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert stderr_outputs(folder) == []
    ds = rk.load_dataset("demo")
    q = ds.transactions.quality
    assert manifest["figures"]["data.rows_kept"] == q.rows_kept
    assert manifest["figures"]["data.customers"] == q.customers
    assert manifest["row_counts"] == {
        "rows_read": q.rows_read,
        "rows_kept": q.rows_kept,
        "customers": q.customers,
    }
    assert set(manifest["data"]["files"]) == {str(f) for f in ds.files}
    assert manifest["versions"]["retainkit"] == rk.__version__
    html = (folder / "01_groundwork.html").read_text()
    assert "rk.load_dataset" not in html  # code is hidden
    index = (folder / "index.html").read_text()
    assert "01_groundwork.html" in index and f"{q.customers:,} customers" in index
    # the report's groundwork figures are the package's at the notebook's parameter values
    expected = rk.groundwork.loss_overview(ds.transactions).to_dict()["figures"]
    assert {k: manifest["figures"][k] for k in expected} == expected
    calls = pd.read_csv(folder / "call_list.csv", encoding="utf-8-sig")
    slipping = (calls["group"] == "slipping").sum()
    assert slipping == manifest["figures"]["groundwork.call_list_size"]
    assert (folder / "call_list.xlsx").exists()


@pytest.mark.notebooks
def test_two_runs_give_identical_figures_and_leave_the_input_alone(tmp_path):
    import hashlib

    from retainkit.datasets import input_files

    files = input_files("cdnow_sample")
    before = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    first = run_report("cdnow_sample", out=tmp_path / "one")
    second = run_report("cdnow_sample", out=tmp_path / "two")
    assert first.manifest["figures"] == second.manifest["figures"]
    assert first.manifest["data"] == second.manifest["data"]
    assert {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == before
    for key in ("parameters", "versions", "data", "notebook_parameters", "seed"):
        assert key in first.manifest


@pytest.mark.notebooks
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_an_interrupted_run_leaves_nothing_that_looks_complete(tmp_path, signal_name):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "retainkit.cli", "report", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".run.partial-*/*.ipynb")):
        time.sleep(0.2)  # wait until the first notebook is being written
    proc.send_signal(getattr(signal, signal_name))
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert not out.exists()
    if signal_name == "SIGINT":  # a clean interrupt parks the partial run
        manifest = json.loads((tmp_path / "run.failed" / "manifest.json").read_text())
        assert manifest["status"] == "interrupted"


@pytest.mark.notebooks
def test_report_from_a_database_url(tmp_path):
    import duckdb

    from tests.conftest import DATA

    db = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE orders AS SELECT * FROM read_parquet("
        f"'{DATA / 'demo_shop' / 'transactions.parquet'}')"
    )
    con.close()
    result = run_report(f"duckdb:///{db}?table=orders", only=["groundwork"], out=tmp_path / "run")
    figures = result.manifest["figures"]
    assert figures["data.rows_kept"] == rk.load_transactions("demo").quality.rows_kept
    assert result.manifest["data"]["source"].startswith("duckdb:///")


def test_report_kernels_show_figures_whatever_mplbackend(monkeypatch):
    # with MPLBACKEND=Agg inherited (make test sets it) the report pages had no plots
    from retainkit.report._kernels import INLINE_BACKEND, kernel_environment

    monkeypatch.setenv("MPLBACKEND", "Agg")
    env = kernel_environment({"RETAINKIT_THREADS": "1", "OPENBLAS_NUM_THREADS": None})
    assert env["MPLBACKEND"] == INLINE_BACKEND == "module://matplotlib_inline.backend_inline"
    assert env["RETAINKIT_THREADS"] == "1"
    assert env.get("OPENBLAS_NUM_THREADS") == os.environ.get("OPENBLAS_NUM_THREADS")
    assert os.environ["MPLBACKEND"] == "Agg"  # the caller's own environment is left alone


_KERNEL_BODY = (
    "import os, sys\n"
    "preloaded = all(m in sys.modules for m in ('retainkit.sections', 'ibis.backends.duckdb'))\n"
    "clean = '_retainkit_preload' not in dir()\n"
    "import matplotlib.pyplot as plt\n"
    "import retainkit as rk\n"
    "plt.plot([1, 2], [3, 4])\n"
    "plt.show()\n"
    "rk.key_figures([rk.figure('{p}.preloaded', preloaded, 'P'), rk.figure('{p}.clean', clean,"
    " 'C'), rk.figure('{p}.pid', os.getpid(), 'Kernel'), rk.figure('{p}.cwd', os.getcwd(), 'Cwd')])"
)


@pytest.mark.parametrize("jobs", [1, 2])
def test_kernels_start_with_the_kit_imported_and_stop_with_their_notebook(
    tmp_path, monkeypatch, jobs
):
    import time

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_one", _KERNEL_BODY.format(p="a"))
    _notebook(nbs, "02_two", _KERNEL_BODY.format(p="b"))
    result = run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=jobs)
    figures = result.manifest["figures"]
    # the kit was imported before the first cell ran, leaving no name behind
    assert figures["a.preloaded"] is figures["b.preloaded"] is True
    assert figures["a.clean"] is figures["b.clean"] is True
    # each kernel worked in the run's folder (its files end up in the report)
    work = tmp_path / f".run.partial-{os.getpid()}"
    assert figures["a.cwd"] == figures["b.cwd"] == str(work.resolve())
    # figures are shown in the page though MPLBACKEND=Agg was inherited
    assert "<img" in (result.folder / "01_one.html").read_text()
    # no kernel outlives its notebook (they stayed alive with their data until the
    # calling process ended, e.g. JupyterLab or the app)
    pids = [figures["a.pid"], figures["b.pid"]]
    deadline = time.monotonic() + 10
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(pids) == []


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.append(pid)
    return alive


# Running notebooks side by side (jobs > 1)

_LINE = r"\[\d/\d\] \d\d_\w+ (\.\.\.|(done in|failed after|stopped after) \d+\.\d s)"
_THREADS_FIGURE = (
    "rk.engine.default_backend().raw_sql(\"SELECT current_setting('threads')\").fetchone()[0]"
)


def _slow_and_fast(folder, seconds=4):
    # 01 is slow, 02 fast: side by side, 02 finishes first
    _notebook(
        folder,
        "01_slow",
        f"import time\nimport retainkit as rk\ntime.sleep({seconds})\n"
        f"rk.key_figures([rk.figure('a.threads', {_THREADS_FIGURE}, 'Threads'),"
        " rk.figure('a.blas', int(__import__('os').environ.get('OPENBLAS_NUM_THREADS', 0)),"
        " 'BLAS threads'), rk.figure('a.x', 1, 'X')])",
    )
    _notebook(
        folder,
        "02_fast",
        "import retainkit as rk\n"
        f"rk.key_figures([rk.figure('b.threads', {_THREADS_FIGURE}, 'Threads'),"
        " rk.figure('b.y', 2, 'Y')])",
    )


def _cores():
    from retainkit.report import _usable_cores

    return _usable_cores()


def test_connect_takes_its_threads_from_the_environment_unless_given(monkeypatch):
    import duckdb

    from retainkit.engine._backend import THREADS_ENV, connect
    from retainkit.exceptions import RetainkitError

    def threads(con):
        return con.raw_sql("SELECT current_setting('threads')").fetchone()[0]

    monkeypatch.setenv(THREADS_ENV, "1")
    assert threads(connect()) == 1
    assert threads(connect(threads=2)) == 2  # an explicit argument wins
    monkeypatch.setenv(THREADS_ENV, "")
    plain = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    assert threads(connect()) == plain  # DuckDB's own default
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(RetainkitError, match="RETAINKIT_THREADS='many'"):
        connect()


def test_jobs_below_one_is_an_error(tmp_path):
    with pytest.raises(ReportError, match="jobs=0"):
        run_report(out=tmp_path / "r", jobs=0)
    assert not (tmp_path / "r").exists()


def test_side_by_side_shares_the_threads_and_keeps_notebook_order(tmp_path, monkeypatch):
    from retainkit.engine._backend import THREADS_ENV

    monkeypatch.delenv(THREADS_ENV, raising=False)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _slow_and_fast(nbs)
    lines = []
    cwd = os.getcwd()
    result = run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=2, progress=lines.append)
    assert all(re.fullmatch(_LINE, line) for line in lines), lines
    done = [line.split()[1] for line in lines if " done in " in line]
    # finished in the other order, so they ran at the same time (in turn, 01 ends first)...
    assert done == ["02_fast", "01_slow"]
    manifest = result.manifest
    # ...but everything is reported in notebook order
    assert list(manifest["figures"]) == ["a.blas", "a.threads", "a.x", "b.threads", "b.y"]
    assert [n["name"] for n in manifest["notebooks"]] == ["01_slow", "02_fast"]
    assert list(manifest["timings_seconds"]) == ["01_slow", "02_fast", "total"]
    assert list(manifest["notebook_parameters"]) == ["01_slow", "02_fast"]
    assert [r.name for r in result.notebooks] == ["01_slow", "02_fast"]
    # each kernel's DuckDB got half the cores
    assert (
        manifest["figures"]["a.threads"]
        == manifest["figures"]["b.threads"]
        == max(1, _cores() // 2)
    )
    # and its BLAS as many threads (unless the user set them)
    assert manifest["figures"]["a.blas"] == manifest["figures"]["a.threads"]
    assert manifest["jobs"] == 2
    assert THREADS_ENV not in os.environ
    assert os.getcwd() == cwd
    index = (result.folder / "index.html").read_text()
    assert index.index("01_slow.html") < index.index("02_fast.html")


def test_one_job_runs_the_notebooks_in_turn_as_before(tmp_path, monkeypatch):
    from retainkit.engine._backend import THREADS_ENV

    monkeypatch.delenv(THREADS_ENV, raising=False)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _slow_and_fast(nbs, seconds=0)
    lines = []
    result = run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=1, progress=lines.append)
    assert [re.sub(r"\d+\.\d s$", "N s", line) for line in lines] == [
        "[1/2] 01_slow ...",
        "[1/2] 01_slow done in N s",
        "[2/2] 02_fast ...",
        "[2/2] 02_fast done in N s",
    ]
    import duckdb

    plain = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    figures = result.manifest["figures"]
    blas = int(os.environ.get("OPENBLAS_NUM_THREADS", 0))  # in turn: left as it is
    assert figures == {"a.threads": plain, "a.blas": blas, "a.x": 1, "b.threads": plain, "b.y": 2}
    assert list(figures) == ["a.blas", "a.threads", "a.x", "b.threads", "b.y"]
    assert result.manifest["jobs"] == 1


def test_a_failing_notebook_stops_the_others_and_leaves_no_complete_report(tmp_path):
    import time

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_slow", "import time\ntime.sleep(120)")
    _notebook(nbs, "02_broken", "x = 1\nraise ValueError('broken on purpose')")
    _notebook(nbs, "03_after", "x = 3")
    lines = []
    t0 = time.perf_counter()
    with pytest.raises(
        ReportError, match=r"02_broken failed in cell \d+ \(ValueError: broken"
    ) as e:
        run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=2, progress=lines.append)
    assert time.perf_counter() - t0 < 60  # the slow notebook was stopped, not waited for
    failed = tmp_path / "run.failed"
    assert str(e.value).endswith(f"The partly executed notebook is {failed / '02_broken.ipynb'}")
    assert not (tmp_path / "run").exists()
    assert not list(tmp_path.glob(".run.partial-*"))
    assert (failed / "02_broken.ipynb").exists()
    assert not (failed / "index.html").exists()
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert [(n["name"], n["status"]) for n in manifest["notebooks"]] == [
        ("01_slow", "stopped"),
        ("02_broken", "failed"),
    ]
    assert all(re.fullmatch(_LINE, line) for line in lines), lines
    assert not any("03_after" in line for line in lines)  # never started


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("body", "timeout", "says"),
    [
        (
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
            None,
            "DeadKernelError: the notebook's kernel died (killed, or out of memory)",
        ),
        ("import time\ntime.sleep(60)", 3, "CellTimeoutError: the cell ran longer than the limit"),
    ],
    ids=["kernel-died", "cell-timeout"],
)
def test_a_dead_kernel_or_a_slow_cell_is_reported_like_a_failing_cell(
    tmp_path, jobs, body, timeout, says
):
    # both were raw tracebacks (DeadKernelError, CellTimeoutError), with no notebook left
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_dies", "x = 1")
    nb = nbformat.read(nbs / "01_dies.ipynb", as_version=4)
    nb.cells.append(new_code_cell("print('before')"))
    nb.cells.append(new_code_cell(body))
    nbformat.write(nb, nbs / "01_dies.ipynb")
    _notebook(nbs, "02_other", "x = 2")
    # cell 4: the parameters, x = 1, the print, then this one
    with pytest.raises(ReportError, match=r"01_dies failed in cell 4 \(" + re.escape(says)) as e:
        run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=jobs, timeout_seconds=timeout)
    failed = tmp_path / "run.failed"
    assert str(e.value).endswith(f"The partly executed notebook is {failed / '01_dies.ipynb'}")
    partial = nbformat.read(failed / "01_dies.ipynb", as_version=4)
    assert partial.cells[3].outputs[0]["text"] == "before\n"  # what ran is kept
    manifest = json.loads((failed / "manifest.json").read_text())
    assert ("01_dies", "failed") in [(n["name"], n["status"]) for n in manifest["notebooks"]]
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to itself")
def test_an_interrupt_stops_the_notebooks_running_side_by_side(tmp_path):
    import signal

    # Ctrl-C raises KeyboardInterrupt even when pytest was started in the background
    # (which ignores SIGINT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_side_by_side(tmp_path)
    finally:
        signal.signal(signal.SIGINT, before)


def _interrupt_side_by_side(tmp_path):
    import signal
    import time

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_slow", "import time\ntime.sleep(120)")
    _notebook(nbs, "02_fast", "x = 2")

    def progress(line):
        if line.startswith("[2/2] 02_fast done"):  # Ctrl-C while 01 is still running
            os.kill(os.getpid(), signal.SIGINT)

    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        run_report(out=tmp_path / "run", notebooks_dir=nbs, jobs=2, progress=progress)
    assert time.perf_counter() - t0 < 60
    assert not (tmp_path / "run").exists()
    manifest = json.loads((tmp_path / "run.failed" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert [(n["name"], n["status"]) for n in manifest["notebooks"]] == [
        ("01_slow", "stopped"),
        ("02_fast", "ok"),
    ]


# Loading once per report: the runner cleans the data, the notebooks attach it

_SHOP = "customer_id,order_date,revenue\na,2024-01-02,10\na,2024-01-02,10\nb,2024-01-05,-4\n"
_LOAD_PARAMS = 'data: str = "demo"  # data\nprepared: str = ""  # prepared data'
_LOAD_BODY = (
    "import retainkit as rk\n"
    "t = rk.load_transactions(data, prepared=prepared)\n"
    "open('prepared.txt', 'w').write(prepared)\n"
    "rk.key_figures([rk.figure('{p}.prepared', bool(prepared), 'Prepared'),"
    " rk.figure('{p}.rows', t.quality.rows_kept, 'Rows')])"
)


def test_the_data_is_loaded_once_before_the_notebooks(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_one", _LOAD_BODY.format(p="a"), params=_LOAD_PARAMS)
    _notebook(nbs, "02_two", _LOAD_BODY.format(p="b"), params=_LOAD_PARAMS)
    shop = tmp_path / "shop.csv"
    shop.write_text(_SHOP, encoding="utf-8")
    lines = []
    result = run_report(str(shop), out=tmp_path / "run", notebooks_dir=nbs, progress=lines.append)
    manifest = result.manifest
    # by hand: 3 lines, the second an exact duplicate of the first: 2 kept
    assert manifest["figures"] == {"a.prepared": True, "a.rows": 2, "b.prepared": True, "b.rows": 2}
    assert lines[0] == "loading the data once for the notebooks ..."
    assert list(manifest["timings_seconds"]) == ["load", "01_one", "02_two", "total"]
    # the manifest keeps the user's parameters and files, not the scratch file
    assert manifest["parameters"]["prepared"] == ""
    assert list(manifest["data"]["files"]) == [str(shop.resolve())]
    scratch = (result.folder / "prepared.txt").read_text()
    assert scratch.endswith(".duckdb")
    assert not os.path.exists(scratch)  # deleted when the run ended
    # a prepared file named by the user is used as it is: nothing loaded by the runner
    from retainkit.io import _prepare_transactions

    mine, _ = _prepare_transactions(str(shop.resolve()), tmp_path / "mine.duckdb")
    lines.clear()
    again = run_report(
        str(shop),
        parameters={"prepared": str(mine)},
        out=tmp_path / "run2",
        notebooks_dir=nbs,
        progress=lines.append,
    )
    assert "load" not in again.manifest["timings_seconds"]
    assert (again.folder / "prepared.txt").read_text() == str(mine)
    assert again.manifest["figures"]["a.rows"] == 2


@pytest.mark.parametrize(("small_below", "jobs"), [(1_000_000, 3), (2, 2)])
def test_small_data_runs_one_notebook_more_than_the_cores(tmp_path, monkeypatch, small_below, jobs):
    import retainkit.report as report

    monkeypatch.setattr(report, "_usable_cores", lambda: 2)
    monkeypatch.setattr(report, "SMALL_DATA_ROWS", small_below)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for i in (1, 2, 3):
        _notebook(nbs, f"0{i}_n", _LOAD_BODY.format(p=f"n{i}"), params=_LOAD_PARAMS)
    shop = tmp_path / "shop.csv"
    shop.write_text(_SHOP, encoding="utf-8")
    result = run_report(str(shop), out=tmp_path / "run", notebooks_dir=nbs)
    # 2 rows kept: under the limit, 3 at once (2 cores + 1); at or over it, the 2 cores
    assert result.manifest["jobs"] == jobs
    assert result.manifest["figures"]["n3.rows"] == 2


def test_a_loading_error_stops_the_run_before_any_notebook_starts(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_one", _LOAD_BODY.format(p="a"), params=_LOAD_PARAMS)
    shop = tmp_path / "shop.csv"
    shop.write_text("customer_id,order_date,revenue\n,2024-01-02,10\n", encoding="utf-8")
    # the error a notebook's data cell raises on this file, word for word
    with pytest.raises(rk.DataValidationError) as direct:
        rk.load_transactions(str(shop.resolve()))
    lines = []
    with pytest.raises(rk.DataValidationError) as raised:
        run_report(str(shop), out=tmp_path / "run", notebooks_dir=nbs, progress=lines.append)
    assert str(raised.value) == str(direct.value)
    assert "have no customer id" in str(raised.value)
    assert lines == ["loading the data once for the notebooks ..."]  # no notebook started
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbs", "shop.csv"]


def _run(tmp_path, name, figures, headings):
    """A finished notebook run whose source notebook has these ## headings."""
    from retainkit.report._results import NotebookRun

    nb = new_notebook()
    nb.cells = [new_markdown_cell(f"## {h}") for h in headings]
    source = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, source)
    return NotebookRun(
        name=name,
        source=source,
        notebook=tmp_path / f"{name}.run.ipynb",
        html=tmp_path / f"{name}.html",
        seconds=1.0,
        status="ok",
        parameters={},
        figures=figures,
        labels={k: f"label of {k}" for k in figures},
        units={k: "" for k in figures},
    )


def test_index_puts_the_headline_first_and_the_rest_in_the_page_s_order(tmp_path):
    from retainkit.report._pages import _index_html

    ground = _run(
        tmp_path,
        "01_groundwork",
        # the manifest order (alphabetical) is not a reader's
        {
            "data.customers": 9,
            "groundwork.call_list_size": 5,
            "groundwork.churn_days": 90,
            "groundwork.churn_rate_12m": 0.25,
            "groundwork.customers_lost_12m": 3,
            "groundwork.lifetime_value_lost": 70.0,
            "groundwork.revenue_lost_12m": None,  # no value: the headline says so
        },
        [
            "The data",
            "When does a customer count as lost?",
            "1. How many customers did we lose?",
            "3. What did it cost?",
            "Key figures",
        ],  # no "The call list" here: its figure falls back to "Key figures"
    )
    ltv = _run(tmp_path, "03_lifetime_value", {"ltv.clv_mean": 12.5, "ltv.nrr_12m": 0.9}, [])
    page = _index_html("t", {"parameters": {}}, [ground, ltv])
    names = re.findall(r"<code class='name'>([^<]+)</code>", page)
    assert names == [
        # headline: customers lost, churn rate, revenue lost, lifetime value
        "groundwork.customers_lost_12m",
        "groundwork.churn_rate_12m",
        "groundwork.revenue_lost_12m",
        "ltv.clv_mean",
        "data.customers",
        # the rest of each notebook in the order of its page's sections
        "groundwork.churn_days",
        "groundwork.lifetime_value_lost",
        "groundwork.call_list_size",
        "ltv.nrr_12m",
    ]
    links = re.findall(r"<a href='([^']+)'>label of", page)
    assert links == [
        "01_groundwork.html#1.-How-many-customers-did-we-lose?",
        "01_groundwork.html#1.-How-many-customers-did-we-lose?",
        "01_groundwork.html#3.-What-did-it-cost?",
        "03_lifetime_value.html",  # its notebook has none of the headings: the page's top
        "01_groundwork.html#The-data",
        "01_groundwork.html#When-does-a-customer-count-as-lost?",
        "01_groundwork.html#3.-What-did-it-cost?",
        "01_groundwork.html#Key-figures",
        "03_lifetime_value.html",
    ]
    assert "not available" in page.split("ltv.clv_mean")[0]
    assert "@media print" in page and "size: A4" in page
