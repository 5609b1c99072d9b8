"""The segmentation key figures of the report manifest."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retainkit import schema as S
from retainkit.figures import KeyFigures, figure, key_figures
from retainkit.segmentation._inputs import _categories
from retainkit.segmentation.pareto import pareto_summary


def segmentation_figures(
    values: pd.DataFrame,
    *,
    segments: pd.DataFrame,
    stages: pd.DataFrame,
    currency: str = "",
) -> KeyFigures:
    """Return the segmentation key figures for the report manifest.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` (every customer of the period).
    segments : pandas.DataFrame
        From :func:`assign_segments`.
    stages : pandas.DataFrame
        From :func:`retainkit.lifecycle.lifecycle_stage`.
    currency : str

    Returns
    -------
    KeyFigures
        ``segmentation.customers`` (every customer with a row in the period),
        ``segmentation.top20_revenue_share`` (net revenue of the top ``ceil(0.2 x N)``
        customers over the total; missing without revenue, or when the total is not
        positive), ``segmentation.gini`` (of net revenue, negative counted as zero),
        ``segmentation.champions`` and ``segmentation.at_risk`` (customers in those
        segments; missing when the rules have no such segment) and
        ``segmentation.loyal_share`` (loyal customers among the active ones:
        new, repeat or loyal).

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcde"),
    ...                   "revenue": [50.0, 30.0, 10.0, 10.0, 0.0]})
    >>> s = pd.DataFrame({"segment": pd.Categorical(["Champions"], ["Champions", "At risk"])})
    >>> st = pd.DataFrame({"stage": ["loyal", "new", "lapsed"]})
    >>> segmentation_figures(v, segments=s, stages=st).to_dict()["figures"]
    {'segmentation.customers': 5, 'segmentation.top20_revenue_share': 0.5, 'segmentation.gini': 0.48, 'segmentation.champions': 1, 'segmentation.at_risk': 0, 'segmentation.loyal_share': 0.5}
    """  # noqa: E501
    no_money = "needs revenue: the data has no revenue (nor quantity and unit price)"
    share = gini = None
    reason = no_money
    if S.REVENUE in values.columns:
        row = pareto_summary(values, top_share=0.2).iloc[0]
        share, gini = row["top_revenue_share"], row["gini"]
        reason = "total net revenue is zero or negative"
    names = _categories(segments["segment"])
    counts = segments["segment"].astype(str).value_counts()

    def count(name: str) -> tuple[Any, str]:
        if name not in names:
            return None, f"the segment rules have no {name!r} segment"
        return int(counts.get(name, 0)), ""

    champions, why_c = count("Champions")
    at_risk, why_r = count("At risk")
    stage = stages["stage"].astype(str)
    active = int(stage.isin(["new", "repeat", "loyal"]).sum())
    loyal_share = (stage == "loyal").sum() / active if active else None
    return key_figures(
        [
            figure(
                "segmentation.customers",
                len(values),
                "Customers analysed (any purchase or return in the period)",
                unit="customers",
            ),
            figure(
                "segmentation.top20_revenue_share",
                share,
                "Share of net revenue from the top 20% of customers",
                unit="share",
                reason=reason,
            ),
            figure(
                "segmentation.gini",
                gini,
                "Gini coefficient of net revenue per customer (0 equal, 1 concentrated)",
                reason=reason,
            ),
            figure(
                "segmentation.champions",
                champions,
                "Champions (RFM segment)",
                unit="customers",
                reason=why_c,
            ),
            figure(
                "segmentation.at_risk",
                at_risk,
                "At risk (RFM segment)",
                unit="customers",
                reason=why_r,
            ),
            figure(
                "segmentation.loyal_share",
                loyal_share,
                "Loyal customers among active customers (new, repeat or loyal)",
                unit="share",
                reason="no active customer at the analysis date",
            ),
        ],
        currency=currency,
    )
