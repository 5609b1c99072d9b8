"""The report runner: execute the notebooks with Papermill into one run folder.

A run folder holds the executed notebooks, an HTML page per notebook (code hidden), an
``index.html`` with every notebook's key figures and links, and ``manifest.json`` with
the parameters, the data's fingerprint, row counts, package versions, timings and the
key figures (``figures``). The folder is written under a temporary name and renamed
only when every notebook ran; a failed or interrupted run is left as
``<folder>.failed`` with the partly executed notebook, never under the final name.

The notebooks are independent (none reads another's output: the groundwork notebook
writes the call list, which only a later month's run reads, through ``previous``), so
they run side by side, as many at once as there are cores, each kernel with its share
of DuckDB's threads. Everything the manifest and index show comes in notebook order,
whatever order the notebooks finish in.

The data is loaded and cleaned once, before any kernel starts, into a DuckDB file in a
scratch folder that each notebook attaches read-only (its ``prepared`` parameter); a
loading error stops the run there, with the message the data cell would have given.

- :mod:`~retainkit.report._parameters`: the notebooks and their parameters;
- :mod:`~retainkit.report._execution`: running the notebooks, in turn or side by side;
- :mod:`~retainkit.report._pages`: the HTML pages and the index page;
- :mod:`~retainkit.report._manifest`: what ``manifest.json`` records;
- :mod:`~retainkit.report._results`: the records a run returns.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

# Every name of the former module retainkit/report.py is still importable from here: the
# names this module does not use are re-exported as `name as name`.
from retainkit.exceptions import ReportError
from retainkit.report._execution import _STOP_POLL_SECONDS as _STOP_POLL_SECONDS
from retainkit.report._execution import INTERACTIVE_TAG as INTERACTIVE_TAG
from retainkit.report._execution import _collect as _collect
from retainkit.report._execution import _execute as _execute
from retainkit.report._execution import _failure as _failure
from retainkit.report._execution import _Outcome as _Outcome
from retainkit.report._execution import (
    _Place,
    _prepare_data,
    _run_in_turn,
    _run_side_by_side,
    _usable_cores,
)
from retainkit.report._execution import _QuietWhileStopping as _QuietWhileStopping
from retainkit.report._execution import _record_outcomes as _record_outcomes
from retainkit.report._execution import _stop_kernels as _stop_kernels
from retainkit.report._execution import _without_interactive_cells as _without_interactive_cells
from retainkit.report._kernels import Kernels, kernel_environment, start_zygote
from retainkit.report._manifest import _VERSIONED as _VERSIONED
from retainkit.report._manifest import _data_files, _finish_failed, _hidden, _versions
from retainkit.report._manifest import _record as _record
from retainkit.report._order import earlier_timings, start_order
from retainkit.report._pages import _REPORT_TEMPLATE as _REPORT_TEMPLATE
from retainkit.report._pages import _figure_rows as _figure_rows
from retainkit.report._pages import _figures_from as _figures_from
from retainkit.report._pages import _index_html
from retainkit.report._pages import _title_of as _title_of
from retainkit.report._pages import _to_html as _to_html
from retainkit.report._parameters import _FALSE as _FALSE
from retainkit.report._parameters import _TRUE as _TRUE
from retainkit.report._parameters import PATH_PARAMETERS as PATH_PARAMETERS
from retainkit.report._parameters import _convert as _convert
from retainkit.report._parameters import _default_notebooks_dir as _default_notebooks_dir
from retainkit.report._parameters import (
    _parameters_for,
    _select,
    list_notebooks,
    notebook_parameters,
)
from retainkit.report._parameters import _profiles as _profiles
from retainkit.report._parameters import _resolve_path_parameter as _resolve_path_parameter
from retainkit.report._results import NotebookRun, ReportResult

__all__ = [
    "NotebookRun",
    "ReportResult",
    "list_notebooks",
    "notebook_parameters",
    "run_report",
]

logger = logging.getLogger("retainkit")


def _slug(text: str) -> str:
    base = Path(text).name if ("/" in text or "\\" in text) else text
    for suffix in (".gz", ".zst", ".csv", ".parquet", ".xlsx", ".txt", ".tsv"):
        base = base.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-")[:40] or "data"


def run_report(
    data: str | None = None,
    *,
    columns: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    previous: str | None = None,
    out: str | Path | None = None,
    only: Iterable[str] | None = None,
    reports_dir: str | Path = "reports",
    notebooks_dir: str | Path | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    timeout_seconds: int | None = 1800,
    jobs: int | None = None,
) -> ReportResult:
    """Execute the notebooks into a new run folder and write its index and manifest.

    Parameters
    ----------
    data : str, optional
        Preset name or path of the transaction data (the notebooks' ``data``
        parameter); default: the notebooks' own default, the demo shop.
    columns : str, optional
        Path of a column-mapping file (the ``columns`` parameter).
    parameters : mapping, optional
        Further notebook parameters, e.g. ``{"as_of": "2011-12-09", "churn_days": 180}``.
        Text values are converted to each notebook's parameter type. A name no
        selected notebook takes is an error.
    previous : str, optional
        Last month's run folder (or its ``call_list`` file): the groundwork notebook's
        ``previous`` parameter. It is only read, never changed.
    out : str or Path, optional
        The run folder; default ``<reports_dir>/<YYYYmmdd-HHMMSS>-<data>``.
    only : iterable of str, optional
        Notebooks to run, by name (``"01_groundwork"``, ``"groundwork"`` or ``"01"``).
    reports_dir : str or Path
        Where default run folders go.
    notebooks_dir : str or Path, optional
        Folder of the notebooks; default: retainkit's own.
    overwrite : bool
        Replace an existing run folder; otherwise an existing one is an error.
    progress : callable, optional
        Called with a line of text as each notebook starts and ends. When notebooks run
        side by side it is called from the runner's threads, never two calls at once.
    timeout_seconds : int, optional
        Longest a single cell may run.
    jobs : int, optional
        Notebooks run at once, each in its own kernel; default: the number of cores this
        process may use, one more for data of fewer than 1 million rows kept (a notebook
        leaves a core idle while it waits on its kernel or its page is written, which a
        third one fills on 2 cores; on 10 million rows the extra kernel is slower and
        takes more memory: ``benchmarks/README.md``), never more than the notebooks.
        Above 1, each kernel's DuckDB
        and BLAS get an equal share of the cores (the ``RETAINKIT_THREADS`` and
        ``OPENBLAS_NUM_THREADS`` environment variables, unless already set), the
        progress lines come in the order the notebooks start and end, and the first
        notebook to fail stops the others. The longest notebooks start first (their
        times in ``previous``'s manifest or the newest complete run in ``reports_dir``,
        else their number of code cells), so that the short ones fill the other slots.
        1 runs the notebooks one after another.

    Returns
    -------
    ReportResult

    Notes
    -----
    Notebooks taking a ``prepared`` parameter get the data loaded and cleaned once by
    the runner (``timings_seconds["load"]`` in the manifest), unless ``prepared`` is given.

    Raises
    ------
    RetainkitError
        The loading error itself (a ``SchemaError`` or ``DataValidationError``), before
        any notebook starts, when the data cannot be loaded.
    ReportError
        For an unknown notebook or parameter, an existing folder, ``jobs`` below 1, or
        a failing notebook (the message names the notebook, the cell and the error, and
        where the partly executed notebook is).
    """
    if jobs is not None and jobs < 1:
        raise ReportError(f"jobs={jobs}: give at least 1 notebook at a time")
    say = progress or logger.info
    given: dict[str, Any] = dict(parameters or {})
    if data is not None:
        given["data"] = str(data)
    if columns is not None:
        given["columns"] = str(columns)
    if previous:
        given["previous"] = str(previous)
    notebooks = _select(list_notebooks(notebooks_dir), only)
    if not notebooks:
        raise ReportError("no notebooks found to run")
    from retainkit.engine._backend import THREADS_ENV

    cores = _usable_cores()
    # the most notebooks at once: the threads are shared out for that many (on 1 or 2
    # cores, where one more than the cores can differ from the cores, each gets 1 either way)
    most = min(jobs or cores + 1, len(notebooks))
    threads = None  # DuckDB threads per kernel: a share of the cores, unless the user set it
    if most > 1 and not os.environ.get(THREADS_ENV, "").strip():
        threads = max(1, cores // most)
    env = kernel_environment(_kernel_shares(threads))
    # the kernels' zygote imports the kit while this process reads the parameters and
    # loads the data (None where kernels are not forked)
    zygote = start_zygote(env)
    try:
        return _report(
            notebooks,
            given,
            env=env,
            zygote=zygote,
            # notebooks at once for small data and for the rest (the same when asked for)
            jobs=(most, min(jobs or cores, len(notebooks))),
            out=out,
            overwrite=overwrite,
            previous=previous,
            reports_dir=reports_dir,
            say=say,
            timeout_seconds=timeout_seconds,
        )
    finally:
        if zygote is not None:
            zygote.close()


#: Below this many rows kept, a report runs one notebook more than the cores at once.
#: Measured on 2 cores (benchmarks/README.md, 2026-12-03): 3 notebooks at once took the demo
#: report from 17.0 to 15.3 s and Online Retail's (0.5 million rows) from 17.7 to 15.9 s;
#: on 10 million rows, 181 -> 207 s, with 7.8 -> 9.8 GB of memory in all.
SMALL_DATA_ROWS = 1_000_000


def _report(
    notebooks: list[Path],
    given: dict[str, Any],
    *,
    env: dict[str, str],
    zygote: Any,
    jobs: tuple[int, int],
    out: str | Path | None,
    overwrite: bool,
    previous: str | None,
    reports_dir: str | Path,
    say: Callable[[str], None],
    timeout_seconds: int | None,
) -> ReportResult:
    """Run the notebooks with their parameters: load once, run, write the run folder."""
    per_notebook = _parameters_for(notebooks, given)
    first_effective = next(iter(per_notebook.values()))[1]
    from retainkit.engine import hide_password

    data_name = hide_password(str(first_effective.get("data", "data")))
    now = _dt.datetime.now().astimezone()
    if out is None:
        base = Path(reports_dir) / f"{now:%Y%m%d-%H%M%S}-{_slug(data_name)}"
        folder, n = base, 2
        while folder.exists() or folder.with_name(folder.name + ".failed").exists():
            folder = base.with_name(f"{base.name}-{n}")
            n += 1
    else:
        folder = Path(out)
        if folder.exists() and not overwrite:
            raise ReportError(
                f"{str(folder)!r} already exists; choose another --out or pass --overwrite"
            )
    folder = folder.resolve()
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    # the kernels start while the data is loaded and cleaned once, into a scratch file
    # they attach read-only
    kernels = Kernels([_kernel_name(nb) for nb in notebooks], cwd=work, env=env, zygote=zygote)
    scratch = Path(tempfile.mkdtemp(prefix="retainkit-prepared-"))
    try:
        load_seconds, rows = _prepare_data(per_notebook, scratch, say)
        small = rows is not None and rows < SMALL_DATA_ROWS
        return _run(
            per_notebook,
            notebooks,
            order=start_order(
                notebooks,
                timings=earlier_timings(
                    previous=previous, reports_dir=reports_dir if out is None else None
                ),
            ),
            folder=folder,
            work=work,
            kernels=kernels,
            now=now,
            data_name=data_name,
            jobs=jobs[0] if small else jobs[1],
            load_seconds=load_seconds,
            started=started,
            say=say,
            timeout_seconds=timeout_seconds,
        )
    finally:
        kernels.close()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)  # gone already unless the load failed


#: OpenBLAS's thread count (numpy and scipy's wheels use OpenBLAS), set for the kernels.
_BLAS_THREADS = "OPENBLAS_NUM_THREADS"


def _kernel_shares(threads: int | None) -> dict[str, str | None]:
    """Return the thread counts a kernel gets beside others (None: as the user has them).

    DuckDB's share of the cores, and the same for BLAS (numpy, SciPy's optimisers): idle
    BLAS threads spinning beside another notebook slow every model fit.
    """
    from retainkit.engine._backend import THREADS_ENV

    share = None if threads is None else str(threads)
    return {
        THREADS_ENV: share,
        _BLAS_THREADS: None if os.environ.get(_BLAS_THREADS) else share,
    }


def _kernel_name(path: Path) -> str:
    """Return the kernel a notebook asks for (its kernelspec), as Papermill would pick it."""
    from papermill.utils import nb_kernel_name

    return str(nb_kernel_name(_without_interactive_cells(path)))


def _run(
    per_notebook: dict[Path, tuple[dict[str, Any], dict[str, Any]]],
    notebooks: list[Path],
    *,
    order: list[int],
    folder: Path,
    work: Path,
    kernels: Kernels,
    now: _dt.datetime,
    data_name: str,
    jobs: int,
    load_seconds: float | None,
    started: float,
    say: Callable[[str], None],
    timeout_seconds: int | None,
) -> ReportResult:
    """Run the notebooks in the work folder, write the manifest and index, rename it."""
    first_effective = next(iter(per_notebook.values()))[1]

    manifest: dict[str, Any] = {
        "retainkit_report": 1,
        "created": now.isoformat(timespec="seconds"),
        "status": "running",
        "command": sys.argv,
        "data": {"source": data_name, "files": _data_files(first_effective)},
        "parameters": _hidden(first_effective),
        "notebook_parameters": {},
        "seed": first_effective.get("seed"),
        "versions": _versions(),
        "platform": platform.platform(),
        "jobs": jobs,
        "notebooks": [],
        "timings_seconds": {},
        "figures": {},
        "figure_reasons": {},
        "row_counts": {},
    }
    if load_seconds is not None:
        manifest["timings_seconds"]["load"] = round(load_seconds, 2)
    place = _Place(work=work, folder=folder, timeout_seconds=timeout_seconds)
    try:
        if jobs == 1:
            runs = _run_in_turn(notebooks, per_notebook, manifest, place, say, kernels)
        else:
            runs = _run_side_by_side(
                notebooks, per_notebook, manifest, place, say, jobs, kernels, order=order
            )
    except ReportError:
        raise
    except BaseException:
        manifest["status"] = "interrupted"
        _finish_failed(work, folder, manifest)
        raise

    manifest["status"] = "complete"
    manifest["timings_seconds"]["total"] = round(time.perf_counter() - started, 2)
    manifest["row_counts"] = {
        k.split(".", 1)[1]: v
        for k, v in manifest["figures"].items()
        if k in ("data.rows_read", "data.rows_kept", "data.customers")
    }
    title = f"Retention report: {data_name}"
    (work / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    (work / "index.html").write_text(_index_html(title, manifest, runs), encoding="utf-8")
    if folder.exists():  # overwrite was asked for
        trash = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(trash)
        work.rename(folder)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        work.rename(folder)
    return ReportResult(
        folder=folder, index=folder / "index.html", manifest=manifest, notebooks=runs
    )
