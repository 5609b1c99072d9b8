"""Whom to retain first: key clients of every subgroup, ranked into the retention-priority list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.segmentation._inputs import _as_of, _categories, _require
from retainkit.segmentation.subgroups import subgroup_columns, with_attributes


def key_clients(
    values: pd.DataFrame,
    *,
    attributes: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    category_values: pd.DataFrame | None = None,
    subgroup: str = "",
    value_col: str = S.REVENUE,
    top_n: int = 5,
) -> pd.DataFrame:
    """List the top ``top_n`` customers by value within every group of every subgroup.

    Subgroups are the customer attributes (region, channel...; see
    :func:`subgroup_columns`), the RFM segment and the product category.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer with ``customer_id`` and ``value_col``.
    attributes : pandas.DataFrame, optional
        Customer attributes (``Dataset.customers``): within each group customers are
        ranked by ``value_col``.
    segments : pandas.DataFrame, optional
        From :func:`assign_segments`: the same within each segment (subgroup
        "segment").
    category_values : pandas.DataFrame, optional
        From :func:`retainkit.engine.category_values`: within each product category
        customers are ranked by their value in that category (subgroup "category").
    subgroup : str
        One attribute, or "" for every attribute with at most 50 values.
    value_col : str
        ``revenue``, ``profit`` or ``purchase_days``.
    top_n : int
        Customers per group.

    Returns
    -------
    pandas.DataFrame
        ``subgroup``, ``group``, ``group_customers`` (customers in the group),
        ``rank`` (1 = most valuable; ties broken by customer id), ``customer_id``,
        ``value`` (in the group: for categories, the category's value) and
        ``group_share`` (of the group's total). Only customers with a positive value
        are key clients.

    Raises
    ------
    SchemaError
        When a column is missing or ``subgroup`` is not an attribute.
    ValueError
        When ``top_n`` is below 1.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": list("abcd"), "revenue": [10.0, 50.0, 30.0, 5.0]})
    >>> a = pd.DataFrame({"customer_id": list("abcd"), "region": ["N", "N", "S", "S"]})
    >>> key_clients(v, attributes=a, top_n=1)[["group", "rank", "customer_id", "group_share"]]
      group  rank customer_id  group_share
    0     N     1           b     0.833333
    1     S     1           c     0.857143
    """
    if top_n < 1:
        raise ValueError(f"top_n={top_n!r} must be at least 1")
    _require(values, [S.CUSTOMER_ID, value_col], "values", "Pass value_col= one of its columns.")
    long = []
    groups = values[[S.CUSTOMER_ID]].copy()
    cols = subgroup_columns(attributes, subgroup)
    if cols:
        groups = with_attributes(groups, attributes, columns=cols)
    if segments is not None:
        _require(segments, [S.CUSTOMER_ID, "segment"], "segments", "Pass assign_segments(...).")
        groups = groups.merge(segments[[S.CUSTOMER_ID, "segment"]], on=S.CUSTOMER_ID, how="left")
        groups["segment"] = groups["segment"].astype(object)
        cols = [*cols, "segment"]
    base = values[[S.CUSTOMER_ID, value_col]].merge(groups, on=S.CUSTOMER_ID, how="left")
    for col in cols:
        known = base[col].notna()  # customers without a segment (returns only) stay out
        long.append(
            pd.DataFrame(
                {
                    "subgroup": col,
                    "group": base.loc[known, col].astype(str).to_numpy(),
                    S.CUSTOMER_ID: base.loc[known, S.CUSTOMER_ID].to_numpy(),
                    "value": base.loc[known, value_col].to_numpy(dtype="float64"),
                }
            )
        )
    if category_values is not None:
        _require(
            category_values,
            [S.CUSTOMER_ID, S.CATEGORY, value_col],
            "category_values",
            "Pass rk.engine.category_values(...).",
        )
        long.append(
            pd.DataFrame(
                {
                    "subgroup": S.CATEGORY,
                    "group": category_values[S.CATEGORY].astype(str).to_numpy(),
                    S.CUSTOMER_ID: category_values[S.CUSTOMER_ID].astype(str).to_numpy(),
                    "value": category_values[value_col].to_numpy(dtype="float64"),
                }
            )
        )
    columns = [
        "subgroup",
        "group",
        "group_customers",
        "rank",
        S.CUSTOMER_ID,
        "value",
        "group_share",
    ]
    if not long:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(long, ignore_index=True)
    positive = frame.assign(value=frame["value"].clip(lower=0))
    by_group = positive.groupby(["subgroup", "group"])["value"]
    total = by_group.transform("sum")
    frame["group_customers"] = by_group.transform("size")
    frame["group_share"] = (frame["value"] / total).where(total > 0)
    order = (
        {name: i for i, name in enumerate(_categories(segments["segment"]))}
        if segments is not None
        else {}
    )
    frame["_order"] = np.where(
        frame["subgroup"] == "segment", frame["group"].map(order).fillna(-1), -1
    )
    frame = frame[frame["value"] > 0].sort_values(
        ["subgroup", "_order", "group", "value", S.CUSTOMER_ID],
        ascending=[True, True, True, False, True],
    )
    frame["rank"] = frame.groupby(["subgroup", "group"]).cumcount() + 1
    out = frame[frame["rank"] <= top_n][columns].reset_index(drop=True)
    out.attrs = {"value_col": value_col, "top_n": int(top_n)}
    return out


def retention_priority(
    values: pd.DataFrame,
    *,
    churn_days: int,
    key_clients: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    value_col: str = S.REVENUE,
    max_return_share: float = 0.1,
) -> pd.DataFrame:
    """Return the retention-priority list: customers worth keeping, with the reasons.

    Three tests, each shown as a column and in words:

    - **solvent** (they pay): positive value and at most ``max_return_share`` of what
      they bought came back (returns and cancellations by value; by lines without
      revenue);
    - **interested**: a repeat buyer (two or more purchase days) who bought within the
      last ``churn_days`` days;
    - **key client**: among the top customers of a subgroup (``key_clients``).

    A customer is on the list when solvent and interested or a key client. The list
    is sorted by value, the most valuable first (what is at stake), and each customer
    gets an action: "call now" for key clients who have gone quiet (not a repeat
    buyer within ``churn_days``), "keep close" for key clients still buying, and
    "nurture" for the other solvent repeat buyers still buying.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` (``customer_id``,
        ``purchase_days``, ``days_since_last_purchase``, ``lines``, ``return_lines``
        and, with revenue, ``sales`` and ``returns``), with ``value_col``.
    churn_days : int
        Days without a purchase after which a customer counts as lost.
    key_clients : pandas.DataFrame, optional
        From :func:`key_clients`.
    segments : pandas.DataFrame, optional
        From :func:`assign_segments`: adds each customer's ``segment``.
    value_col : str
        ``revenue``, ``profit`` or ``purchase_days``.
    max_return_share : float
        Largest share of purchases returned for a solvent customer, 0-1.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, (``segment``,) ``value_col``, ``purchase_days``,
        ``days_since_last_purchase``, ``return_share``, ``solvent``, ``interested``,
        ``key_client``, ``tests_passed`` (0-3), ``action`` and ``reason``.

    Raises
    ------
    SchemaError
        When a column is missing.
    ValueError
        For ``max_return_share`` outside 0-1.

    Examples
    --------
    >>> v = pd.DataFrame({"customer_id": ["a", "b", "c"], "purchase_days": [3, 4, 1],
    ...     "days_since_last_purchase": [10.0, 20.0, 200.0], "lines": [5, 5, 2],
    ...     "return_lines": [0, 2, 0], "sales": [100.0, 300.0, 80.0],
    ...     "returns": [0.0, 120.0, 0.0], "revenue": [100.0, 180.0, 80.0]})
    >>> k = pd.DataFrame({"subgroup": ["region"], "group": ["N"], "rank": [1],
    ...                   "customer_id": ["c"], "value": [80.0], "group_share": [0.5]})
    >>> p = retention_priority(v, churn_days=90, key_clients=k)
    >>> p[["customer_id", "solvent", "interested", "key_client", "tests_passed"]]
      customer_id  solvent  interested  key_client  tests_passed
    0           a     True        True       False             2
    1           c     True       False        True             2
    >>> p["action"].tolist()
    ['nurture: repeat buyer still buying', 'call now: key client gone quiet']
    >>> p["reason"].iloc[1]
    'solvent: nothing returned; key client: #1 in region N'
    """
    if not 0 <= max_return_share <= 1:
        raise ValueError(f"max_return_share={max_return_share!r} must lie between 0 and 1")
    needed = [
        S.CUSTOMER_ID,
        "purchase_days",
        "days_since_last_purchase",
        "lines",
        "return_lines",
        value_col,
    ]
    _require(values, needed, "values", "Pass rk.engine.customer_values(...).")
    v = values.copy()
    if {"sales", "returns"} <= set(v.columns):
        ret = (v["returns"] / v["sales"].where(v["sales"] > 0)).fillna(1.0).clip(lower=0)
        ret_word = "returned"
    else:
        ret = (v["return_lines"] / v["lines"].where(v["lines"] > 0)).fillna(1.0)
        ret_word = "of lines returned"
    v["return_share"] = ret
    v["solvent"] = (v[value_col] > 0) & (ret <= max_return_share)
    days = v["days_since_last_purchase"]
    v["interested"] = (v["purchase_days"] >= 2) & days.notna() & (days <= churn_days)
    if key_clients is not None and len(key_clients):
        k = key_clients.sort_values(["rank", "subgroup", "group"])
        text = (
            "#"
            + k["rank"].astype(str)
            + " in "
            + k["subgroup"].astype(str)
            + " "
            + k["group"].astype(str)
        )
        named = text.groupby(k[S.CUSTOMER_ID].astype(str)).agg(", ".join)
        v["_key"] = v[S.CUSTOMER_ID].astype(str).map(named)
    else:
        v["_key"] = pd.Series(None, index=v.index, dtype=object)
    v["key_client"] = v["_key"].notna()
    v["tests_passed"] = v[["solvent", "interested", "key_client"]].sum(axis=1).astype("int64")
    keep = v["solvent"] & (v["interested"] | v["key_client"])
    v = v[keep].copy()
    share = v["return_share"]
    pct = np.where(
        share < 0.01, "under 1%", (share * 100).round(0).astype("int64").astype(str) + "%"
    )
    solvent_text = np.where(
        share > 0,
        "solvent: " + pd.Series(pct, index=v.index) + " " + ret_word,
        "solvent: nothing returned",
    )
    idle = days.loc[v.index].fillna(0).astype("int64")
    when = np.where(
        idle == 0,
        "on the analysis date",
        idle.astype(str) + np.where(idle == 1, " day", " days") + " before the analysis date",
    )
    interested_text = (
        "still buying: "
        + v["purchase_days"].astype("int64").astype(str)
        + " purchases, the last "
        + pd.Series(when, index=v.index)
    )
    reason = pd.Series(solvent_text, index=v.index)
    reason = reason.where(~v["interested"], reason + "; " + interested_text)
    reason = reason.where(~v["key_client"], reason + "; key client: " + v["_key"].fillna(""))
    v["reason"] = reason
    cols = [S.CUSTOMER_ID]
    if segments is not None:
        _require(segments, [S.CUSTOMER_ID, "segment"], "segments", "Pass assign_segments(...).")
        v = v.merge(segments[[S.CUSTOMER_ID, "segment"]], on=S.CUSTOMER_ID, how="left")
        cols.append("segment")
    cols += [
        value_col,
        "purchase_days",
        "days_since_last_purchase",
        "return_share",
        "solvent",
        "interested",
        "key_client",
        "tests_passed",
        "action",
        "reason",
    ]
    cols = list(dict.fromkeys(cols))
    v["action"] = np.select(
        [v["key_client"] & ~v["interested"], v["key_client"]],
        ["call now: key client gone quiet", "keep close: key client still buying"],
        default="nurture: repeat buyer still buying",
    )
    out = v.sort_values([value_col, S.CUSTOMER_ID], ascending=[False, True])
    out = out[cols].reset_index(drop=True)
    out.attrs = {
        "churn_days": int(churn_days),
        "max_return_share": max_return_share,
        "value_col": value_col,
        **_as_of(values),
    }
    return out
