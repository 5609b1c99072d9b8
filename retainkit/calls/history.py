"""Last month's call list read back: who is new, who came back, what the calls achieved.

The previous run folder (or its call list file) is only read, never written. The person
making the calls fills three columns of the file: ``called`` (anything but blank, "no",
"n", "0" or "false" means called), ``outcome`` (blank, or one of the words below for a
call that did not reach the customer; anything else counts as reached) and ``note``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retainkit import engine
from retainkit import schema as S
from retainkit.calls.ranking import CALL_COLUMNS
from retainkit.calls.risk import WIN_BACK
from retainkit.exceptions import DataValidationError

__all__ = ["NOT_REACHED", "call_outcomes", "compare_calls", "read_previous_calls"]

#: Outcomes (lower case) that mean the call did not reach the customer.
NOT_REACHED = frozenset(
    {"no answer", "not reached", "unreachable", "voicemail", "left voicemail", "busy", "no reply"}
)
_NOT_CALLED = frozenset({"", "no", "n", "0", "false", "nan"})
_NAMES = ("call_list.xlsx", "call_list.csv")


def _reached(called: pd.Series, outcome: pd.Series) -> pd.Series:
    """Mark the calls that reached the customer: called, outcome not in NOT_REACHED."""
    return called & (outcome != "") & ~outcome.str.lower().isin(NOT_REACHED)


def _pick_file(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.is_dir():
        raise DataValidationError(
            f"previous review {str(path)!r} does not exist: pass the folder of last month's "
            "report run (it holds call_list.csv) or the call list file itself"
        )
    found = [path / name for name in _NAMES if (path / name).is_file()]
    if not found:
        raise DataValidationError(
            f"previous review folder {str(path)!r} holds no call_list.csv or call_list.xlsx; "
            "pass the folder of a report run that wrote a call list, or the file itself"
        )
    # the file the caller filled in is the one changed last
    return max(found, key=lambda p: p.stat().st_mtime)


def read_previous_calls(path: str | Path) -> pd.DataFrame:
    r"""Read last month's call list, as the person making the calls filled it in.

    Parameters
    ----------
    path : str or Path
        A report run folder (its ``call_list.xlsx`` or ``call_list.csv``, whichever was
        changed last) or the file itself.

    Returns
    -------
    pandas.DataFrame
        Its rows with ``customer_id`` (text), ``group``, ``review_date`` (Timestamp),
        ``called`` (bool), ``reached`` (bool), ``outcome`` and ``note`` (text).
        ``attrs["path"]`` names the file read and ``attrs["review_date"]`` the review's date.

    Raises
    ------
    DataValidationError
        When the file is missing, unreadable, or lacks ``customer_id`` or ``review_date``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "call_list.csv"
    >>> _ = p.write_text("customer_id,group,review_date,called,outcome,note\n"
    ...                  "7,slipping,2024-11-30,yes,no answer,\n8,slipping,2024-11-30,,,\n")
    >>> read_previous_calls(p)[["customer_id", "called", "reached"]]
      customer_id  called  reached
    0           7    True    False
    1           8   False    False
    """
    file = _pick_file(Path(path))
    try:
        if file.suffix.lower() == ".xlsx":
            frame = pd.read_excel(file, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise DataValidationError(
            f"cannot read the previous call list {str(file)!r} ({exc}); pass the file as the "
            "report wrote it (CSV or Excel)"
        ) from exc
    missing = [c for c in (S.CUSTOMER_ID, "review_date") if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"the previous call list {str(file)!r} has no column {', '.join(missing)}; pass a "
            "call list written by `retainkit report` (columns customer_id, review_date, called, "
            "outcome, note)"
        )
    frame = frame.copy()
    for column in CALL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame[S.CUSTOMER_ID] = frame[S.CUSTOMER_ID].str.strip().str.lstrip("'")
    # YYYY-MM-DD as written; a spreadsheet that kept it as a date adds a time of day
    text = frame["review_date"].str.strip().str.slice(0, 10)
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if len(frame) and (dates.isna().any() or len(set(dates)) != 1):
        bad = frame.loc[dates.isna(), "review_date"].head(3).tolist()
        raise DataValidationError(
            f"the previous call list {str(file)!r} must carry one review_date, as YYYY-MM-DD, "
            f"on every line; found {bad or sorted(dates.dt.strftime('%Y-%m-%d').unique())}. "
            "If a spreadsheet rewrote the dates (e.g. 30/11/2024), set that column back to "
            "the review's date as YYYY-MM-DD, or pass the .xlsx the report wrote"
        )
    frame["review_date"] = dates
    called = frame["called"].str.strip().str.lower()
    outcome = frame["outcome"].str.strip()
    frame["called"] = ~called.isin(_NOT_CALLED)
    frame["reached"] = _reached(frame["called"], outcome)
    frame["outcome"] = outcome
    if "group" not in frame.columns:
        frame["group"] = ""
    frame.attrs = {"path": file, "review_date": dates.iloc[0] if len(dates) else pd.NaT}
    return frame


def _bought_since(
    transactions: Any, customers: pd.Series, since: pd.Timestamp, as_of: Any
) -> pd.Series:
    as_of = engine.resolve_as_of(transactions, as_of)
    if as_of <= since:
        return pd.Series(False, index=customers.to_numpy())
    window = engine.window_activity(transactions, windows={"since": (since, as_of)})
    days = window.set_index(S.CUSTOMER_ID)["purchase_days_since"]
    return days.reindex(customers.to_numpy()).fillna(0) > 0


def compare_calls(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    transactions: Any,
    *,
    as_of: Any = None,
    risk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare this month's call list with last month's, customer by customer.

    Parameters
    ----------
    current : pandas.DataFrame
        This month's list (:func:`retainkit.calls.rank_calls`).
    previous : pandas.DataFrame
        :func:`read_previous_calls` (its slipping customers are compared).
    transactions : Transactions, pandas.DataFrame or ibis Table
    as_of : date-like, optional
        This review's date.
    risk : pandas.DataFrame, optional
        This month's :func:`retainkit.calls.customer_risk`: previous customers now in its
        win-back group, or no longer active, count as lost.

    Returns
    -------
    pandas.DataFrame
        One row per customer on either list: ``customer_id``, ``status`` (``new on the
        list``, ``still on the list``, ``came back`` (bought since the previous review),
        ``lost since`` (no purchase since, now counted as lost), ``off the list`` (no
        purchase since, but no longer among the most at risk)), ``rank_now``,
        ``rank_before``, ``called`` and ``outcome``.

    Examples
    --------
    >>> now = pd.DataFrame({"rank": [1], "customer_id": ["b"]})
    >>> before = pd.DataFrame({"customer_id": ["a", "b"], "group": "slipping",
    ...     "rank": ["1", "2"], "called": [True, False], "outcome": ["", ""],
    ...     "review_date": pd.Timestamp("2024-01-31")})
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-02-10"])})
    >>> compare_calls(now, before, frame, as_of="2024-02-29")[["customer_id", "status"]]
      customer_id         status
    0           a      came back
    1           b  still on the list
    """
    since = pd.Timestamp(previous["review_date"].iloc[0]) if len(previous) else pd.NaT
    before = previous[previous["group"] != WIN_BACK] if "group" in previous else previous
    before = before.drop_duplicates(S.CUSTOMER_ID).set_index(S.CUSTOMER_ID)
    now = current.set_index(current[S.CUSTOMER_ID].astype(str))
    ids = pd.Index(before.index).union(now.index)
    out = pd.DataFrame({S.CUSTOMER_ID: ids.to_numpy()})
    on_now = out[S.CUSTOMER_ID].isin(now.index)
    on_before = out[S.CUSTOMER_ID].isin(before.index)
    came_back = (
        _bought_since(transactions, out[S.CUSTOMER_ID], since, as_of).to_numpy()
        if pd.notna(since)
        else np.zeros(len(out), dtype=bool)
    )
    lost = np.ones(len(out), dtype=bool)
    if risk is not None:
        groups = risk.set_index(S.CUSTOMER_ID)["group"].reindex(out[S.CUSTOMER_ID])
        lost = (groups.isna() | (groups == WIN_BACK)).to_numpy()
    out["status"] = np.select(
        [
            ~on_before,
            on_before & came_back,
            on_before & on_now,
            on_before & lost,
        ],
        ["new on the list", "came back", "still on the list", "lost since"],
        default="off the list",
    )
    out["rank_now"] = now["rank"].reindex(out[S.CUSTOMER_ID]).to_numpy()
    ranks = before["rank"] if "rank" in before else pd.Series(dtype=object)
    out["rank_before"] = pd.to_numeric(
        ranks.reindex(out[S.CUSTOMER_ID]), errors="coerce"
    ).to_numpy()
    out["called"] = (
        before["called"].reindex(out[S.CUSTOMER_ID]).fillna(False).astype(bool).to_numpy()
    )
    out["outcome"] = before["outcome"].reindex(out[S.CUSTOMER_ID]).fillna("").to_numpy()
    order = {
        "came back": 0,
        "lost since": 1,
        "still on the list": 2,
        "off the list": 3,
        "new on the list": 4,
    }
    out = out.sort_values(
        ["status", "rank_now", "rank_before", S.CUSTOMER_ID],
        key=lambda c: c.map(order) if c.name == "status" else c,
    )
    return out.reset_index(drop=True)


def call_outcomes(comparison: pd.DataFrame) -> pd.DataFrame:
    """Count what the calls achieved: customers called and not, how many came back.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`compare_calls`.

    Returns
    -------
    pandas.DataFrame
        Two rows (``called``, ``not called``) over last month's list: ``customers``,
        ``reached`` (called rows only), ``came_back`` (bought since the previous review),
        ``came_back_share``. The not-called customers are the comparison: the same list,
        the same month, no call. It is not a randomised trial: the caller may have
        picked whom to call.

    Examples
    --------
    >>> comp = pd.DataFrame({"status": ["came back", "lost since", "came back", "new on the list"],
    ...     "called": [True, True, False, False], "outcome": ["ordered", "no answer", "", ""]})
    >>> call_outcomes(comp)[["group", "customers", "came_back"]]
            group  customers  came_back
    0      called          2          1
    1  not called          1          1
    """
    before = comparison[comparison["status"] != "new on the list"]
    reached = _reached(before["called"], before["outcome"])
    back = before["status"] == "came back"
    rows = []
    for label, mask in (("called", before["called"]), ("not called", ~before["called"])):
        n = int(mask.sum())
        rows.append(
            {
                "group": label,
                "customers": n,
                "reached": int((reached & mask).sum()) if label == "called" else pd.NA,
                "came_back": int((back & mask).sum()),
                "came_back_share": (back & mask).sum() / n if n else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["reached"] = out["reached"].astype("Int64")
    return out
