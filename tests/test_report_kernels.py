"""The report's kernels: started ahead, forked from a zygote on Linux, stopped after."""

import os
import subprocess
import sys
import time

import pytest

from retainkit.report._kernels import Kernels, kernel_environment, shut_down
from retainkit.report._zygote import ForkedProcess, Zygote, forkable, supported

linux_only = pytest.mark.skipif(not supported(), reason="kernels are forked on Linux only")


def _gone(pid, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _ask(km, code):
    """Run ``code`` in the kernel; return what it printed."""
    from jupyter_client import BlockingKernelClient

    kc = BlockingKernelClient(connection_file=km.connection_file)
    kc.load_connection_file()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        printed = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        reply = kc.execute_interactive(code, output_hook=hook, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(printed).strip()
    finally:
        kc.stop_channels()


@linux_only
def test_a_forked_kernel_runs_in_its_folder_with_the_kit_imported(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    kernels = Kernels(["python3"], cwd=tmp_path, env=kernel_environment({"RETAINKIT_THREADS": "1"}))
    try:
        km = kernels.take(0)
        process = km.provisioner.process
        assert isinstance(process, ForkedProcess)
        zygote_pid = kernels._zygote._process.pid
        printed = _ask(
            km,
            "import os, sys\n"
            "print(os.getppid(), os.getpgid(0) == os.getpid(), os.getcwd(),"
            " {'retainkit.sections', 'ibis.backends.duckdb'} <= set(sys.modules),"
            " os.environ['RETAINKIT_THREADS'],"
            " os.environ['MPLBACKEND'], get_ipython().history_manager.hist_file,"
            " sys.path[0], get_ipython().kernel.parent.parent_handle)",
        )
        ppid, leads, cwd, preloaded, threads, backend, history, first, parent = printed.split()
        assert int(ppid) == zygote_pid  # forked, not launched
        assert leads == "True"  # its own process group, which the manager signals
        assert cwd == str(tmp_path)
        assert preloaded == "True"
        assert threads == "1"
        assert backend == "module://matplotlib_inline.backend_inline"
        assert history == ":memory:"  # the notebooks' code stays out of the user's history
        assert first == str(tmp_path)  # the kernel's folder first, as for `python -m`
        assert int(parent) == zygote_pid  # it watches the zygote, and ends with it
        shut_down(km)
        assert _gone(process.pid)
        assert process.poll() is not None
    finally:
        kernels.close()
    assert kernels._zygote._process.poll() is not None  # the zygote ended with the run


@linux_only
def test_the_zygote_kills_its_kernels_when_the_report_closes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    kernels = Kernels(["python3", "python3"], cwd=tmp_path, env=kernel_environment({}))
    kernels._thread.join()  # started in the background
    pids = [kernels._managers[i].provisioner.process.pid for i in (0, 1)]
    assert all(not _gone(pid, seconds=0.1) for pid in pids)
    # numpy's random state is not the zygote's copy in each (Python's is reseeded at fork)
    draws = {_ask(kernels._managers[i], "import numpy; print(numpy.random.rand())") for i in (0, 1)}
    assert len(draws) == 2
    kernels.close()  # neither was taken: both stopped, then the zygote
    assert all(_gone(pid) for pid in pids)
    # closing a zygote (as when the report dies) stops the kernels it forked that still run
    zygote = Zygote("json", kernel_environment({}))
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    kernel = zygote.fork(cmd, cwd=str(tmp_path), env=kernel_environment({}))
    assert not _gone(kernel, seconds=0.5)
    zygote.close()
    assert _gone(kernel)
    assert _gone(zygote._process.pid)


@linux_only
def test_a_kernel_of_a_dead_zygote_is_launched_instead(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    kernels = Kernels(["python3"], cwd=tmp_path, env=kernel_environment({}))
    try:
        first = kernels.take(0)
        shut_down(first)
        kernels._zygote._process.kill()
        kernels._zygote._process.wait()
        kernels._managers[0] = None  # taking it again starts a new one
        km = kernels.take(0)
        assert isinstance(km.provisioner.process, subprocess.Popen)
        assert _ask(km, "print(6 * 7)") == "42"
        shut_down(km)
    finally:
        kernels.close()


def test_forked_process_handle():
    # a kernel leads its own process group, and what it starts is in it: killed with it
    code = "import subprocess, sys, time; subprocess.Popen(['sleep', '30']); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    time.sleep(1)
    grandchild = int(subprocess.check_output(["pgrep", "-g", str(child.pid), "sleep"]).split()[0])
    handle = ForkedProcess(child.pid)
    assert handle.poll() is None
    handle.kill()
    child.wait()  # reaped here: for a real forked kernel the zygote reaps it
    assert handle.wait(timeout=5) == -9
    assert _gone(grandchild)
    gone = ForkedProcess(child.pid)
    assert gone.poll() == 0  # gone: an ordinary end as far as known
    gone.send_signal(15)  # no error, as Popen: the kernel manager signals one that ended
    gone.kill()
    assert gone.returncode == 0


def test_only_this_python_running_ipykernel_is_forked():
    assert forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not forkable(["/usr/bin/python2", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not forkable([sys.executable, "-m", "other_kernel", "-f", "k.json"])
    assert not forkable([sys.executable])


@linux_only
def test_a_forked_kernels_memory_counts_as_the_callers_childrens(tmp_path):
    # benchmarks read peak memory from RUSAGE_CHILDREN: a kernel the zygote did not wait
    # for would not count, and a report would look lighter than it is
    code = f"""
import resource, sys
sys.path.insert(0, {str(os.getcwd())!r})
from pathlib import Path
from retainkit.report._kernels import Kernels, kernel_environment, shut_down
from tests.test_report_kernels import _ask
kernels = Kernels(["python3"], cwd=Path({str(tmp_path)!r}), env=kernel_environment({{}}))
km = kernels.take(0)
assert type(km.provisioner.process).__name__ == "ForkedProcess"
_ask(km, "big = b'x' * 400_000_000\\nprint(len(big))")
shut_down(km)
kernels.close()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(out.stdout.split()[-1]) >= 400  # MB: the kernel's 400 MB string was seen
