import re

import pandas as pd

from retainkit import display


def test_money_share_markdown():
    assert display.money(1234.56, "£", decimals=2) == "£1,234.56"
    assert display.share(0.25) == "25.0%"
    md = display.markdown("Lost **{n:,}** customers of {who}", n=1500, who="<b>x</b>")
    assert md.data == "Lost **1,500** customers of &lt;b&gt;x&lt;/b&gt;"


def test_table_formats_and_escapes():
    frame = pd.DataFrame({"name": ["<i>x</i>"], "revenue": [1500.0], "share": [0.5], "n": [12345]})
    html = display.table(
        frame,
        currency="$",
        money_columns=["revenue"],
        share_columns=["share"],
        integer_columns=["n"],
        caption="Top customers",
    ).to_html()
    assert "$1,500" in html and "50.0%" in html and "12,345" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "Top customers" in html


def test_table_caption_says_when_rows_are_cut():
    frame = pd.DataFrame({"a": range(10)})
    html = display.table(frame, caption="All", max_rows=3).to_html()
    assert "first 3 of 10 rows" in html


def test_table_text_cells_keep_money_out_of_formulas_and_read_from_the_left():
    frame = pd.DataFrame({"warning": ["down ($161 to $48) <b>"], "n": [3]})
    shown = display.table(frame).to_html()
    # two "$" in one cell would be typeset as a formula by JupyterLab's MathJax
    assert "down (<span>&#36;</span>161 to <span>&#36;</span>48) &lt;b&gt;" in shown
    assert re.search(r"#T_\w+_row0_col0 \{\s*text-align: left;", shown)
    assert not re.search(r"#T_\w+_row0_col1 \{\s*text-align: left;", shown)
