"""What a report run returns: a record per notebook and one for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class NotebookRun:
    """One notebook's run: where its outputs are, how long it took, its key figures."""

    name: str
    source: Path
    notebook: Path
    html: Path | None
    seconds: float
    status: str
    parameters: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    currency: str = ""
    title: str = ""


@dataclass
class ReportResult:
    """A finished run: its folder, index page, manifest and notebook runs."""

    folder: Path
    index: Path
    manifest: dict[str, Any]
    notebooks: list[NotebookRun]
