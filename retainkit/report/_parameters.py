"""The notebooks' parameters: which notebooks run, what they take, given values checked.

Text values (from the command line) are converted to each notebook's parameter type, and
parameters naming input files are resolved against the current folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retainkit._resources import notebooks_dir as _default_notebooks_dir
from retainkit.exceptions import ReportError

#: Parameters naming input files: relative paths are resolved against the current
#: folder before the notebooks (which run elsewhere) see them.
PATH_PARAMETERS = ("data", "columns", "customers", "reasons", "previous")


def list_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """Return the report notebooks in run order (``NN_topic.ipynb``).

    Examples
    --------
    >>> [p.stem for p in list_notebooks()][:1]
    ['01_groundwork']
    """
    folder = Path(notebooks_dir) if notebooks_dir else _default_notebooks_dir()
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _select(notebooks: list[Path], only: Iterable[str] | None) -> list[Path]:
    if not only:
        return notebooks
    chosen = []
    for want in only:
        w = want.removesuffix(".ipynb")
        hits = [p for p in notebooks if w in (p.stem, p.stem[:2], p.stem[3:])]
        if not hits:
            names = ", ".join(p.stem for p in notebooks)
            raise ReportError(f"no notebook named {want!r}; the notebooks are {names}")
        chosen += [h for h in hits if h not in chosen]
    return [p for p in notebooks if p in chosen]


def notebook_parameters(path: str | Path) -> dict[str, dict[str, Any]]:
    """Return a notebook's parameters: name -> type, default and help text.

    Examples
    --------
    >>> params = notebook_parameters(list_notebooks()[0])
    >>> params["data"]["inferred_type_name"]
    'str'
    """
    import papermill

    return dict(papermill.inspect_notebook(str(path)))


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _convert(name: str, value: Any, type_name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.strip().lower()
            if low in _TRUE | _FALSE:
                return low in _TRUE
            raise ValueError(value)
    except ValueError:
        raise ReportError(f"parameter {name} expects {type_name}, got {value!r}") from None
    return value


def _profiles() -> list[Any]:
    from retainkit.io import list_profiles

    return list_profiles()


def _resolve_path_parameter(name: str, value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value
    from retainkit.presets import PRESETS, resolve_preset

    if name == "data" and resolve_preset(value) is not None:
        return value
    if name == "data" and "://" in value:  # a connection URL: resolved where it is read
        return value
    p = Path(value).expanduser()
    if name == "columns" and not p.exists() and not p.suffix:
        from retainkit.io import load_profile

        load_profile(value)  # an export profile's name: an error lists the profiles
        return value
    if not p.exists() and not any(ch in value for ch in "*?["):
        hint = {
            "data": f" (or a preset: {', '.join(PRESETS)}; or a "
            "connection URL such as duckdb:///shop.duckdb?table=orders)",
            "columns": " (or an export profile: " + ", ".join(p.name for p in _profiles()) + ")",
        }.get(name, "")
        raise ReportError(f"{name}={value!r}: no such file or folder{hint}")
    return str(p.resolve()) if p.exists() else str(Path.cwd() / p)


def _parameters_for(
    notebooks: list[Path], given: Mapping[str, Any]
) -> dict[Path, tuple[dict[str, Any], dict[str, Any]]]:
    """Check and convert parameters; return per notebook (given-and-known, all values)."""
    import difflib

    specs = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({n for spec in specs.values() for n in spec})
    unknown = [n for n in given if n not in known]
    if unknown:
        hints = []
        for n in unknown:
            close = difflib.get_close_matches(n, known, n=1)
            hints.append(f"{n!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ReportError(
            f"unknown parameter {', '.join(hints)}; the notebooks take {', '.join(known)}"
        )
    out = {}
    for nb, spec in specs.items():
        passed = {}
        for name, value in given.items():
            if name in spec:
                value = _convert(name, value, spec[name]["inferred_type_name"])
                if name in PATH_PARAMETERS:
                    value = _resolve_path_parameter(name, value)
                passed[name] = value
        effective = {}
        for name, info in spec.items():
            if name in passed:
                effective[name] = passed[name]
            else:
                try:
                    import ast

                    effective[name] = ast.literal_eval(info["default"])
                except (ValueError, SyntaxError):
                    effective[name] = info["default"]
        out[nb] = (passed, effective)
    return out
