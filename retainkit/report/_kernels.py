"""The report's kernels: started before the data is loaded, stopped when their notebook ends.

A kernel is of use about 3 s after it is asked for on a 2-core machine: about 1 s to
start and 2.1-2.3 s for the imports every notebook makes (pandas, SciPy, matplotlib,
Ibis, DuckDB and the kit; ``python -X importtime`` on each notebook's code, 2026-12-03).
Papermill starts a notebook's kernel when the notebook starts, so each notebook paid
those 3 s after the runner had loaded the data. The runner now starts one kernel per
notebook first (:class:`Kernels`), each with what every notebook imports
(:data:`PRELOAD`) imported as it starts, and loads the data meanwhile; a notebook takes
its kernel ready. On Linux the kernels are forked from one process that imported it
once (:mod:`retainkit.report._zygote`); elsewhere each kernel imports it.

Papermill leaves alone a kernel it was handed: :func:`shut_down` stops each one as its
notebook ends, so that a finished notebook's kernel does not keep its data in memory
while the others run, or after the report (which it did in a long-lived process).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from retainkit.report._zygote import ForkedProcess, Zygote, forkable
from retainkit.report._zygote import supported as zygote_supported

logger = logging.getLogger(__name__)

#: The module a report kernel imports as it starts: the section functions, which import
#: the whole kit and its libraries, and Ibis's DuckDB backend (what each notebook's first
#: calls import anyway).
PRELOAD = "retainkit._kernel_preload"

#: Arguments of every report kernel: start-up warnings are noise in a report run; no
#: history file; the import of :data:`PRELOAD` runs before the kernel says it is ready,
#: and leaves no name in the notebook's namespace.
KERNEL_ARGUMENTS: tuple[str, ...] = (
    "--IPKernelApp.log_level=ERROR",
    # as nbclient does for the kernels it starts: the notebooks' code stays out of the
    # user's IPython history (a file several kernels at once would write to)
    "--HistoryManager.hist_file=:memory:",
    f"--IPKernelApp.exec_lines=import {PRELOAD} as _retainkit_preload; del _retainkit_preload",
)

#: The matplotlib backend that lets a kernel show figures (``MPLBACKEND`` set to Agg for
#: tests and headless jobs would draw them and never show them: a report without plots).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def kernel_environment(
    shares: Mapping[str, str | None], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return the environment of a report kernel: ``base`` with figures shown inline.

    ``shares`` names variables to set (a None value leaves the variable as it is), such
    as the DuckDB and BLAS thread counts of a kernel running beside others.

    Examples
    --------
    >>> env = kernel_environment({"RETAINKIT_THREADS": "1", "X": None}, base={"MPLBACKEND": "Agg"})
    >>> env["MPLBACKEND"].endswith("backend_inline"), env["RETAINKIT_THREADS"], "X" in env
    (True, '1', False)
    """
    env = dict(os.environ if base is None else base)
    env["MPLBACKEND"] = INLINE_BACKEND
    env.update({name: value for name, value in shares.items() if value is not None})
    return env


class Kernels:
    """One kernel per notebook, started at once in the background, each taken by its notebook.

    Parameters
    ----------
    names : sequence of str
        The kernel name of each notebook (its kernelspec), in notebook order.
    cwd : Path
        The folder the kernels work in (where a notebook's relative paths point).
    env : mapping
        Their environment (:func:`kernel_environment`).
    zygote : Zygote, None or True
        The process to fork the kernels from (:func:`start_zygote`), which the caller
        closes; None: launch each kernel as a process; True (default): start one here
        where kernels can be forked, and close it with :meth:`close`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     kernels = Kernels(["python3"], cwd=Path(folder), env=kernel_environment({}))
    ...     km = kernels.take(0)
    ...     alive = km is not None and km.provisioner.process.poll() is None
    ...     shut_down(km)
    ...     kernels.close()
    >>> alive
    True
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        zygote: Zygote | bool | None = True,
    ) -> None:
        self._names = list(names)
        self._lock = threading.Lock()
        self._cwd = str(cwd)
        self._env = dict(env)
        self._owns_zygote = zygote is True
        self._zygote = start_zygote(self._env) if zygote is True else (zygote or None)
        self._managers: dict[int, Any] = {i: self._manager(name) for i, name in enumerate(names)}
        # Launching is quick (a fork or a process each); the imports are not waited for here.
        self._thread = threading.Thread(
            target=self._start_all, name="retainkit-kernels", daemon=True
        )
        self._thread.start()

    def _start(self, km: Any) -> Coroutine[Any, Any, Any]:
        """Return the coroutine starting ``km`` in the run's folder and environment."""
        return km.start_kernel(cwd=self._cwd, env=self._env, extra_arguments=list(KERNEL_ARGUMENTS))

    def _start_all(self) -> None:
        async def start(i: int, km: Any) -> None:
            try:
                await self._start(km)
            except Exception as exc:  # taking it starts it again, and raises the error
                logger.debug("kernel %d did not start ahead: %s", i, exc)
                with self._lock:
                    self._managers.pop(i, None)

        with self._lock:
            managers = dict(self._managers)
        asyncio.run(_gather(*(start(i, km) for i, km in managers.items())))

    def take(self, position: int) -> Any:
        """Return the kernel of the notebook at ``position`` (0-based), started.

        One that did not start ahead or has died since is started now; an error in
        starting it (such as an unknown kernel name) is raised here.
        """
        self._thread.join()
        with self._lock:
            km = self._managers.pop(position, None)
        if km is not None and _running(km):
            return km
        if km is not None:
            shut_down(km)
        km = self._manager(self._names[position])
        _run_async(lambda: self._start(km))
        return km

    def close(self) -> None:
        """Stop the kernels no notebook has taken (a run that failed or stopped early)."""
        self._thread.join()
        with self._lock:
            left = list(self._managers.values())
            self._managers.clear()
        for km in left:
            shut_down(km)
        if self._zygote is not None and self._owns_zygote:
            self._zygote.close()

    def _manager(self, name: str) -> Any:
        km = _manager_class()(kernel_name=name)
        km.zygote = self._zygote
        return km


@functools.cache
def _manager_class() -> type:
    """Return the kernel manager class that forks its kernel from a zygote when it can."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkingKernelManager(AsyncKernelManager):  # type: ignore[misc]
        """An AsyncKernelManager whose kernel is forked from ``zygote`` (None: launched)."""

        zygote: Zygote | None = None

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # jupyter_client's place for launching differently
            if self.zygote is None or not forkable(kernel_cmd):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            # as jupyter_client's launcher sets it (the kernel's parent is the zygote, which
            # ends when this process does)
            env = {**(kw.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}
            try:
                pid = self.zygote.fork(kernel_cmd, cwd=kw.get("cwd"), env=env)
            except OSError as exc:
                logger.debug("kernel launched, not forked: %s", exc)
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner = self.provisioner
            assert provisioner is not None
            provisioner.process = ForkedProcess(pid)
            # signals go through the handle, to the kernel's process group only while the
            # kernel runs (its id is the zygote's to reuse once it has ended)
            provisioner.pid, provisioner.pgid = pid, None
            provisioner.cwd = kw.get("cwd")
            self._reconcile_connection_info(provisioner.connection_info)
            return None

    return ForkingKernelManager


def start_zygote(env: Mapping[str, str]) -> Zygote | None:
    """Start the process that forks the kernels, importing :data:`PRELOAD`; None if unsupported.

    Examples
    --------
    >>> zygote = start_zygote(kernel_environment({}))
    >>> zygote is None or zygote.close() is None
    True
    """
    return Zygote(PRELOAD, env) if zygote_supported() else None


async def _gather(*coroutines: Any) -> None:
    await asyncio.gather(*coroutines)


def _run_async(make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Run a coroutine to its end in a thread of its own (an event loop may run in this one)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(make())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="retainkit-kernel")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _process(km: Any) -> Any | None:
    """Return a kernel's process handle (Popen or :class:`ForkedProcess`), None if none."""
    return getattr(getattr(km, "provisioner", None), "process", None)


def _running(km: Any) -> bool:
    process = _process(km)
    return process is not None and process.poll() is None


def kill(km: Any) -> None:
    """Kill a kernel's process if it runs; no error if it has gone.

    Examples
    --------
    >>> from jupyter_client.manager import AsyncKernelManager
    >>> kill(AsyncKernelManager(kernel_name="python3"))  # never started: nothing to do
    """
    if _running(km):
        with contextlib.suppress(OSError):
            _process(km).kill()


def shut_down(km: Any) -> None:
    """Stop a kernel at once and remove its connection file; no error if it has gone.

    Examples
    --------
    >>> from jupyter_client.manager import AsyncKernelManager
    >>> shut_down(AsyncKernelManager(kernel_name="python3"))  # never started: nothing to do
    """
    if not km.has_kernel:
        return

    try:
        _run_async(lambda: km.shutdown_kernel(now=True))
    except Exception as exc:  # a kernel already gone, or a loop already running here
        logger.debug("kernel shut down by killing its process: %s", exc)
        kill(km)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()
