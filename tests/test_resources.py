"""Notebooks and data are found in a checkout and inside an installed wheel."""

import subprocess
import sys
import zipfile

import pytest

from retainkit._resources import data_dir, notebooks_dir
from tests.conftest import ROOT


def test_checkout_layout():
    assert notebooks_dir() == ROOT / "notebooks"
    assert data_dir() == ROOT / "data"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("RETAINKIT_NOTEBOOKS", str(tmp_path))
    assert notebooks_dir() == tmp_path


@pytest.mark.slow
def test_wheel_carries_one_copy_of_notebooks_and_data(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("retainkit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "retainkit/_bundled/notebooks/01_groundwork.ipynb" in names
    assert "retainkit/_bundled/data/demo_shop/transactions.parquet" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import retainkit; from retainkit._resources import notebooks_dir, data_dir; "
        "print(retainkit.__file__); print(notebooks_dir()); print(data_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(site))
    assert out[1] == str(site / "retainkit" / "_bundled" / "notebooks")
    assert out[2] == str(site / "retainkit" / "_bundled" / "data")
