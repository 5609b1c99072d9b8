"""The lifetime value notebook's retention section: yearly rates, quarterly history, benchmark."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from retainkit import metrics
from retainkit.display import Parts, markdown, table
from retainkit.plotting import plot_benchmark

__all__ = ["benchmark_section", "retention_history_section", "retention_rates_section"]

_SHARES = ["CRR (E - N) / S", "retained_share", "churn_rate", "repeat_purchase_rate"]
_COUNTS = ["customers_at_start", "customers_at_end", "new_customers", "retained_customers"]


def _rates_table(rates: pd.DataFrame, caption: str) -> Any:
    return table(
        rates.drop(columns=["note", "churn_days"]).rename(columns={"crr": "CRR (E - N) / S"}),
        share_columns=_SHARES,
        integer_columns=_COUNTS,
        date_columns=["period_start", "period_end"],
        caption=caption,
    )


def retention_rates_section(rates: pd.DataFrame) -> Parts:
    """Show the 12-month retention rates: how churn is defined, the table and the story.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`retainkit.metrics.retention_rates` over a year: one row with ``crr``,
        ``retained_share``, ``churn_rate``, ``repeat_purchase_rate``, ``customers_at_start``,
        ``customers_at_end``, ``new_customers``, ``retained_customers``, ``period_start``,
        ``period_end``, ``churn_days`` and ``note`` (why the rates cannot be measured, or
        ""); ``attrs["churn_explanation"]`` says how "lost" was defined.

    Returns
    -------
    Parts
        The churn explanation, then the rates table and a sentence reading it; or, when
        the rates cannot be measured, the reason and a pointer to the quarterly rates.

    Examples
    --------
    >>> rates = pd.DataFrame({"period_start": [pd.Timestamp("2024-01-01")],
    ...     "period_end": [pd.Timestamp("2024-12-31")], "customers_at_start": [100],
    ...     "customers_at_end": [95], "new_customers": [30], "retained_customers": [60],
    ...     "crr": [0.65], "retained_share": [0.6], "churn_rate": [0.4],
    ...     "repeat_purchase_rate": [0.5], "churn_days": [90], "note": [""]})
    >>> rates.attrs["churn_explanation"] = "Lost: 90 days without a purchase."
    >>> print(retention_rates_section(rates)[2].data)  # doctest: +NORMALIZE_WHITESPACE
    Of the **100** customers active on 01 Jan 2024, **60** were still active on 31 Dec 2024:
    a retained share of **60.0%** and a churn rate of **40.0%**. The customer retention rate
    (E - N) / S is **65.0%**. **50.0%** of the year's buyers bought on two or more days.
    """
    rate = rates.iloc[0]
    explanation = markdown(rates.attrs["churn_explanation"])
    if rate["note"]:
        return Parts(
            [
                explanation,
                markdown("**The 12-month rates cannot be measured:** {note}.", note=rate["note"]),
                markdown(
                    "The quarterly rates below need less history and may still be measurable."
                ),
            ]
        )
    story = markdown(
        "Of the **{s:,}** customers active on {start:%d %b %Y}, **{kept:,}** were still active on "
        "{end:%d %b %Y}: a retained share of **{share:.1%}** and a churn rate of **{churn:.1%}**. "
        "The customer retention rate (E - N) / S is **{crr:.1%}**. "
        "**{rpr:.1%}** of the year's buyers bought on two or more days.",
        s=rate["customers_at_start"],
        kept=rate["retained_customers"],
        start=rate["period_start"],
        end=rate["period_end"],
        share=rate["retained_share"],
        churn=rate["churn_rate"],
        crr=rate["crr"],
        rpr=rate["repeat_purchase_rate"],
    )
    caption = (
        "Retention over the 12 months to the analysis date "
        "(customers; rates as % of the customers at the start)"
    )
    return Parts([explanation, _rates_table(rates, caption), story])


def retention_history_section(history: pd.DataFrame) -> Parts:
    """Show the retention rates period by period, or say the history is too short.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`retainkit.metrics.retention_history` per quarter: the columns of
        :func:`retention_rates_section`, one row per quarter (none when too short).

    Returns
    -------
    Parts
        The table of quarterly rates, or one sentence.

    Examples
    --------
    >>> retention_history_section(pd.DataFrame())[0].data
    'The history is too short for quarterly rates.'
    """
    if history.empty:
        return Parts([markdown("The history is too short for quarterly rates.")])
    caption = (
        "Retention per quarter (rates as % of the customers active at the start of the quarter)"
    )
    return Parts([_rates_table(history, caption)])


def benchmark_section(rates: pd.DataFrame, *, industry: str) -> Parts:
    """Set the measured retained share against the published figure for ``industry``.

    The figure is closed in pyplot, so that a notebook shows it once.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`retainkit.metrics.retention_rates`: ``retained_share`` of its first row.
    industry : str
        An industry of :func:`retainkit.metrics.load_benchmarks`.

    Returns
    -------
    Parts
        One figure: :func:`retainkit.plotting.plot_benchmark`.

    Examples
    --------
    >>> parts = benchmark_section(pd.DataFrame({"retained_share": [0.5]}), industry="Retail")
    >>> type(parts[0]).__name__
    'Figure'
    """
    comparison = metrics.benchmark_comparison(rates.iloc[0]["retained_share"], industry=industry)
    fig, ax = plt.subplots(figsize=(9, 2.6))
    plot_benchmark(comparison, ax=ax)
    fig.tight_layout()
    plt.close(fig)
    return Parts([fig])
