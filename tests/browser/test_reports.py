"""The HTML reports of `retainkit report`, opened in Chromium as a reader opens them.

One report run (every notebook on the demo shop) into a temporary folder; then each page:
every section of the notebook is there in order, every figure is an image with a size,
nothing is logged to the console or fails to load, the index links resolve, and no table
is wider than the page. Screenshots of every page go to the screenshots folder.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from retainkit.report import INTERACTIVE_TAG, list_notebooks, run_report
from retainkit.report._pages import HEADLINE_FIGURES

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


def test_index_orders_figures_as_a_reader_would_and_links_each_to_its_section(
    page, report, screenshots
):
    _open(page, report.index)
    figures = json.loads((report.folder / "manifest.json").read_text())["figures"]
    # the headline first, in the reader's order: the first figure of each entry with a value
    expected = [next(k for k in entry if figures.get(k) is not None) for entry in HEADLINE_FIGURES]
    assert page.locator(".cards .name").all_inner_texts() == expected
    assert _texts(page, "h2")[:2] == ["Headline", "The data"]
    # every key figure of the manifest is on the index once, its manifest name as a detail
    names = page.locator("code.name").all_inner_texts()
    assert sorted(names) == sorted(figures)
    assert page.locator("code.name").first.evaluate("e => getComputedStyle(e).color") == (
        "rgb(136, 136, 136)"
    )
    # each figure links to a section of its page that exists
    links = page.eval_on_selector_all(
        ".card a, td a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(links) == len(figures)
    by_page: dict[str, list[str]] = {}
    for href in links:
        name, _, anchor = href.partition("#")
        assert anchor, f"{href} links to no section"
        by_page.setdefault(name, []).append(anchor)
    for name, anchors in by_page.items():
        assert (report.folder / name).is_file()
        _open(page, report.folder / name)
        for anchor in anchors:
            assert page.locator(f"[id='{anchor}']").count() == 1, f"{name}#{anchor}: no section"
    # on paper: two A4 pages
    _open(page, report.index)
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=screenshots / "report-index-print.png", full_page=True)
    page.emulate_media(media="screen")
    _clean(page, "index.html and the sections it links")


#: Scenario tables (the controls' functions at preset settings) on each page, in order.
SCENARIO_TABLES = {
    "01_groundwork": ["Other inactivity thresholds", "Other list lengths"],
    "02_segmentation": ["Other top shares", "Segment sizes with"],
    "03_lifetime_value": ["Retention uplifts"],
}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_scenario_tables_stand_in_for_the_controls(page, report, screenshots, name):
    run = next(r for r in report.notebooks if r.name == name)
    _open(page, run.html)
    tables = page.locator("table.rk-scenario")
    captions = [c.strip() for c in tables.locator("caption").all_inner_texts()]
    assert len(captions) == len(SCENARIO_TABLES[name])
    for caption, start in zip(captions, SCENARIO_TABLES[name], strict=True):
        assert caption.startswith(start), caption
    tables.first.scroll_into_view_if_needed()
    tables.first.screenshot(path=screenshots / f"report-{name}-scenarios.png")
    figures = json.loads((report.folder / "manifest.json").read_text())["figures"]
    cells = tables.first.locator("tbody tr").all()
    if name == "01_groundwork":  # the 1 x row is the report's own figures
        row = [t.strip() for t in cells[1].locator("td").all_inner_texts()]
        assert row[0] == "1 x" and row[1] == str(figures["groundwork.churn_days"])
        assert row[3] == f"{figures['groundwork.customers_lost']:,}"
        assert row[4] == f"{figures['groundwork.churn_rate']:.1%}"
    if name == "02_segmentation":  # the 20% row is the key figure
        row = [t.strip() for t in cells[1].locator("td").all_inner_texts()]
        assert row[0] == "20.0%" and row[-1] == f"{figures['segmentation.top20_revenue_share']:.1%}"
    if name == "03_lifetime_value":
        heads = [t.strip() for t in tables.first.locator("thead th").all_inner_texts()]
        assert heads == ["Measure", "Baseline", "Plus 1 point", "Plus 2 points", "Plus 5 points"]
    _clean(page, run.html.name)


def test_call_list_is_a_sortable_table_with_its_file(page, report, screenshots):
    run = next(r for r in report.notebooks if r.name == "01_groundwork")
    _open(page, run.html)
    table = page.locator("table.rk-sortable")
    assert table.count() == 1
    with (report.folder / "call_list.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    rows = table.locator("tbody tr")
    assert rows.count() == len(lines)
    heads = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    col = heads.index("Value at risk")

    def keys() -> list[float]:
        got = table.locator(f"tbody tr td:nth-child({col + 1})").evaluate_all(
            "tds => tds.map(td => td.getAttribute('data-sort'))"
        )
        return [float(k) for k in got if k]

    assert sorted(keys()) == sorted(float(x["value_at_risk"]) for x in lines if x["value_at_risk"])
    table.locator("thead th").nth(col).click()
    assert keys() == sorted(keys())
    assert table.locator("thead th").nth(col).get_attribute("aria-sort") == "ascending"
    table.locator("thead th").nth(col).click()
    assert keys() == sorted(keys(), reverse=True)
    table.scroll_into_view_if_needed()
    table.screenshot(path=screenshots / "report-call-list-sorted.png")
    link = table.locator("caption a[download]")
    href = link.evaluate("a => a.href")
    assert Path(unquote(urlparse(href).path)) == report.folder / "call_list.csv"
    _clean(page, run.html.name)
