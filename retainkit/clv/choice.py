"""Which purchase model to trust: fit the candidates, score them on the holdout, pick one.

:func:`choose_purchase_model` fits each purchase model that applies to a
calibration/holdout frame (:func:`retainkit.clv.validation.calibration_holdout`): BG/NBD,
Pareto/NBD, MBG/NBD and, when the frame has ``litt``, the regularity models BG/CNBD-k and
MBG/CNBD-k. It sets their calibration log-likelihood, AIC and BIC next to the holdout
scorecard's measures (:func:`~retainkit.clv.validation.holdout_scorecard`) and picks one
by :data:`CHOICE_RULE`.

All five log-likelihoods are densities of the same observations (each customer's purchase
times in the calibration period, in the frame's time unit): for BG/NBD, Pareto/NBD and
MBG/NBD the purchase times enter only through frequency and recency, and the CNBD-k
likelihood adds the Erlang density of the gaps (through ``litt``), equal to BG/NBD's at
``k = 1``. So the AICs compare. The choice still rests on the holdout: it tests the
forecasts on weeks no model has seen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv._base import validate_summary
from retainkit.clv._fallback import fit_with_fallback
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from retainkit.clv.mbgnbd import ModifiedBetaGeoModel
from retainkit.clv.pareto_nbd import ParetoNBDModel
from retainkit.clv.validation import holdout_predictions, holdout_scorecard
from retainkit.exceptions import ConvergenceError, DataValidationError, SchemaError

__all__ = ["CANDIDATES", "CHOICE_RULE", "PurchaseModelChoice", "choose_purchase_model"]

#: The candidate purchase models, in the order the table lists them (and ties resolve).
CANDIDATES = ("BG/NBD", "Pareto/NBD", "MBG/NBD", "BG/CNBD-k", "MBG/CNBD-k")

_CLASSES: dict[str, type[BetaGeoModel] | type[ParetoNBDModel]] = {
    "BG/NBD": BetaGeoModel,
    "Pareto/NBD": ParetoNBDModel,
    "MBG/NBD": ModifiedBetaGeoModel,
    "BG/CNBD-k": BetaGeoCNBDModel,
    "MBG/CNBD-k": ModifiedBetaGeoCNBDModel,
}
#: Parameters estimated: r, alpha and two of dropout; the CNBD-k models also estimate k.
_PARAMETERS = {"BG/NBD": 4, "Pareto/NBD": 4, "MBG/NBD": 4, "BG/CNBD-k": 5, "MBG/CNBD-k": 5}
_REGULAR = ("BG/CNBD-k", "MBG/CNBD-k")

#: The rule :func:`choose_purchase_model` applies (``tolerance`` = 1%).
CHOICE_RULE = (
    "the lowest mean absolute error per customer on the holdout wins; models within 1% of "
    "that lowest error count as tied, and of those the one with the fewest parameters is "
    "chosen, BG/NBD (the reference) first, then the lowest error"
)


@dataclass(frozen=True)
class PurchaseModelChoice:
    """The candidate purchase models scored side by side, and the one chosen.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate, in :data:`CANDIDATES` order: ``model``, ``parameters``,
        ``k`` (the regularity for the CNBD-k models, else missing), ``penalizer`` (0 for
        a plain maximum-likelihood fit), ``log_likelihood`` (calibration), ``aic`` (2
        parameters - 2 log-likelihood), ``bic`` (parameters x log(customers) - 2
        log-likelihood), ``predicted_total``, ``actual_total``, ``total_error``,
        ``mae_per_customer`` (holdout, repeat purchase days), ``mae_vs_bgnbd``
        (``mae_per_customer`` / BG/NBD's - 1: negative is better), ``chosen`` (bool) and
        ``note`` (why a model has no numbers; "" otherwise). Numbers are NaN where a
        model could not be fitted. ``attrs``: ``customers`` (fitted on),
        ``customers_total`` (in the frame), ``seed``, ``time_unit``,
        ``duration_holdout``, ``calibration_end``, ``holdout_end``, ``tolerance``.
    chosen : str or None
        The chosen model's name (None when no candidate could be fitted).
    models : dict
        Name -> fitted model, for the candidates that could be fitted.
    log_likelihood_by_k : pandas.DataFrame
        The regularity search: ``model``, ``k``, ``log_likelihood`` (NaN where the fit
        did not converge), for each ``k`` tried.
    """

    table: pd.DataFrame
    chosen: str | None
    models: dict[str, Any]
    log_likelihood_by_k: pd.DataFrame


def _sample(cal_holdout: pd.DataFrame, max_customers: int, seed: int) -> pd.DataFrame:
    """Return at most ``max_customers`` rows, drawn at random with ``seed`` (all: as is)."""
    n = len(cal_holdout)
    if not max_customers or n <= max_customers:
        return cal_holdout
    rows = np.sort(np.random.default_rng(seed).choice(n, size=max_customers, replace=False))
    out = cal_holdout.iloc[rows].reset_index(drop=True)
    out.attrs = dict(cal_holdout.attrs)
    return out


def _search_k(
    model: type[BetaGeoCNBDModel],
    frame: pd.DataFrame,
    *,
    max_k: int,
    patience: int,
    penalizers: tuple[float, ...],
) -> tuple[BetaGeoCNBDModel, pd.Series]:
    """Fit k = 1, 2, ... at each penalizer in turn; stop once k no longer helps.

    At a penalizer, each ``k`` is fitted on its own and one that does not converge is
    skipped (as the model's own search does). The search stops after ``patience``
    successive ``k`` worse than the best so far (or not converging), once one has
    converged: the log-likelihood rises to the data's regularity and falls after it. The
    next penalizer is tried only when no ``k`` converged.
    """
    error: Exception | None = None
    for pen in penalizers:
        best: BetaGeoCNBDModel | None = None
        lls: dict[int, float] = {}
        behind = 0
        for k in range(1, max_k + 1):
            try:
                fitted = model(k=k, max_k=max_k, penalizer=pen).fit(frame)
            except ConvergenceError as exc:
                error = exc
                lls[k] = math.nan
                behind += best is not None
            else:
                lls[k] = float(fitted.log_likelihood_ or -np.inf)
                if best is None or lls[k] > float(best.log_likelihood_ or -np.inf):
                    best, behind = fitted, 0
                else:
                    behind += 1
            if best is not None and behind >= patience:
                break
        if best is not None:
            searched = pd.Series(lls, name="log_likelihood", dtype="float64").rename_axis("k")
            best.log_likelihood_by_k_ = searched
            return best, searched
    assert error is not None
    raise error


def _why(name: str, exc: Exception, penalizers: tuple[float, ...]) -> str:
    if isinstance(exc, ConvergenceError):
        tried = ", ".join(f"{p:g}" for p in penalizers)
        return f"{name} did not converge (penalizers tried: {tried})"
    return f"{name} could not be fitted: {exc}"


def choose_purchase_model(
    cal_holdout: pd.DataFrame,
    *,
    candidates: tuple[str, ...] = CANDIDATES,
    max_k: int = 12,
    patience: int = 2,
    tolerance: float = 0.01,
    max_customers: int = 20_000,
    seed: int = 0,
    penalizers: tuple[float, ...] = (0.0, 0.001, 0.01),
    fitted: Mapping[str, Any] | None = None,
) -> PurchaseModelChoice:
    """Fit the candidate purchase models, score them on the holdout and choose one.

    Each candidate is fitted on the calibration columns by maximum likelihood, with a
    small penalizer only when the plain fit does not converge
    (:func:`~retainkit.clv.fit_with_fallback`); a candidate that still does not converge
    is kept in the table with the reason and no numbers. The regularity models need
    ``litt`` and are skipped, with that reason, without it. Their ``k`` is searched from
    1 up to ``max_k``, stopping after ``patience`` successive ``k`` that do worse than the
    best (the log-likelihood rises to the data's regularity and falls after it; the
    models' own search fits every ``k``, which costs several times as long).

    The rule (:data:`CHOICE_RULE`): the lowest holdout mean absolute error per customer
    wins; every model within ``tolerance`` (1%) of it counts as tied, and of the tied
    models the one with the fewest parameters is chosen; among those BG/NBD, the
    reference the notebook's values use, comes first, then the lowest error, then the
    order of :data:`CANDIDATES`. So another model replaces BG/NBD only when it forecasts
    more than 1% better than the best, and a CNBD-k model (5 parameters) at ``k = 1``,
    which is BG/NBD (or MBG/NBD) again, never beats its twin.

    Parameters
    ----------
    cal_holdout : pandas.DataFrame
        :func:`~retainkit.clv.validation.calibration_holdout` output: ``customer_id``,
        ``frequency``, ``recency``, ``T``, ``frequency_holdout``, ``duration_holdout``
        and, for the regularity models, ``litt`` (``calibration_holdout(...,
        litt=True)``).
    candidates : tuple of str
        Models to try, from :data:`CANDIDATES`.
    max_k : int
        Largest regularity ``k`` tried.
    patience : int
        Successive worse ``k`` after which the search stops.
    tolerance : float
        Relative difference in holdout error within which models tie (0.01 = 1%).
    max_customers : int
        Largest number of customers to fit and score on: above it, all models use the
        same random sample of this many (``seed``); 0 means all.
    seed : int
        Seed of that sample.
    penalizers : tuple of float
        Tried in turn until a fit converges.
    fitted : mapping, optional
        Candidates already fitted on all of ``cal_holdout``'s calibration columns (the
        way this function fits them), by name, e.g. the holdout check's BG/NBD: used
        instead of fitting again. Ignored when a sample is drawn (``max_customers``).

    Returns
    -------
    PurchaseModelChoice

    Raises
    ------
    SchemaError
        When a column of the calibration or holdout is missing.
    DataValidationError
        When the frame has no customers, or its calibration columns are invalid (as
        :class:`~retainkit.clv.BetaGeoModel` checks them).
    ValueError
        When a candidate is unknown, or ``max_k``, ``patience`` or ``tolerance`` is
        out of range.

    Examples
    --------
    >>> import retainkit as rk
    >>> from retainkit.clv.validation import calibration_holdout
    >>> ch = calibration_holdout(rk.load_transactions("cdnow_sample"),
    ...                          calibration_end="1997-09-30", litt=True)
    >>> choice = choose_purchase_model(ch, candidates=("BG/NBD", "BG/CNBD-k"))
    >>> choice.table[["model", "parameters", "k"]]
           model  parameters     k
    0     BG/NBD           4  <NA>
    1  BG/CNBD-k           5     1
    >>> choice.chosen  # k = 1 is BG/NBD itself: tied, and BG/NBD has fewer parameters
    'BG/NBD'
    """
    unknown = [c for c in candidates if c not in _CLASSES]
    if unknown or not candidates:
        raise ValueError(
            f"candidates={candidates!r}: each must be one of {list(CANDIDATES)} (got "
            f"{unknown or 'none'})"
        )
    if isinstance(max_k, bool) or int(max_k) != max_k or max_k < 1:
        raise ValueError(f"max_k={max_k!r} must be a whole number of at least 1")
    if isinstance(patience, bool) or int(patience) != patience or patience < 1:
        raise ValueError(f"patience={patience!r} must be a whole number of at least 1")
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance={tolerance!r} must be a share from 0 to below 1")
    needed = [S.CUSTOMER_ID, "frequency", "recency", "T", "frequency_holdout"]
    missing = [c for c in [*needed, "duration_holdout"] if c not in cal_holdout.columns]
    if missing:
        raise SchemaError(
            f"the calibration/holdout frame lacks {missing}; found "
            f"{list(cal_holdout.columns)}. Build it with "
            "retainkit.clv.validation.calibration_holdout(transactions, calibration_end=..., "
            "litt=True)"
        )
    if cal_holdout.empty:
        raise DataValidationError(
            "the calibration/holdout frame has no customers; choose a later calibration_end"
        )
    # data errors are the frame's, not a model's: raised here, once
    validate_summary(cal_holdout, ("frequency", "recency", "T"), model="purchase model")
    frame = _sample(cal_holdout, max_customers, seed)
    reuse = dict(fitted or {}) if frame is cal_holdout else {}
    n = len(frame)
    rows: list[dict[str, Any]] = []
    models: dict[str, Any] = {}
    searches: list[pd.DataFrame] = []
    for name in candidates:
        row: dict[str, Any] = {"model": name, "parameters": _PARAMETERS[name], "note": ""}
        try:
            if name in _REGULAR:
                if "litt" not in frame.columns:
                    raise SchemaError(
                        "the frame has no 'litt' (build it with calibration_holdout(..., "
                        "litt=True))"
                    )
                model, searched = _search_k(
                    _CLASSES[name],  # type: ignore[arg-type]
                    frame,
                    max_k=int(max_k),
                    patience=int(patience),
                    penalizers=penalizers,
                )
                searches.append(searched.reset_index().assign(model=name))
                row["k"] = model.k_
            elif name in reuse:
                model = reuse[name]
            else:
                model, _ = fit_with_fallback(_CLASSES[name], frame, penalizers=penalizers)
        except (ConvergenceError, DataValidationError, SchemaError) as exc:
            row["note"] = _why(name, exc, penalizers)
            rows.append(row)
            continue
        models[name] = model
        card = holdout_scorecard(holdout_predictions(model, frame)).iloc[0]
        ll = float(model.log_likelihood_)
        row |= {
            "penalizer": model.penalizer,
            "log_likelihood": ll,
            "aic": 2 * row["parameters"] - 2 * ll,
            "bic": row["parameters"] * math.log(n) - 2 * ll,
            **{
                c: float(card[c])
                for c in ("predicted_total", "actual_total", "total_error", "mae_per_customer")
            },
        }
        rows.append(row)
    columns = [
        "model",
        "parameters",
        "k",
        "penalizer",
        "log_likelihood",
        "aic",
        "bic",
        "predicted_total",
        "actual_total",
        "total_error",
        "mae_per_customer",
    ]
    table = pd.DataFrame(rows).reindex(columns=[*columns, "note"])
    table["parameters"] = table["parameters"].astype("int64")
    table["k"] = table["k"].astype("Int64")
    for c in columns[3:]:
        table[c] = table[c].astype("float64")
    base = table.loc[table["model"] == "BG/NBD", "mae_per_customer"]
    base_mae = float(base.iloc[0]) if len(base) else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table.insert(len(columns), "mae_vs_bgnbd", table["mae_per_customer"] / base_mae - 1.0)
    chosen = _pick(table, tolerance)
    table.insert(len(columns) + 1, "chosen", table["model"] == chosen)
    table["note"] = table["note"].astype(object)
    table.attrs = {
        "customers": n,
        "customers_total": len(cal_holdout),
        "seed": seed,
        "tolerance": tolerance,
        **{
            key: cal_holdout.attrs.get(key)
            for key in ("time_unit", "calibration_end", "holdout_end")
        },
        "duration_holdout": float(frame["duration_holdout"].iloc[0]),
    }
    search = (
        pd.concat(searches, ignore_index=True)[["model", "k", "log_likelihood"]]
        if searches
        else pd.DataFrame({"model": [], "k": [], "log_likelihood": []})
    )
    return PurchaseModelChoice(table, chosen, models, search)


def _pick(table: pd.DataFrame, tolerance: float) -> str | None:
    """Apply :data:`CHOICE_RULE` to the table's ``mae_per_customer`` and ``parameters``."""
    scored = table[table["mae_per_customer"].notna()]
    if scored.empty:
        return None
    best = float(scored["mae_per_customer"].min())
    tied = scored[scored["mae_per_customer"] <= best * (1 + tolerance)]
    order = tied.assign(_other=tied["model"] != "BG/NBD")
    first = order.sort_values(["parameters", "_other", "mae_per_customer"], kind="stable").iloc[0]
    return str(first["model"])
