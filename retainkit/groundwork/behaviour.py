"""How lost customers behaved before they left, compared with those who stayed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from retainkit import schema as S


def behaviour_comparison(
    status: pd.DataFrame,
    behaviour: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    satisfaction: str | None = None,
) -> pd.DataFrame:
    """Compare lost with retained base customers: what changed before they left.

    Each measure is taken over the customer's history up to ``as_of`` (for lost
    customers that is up to their last purchase):

    - *order value trend*: mean value of the last orders over the mean of the earlier
      ones (below 1: they were spending less per order);
    - *purchase slowdown*: the last gap between purchase days over the customer's
      median gap (above 1: they were coming back more slowly);
    - *categories bought*: distinct product categories;
    - *returns share*: return lines over all lines;
    - *satisfaction*: the score column, when given.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`customer_status` (attributes joined for satisfaction).
    behaviour : pandas.DataFrame
        Output of :func:`retainkit.engine.customer_behaviour`.
    gaps : pandas.DataFrame
        Output of :func:`retainkit.engine.gap_statistics`.
    satisfaction : str, optional
        Column of ``status`` holding a satisfaction score.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``lost_mean``, ``retained_mean``,
        ``lost_customers``, ``retained_customers`` (with a value), ``difference``
        (lost minus retained) and ``p_value`` (two-sided Mann-Whitney U test; NaN with
        fewer than 5 customers on a side). Only base customers are compared.

    Examples
    --------
    >>> status = pd.DataFrame({"customer_id": list("abcdefghij"),
    ...     "status": ["lost in window"] * 5 + ["active"] * 5, "in_base": [True] * 10})
    >>> behaviour = pd.DataFrame({"customer_id": list("abcdefghij"), "lines": [4] * 10,
    ...     "return_lines": [1] * 5 + [0] * 5, "categories": [1.0] * 10})
    >>> gaps = pd.DataFrame({"customer_id": [], "median_gap_days": [], "last_gap_days": []})
    >>> out = behaviour_comparison(status, behaviour, gaps)
    >>> out.set_index("measure").loc["returns share", ["lost_mean", "retained_mean"]].tolist()
    [0.25, 0.0]
    """
    base = status.loc[status["in_base"], [S.CUSTOMER_ID, "status"]]
    cols = [S.CUSTOMER_ID, "lines", "return_lines", "categories"]
    cols += [c for c in ("recent_order_value", "earlier_order_value") if c in behaviour]
    frame = base.merge(behaviour[cols], on=S.CUSTOMER_ID, how="left")
    frame = frame.merge(
        gaps[[S.CUSTOMER_ID, "median_gap_days", "last_gap_days"]], on=S.CUSTOMER_ID, how="left"
    )
    measures: dict[str, pd.Series] = {}
    if "recent_order_value" in frame:
        measures["order value trend (recent / earlier)"] = (
            frame["recent_order_value"] / frame["earlier_order_value"]
        ).where(frame["earlier_order_value"] > 0)
    measures["purchase slowdown (last gap / median gap)"] = (
        frame["last_gap_days"] / frame["median_gap_days"]
    ).where(frame["median_gap_days"] > 0)
    if frame["categories"].notna().any():
        measures["categories bought"] = frame["categories"]
    measures["returns share"] = frame["return_lines"] / frame["lines"]
    if satisfaction:
        scores = status.set_index(S.CUSTOMER_ID)[satisfaction]
        measures["satisfaction score"] = pd.to_numeric(
            frame[S.CUSTOMER_ID].map(scores), errors="coerce"
        )
    is_lost = frame["status"] == "lost in window"
    rows = []
    for name, values in measures.items():
        values = values.replace([np.inf, -np.inf], np.nan)
        a, b = values[is_lost].dropna(), values[~is_lost].dropna()
        p = np.nan
        if (
            len(a) >= 5
            and len(b) >= 5
            and (pd.concat([a, b]) != a.iloc[0]).any()  # all equal: nothing to test
        ):
            p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        rows.append(
            {
                "measure": name,
                "lost_mean": a.mean() if len(a) else np.nan,
                "retained_mean": b.mean() if len(b) else np.nan,
                "lost_customers": len(a),
                "retained_customers": len(b),
                "difference": (a.mean() - b.mean()) if len(a) and len(b) else np.nan,
                "p_value": p,
            }
        )
    return pd.DataFrame(rows)
