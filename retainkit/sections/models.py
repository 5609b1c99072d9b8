"""The lifetime value notebook's models: BG/NBD purchases and Gamma-Gamma spend, as shown."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from retainkit.clv import GammaGammaModel, fit_or_explain, independence_check
from retainkit.display import Parts, markdown, table
from retainkit.plotting import plot_frequency_recency
from retainkit.units import days_per

__all__ = [
    "fit_spend_model",
    "frequency_recency_section",
    "purchase_model_section",
    "spend_model_section",
]


def purchase_model_section(model: Any, note: str) -> Parts:
    """Show the fitted BG/NBD: its parameter table and what the parameters mean.

    Parameters
    ----------
    model : BetaGeoModel or None
        Fitted (:func:`retainkit.clv.fit_or_explain`), or None when it could not be.
    note : str
        The fit's note: the fallback used, or why there is no model.

    Returns
    -------
    Parts
        The parameter table and a sentence: purchases a week and a year while active
        (r / alpha, in the model's time unit) and the mean dropout chance a / (a + b);
        or, without a model, the reason twice (here and where the model would be read).

    Examples
    --------
    >>> from retainkit.clv import BetaGeoModel
    >>> m = BetaGeoModel()
    >>> m.params_ = {"r": 1.0, "alpha": 4.0, "a": 1.0, "b": 3.0}
    >>> m.time_unit_, m.standard_errors_, m.log_likelihood_, m.n_customers_ = "weeks", {}, -9.0, 2
    >>> print(purchase_model_section(m, "")[1].data)  # doctest: +NORMALIZE_WHITESPACE
    While active, a customer buys on average **0.25** times a week (13.0 times a year);
    after each repeat purchase the chance of dropping out averages **25.0%**.
    """
    if model is None:
        return Parts(
            [
                markdown("**{note}** The model sections below say so too.", note=note),
                markdown("No purchase model: {note}", note=note),
            ]
        )
    shown = table(
        model.summary(),
        caption=f"BG/NBD parameters (time in weeks): log-likelihood {model.log_likelihood_:,.1f}, "
        f"{model.n_customers_:,} customers. {note}",
    )
    p = model.params_
    per_unit = p["r"] / p["alpha"]
    story = markdown(
        "While active, a customer buys on average **{rate:.2f}** times a week ({year:.1f} times "
        "a year); after each repeat purchase the chance of dropping out averages **{drop:.1%}**.",
        rate=per_unit,
        year=per_unit * days_per("years") / days_per(model.time_unit_ or "weeks"),
        drop=p["a"] / (p["a"] + p["b"]),
    )
    return Parts([shown, story])


def fit_spend_model(transactions: Any, summary: pd.DataFrame) -> tuple[Any, str]:
    """Fit Gamma-Gamma to the spend per purchase, when the data has revenue.

    Parameters
    ----------
    transactions : Transactions
        ``dataset.transactions``: only ``has_revenue`` is read.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output with ``frequency`` and
        ``monetary_value``.

    Returns
    -------
    (GammaGammaModel or None, str)
        As :func:`retainkit.clv.fit_or_explain`; ``(None, "")`` without revenue.

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    >>> fit_spend_model(rk.load_transactions(frame), pd.DataFrame())
    (None, '')
    """
    if not transactions.has_revenue:
        return None, ""
    return fit_or_explain(GammaGammaModel, summary)


def spend_model_section(dataset: Any, summary: pd.DataFrame, model: Any, note: str) -> Parts:
    """Show the fitted Gamma-Gamma and check its assumption on the data.

    Parameters
    ----------
    dataset : Dataset
        :func:`retainkit.load_dataset`: ``transactions.has_revenue`` (without revenue there
        is no spend to model) and ``currency``.
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output, for
        :func:`retainkit.clv.independence_check` (``frequency``, ``monetary_value``).
    model : GammaGammaModel or None
        :func:`fit_spend_model`.
    note : str
        Its note.

    Returns
    -------
    Parts
        The parameter table (or why there is none) and the independence check of spend
        and purchase frequency (or that there is no spend to check).

    Examples
    --------
    >>> import retainkit as rk
    >>> frame = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    >>> parts = spend_model_section(rk.load_dataset(frame), pd.DataFrame(), None, "")
    >>> [p.data for p in parts]  # doctest: +NORMALIZE_WHITESPACE
    ['The spend model needs revenue; this data has none, so values below are in purchases.',
     'No spend, so no spend assumption to check.']
    """
    currency = dataset.currency
    if model is not None:
        shown = table(
            model.summary(),
            caption=(
                f"Gamma-Gamma parameters (spend per purchase, {currency or 'currency'}): "
                f"{model.n_customers_:,} repeat customers, {model.excluded_customers_:,} left "
                f"out for a mean spend of zero or less. {note}"
            ),
        )
    elif note:
        shown = markdown("{note} Values below are in purchases.", note=note)
    else:
        shown = markdown(
            "The spend model needs revenue; this data has none, so values below are in purchases."
        )
    if not dataset.transactions.has_revenue:
        return Parts([shown, markdown("No spend, so no spend assumption to check.")])
    check = independence_check(summary)
    assumption = markdown(
        "**Checking the assumption.** Gamma-Gamma assumes that what a customer spends per "
        "purchase does not depend on how often they buy. {v} Spearman's rank correlation, which "
        "a few big spenders cannot dominate, is {s:.2f}.",
        s=check["spearman"],
        v=check["verdict"],
    )
    return Parts([shown, assumption])


def frequency_recency_section(model: Any, summary: pd.DataFrame) -> Parts:
    """Show how the purchase model reads a history: alive chance and next year's purchases.

    The customer is taken to be as old as the oldest in ``summary``. The figure is
    closed in pyplot, so that a notebook shows it once.

    Parameters
    ----------
    model : BetaGeoModel or None
        Fitted, or None (nothing to show).
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output: ``T``, in the model's time unit.

    Returns
    -------
    Parts
        One figure of two heatmaps (probability alive; expected purchases over 52 time
        units), or nothing without a model.

    Examples
    --------
    >>> len(frequency_recency_section(None, pd.DataFrame()))
    0
    """
    if model is None:
        return Parts([])
    age = float(summary["T"].max())
    fig, axes = plt.subplots(1, 2, figsize=(15, 5))
    plot_frequency_recency(model.frequency_recency_matrix(T=age), ax=axes[0])
    plot_frequency_recency(model.frequency_recency_matrix(T=age, t=52), ax=axes[1])
    fig.tight_layout()
    plt.close(fig)
    return Parts([fig])
