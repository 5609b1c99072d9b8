"""The HTML reports of `retainkit report`, opened in Chromium as a reader opens them.

One report run (every notebook on the demo shop) into a temporary folder; then each page:
every section of the notebook is there in order, every figure is an image with a size,
nothing is logged to the console or fails to load, the index links resolve, and no table
is wider than the page. Screenshots of every page go to the screenshots folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from retainkit.report import INTERACTIVE_TAG, list_notebooks, run_report

NOTEBOOKS = [p.stem for p in list_notebooks()]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One report run on the default data (the demo shop)."""
    return run_report(out=tmp_path_factory.mktemp("report") / "run")


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def _clean(page, what: str) -> None:
    assert not page.log.errors, f"{what}: console errors {page.log.errors}"
    assert not page.log.failed_requests, f"{what}: failed to load {page.log.failed_requests}"


def _texts(page, selector: str) -> list[str]:
    """Texts of the headings, without nbconvert's anchor mark."""
    return [re.sub(r"¶$", "", t.strip()).strip() for t in page.locator(selector).all_inner_texts()]


def _headings(nb_path: Path) -> list[str]:
    """The section headings (##) a reader should see, in the notebook's order."""
    nb = nbformat.read(nb_path, as_version=4)
    return [
        line[3:].strip()
        for c in nb.cells
        if c.cell_type == "markdown" and INTERACTIVE_TAG not in c.metadata.get("tags", [])
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]


def test_index(page, report, screenshots):
    _open(page, report.index)
    page.screenshot(path=screenshots / "report-index.png", full_page=True)
    _clean(page, "index.html")
    titles = [run.title for run in report.notebooks]
    assert page.locator("h2 a").all_inner_texts() == titles
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert len(hrefs) >= 2 * len(NOTEBOOKS) + 1  # each page, each notebook, the manifest
    for href in hrefs:
        target = Path(unquote(urlparse(href).path))
        assert target.is_file(), f"index links to {href}, which does not exist"
        assert target.parent == report.folder
    # the key figures show values, formatted for people
    values = page.locator("td.v").all_inner_texts()
    assert values and all(v.strip() for v in values)
    # and each page link opens its report
    for title in titles:
        page.locator("h2 a", has_text=title).click()
        page.wait_for_load_state("load")
        assert _texts(page, "h1")[0] == title
        page.go_back()
    _clean(page, "index.html and the pages it links")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_page(page, report, screenshots, name):
    run = next(r for r in report.notebooks if r.name == name)
    _open(page, run.html)
    page.screenshot(path=screenshots / f"report-{name}.png", full_page=True)
    _clean(page, run.html.name)

    # every section, in the notebook's order
    assert _texts(page, "h2") == _headings(run.source)
    assert _texts(page, "h1")[0] == run.title

    # no error output, no code
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0
    assert "Traceback" not in page.inner_text("body")

    # every figure of the executed notebook is an image that loaded, with a size
    executed = nbformat.read(run.notebook, as_version=4)
    n_png = sum(
        "image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", [])
    )
    images = page.eval_on_selector_all(
        ".jp-OutputArea-output img",
        "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight, i.width, i.height])",
    )
    assert n_png > 0 and len(images) == n_png
    assert all(min(size) > 0 for size in images), images

    # tables fit the page: a reader never scrolls sideways to read one
    page_width = page.evaluate("document.documentElement.clientWidth")
    too_wide = page.eval_on_selector_all(
        "table",
        f"""ts => ts.filter(t => t.getBoundingClientRect().right > {page_width} + 1)
            .map(t => (t.caption ? t.caption.innerText : t.innerText).slice(0, 80))""",
    )
    assert not too_wide, f"tables wider than the page: {too_wide}"
