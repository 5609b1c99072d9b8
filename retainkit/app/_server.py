"""Running the app: write its pages to a temporary folder, serve them with Voilà, clean up.

:func:`run_app` writes the pages (:func:`~retainkit.app._notebooks.write_pages`) into a new
temporary folder, starts Voilà on it (:mod:`retainkit.app._voila`, in its own process
group), waits until the front page has been rendered once, says where it is, and serves
until interrupted (Ctrl-C or SIGTERM). Then it stops Voilà, which shuts its kernels down,
and removes the folder: the notebooks and the user's data are only ever read.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from retainkit.exceptions import ReportError

__all__ = ["DEFAULT_PORT", "LOCALHOST", "exposure_warning", "run_app"]

#: Where the app listens unless told otherwise: this machine only.
LOCALHOST = "127.0.0.1"
#: The port tried first when none is given (Voilà's usual one).
DEFAULT_PORT = 8866
#: Files of the app's folder the pages may link to (the call list), besides Voilà's images.
FILE_ALLOWLIST = (r".*\.(csv|xlsx)", r".*\.(png|jpg|gif|svg)")
#: A page's kernel that nobody is connected to is shut down after this many seconds.
IDLE_KERNEL_SECONDS = 600
#: Longest wait for the first rendering of the front page.
READY_TIMEOUT_SECONDS = 900
#: Longest wait for Voilà to stop before its processes are killed.
STOP_TIMEOUT_SECONDS = 20

_KERNEL_ID = re.compile(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"')


def exposure_warning(host: str, port: int) -> str:
    """Say what serving on an address other than this machine's own exposes.

    Examples
    --------
    >>> exposure_warning("0.0.0.0", 8866)[:47]
    'serving on 0.0.0.0:8866, not on 127.0.0.1 only:'
    """
    return (
        f"serving on {host}:{port}, not on {LOCALHOST} only: anyone who can reach this "
        "address can open the dashboard without a password, see every customer in the data "
        "and make this machine run the notebooks (their code, on this machine's data) as "
        "often as they like. Use it on a network you trust, or keep the default."
    )


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _pick_port(host: str, port: int | None) -> int:
    if port is not None:
        if not _port_is_free(host, port):
            raise ReportError(f"port {port} on {host} is in use; choose another with --port")
        return port
    if _port_is_free(host, DEFAULT_PORT):
        return DEFAULT_PORT
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _command(folder: Path, *, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "retainkit.app._voila",
        str(folder),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--Voila.log_level=ERROR",
        # the pages show their errors as messages (retainkit.app.show_errors_plainly);
        # Voilà's own error outputs keep hiding tracebacks
        "--VoilaConfiguration.show_tracebacks=False",
        *(f"--VoilaConfiguration.file_allowlist={p}" for p in FILE_ALLOWLIST),
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
    ]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # the pages show their figures, whatever MPLBACKEND the shell set (Agg shows none)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def _shutdown_kernel(base: str, page: bytes) -> None:
    """Shut down the kernel that rendered ``page`` (no browser will connect to it)."""
    import urllib.error
    import urllib.request

    found = _KERNEL_ID.search(page.decode("utf-8", "replace"))
    if found is None:
        return
    # Voilà checks a form's XSRF token against its cookie, as for the page's own request
    token = secrets.token_hex(16)
    request = urllib.request.Request(
        f"{base}voila/api/shutdown/{found.group(1)}",
        method="POST",
        headers={"X-XSRFToken": token, "Cookie": f"_xsrf={token}"},
    )
    with contextlib.suppress(urllib.error.URLError, OSError):
        urllib.request.urlopen(request, timeout=10).close()


def _wait_until_ready(base: str, process: subprocess.Popen, timeout_seconds: float) -> None:
    """Wait until the front page renders once (then shut its kernel down)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_seconds
    while True:
        if process.poll() is not None:
            raise ReportError(
                f"the Voilà server stopped with exit code {process.returncode} before the "
                "front page was ready; its messages are above"
            )
        try:
            with urllib.request.urlopen(base, timeout=120) as response:
                page = response.read()
        except urllib.error.HTTPError as exc:
            raise ReportError(
                f"the front page answered {exc.code} {exc.reason}; Voilà's messages are above"
            ) from None
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise ReportError(
                    f"the front page did not answer within {timeout_seconds:.0f} s"
                ) from None
            time.sleep(0.3)
            continue
        _shutdown_kernel(base, page)
        return


def _stop(process: subprocess.Popen) -> None:
    """Stop Voilà (it shuts its kernels down); kill its process group if it hangs."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while serving, so that the clean-up runs.

    Ctrl-C (SIGINT) stops the app even when the process inherited it ignored: a shell
    ignores SIGINT in the commands it starts in the background (``nohup ... &``), and
    Python then keeps it ignored, so the app could only be killed.
    """

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        before = signal.signal(signal.SIGTERM, interrupt)
        before_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
        signal.signal(signal.SIGINT, before_int)


def run_app(
    data: str | None = None,
    *,
    columns: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    previous: str | None = None,
    host: str = LOCALHOST,
    port: int | None = None,
    progress: Callable[[str], None] | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the notebooks as a dashboard app until interrupted.

    Parameters
    ----------
    data, columns, parameters, previous
        As for :func:`retainkit.report.run_report`, checked the same way before anything
        starts.
    host : str
        Address to listen on; default this machine only. Another address lets others
        reach the app (:func:`exposure_warning`).
    port : int, optional
        Default: 8866, or a free port when that one is taken.
    progress : callable, optional
        Called with a line of text on each step.
    ready : callable, optional
        Called with the app's address once the front page has rendered.

    Raises
    ------
    ReportError
        For a parameter ``retainkit report`` would refuse, a port in use, or a server
        that stops or never answers.
    KeyboardInterrupt
        When interrupted (Ctrl-C or SIGTERM), after the server is stopped and the
        temporary folder removed.
    """
    say = progress or (lambda line: None)
    folder = Path(tempfile.mkdtemp(prefix="retainkit-app-"))
    try:
        from retainkit.app._notebooks import write_pages

        pages = write_pages(
            folder, data=data, columns=columns, parameters=parameters, previous=previous
        )
        port = _pick_port(host, port)
        if host != LOCALHOST:
            say(f"warning: {exposure_warning(host, port)}")
        address = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        # the server is asked on this machine's own address when it listens on all of them
        base = f"http://{LOCALHOST}:{port}/" if host in ("0.0.0.0", "::", "") else address
        say(f"Serving {len(pages)} pages from {folder}; preparing the front page ...")
        with _terminate_as_interrupt():
            process = subprocess.Popen(
                _command(folder, host=host, port=port),
                cwd=folder,
                env=_environment(),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one, below
            )
            try:
                _wait_until_ready(base, process, READY_TIMEOUT_SECONDS)
                if ready is not None:
                    ready(address)
                process.wait()
                raise ReportError(
                    f"the Voilà server stopped with exit code {process.returncode}; its "
                    "messages are above"
                )
            finally:
                _stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
