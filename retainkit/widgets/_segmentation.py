"""Segmentation views and their controls: Pareto and RFM segments.

:func:`pareto_view` and :func:`rfm_view` are the pure functions the report cells call
at the notebook's parameter values; :func:`pareto_panel` and :func:`rfm_panel` put
controls over the same functions (top share and subgroup; RFM bins and segment rules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from retainkit import display as D
from retainkit import schema as S
from retainkit import segmentation as seg
from retainkit.plotting._segmentation import plot_lorenz, plot_segment_grid, plot_segments
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


def _value_col(values: pd.DataFrame) -> str:
    return S.REVENUE if S.REVENUE in values.columns else "purchase_days"


def _amount(value: float, value_col: str, currency: str) -> str:
    if value_col in (S.REVENUE, "profit"):
        return D.money(value, currency)
    return f"{value:,.0f}"


def pareto_view(
    values: pd.DataFrame,
    *,
    attributes: pd.DataFrame | None = None,
    top_share: float = 0.2,
    subgroup: str = "",
    margin: float = 0.3,
    currency: str = "",
    rows: int = 20,
) -> tuple[Any, ...]:
    """Show how concentrated value is: headline, Lorenz curve, subgroups, vital few.

    Customers are ranked by net revenue (by purchases when the data has no revenue).

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values`.
    attributes : pandas.DataFrame, optional
        Customer attributes (``Dataset.customers``) for the per-subgroup table.
    top_share : float
        Share of customers in the top, in (0, 1].
    subgroup : str
        One attribute, or "" for every attribute (see
        :func:`retainkit.segmentation.subgroup_columns`).
    margin : float
        Gross margin for profit when the data has no cost.
    currency : str
    rows : int
        Rows of the vital-few list shown.

    Returns
    -------
    tuple
        Markdown headline, the Lorenz curve (a matplotlib Figure), the per-subgroup
        table (a Styler, or Markdown saying there are no attributes) and the first
        ``rows`` of the vital few (a Styler).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> head, fig, groups, vital = pareto_view(v, currency="$")
    >>> "**50.0%**" in head.data
    True
    """
    value_col = _value_col(values)
    words = {"revenue": "net revenue", "purchase_days": "purchases"}[value_col]
    summary = seg.pareto_summary(values, value_col=value_col, top_share=top_share)
    row = summary.iloc[0]
    share = row[f"top_{value_col}_share"]
    n, k = int(row["customers"]), int(row["top_customers"])
    text = (
        f"The top {top_share:.0%} of customers ({k:,} of {n:,}) brought "
        f"**{D.share(share)}** of {words} "
        f"({_amount(row[f'top_{value_col}'], value_col, currency)} of "
        f"{_amount(row[value_col], value_col, currency)}); the Gini coefficient is "
        f"**{row['gini']:.2f}** (0: everyone brings the same, 1: one customer brings all)."
    )
    nonpositive = int((values[value_col] <= 0).sum())
    if value_col == S.REVENUE:
        if nonpositive:
            text += (
                f" {nonpositive:,} customers had zero or negative net revenue (returns "
                f"at least as large as their purchases); they count among the {n:,}."
            )
        profit = seg.customer_profit(values, margin=margin)
        if profit.attrs["profit_basis"] == "cost":
            p = seg.pareto_summary(profit, value_col="profit", top_share=top_share).iloc[0]
            text += (
                f"\n\nRanked by gross profit (revenue minus cost), the top {top_share:.0%} "
                f"brought **{D.share(p['top_profit_share'])}** of the gross profit of "
                f"{D.money(p['profit'], currency)}; Gini {p['gini']:.2f}."
            )
        else:
            text += (
                f"\n\nThe data has no cost, so profit is taken as {margin:.0%} of revenue "
                "for every customer (the `margin` parameter): the profit shares are the "
                "revenue shares above."
            )
    else:
        text += " Revenue and profit shares need revenue, which this data does not have."
    curve = seg.lorenz_curve(values, value_col=value_col)
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    plot_lorenz(curve, pareto=summary, ax=fig.subplots())

    cols = seg.subgroup_columns(attributes, subgroup)
    if cols:
        joined = seg.with_attributes(values, attributes, columns=cols)
        groups = seg.pareto_summary(joined, value_col=value_col, top_share=top_share, by=cols)
        groups = groups.assign(_order=groups["subgroup"].where(groups["subgroup"] != "all", ""))
        groups = groups.sort_values(["_order", value_col], ascending=[True, False])
        names = _headers(value_col, top_share)
        money = value_col == S.REVENUE
        groups_view = D.table(
            groups[list(names)].rename(columns=names),
            currency=currency,
            money_columns=[names[value_col], names[f"top_{value_col}"]] if money else [],
            share_columns=[
                names["customer_share"],
                names[f"{value_col}_share"],
                names[f"top_{value_col}_share"],
            ],
            integer_columns=[names["customers"], names["top_customers"]]
            + ([] if money else [names[value_col], names[f"top_{value_col}"]]),
            caption=f"Concentration of {words} within each group: top {top_share:.0%} share "
            "and Gini, by customer attribute",
            max_rows=60,
            pretty_headers=False,
        )
    else:
        groups_view = Markdown(
            "The data set has no customer attributes (region, channel...), so there is no "
            "breakdown by subgroup; pass `customers=` a file with `customer_id` and "
            "attribute columns to get one."
        )
    vital = seg.vital_few(values, value_col=value_col, top_share=top_share)
    extra = [c for c in ("purchase_days", "days_since_last_purchase") if c in vital.columns]
    first = [S.CUSTOMER_ID, "rank", value_col, "share", "cumulative_share"]
    shown = vital[list(dict.fromkeys(first + extra))]
    vital_view = D.table(
        shown.head(rows).rename(
            columns={
                S.CUSTOMER_ID: "Customer",
                "rank": "Rank",
                value_col: words.capitalize(),
                "share": f"Share of all {words}",
                "cumulative_share": "Cumulative share",
                "purchase_days": "Purchases",
                "days_since_last_purchase": "Days since last purchase",
            }
        ),
        currency=currency,
        money_columns=[words.capitalize()] * (value_col == S.REVENUE),
        share_columns=[f"Share of all {words}", "Cumulative share"],
        integer_columns=["Rank", "Purchases", "Days since last purchase"],
        caption=f"The vital few: the {len(vital):,} customers in the top {top_share:.0%} by "
        f"{words}, most valuable first",
        max_rows=None,
        pretty_headers=False,
    )
    if len(vital) > rows:
        vital_view = vital_view.set_caption(  # no "$" in it: no escape_dollars needed
            f"The vital few: the {len(vital):,} customers in the top {top_share:.0%} by {words} "
            f"(first {rows} shown)"
        )
    return Markdown(D.escape_dollars(text)), fig, groups_view, vital_view


def _headers(value_col: str, top_share: float) -> dict[str, str]:
    words = {"revenue": "net revenue", "purchase_days": "purchases"}[value_col]
    return {
        "subgroup": "Attribute",
        "group": "Group",
        "customers": "Customers",
        "customer_share": "Share of customers",
        value_col: words.capitalize(),
        f"{value_col}_share": f"Share of {words}",
        "top_customers": "Top customers",
        f"top_{value_col}": f"Top {top_share:.0%} {words}",
        f"top_{value_col}_share": f"Top {top_share:.0%} share of {words}",
        "gini": "Gini",
    }


def rfm_view(
    values: pd.DataFrame,
    *,
    bins: int = 5,
    rules: Any = None,
    currency: str = "",
) -> tuple[Any, ...]:
    """Show the RFM scores and segments: headline, cut points, segment table, pictures.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` (or :func:`retainkit.customer_summary`).
    bins : int
        Number of scores, 2 to 10.
    rules : DataFrame, mapping, str or None
        Segment rules (see :func:`retainkit.segmentation.segment_rules`); text may
        separate rules with ";". None or "": the standard 11 segments.
    currency : str

    Returns
    -------
    tuple
        Markdown headline, the cut points (a Styler), the segment table (a Styler) and
        a Figure with the segment shares and the RFM map.

    Raises
    ------
    ValueError
        When the rules cannot be read.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"),
    ...                   "days_since_last_purchase": [3, 40, 12, 90],
    ...                   "purchase_days": [5, 1, 2, 1], "revenue": [500.0, 20, 80, 30]})
    >>> head, cuts, table, fig = rfm_view(v, bins=2)
    >>> "4 customers" in head.data
    True
    """
    table = seg.segment_rules(rules)
    scores = seg.rfm_scores(values, bins=bins)
    segments = seg.assign_segments(scores, rules=table)
    summary = seg.segment_summary(segments)
    lines = seg.format_segment_rules(table).splitlines()
    conditions = {
        name: line.split(": ", 1)[1].split("  # ")[0]
        for name, line in zip(table["segment"], lines, strict=True)
    }
    summary.insert(1, "rule", summary["segment"].map(conditions).fillna("no rule matched"))
    has_m = scores.attrs["has_monetary"]
    as_of = scores.attrs.get("as_of")
    when = f" at {pd.Timestamp(as_of):%d %b %Y}" if as_of is not None else ""
    text = (
        f"{len(scores):,} customers scored{when}, each on a scale of 1 to {bins}: recency "
        "(days since the last purchase; recent = high), frequency (purchases, several orders "
        "on one day counting once)"
        + (" and money (net revenue)." if has_m else "; without revenue there is no money score.")
    )
    if scores.attrs["unscored"]:
        text += (
            f" {scores.attrs['unscored']:,} customers with only returns in the period have no "
            "purchase and so no score."
        )
    empty = summary.loc[summary["customers"] == 0, "segment"].tolist()
    if empty:
        text += f" Empty segments: {', '.join(empty)}."
    cuts_view = D.table(
        _cut_text(seg.rfm_cut_points(values, bins=bins), currency),
        integer_columns=[f"Customers ({letter})" for letter in "RFM"],
        caption="Cut points used: the range of values behind each score, and its customers "
        "(customers with equal values always share a score)",
        pretty_headers=False,
    )
    shown = summary.rename(
        columns={
            "segment": "Segment",
            "rule": "Rule (scores)",
            "customers": "Customers",
            "customer_share": "Share of customers",
            "revenue": "Net revenue",
            "revenue_share": "Share of net revenue",
            "revenue_per_customer": "Net revenue per customer",
            "median_recency_days": "Median days since last purchase",
            "mean_purchases": "Purchases per customer",
            "description": "Who they are, and what to do",
        }
    )
    table_view = D.table(
        shown,
        currency=currency,
        money_columns=["Net revenue", "Net revenue per customer"],
        share_columns=["Share of customers", "Share of net revenue"],
        integer_columns=["Customers", "Median days since last purchase"],
        caption="RFM segments: size, value and behaviour (segment rules applied in this order)",
        pretty_headers=False,
    )
    table_view = table_view.format(
        "{:.1f}", subset=["Purchases per customer"], na_rep="—"
    ).set_properties(subset=["Rule (scores)"], **{"white-space": "nowrap"})
    fig = Figure(figsize=(15, 6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.1])
    plot_segments(summary, ax=left)
    plot_segment_grid(seg.segment_grid(segments), ax=right)
    return Markdown(text), cuts_view, table_view, fig


def _range_text(low: pd.Series, high: pd.Series, fmt: Callable[[float], str]) -> pd.Series:
    text = [
        "—" if pd.isna(lo) else (fmt(lo) if lo == hi else f"{fmt(lo)} to {fmt(hi)}")
        for lo, hi in zip(low, high, strict=True)
    ]  # one entry per score
    return pd.Series(text, index=low.index)


def _cut_text(cuts: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Cut points as readable ranges: "14 to 32", "£914.53 to £2,003.85"."""
    out = pd.DataFrame({"Score": cuts["score"]})
    parts = [
        ("recency_days", "Recency: days since last purchase", "R", lambda v: f"{v:,.0f}"),
        ("purchases", "Frequency: purchases", "F", lambda v: f"{v:,.0f}"),
        ("revenue", "Money: net revenue", "M", lambda v: D.money(v, currency, decimals=2)),
    ]
    for key, label, letter, fmt in parts:
        if f"{key}_from" not in cuts.columns:
            continue
        out[label] = _range_text(cuts[f"{key}_from"], cuts[f"{key}_to"], fmt)
        out[f"Customers ({letter})"] = cuts[f"{key}_customers"]
    return out


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
    """Put controls over :func:`pareto_view`: the top share and the subgroup.

    Parameters
    ----------
    values, attributes, top_share, subgroup, margin, currency
        As for :func:`pareto_view`; ``top_share`` and ``subgroup`` are the starting
        values of the controls.

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
        return pareto_view(
            values,
            attributes=attributes,
            top_share=top_share,
            subgroup=subgroup,
            margin=margin,
            currency=currency,
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
    """Put controls over :func:`rfm_view`: the number of score bins and the segment rules.

    The rules are edited as text, one rule a line (``Name: r 4-5, fm 4-5  # note``);
    the view updates when the text box loses focus.

    Parameters
    ----------
    values, bins, rules, currency
        As for :func:`rfm_view`; ``bins`` and ``rules`` are the starting values.

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
        return rfm_view(values, bins=bins, rules=rules, currency=currency)

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


def key_clients_view(clients: pd.DataFrame, *, currency: str = "") -> Any:
    """Show the key clients of every group, one row per group.

    Parameters
    ----------
    clients : pandas.DataFrame
        From :func:`retainkit.segmentation.key_clients`.
    currency : str

    Returns
    -------
    pandas.io.formats.style.Styler or IPython.display.Markdown
        Markdown when there are no key clients.

    Examples
    --------
    >>> k = pd.DataFrame({"subgroup": ["region"] * 2, "group": ["N"] * 2,
    ...                   "group_customers": [9, 9], "rank": [1, 2], "customer_id": ["b", "a"],
    ...                   "value": [50.0, 10.0], "group_share": [0.5, 0.1]})
    >>> key_clients_view(k, currency="$").data["Key clients, most valuable first"].tolist()
    ['b ($50, 50.0%), a ($10, 10.0%)']
    """
    if clients.empty:
        return Markdown("No key clients: no customer has a positive value in any group.")
    value_col = clients.attrs.get("value_col", S.REVENUE)
    money = value_col in (S.REVENUE, "profit")
    amount = (
        clients["value"].map(lambda v: D.money(v, currency))
        if money
        else clients["value"].map("{:,.0f} purchases".format)
    )  # one entry per key client, a few per group
    entry = (
        clients[S.CUSTOMER_ID].astype(str)
        + " ("
        + amount
        + ", "
        + clients["group_share"].map(D.share)
        + ")"
    )
    table = (
        clients.assign(_entry=entry)
        .groupby(["subgroup", "group", "group_customers"], sort=False)["_entry"]
        .agg(", ".join)
        .reset_index()
    )
    words = {"revenue": "net revenue", "profit": "gross profit"}.get(value_col, "purchases")
    return D.table(
        table.rename(
            columns={
                "subgroup": "Subgroup",
                "group": "Group",
                "group_customers": "Customers in group",
                "_entry": "Key clients, most valuable first",
            }
        ),
        integer_columns=["Customers in group"],
        caption=f"Key clients of every group: the top {clients.attrs.get('top_n', '')} customers "
        f"by {words} in the group (their value there, and share of the group's total)",
        max_rows=None,
        pretty_headers=False,
    ).set_properties(subset=["Key clients, most valuable first"], **{"text-align": "left"})


def priority_view(priority: pd.DataFrame, *, currency: str = "", rows: int = 30) -> tuple[Any, ...]:
    """Show the retention-priority list: a headline with the counts and its first rows.

    Parameters
    ----------
    priority : pandas.DataFrame
        From :func:`retainkit.segmentation.retention_priority`.
    currency : str
    rows : int
        Rows shown.

    Returns
    -------
    tuple
        Markdown headline and a Styler.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["a"], "revenue": [100.0], "purchase_days": [3],
    ...     "days_since_last_purchase": [10.0], "return_share": [0.0], "solvent": [True],
    ...     "interested": [True], "key_client": [False], "tests_passed": [2],
    ...     "action": ["nurture: repeat buyer still buying"],
    ...     "reason": ["solvent: nothing returned"]})
    >>> head, table = priority_view(p, currency="$")
    >>> head.data.startswith("**1** customer is on the list")
    True
    """
    value_col = priority.attrs.get("value_col", S.REVENUE)
    n = len(priority)
    actions = priority["action"].str.split(":").str[0].value_counts()
    text = (
        f"**{n:,}** customer{' is' if n == 1 else 's are'} on the list, the most valuable first: "
        f"**{actions.get('call now', 0):,}** key clients who pay but have gone quiet (call now), "
        f"{actions.get('keep close', 0):,} key clients still buying (keep close) and "
        f"{actions.get('nurture', 0):,} other repeat buyers still buying (nurture)."
    )
    names = {
        S.CUSTOMER_ID: "Customer",
        "segment": "Segment",
        value_col: {"revenue": "Net revenue", "profit": "Gross profit"}.get(value_col, "Purchases"),
        "purchase_days": "Purchases",
        "days_since_last_purchase": "Days since last purchase",
        "return_share": "Returned",
        "action": "Action",
        "reason": "Why on the list",
    }
    shown = priority[[c for c in names if c in priority.columns]].head(rows).rename(columns=names)
    table = D.table(
        shown,
        currency=currency,
        money_columns=[names[value_col]] if value_col in (S.REVENUE, "profit") else [],
        share_columns=["Returned"],
        integer_columns=["Purchases", "Days since last purchase"],
        caption=f"Retention priority: the first {min(rows, n):,} of {n:,} customers, the most "
        "valuable first",
        max_rows=None,
        pretty_headers=False,
    ).set_properties(subset=["Action", "Why on the list"], **{"text-align": "left"})
    return Markdown(text), table
