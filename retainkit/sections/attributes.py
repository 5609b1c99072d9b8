"""How customer attributes go with buying more often and leaving sooner, in plain words.

The section fits the Pareto/NBD with the customers' attributes as static covariates
(:meth:`retainkit.clv.ParetoNBDModel.fit` with ``covariates=``) and shows each attribute's
effect as a multiplicative factor: ``exp(trans.<c>)`` on the mean purchase rate and
``exp(life.<c>)`` on the mean dropout rate, with 90% Wald intervals
``exp(coefficient +- 1.645 standard error)``. Data that bills monthly (subscriptions, by
:func:`retainkit.sections.subscriptions.monthly_billing`) gets a note instead: its
customers do not buy whenever they like, as the model assumes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from retainkit import schema as S
from retainkit.clv import ParetoNBDModel
from retainkit.display import Parts, markdown, table
from retainkit.exceptions import ConvergenceError, DataValidationError
from retainkit.sections.subscriptions import monthly_billing

__all__ = ["attribute_effects_section", "attribute_effects_table"]

#: z of a two-sided 90% interval.
_Z90 = 1.6448536269514722


#: Fewest customers a level of a text attribute needs to be compared on its own; smaller
#: levels are compared together as "other".
MIN_LEVEL_CUSTOMERS = 30

#: What the small levels of a text attribute are called once grouped.
OTHER_LEVEL = "other"


def _usable(
    customers: pd.DataFrame, *, max_levels: int
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Return the attributes to compare, the columns left out (with why), and groupings.

    A text column keeps its levels with at least :data:`MIN_LEVEL_CUSTOMERS` customers,
    at most ``max_levels - 1`` of them (the most common), and compares the rest together
    as :data:`OTHER_LEVEL`; it is left out when those kept levels cover less than half
    of the customers (ids, free text) or when one level is all that is left.
    """
    usable: dict[str, pd.Series] = {}
    skipped, grouped = [], []
    for col in customers.columns:
        if col == S.CUSTOMER_ID:
            continue
        values = customers[col]
        present = values.dropna()
        numeric = pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present)
        distinct = present.nunique()
        if distinct < 2:
            skipped.append(f"{col} (one value)")
            continue
        if numeric:
            usable[str(col)] = values
            continue
        counts = present.astype(str).value_counts()
        kept = counts[counts >= MIN_LEVEL_CUSTOMERS].head(max_levels - 1)
        if kept.sum() < 0.5 * len(present):
            skipped.append(f"{col} ({distinct:,} levels, too few customers in most)")
            continue
        text = values.astype("object").where(values.isna(), values.astype(str))
        small = text.notna() & ~text.isin(kept.index)
        if small.any():
            text = text.where(~small, OTHER_LEVEL)
            grouped.append(
                f"{col}: {counts.size - len(kept):,} smaller levels compared together as "
                f"*{OTHER_LEVEL}*"
            )
        if text.dropna().nunique() < 2:
            skipped.append(f"{col} (one level with enough customers)")
            continue
        usable[str(col)] = text
    frame = pd.DataFrame({S.CUSTOMER_ID: customers[S.CUSTOMER_ID], **usable})
    return frame, skipped, grouped


def _factor(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def attribute_effects_table(model: ParetoNBDModel) -> pd.DataFrame:
    """Return each covariate column's effect on purchase and dropout rates as factors.

    Parameters
    ----------
    model : ParetoNBDModel
        Fitted with ``covariates=``.

    Returns
    -------
    pandas.DataFrame
        One row per covariate column: ``attribute``, ``compared_with`` (the reference
        level, or "one unit less" for a numeric one), ``purchase_rate_factor``,
        ``purchase_rate_low_90``, ``purchase_rate_high_90``, ``dropout_rate_factor``,
        ``dropout_rate_low_90``, ``dropout_rate_high_90``: ``exp(coefficient)`` and
        ``exp(coefficient +- 1.645 standard error)``.

    Examples
    --------
    >>> m = ParetoNBDModel()
    >>> m.params_ = {"r": 1.0, "alpha": 5.0, "s": 1.0, "beta": 9.0,
    ...              "trans.plan=pro": math.log(2.0), "life.plan=pro": 0.0}
    >>> m.standard_errors_ = {"trans.plan=pro": 0.1, "life.plan=pro": 0.2}
    >>> m.covariate_levels_ = {"plan": {"reference": "basic", "levels": ["basic", "pro"]}}
    >>> t = attribute_effects_table(m)
    >>> t[["attribute", "compared_with", "purchase_rate_factor"]].to_dict("records")
    [{'attribute': 'plan=pro', 'compared_with': 'plan=basic', 'purchase_rate_factor': 2.0}]
    """
    params = model._check_fitted()
    se = model.standard_errors_ or {}
    levels = model.covariate_levels_ or {}
    rows = []
    for name in [k[len("trans.") :] for k in params if k.startswith("trans.")]:
        column = name.split("=", 1)[0]
        spec = levels.get(column)
        compared = f"{column}={spec['reference']}" if spec else f"{column} one unit lower"
        row: dict[str, Any] = {"attribute": name, "compared_with": compared}
        for part, label in (("trans", "purchase_rate"), ("life", "dropout_rate")):
            g, s = params[f"{part}.{name}"], se.get(f"{part}.{name}", np.nan)
            row[f"{label}_factor"] = math.exp(g)
            row[f"{label}_low_90"] = math.exp(g - _Z90 * s)
            row[f"{label}_high_90"] = math.exp(g + _Z90 * s)
        rows.append(row)
    return pd.DataFrame(rows)


#: An interval whose ends differ by more than this factor says nothing a manager can use.
UNINFORMATIVE_RATIO = 100.0


def _uninformative(row: pd.Series, label: str) -> bool:
    low, high = row[f"{label}_low_90"], row[f"{label}_high_90"]
    return not (low > 0 and high / low <= UNINFORMATIVE_RATIO)


def _interval(row: pd.Series, label: str) -> str:
    low, high = row[f"{label}_low_90"], row[f"{label}_high_90"]
    unclear = "; no clear difference" if low <= 1 <= high else ""
    return f"(90% interval {_factor(low)}-{_factor(high)}{unclear})"


def _sentence(row: pd.Series) -> str:
    """Say one effect for a manager: who, how much more often they buy, how fast they leave.

    An effect whose 90% interval spans more than :data:`UNINFORMATIVE_RATIO` times is said
    to be unknown rather than given as a number.
    """
    unknown = "cannot be told from these data"
    buy = f"{_factor(row['purchase_rate_factor'])} {_interval(row, 'purchase_rate')}"
    leave = f"{_factor(row['dropout_rate_factor'])} {_interval(row, 'dropout_rate')}"
    buy_unknown = _uninformative(row, "purchase_rate")
    leave_unknown = _uninformative(row, "dropout_rate")
    if "=" not in row["attribute"]:  # numeric: per unit
        if not buy_unknown and not leave_unknown:
            return (
                f"Each extra unit of {row['attribute']} multiplies how often a customer buys "
                f"by {buy} and how fast they leave by {leave}."
            )
        buys = f"how often a customer buys {unknown}" if buy_unknown else f"buying x {buy}"
        leaves = f"how fast they leave {unknown}" if leave_unknown else f"leaving x {leave}"
        return f"Each extra unit of {row['attribute']}: {buys}; {leaves}."
    who = f"Customers with {row['attribute']}"
    if not buy_unknown and not leave_unknown:
        return (
            f"{who} buy {buy.replace(' (', ' as often (', 1)} and leave "
            f"{leave.replace(' (', ' as fast (', 1)} as those with {row['compared_with']}."
        )
    buys = (
        f"how often they buy {unknown}"
        if buy_unknown
        else f"they buy {buy.replace(' (', ' as often (', 1)}"
    )
    leaves = (
        f"how fast they leave {unknown}"
        if leave_unknown
        else f"they leave {leave.replace(' (', ' as fast (', 1)}"
    )
    return f"{who}, compared with {row['compared_with']}: {buys}; {leaves}."


def attribute_effects_section(
    summary: pd.DataFrame,
    *,
    customers: pd.DataFrame | None,
    transactions: Any = None,
    max_levels: int = 10,
) -> Parts:
    """Show how each customer attribute goes with purchase and dropout rates.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`retainkit.customer_summary` output: ``customer_id``, ``frequency``,
        ``recency``, ``T``.
    customers : pandas.DataFrame or None
        The customer attributes (:func:`retainkit.load_customers`, ``dataset.customers``):
        ``customer_id`` and any attribute columns. Columns with one value are left out;
        a text column's levels with fewer than :data:`MIN_LEVEL_CUSTOMERS` customers, and
        those beyond its ``max_levels - 1`` most common, are compared together as
        "other" (the text says which); a text column whose common levels cover less than
        half of the customers (ids, free text) is left out. Customers without attributes
        or with a missing value are left out of the fit.
    transactions : Transactions, optional
        ``dataset.transactions``: when given and the data bills monthly
        (:func:`retainkit.sections.subscriptions.monthly_billing`), the section says that
        the model does not suit subscriptions instead of fitting it.
    max_levels : int
        Most levels of a text column compared, "other" included.

    Returns
    -------
    Parts
        A short story (one sentence per attribute level: "customers with contract=Two
        year buy 1.30x as often (90% interval 1.10x-1.50x) ...") and the table of
        :func:`attribute_effects_table`; or one note when the data has no usable
        attributes, bills monthly, or the model could not be fitted.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [1], "recency": [2.0],
    ...                   "T": [5.0]})
    >>> attribute_effects_section(s, customers=None)[0].data[:50]
    'No customer attributes here: the data has no custo'
    """
    if customers is None or not len(customers):
        return Parts(
            [
                markdown(
                    "No customer attributes here: the data has no customer table, so the "
                    "purchase and dropout rates are not compared across attributes."
                )
            ]
        )
    if transactions is not None and monthly_billing(transactions).attrs["bills_monthly"]:
        return Parts(
            [
                markdown(
                    "Customer attributes are not compared here: this data bills monthly, and "
                    "the model behind the comparison is made for customers who buy whenever "
                    "they like, so its effects on buying and leaving would mislead. The "
                    "subscription section above describes how long subscribers stay."
                )
            ]
        )
    attrs, skipped, grouped = _usable(customers, max_levels=max_levels)
    left_out = f" Left out: {', '.join(skipped)}." if skipped else ""
    left_out += f" Grouped: {'; '.join(grouped)}." if grouped else ""
    if attrs.shape[1] < 2:
        return Parts(
            [
                markdown(
                    "No usable customer attributes: every column has one value or too many "
                    "levels to compare.{left_out}",
                    left_out=left_out,
                )
            ]
        )
    complete = attrs.dropna()
    fitted = summary[summary[S.CUSTOMER_ID].isin(complete[S.CUSTOMER_ID])]
    dropped = len(summary) - len(fitted)
    model: ParetoNBDModel | None = None
    problem = ""
    for penalizer in (0.0, 0.001, 0.01):
        try:
            model = ParetoNBDModel(penalizer=penalizer).fit(fitted, covariates=complete)
            break
        except ConvergenceError:
            problem = "the model did not converge"
        except DataValidationError as exc:
            problem = str(exc)
            break
    if model is None:
        return Parts(
            [
                markdown(
                    "The attribute model could not be fitted to these {n:,} customers ({problem}).",
                    n=len(fitted),
                    problem=problem,
                )
            ]
        )
    effects = attribute_effects_table(model)
    sentences = " ".join(_sentence(row) for _, row in effects.iterrows())
    story = markdown(
        "{sentences} Each factor compares customers who differ only in that attribute; it "
        "is a model estimate from {n:,} customers, not proof that the attribute causes the "
        "difference.{dropped}{left_out}",
        sentences=sentences,
        n=model.n_customers_,
        dropped=(
            f" {dropped:,} customers without complete attributes are left out." if dropped else ""
        ),
        left_out=left_out,
    )
    shown = table(
        effects,
        caption=(
            "Effects of customer attributes (Pareto/NBD with covariates): factors on the "
            "mean purchase rate and the mean dropout rate, with 90% intervals"
            + (f" (penalizer {model.penalizer:g})" if model.penalizer else "")
        ),
    )
    return Parts([story, shown])
