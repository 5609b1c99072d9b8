"""RFM segments: the named score rules that put every customer in exactly one segment."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.segmentation._inputs import _as_of, _require

#: Segment of customers no rule matches (only with user rules that leave gaps).
UNASSIGNED = "Unassigned"

_DIMENSIONS = ("r", "f", "m", "fm")
_SCORE_COLUMNS = {"r": "r_score", "f": "f_score", "m": "m_score", "fm": "fm_score"}

#: The default segment rules, on the 1-5 scale: recency score ``r``, frequency ``f`` and
#: the combined frequency-money score ``fm``. First match wins: "New" and "Promising"
#: (one purchase) come before "Potential loyalists". Every score combination is covered.
DEFAULT_SEGMENT_RULES = """\
Champions: r 5, fm 4-5  # bought very recently, buy often and spend the most: reward them
Loyal: r 3-4, fm 4-5  # buy often and spend well, not in the last weeks: upsell, loyalty scheme
New: r 5, f 1  # first and only purchase very recently: welcome them, earn the second purchase
Promising: r 4, f 1  # one recent purchase: make the brand known, give a reason to come back
Potential loyalists: r 4-5, fm 1-3  # recent, a few purchases: offer membership, recommendations
Need attention: r 3, fm 3  # average on all counts, slipping: limited-time offers
About to sleep: r 3, fm 1-2  # few purchases, fading: reconnect with popular products
At risk: r 1-2, fm 3-4  # bought often and spent well, but long ago: personal contact, renewals
Can't lose them: r 1-2, fm 5  # among the best customers, but gone quiet: win them back now
Hibernating: r 2, fm 1-2  # few small purchases long ago: relevant offers, low effort
Lost: r 1, fm 1-2  # longest gone with the least value: low-cost reactivation or let go
"""


_RULE_LINE = re.compile(r"^\s*(?P<name>[^:#]+?)\s*:\s*(?P<conds>[^#]*?)\s*(?:#\s*(?P<desc>.*))?$")
_COND = re.compile(r"^(?P<dim>fm|r|f|m)\s+(?P<lo>\d+)(?:\s*-\s*(?P<hi>\d+))?$")


def parse_segment_rules(text: str, *, scale: int = 5) -> pd.DataFrame:
    r"""Read segment rules written one per line: ``Name: r 4-5, fm 4-5  # description``.

    Rules may also be separated by ``;`` (handy on a command line). Each condition
    names a score (``r``, ``f``, ``m`` or ``fm``) and a range (``4-5``) or a single
    score (``5``); scores not named may take any value. Blank lines and lines starting
    with ``#`` are skipped.

    Parameters
    ----------
    text : str
    scale : int
        The score scale the rules are written on (1 to ``scale``).

    Returns
    -------
    pandas.DataFrame
        See :func:`segment_rules`.

    Raises
    ------
    ValueError
        For a line that cannot be read; the message names the line.

    Examples
    --------
    >>> rules = parse_segment_rules("Best: r 4-5, fm 5  # the best\nRest: r 1-5  # the rest")
    >>> rules[["segment", "r_min", "r_max", "fm_min", "fm_max", "description"]]
      segment  r_min  r_max  fm_min  fm_max description
    0    Best      4      5       5       5    the best
    1    Rest      1      5       1       5    the rest
    """
    rows = []
    for number, line in enumerate(re.split(r"[\n;]", text), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _RULE_LINE.match(line)
        if not match or not match["conds"].strip():
            raise ValueError(
                f"segment rule line {number} ({line.strip()!r}) is not 'Name: r 4-5, fm 4-5'"
            )
        row: dict[str, Any] = {"segment": match["name"].strip()}
        for cond in match["conds"].split(","):
            c = _COND.match(cond.strip())
            if not c:
                raise ValueError(
                    f"segment rule line {number}: cannot read {cond.strip()!r}; write a score "
                    "(r, f, m or fm) and a range, e.g. 'r 4-5' or 'fm 1'"
                )
            lo, hi = int(c["lo"]), int(c["hi"] or c["lo"])
            row[f"{c['dim']}_min"], row[f"{c['dim']}_max"] = lo, hi
        row["description"] = (match["desc"] or "").strip()
        rows.append(row)
    return segment_rules(pd.DataFrame(rows), scale=scale)


def segment_rules(rules: Any = None, *, scale: int = 5) -> pd.DataFrame:
    """Return segment rules as a checked table, in precedence order.

    Parameters
    ----------
    rules : DataFrame, mapping, str or None
        None or "" for :data:`DEFAULT_SEGMENT_RULES`; text in the form of
        :func:`parse_segment_rules`; a mapping ``{"Champions": {"r": (5, 5), "fm":
        (4, 5)}, ...}``; or a frame with ``segment`` and any of ``r_min``/``r_max``,
        ``f_min``/``f_max``, ``m_min``/``m_max``, ``fm_min``/``fm_max`` (missing
        bounds: any score) and optionally ``description``.
    scale : int
        The score scale of the rules (1 to ``scale``).

    Returns
    -------
    pandas.DataFrame
        ``segment``, the eight bounds (integers) and ``description``; ``attrs["scale"]``.
        A customer gets the first rule, in this order, whose ranges hold all their
        scores.

    Raises
    ------
    ValueError
        For a repeated or empty segment name, a bound outside 1-``scale`` or a
        minimum above its maximum; the message names the segment.

    Examples
    --------
    >>> rules = segment_rules()
    >>> len(rules), rules["segment"].iloc[0]
    (11, 'Champions')
    >>> segment_rules({"Top": {"r": (4, 5)}, "Rest": {}})[["segment", "r_min", "fm_max"]]
      segment  r_min  fm_max
    0     Top      4       5
    1    Rest      1       5
    """
    if rules is None or (isinstance(rules, str) and not rules.strip()):
        rules = DEFAULT_SEGMENT_RULES
    if isinstance(rules, str):
        parsed = _parsed_rules(rules, scale)
        out = parsed.copy()
        out.attrs = dict(parsed.attrs)
        return out
    if isinstance(rules, Mapping):
        rows = []
        for name, conds in rules.items():
            row: dict[str, Any] = {"segment": name}
            for dim, bounds in dict(conds).items():
                if dim == "description":
                    row["description"] = bounds
                    continue
                if dim not in _DIMENSIONS:
                    raise ValueError(f"segment {name!r}: unknown score {dim!r}; use r, f, m or fm")
                lo, hi = (bounds, bounds) if np.isscalar(bounds) else tuple(bounds)
                row[f"{dim}_min"], row[f"{dim}_max"] = lo, hi
            rows.append(row)
        rules = pd.DataFrame(rows)
    if not isinstance(rules, pd.DataFrame) or "segment" not in rules.columns:
        raise ValueError(
            "segment rules must be text, a mapping or a DataFrame with a 'segment' column"
        )
    out = pd.DataFrame({"segment": rules["segment"].astype(str).str.strip().to_numpy()})
    for dim in _DIMENSIONS:
        for end, default in (("min", 1), ("max", scale)):
            col = f"{dim}_{end}"
            given = rules[col] if col in rules.columns else pd.Series(default, index=rules.index)
            out[col] = (
                pd.to_numeric(given, errors="coerce").fillna(default).astype("int64").to_numpy()
            )
    desc = (
        rules["description"] if "description" in rules.columns else pd.Series("", index=rules.index)
    )
    out["description"] = desc.fillna("").astype(str).to_numpy()
    problems = []
    if (out["segment"] == "").any():
        problems.append("a segment has no name")
    dupes = sorted(set(out["segment"][out["segment"].duplicated()]))
    if dupes:
        problems.append(f"segments named twice: {dupes}")
    for dim in _DIMENSIONS:
        lo, hi = out[f"{dim}_min"], out[f"{dim}_max"]
        bad = (lo < 1) | (hi > scale) | (lo > hi)
        for name in out["segment"][bad]:
            problems.append(f"segment {name!r}: {dim} range must lie within 1-{scale}, low to high")
    if problems:
        raise ValueError("segment rules: " + "; ".join(problems))
    out.attrs = {"scale": int(scale)}
    return out


@functools.lru_cache(maxsize=32)
def _parsed_rules(text: str, scale: int) -> pd.DataFrame:
    """Parse rules text once: a report reads the same rules a dozen times (copy the result)."""
    return parse_segment_rules(text, scale=scale)


def format_segment_rules(rules: pd.DataFrame) -> str:
    r"""Write segment rules as text, one per line (the form :func:`parse_segment_rules` reads).

    Bounds spanning the whole scale are left out.

    Parameters
    ----------
    rules : pandas.DataFrame
        From :func:`segment_rules`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_segment_rules(segment_rules("Top: r 4-5  # recent\nRest: r 1-5")))
    Top: r 4-5  # recent
    Rest: r 1-5
    """
    scale = rules.attrs.get("scale", 5)
    lines = []
    for row in rules.to_dict("records"):
        conds = []
        for dim in _DIMENSIONS:
            lo, hi = int(row[f"{dim}_min"]), int(row[f"{dim}_max"])
            if (lo, hi) != (1, scale):
                conds.append(f"{dim} {lo}" if lo == hi else f"{dim} {lo}-{hi}")
        text = f"{row['segment']}: {', '.join(conds) or f'r 1-{scale}'}"
        lines.append(text + (f"  # {row['description']}" if row["description"] else ""))
    return "\n".join(lines)


def _on_scale(scores: pd.Series, bins: int, scale: int) -> pd.Series:
    """Map scores 1..bins linearly onto 1..scale, rounding half up."""
    if bins == scale:
        return scores
    return np.floor(1 + (scores - 1) * (scale - 1) / (bins - 1) + 0.5).astype("int64")


def assign_segments(scores: pd.DataFrame, *, rules: Any = None) -> pd.DataFrame:
    """Name each customer's segment: the first rule their scores satisfy.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`rfm_scores`. Without a monetary score, ``m`` conditions are
        ignored (``fm`` is the frequency score).
    rules : DataFrame, mapping, str or None
        See :func:`segment_rules`; default :data:`DEFAULT_SEGMENT_RULES`. When the
        scores use another number of bins than the rules' scale (5), scores are
        mapped linearly onto that scale first (score 1 stays 1, the top stays the
        top).

    Returns
    -------
    pandas.DataFrame
        ``scores`` with ``segment``, a categorical in rule order (plus
        "Unassigned" when some customers match no rule).

    Raises
    ------
    SchemaError
        When the score columns are missing.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b", "c"], "r_score": [5, 1, 3],
    ...                   "f_score": [5, 1, 3], "m_score": [4, 2, 3], "fm_score": [5, 2, 3]})
    >>> assign_segments(s)["segment"].tolist()
    ['Champions', 'Lost', 'Need attention']
    """
    _require(scores, ["r_score", "f_score", "fm_score"], "scores", "Pass rfm_scores(...).")
    table = segment_rules(rules)
    scale = table.attrs["scale"]
    bins = scores.attrs.get("bins")
    if bins is None:  # scores built by hand: the top score seen, at least 5 (none: 5)
        top = scores[["r_score", "f_score"]].max().max()
        bins = max(5, 0 if pd.isna(top) else int(top))
    bins = int(bins)
    # each score on the rules' scale once, as an array; then one comparison per rule
    on_scale = {
        dim: _on_scale(scores[col], bins, scale).to_numpy(dtype="float64", na_value=np.nan)
        for dim, col in _SCORE_COLUMNS.items()
        if col in scores.columns
    }
    conditions = []
    for row in table.to_dict("records"):
        ok = np.ones(len(scores), dtype=bool)
        for dim, s in on_scale.items():
            ok &= (s >= row[f"{dim}_min"]) & (s <= row[f"{dim}_max"])
        conditions.append(ok)
    names = list(table["segment"])
    labels = np.select(conditions, names, default=UNASSIGNED) if conditions else UNASSIGNED
    categories = names + ([UNASSIGNED] if (np.asarray(labels) == UNASSIGNED).any() else [])
    out = scores.copy()
    out["segment"] = pd.Categorical(np.asarray(labels, dtype=object), categories=categories)
    out.attrs = {**scores.attrs, "rules": table}
    return out


def segment_summary(segments: pd.DataFrame, *, value_col: str = S.REVENUE) -> pd.DataFrame:
    """Return size, value and behaviour of each segment.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`assign_segments`.
    value_col : str
        The money column; without it the money columns are left out.

    Returns
    -------
    pandas.DataFrame
        One row per segment in rule order (empty segments included): ``segment``,
        ``customers``, ``customer_share``, ``{value_col}``, ``{value_col}_share``,
        ``{value_col}_per_customer`` (mean), ``median_recency_days``,
        ``mean_purchases`` and ``description`` (from the rules).

    Examples
    --------
    >>> s = pd.DataFrame({"segment": pd.Categorical(["A", "A", "B"], ["A", "B", "C"]),
    ...                   "revenue": [10.0, 30.0, 60.0], "recency_days": [1, 3, 9],
    ...                   "purchases": [2, 4, 1]})
    >>> segment_summary(s)[["segment", "customers", "revenue_share", "revenue_per_customer"]]
      segment  customers  revenue_share  revenue_per_customer
    0       A          2            0.4                  20.0
    1       B          1            0.6                  60.0
    2       C          0            0.0                   NaN
    """
    _require(
        segments, ["segment", "recency_days", "purchases"], "segments", "Pass assign_segments(...)."
    )
    g = segments.groupby("segment", observed=False)
    out = pd.DataFrame({"customers": g.size()})
    total_n = len(segments)
    out["customer_share"] = out["customers"] / total_n if total_n else np.nan
    has_value = value_col in segments.columns
    if has_value:
        value = g[value_col].sum()
        total = float(segments[value_col].sum())
        out[value_col] = value
        out[f"{value_col}_share"] = value / total if total else np.nan
        out[f"{value_col}_per_customer"] = value / out["customers"].where(out["customers"] > 0)
    out["median_recency_days"] = g["recency_days"].median()
    out["mean_purchases"] = g["purchases"].mean()
    rules = segments.attrs.get("rules")
    desc = (
        dict(zip(rules["segment"], rules["description"], strict=True)) if rules is not None else {}
    )
    out["description"] = [desc.get(str(s), "") for s in out.index]
    out = out.reset_index()
    out["segment"] = out["segment"].astype(str)
    out.attrs = {k: v for k, v in segments.attrs.items() if k != "rules"}
    return out


def segment_grid(segments: pd.DataFrame) -> pd.DataFrame:
    """Return the recency x frequency-money grid: customers and segment of every cell.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`assign_segments`.

    Returns
    -------
    pandas.DataFrame
        One row per (``r_score``, ``fm_score``) pair on the scores' scale, with
        ``customers`` and ``segment`` (the segment most of the cell's customers are in;
        for an empty cell, the rule a customer with r and f = m = fm would match).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "r_score": [5, 1], "f_score": [5, 1],
    ...                   "fm_score": [5, 1]})
    >>> g = segment_grid(assign_segments(s))
    >>> g[(g.r_score == 5) & (g.fm_score >= 4)][["r_score", "fm_score", "customers", "segment"]]
        r_score  fm_score  customers    segment
    23        5         4          0  Champions
    24        5         5          1  Champions
    """
    _require(segments, ["r_score", "fm_score", "segment"], "segments", "Pass assign_segments(...).")
    bins = int(segments.attrs.get("bins", 5))
    r, fm = np.meshgrid(np.arange(1, bins + 1), np.arange(1, bins + 1), indexing="ij")
    cells = pd.DataFrame({"r_score": r.ravel(), "fm_score": fm.ravel()})
    probe = cells.assign(f_score=cells["fm_score"], m_score=cells["fm_score"])
    probe.attrs = {"bins": bins}
    rules = segments.attrs.get("rules")
    cells["segment"] = assign_segments(probe, rules=rules)["segment"].astype(str).to_numpy()
    counts = (
        segments.groupby(["r_score", "fm_score", "segment"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["r_score", "fm_score", "n"], ascending=[True, True, False])
    )
    top = counts.drop_duplicates(["r_score", "fm_score"])
    sizes = counts.groupby(["r_score", "fm_score"])["n"].sum().rename("customers").reset_index()
    out = cells.merge(sizes, on=["r_score", "fm_score"], how="left").merge(
        top[["r_score", "fm_score", "segment"]].rename(columns={"segment": "_main"}),
        on=["r_score", "fm_score"],
        how="left",
    )
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["segment"] = (
        out["_main"].astype(object).where(out["_main"].notna(), out["segment"]).astype(str)
    )
    out = out[["r_score", "fm_score", "customers", "segment"]]
    out.attrs = {"bins": bins, **_as_of(segments)}
    return out
