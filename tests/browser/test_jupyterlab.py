"""The notebooks in a real JupyterLab: run every cell, see every widget, move the scenarios.

Each test opens one notebook (a copy) in JupyterLab, runs it with Run > Run All Cells,
and checks what a person sees: every cell ran, no cell shows an error, every widget
rendered as a widget, and after moving one scenario control the panel shows what the
package computes for that setting (computed here, in the test process, on the same data).
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup
from IPython.core.pylabtools import print_figure
from PIL import Image

import retainkit as rk
from retainkit.report import INTERACTIVE_TAG, list_notebooks, notebook_parameters

NOTEBOOKS = {p.stem: p for p in list_notebooks()}
RUN_TIMEOUT_MS = 150_000
UPDATE_TIMEOUT_MS = 60_000


# --- what the notebook's parameters cell says ------------------------------------------


def _defaults(name: str) -> dict[str, Any]:
    """The notebook's parameter defaults as Python values."""
    return {
        k: ast.literal_eval(v["default"]) for k, v in notebook_parameters(NOTEBOOKS[name]).items()
    }


def _interactive_cells(name: str) -> list[str]:
    nb = nbformat.read(NOTEBOOKS[name], as_version=4)
    return [c.source for c in nb.cells if INTERACTIVE_TAG in c.metadata.get("tags", [])]


@pytest.fixture(scope="module")
def demo():
    """The dataset every notebook loads with its default parameters."""
    p = _defaults("01_groundwork")
    return rk.load_dataset(
        p["data"],
        columns=p["columns"],
        customers=p["customers"],
        reasons=p["reasons"],
        as_of=p["as_of"],
        currency=p["currency"],
    )


# --- driving JupyterLab ------------------------------------------------------------------

_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
_ALL_PROMPTS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim())"""


def _open_and_run(page, lab, name: str) -> None:
    """Open a notebook, run all its cells from the Run menu, wait until the kernel is done."""
    # reset: a fresh workspace, so the notebook a previous test opened does not reopen
    page.goto(f"{lab.url}/lab/tree/{name}.ipynb?token={lab.token}&reset")
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    # the kernel has started and the page is connected to it ("Python 3 (ipykernel) | Idle")
    page.locator(".jp-StatusBar-Widget").filter(has_text=re.compile(r"\| Idle")).wait_for(
        timeout=60_000
    )
    page.keyboard.press("Control+b")  # hide the file browser: wider notebook, wider screenshot
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    n_code = sum(c.cell_type == "code" for c in nbformat.read(NOTEBOOKS[name], as_version=4).cells)
    # done: every code cell has a number ([12]:), or the run stopped (an error, no [*] left)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_for_run(page, n_code)
    except PlaywrightTimeout:
        page.screenshot(path=Path(lab.root) / f"{name}-timeout.png")
        pytest.fail(
            f"{name}: the run did not finish in {RUN_TIMEOUT_MS / 1000:.0f} s; prompts: "
            f"{page.evaluate(_ALL_PROMPTS)}; screenshot {lab.root}/{name}-timeout.png"
        )
    page.locator(f"{_NOTEBOOK} .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        timeout=60_000
    )


def _wait_for_run(page, n_code: int) -> None:
    page.wait_for_function(
        f"""() => {{
            const p = ({_ALL_PROMPTS})();
            if (p.some(t => t.includes('*'))) return false;
            const done = p.filter(t => /\\[\\d+\\]/.test(t)).length;
            return done === {n_code} || (done > 0 && document.querySelector(
                '.jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null);
        }}""",
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )


def _check_cells(page, lab, name: str) -> None:
    """Every code cell ran, and none shows an error or a traceback."""
    nb = nbformat.read(NOTEBOOKS[name], as_version=4)
    prompts = page.evaluate(_ALL_PROMPTS)
    assert len(prompts) == sum(c.cell_type == "code" for c in nb.cells)
    not_run = [i for i, t in enumerate(prompts) if not re.search(r"\[\d+\]", t)]
    stderr = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_inner_texts()
    # saved from the page, the notebook tells errors (output_type "error") from warnings
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)
    saved = lab.api("GET", f"/api/contents/{name}.ipynb?content=1")["content"]
    errors = [
        f"cell {i}: {o['ename']}: {o['evalue']}"
        for i, c in enumerate(saved["cells"])
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    ]
    assert not errors, f"{name}: cells raised errors: {errors}"
    assert not not_run, f"{name}: code cells {not_run} did not run"
    assert not stderr, f"{name}: cells wrote to stderr (warnings a reader sees): {stderr}"


def _check_widgets(page, name: str) -> None:
    """Every interactive cell shows a live widget: controls and a filled output."""
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").inner_text()
    for broken in ("Error displaying widget", "Error rendering", "VBox(children", "Slider(value"):
        assert broken not in shown, f"{name}: a widget did not render ({broken!r} on the page)"
    sources = _interactive_cells(name)
    assert sources, f"{name} has no interactive cell"
    for source in sources:
        call = re.search(r"rk\.widgets\.\w+\(", source).group(0)
        cell = _cell(page, call)
        panel = cell.locator(".jp-OutputArea-output > .widget-vbox")
        assert panel.count() == 1, f"{name}: {call} shows no widget"
        controls = panel.locator(".widget-slider, .widget-dropdown, .widget-textarea")
        assert controls.count() > 0, f"{name}: {call} shows no controls"
        out = panel.locator(".widget-output .jp-OutputArea-output")
        assert out.count() > 0, f"{name}: {call} shows an empty output"


def _check_images(page, name: str) -> None:
    """Every figure is an image that loaded and has a size."""
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')]
            .map(i => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])"""
    )
    assert sizes, f"{name}: no figures shown"
    assert all(w > 0 and h > 0 and shown > 0 for w, h, shown in sizes), sizes


def _cell(page, text: str):
    """The code cell whose source contains ``text``."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=text)
    )
    assert cell.count() == 1, f"{cell.count()} cells contain {text!r}"
    return cell


def _slider(cell, label: str):
    slider = cell.locator(".widget-slider").filter(
        has=cell.page.locator(".widget-label", has_text=label)
    )
    assert slider.count() == 1, f"no slider labelled {label!r}"
    return slider


def _slider_value(slider) -> float:
    """The slider's value as the browser holds (and sends to the kernel) it.

    ``aria-valuetext`` carries it in full (0.44999999999999996 after a step from 0.4);
    ``aria-valuenow`` is rounded to one decimal.
    """
    return float(slider.locator(".noUi-handle").get_attribute("aria-valuetext"))


def _move(slider, target: float, *, tolerance: float = 1e-9) -> float:
    """Move a slider with the keyboard, as a person would: focus its handle, press arrows.

    Returns the value the slider shows once it reaches ``target``.
    """
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(50):
        value = _slider_value(slider)
        if abs(value - target) <= tolerance:
            return value
        handle.press("ArrowRight" if value < target else "ArrowLeft")
        slider.page.wait_for_timeout(100)
    pytest.fail(f"the slider stays at {_slider_value(slider)}, not {target}")


def _type_into_readout(slider, value: int) -> None:
    """Set a slider by typing into the number beside it and pressing Enter."""
    readout = slider.locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(str(value))
    readout.press("Enter")


def _wait_until_shown(
    page, read: Callable[[], Any], expected: Any, what: str, timeout_ms: int = UPDATE_TIMEOUT_MS
) -> None:
    """Poll what the page shows until it equals ``expected``; fail with both if it never does."""
    shown = None
    deadline = timeout_ms / 500
    for _ in range(int(deadline)):
        shown = read()
        if shown == expected:
            return
        page.wait_for_timeout(500)
    pytest.fail(f"{what}: the page shows\n{shown}\nbut the package computes\n{expected}")


def _plain(markdown_text: str) -> str:
    """Markdown source as the reader sees it: no ``**``, no HTML tags or entities."""
    return BeautifulSoup(markdown_text.replace("**", "").replace("`", ""), "html.parser").get_text()


def _squash(text: str) -> str:
    return " ".join(text.split())


def _table_text(soup_or_html: Any) -> dict[str, Any]:
    """Caption and the rows of cell texts of the first table in some HTML."""
    soup = BeautifulSoup(str(soup_or_html), "html.parser")
    table = soup.find("table")
    caption = table.find("caption")
    return {
        "caption": _squash(caption.get_text()) if caption else "",
        "rows": [
            [_squash(c.get_text()) for c in tr.find_all(["td", "th"])]
            for tr in table.find_all("tr")
        ],
    }


def _image_src(cell) -> str:
    """The ``src`` of the one figure in a widget's output (a ``data:image/png`` URL)."""
    images = cell.locator(".widget-output img")
    assert images.count() == 1, f"{images.count()} figures in the widget's output, not 1"
    return images.first.get_attribute("src")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=float)


def _src_pixels(src: str) -> np.ndarray:
    """The pixels of a ``data:image/png;base64,...`` image as the page holds it."""
    head, _, data = src.partition(",")
    assert head == "data:image/png;base64", f"not an inline PNG: {src[:60]!r}"
    return _pixels(base64.b64decode(data))


def _figure_difference(shown: np.ndarray, expected: np.ndarray) -> float:
    """Mean absolute difference of two images' pixels (0-255); inf when their sizes differ."""
    if shown.shape != expected.shape:
        return float("inf")
    return float(np.abs(shown - expected).mean())


def _kernel_png(draw: Callable[[Any], Any], figsize: tuple[float, float]) -> bytes:
    """A figure drawn here as the kernel draws it: retainkit's style, PNG cut to its content.

    The notebook calls ``rk.set_style()``; the kernel's inline backend changes no
    defaults and shows a figure with ``print_figure(fig, "png", bbox_inches="tight")``.
    """
    with plt.rc_context():
        rk.set_style()
        fig, ax = plt.subplots(figsize=figsize)
        try:
            draw(ax)
            return print_figure(fig, "png", bbox_inches="tight")
        finally:
            plt.close(fig)


def _save_screenshots(page, screenshots: Path, stem: str) -> None:
    """A full-length screenshot of the notebook (the page grown to the notebook's height)."""
    height = page.evaluate(
        """() => {
            const outer = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
            outer.scrollTop = 0;
            return outer.scrollHeight;
        }"""
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(height + 200, 30_000)})
    page.evaluate(
        """() => document.querySelector(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer').scrollTop = 0"""
    )
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / f"{stem}.png")
    page.set_viewport_size(size)


def _cell_screenshot(page, cell, path: Path) -> None:
    """A screenshot of one cell, whole: the page grows when the cell is taller than it."""
    size = page.viewport_size
    height = cell.bounding_box()["height"]
    if height + 100 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": int(height) + 200})
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=path)
    page.set_viewport_size(size)


# --- the notebooks -----------------------------------------------------------------------


def _run_and_check(page, lab, name: str, screenshots: Path) -> None:
    """Run every cell, check errors, widgets and figures, and save the screenshots."""
    _open_and_run(page, lab, name)
    _check_cells(page, lab, name)
    _check_widgets(page, name)
    _check_images(page, name)
    _save_screenshots(page, screenshots, f"lab-{name}")


def test_groundwork(page, lab, demo, screenshots):
    name = "01_groundwork"
    p = _defaults(name)
    _run_and_check(page, lab, name, screenshots)

    window = rk.groundwork.churn_window(
        demo.transactions,
        as_of=p["as_of"],
        churn_days=p["churn_days"],
        lookback_days=p["lookback_days"],
    )

    def expected(churn_days: int) -> dict[str, str]:
        figures = rk.groundwork.loss_overview(
            demo.transactions,
            as_of=window.as_of,
            churn_days=churn_days,
            lookback_days=p["lookback_days"],
            margin=p["margin"],
            horizon_years=p["horizon_years"],
            discount_rate=p["discount_rate"],
            currency=demo.currency,
        ).to_frame()
        return dict(zip(figures["name"], figures["value"], strict=True))

    cell = _cell(page, "rk.widgets.loss_scenario(")
    slider = _slider(cell, "Days without purchase = lost")

    def shown() -> dict[str, str]:
        rows = cell.locator(".widget-output table.retainkit-key-figures tbody tr").all()
        return {
            r.locator("td").nth(2).inner_text(): r.locator("td").nth(1).inner_text() for r in rows
        }

    start = int(_slider_value(slider))
    assert start == window.churn_days
    _wait_until_shown(page, shown, expected(start), f"loss scenario at churn_days={start}")
    moved = start + 60
    assert expected(moved) != expected(start), "the move must change the figures"
    _type_into_readout(slider, moved)
    assert int(_slider_value(slider)) == moved
    _wait_until_shown(page, shown, expected(moved), f"loss scenario at churn_days={moved}")
    _cell_screenshot(page, cell, screenshots / f"lab-{name}-loss-scenario-churn_days-{moved}.png")

    # the review scenario, with the thresholds and the risk the notebook's review cell uses
    review_cell = _cell(page, "rk.widgets.review_scenario(")
    thresholds = rk.alerts.review_thresholds(
        demo.transactions,
        as_of=window.as_of,
        months=p["review_months"],
        min_drop=p["min_drop"],
        min_orders=p["min_orders"],
        min_purchases=p["min_purchases"],
        max_variation=p["max_variation"],
        overdue_factor=p["overdue_factor"],
        min_months=p["range_months"],
        of_months=p["range_of_months"],
        quiet_months=p["quiet_months"],
    )
    settings = {
        "as_of": window.as_of,
        "margin": None if demo.transactions.has("cost") else p["margin"],
        "customers": demo.customers,
        "currency": demo.currency,
        "churn_days": window.churn_days,
        "horizon_days": p["risk_days"],
    }
    report = rk.alerts.monthly_review(
        demo.transactions, thresholds=thresholds, call_list_size=p["call_list_size"], **settings
    )

    def review_at(call_list_size: int, **moved: Any) -> rk.alerts.MonthlyReview:
        """The review at other settings; the report's risk reused, as the widget does."""
        return rk.alerts.monthly_review(
            demo.transactions,
            call_list_size=call_list_size,
            risk=report.risk,
            thresholds=thresholds.replace(**moved),
            **settings,
        )

    def expected_list(review: rk.alerts.MonthlyReview) -> dict[str, Any]:
        """The caption and customer ids of the call list the widget shows (10 rows at most)."""
        n = len(review.calls)
        caption = (
            f"Top of the call list ({n:,} customers), ranked by value at risk over the "
            f"next {p['risk_days']} days"
        )
        if n > 10:
            caption += f" (first 10 of {n:,} rows)"
        return {"caption": caption, "customer ids": review.calls["customer_id"].head(10).tolist()}

    def shown_list() -> dict[str, Any]:
        tables = review_cell.locator(".widget-output table")
        if tables.count() < 2:
            return {}
        table = _table_text(tables.nth(1).evaluate("t => t.outerHTML"))
        column = [h.lower() for h in table["rows"][0]].index("customer id")
        return {
            "caption": table["caption"],
            "customer ids": [r[column] for r in table["rows"][1:]],
        }

    def expected_curve(review: rk.alerts.MonthlyReview) -> np.ndarray:
        """The calls-vs-value curve drawn here, at the widget's size (8 x 3.6 inches)."""
        png = _kernel_png(
            lambda ax: rk.plotting.plot_calls_curve(
                review.risk, calls=len(review.calls), currency=demo.currency, ax=ax
            ),
            figsize=(8, 3.6),
        )
        return _pixels(png)

    def annotation(review: rk.alerts.MonthlyReview) -> str:
        """The text the curve writes beside the list's length ("the first N calls: X% ...")."""
        fig, ax = plt.subplots()
        try:
            rk.plotting.plot_calls_curve(
                review.risk, calls=len(review.calls), currency=demo.currency, ax=ax
            )
            return " ".join(t.get_text() for t in ax.texts)
        finally:
            plt.close(fig)

    def check_curve(review: rk.alerts.MonthlyReview, other: rk.alerts.MonthlyReview) -> str:
        """The page's curve is the package's for ``review``, and not the one for ``other``."""
        src = _image_src(review_cell)
        shown = _src_pixels(src)
        want, not_want = expected_curve(review), expected_curve(other)
        near, far = _figure_difference(shown, want), _figure_difference(shown, not_want)
        # drawn by the same matplotlib the pixels agree exactly; the curves of 50 and of 5
        # calls differ by 0.8 on average (most of the picture is the same)
        assert near < 0.05 < far, (
            f"the call-list curve on the page ({shown.shape[1]}x{shown.shape[0]} px) is not "
            f"the package's with {annotation(review)!r} ({want.shape[1]}x{want.shape[0]} px): "
            f"mean pixel difference {near:.2f}, against {far:.2f} for {annotation(other)!r}"
        )
        return src

    # at the start: the list of the report's settings
    size = _slider(review_cell, "Customers to call")
    assert int(_slider_value(size)) == p["call_list_size"]
    assert int(_slider_value(_slider(review_cell, "Horizon (days)"))) == p["risk_days"]
    _wait_until_shown(
        page, shown_list, expected_list(report), f"call list of {p['call_list_size']} customers"
    )

    # one step up the order-value drop threshold: the warnings' counts follow
    drop = _slider(review_cell, "Order value drop")
    assert _slider_value(drop) == pytest.approx(thresholds.min_drop)
    new_drop = _move(drop, thresholds.min_drop + 0.1)
    review = review_at(p["call_list_size"], min_drop=new_drop)
    want = [
        [str(v) for v in row]
        for row in review.summary()[["warning", "customers_flagged"]].itertuples(index=False)
    ]

    def shown_review() -> list[list[str]]:
        table = _table_text(
            review_cell.locator(".widget-output table").first.evaluate("t => t.outerHTML")
        )
        header = table["rows"][0]
        cols = [header.index(h) for h in ("Warning", "Customers flagged")]
        return [[r[c].replace(",", "") for c in cols] for r in table["rows"][1:]]

    _wait_until_shown(page, shown_review, want, f"review scenario at min_drop={new_drop}")
    _cell_screenshot(
        page, review_cell, screenshots / f"lab-{name}-review-scenario-min_drop-{new_drop:.2f}.png"
    )

    # the shortest call list: the list and the curve's mark both follow the control
    shortest = 5  # the control's minimum: fewer rows than the 10 shown, so the rows change too
    shorter = review_at(shortest, min_drop=new_drop)
    assert expected_list(shorter) != expected_list(review), "the move must change the list"
    assert annotation(shorter) != annotation(review), "the move must change the curve"
    before_src = check_curve(review, shorter)
    new_size = int(_move(size, shortest))
    _wait_until_shown(
        page, shown_list, expected_list(shorter), f"call list at call_list_size={new_size}"
    )
    # the list and the figure come in one update of the output: the figure is new as well
    assert _image_src(review_cell) != before_src, "the calls curve did not change"
    check_curve(shorter, review)
    _wait_until_shown(page, shown_review, want, f"review scenario at call_list_size={new_size}")
    _cell_screenshot(
        page, review_cell, screenshots / f"lab-{name}-review-scenario-calls-{new_size}.png"
    )
    _save_screenshots(page, screenshots, f"lab-{name}-moved")
    lab.shutdown_kernels()


def test_segmentation(page, lab, demo, screenshots):
    name = "02_segmentation"
    p = _defaults(name)
    _run_and_check(page, lab, name, screenshots)

    values = rk.engine.customer_values(demo.transactions, as_of=p["as_of"])

    def expected(top_share: float) -> dict[str, str]:
        head, _fig, _groups, vital = rk.widgets.pareto_view(
            values,
            attributes=demo.customers,
            top_share=top_share,
            subgroup=p["subgroup"],
            margin=p["margin"],
            currency=demo.currency,
        )
        return {
            "headline": _squash(_plain(head.data.split("\n\n")[0])),
            "vital few": _squash(_plain(vital.caption)),
        }

    cell = _cell(page, "rk.widgets.pareto_panel(")
    slider = _slider(cell, "Top share")

    def shown() -> dict[str, str]:
        out = cell.locator(".widget-output")
        return {
            "headline": _squash(out.locator(".jp-RenderedMarkdown p").first.inner_text()),
            "vital few": _squash(out.locator("table caption").last.inner_text()),
        }

    start = _slider_value(slider)
    assert start == pytest.approx(p["top_share"])
    _wait_until_shown(page, shown, expected(p["top_share"]), f"Pareto at top_share={start}")
    moved = _move(slider, p["top_share"] + 0.05)
    assert expected(moved) != expected(p["top_share"])
    _wait_until_shown(page, shown, expected(moved), f"Pareto at top_share={moved}")
    _cell_screenshot(page, cell, screenshots / f"lab-{name}-pareto-top_share-{moved:.2f}.png")

    # RFM: one score fewer changes the segment table
    rfm_cell = _cell(page, "rk.widgets.rfm_panel(")
    bins = _slider(rfm_cell, "RFM bins")
    new_bins = int(_move(bins, p["rfm_bins"] - 1))
    _head, _cuts, segments, _fig = rk.widgets.rfm_view(
        values, bins=new_bins, rules=p["segment_rules"], currency=demo.currency
    )
    want = _table_text(segments.to_html())

    def shown_rfm() -> dict[str, Any]:
        tables = rfm_cell.locator(".widget-output table")
        return _table_text(tables.nth(1).evaluate("t => t.outerHTML"))

    _wait_until_shown(page, shown_rfm, want, f"RFM segments with {new_bins} bins")
    _cell_screenshot(page, rfm_cell, screenshots / f"lab-{name}-rfm-bins-{new_bins}.png")
    _save_screenshots(page, screenshots, f"lab-{name}-moved")
    lab.shutdown_kernels()


def test_lifetime_value(page, lab, demo, screenshots):
    name = "03_lifetime_value"
    p = _defaults(name)
    _run_and_check(page, lab, name, screenshots)

    # the inputs of the scenario panel, as the notebook computes them
    rate = rk.metrics.retention_rates(
        demo.transactions, period="year", churn_days=p["churn_days"]
    ).iloc[0]
    baseline_retention = rate["retained_share"]
    assert baseline_retention == baseline_retention, "the demo's yearly retention is measurable"
    margin, _ = rk.clv.value.resolve_margin(demo.transactions, p["margin"])
    summary = rk.customer_summary(demo.transactions, time_unit="weeks")
    forecast = rk.clv.value.clv_forecast(
        rk.clv.BetaGeoModel().fit(summary),
        rk.clv.GammaGammaModel().fit(summary),
        summary,
        max_horizon_years=max(10.0, p["horizon_years"]),
    )

    def expected(uplift: float) -> dict[str, Any]:
        view = rk.widgets.clv_scenario_view(
            forecast,
            baseline_retention=baseline_retention,
            retention_uplift_points=uplift,
            discount_rate=p["discount_rate"],
            margin=margin,
            horizon_years=p["horizon_years"],
            target_profit_share=p["target_profit_share"],
            baseline={
                "discount_rate": p["discount_rate"],
                "margin": margin,
                "horizon_years": p["horizon_years"],
                "target_profit_share": p["target_profit_share"],
            },
            currency=demo.currency,
        )
        return _table_text(view.to_html())

    cell = _cell(page, "rk.widgets.clv_scenario_panel(")
    slider = _slider(cell, "Yearly retention + points")

    def shown() -> dict[str, Any]:
        return _table_text(cell.locator(".widget-output table").first.evaluate("t => t.outerHTML"))

    assert _slider_value(slider) == 0
    _wait_until_shown(page, shown, expected(0.0), "CLV scenario without uplift")
    moved = _move(slider, 5)
    assert expected(moved) != expected(0.0)
    _wait_until_shown(page, shown, expected(moved), f"CLV scenario at +{moved:g} points")
    _cell_screenshot(page, cell, screenshots / f"lab-{name}-clv-scenario-uplift-{moved:g}.png")
    _save_screenshots(page, screenshots, f"lab-{name}-moved")
    lab.shutdown_kernels()


def test_notebooks_are_untouched_by_the_browser_run(lab):
    # the server ran copies; the repository's notebooks keep no outputs
    for path in NOTEBOOKS.values():
        nb = json.loads(path.read_text())
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
        assert (lab.root / path.name).is_file()
