"""What ``manifest.json`` records: versions, the data's fingerprint, each notebook's entry.

A failed or interrupted run writes its manifest too, into the folder parked as
``<folder>.failed``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import platform
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retainkit.exceptions import ReportError
from retainkit.report._results import NotebookRun

_VERSIONED = (
    "retainkit",
    "pandas",
    "numpy",
    "scipy",
    "ibis-framework",
    "duckdb",
    "sqlglot",
    "pyarrow",
    "matplotlib",
    "seaborn",
    "ipywidgets",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
)


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in _VERSIONED:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _data_files(params: Mapping[str, Any]) -> dict[str, str]:
    from retainkit.datasets import input_files
    from retainkit.io import sha256_of

    files = input_files(
        params.get("data", "demo"),
        columns=params.get("columns"),
        customers=params.get("customers"),
        reasons=params.get("reasons"),
    )
    return {str(f): sha256_of(f) for f in files}


def _hidden(values: Mapping[str, Any]) -> dict[str, Any]:
    from retainkit.engine import hide_password

    return {k: hide_password(v) if isinstance(v, str) else v for k, v in values.items()}


def _record(
    manifest: dict[str, Any], run: NotebookRun, got: dict[str, Any], *, check: bool = True
) -> None:
    """Add a finished notebook's figures, entry and time to the manifest."""
    clash = {
        k
        for k in got["figures"]
        if k in manifest["figures"] and manifest["figures"][k] != got["figures"][k]
    }
    if clash and check:
        raise ReportError(
            f"notebook {run.name} reports key figures {sorted(clash)} with values other "
            "notebooks reported differently"
        )
    manifest["figures"].update(got["figures"])
    manifest["figure_reasons"].update(got["reasons"])
    manifest["notebooks"].append(
        {
            "name": run.name,
            "title": run.title,
            "status": "ok",
            "seconds": round(run.seconds, 2),
            "notebook": run.notebook.name,
            "html": run.html.name if run.html else None,
        }
    )
    manifest["timings_seconds"][run.name] = round(run.seconds, 2)


def _finish_failed(work: Path, folder: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest into the work folder and park it as ``<folder>.failed``."""
    with contextlib.suppress(OSError):
        (work / "manifest.json").write_text(
            json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
    failed = folder.with_name(folder.name + ".failed")
    if failed.exists():
        shutil.rmtree(failed, ignore_errors=True)
    with contextlib.suppress(OSError):
        work.rename(failed)
        return failed
    return work
