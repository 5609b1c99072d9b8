"""Where the notebooks and sample data are: in a checkout or inside an installed wheel.

There is one copy of each: ``notebooks/`` and ``data/`` at the top of the checkout. A
wheel carries them as ``retainkit/_bundled/``; an editable install or a checkout uses
the folders beside the package.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "notebooks_dir"]


def _locate(kind: str, env_var: str) -> Path:
    override = os.environ.get(env_var)
    if override:
        return Path(override)
    package = Path(str(resources.files("retainkit")))
    bundled = package / "_bundled" / kind
    if bundled.is_dir():
        return bundled
    checkout = package.parent / kind
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        f"cannot find retainkit's {kind} folder: neither {bundled} nor {checkout} exists; "
        f"set {env_var} to the folder"
    )


def notebooks_dir() -> Path:
    """Return the folder holding the report notebooks (``RETAINKIT_NOTEBOOKS`` overrides)."""
    return _locate("notebooks", "RETAINKIT_NOTEBOOKS")


def data_dir() -> Path:
    """Return the folder holding the bundled data sets (``RETAINKIT_DATA`` overrides)."""
    return _locate("data", "RETAINKIT_DATA")
