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

from retainkit import schema as S
from retainkit import segmentation as seg
from retainkit.sections.priority import key_clients_table, priority_table
from retainkit.sections.segmentation import pareto_section, rfm_section
from retainkit.widgets._base import _preset_table, _presets, scenario_panel

__all__ = [
    "key_clients_view",
    "pareto_panel",
    "pareto_panel_table",
    "pareto_view",
    "priority_view",
    "rfm_panel",
    "rfm_panel_table",
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


def pareto_panel_table(
    values: pd.DataFrame,
    *,
    top_share: float = 0.2,
    currency: str = "",
    factors: Any = (0.5, 1.0, 2.0),
) -> Any:
    """Show the Pareto headline at preset top shares: :func:`pareto_panel` on paper.

    Each row is :func:`retainkit.segmentation.pareto_summary`, the rule behind the
    headline of :func:`retainkit.sections.pareto_section` (which the controls re-run),
    with the top share at a multiple of the starting one (at most 100%), over all
    customers.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values`: ``revenue`` (else
        ``purchase_days``) per customer.
    top_share : float
        The starting top share, in (0, 1].
    currency : str
    factors : sequence of float
        Multiples of ``top_share``, one row each.

    Returns
    -------
    pandas.io.formats.style.Styler
        Its ``data``: ``top_share``, ``top_customers``, ``customers``, ``top_revenue``
        (or ``top_purchase_days``), ``revenue`` (or ``purchase_days``) and
        ``top_revenue_share`` (or ``top_purchase_days_share``).

    Raises
    ------
    DataValidationError
        When ``factors`` are not positive numbers.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> t = pareto_panel_table(v, top_share=0.2).data
    >>> t[["top_share", "top_customers", "top_revenue_share"]].values.tolist()
    [[0.1, 1.0, 0.5], [0.2, 1.0, 0.5], [0.4, 2.0, 0.8]]
    """
    steps = _presets("factors", factors)
    value_col = S.REVENUE if S.REVENUE in values.columns else "purchase_days"
    shares = [min(1.0, round(top_share * step, 6)) for step in steps]
    columns = ["top_customers", "customers", f"top_{value_col}", value_col]
    rows = [
        seg.pareto_summary(values, value_col=value_col, top_share=share).iloc[0][
            [*columns, f"top_{value_col}_share"]
        ]
        for share in shares
    ]
    frame = pd.DataFrame(rows).reset_index(drop=True).astype("float64")
    frame.insert(0, "top_share", shares)
    money = [f"top_{value_col}", value_col] if value_col == S.REVENUE else []
    words = "net revenue" if value_col == S.REVENUE else "purchases"
    return _preset_table(
        frame,
        currency=currency,
        money_columns=money,
        share_columns=["top_share", f"top_{value_col}_share"],
        integer_columns=[c for c in columns if c not in money],
        caption=f"Other top shares: the share of {words} the top "
        f"{', '.join(f'{s:.0%}' for s in shares)} of customers brought (the top share is "
        "rounded up to whole customers). In JupyterLab "
        "the section's controls set any share and a subgroup.",
    )


def rfm_panel_table(
    values: pd.DataFrame,
    *,
    bins: int = 5,
    rules: Any = None,
    presets: Any = (3, 5, 10),
) -> Any:
    r"""Show the RFM segments' sizes at preset numbers of score bins: :func:`rfm_panel` on paper.

    Each column counts the customers of each segment with
    :func:`retainkit.segmentation.rfm_scores` and
    :func:`retainkit.segmentation.assign_segments` (the scoring of
    :func:`retainkit.sections.rfm_section`, which the controls re-run) at that number of
    bins, under the same rules.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values`: ``days_since_last_purchase``,
        ``purchase_days`` and, when there is revenue, ``revenue``.
    bins : int
        The starting number of bins; always one of the columns.
    rules : optional
        As for :func:`retainkit.segmentation.segment_rules`.
    presets : sequence of int
        Numbers of bins to show besides ``bins``.

    Returns
    -------
    pandas.io.formats.style.Styler
        Its ``data``: ``segment`` and one column of customers per number of bins,
        ``customers_<n>_bins``, in rising order.

    Raises
    ------
    DataValidationError
        When ``presets`` are not positive whole numbers.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1], "revenue": [500.0, 20, 80, 30]})
    >>> rules = "Recent: r 4-5\nOthers: r 1-3"
    >>> rfm_panel_table(v, bins=2, rules=rules, presets=(2,)).data.values.tolist()
    [['Recent', 2], ['Others', 2]]
    """
    counts = sorted({int(b) for b in _presets("presets", presets, integer=True)} | {int(bins)})
    table = seg.segment_rules(rules)
    columns = {}
    for n in counts:
        segments = seg.assign_segments(seg.rfm_scores(values, bins=n), rules=table)
        summary = seg.segment_summary(segments).set_index("segment")["customers"]
        columns[f"customers_{n}_bins"] = summary
    frame = pd.DataFrame(columns).fillna(0).astype("int64").rename_axis("segment").reset_index()
    return _preset_table(
        frame,
        integer_columns=list(columns),
        caption=f"Segment sizes with {', '.join(map(str, counts))} score bins (customers; "
        f"the section above uses {bins}), under the same rules. In JupyterLab the section's "
        "controls set any number of bins and edit the rules.",
    )
