"""Executing the notebooks with Papermill: in turn or side by side, each in its own kernel.

Side by side, one thread per notebook drives its kernel; the first notebook to fail
stops the others, and every outcome is recorded in notebook order.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retainkit.exceptions import ReportError
from retainkit.report._kernels import Kernels, kill, shut_down
from retainkit.report._manifest import _finish_failed, _hidden, _record
from retainkit.report._pages import _figures_from, _title_of, _to_html
from retainkit.report._results import NotebookRun

#: Cells with this tag are interactive controls: reports do not run or show them.
INTERACTIVE_TAG = "interactive"

#: The notebook parameter naming the runner's prepared data (see :func:`_prepare_data`).
PREPARED_PARAMETER = "prepared"

#: The parameters of the one data call that decide what is loaded (the side tables,
#: currency and analysis options are not part of the transactions).
_LOAD_PARAMETERS = ("data", "columns", "as_of")


def _prepare_data(
    per_notebook: Mapping[Path, tuple[dict[str, Any], dict[str, Any]]],
    scratch: Path,
    say: Callable[[str], None],
) -> tuple[float | None, int | None]:
    """Load and clean the data once, before any kernel starts; tell the notebooks where.

    Each notebook taking a ``prepared`` parameter (left empty) gets the path of a DuckDB
    file in ``scratch`` holding its cleaned transactions and quality report, which its
    data call attaches read-only instead of loading the data again; notebooks asking for
    the same data share one file. A loading error is raised here, as the first notebook
    would have raised it. Returns the seconds spent and the rows kept (the most of any
    group), or None for both when no notebook takes prepared data.
    """
    from retainkit.datasets import input_files
    from retainkit.io import _prepare_transactions

    groups: dict[tuple[Any, ...], list[Path]] = {}
    for nb, (_, effective) in per_notebook.items():
        given = effective.get(PREPARED_PARAMETER)
        if given is None or str(given).strip():  # takes none, or the user named a file
            continue
        key = tuple(effective.get(name) or None for name in _LOAD_PARAMETERS)
        groups.setdefault(key, []).append(nb)
    if not groups:
        return None, None
    t0 = time.perf_counter()
    most = 0
    for n, ((data, columns, as_of), nbs) in enumerate(groups.items(), start=1):
        say("loading the data once for the notebooks ...")
        path, rows = _prepare_transactions(
            data,
            scratch / f"prepared-{n}.duckdb",
            columns=columns,
            as_of=as_of,
            files=[f for f in input_files(data, columns=columns) if f.is_file()],
        )
        for nb in nbs:
            if path is not None:  # else the rows stay in their engine: each notebook loads
                per_notebook[nb][0][PREPARED_PARAMETER] = str(path)
        most = max(most, rows)
    return time.perf_counter() - t0, most


def _without_interactive_cells(path: Path) -> Any:
    """Read a notebook and drop the cells tagged ``interactive``.

    A report shows the static results at the parameter values; the widget cells are
    for JupyterLab. Executing them headless also risks a known nbclient hang on widget
    messages (jupyter/nbclient#312), so the report never runs them.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if INTERACTIVE_TAG not in c.metadata.get("tags", [])]
    return nb


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@dataclass(frozen=True)
class _Place:
    """Where a run writes (``work``, renamed to ``folder`` at the end) and its cell limit."""

    work: Path
    folder: Path
    timeout_seconds: int | None


@dataclass
class _Outcome:
    """How one notebook of a side-by-side run ended: ok, failed, stopped or not run."""

    index: int
    path: Path
    status: str
    seconds: float = 0.0
    run: NotebookRun | None = None
    got: dict[str, Any] = field(default_factory=dict)
    error: Any = None


def _execute(nb: Any, out_nb: Path, passed: Mapping[str, Any], place: _Place, km: Any) -> None:
    """Run one notebook with Papermill into ``out_nb``, in the started kernel ``km``.

    The kernel was started in ``place.work`` (:class:`retainkit.report._kernels.Kernels`):
    Papermill's own ``cwd`` changes the whole process's folder, which is not safe with two
    notebooks running at once (nteract/papermill#473).
    """
    import papermill

    papermill.execute_notebook(
        nb,
        str(out_nb),
        parameters=dict(passed),
        progress_bar=False,
        # saved once at the end (and on a failing cell, a dead kernel or a cell over the
        # time limit), not at each cell's start and end: each save validates and writes
        # the whole notebook, figures and all
        request_save_on_cell_execute=False,
        engine_name=_engine(),
        partial=str(out_nb),
        execution_timeout=place.timeout_seconds,
        km=km,
    )


#: The Papermill engine of the report (:func:`_engine`).
ENGINE = "retainkit"


@functools.cache
def _engine() -> str:
    """Register the report's Papermill engine once; return its name.

    It is Papermill's own (nbclient) engine, which writes the notebook as it stands when
    the run ends in an error Papermill does not catch (the kernel died, a cell ran past
    the time limit): with no save per cell, that notebook would otherwise be lost.
    """
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.iorw import write_ipynb

    class SavingEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(  # type: ignore[override]
            cls, nb_man: Any, kernel_name: str, partial: str | None = None, **kwargs: Any
        ) -> Any:
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception:
                if partial is not None:
                    write_ipynb(nb_man.nb, partial)
                raise

    papermill_engines.register(ENGINE, SavingEngine)
    return ENGINE


def _cell_error(exc: BaseException, out_nb: Path, place: _Place) -> Any | None:
    """Return how a notebook failed as Papermill's cell error, or None for another error.

    A failing cell's error is returned as it is; a dead kernel or a timed-out cell
    becomes one, for the cell running in the partly executed notebook, so the runner
    reports each the same way: the notebook, the cell and what happened.
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return exc
    if isinstance(exc, DeadKernelError):
        ename, evalue = "DeadKernelError", "the notebook's kernel died (killed, or out of memory)"
    elif isinstance(exc, CellTimeoutError):
        ename = "CellTimeoutError"
        evalue = f"the cell ran longer than the limit of {place.timeout_seconds} s"
    else:
        return None
    index, count, source, cells = -1, None, "", []
    if out_nb.exists():  # the last cell started is the one that was running
        cells = nbformat.read(out_nb, as_version=4).cells
        for i, cell in enumerate(cells):
            if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
                index, count, source = i, cell.get("execution_count"), cell.source
    if count is None:  # it died before its count came: the code cells run up to it
        count = sum(c.cell_type == "code" for c in cells[: index + 1]) if index >= 0 else 0
    return PapermillExecutionError(index, count, source, ename, evalue, [])


def _collect(
    nb_path: Path, effective: dict[str, Any], out_nb: Path, place: _Place, seconds: float
) -> tuple[NotebookRun, dict[str, Any]]:
    """Read an executed notebook: write its HTML page, take its key figures and title."""
    import nbformat

    name = nb_path.stem
    nb = nbformat.read(out_nb, as_version=4)
    html_path = place.work / f"{name}.html"
    _to_html(nb, html_path)
    got = _figures_from(nb)
    run = NotebookRun(
        name=name,
        source=nb_path,
        notebook=place.folder / out_nb.name,
        html=place.folder / html_path.name,
        seconds=seconds,
        status="ok",
        parameters=effective,
        figures=got["figures"],
        reasons=got["reasons"],
        labels=got["labels"],
        units=got["units"],
        currency=got["currency"],
        title=_title_of(nb, name),
    )
    return run, got


def _failure(name: str, exc: Any, partial: Path) -> ReportError:
    return ReportError(
        f"notebook {name} failed in cell {exc.exec_count} "
        f"({exc.ename}: {exc.evalue}). The partly executed notebook is {partial}"
    )


def _run_in_turn(
    notebooks: list[Path],
    per_notebook: Mapping[Path, tuple[dict[str, Any], dict[str, Any]]],
    manifest: dict[str, Any],
    place: _Place,
    say: Callable[[str], None],
    kernels: Kernels,
) -> list[NotebookRun]:
    """Run the notebooks one after another (``jobs=1``), each in its kernel from ``kernels``."""
    runs = []
    for i, nb_path in enumerate(notebooks, start=1):
        passed, effective = per_notebook[nb_path]
        name = nb_path.stem
        manifest["notebook_parameters"][name] = _hidden(effective)
        say(f"[{i}/{len(notebooks)}] {name} ...")
        out_nb = place.work / f"{name}.ipynb"
        t0 = time.perf_counter()
        km = kernels.take(i - 1)
        try:
            _execute(_without_interactive_cells(nb_path), out_nb, passed, place, km=km)
        except Exception as caught:
            exc = _cell_error(caught, out_nb, place)
            if exc is None:
                raise
            seconds = time.perf_counter() - t0
            manifest["notebooks"].append(
                {"name": name, "status": "failed", "seconds": round(seconds, 2)}
            )
            manifest["status"] = "failed"
            failed = _finish_failed(place.work, place.folder, manifest)
            raise _failure(name, exc, failed / out_nb.name) from None
        finally:
            shut_down(km)
        seconds = time.perf_counter() - t0
        run, got = _collect(nb_path, effective, out_nb, place, seconds)
        runs.append(run)
        _record(manifest, run, got)
        say(f"[{i}/{len(notebooks)}] {name} done in {seconds:.1f} s")
    return runs


#: Seconds between two attempts at stopping the kernels still running.
_STOP_POLL_SECONDS = 0.5


class _QuietWhileStopping(logging.Filter):
    """Drop nbclient's "Kernel died" lines about kernels the runner stopped on purpose."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self._stop = stop

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self._stop.is_set() and "Kernel died" in record.getMessage())


def _stop_kernels(kernels: Mapping[int, Any], lock: threading.Lock) -> None:
    """Kill the running kernels; their notebooks then end at once (DeadKernelError)."""
    with lock:
        managers = list(kernels.values())
    for km in managers:
        kill(km)


def _run_side_by_side(
    notebooks: list[Path],
    per_notebook: Mapping[Path, tuple[dict[str, Any], dict[str, Any]]],
    manifest: dict[str, Any],
    place: _Place,
    say: Callable[[str], None],
    jobs: int,
    kernels: Kernels,
    order: Sequence[int] | None = None,
) -> list[NotebookRun]:
    """Run up to ``jobs`` notebooks at once, each in a thread driving its kernel from ``kernels``.

    ``order`` gives the positions (0-based) in the order to start the notebooks
    (:func:`retainkit.report._order.start_order`: longest first); default notebook order.

    The threads only wait on their kernels (separate processes) and convert the result
    to HTML. The first notebook to fail stops the others (their kernels are killed and
    the notebooks not yet started are not run); the manifest records every notebook in
    notebook order.
    """
    from papermill.exceptions import PapermillExecutionError

    n = len(notebooks)
    say_lock = threading.Lock()
    kernels_lock = threading.Lock()
    stop = threading.Event()
    running: dict[int, Any] = {}

    def tell(line: str) -> None:
        with say_lock:  # one whole line at a time, whichever thread ends first
            say(line)

    def one(i: int, nb_path: Path) -> _Outcome:
        name = nb_path.stem
        passed, effective = per_notebook[nb_path]
        out_nb = place.work / f"{name}.ipynb"
        if stop.is_set():
            return _Outcome(i, nb_path, "not run")
        nb = _without_interactive_cells(nb_path)
        km = kernels.take(i - 1)
        with kernels_lock:
            running[i] = km
        tell(f"[{i}/{n}] {name} ...")
        t0 = time.perf_counter()
        try:
            _execute(nb, out_nb, passed, place, km=km)
        except PapermillExecutionError as exc:
            seconds = time.perf_counter() - t0
            stop.set()  # before this thread takes the next notebook
            tell(f"[{i}/{n}] {name} failed after {seconds:.1f} s")
            return _Outcome(i, nb_path, "failed", seconds, error=exc)
        except Exception as caught:
            seconds = time.perf_counter() - t0
            if stop.is_set():  # its kernel was stopped because another notebook failed
                tell(f"[{i}/{n}] {name} stopped after {seconds:.1f} s")
                return _Outcome(i, nb_path, "stopped", seconds)
            lost = _cell_error(caught, out_nb, place)
            if lost is None:
                raise
            stop.set()
            tell(f"[{i}/{n}] {name} failed after {seconds:.1f} s")
            return _Outcome(i, nb_path, "failed", seconds, error=lost)
        finally:
            with kernels_lock:
                running.pop(i, None)
            shut_down(km)
        seconds = time.perf_counter() - t0
        run, got = _collect(nb_path, effective, out_nb, place, seconds)
        tell(f"[{i}/{n}] {name} done in {seconds:.1f} s")
        return _Outcome(i, nb_path, "ok", seconds, run=run, got=got)

    outcomes: dict[int, _Outcome] = {}
    first: _Outcome | None = None
    quiet = _QuietWhileStopping(stop)
    papermill_log = logging.getLogger("papermill")
    papermill_log.addFilter(quiet)
    try:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="retainkit-report") as pool:
            starts = range(n) if order is None else order
            futures: list[Future[_Outcome]] = [
                pool.submit(one, j + 1, notebooks[j]) for j in starts
            ]
            try:
                pending = set(futures)
                while pending:
                    done, pending = wait(
                        pending,
                        timeout=_STOP_POLL_SECONDS if stop.is_set() else None,
                        return_when=FIRST_COMPLETED,
                    )
                    for future in done:
                        if future.cancelled():
                            continue
                        outcome = future.result()  # an unexpected error is raised here
                        outcomes[outcome.index] = outcome
                        if outcome.status == "failed" and first is None:
                            first = outcome
                            stop.set()
                            for other in pending:
                                other.cancel()
                    if stop.is_set():
                        _stop_kernels(running, kernels_lock)
            except BaseException:  # an interrupt or an error: stop the rest, then report
                stop.set()
                for future in futures:
                    future.cancel()
                while not all(f.done() for f in futures):
                    _stop_kernels(running, kernels_lock)
                    wait(futures, timeout=_STOP_POLL_SECONDS)
                for future in futures:
                    if future.done() and not future.cancelled() and not future.exception():
                        outcome = future.result()
                        outcomes[outcome.index] = outcome
                _record_outcomes(manifest, outcomes, per_notebook, check=False)
                raise
    finally:
        papermill_log.removeFilter(quiet)

    if first is not None:
        _record_outcomes(manifest, outcomes, per_notebook, check=False)
        manifest["status"] = "failed"
        failed = _finish_failed(place.work, place.folder, manifest)
        raise _failure(first.path.stem, first.error, failed / f"{first.path.stem}.ipynb")
    return _record_outcomes(manifest, outcomes, per_notebook, check=True)


def _record_outcomes(
    manifest: dict[str, Any],
    outcomes: Mapping[int, _Outcome],
    per_notebook: Mapping[Path, tuple[dict[str, Any], dict[str, Any]]],
    *,
    check: bool,
) -> list[NotebookRun]:
    """Record the notebooks that ran in notebook order (not finishing order); return the runs.

    ``check`` compares each notebook's key figures with the earlier ones' (a complete
    run); a stopped run records what there is.
    """
    runs = []
    for i in sorted(outcomes):
        outcome = outcomes[i]
        if outcome.status == "not run":
            continue
        name = outcome.path.stem
        manifest["notebook_parameters"][name] = _hidden(per_notebook[outcome.path][1])
        if outcome.run is not None:
            runs.append(outcome.run)
            _record(manifest, outcome.run, outcome.got, check=check)
        else:
            manifest["notebooks"].append(
                {"name": name, "status": outcome.status, "seconds": round(outcome.seconds, 2)}
            )
    return runs
