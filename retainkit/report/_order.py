"""Which notebook to start first when several run side by side: the longest.

With two cores and three notebooks, the run lasts at least as long as the longest notebook
plus whatever has to wait for a free slot. Starting the longest first (the classic
longest-processing-time rule) lets the short ones fill the other slot meanwhile; in
notebook order, the longest may start last and run alone at the end.

A notebook's length is its time in an earlier run's manifest when every notebook has
one (the ``previous`` run, or the newest complete run in the reports folder), and
otherwise its number of code cells. Only the start order changes: progress lines, the
manifest and the index keep notebook order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["earlier_timings", "start_order"]

#: Run folders looked at, newest first, for an earlier complete run's timings.
_LOOK_BACK = 20


def _code_cells(path: Path) -> int:
    """Return the number of code cells of a notebook file (0 when it cannot be read)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return 0
    return sum(1 for c in cells if isinstance(c, dict) and c.get("cell_type") == "code")


def start_order(
    notebooks: Sequence[Path], *, timings: Mapping[str, Any] | None = None
) -> list[int]:
    """Return the positions of ``notebooks`` (0-based) in the order to start them.

    Longest first: by ``timings`` (seconds by notebook name) when it has a number for
    every notebook, otherwise by the number of code cells; ties keep notebook order.

    Parameters
    ----------
    notebooks : sequence of Path
        The notebook files, in notebook order.
    timings : mapping, optional
        Seconds each notebook took in an earlier run (:func:`earlier_timings`).

    Returns
    -------
    list of int

    Examples
    --------
    >>> from pathlib import Path
    >>> nbs = [Path("01_a.ipynb"), Path("02_b.ipynb"), Path("03_c.ipynb")]
    >>> start_order(nbs, timings={"01_a": 14.6, "02_b": 10.0, "03_c": 19.6})
    [2, 0, 1]
    >>> start_order(nbs, timings={"01_a": 14.6})  # not all known, no cells: as given
    [0, 1, 2]
    """
    known = dict(timings or {})
    if notebooks and all(_seconds(known.get(p.stem)) is not None for p in notebooks):
        length = [float(_seconds(known[p.stem]) or 0.0) for p in notebooks]
    else:
        length = [float(_code_cells(p)) for p in notebooks]
    return sorted(range(len(notebooks)), key=lambda i: -length[i])


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value) if value >= 0 else None


def _timings_of(folder: Path) -> dict[str, Any] | None:
    """Return a complete run's ``timings_seconds`` (None if not a complete run folder)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("status") != "complete":
        return None
    timings = manifest.get("timings_seconds")
    return timings if isinstance(timings, dict) else None


def earlier_timings(
    *, previous: str | Path | None = None, reports_dir: str | Path | None = None
) -> dict[str, Any]:
    """Return the notebook timings of an earlier complete run, or an empty dict.

    ``previous`` (last month's run folder, or a file in it) is read first; otherwise the
    newest complete run among the last few folders of ``reports_dir`` (by name, which
    starts with the run's date and time). Files are only read.

    Parameters
    ----------
    previous : str or Path, optional
        The report's ``previous`` run folder or its call list file.
    reports_dir : str or Path, optional
        The folder of default run folders.

    Returns
    -------
    dict
        ``timings_seconds`` of that run's manifest (seconds by notebook name).

    Examples
    --------
    >>> earlier_timings(previous="/no/such/folder")
    {}
    """
    if previous:
        path = Path(previous)
        for folder in (path, path.parent):
            found = _timings_of(folder)
            if found is not None:
                return found
    if reports_dir is not None:
        try:
            folders = sorted(
                (p for p in Path(reports_dir).iterdir() if p.is_dir()),
                key=lambda p: p.name,
                reverse=True,
            )
        except OSError:
            return {}
        for folder in folders[:_LOOK_BACK]:
            found = _timings_of(folder)
            if found is not None:
                return found
    return {}
