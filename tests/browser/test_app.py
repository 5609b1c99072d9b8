"""``retainkit app`` in Chromium: the front page, each notebook page, a control on each, the stop.

One app is started on the demo shop, with last month's call list (made here, at an
earlier date) as ``--previous``, exactly as a user starts it (``python -m retainkit.cli
app``), in its own process group and with its own temporary folder (TMPDIR), so that the
clean stop can be checked: no process and no file left. The front page's figures and
each moved control's output are compared with what the package computes here, in the
test process, on the same data. A second app is started on a file whose column mapping
names a column the file lacks: every page shows the loading error as the command line
words it, and no traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import retainkit as rk
from retainkit.app._errors import ERROR_CLASS
from retainkit.figures import format_value
from retainkit.io import write_table
from tests.browser.conftest import _free_port
from tests.browser.test_jupyterlab import (
    _defaults,
    _move,
    _plain,
    _slider_value,
    _squash,
    _table_text,
    _type_into_readout,
    _wait_until_shown,
)

START_TIMEOUT_S = 600
PAGE_TIMEOUT_MS = 300_000
PAGES = ("01_groundwork", "02_segmentation", "03_lifetime_value")
PREVIOUS_AS_OF = "2024-11-30"  # a month before the demo's last order date (2024-12-31)


@dataclass
class App:
    """A running ``retainkit app``: its address, process, temporary folder and output files."""

    url: str
    process: subprocess.Popen
    tmp: Path
    out: Path
    err: Path


def _start(base: Path, args: list[str]) -> App:
    """Start ``retainkit app`` and wait until it prints its address (the front page is ready)."""
    tmp = base / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MPLBACKEND"))}
    env.update(
        TMPDIR=str(tmp),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
    )
    out, err = base / "app.out", base / "app.err"
    port = _free_port()
    with out.open("w") as o, err.open("w") as e:
        process = subprocess.Popen(
            [sys.executable, "-m", "retainkit.cli", "app", "--port", str(port), *args],
            cwd=base,
            env=env,
            stdout=o,
            stderr=e,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    app = App("", process, tmp, out, err)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not out.read_text().strip():
        if process.poll() is not None:
            pytest.fail(f"retainkit app exited with {process.returncode}:\n{err.read_text()}")
        if time.monotonic() > deadline:
            _kill(app)
            pytest.fail(f"retainkit app not ready in {START_TIMEOUT_S} s:\n{err.read_text()}")
        time.sleep(0.5)
    app.url = out.read_text().strip()
    assert app.url == f"http://127.0.0.1:{port}/"
    return app


def _kill(app: App) -> None:
    """End what is left of an app whose test failed before its clean stop."""
    if app.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(app.process.pid, signal.SIGTERM)
        try:
            app.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(app.process.pid, signal.SIGKILL)
    for pid in _processes_using(app.tmp):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (the server, its kernels' files)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if str(folder).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


def _stop_and_check(app: App) -> None:
    """Ctrl-C: the app stops with exit code 0 and leaves no process and no file behind."""
    app.process.send_signal(signal.SIGINT)
    try:
        code = app.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _kill(app)
        pytest.fail(f"retainkit app did not stop within 60 s of Ctrl-C:\n{app.err.read_text()}")
    assert code == 0, app.err.read_text()
    assert app.err.read_text().rstrip().endswith("Stopped.")
    deadline = time.monotonic() + 20  # the kernels end a moment after the server
    while _processes_using(app.tmp) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _processes_using(app.tmp), "processes of the app are still running"
    assert sorted(p.name for p in app.tmp.iterdir()) == [], "the app left files behind"


# --- the data, as the notebooks load and compute it ---------------------------------------


@pytest.fixture(scope="module")
def demo():
    p = _defaults("01_groundwork")
    return rk.load_dataset(
        p["data"],
        columns=p["columns"],
        customers=p["customers"],
        reasons=p["reasons"],
        as_of=p["as_of"],
        currency=p["currency"],
    )


def _review(demo: Any, as_of: Any) -> tuple[Any, Any]:
    """The groundwork notebook's window and monthly review at its default parameters."""
    p = _defaults("01_groundwork")
    window = rk.groundwork.churn_window(
        demo.transactions, as_of=as_of, churn_days=p["churn_days"], lookback_days=p["lookback_days"]
    )
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
    review = rk.alerts.monthly_review(
        demo.transactions,
        as_of=window.as_of,
        call_list_size=p["call_list_size"],
        horizon_days=p["risk_days"],
        churn_days=window.churn_days,
        margin=p["margin"],
        customers=demo.customers,
        currency=demo.currency,
        thresholds=thresholds,
    )
    return window, review


@pytest.fixture(scope="module")
def previous(tmp_path_factory, demo) -> Path:
    """Last month's call list, five of its customers marked as called."""
    _window, earlier = _review(demo, PREVIOUS_AS_OF)
    sheet = rk.calls.call_sheet(earlier.calls, earlier.winback)
    sheet.loc[sheet.index[:5], "called"] = "yes"
    folder = tmp_path_factory.mktemp("previous")
    return write_table(sheet, folder / "call_list.csv")


@pytest.fixture(scope="module")
def app(tmp_path_factory, previous):
    started = _start(tmp_path_factory.mktemp("app"), ["--previous", str(previous)])
    try:
        yield started
    finally:
        _kill(started)


# --- the pages ---------------------------------------------------------------------------


def _open(page, url: str) -> None:
    """Open a page and wait until Voilà has run every cell and shown the outputs."""
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector("#loading", state="detached", timeout=PAGE_TIMEOUT_MS)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=60_000)


def _check_no_error(page, name: str) -> None:
    """No error box, no Voilà error, no traceback and no warning on the page."""
    text = page.locator("body").inner_text()
    errors = page.locator(f".{ERROR_CLASS}").all_inner_texts()
    assert not errors, f"{name} shows errors: {errors}"
    for bad in ("Traceback", "There was an error", "Error displaying widget"):
        assert bad not in text, f"{name} shows {bad!r}"
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, f"{name}: {stderr.all_inner_texts()}"


def _widget(page, label: str):
    """The output cell whose widget has a slider labelled ``label``, and that slider."""
    slider = page.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=label)
    )
    # widget views are drawn after the cells' outputs: wait for the first before counting
    slider.first.wait_for(state="visible", timeout=60_000)
    assert slider.count() == 1, f"{slider.count()} sliders labelled {label!r}"
    cell = page.locator(".jp-CodeCell").filter(has=slider)
    return cell, slider


def _shown_figures(table) -> dict[str, str]:
    """A key figures table as {manifest name: value shown}."""
    rows = _table_text(table.evaluate("t => t.outerHTML"))["rows"][1:]
    return {name: value for _label, value, name in rows}


def _expected_figures(kf: Any, names: tuple[str, ...]) -> dict[str, str]:
    d = kf.to_dict()
    return {n: format_value(d["figures"][n], d["units"][n], kf.currency) for n in names}


def test_front_page(page, app, demo, previous, screenshots):
    from retainkit.sections.front import HEADLINES

    _open(page, app.url)
    assert page.url == f"{app.url}voila/render/index.ipynb"
    _check_no_error(page, "front page")
    tx = demo.transactions

    # the groundwork notebook's key figures, from its own calls
    p = _defaults("01_groundwork")
    window, review = _review(demo, p["as_of"])
    status = rk.groundwork.customer_status(tx, window, margin=p["margin"], customers=demo.customers)
    value = rk.ValueAssumptions(
        margin=p["margin"], horizon_years=p["horizon_years"], discount_rate=p["discount_rate"]
    )
    losses = rk.groundwork.loss_figures(status, value=value, currency=demo.currency)
    groundwork = _expected_figures(losses, HEADLINES["01_groundwork"][:4])
    groundwork["groundwork.call_list_size"] = f"{len(review.calls)} customers"
    groundwork["groundwork.call_list_value_at_risk"] = format_value(
        float(review.calls["value_at_risk"].sum()), "currency", demo.currency
    )

    # the segmentation notebook's
    s = _defaults("02_segmentation")
    values = rk.engine.customer_values(tx, as_of=s["as_of"])
    segments = rk.segmentation.assign_segments(
        rk.segmentation.rfm_scores(values, bins=s["rfm_bins"]), rules=s["segment_rules"]
    )
    threshold = rk.churn.resolve_churn_days(tx, s["churn_days"], as_of=s["as_of"])
    journeys = rk.engine.purchase_journeys(
        tx, as_of=s["as_of"], loyal_purchases=s["loyal_purchases"], loyal_months=s["loyal_months"]
    )
    stages = rk.lifecycle.lifecycle_stage(journeys, churn_days=threshold.days)
    seg = rk.segmentation.segmentation_figures(
        values, segments=segments, stages=stages, currency=demo.currency
    )
    segmentation = _expected_figures(seg, HEADLINES["02_segmentation"])

    # the lifetime value notebook's
    v = _defaults("03_lifetime_value")
    rate = rk.metrics.retention_rates(tx, period="year", churn_days=v["churn_days"]).iloc[0]
    nrr = rk.sections.revenue_retention_row(tx)
    margin, _ = rk.clv.value.resolve_margin(tx, v["margin"])
    summary = rk.customer_summary(tx, time_unit="weeks")
    bgnbd, _ = rk.clv.fit_or_explain(rk.clv.BetaGeoModel, summary)
    spend, _ = rk.sections.fit_spend_model(tx, summary)
    _forecast, clv = rk.sections.model_values(
        bgnbd,
        spend,
        summary,
        horizon_years=v["horizon_years"],
        discount_rate=v["discount_rate"],
        margin=margin,
    )
    lifetime_value = {
        "ltv.retained_share_12m": format_value(rate["retained_share"], "share"),
        "ltv.nrr_12m": format_value(nrr["nrr"], "share"),
        "ltv.clv_mean": format_value(clv["clv"].mean(), "currency", demo.currency),
        "ltv.clv_total": format_value(clv["clv"].sum(), "currency", demo.currency),
    }

    tables = page.locator("table.retainkit-key-figures")
    assert tables.count() == 3
    shown = [_shown_figures(tables.nth(i)) for i in range(3)]
    assert shown == [groundwork, segmentation, lifetime_value]

    # the links: each notebook's page, and the call list's files, which download
    hrefs = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.href)")
    for name in PAGES:
        assert f"{app.url}voila/render/{name}.ipynb" in hrefs
    csv_url = f"{app.url}voila/files/call_list.csv"
    assert csv_url in hrefs and f"{app.url}voila/files/call_list.xlsx" in hrefs
    response = page.request.get(csv_url)
    assert response.ok
    sheet = pd.read_csv(io.BytesIO(response.body()), dtype={"customer_id": str})
    want = rk.calls.call_sheet(review.calls, review.winback)
    assert sheet["customer_id"].tolist() == want["customer_id"].astype(str).tolist()

    # what changed since last month's list, as the groundwork section says it
    story = rk.sections.previous_review(
        str(previous), review.calls, tx, as_of=window.as_of, risk=review.risk
    )[0]
    assert story.data.startswith(f"Compared with the review of {PREVIOUS_AS_OF}")
    markdown = page.locator(".jp-RenderedMarkdown").filter(has_text="Compared with the review")
    assert _squash(markdown.inner_text()) == _squash(_plain(story.data))
    page.screenshot(path=screenshots / "app-front.png", full_page=True)


def test_groundwork_page(page, app, demo, screenshots):
    _open(page, f"{app.url}voila/render/01_groundwork.ipynb")
    _check_no_error(page, "01_groundwork")
    p = _defaults("01_groundwork")
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

    cell, slider = _widget(page, "Days without purchase = lost")

    def shown() -> dict[str, str]:
        return _shown_figures(cell.locator(".widget-output table.retainkit-key-figures"))

    start = int(_slider_value(slider))
    assert start == window.churn_days
    _wait_until_shown(page, shown, expected(start), f"loss scenario at churn_days={start}")
    moved = start + 60
    assert expected(moved) != expected(start), "the move must change the figures"
    _type_into_readout(slider, moved)
    assert int(_slider_value(slider)) == moved
    _wait_until_shown(page, shown, expected(moved), f"loss scenario at churn_days={moved}")
    _check_no_error(page, "01_groundwork after the move")
    page.screenshot(path=screenshots / "app-01_groundwork.png", full_page=True)


def test_segmentation_page(page, app, demo, screenshots):
    _open(page, f"{app.url}voila/render/02_segmentation.ipynb")
    _check_no_error(page, "02_segmentation")
    p = _defaults("02_segmentation")
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

    cell, slider = _widget(page, "Top share")

    def shown() -> dict[str, str]:
        out = cell.locator(".widget-output")
        return {
            "headline": _squash(out.locator(".jp-RenderedMarkdown p").first.inner_text()),
            "vital few": _squash(out.locator("table caption").last.inner_text()),
        }

    assert _slider_value(slider) == pytest.approx(p["top_share"])
    _wait_until_shown(page, shown, expected(p["top_share"]), "Pareto at the default top share")
    moved = _move(slider, p["top_share"] + 0.05)
    assert expected(moved) != expected(p["top_share"]), "the move must change the panel"
    _wait_until_shown(page, shown, expected(moved), f"Pareto at top_share={moved}")
    _check_no_error(page, "02_segmentation after the move")
    page.screenshot(path=screenshots / "app-02_segmentation.png", full_page=True)


def test_lifetime_value_page(page, app, demo, screenshots):
    _open(page, f"{app.url}voila/render/03_lifetime_value.ipynb")
    _check_no_error(page, "03_lifetime_value")
    p = _defaults("03_lifetime_value")
    tx = demo.transactions
    rate = rk.metrics.retention_rates(tx, period="year", churn_days=p["churn_days"]).iloc[0]
    margin, _ = rk.clv.value.resolve_margin(tx, p["margin"])
    summary = rk.customer_summary(tx, time_unit="weeks")
    forecast = rk.clv.value.clv_forecast(
        rk.clv.BetaGeoModel().fit(summary),
        rk.clv.GammaGammaModel().fit(summary),
        summary,
        max_horizon_years=max(10.0, p["horizon_years"]),
    )

    def expected(uplift: float) -> dict[str, Any]:
        view = rk.widgets.clv_scenario_view(
            forecast,
            baseline_retention=rate["retained_share"],
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

    cell, slider = _widget(page, "Yearly retention + points")

    def shown() -> dict[str, Any]:
        return _table_text(cell.locator(".widget-output table").first.evaluate("t => t.outerHTML"))

    assert _slider_value(slider) == 0
    _wait_until_shown(page, shown, expected(0.0), "CLV scenario without uplift")
    moved = _move(slider, 5)
    assert expected(moved) != expected(0.0), "the move must change the table"
    _wait_until_shown(page, shown, expected(moved), f"CLV scenario at +{moved:g} points")
    _check_no_error(page, "03_lifetime_value after the move")
    page.screenshot(path=screenshots / "app-03_lifetime_value.png", full_page=True)


def test_app_stops_cleanly(app):
    _stop_and_check(app)


# --- data that cannot be loaded ----------------------------------------------------------


def test_a_wrong_mapping_shows_the_loading_error_on_every_page(page, tmp_path, screenshots):
    data = tmp_path / "shop.csv"
    data.write_text("cust,date,amount\na,2024-01-05,10\nb,2024-02-01,20\n")
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\ncustomer_id = "client"\norder_date = "date"\n')
    with pytest.raises(rk.exceptions.SchemaError) as caught:
        rk.load_dataset(str(data), columns=str(mapping))
    # the line `retainkit` prints on the command line for this error
    message = f"retainkit: error: {caught.value}"
    assert "'customer_id' at 'client'" in message

    app = _start(tmp_path, ["--data", str(data), "--columns", str(mapping)])
    try:
        for name in ("index", *PAGES):
            _open(page, f"{app.url}voila/render/{name}.ipynb")
            boxes = page.locator(f".{ERROR_CLASS}")
            assert boxes.count() == 1, f"{name}: {page.locator('body').inner_text()[:2000]}"
            assert boxes.inner_text().strip() == message
            text = page.locator("body").inner_text()
            assert "Traceback" not in text and "There was an error" not in text
            page.screenshot(path=screenshots / f"app-wrong-mapping-{name}.png", full_page=True)
        # the terminal running the app says it too
        assert message in app.err.read_text()
    finally:
        _stop_and_check(app)
