"""The app's pages: parameterised copies of the notebooks and a generated front page.

The notebooks are copied, never changed: each copy gets the parameters the command line
gave (Papermill's injected cell, the same checks and conversions as ``retainkit report``)
and, first of all, a cell that makes errors show as a message
(:func:`retainkit.app.show_errors_plainly`). The front page is a notebook written here:
it loads the data as the notebooks do and shows each notebook's headline figures
(:mod:`retainkit.sections.front`), with the same parameter values.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retainkit.exceptions import ReportError

__all__ = ["FRONT_PAGE", "HEADLINE_CALLS", "write_pages"]

#: File name of the generated front page.
FRONT_PAGE = "index.ipynb"

#: Notebook name -> (variable, function of :mod:`retainkit.sections.front`) of its headlines.
HEADLINE_CALLS: dict[str, tuple[str, str]] = {
    "01_groundwork": ("groundwork", "groundwork_headlines"),
    "02_segmentation": ("segmentation", "segmentation_headlines"),
    "03_lifetime_value": ("lifetime_value", "lifetime_value_headlines"),
}

#: The parameters of :func:`retainkit.load_dataset` the notebooks pass through.
_LOAD = ("columns", "customers", "reasons", "as_of", "currency", "prepared")

_ERRORS_CELL = "import retainkit.app\n\nretainkit.app.show_errors_plainly()"


def _code(source: str, *tags: str) -> Any:
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _markdown(source: str) -> Any:
    import nbformat

    return nbformat.v4.new_markdown_cell(source)


def _page(path: Path, passed: Mapping[str, Any]) -> Any:
    """Return a notebook's copy: the parameters injected, the errors cell in front."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    # read as Papermill reads (every cell gets its tags list), then parameterised as it does
    nb = parameterize_notebook(load_notebook_node(str(path)), dict(passed))
    nb.cells.insert(0, _code(_ERRORS_CELL, "retainkit-app"))
    return nb


def _call(function: str, first: str, values: Mapping[str, Any]) -> str:
    """``function(first, name=value, ...)`` over lines, the values as Python literals."""
    args = "".join(f"    {k}={v!r},\n" for k, v in values.items())
    return f"{function}(\n    {first},\n{args})"


def _options(notebook: str, function: str, effective: Mapping[str, Any]) -> dict[str, Any]:
    """Return the notebook's values of the headline function's keyword options."""
    from retainkit.sections import front

    names = [
        p.name
        for p in inspect.signature(getattr(front, function)).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    missing = [n for n in names if n not in effective]
    if missing:
        raise ReportError(
            f"notebook {notebook} has no parameter {', '.join(missing)}, which the front "
            f"page's {function} takes: the front page and the notebook must agree"
        )
    return {n: effective[n] for n in names}


def _front_page(
    titles: Mapping[str, str],
    effective: Mapping[str, Mapping[str, Any]],
    *,
    data_name: str,
) -> Any:
    """Return the generated front page notebook."""
    import nbformat

    first = next(iter(effective.values()))
    links = " · ".join(f"[{title}]({name}.ipynb)" for name, title in titles.items())
    load = _call(
        "ds = rk.load_dataset",
        repr(first.get("data", "demo")),
        {k: first[k] for k in _LOAD if k in first},
    )
    calls = {n: c for n, c in HEADLINE_CALLS.items() if n in effective}
    headline_cells = [
        _code(_call(f"{var} = front.{function}", "ds", _options(n, function, effective[n])))
        for n, (var, function) in calls.items()
    ]
    pages = {n: (titles[n], f"{n}.ipynb") for n in calls}
    groundwork = effective.get("01_groundwork")
    cells = [
        _code(_ERRORS_CELL, "retainkit-app"),
        _markdown(
            f"# Retention dashboard\n\nData: `{data_name}`. Pages: {links}.\n\n"
            "Each page is a notebook with its scenario controls live; the headline figures "
            "below are the pages' own, computed with the same settings."
        ),
        _code("import retainkit as rk\nfrom retainkit.sections import front"),
        _code(load),
        *headline_cells,
        _code(
            "front.front_section(\n"
            f"    [{', '.join(var for var, _ in calls.values())}],\n"
            f"    pages={pages!r},\n"
            + (
                "    call_list_files=front.write_call_list(groundwork.review, "
                f"{groundwork.get('call_list_file', '')!r}),\n"
                if groundwork is not None
                else ""
            )
            + "    files_url='../files/',\n)"
        ),
    ]
    if groundwork is not None:
        cells += [
            _markdown("## Since the previous review"),
            _code(
                "front.changes_section(\n"
                f"    {groundwork.get('previous', '')!r},\n"
                "    groundwork,\n"
                "    ds.transactions,\n"
                f"    rows_shown={groundwork.get('rows_shown', 20)!r},\n)"
            ),
        ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_pages(
    folder: str | Path,
    *,
    data: str | None = None,
    columns: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    previous: str | None = None,
    notebooks: Iterable[str | Path] | None = None,
) -> list[Path]:
    """Write the app's pages into ``folder``: the front page and each notebook's copy.

    Parameters
    ----------
    folder : str or Path
        An existing, empty folder (the app's temporary folder).
    data, columns, parameters, previous
        As for :func:`retainkit.report.run_report`; checked and converted the same way
        (relative paths resolved against the current folder).
    notebooks : iterable of path, optional
        The notebooks; default: retainkit's own (:func:`retainkit.report.list_notebooks`).

    Returns
    -------
    list of Path
        The front page first, then the notebooks in order.

    Raises
    ------
    ReportError
        For an unknown parameter, a value of the wrong type or a missing input file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_pages(folder, parameters={"churn_days": "120"})]
    ['index.ipynb', '01_groundwork.ipynb', '02_segmentation.ipynb', '03_lifetime_value.ipynb']
    """
    import nbformat

    from retainkit.engine import hide_password
    from retainkit.report._pages import _title_of
    from retainkit.report._parameters import _parameters_for, list_notebooks

    given: dict[str, Any] = dict(parameters or {})
    if data is not None:
        given["data"] = str(data)
    if columns is not None:
        given["columns"] = str(columns)
    if previous:
        given["previous"] = str(previous)
    paths = [Path(p) for p in notebooks] if notebooks is not None else list_notebooks()
    if not paths:
        raise ReportError("no notebooks found to serve")
    per_notebook = _parameters_for(paths, given)
    out = Path(folder)
    written, titles, effective = [], {}, {}
    for path in paths:
        passed, values = per_notebook[path]
        nb = _page(path, passed)
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
        titles[path.stem] = _title_of(nb, path.stem)
        effective[path.stem] = values
    first = next(iter(effective.values()))
    front = _front_page(titles, effective, data_name=hide_password(str(first.get("data", ""))))
    nbformat.write(front, out / FRONT_PAGE)
    return [out / FRONT_PAGE, *written]
