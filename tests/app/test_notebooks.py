"""The app's pages: the notebooks' copies and the front page, the originals untouched."""

import nbformat
import pytest

from retainkit.app import FRONT_PAGE, write_pages
from retainkit.app._notebooks import HEADLINE_CALLS
from retainkit.exceptions import ReportError
from retainkit.report import list_notebooks


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    before = {p: p.read_bytes() for p in list_notebooks()}
    written = write_pages(folder, parameters={"churn_days": "120", "top_share": "0.3"})
    assert {p: p.read_bytes() for p in list_notebooks()} == before
    return written


def test_front_page_first_then_the_notebooks(pages):
    assert [p.name for p in pages] == [FRONT_PAGE, *(p.name for p in list_notebooks())]


def test_copies_have_the_errors_cell_first_and_the_parameters_injected(pages):
    for path in pages[1:]:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source.endswith("retainkit.app.show_errors_plainly()")
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert "churn_days = 120" in injected[0].source  # converted to the notebook's int
    seg = nbformat.read(pages[2], as_version=4)
    assert any("top_share = 0.3" in c.source for c in seg.cells)


def test_front_page_calls_the_headlines_with_the_notebooks_values(pages):
    nb = nbformat.read(pages[0], as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].source.endswith("retainkit.app.show_errors_plainly()")
    for variable, function in HEADLINE_CALLS.values():
        assert f"{variable} = front.{function}(" in code
    assert "churn_days=120," in code
    assert "front.changes_section(" in code
    assert "front.write_call_list(groundwork.review, 'call_list')" in code
    for cell in nb.cells:  # house style: no def, class, if or loop in a cell
        for word in ("def ", "class ", "if ", "for ", "while "):
            assert not cell.source.startswith(word)


def test_unknown_parameter_is_refused(tmp_path):
    with pytest.raises(ReportError, match="unknown parameter 'churndays'"):
        write_pages(tmp_path, parameters={"churndays": "3"})


def test_missing_data_file_is_refused(tmp_path):
    with pytest.raises(ReportError, match=r"data='nope\.csv': no such file or folder"):
        write_pages(tmp_path, data="nope.csv")
