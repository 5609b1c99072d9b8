"""The gross margin a lifetime value is priced at: from the data's costs, else a parameter."""

from __future__ import annotations

from typing import Any

import numpy as np

from retainkit import engine
from retainkit import schema as S
from retainkit.clv._checks import _check_share

__all__ = ["resolve_margin"]


def resolve_margin(transactions: Any, margin: float) -> tuple[float, str]:
    """Return the gross margin to use and a sentence saying where it comes from.

    Where the data has a cost column, profit is revenue minus cost, so the margin is
    1 - cost / revenue over the whole log; otherwise it is the ``margin`` given.

    Parameters
    ----------
    transactions : Transactions, pandas.DataFrame or ibis Table
    margin : float
        The notebook's parameter, 0-1.

    Returns
    -------
    (float, str)

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"]),
    ...                       "revenue": [10.0], "cost": [6.0]})
    >>> resolve_margin(frame, 0.3)[0]
    0.4
    """
    _check_share("margin", margin)
    has_cost = (
        transactions.has(S.COST)
        if hasattr(transactions, "has")
        else S.COST in getattr(transactions, "columns", ())
    )
    if has_cost:
        totals = engine.money_totals(transactions)
        if totals["revenue"] > 0 and np.isfinite(totals["cost"]):
            value = round(1 - totals["cost"] / totals["revenue"], 6)
            return value, (
                f"The data has costs, so profit is revenue minus cost: a gross margin of "
                f"{value:.1%} over the whole log."
            )
    return float(margin), (
        f"The data has no cost column, so profit is the margin parameter ({margin:.0%}) "
        "times revenue."
    )
