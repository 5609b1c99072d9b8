"""The call list: active customers ranked by what a call can save, and how far to go down it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.calls.risk import SLIPPING, WIN_BACK

__all__ = [
    "CALL_COLUMNS",
    "call_sheet",
    "calls_curve",
    "rank_calls",
    "ranked_values",
    "reasons_by_customer",
]

#: Columns the person making the calls fills in; read back by :mod:`retainkit.calls.history`.
CALL_COLUMNS = ("called", "outcome", "note")

#: What each group is ranked by: slipping customers by the value a call can save, those
#: to win back by what they were worth in the last year (their recent value is gone).
_RANKED_BY = {SLIPPING: "value_at_risk", WIN_BACK: "value_year"}

_SHOWN = [
    "rank",
    S.CUSTOMER_ID,
    "group",
    "value_at_risk",
    "p_alive",
    "value_recent",
    "value_year",
    "expected_value",
    "evidence",
    "reasons",
    "last_purchase",
    "days_since_last_purchase",
]


def reasons_by_customer(alerts: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Join the rule detectors' warnings per customer: ``"name: warning; ..."``.

    Parameters
    ----------
    alerts : mapping
        Detector name -> flagged customers (``customer_id`` and ``warning``).

    Returns
    -------
    pandas.Series
        Indexed by ``customer_id``.

    Examples
    --------
    >>> flags = {"overdue": pd.DataFrame({"customer_id": ["a"], "warning": ["late"]})}
    >>> reasons_by_customer(flags).to_dict()
    {'a': 'overdue: late'}
    """
    parts = [
        pd.DataFrame(
            {
                S.CUSTOMER_ID: frame[S.CUSTOMER_ID].astype(str),
                "text": name + ": " + frame["warning"],
            }
        )
        for name, frame in alerts.items()
        if len(frame)
    ]
    if not parts:
        return pd.Series(dtype=object, name="reasons")
    flagged = pd.concat(parts, ignore_index=True)
    return flagged.groupby(S.CUSTOMER_ID)["text"].agg("; ".join).rename("reasons")


def rank_calls(
    risk: pd.DataFrame,
    *,
    size: int | None = None,
    min_value: float = 0.0,
    group: str = SLIPPING,
    reasons: pd.Series | None = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank the customers of one group by what a call can save: the list to call, in order.

    Slipping customers are ranked by their value at risk; customers to win back, whose
    recent value is already gone, by their value in the last year.

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk`.
    size : int, optional
        Keep the first ``size`` customers; None or 0 keeps all.
    min_value : float
        Keep customers whose ranking value is above this.
    group : {"slipping", "win-back"}
        Which customers: those still slipping away, or those to win back.
    reasons : pandas.Series, optional
        :func:`reasons_by_customer`: the rule detectors' warnings on each line.
    customers : pandas.DataFrame, optional
        Attributes to show beside each customer.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``customer_id``, ``group``, ``value_at_risk``, ``p_alive``,
        ``value_recent``, ``value_year``, ``expected_value``, ``evidence``, ``reasons``,
        ``last_purchase``, ``days_since_last_purchase``, the attributes, and the empty
        columns ``called``, ``outcome`` and ``note`` for the person making the calls.
        ``attrs`` as ``risk``'s.

    Examples
    --------
    >>> risk = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "group": ["slipping", "slipping", "win-back"], "value_at_risk": [5.0, 9.0, 20.0],
    ...     "p_alive": 0.5, "value_recent": 10.0, "value_year": 10.0, "expected_value": 4.0,
    ...     "evidence": "",
    ...     "last_purchase": pd.Timestamp("2024-01-01"), "days_since_last_purchase": 9})
    >>> rank_calls(risk, size=1)[["rank", "customer_id", "value_at_risk"]]
       rank customer_id  value_at_risk
    0     1           b            9.0
    """
    if group not in (SLIPPING, WIN_BACK):
        raise ValueError(f"group={group!r}: use {SLIPPING!r} or {WIN_BACK!r}")
    key = _RANKED_BY[group]
    chosen = risk[(risk["group"] == group) & (risk[key] > min_value)]
    chosen = chosen.sort_values([key, S.CUSTOMER_ID], ascending=[False, True])
    if size:
        chosen = chosen.head(int(size))
    out = chosen.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["reasons"] = (
        out[S.CUSTOMER_ID].map(reasons).fillna("") if reasons is not None and len(reasons) else ""
    )
    out = out[_SHOWN]
    if customers is not None:
        attributes = customers.drop_duplicates(S.CUSTOMER_ID)
        attributes = attributes.assign(**{S.CUSTOMER_ID: attributes[S.CUSTOMER_ID].astype(str)})
        out = out.merge(attributes, on=S.CUSTOMER_ID, how="left")
    for column in CALL_COLUMNS:
        out[column] = ""
    out.attrs = dict(risk.attrs)
    return out


def ranked_values(risk: pd.DataFrame, *, group: str = SLIPPING) -> np.ndarray:
    """Return the values a group is ranked by, positive ones only, largest first.

    Examples
    --------
    >>> risk = pd.DataFrame({"group": ["slipping"] * 3, "value_at_risk": [5.0, 0.0, 9.0]})
    >>> ranked_values(risk).tolist()
    [9.0, 5.0]
    """
    values = np.sort(risk.loc[risk["group"] == group, _RANKED_BY[group]].to_numpy())[::-1]
    return values[values > 0]


def calls_curve(
    risk: pd.DataFrame,
    *,
    group: str = SLIPPING,
    points: Sequence[int] = (10, 20, 50, 100, 200, 500, 1000),
) -> pd.DataFrame:
    """How much value at risk the first 10, 20, 50... calls cover.

    For the win-back group, how much of last year's value (what :func:`rank_calls` ranks
    them by).

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`retainkit.calls.customer_risk`.
    group : str
        The group ranked (as in :func:`rank_calls`).
    points : sequence of int
        Numbers of calls to report; the group's size is always added.

    Returns
    -------
    pandas.DataFrame
        ``calls``, ``value_at_risk`` (covered by that many calls), ``share`` (of the
        group's total value at risk) and ``per_call`` (the value at risk of the last
        customer reached, what one more call is worth).

    Examples
    --------
    >>> risk = pd.DataFrame({"customer_id": list("abcd"), "group": "slipping",
    ...                      "value_at_risk": [40.0, 30.0, 20.0, 10.0]})
    >>> calls_curve(risk, points=(1, 2))
       calls  value_at_risk  share  per_call
    0      1           40.0    0.4      40.0
    1      2           70.0    0.7      30.0
    2      4          100.0    1.0      10.0
    """
    values = ranked_values(risk, group=group)
    total = values.sum()
    cumulative = np.cumsum(values)
    calls = sorted(
        {p for p in points if 0 < p < len(values)} | ({len(values)} if len(values) else set())
    )
    idx = np.asarray(calls, dtype=int) - 1
    return pd.DataFrame(
        {
            "calls": np.asarray(calls, dtype="int64"),
            "value_at_risk": cumulative[idx] if len(idx) else np.array([], dtype=float),
            "share": cumulative[idx] / total if total > 0 else np.zeros(len(idx)),
            "per_call": values[idx] if len(idx) else np.array([], dtype=float),
        }
    )


def call_sheet(*lists: pd.DataFrame) -> pd.DataFrame:
    """Return the file for the person making the calls: the lists one under another, dated.

    Adds ``review_date`` (the lists' ``attrs["as_of"]``, YYYY-MM-DD) before the
    ``called``, ``outcome`` and ``note`` columns, which next month's review reads back
    (:func:`retainkit.calls.read_previous_calls`).

    Examples
    --------
    >>> calls = pd.DataFrame({"rank": [1], "customer_id": ["a"], "called": [""],
    ...                       "outcome": [""], "note": [""]})
    >>> calls.attrs["as_of"] = pd.Timestamp("2024-11-30")
    >>> call_sheet(calls).columns.tolist()
    ['rank', 'customer_id', 'review_date', 'called', 'outcome', 'note']
    """
    frames = [frame for frame in lists if len(frame)] or list(lists[:1])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    as_of = next((f.attrs.get("as_of") for f in lists if f.attrs.get("as_of") is not None), None)
    front = [c for c in out.columns if c not in CALL_COLUMNS]
    out = out[front].copy()
    # money to the cent and probabilities to a tenth of a percent: a sheet for people
    for column in ("value_at_risk", "value_recent", "value_year", "expected_value"):
        if column in out:
            out[column] = out[column].astype(float).round(2)
    if "p_alive" in out:
        out["p_alive"] = out["p_alive"].astype(float).round(3)
    out["review_date"] = "" if as_of is None else f"{pd.Timestamp(as_of):%Y-%m-%d}"
    for column in CALL_COLUMNS:
        out[column] = ""
    return out
