"""Key figures: the named numbers a notebook hands to the report's manifest and index.

A notebook ends a section with ``rk.key_figures([...])``. In JupyterLab and in the HTML
report this shows a small table; it also carries the figures as JSON under
:data:`MIMETYPE`, which :func:`retainkit.report.run_report` collects from the executed
notebook into ``manifest.json`` (``figures``) and ``index.html``.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MIMETYPE", "Figure", "KeyFigures", "figure", "format_value", "key_figures"]

MIMETYPE = "application/vnd.retainkit.figures+json"


def _plain(value: Any) -> Any:
    """Turn numpy, pandas and date values into JSON values."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            return None
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return None
        # 12 significant digits: sums computed in parallel differ in the last bits from
        # run to run; the published figure must not
        return float(f"{v:.12g}")
    if isinstance(value, str):
        return value
    raise TypeError(f"a key figure must be a number, a date or text, got {type(value).__name__}")


@dataclass(frozen=True)
class Figure:
    """One named key figure.

    Attributes
    ----------
    name : str
        Dotted name, ``"<notebook>.<figure>"`` (``"groundwork.churn_rate_12m"``).
    value : int, float, str or None
        None only with a ``reason``.
    label : str
        What it is, in plain words.
    unit : str
        ``"customers"``, ``"share"`` (0-1, shown as %), ``"currency"`` (shown with the
        currency symbol), ``"days"``, ``"date"``, ... or "".
    reason : str
        Why the value is missing, when it is.
    """

    name: str
    value: Any
    label: str
    unit: str = ""
    reason: str = ""


def figure(name: str, value: Any, label: str, *, unit: str = "", reason: str = "") -> Figure:
    """Build a key figure, normalising the value to JSON.

    Parameters
    ----------
    name : str
    value : number, date, text or None
        NaN counts as missing.
    label : str
    unit : str
    reason : str
        Required when the value is missing.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        When the value is missing and no reason is given.

    Examples
    --------
    >>> figure("data.customers", np.int64(5), "Customers", unit="customers").value
    5
    """
    plain = _plain(value)
    if plain is None and not reason:
        raise ValueError(f"key figure {name!r} has no value; give the reason why")
    return Figure(name, plain, label, unit, reason if plain is None else "")


def format_value(value: Any, unit: str, currency: str = "") -> str:
    """Format a key figure for people: thousands separators, %, currency.

    Examples
    --------
    >>> format_value(0.1234, "share"), format_value(1234567.8, "currency", "£")
    ('12.3%', '£1,234,568')
    >>> format_value(4372, "customers")
    '4,372 customers'
    """
    if value is None:
        return "—"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "currency":
        sign = "-" if value < 0 else ""
        return f"{sign}{currency}{abs(value):,.0f}"
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and unit not in ("date", "text") else text


class KeyFigures:
    """A set of key figures that displays as a table and carries its JSON.

    Parameters
    ----------
    figures : iterable of Figure
    currency : str
        Currency symbol for figures with unit ``"currency"``.
    """

    def __init__(self, figures: Iterable[Figure], *, currency: str = "") -> None:
        self.figures = list(figures)
        self.currency = currency
        names = [f.name for f in self.figures]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"key figures named twice: {dupes}")

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"figures": {name: value}, "reasons": {name: why missing}, ...}``.

        Examples
        --------
        >>> kf = KeyFigures([figure("a.x", 1, "X"), figure("a.y", None, "Y", reason="no data")])
        >>> kf.to_dict()["figures"], kf.to_dict()["reasons"]
        ({'a.x': 1, 'a.y': None}, {'a.y': 'no data'})
        """
        return {
            "figures": {f.name: f.value for f in self.figures},
            "reasons": {f.name: f.reason for f in self.figures if f.value is None},
            "labels": {f.name: f.label for f in self.figures},
            "units": {f.name: f.unit for f in self.figures},
            "currency": self.currency,
        }

    def to_frame(self) -> pd.DataFrame:
        """Return the figures as a table: label, formatted value, name.

        Examples
        --------
        >>> KeyFigures([figure("a.x", 0.5, "Half", unit="share")]).to_frame()
          key figure  value name
        0       Half  50.0%  a.x
        """
        return pd.DataFrame(
            {
                "key figure": [f.label for f in self.figures],
                "value": [
                    format_value(f.value, f.unit, self.currency)
                    if f.value is not None
                    else f"not available: {f.reason}"
                    for f in self.figures
                ],
                "name": [f.name for f in self.figures],
            }
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r['key figure'])}</td>"
            f"<td style='text-align:right'><b>{html.escape(r['value'])}</b></td>"
            f"<td><code>{html.escape(r['name'])}</code></td></tr>"
            for _, r in self.to_frame().iterrows()
        )
        return (
            "<table class='retainkit-key-figures'><thead><tr><th>Key figure</th>"
            f"<th>Value</th><th>Name in the report manifest</th></tr></thead><tbody>{rows}"
            "</tbody></table>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            MIMETYPE: self.to_dict(),
            "text/html": self._repr_html_(),
            "text/plain": self.to_frame().to_string(index=False),
        }


def key_figures(
    figures: Iterable[Figure] | Mapping[str, Figure], *, currency: str = ""
) -> KeyFigures:
    """Collect key figures for display and for the report manifest.

    Parameters
    ----------
    figures : iterable of Figure
        Made with :func:`figure`.
    currency : str
        Currency symbol for money figures.

    Returns
    -------
    KeyFigures
        Displays as a table; carries the JSON the report runner collects.

    Examples
    --------
    >>> kf = key_figures([figure("data.customers", 4372, "Customers", unit="customers")])
    >>> kf.to_dict()["figures"]
    {'data.customers': 4372}
    """
    items = figures.values() if isinstance(figures, Mapping) else figures
    return KeyFigures(items, currency=currency)
