"""Kernels forked from one process that has imported the kit once (Linux).

Each report kernel imports pandas, SciPy, matplotlib, Ibis, DuckDB and the kit: 2.1-2.3 s
of CPU per kernel on a 2-core machine, three times per report. A *zygote* process
imports them once, then forks each kernel: a fork has every module already in memory
(shared with the zygote until written), and starts in about 0.1 s.

The zygote is started with the kernels' environment (:func:`Zygote.start`) and serves
one request per kernel on its standard input: the kernel's command, folder and
environment as a JSON line; it answers with the kernel's process id. A forked kernel
leads its own session (as :func:`jupyter_client.launcher.launch_kernel` starts one), so
the kernel manager stops it the usual way, by signalling its process group. When the
report closes the zygote's input (or dies), the zygote kills the kernels it forked that
are still running and exits.

Only where ``os.fork`` is safe to use this way (Linux); elsewhere, and for a kernel
that is not this Python's ipykernel, kernels are launched as processes of their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Set to 0 to launch every kernel as a process of its own, as Papermill does.
FORK_ENV = "RETAINKIT_FORK_KERNELS"

#: The zygote's program (``-m`` would run this module a second time, as ``__main__``).
#: It drops the '' that ``-c`` puts first on ``sys.path``: modules in the folder the report
#: was started from must not stand in for installed ones (a kernel gets its own folder).
_SERVE = (
    "import sys; sys.path.pop(0); from retainkit.report._zygote import _serve; _serve(sys.argv[1])"
)

#: The kernel command a zygote can fork: ``<this python> -m ipykernel_launcher ...``.
_LAUNCHER = ("-m", "ipykernel_launcher")


def supported() -> bool:
    """Return whether kernels can be forked here (Linux, unless ``RETAINKIT_FORK_KERNELS=0``).

    Examples
    --------
    >>> isinstance(supported(), bool)
    True
    """
    if os.environ.get(FORK_ENV, "").strip().lower() in {"0", "false", "no", "off"}:
        return False
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def forkable(cmd: Sequence[str]) -> bool:
    """Return whether a kernel command is this Python running ipykernel (what a fork runs).

    Examples
    --------
    >>> forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    True
    >>> forkable(["/usr/bin/R", "--slave"])
    False
    """
    if len(cmd) < 3 or tuple(cmd[1:3]) != _LAUNCHER:
        return False
    return os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)


class Zygote:
    """A process that has imported ``preload`` and forks kernels on request.

    Parameters
    ----------
    preload : str
        The module to import before forking (what every kernel imports).
    env : mapping
        The kernels' environment: variables read at import (thread counts, the
        matplotlib backend) must be those of the kernels.
    """

    def __init__(self, preload: str, env: Mapping[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(env),
            text=True,
            start_new_session=True,  # Ctrl-C reaches the report, which then closes it
        )
        self._lock = threading.Lock()
        self._forked = 0

    def fork(self, cmd: Sequence[str], *, cwd: str | None, env: Mapping[str, str]) -> int:
        """Start a kernel by forking; return its process id.

        Raises OSError when the zygote has gone (the caller launches the kernel itself).
        """
        request = json.dumps({"argv": list(cmd[3:]), "cwd": cwd, "env": dict(env)})
        with self._lock:
            stdin, stdout = self._process.stdin, self._process.stdout
            if stdin is None or stdout is None or self._process.poll() is not None:
                raise OSError("the kernel zygote has stopped")
            try:
                stdin.write(request + "\n")
                stdin.flush()
                answer = stdout.readline()
            except (BrokenPipeError, ValueError) as exc:
                raise OSError(f"the kernel zygote has stopped: {exc}") from None
            if not answer:
                raise OSError("the kernel zygote has stopped")
            self._forked += 1
        return int(json.loads(answer)["pid"])

    def close(self) -> None:
        """Stop the zygote; it kills the kernels it forked that are still running.

        One that has forked nothing (a run that failed before its notebooks) is killed
        at once, rather than waited for to finish its imports.
        """
        if not self._forked and self._process.poll() is None:
            self._process.kill()
        with self._lock:
            if self._process.stdin is not None:
                try:
                    self._process.stdin.close()
                except OSError:
                    pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


class ForkedProcess:
    """The handle of a forked kernel, as much of :class:`subprocess.Popen` as jupyter_client uses.

    The zygote, not this process, is the kernel's parent (and waits for it), so its exit
    status is not known here (0 after an ordinary end, -9 when it was killed from here).
    On Linux 5.3 and later the handle holds a pidfd, which names this very process
    whatever happens to its id once it has ended; signals go to its process group (the
    kernel and what it started) only while it runs.

    Examples
    --------
    >>> p = ForkedProcess(os.getpid())
    >>> p.poll() is None, p.stdin
    (True, None)
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = None
        if hasattr(os, "pidfd_open"):
            try:
                self._fd = os.pidfd_open(pid)
            except ProcessLookupError:
                self.returncode = 0
            except OSError:  # pidfds unsupported here: ask by id
                self._fd = None

    def poll(self) -> int | None:
        """Return None while the kernel runs, else its exit status."""
        if self.returncode is not None:
            return self.returncode
        if self._fd is not None:
            ended = bool(select.select([self._fd], [], [], 0)[0])  # readable once it exits
        else:
            try:
                os.kill(self.pid, 0)
                ended = False
            except (ProcessLookupError, PermissionError):  # gone (its id maybe reused)
                ended = True
        if ended:
            self._ended(0)
        return self.returncode

    def _ended(self, code: int) -> None:
        self.returncode = code
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the kernel to end; return its exit status."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            time.sleep(0.05)
        return int(self.returncode or 0)

    def send_signal(self, signum: int) -> None:
        """Signal the kernel's process group while the kernel runs; nothing once it has ended."""
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:  # not a group leader: the kernel alone
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        """Kill the kernel."""
        if self.poll() is None:
            self.send_signal(signal.SIGKILL)
            self._ended(-signal.SIGKILL)

    def terminate(self) -> None:
        """Ask the kernel to end."""
        self.send_signal(signal.SIGTERM)

    def __del__(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)


#: The zygote's kernels still running (forked, not yet waited for).
_RUNNING: set[int] = set()


def _serve(preload: str) -> None:
    """Import ``preload``, then fork a kernel for each request line until the input ends."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the report stops it, by closing its input
    importlib.import_module(preload)
    import ipykernel.kernelapp  # noqa: F401  (imported once, here)

    # forked kernels are waited for as they end: no zombie keeps its id, and their resource
    # use (peak memory, CPU) counts as the zygote's children, then as the report's
    signal.signal(signal.SIGCHLD, _reap)
    chld = {signal.SIGCHLD}
    for line in sys.stdin:
        request = json.loads(line)
        signal.pthread_sigmask(signal.SIG_BLOCK, chld)  # a kernel is listed before it is reaped
        pid = os.fork()
        if pid == 0:  # the kernel
            signal.pthread_sigmask(signal.SIG_UNBLOCK, chld)
            _become_kernel(request)  # never returns
        _RUNNING.add(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, chld)
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()
    # the report has ended: no kernel outlives it. Only kernels not yet waited for are
    # killed (their ids cannot have been reused), with SIGCHLD held off meanwhile
    signal.pthread_sigmask(signal.SIG_BLOCK, chld)
    for pid in sorted(_RUNNING):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def _reap(signum: int, frame: Any) -> None:
    """Wait for every kernel that has ended (the zygote's SIGCHLD handler)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _RUNNING.discard(pid)


def _become_kernel(request: Mapping[str, Any]) -> None:
    """In a forked child: run the kernel as ``python -m ipykernel_launcher`` would, then exit."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # the zygote's pipes are the report's: the kernel reads nothing and writes to stderr
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)
        cwd = request.get("cwd")
        if cwd:
            os.chdir(cwd)
            sys.path.insert(0, str(Path(cwd)))  # as for `python -m` started in that folder
        os.environ.clear()
        os.environ.update(request["env"])
        if "numpy" in sys.modules:  # Python's `random` is reseeded at fork; numpy's is not
            sys.modules["numpy"].random.seed()
        # the kernel's parent is the zygote: it ends when the zygote does (ipykernel takes
        # its parent from JPY_PARENT_PID when imported, which was in the zygote)
        sys.argv = [
            "ipykernel_launcher",
            *request["argv"],
            f"--IPKernelApp.parent_handle={os.getppid()}",
        ]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)
