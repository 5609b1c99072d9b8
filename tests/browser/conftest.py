"""Browser fixtures: Debian's Chromium through Playwright, a throw-away JupyterLab, a report.

Nothing here downloads a browser: Playwright drives ``/usr/bin/chromium`` (Debian's
``chromium`` package; ``RETAINKIT_CHROMIUM`` names another binary). Where it is
missing the tests fail and say what to install. Screenshots go to
``reports/screenshots/`` under the checkout (``RETAINKIT_SCREENSHOTS`` overrides), where
a reviewer finds them after ``make test``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from retainkit.report import list_notebooks

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RETAINKIT_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = (
    f"The browser tests drive Debian's Chromium at {CHROMIUM}, which is not installed. "
    "Install it with `apt-get install chromium` as root (or `sudo apt-get install chromium`), "
    "or point RETAINKIT_CHROMIUM at a Chromium binary. Playwright's own browser download "
    "is not used. To run the other tests only: pytest -m 'not browser'."
)
# JupyterLab user settings for the test server: no news or update pop-ups over the page,
# and every cell kept in the page (no windowing), so a screenshot shows the whole notebook
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for the screenshots a reviewer looks at."""
    folder = Path(os.environ.get("RETAINKIT_SCREENSHOTS", ROOT / "reports" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package; fails (never skips) when it is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(INSTALL_HINT, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI and this project's machines run as root, where Chromium's
        # sandbox refuses to start
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What a page said on its console and which of its requests failed."""

    errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser):
    """A fresh page (own context) with its console errors and failed requests recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    log = PageLog()
    pg.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: log.errors.append(f"uncaught: {e}"))
    pg.on("requestfailed", lambda r: log.failed_requests.append(f"{r.url} ({r.failure})"))
    pg.log = log
    try:
        yield pg
    finally:
        context.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its URL, token and root folder (a copy of the notebooks)."""

    url: str
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; return the decoded JSON (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (one notebook's kernel must not outlive its test)."""
        for kernel in self.api("GET", "/api/kernels") or []:
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1, a free port, a random token and throw-away config folders.

    The server's root is a copy of ``notebooks/``: the notebooks themselves are never
    modified (running them writes outputs and a call list). The demo data is found
    through the installed package, as in a user's JupyterLab.
    """
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    root.mkdir()
    for nb in list_notebooks():
        shutil.copy2(nb, root / nb.name)
    config, data, runtime = base / "config", base / "data", base / "runtime"
    for path, settings in LAB_SETTINGS.items():
        target = config / "lab" / "user-settings" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MPLBACKEND"))}
    # MPLBACKEND=Agg (set by `make test`) would stop the kernel from showing figures inline
    env.update(
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_DATA_DIR=str(data),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTERLAB_SETTINGS_DIR=str(config / "lab" / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(config / "lab" / "workspaces"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = base / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended as one below
        )
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with code {process.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start in 90 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield server
    finally:
        _stop(process, server)


def _stop(process: subprocess.Popen, server: Lab) -> None:
    """Shut JupyterLab and its kernels down; end the process group if it does not go."""
    if process.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            server.shutdown_kernels()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.poll() is not None
