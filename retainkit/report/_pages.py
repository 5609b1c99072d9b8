"""The run's pages: each executed notebook as HTML, its key figures, and the index page."""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retainkit.figures import MIMETYPE, format_value
from retainkit.report._results import NotebookRun


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
# notebooks have no formulas, so the report page loads no script: its one script is the
# small inline sorter of the tables marked sortable (the call list), which needs nothing
# from the network. A click on a heading sorts by that column's ``data-sort`` keys
# (numbers as numbers, empty cells last); a second click reverses the order.
_SORT_CSS = """
table.rk-sortable th { cursor: pointer; white-space: nowrap; }
table.rk-sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.rk-sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
"""
_SORT_JS = """
document.querySelectorAll("table.rk-sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort");
        var y = b.cells[col].getAttribute("data-sort");
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var nx = Number(x), ny = Number(y);
        var d = isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny;
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""
_REPORT_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>"""
    + _SORT_CSS
    + """</style>{% endblock extra_css %}
{% block footer_js %}<script>"""
    + _SORT_JS
    + """</script>{% endblock footer_js %}
"""
)


def _to_html(nb: Any, path: Path) -> None:
    """Write a notebook's report page: outputs only, with the report's template."""
    exporter, lock = _exporter()
    with lock:  # the exporter registers its filters per call: one notebook at a time
        body, _ = exporter.from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


@functools.cache
def _exporter() -> tuple[Any, threading.Lock]:
    """Return the one HTML exporter of this process and the lock its callers take.

    One exporter for every page: a new one compiles the page templates again, about a
    quarter of a page's conversion (cProfile of a demo page, 2026-12-03).
    """
    import jinja2

    exporter = _page_exporter_class()(
        template_name="lab",
        template_file="retainkit_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"retainkit_report.html.j2": _REPORT_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    return exporter, threading.Lock()


#: nbconvert's HTMLExporter ends each page by parsing and writing the whole page again with
#: BeautifulSoup, base64 figures included: 44-75% of a demo or Online Retail page's
#: conversion (0.12-0.26 s, against 0.05-0.10 s without; best of 3, 2026-12-03), to add two
#: things: an alt text to every image without one, and ``tabindex="0"`` to every cell's
#: input (a markdown cell's text) and output, so that a keyboard reaches it. The report's
#: exporter adds the same two to the template's text: the images are the figures the
#: template writes (``<img src="data:image/...``).
_NO_ALT = 'alt="No description has been provided for this image" '
#: one attribute (a quoted value may hold ">"), so that alt= and tabindex= are found as names
_ATTR = r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
_FIGURE_WITHOUT_ALT = re.compile(r'<img (?=src="data:image/)(?!(?:' + _ATTR + r"\s+)*?alt\s*=)")
_FOCUSABLE_WITHOUT_TABINDEX = re.compile(
    r"<div (?!(?:" + _ATTR + r"\s+)*?tabindex\s*=)"
    r'(?=(?:[a-z-]+="[^"]*" )*class="(?:[^"]* )?jp-(?:Cell-inputWrapper|OutputArea-output)[ "])'
)
#: Text that is not markup: scripts, styles and comments, left as they are
_NOT_MARKUP = re.compile(r"(<(script|style)\b.*?</\2\s*>|<!--.*?-->)", re.S | re.I)


def _accessible(page: str) -> str:
    """Add the alt texts and tabindex of nbconvert's pass to the page's markup only."""
    parts = _NOT_MARKUP.split(page)
    out = []
    for i in range(0, len(parts), 3):  # text, matched block, its tag name, text, ...
        text = _FIGURE_WITHOUT_ALT.sub("<img " + _NO_ALT, parts[i])
        out.append(_FOCUSABLE_WITHOUT_TABINDEX.sub('<div tabindex="0" ', text))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _page_exporter_class() -> type:
    """Return nbconvert's HTMLExporter with the end of its page conversion done in text."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node (nbconvert 7.17) up to its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    return PageExporter


#: The index's headline, in a reader's order: customers lost, churn rate, revenue lost,
#: lifetime value. Each entry lists the figures that can stand for it, the first with a
#: value wins (the 12-month figures need a full year of window).
HEADLINE_FIGURES: tuple[tuple[str, ...], ...] = (
    ("groundwork.customers_lost_12m", "groundwork.customers_lost"),
    ("groundwork.churn_rate_12m", "groundwork.churn_rate"),
    ("groundwork.revenue_lost_12m",),
    ("ltv.clv_mean",),
)

#: Section of its notebook each key figure comes from, by the start of its name (the
#: longest match wins). A heading the notebook no longer has falls back to its "Key
#: figures" section, else to the top of the page.
FIGURE_SECTIONS: dict[str, str] = {
    "data.": "The data",
    "groundwork.as_of": "When does a customer count as lost?",
    "groundwork.churn_days": "When does a customer count as lost?",
    "groundwork.window_days": "When does a customer count as lost?",
    "groundwork.customers_": "1. How many customers did we lose?",
    "groundwork.churn_rate": "1. How many customers did we lose?",
    "groundwork.revenue_lost": "3. What did it cost?",
    "groundwork.profit_lost": "3. What did it cost?",
    "groundwork.lifetime_value_lost": "3. What did it cost?",
    "groundwork.call_list": "The call list",
    "groundwork.call_list_backtest": "Would this list have found who left?",
    "segmentation.customers": "1. Who brings the value",
    "segmentation.top20": "1. Who brings the value",
    "segmentation.gini": "1. Who brings the value",
    "segmentation.champions": "2. RFM scores and segments",
    "segmentation.at_risk": "2. RFM scores and segments",
    "segmentation.loyal_share": "4. Lifecycle: from the first purchase to loyalty",
    "ltv.crr": "Retention rates",
    "ltv.retained_share": "Retention rates",
    "ltv.nrr": "Revenue retention",
    "ltv.grr": "Revenue retention",
    "ltv.bgnbd": "The purchase and spend models",
    "ltv.holdout": "Does the model predict? A holdout check",
    "ltv.clv": "Lifetime value per customer and per segment",
    "ltv.max_acquisition_cost": "What you can afford to spend to win a customer",
}


def _anchor(heading: str) -> str:
    """Return the id nbconvert gives a Markdown heading: its text, spaces as hyphens."""
    return re.sub(r"[*`_]", "", heading).strip().replace(" ", "-")


def _headings(run: NotebookRun) -> list[str]:
    """Return the headings of a run's notebook in order (from its source, which has them all)."""
    import nbformat

    try:
        nb = nbformat.read(run.source, as_version=4)
    except (OSError, ValueError):
        return []
    return [
        line.lstrip("#").strip()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


def _place(name: str, headings: list[str]) -> tuple[int, int]:
    """Sort key of a figure in a reader's order: its section's place on the page, then its own.

    Within a section the figures keep the order of :data:`FIGURE_SECTIONS` (and of the
    notebook for names it does not list).
    """
    starts = sorted((k for k in FIGURE_SECTIONS if name.startswith(k)), key=len, reverse=True)
    heading = FIGURE_SECTIONS[starts[0]] if starts else "Key figures"
    page = headings.index(heading) if heading in headings else len(headings)
    return page, list(FIGURE_SECTIONS).index(starts[0]) if starts else len(FIGURE_SECTIONS)


def _section_of(name: str, headings: list[str]) -> str:
    """Return the anchor of the section a figure comes from, or "" for the top of the page."""
    starts = sorted((k for k in FIGURE_SECTIONS if name.startswith(k)), key=len, reverse=True)
    for heading in [FIGURE_SECTIONS[k] for k in starts[:1]] + ["Key figures"]:
        if heading in headings:
            return _anchor(heading)
    return ""


def _figure_row(run: NotebookRun, name: str, headings: list[str]) -> str:
    """Return one key figure as a table row: its label linked to its section, its value."""
    e = html.escape
    value = run.figures[name]
    text = (
        format_value(value, run.units.get(name, ""), run.currency)
        if value is not None
        else "not available: " + run.reasons.get(name, "")
    )
    label = e(run.labels.get(name, name))
    if run.html:
        section = _section_of(name, headings)
        href = run.html.name + (f"#{section}" if section else "")
        label = f"<a href='{e(href)}'>{label}</a>"
    return (
        f"<tr><td>{label}<br><code class='name'>{e(name)}</code></td>"
        f"<td class='v'>{e(text)}</td></tr>"
    )


def _figure_rows(
    run: NotebookRun, *, data_figures: bool, skip: frozenset[str] = frozenset()
) -> str:
    """Table of a run's key figures: the ``data.*`` ones, or all the others but ``skip``."""
    headings = _headings(run)
    names = [k for k in run.figures if k.startswith("data.") == data_figures and k not in skip]
    rows = [_figure_row(run, k, headings) for k in sorted(names, key=lambda k: _place(k, headings))]
    if not rows:
        return ""
    return (
        "<table><thead><tr><th>Key figure <span class='name'>(manifest name)</span></th>"
        f"<th>Value</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _headline(runs: list[NotebookRun]) -> tuple[str, frozenset[str]]:
    """Return the headline figures as cards, and the names shown there."""
    e = html.escape
    cards, shown = [], []
    for candidates in HEADLINE_FIGURES:
        found = [(run, k) for k in candidates for run in runs if k in run.figures]
        if not found:
            continue
        run, name = next(((r, k) for r, k in found if r.figures[k] is not None), found[0])
        value = run.figures[name]
        text = (
            format_value(value, run.units.get(name, ""), run.currency)
            if value is not None
            else "not available"
        )
        label = e(run.labels.get(name, name))
        if run.html:
            section = _section_of(name, _headings(run))
            href = run.html.name + (f"#{section}" if section else "")
            label = f"<a href='{e(href)}'>{label}</a>"
        cards.append(
            f"<div class='card'><div class='big'>{e(text)}</div><div>{label}</div>"
            f"<code class='name'>{e(name)}</code></div>"
        )
        shown.append(name)
    if not cards:
        return "", frozenset()
    return (
        f"<section class='headline'><h2>Headline</h2><div class='cards'>{''.join(cards)}</div>"
        "</section>",
        frozenset(shown),
    )


_INDEX_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: left; }
td.v { text-align: right; font-weight: bold; white-space: nowrap; } code { color: #555; }
.name { color: #888; font-size: 0.75rem; font-weight: normal; }
a { color: #1a4d8f; text-decoration: none; } a:hover { text-decoration: underline; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 0.5rem 0 1.5rem; }
.card { flex: 1 1 12rem; border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; }
.card .big { font-size: 1.6rem; font-weight: bold; }
table.params td { padding: 0.1rem 0.8rem; font-size: 0.85rem; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  h1 { font-size: 15pt; } h2 { font-size: 11pt; margin: 0.5rem 0 0.2rem; }
  .meta { font-size: 8pt; margin: 0.2rem 0; }
  a { color: inherit; }
  table { margin: 0.2rem 0 0.4rem; width: 100%; }
  td, th { padding: 0.05rem 0.4rem; }
  tr, .card { break-inside: avoid; }
  h2 { break-after: avoid; }
  .name { font-size: 6.5pt; }
  .cards { gap: 0.4rem; margin: 0.2rem 0 0.4rem; }
  .card { padding: 0.3rem 0.5rem; flex-basis: 8rem; } .card .big { font-size: 14pt; }
  table.params, table.params tbody { display: block; width: 100%; }
  table.params tbody { columns: 3; column-gap: 1rem; }
  table.params tr { display: flex; justify-content: space-between; break-inside: avoid; }
  table.params td { font-size: 7pt; border: 0; padding: 0 0.2rem; }
}
"""


def _index_html(title: str, manifest: Mapping[str, Any], runs: list[NotebookRun]) -> str:
    e = html.escape
    headline, shown = _headline(runs)
    sections = [headline] if headline else []
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
            f"<section class='notebook'><h2>{link}</h2><p class='meta'>{e(run.name)}.ipynb · "
            f"ran in {run.seconds:.1f} s · <a href='{e(run.notebook.name)}'>executed "
            f"notebook</a></p>{_figure_rows(run, data_figures=False, skip=shown)}</section>"
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
<style>{_INDEX_CSS}</style></head><body>
<h1>{e(title)}</h1>
<p class="meta">Created {e(created)} with retainkit {e(version)}.
Data: {e(str(params.get("data", "")))}.
Machine-readable figures: <a href="manifest.json">manifest.json</a>.</p>
{"".join(sections)}
<section class="parameters"><h2>Parameters</h2>
<table class="params"><tbody>{param_rows}</tbody></table></section>
</body></html>
"""
