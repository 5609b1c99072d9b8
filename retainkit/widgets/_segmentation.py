"""Segmentation controls: Pareto and RFM segments.

:func:`pareto_panel` and :func:`rfm_panel` put controls (top share and subgroup; RFM bins
and segment rules) over the report's own sections,
:func:`retainkit.sections.pareto_section` and :func:`retainkit.sections.rfm_section`, so
that the controls and the report show the same numbers. The ``*_view`` names are the
sections' former names, kept for code that calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from retainkit import segmentation as seg
from retainkit.sections.priority import key_clients_table, priority_table
from retainkit.sections.segmentation import pareto_section, rfm_section
from retainkit.widgets._base import scenario_panel

__all__ = [
    "key_clients_view",
    "pareto_panel",
    "pareto_view",
    "priority_view",
    "rfm_panel",
    "rfm_view",
]

_EVERY = "every attribute"


def pareto_view(values: pd.DataFrame, **options: Any) -> tuple[Any, ...]:
    """Return :func:`retainkit.sections.pareto_section` as a tuple (its former name).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> head, fig, groups, vital = pareto_view(v, top_share=0.4)
    >>> "**80.0%**" in head.data
    True
    """
    return tuple(pareto_section(values, **options))


def rfm_view(values: pd.DataFrame, **options: Any) -> tuple[Any, ...]:
    """Return :func:`retainkit.sections.rfm_section` as a tuple (its former name).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1], "revenue": [500.0, 20, 80, 30]})
    >>> head, cuts, table, fig = rfm_view(v, bins=2)
    >>> "4 customers" in head.data
    True
    """
    return tuple(rfm_section(values, **options))


def priority_view(priority: pd.DataFrame, **options: Any) -> tuple[Any, ...]:
    """Return :func:`retainkit.sections.priority_table` as a tuple (its former name).

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["a"], "revenue": [100.0], "purchase_days": [3],
    ...     "days_since_last_purchase": [10.0], "return_share": [0.0],
    ...     "action": ["nurture: repeat buyer still buying"], "reason": ["solvent"]})
    >>> head, table = priority_view(p)
    >>> head.data.startswith("**1** customer is on the list")
    True
    """
    return tuple(priority_table(priority, **options))


key_clients_view = key_clients_table


def _guarded(render: Callable[..., Any]) -> Callable[..., Any]:
    """Show a message instead of failing while the user is still editing a control."""

    def run(**values: Any) -> Any:
        try:
            return render(**values)
        except ValueError as error:
            return Markdown(f"**Cannot show this:** {error}")

    return run


def pareto_panel(
    values: pd.DataFrame,
    *,
    attributes: pd.DataFrame | None = None,
    top_share: float = 0.2,
    subgroup: str = "",
    margin: float = 0.3,
    currency: str = "",
) -> w.VBox:
    """Put controls over the Pareto section: the top share and the subgroup.

    Parameters
    ----------
    values, attributes, top_share, subgroup, margin, currency
        As for :func:`retainkit.sections.pareto_section`; ``top_share`` and
        ``subgroup`` are the starting values of the controls.

    Returns
    -------
    ipywidgets.VBox
        See :func:`retainkit.widgets.scenario_panel`.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> panel = pareto_panel(v)
    >>> panel.controls["top_share"].value = 0.4
    >>> "**80.0%**" in panel.last_result[0].data
    True
    """
    options = [(_EVERY, "")] + [(c, c) for c in seg.subgroup_columns(attributes, "")]
    if subgroup and subgroup not in [o[1] for o in options]:
        options.append((subgroup, subgroup))

    def render(top_share: float, subgroup: str) -> tuple[Any, ...]:
        return tuple(
            pareto_section(
                values,
                attributes=attributes,
                top_share=top_share,
                subgroup=subgroup,
                margin=margin,
                currency=currency,
            )
        )

    controls = {
        "top_share": w.FloatSlider(
            value=top_share,
            min=0.05,
            max=0.5,
            step=0.05,
            description="Top share",
            readout_format=".0%",
            continuous_update=False,
        ),
        "subgroup": w.Dropdown(options=options, value=subgroup, description="Subgroup"),
    }
    return scenario_panel(_guarded(render), controls, title="Who brings the value")


def rfm_panel(
    values: pd.DataFrame,
    *,
    bins: int = 5,
    rules: Any = None,
    currency: str = "",
) -> w.VBox:
    """Put controls over the RFM section: the number of score bins and the segment rules.

    The rules are edited as text, one rule a line (``Name: r 4-5, fm 4-5  # note``);
    the view updates when the text box loses focus.

    Parameters
    ----------
    values, bins, rules, currency
        As for :func:`retainkit.sections.rfm_section`; ``bins`` and ``rules`` are the
        starting values.

    Returns
    -------
    ipywidgets.VBox
        See :func:`retainkit.widgets.scenario_panel`.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1], "revenue": [500.0, 20, 80, 30]})
    >>> panel = rfm_panel(v, bins=2)
    >>> panel.controls["rules"].value = "Everyone: r 1-5"
    >>> panel.last_result[2].data["Segment"].tolist()
    ['Everyone']
    """
    text = seg.format_segment_rules(seg.segment_rules(rules))

    def render(bins: int, rules: str) -> tuple[Any, ...]:
        return tuple(rfm_section(values, bins=bins, rules=rules, currency=currency))

    controls = {
        "bins": w.IntSlider(
            value=bins, min=2, max=10, description="RFM bins", continuous_update=False
        ),
        "rules": w.Textarea(
            value=text,
            description="Rules",
            continuous_update=False,
            layout=w.Layout(width="95%", height="260px"),
        ),
    }
    return scenario_panel(_guarded(render), controls, title="RFM segments", columns=1)
