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
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import importlib.metadata
import json
import logging
import os
import platform
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retainkit._resources import notebooks_dir as _default_notebooks_dir
from retainkit.exceptions import ReportError
from retainkit.figures import MIMETYPE, format_value

__all__ = [
    "NotebookRun",
    "ReportResult",
    "list_notebooks",
    "notebook_parameters",
    "run_report",
]

logger = logging.getLogger("retainkit")

#: Parameters naming input files: relative paths are resolved against the current
#: folder before the notebooks (which run elsewhere) see them.
PATH_PARAMETERS = ("data", "columns", "customers", "reasons", "previous")
#: Cells with this tag are interactive controls: reports do not run or show them.
INTERACTIVE_TAG = "interactive"
_VERSIONED = (
    "retainkit",
    "pandas",
    "numpy",
    "scipy",
    "ibis-framework",
    "duckdb",
    "sqlglot",
    "pyarrow",
    "matplotlib",
    "seaborn",
    "ipywidgets",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
)


@dataclass
class NotebookRun:
    """One notebook's run: where its outputs are, how long it took, its key figures."""

    name: str
    source: Path
    notebook: Path
    html: Path | None
    seconds: float
    status: str
    parameters: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    currency: str = ""
    title: str = ""


@dataclass
class ReportResult:
    """A finished run: its folder, index page, manifest and notebook runs."""

    folder: Path
    index: Path
    manifest: dict[str, Any]
    notebooks: list[NotebookRun]


def list_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """Return the report notebooks in run order (``NN_topic.ipynb``).

    Examples
    --------
    >>> [p.stem for p in list_notebooks()][:1]
    ['01_groundwork']
    """
    folder = Path(notebooks_dir) if notebooks_dir else _default_notebooks_dir()
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _select(notebooks: list[Path], only: Iterable[str] | None) -> list[Path]:
    if not only:
        return notebooks
    chosen = []
    for want in only:
        w = want.removesuffix(".ipynb")
        hits = [p for p in notebooks if w in (p.stem, p.stem[:2], p.stem[3:])]
        if not hits:
            names = ", ".join(p.stem for p in notebooks)
            raise ReportError(f"no notebook named {want!r}; the notebooks are {names}")
        chosen += [h for h in hits if h not in chosen]
    return [p for p in notebooks if p in chosen]


def notebook_parameters(path: str | Path) -> dict[str, dict[str, Any]]:
    """Return a notebook's parameters: name -> type, default and help text.

    Examples
    --------
    >>> params = notebook_parameters(list_notebooks()[0])
    >>> params["data"]["inferred_type_name"]
    'str'
    """
    import papermill

    return dict(papermill.inspect_notebook(str(path)))


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _convert(name: str, value: Any, type_name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.strip().lower()
            if low in _TRUE | _FALSE:
                return low in _TRUE
            raise ValueError(value)
    except ValueError:
        raise ReportError(f"parameter {name} expects {type_name}, got {value!r}") from None
    return value


def _profiles() -> list[Any]:
    from retainkit.io import list_profiles

    return list_profiles()


def _resolve_path_parameter(name: str, value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value
    from retainkit.presets import PRESETS, resolve_preset

    if name == "data" and resolve_preset(value) is not None:
        return value
    if name == "data" and "://" in value:  # a connection URL: resolved where it is read
        return value
    p = Path(value).expanduser()
    if name == "columns" and not p.exists() and not p.suffix:
        from retainkit.io import load_profile

        load_profile(value)  # an export profile's name: an error lists the profiles
        return value
    if not p.exists() and not any(ch in value for ch in "*?["):
        hint = {
            "data": f" (or a preset: {', '.join(PRESETS)}; or a "
            "connection URL such as duckdb:///shop.duckdb?table=orders)",
            "columns": " (or an export profile: " + ", ".join(p.name for p in _profiles()) + ")",
        }.get(name, "")
        raise ReportError(f"{name}={value!r}: no such file or folder{hint}")
    return str(p.resolve()) if p.exists() else str(Path.cwd() / p)


def _parameters_for(
    notebooks: list[Path], given: Mapping[str, Any]
) -> dict[Path, tuple[dict[str, Any], dict[str, Any]]]:
    """Check and convert parameters; return per notebook (given-and-known, all values)."""
    import difflib

    specs = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({n for spec in specs.values() for n in spec})
    unknown = [n for n in given if n not in known]
    if unknown:
        hints = []
        for n in unknown:
            close = difflib.get_close_matches(n, known, n=1)
            hints.append(f"{n!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ReportError(
            f"unknown parameter {', '.join(hints)}; the notebooks take {', '.join(known)}"
        )
    out = {}
    for nb, spec in specs.items():
        passed = {}
        for name, value in given.items():
            if name in spec:
                value = _convert(name, value, spec[name]["inferred_type_name"])
                if name in PATH_PARAMETERS:
                    value = _resolve_path_parameter(name, value)
                passed[name] = value
        effective = {}
        for name, info in spec.items():
            if name in passed:
                effective[name] = passed[name]
            else:
                try:
                    import ast

                    effective[name] = ast.literal_eval(info["default"])
                except (ValueError, SyntaxError):
                    effective[name] = info["default"]
        out[nb] = (passed, effective)
    return out


def _slug(text: str) -> str:
    base = Path(text).name if ("/" in text or "\\" in text) else text
    for suffix in (".gz", ".zst", ".csv", ".parquet", ".xlsx", ".txt", ".tsv"):
        base = base.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-")[:40] or "data"


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


def _figures_from(nb: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "figures": {},
        "reasons": {},
        "labels": {},
        "units": {},
        "currency": "",
    }
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIMETYPE in data:
                payload = data[MIMETYPE]
                for key in ("figures", "reasons", "labels", "units"):
                    merged[key].update(payload.get(key, {}))
                merged["currency"] = payload.get("currency", "") or merged["currency"]
    return merged


def _title_of(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


# The lab template loads require.js and MathJax from a CDN: a report opened offline then
# logs errors, and online MathJax typesets money ("$2,018 of $2,918") as a formula. The
# notebooks have no formulas, so the report page loads no script at all.
_REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@contextlib.contextmanager
def _inline_figures() -> Any:
    """Let the kernels papermill starts show figures, whatever ``MPLBACKEND`` says.

    The kernel inherits the environment: with ``MPLBACKEND=Agg`` (set for tests and
    headless jobs) figures are drawn but never shown, and the report has no plots.
    """
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if before is None:
            del os.environ["MPLBACKEND"]
        else:
            os.environ["MPLBACKEND"] = before


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Any:
    """Set an environment variable (which the kernels inherit) for the block; None: leave it."""
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if value is not None:
            if before is None:
                del os.environ[name]
            else:
                os.environ[name] = before


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _to_html(nb: Any, path: Path) -> None:
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file="retainkit_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"retainkit_report.html.j2": _REPORT_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in _VERSIONED:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _data_files(params: Mapping[str, Any]) -> dict[str, str]:
    from retainkit.datasets import input_files
    from retainkit.io import sha256_of

    files = input_files(
        params.get("data", "demo"),
        columns=params.get("columns"),
        customers=params.get("customers"),
        reasons=params.get("reasons"),
    )
    return {str(f): sha256_of(f) for f in files}


def _figure_rows(run: NotebookRun, *, data_figures: bool) -> str:
    """Table rows of a run's key figures: the ``data.*`` ones, or all the others."""
    e = html.escape
    rows = []
    for k, v in run.figures.items():
        if k.startswith("data.") != data_figures:
            continue
        text = (
            format_value(v, run.units.get(k, ""), run.currency)
            if v is not None
            else "not available: " + run.reasons.get(k, "")
        )
        rows.append(
            f"<tr><td>{e(run.labels.get(k, k))}</td><td class='v'>{e(text)}</td>"
            f"<td><code>{e(k)}</code></td></tr>"
        )
    if not rows:
        return ""
    return (
        "<table><thead><tr><th>Key figure</th><th>Value</th><th>Manifest name</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _index_html(title: str, manifest: Mapping[str, Any], runs: list[NotebookRun]) -> str:
    e = html.escape
    sections = []
    if runs:  # every notebook reports the same data figures: show them once
        sections.append(
            f"<section><h2>The data</h2>{_figure_rows(runs[0], data_figures=True)}</section>"
        )
    for run in runs:
        link = (
            f"<a href='{e(run.html.name)}'>{e(run.title or run.name)}</a>"
            if run.html
            else e(run.title or run.name)
        )
        sections.append(
            f"<section><h2>{link}</h2><p class='meta'>{e(run.name)}.ipynb · ran in "
            f"{run.seconds:.1f} s · <a href='{e(run.notebook.name)}'>executed notebook</a></p>"
            f"{_figure_rows(run, data_figures=False)}</section>"
        )
    params = manifest.get("parameters", {})
    param_rows = "".join(
        f"<tr><td><code>{e(k)}</code></td><td>{e(repr(v)) if v != '' else '(default)'}</td></tr>"
        for k, v in params.items()
    )
    created = manifest.get("created", "")
    version = str(manifest.get("versions", {}).get("retainkit"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }}
h1 {{ margin-bottom: 0.2rem; }} .meta {{ color: #666; font-size: 0.9rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: left; }}
td.v {{ text-align: right; font-weight: bold; white-space: nowrap; }} code {{ color: #555; }}
</style></head><body>
<h1>{e(title)}</h1>
<p class="meta">Created {e(created)} with retainkit {e(version)}.
Data: {e(str(params.get("data", "")))}.
Machine-readable figures: <a href="manifest.json">manifest.json</a>.</p>
{"".join(sections)}
<h2>Parameters</h2><table><tbody>{param_rows}</tbody></table>
</body></html>
"""


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
        process may use (never more than the notebooks). Above 1, each kernel's DuckDB
        gets an equal share of the cores (the ``RETAINKIT_THREADS`` environment
        variable, unless it is already set), the progress lines come in the order the
        notebooks start and end, and the first notebook to fail stops the others. 1 runs
        the notebooks one after another.

    Returns
    -------
    ReportResult

    Raises
    ------
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
    per_notebook = _parameters_for(notebooks, given)
    first_effective = next(iter(per_notebook.values()))[1]
    from retainkit.engine import hide_password
    from retainkit.engine._backend import THREADS_ENV

    data_name = hide_password(str(first_effective.get("data", "data")))
    jobs = min(jobs or _usable_cores(), len(notebooks))
    threads = None  # DuckDB threads per kernel: a share of the cores, unless the user set it
    if jobs > 1 and not os.environ.get(THREADS_ENV, "").strip():
        threads = max(1, _usable_cores() // jobs)

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
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()

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
    started = time.perf_counter()
    place = _Place(work=work, folder=folder, timeout_seconds=timeout_seconds)
    try:
        if jobs == 1:
            runs = _run_in_turn(notebooks, per_notebook, manifest, place, say)
        else:
            with _environment(THREADS_ENV, None if threads is None else str(threads)):
                runs = _run_side_by_side(notebooks, per_notebook, manifest, place, say, jobs)
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


def _hidden(values: Mapping[str, Any]) -> dict[str, Any]:
    from retainkit.engine import hide_password

    return {k: hide_password(v) if isinstance(v, str) else v for k, v in values.items()}


def _execute(nb: Any, out_nb: Path, passed: Mapping[str, Any], place: _Place, km: Any) -> None:
    """Run one notebook with Papermill into ``out_nb``, its kernel working in ``place.work``.

    Without ``km`` Papermill starts the kernel in the work folder by changing the whole
    process's folder (``cwd``), which is not safe with two notebooks running at once
    (nteract/papermill#473); with a kernel manager the kernel is told its folder the way
    nbclient does it, and the caller can stop it.
    """
    import papermill

    where: dict[str, Any] = (
        {"cwd": str(place.work)}
        if km is None
        else {"km": km, "resources": {"metadata": {"path": str(place.work)}}}
    )
    papermill.execute_notebook(
        nb,
        str(out_nb),
        parameters=dict(passed),
        progress_bar=False,
        execution_timeout=place.timeout_seconds,
        # the kernel's start-up warnings are noise in a report run
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        **where,
    )


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


def _record(
    manifest: dict[str, Any], run: NotebookRun, got: dict[str, Any], *, check: bool = True
) -> None:
    """Add a finished notebook's figures, entry and time to the manifest."""
    clash = {
        k
        for k in got["figures"]
        if k in manifest["figures"] and manifest["figures"][k] != got["figures"][k]
    }
    if clash and check:
        raise ReportError(
            f"notebook {run.name} reports key figures {sorted(clash)} with values other "
            "notebooks reported differently"
        )
    manifest["figures"].update(got["figures"])
    manifest["figure_reasons"].update(got["reasons"])
    manifest["notebooks"].append(
        {
            "name": run.name,
            "title": run.title,
            "status": "ok",
            "seconds": round(run.seconds, 2),
            "notebook": run.notebook.name,
            "html": run.html.name if run.html else None,
        }
    )
    manifest["timings_seconds"][run.name] = round(run.seconds, 2)


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
) -> list[NotebookRun]:
    """Run the notebooks one after another (``jobs=1``)."""
    from papermill.exceptions import PapermillExecutionError

    runs = []
    for i, nb_path in enumerate(notebooks, start=1):
        passed, effective = per_notebook[nb_path]
        name = nb_path.stem
        manifest["notebook_parameters"][name] = _hidden(effective)
        say(f"[{i}/{len(notebooks)}] {name} ...")
        out_nb = place.work / f"{name}.ipynb"
        t0 = time.perf_counter()
        try:
            with _inline_figures():
                _execute(_without_interactive_cells(nb_path), out_nb, passed, place, km=None)
        except PapermillExecutionError as exc:
            seconds = time.perf_counter() - t0
            manifest["notebooks"].append(
                {"name": name, "status": "failed", "seconds": round(seconds, 2)}
            )
            manifest["status"] = "failed"
            failed = _finish_failed(place.work, place.folder, manifest)
            raise _failure(name, exc, failed / out_nb.name) from None
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
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()


def _run_side_by_side(
    notebooks: list[Path],
    per_notebook: Mapping[Path, tuple[dict[str, Any], dict[str, Any]]],
    manifest: dict[str, Any],
    place: _Place,
    say: Callable[[str], None],
    jobs: int,
) -> list[NotebookRun]:
    """Run up to ``jobs`` notebooks at once, each in a thread driving its own kernel.

    The threads only wait on their kernels (separate processes) and convert the result
    to HTML. The first notebook to fail stops the others (their kernels are killed and
    the notebooks not yet started are not run); the manifest records every notebook in
    notebook order.
    """
    from jupyter_client.manager import AsyncKernelManager
    from papermill.exceptions import PapermillExecutionError
    from papermill.utils import nb_kernel_name

    n = len(notebooks)
    say_lock = threading.Lock()
    kernels_lock = threading.Lock()
    stop = threading.Event()
    kernels: dict[int, Any] = {}

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
        km = AsyncKernelManager(kernel_name=nb_kernel_name(nb))
        with kernels_lock:
            kernels[i] = km
        tell(f"[{i}/{n}] {name} ...")
        t0 = time.perf_counter()
        try:
            _execute(nb, out_nb, passed, place, km=km)
        except PapermillExecutionError as exc:
            seconds = time.perf_counter() - t0
            stop.set()  # before this thread takes the next notebook
            tell(f"[{i}/{n}] {name} failed after {seconds:.1f} s")
            return _Outcome(i, nb_path, "failed", seconds, error=exc)
        except Exception:
            if not stop.is_set():
                raise
            seconds = time.perf_counter() - t0
            tell(f"[{i}/{n}] {name} stopped after {seconds:.1f} s")
            return _Outcome(i, nb_path, "stopped", seconds)
        finally:
            with kernels_lock:
                kernels.pop(i, None)
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
        with (
            _inline_figures(),
            ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="retainkit-report") as pool,
        ):
            futures: list[Future[_Outcome]] = [
                pool.submit(one, i, nb_path) for i, nb_path in enumerate(notebooks, start=1)
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
                        _stop_kernels(kernels, kernels_lock)
            except BaseException:  # an interrupt or an error: stop the rest, then report
                stop.set()
                for future in futures:
                    future.cancel()
                while not all(f.done() for f in futures):
                    _stop_kernels(kernels, kernels_lock)
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


def _finish_failed(work: Path, folder: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest into the work folder and park it as ``<folder>.failed``."""
    with contextlib.suppress(OSError):
        (work / "manifest.json").write_text(
            json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
    failed = folder.with_name(folder.name + ".failed")
    if failed.exists():
        shutil.rmtree(failed, ignore_errors=True)
    with contextlib.suppress(OSError):
        work.rename(failed)
        return failed
    return work
