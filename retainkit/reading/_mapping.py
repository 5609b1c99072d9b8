"""Mapping files and export profiles: which column is which, and how to read and clean.

A mapping file is TOML with a ``[columns]`` table (canonical name = your column) and
optional ``[read]`` and ``[clean]`` tables. A *profile* is a mapping file shipped with
retainkit for a tool's export (Shopify, Stripe, ...), with a ``[profile]`` table that
names the tool and the header columns that recognise its files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from retainkit.exceptions import SchemaError

__all__ = [
    "CLEAN_KEYS",
    "READ_KEYS",
    "Profile",
    "list_profiles",
    "load_profile",
    "read_mapping_file",
    "recognise_profile",
]

READ_KEYS = (
    "date_format",
    "dayfirst",
    "decimal",
    "delimiter",
    "encoding",
    "escape",
    "sheet",
    "names",
    "skip_rows",
    "timezone",
    "amount_unit",
)
CLEAN_KEYS = (
    "returns",
    "outliers",
    "max_amount",
    "max_date",
    "id_case",
    "duplicates",
    "zero_revenue",
    "cancellation_prefix",
    "keep_columns",
    "max_invalid_share",
    "max_missing_id_share",
    "min_date",
    "materialize",
    "currency",
    "guest_ids",
    "revenue_level",
    "not_sales",
    "sale_statuses",
    "not_sale_statuses",
    "fill_down",
    "subtract",
    "refunded_pattern",
    "refund_from_adjusted",
    "return_customer_id",
    "negative_when",
)
_PROFILE_KEYS = ("name", "title", "source", "detect", "absent", "notes")


def _parse(text: str, where: str) -> dict[str, dict[str, Any]]:
    try:
        content = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"mapping file {where!r} is not valid TOML: {exc}") from None
    allowed = {"columns": None, "read": READ_KEYS, "clean": CLEAN_KEYS, "profile": _PROFILE_KEYS}
    problems = [f"unknown table [{k}]" for k in content if k not in allowed]
    for table, keys in allowed.items():
        section = content.get(table, {})
        if not isinstance(section, dict):
            problems.append(f"[{table}] must be a table")
            continue
        if keys is not None:
            problems += [
                f"unknown key {k!r} in [{table}] (known: {', '.join(keys)})"
                for k in section
                if k not in keys
            ]
        else:
            problems += [
                f"[columns] {k} must name a column as text (or a list of columns, the first "
                f"non-empty one counting), got {v!r}"
                for k, v in section.items()
                if not (
                    isinstance(v, str)
                    or (isinstance(v, list) and v and all(isinstance(x, str) for x in v))
                )
            ]
    if problems:
        raise SchemaError(f"mapping file {where!r}: " + "; ".join(problems))
    return {t: dict(content.get(t, {})) for t in allowed}


def read_mapping_file(path: str | Path) -> dict[str, dict[str, Any]]:
    r"""Read a column-mapping file.

    The file is TOML (UTF-8, with or without a byte-order mark) with a ``[columns]``
    table (canonical name = your column name) and optional ``[read]`` (how to read the
    file: ``date_format``, ``dayfirst``, ``decimal``, ``delimiter``, ``encoding``,
    ``escape``, ``sheet``, ``names``, ``skip_rows``, ``timezone``, ``amount_unit``) and
    ``[clean]`` (which rows to keep: ``returns``, ``duplicates``, ``zero_revenue``,
    ``currency``, ``guest_ids``, ``not_sales``, ``max_invalid_share``,
    ``max_missing_id_share``, ...) tables::

        [columns]
        customer_id = "Kundennr"
        order_date = "Datum"
        revenue = "Umsatz"

        [read]
        date_format = "%d.%m.%Y"
        decimal = ","

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``{"columns": {...}, "read": {...}, "clean": {...}, "profile": {...}}``.

    Raises
    ------
    SchemaError
        When the file is missing, is not valid TOML, or has unknown tables or keys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_bytes(b'\xef\xbb\xbf[columns]\ncustomer_id = "Cust"\n')
    >>> read_mapping_file(p)["columns"]
    {'customer_id': 'Cust'}
    """
    p = Path(path)
    if not p.is_file():
        raise SchemaError(f"mapping file {str(p)!r} does not exist")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError(f"mapping file {str(p)!r} is not UTF-8 text; save it as UTF-8") from None
    return _parse(text, str(p))


@dataclass(frozen=True)
class Profile:
    """A tool's export, as retainkit reads it.

    Attributes
    ----------
    name : str
        What to pass as ``columns`` (``"shopify"``).
    title : str
    source : str
        Where the column layout is documented.
    detect : tuple of str
        Header columns that together recognise the tool's files.
    absent : tuple of str
        Header columns that the files of this layout never have (another layout of the
        same tool's export has them).
    spec : dict
        The mapping: ``columns``, ``read`` and ``clean`` tables.
    """

    name: str
    title: str
    source: str
    detect: tuple[str, ...]
    spec: dict[str, dict[str, Any]]
    absent: tuple[str, ...] = ()


def _profile_files() -> list[Any]:
    folder = resources.files("retainkit.reading").joinpath("profiles")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def list_profiles() -> list[Profile]:
    """Return the export profiles shipped with retainkit.

    Examples
    --------
    >>> "shopify" in [p.name for p in list_profiles()]
    True
    """
    out = []
    for f in _profile_files():
        spec = _parse(f.read_text(encoding="utf-8"), f.name)
        meta = spec["profile"]
        out.append(
            Profile(
                name=meta.get("name", f.name[:-5]),
                title=meta.get("title", ""),
                source=meta.get("source", ""),
                detect=tuple(meta.get("detect", ())),
                spec={k: v for k, v in spec.items() if k != "profile"},
                absent=tuple(meta.get("absent", ())),
            )
        )
    return out


def load_profile(name: str) -> Profile:
    """Return the profile named ``name``.

    Raises
    ------
    SchemaError
        When there is no such profile; the message lists them.
    """
    profiles = {p.name: p for p in list_profiles()}
    if name not in profiles:
        raise SchemaError(
            f"no export profile named {name!r}; profiles are {sorted(profiles)}, or pass the "
            "path of a mapping file"
        )
    return profiles[name]


def recognise_profile(columns: Sequence[str]) -> Profile | None:
    """Return the profile whose identifying columns are all in a header, if exactly one.

    Examples
    --------
    >>> recognise_profile(["customer_id", "order_date"]) is None
    True
    """
    header = {str(c).strip().lower() for c in columns}
    fits = [
        p
        for p in list_profiles()
        if p.detect
        and all(d.lower() in header for d in p.detect)
        and not any(a.lower() in header for a in p.absent)
    ]
    if not fits:
        return None
    return max(fits, key=lambda p: len(p.detect))
