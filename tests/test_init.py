"""The public API: every name in __all__, imported lazily (PEP 562)."""

import ast
import importlib
import subprocess
import sys

import pytest

import retainkit as rk
from tests.conftest import ROOT

HEAVY = ("ibis", "duckdb", "matplotlib", "ipywidgets")


def _heavy_modules_loaded(code):
    """Run code in a fresh interpreter; return the heavy modules it imported."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    "code",
    [
        "import retainkit",
        "import retainkit as rk; rk.__version__; rk.list_presets; rk.SchemaError",
        "from retainkit.cli import main; main(['presets'])",
        "from retainkit.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    ],
    ids=["import", "light-names", "presets", "help"],
)
def test_import_and_light_commands_load_no_heavy_module(code):
    assert _heavy_modules_loaded(code) == "[]"


def test_a_name_that_needs_the_engine_loads_it():
    assert "ibis" in _heavy_modules_loaded("import retainkit as rk; rk.load_transactions")


@pytest.mark.parametrize("name", rk.__all__)
def test_every_public_name_imports(name):
    namespace = {}
    exec(f"from retainkit import {name}", namespace)
    assert namespace[name] is getattr(rk, name)


def test_dir_lists_every_public_name():
    assert set(rk.__all__) <= set(dir(rk))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="'load_transaction'"):
        rk.load_transaction  # noqa: B018


def test_lazy_names_are_the_modules_objects():
    for name, module in rk._ATTRIBUTES.items():
        assert getattr(rk, name) is getattr(importlib.import_module(module), name), name
    for name in rk._SUBMODULES:
        assert getattr(rk, name) is importlib.import_module(f"retainkit.{name}"), name


def test_type_checking_imports_match_the_lazy_names():
    # the imports under TYPE_CHECKING (for editors and type checkers) and the lazy table
    # are two spellings of one list: __all__
    tree = ast.parse((ROOT / "retainkit" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    imported = {}
    for node in block.body:
        for alias in node.names:
            is_submodule = node.module == "retainkit"
            imported[alias.name] = None if is_submodule else node.module
    assert set(imported) == set(rk.__all__) - {"__version__"}
    assert {n for n, m in imported.items() if m is None} == set(rk._SUBMODULES)
    assert {n: m for n, m in imported.items() if m is not None} == rk._ATTRIBUTES
