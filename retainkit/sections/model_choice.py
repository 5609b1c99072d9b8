"""The lifetime value notebook's choice of purchase model, said in words for a manager."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from retainkit.clv import validation
from retainkit.clv._fallback import fit_with_fallback
from retainkit.clv.choice import (
    _CLASSES,
    _REGULAR,
    CHOICE_RULE,
    PurchaseModelChoice,
    _pick,
    choose_purchase_model,
)
from retainkit.display import Parts, markdown, table
from retainkit.exceptions import ConvergenceError, DataValidationError, SchemaError
from retainkit.sections.holdout import HoldoutCheck

__all__ = [
    "model_choice_section",
    "purchase_model_choice",
    "values_model",
    "values_model_name",
]

#: What the chosen model says about the customers (regularity hints are built from k).
_HINTS = {
    "BG/NBD": "Customers buy at irregular, random-looking intervals and leave after some "
    "purchase: the standard model needs nothing more.",
    "Pareto/NBD": "Customers seem to drift away at any moment, not only right after a "
    "purchase as BG/NBD assumes.",
    "MBG/NBD": "Some customers seem to leave right after their first purchase, which MBG/NBD "
    "allows and BG/NBD does not.",
}


def purchase_model_choice(
    transactions: Any,
    check: HoldoutCheck,
    *,
    max_customers: int = 20_000,
    max_k: int = 12,
) -> PurchaseModelChoice | None:
    """Fit the candidate purchase models on the holdout check's calibration and choose one.

    The calibration/holdout split is the one of ``check``, rebuilt with ``litt`` so that
    the regularity models can be fitted; see
    :func:`retainkit.clv.choice.choose_purchase_model` for the candidates and the rule.

    Parameters
    ----------
    transactions : Transactions
        ``dataset.transactions`` of :func:`retainkit.load_dataset`.
    check : HoldoutCheck
        :func:`retainkit.sections.holdout_check`.
    max_customers : int
        Most customers fitted and scored on (a random sample above it; 0: all).
    max_k : int
        Largest regularity ``k`` tried.

    Returns
    -------
    PurchaseModelChoice or None
        None without a holdout (the check's calibration date is None).

    Examples
    --------
    >>> purchase_model_choice(None, HoldoutCheck(None, 0, "too short")) is None
    True
    """
    if check.calibration_end is None or check.calibration is None:
        return None
    cal = check.calibration
    if "litt" not in cal.columns:  # a check built elsewhere: rebuild the same split with it
        cal = validation.calibration_holdout(
            transactions,
            calibration_end=check.calibration_end,
            holdout_end=check.calibration.attrs.get("holdout_end"),
            litt=True,
        )
    # the check's BG/NBD was fitted on this very frame: not fitted again
    fitted = {"BG/NBD": check.model} if check.model is not None and cal is check.calibration else {}
    return choose_purchase_model(cal, max_customers=max_customers, max_k=max_k, fitted=fitted)


def values_model_name(
    choice: PurchaseModelChoice | None, *, regular: bool = False
) -> tuple[str, str]:
    """Name the purchase model the lifetime values use, and say why when not the chosen one.

    The chosen model, except a regularity model (BG/CNBD-k, MBG/CNBD-k) unless
    ``regular``: then the best of the other candidates by the same rule. A regularity
    model's forecast over years sums long series for every customer: on the demo shop the
    values take 8 s and their intervals 21 s, against about a second for the other models.

    Parameters
    ----------
    choice : PurchaseModelChoice or None
        :func:`purchase_model_choice`.
    regular : bool
        Let a chosen regularity model give the values (slow).

    Returns
    -------
    (str, str)
        The model's name and "" or the reason it is not the chosen model.

    Examples
    --------
    >>> values_model_name(None)
    ('BG/NBD', '')
    """
    name = None if choice is None else choice.chosen
    if choice is None or name is None or name not in _CLASSES:
        return "BG/NBD", ""
    if name not in _REGULAR or regular:
        return name, ""
    t = choice.table
    others = t[~t["model"].isin(_REGULAR)]
    sub = _pick(others, float(t.attrs.get("tolerance", 0.01))) or "BG/NBD"
    maes = t.set_index("model")["mae_per_customer"]
    # as the choice's words measure it: how much better the chosen model forecast
    gap = 1 - float(maes[name]) / float(maes.get(sub, math.nan))
    behind = f" ({name} forecast each customer {gap:.1%} better)" if math.isfinite(gap) else ""
    return sub, (
        f"{name} forecast the holdout best, but its forecast over years is slow (it sums "
        f"long series for every customer), so the values use {sub}, the best of the other "
        f"models{behind}. To value customers with {name} anyway, set the notebook parameter "
        f"value_regular to True."
    )


def values_model(
    choice: PurchaseModelChoice | None,
    summary: pd.DataFrame,
    *,
    reference: Any,
    note: str = "",
    regular: bool = False,
) -> tuple[Any, str]:
    """Fit the chosen purchase model to every customer, for the lifetime values.

    The choice was made on the calibration period; the values need the model fitted on
    the whole history, as ``reference`` (BG/NBD) is. Without a choice, when BG/NBD is
    chosen, or when the chosen model cannot be fitted to the whole history, the values
    use ``reference`` (the note then says why).

    Parameters
    ----------
    choice : PurchaseModelChoice or None
        :func:`purchase_model_choice`.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output the values are computed on; with
        ``litt`` (``customer_summary(..., litt=True)``) for the regularity models.
    reference : BetaGeoModel or None
        BG/NBD fitted on ``summary`` (:func:`retainkit.clv.fit_or_explain`).
    note : str
        ``reference``'s fit note.
    regular : bool
        Let a chosen regularity model give the values (:func:`values_model_name`).

    Returns
    -------
    (model or None, str)
        The model the values use, and its fit note (a fallback penalizer, or why the
        chosen model gave way to BG/NBD).

    Examples
    --------
    >>> values_model(None, pd.DataFrame(), reference=None, note="no fit")
    (None, 'no fit')
    """
    name, why_not = values_model_name(choice, regular=regular)
    if name == "BG/NBD":
        return reference, " ".join(p for p in (why_not, note) if p)
    cls = _CLASSES[name]
    try:
        if name in _REGULAR:
            if "litt" not in summary.columns:
                raise SchemaError(
                    "the customer summary has no 'litt' (customer_summary(..., litt=True))"
                )
            k = int(choice.models[name].k_)  # type: ignore[union-attr]  # chosen: not None
            model, fallback = fit_with_fallback(cls, summary, k=k)
        else:
            model, fallback = fit_with_fallback(cls, summary)
    except (ConvergenceError, DataValidationError, SchemaError) as exc:
        why = "the fit did not converge" if isinstance(exc, ConvergenceError) else str(exc)
        return reference, (
            f"{name} was chosen but could not be fitted to all {len(summary):,} customers "
            f"({why}); the values use BG/NBD. {note}"
        ).strip()
    return model, " ".join(p for p in (why_not, fallback) if p)


def _label(row: pd.Series) -> str:
    """Return the model's name, with its regularity for the CNBD-k models."""
    return f"{row['model']} (k = {row['k']})" if not pd.isna(row["k"]) else str(row["model"])


def _hint(row: pd.Series) -> str:
    if not pd.isna(row["k"]) and int(row["k"]) > 1:
        return (
            f"Customers buy at fairly regular intervals: the gaps between a customer's "
            f"purchases vary about {1 / math.sqrt(int(row['k'])):.0%} as much as under purely "
            f"random buying (regularity k = {int(row['k'])}), which BG/NBD cannot represent."
        )
    return _HINTS.get(str(row["model"]), "")


def _shown(choice: PurchaseModelChoice) -> Any:
    t = choice.table
    info = t.attrs
    twins = {"BG/CNBD-k": "BG/NBD", "MBG/CNBD-k": "MBG/NBD"}
    notes = [
        n
        if n
        else (
            f"penalizer {p:g}"
            if p and not pd.isna(p)
            else (f"k = 1 is {twins[m]} itself" if m in twins and k == 1 else "")
        )
        for m, k, n, p in zip(t["model"], t["k"], t["note"], t["penalizer"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "model": [_label(row) for _, row in t.iterrows()],
            "parameters": t["parameters"],
            "log_likelihood": t["log_likelihood"].round(),
            "AIC": t["aic"].round(),
            "BIC": t["bic"].round(),
            "predicted_total": t["predicted_total"].round(),
            "actual_total": t["actual_total"],
            "total_error": t["total_error"],
            "mean absolute error per customer": t["mae_per_customer"],
            "error per customer vs BG/NBD": t["mae_vs_bgnbd"],
            "chosen": ["chosen" if c else "" for c in t["chosen"]],
            "note": notes,
        }
    )
    sample = (
        f" All fitted and scored on a random sample of {info['customers']:,} of the "
        f"{info['customers_total']:,} customers (seed {info['seed']})."
        if info["customers"] < info["customers_total"]
        else f" {info['customers']:,} customers."
    )
    end = info.get("calibration_end")
    after = f" after {pd.Timestamp(end):%d %b %Y}" if end is not None else ""
    return table(
        frame,
        share_columns=["total_error", "error per customer vs BG/NBD"],
        integer_columns=[
            "parameters",
            "log_likelihood",
            "AIC",
            "BIC",
            "predicted_total",
            "actual_total",
        ],
        decimals=2,
        caption=f"Candidate purchase models on the same {info['duration_holdout']:g}-week "
        f"holdout{after} (repeat purchase days); log-likelihood, AIC and BIC on the "
        f"calibration period, where lower AIC and BIC fit better.{sample}",
    )


def model_choice_section(choice: PurchaseModelChoice | None, *, regular: bool = False) -> Parts:
    """Show the candidate models side by side and say which one to trust, and why.

    The story names the chosen model, how much better than BG/NBD it forecasts each
    customer's holdout purchases (or that nothing beats BG/NBD by more than the tie
    margin), what that says about the customers (regular buyers when a CNBD-k model with
    k > 1 wins, dropout at any moment for Pareto/NBD, at the first purchase for MBG/NBD),
    whether the calibration likelihood (AIC) agrees, and that the lifetime values below
    use the chosen model (:func:`values_model`).

    Parameters
    ----------
    choice : PurchaseModelChoice or None
        :func:`purchase_model_choice`.
    regular : bool
        As for :func:`values_model`: whether a chosen regularity model gives the values.

    Returns
    -------
    Parts
        The comparison table (a Styler) and the story (Markdown); or one line saying why
        there is no choice.

    Examples
    --------
    >>> model_choice_section(None)[0].data
    'Without a holdout there is no model choice; the values below use BG/NBD.'
    """
    if choice is None:
        return Parts(
            [markdown("Without a holdout there is no model choice; the values below use BG/NBD.")]
        )
    t = choice.table
    if choice.chosen is None:
        reasons = " ".join(f"{n}." for n in t["note"] if n)
        return Parts(
            [
                markdown(
                    "**No model choice:** none of the candidate purchase models could be "
                    "fitted to the calibration period. {reasons}",
                    reasons=reasons,
                )
            ]
        )
    info = t.attrs
    tolerance = float(info.get("tolerance", 0.01))
    row = t[t["chosen"]].iloc[0]
    bg = t[(t["model"] == "BG/NBD") & t["mae_per_customer"].notna()]
    has_bg = len(bg) > 0
    bg_mae = float(bg["mae_per_customer"].iloc[0]) if has_bg else math.nan
    better = 1 - float(row["mae_per_customer"]) / bg_mae if has_bg and bg_mae > 0 else math.nan
    head = (
        "**{label}** is the purchase model to trust here: over the {w:g} holdout weeks its "
        "forecast is off by **{mae:.2f}** repeat purchases per customer, "
    )
    hint = _hint(row)
    if row["model"] == "BG/NBD":
        head += "and no other model forecasts the customers more than {tol:.0%} better."
    elif not has_bg:
        head += "while BG/NBD could not be compared ({why})."
    elif better < tolerance:
        head += "{better:.1%} better than BG/NBD ({bg:.2f}): a small margin, so BG/NBD serves "
        head += "about as well."
        hint = (
            "The models forecast almost alike, so the data says little more about how "
            "customers buy and leave than BG/NBD's picture does."
        )
    else:
        head += "**{better:.1%} better** than BG/NBD ({bg:.2f})."
    scored = t[t["aic"].notna()]
    best_aic = scored.loc[scored["aic"].idxmin()]
    if best_aic["model"] == row["model"]:
        aic = "It also fits the calibration period best (lowest AIC)."
    else:
        aic = (
            "On the calibration period alone {aic_label} fits best (lowest AIC); the holdout "
            "decides, as it tests forecasts on weeks no model has seen."
        )
    _, why_not = values_model_name(choice, regular=regular)
    if row["model"] == "BG/NBD":
        values = "The lifetime values below use BG/NBD, the model chosen."
    else:
        values = (
            "The lifetime values below use {label}, fitted again on the whole history. "
            if not why_not
            else "{why_not} "
        )
        values += (
            "On the holdout, {label} forecast {pred:,.0f} repeat purchases in total against "
            "{act:,.0f} made ({err:+.1%})"
        )
        values += (
            ", BG/NBD {bg_pred:,.0f} ({bg_err:+.1%})." if has_bg else "; BG/NBD has no forecast."
        )
    failed = " ".join(f"{n}." for n in t["note"] if n)
    story = markdown(
        " ".join(p for p in (head, hint, aic) if p)
        + "\n\n"
        + values
        + " *The rule:* {rule}."
        + (" {failed}" if failed else ""),
        label=_label(row),
        w=info["duration_holdout"],
        mae=row["mae_per_customer"],
        tol=tolerance,
        why=next(iter(t.loc[t["model"] == "BG/NBD", "note"]), "") or "not among the candidates",
        better=better,
        bg=bg_mae,
        aic_label=_label(best_aic),
        pred=row["predicted_total"],
        act=row["actual_total"],
        err=row["total_error"],
        bg_pred=float(bg["predicted_total"].iloc[0]) if has_bg else math.nan,
        bg_err=float(bg["total_error"].iloc[0]) if has_bg else math.nan,
        rule=CHOICE_RULE,
        failed=failed,
        why_not=why_not,
    )
    return Parts([_shown(choice), story])
