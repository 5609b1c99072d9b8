"""The segmentation notebook's value and RFM sections: concentration, segments, movement.

Each function is one section of ``02_segmentation.ipynb`` and returns what it shows (story,
tables, figures) as a :class:`retainkit.display.Parts`; the widgets in
:mod:`retainkit.widgets` put controls over :func:`pareto_section` and :func:`rfm_section`,
so the report and the controls show the same numbers. Figures are built without pyplot, so
that a notebook shows each one once: as a part, not again when the cell ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from retainkit import display as D
from retainkit import schema as S
from retainkit import segmentation as seg
from retainkit.display import Parts
from retainkit.plotting._segmentation import (
    plot_lorenz,
    plot_segment_flow,
    plot_segment_grid,
    plot_segment_movement,
    plot_segments,
)

__all__ = ["movement_section", "pareto_section", "rfm_section"]


def _value_col(values: pd.DataFrame) -> str:
    return S.REVENUE if S.REVENUE in values.columns else "purchase_days"


def _amount(value: float, value_col: str, currency: str) -> str:
    if value_col in (S.REVENUE, "profit"):
        return D.money(value, currency)
    return f"{value:,.0f}"


def pareto_section(
    values: pd.DataFrame,
    *,
    attributes: pd.DataFrame | None = None,
    top_share: float = 0.2,
    subgroup: str = "",
    margin: float = 0.3,
    currency: str = "",
    rows: int = 20,
) -> Parts:
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
    Parts
        Markdown headline, the Lorenz curve (a matplotlib Figure), the per-subgroup
        table (a Styler, or Markdown saying there are no attributes) and the first
        ``rows`` of the vital few (a Styler).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> head, fig, groups, vital = pareto_section(v)
    >>> head.data.split(";")[0]
    'The top 20% of customers (1 of 5) brought **50.0%** of net revenue (50 of 100)'
    >>> groups.data[:50]
    'The data set has no customer attributes (region, c'
    >>> vital.data["Customer"].tolist()
    ['a']
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
    return Parts([Markdown(D.escape_dollars(text)), fig, groups_view, vital_view])


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


def rfm_section(
    values: pd.DataFrame,
    *,
    bins: int = 5,
    rules: Any = None,
    currency: str = "",
) -> Parts:
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
    Parts
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
    >>> head, cuts, table, fig = rfm_section(v, bins=2)
    >>> head.data[:60]
    '4 customers scored, each on a scale of 1 to 2: recency (days'
    >>> cuts.data["Score"].tolist()
    [2, 1]
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
    return Parts([Markdown(text), cuts_view, table_view, fig])


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


NO_EARLIER_SEGMENTS = (
    "The data starts after {d:%d %b %Y}, {m} months before the analysis date, so there is no "
    "earlier segmentation to compare with; lower `movement_months` to see the movement."
)


def movement_section(
    transactions: Any,
    *,
    as_of: Any = None,
    months_before: int = 3,
    bins: int = 5,
    rules: Any = None,
) -> Parts:
    """Show how customers moved between segments since ``months_before`` months ago.

    Customers are scored and segmented at both dates on the data up to each (see
    :func:`retainkit.segmentation.movement_between`).

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
        Needs ``customer_id`` and ``order_date``; uses ``revenue``.
    as_of : date-like, optional
        The later date; default: the last order date.
    months_before : int
        The earlier date is this many calendar months before ``as_of``.
    bins : int
        Number of RFM scores.
    rules : DataFrame, mapping, str or None
        Segment rules (see :func:`retainkit.segmentation.segment_rules`).

    Returns
    -------
    Parts
        The per-segment summary of :func:`retainkit.segmentation.movement_summary` (a
        Styler), the movement matrix and the flow picture (two Figures); when no customer
        had bought by the earlier date, only Markdown saying so.

    Raises
    ------
    ValueError
        When ``months_before`` is below 1.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-04-10", "2024-03-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]})
    >>> summary, matrix, flow = movement_section(frame, as_of="2024-04-30", months_before=2,
    ...                                          rules="Recent: r 4-5; Earlier: r 1-3")
    >>> summary.data[["segment", "customers", "stayed"]]
                  segment  customers  stayed
    0             Earlier          1     0.0
    1  Not yet a customer          1     NaN
    >>> movement_section(frame, as_of="2024-04-30", months_before=4)[0].data[:40]
    'The data starts after 30 Dec 2023, 4 mon'
    """
    movement = seg.movement_between(
        transactions, as_of=as_of, months_before=months_before, bins=bins, rules=rules
    )
    if not movement.attrs["earlier_customers"]:
        return Parts(
            [D.markdown(NO_EARLIER_SEGMENTS, d=movement.attrs["earlier_as_of"], m=months_before)]
        )
    summary = D.table(
        seg.movement_summary(movement),
        share_columns=["stayed", "main_destination_share"],
        integer_columns=["customers"],
        caption="Per segment at the earlier date: customers, share still in it, "
        "and where most of the others went",
    )
    matrix = Figure(figsize=(12, 7))
    plot_segment_movement(movement, ax=matrix.subplots())
    flow = Figure(figsize=(12, 8))
    plot_segment_flow(movement, ax=flow.subplots())
    return Parts([summary, matrix, flow])
