"""The report page: nbconvert's HTML with its accessibility pass done in text."""

import base64
import copy

import jinja2
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from retainkit.report import _pages

PNG_SRC = "data:image/png;base64,AA"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a picture").decode()


def _notebook():
    plot = new_code_cell(
        "plot()",
        outputs=[
            new_output(
                "display_data",
                data={"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"},
            ),
            new_output("display_data", data={"image/jpeg": PNG, "text/plain": "photo"}),
        ],
    )
    table = new_code_cell(
        "show()",
        outputs=[
            new_output("stream", name="stdout", text="loading <done>\n"),
            new_output(
                "display_data",
                data={
                    "text/html": '<div class="x"><table><tr><td>1 &lt; 2</td></tr></table></div>',
                    "text/plain": "table",
                },
            ),
            new_output("display_data", data={"text/markdown": "**bold** $2,018 of $2,918"}),
            new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
        ],
    )
    return new_notebook(cells=[new_markdown_cell("# Title\n\nSome words."), plot, table])


def _tree(page):
    """Every element with its attributes (any order), and the page's text."""
    soup = BeautifulSoup(page, features="html.parser")
    elements = [
        (
            tag.name,
            sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in tag.attrs.items()),
        )
        for tag in soup.find_all(True)
    ]
    return elements, soup.get_text()


def test_the_page_is_nbconverts_page():
    ours, _ = _pages._exporter()
    stock = HTMLExporter(
        template_name="lab",
        template_file="retainkit_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"retainkit_report.html.j2": _pages._REPORT_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    nb = _notebook()
    page, _ = ours.from_notebook_node(copy.deepcopy(nb))
    expected, _ = stock.from_notebook_node(copy.deepcopy(nb))
    assert _tree(page) == _tree(expected)
    # what nbconvert's pass adds, added here: two figures with alt text; six outputs and the
    # markdown cell's text focusable
    assert page.count(_pages._NO_ALT) == 2
    assert page.count('<div tabindex="0" class="jp-') == 7


def test_script_text_comments_and_given_alt_texts_are_left_as_they_are():
    html = (
        f'<script>var s = \'<img src="{PNG_SRC}"><div class="jp-OutputArea-output">\';</script>'
        f'<!-- <img src="{PNG_SRC}"> --><img src="{PNG_SRC}" title="a>b" alt="chart">'
    )
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"text/html": html})])]
    )
    page, _ = _pages._exporter()[0].from_notebook_node(nb)
    assert html in page  # the output's own markup, byte for byte
    assert page.count(_pages._NO_ALT) == 0
    assert page.count('tabindex="0"') == 1  # the output's div only
