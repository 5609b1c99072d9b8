"""Shared fixtures: small hand-checkable frames, paths to the bundled data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run by default, so CI cannot turn red
# by chance; HYPOTHESIS_PROFILE=explore draws fresh examples at each run to hunt for bugs
# (each one found becomes a hand-checked unit test, as in tests/clv/test_bgnbd.py).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    """Doctests get pandas as pd, like the modules they document."""
    doctest_namespace["pd"] = pd


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def tiny() -> pd.DataFrame:
    """Three customers, hand-checkable.

    a: 2024-01-01 (two lines, 10 + 5), 2024-01-15 (20), a return on 2024-01-20 (-5)
    b: 2024-01-08 (7)
    c: 2024-02-01 (30), 2024-02-01 again later that day (12)
    """
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "order_id": ["o1", "o1", "o2", "r1", "o3", "o4", "o5"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 09:00",
                    "2024-01-15 10:00",
                    "2024-01-20 11:00",
                    "2024-01-08 12:00",
                    "2024-02-01 08:00",
                    "2024-02-01 18:00",
                ]
            ),
            "revenue": [10.0, 5.0, 20.0, -5.0, 7.0, 30.0, 12.0],
        }
    )


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def copy_of(tmp_path):
    """Copy a bundled data file into tmp_path so a test can check it is left unchanged."""

    def _copy(relative: str) -> Path:
        target = tmp_path / Path(relative).name
        shutil.copy(DATA / relative, target)
        return target

    return _copy


def stderr_outputs(folder: Path) -> list[str]:
    """Warnings and errors printed by the executed notebooks of a report run."""
    import nbformat

    found = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("name") == "stderr" or out.get("output_type") == "error":
                    found.append(f"{path.name}: {out.get('text', out.get('evalue', ''))[:300]}")
    return found
