"""The run's pages: each executed notebook as HTML, its key figures, and the index page."""

from __future__ import annotations

import html
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
# notebooks have no formulas, so the report page loads no script at all.
_REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


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
