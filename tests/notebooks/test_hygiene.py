"""Every notebook: no outputs, one typed parameters cell, no def or class."""

import ast
import re

import nbformat
import pytest

from retainkit.report import list_notebooks, notebook_parameters

NOTEBOOKS = list_notebooks()
FMT_OFF = "# fmt: off"
PARAM_LINE = re.compile(r"^[a-z_][a-z0-9_]*: (str|int|float|bool) = [^=#]+  # [^=]+$")


def test_there_are_three_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_groundwork", "02_segmentation", "03_lifetime_value"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_hygiene(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0], "one parameters cell, first code cell"
    first, *lines = tagged[0].source.splitlines()
    # ruff format would wrap a long line in parentheses, and papermill then drops its help
    assert first == FMT_OFF, f"the parameters cell starts with {FMT_OFF!r}"
    for line in lines:
        assert PARAM_LINE.match(line), f"parameter line not 'name: type = value  # help': {line}"
    for cell in code:
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"logic belongs in retainkit/: {cell.source[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_have_help_text(path):
    nb = nbformat.read(path, as_version=4)
    lines = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", [])).source
    params = notebook_parameters(path)
    # papermill skips a line with a second "=" (in its help, say): every line must parse
    assert len(params) == len([x for x in lines.splitlines() if x != FMT_OFF])
    assert {"data", "columns", "as_of", "currency"} <= set(params)
    assert all(p["help"] for p in params.values())
