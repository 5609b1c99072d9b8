"""The segmentation notebook's priority list: each subgroup's key customers, whom to keep first."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import Markdown

from retainkit import display as D
from retainkit import engine
from retainkit import schema as S
from retainkit import segmentation as seg
from retainkit.display import Parts

__all__ = ["key_clients_table", "priority_section", "priority_table"]


def key_clients_table(clients: pd.DataFrame, *, currency: str = "") -> Any:
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
    >>> key_clients_table(k, currency="$").data["Key clients, most valuable first"].tolist()
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


def priority_table(priority: pd.DataFrame, *, currency: str = "", rows: int = 30) -> Parts:
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
    Parts
        Markdown headline and a Styler.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["a"], "revenue": [100.0], "purchase_days": [3],
    ...     "days_since_last_purchase": [10.0], "return_share": [0.0], "solvent": [True],
    ...     "interested": [True], "key_client": [False], "tests_passed": [2],
    ...     "action": ["nurture: repeat buyer still buying"],
    ...     "reason": ["solvent: nothing returned"]})
    >>> head, table = priority_table(p, currency="$")
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
    return Parts([Markdown(text), table])


NO_ATTRIBUTES = (
    "This data set has no customer attributes (region, channel...), so key clients are "
    "shown per RFM segment{c} only; pass `customers=` a file with `customer_id` and "
    "attribute columns to see them per subgroup."
)


def priority_section(
    dataset: Any,
    values: pd.DataFrame,
    *,
    segments: pd.DataFrame,
    churn_days: int,
    as_of: Any = None,
    subgroup: str = "",
    top_n: int = 5,
    max_return_share: float = 0.1,
) -> Parts:
    """Show whom to keep first: the key clients of every group and the retention priority.

    Customers are valued by net revenue, or by purchases when the data has no revenue.
    Key clients are ranked within every customer attribute, RFM segment and (when the
    data has a ``category``) product category; see
    :func:`retainkit.segmentation.key_clients` and
    :func:`retainkit.segmentation.retention_priority`.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: its transactions, customer attributes and currency.
    values : pandas.DataFrame
        From :func:`retainkit.engine.customer_values` at ``as_of``.
    segments : pandas.DataFrame
        From :func:`retainkit.segmentation.assign_segments`.
    churn_days : int
        Days without a purchase after which a customer counts as lost.
    as_of : date-like, optional
        Analysis date for the category values; default: the last order date.
    subgroup : str
        One attribute, or "" for every attribute.
    top_n : int
        Key clients per group.
    max_return_share : float
        Largest share of purchases returned for a customer who pays, 0-1.

    Returns
    -------
    Parts
        Markdown saying that key clients are shown per segment only (when the data set has
        no customer attributes), the key clients (:func:`key_clients_table`), and the
        priority headline and list (:func:`priority_table`).

    Examples
    --------
    >>> import retainkit as rk
    >>> ds = rk.load_dataset(pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-03-10", "2024-03-20"]),
    ...     "revenue": [10.0, 5.0, 7.0]}))
    >>> values = rk.engine.customer_values(ds.transactions)
    >>> segments = rk.segmentation.assign_segments(rk.segmentation.rfm_scores(values))
    >>> parts = priority_section(ds, values, segments=segments, churn_days=90)
    >>> parts[0].data[:47]
    'This data set has no customer attributes (regio'
    >>> parts[2].data.split(": ")[0]
    '**2** customers are on the list, the most valuable first'
    >>> parts[3].data["Action"].str.split(":").str[0].tolist()
    ['keep close', 'call now']
    """
    transactions = dataset.transactions
    value_col = S.REVENUE if transactions.has_revenue else "purchase_days"
    has_categories = transactions.has("category")
    categories = engine.category_values(transactions, as_of=as_of) if has_categories else None
    clients = seg.key_clients(
        values,
        attributes=dataset.customers,
        segments=segments,
        category_values=categories,
        subgroup=subgroup,
        value_col=value_col,
        top_n=top_n,
    )
    priority = seg.retention_priority(
        values,
        churn_days=churn_days,
        key_clients=clients,
        segments=segments,
        value_col=value_col,
        max_return_share=max_return_share,
    )
    note = []
    if dataset.customers is None:
        note = [D.markdown(NO_ATTRIBUTES, c=" and product category" * has_categories)]
    return Parts(
        [
            *note,
            key_clients_table(clients, currency=dataset.currency),
            *priority_table(priority, currency=dataset.currency),
        ]
    )
