"""Fitting with a fallback to small penalizers, or saying in words why a fit failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from retainkit.clv._base import BaseModel
from retainkit.exceptions import ConvergenceError, DataValidationError

__all__ = ["fit_or_explain", "fit_with_fallback"]


def fit_with_fallback(
    model: type[BaseModel],
    summary: pd.DataFrame,
    *,
    penalizers: Sequence[float] = (0.0, 0.001, 0.01),
    **options: Any,
) -> tuple[BaseModel, str]:
    """Fit by plain maximum likelihood, falling back to small penalizers if that fails.

    Small or unusual data can put the maximum at the edge of the parameter space (no
    visible dropout drives BG/NBD's ``a`` to 0, no spread of purchase rates drives ``r``
    and ``alpha`` to infinity); a small penalty on the logarithms of the parameters then
    gives a usable fit. The note says which penalizer was used.

    Parameters
    ----------
    model : type
        :class:`~retainkit.clv.BetaGeoModel` or :class:`~retainkit.clv.GammaGammaModel`.
    summary : pandas.DataFrame
    penalizers : sequence of float
        Tried in order.
    **options
        Further arguments of the model, e.g. ``k=2`` for a regularity model.

    Returns
    -------
    (model, str)
        The fitted model and a note ("" for a plain fit).

    Raises
    ------
    ConvergenceError
        When every penalizer fails; the last error.

    Examples
    --------
    >>> from retainkit.clv import BetaGeoModel
    >>> s = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [0, 1, 2],
    ...                   "recency": [0.0, 3.0, 8.0], "T": [10.0, 10.0, 10.0]})
    >>> fitted, note = fit_with_fallback(BetaGeoModel, s)
    >>> type(fitted).__name__
    'BetaGeoModel'
    """
    error: ConvergenceError | None = None
    for pen in penalizers:
        try:
            fitted = model(penalizer=pen, **options).fit(summary)
        except ConvergenceError as exc:
            error = exc
            continue
        note = (
            ""
            if pen == 0
            else (
                f"The plain maximum-likelihood fit did not converge, so the {model._name} "
                f"parameters carry a small penalty (penalizer={pen:g}) that keeps them "
                "away from 0 and infinity."
            )
        )
        return fitted, note
    assert error is not None
    raise error


def fit_or_explain(model: type[BaseModel], summary: pd.DataFrame) -> tuple[BaseModel | None, str]:
    """Fit as :func:`fit_with_fallback` does; on failure return None and the reason.

    Notebooks use it so that data too small or too odd for a model says so in words.

    Returns
    -------
    (model or None, str)
        The fitted model and the fallback note, or None and why it could not be fitted.

    Examples
    --------
    >>> from retainkit.clv import GammaGammaModel
    >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "monetary_value": [0.0]})
    >>> fitted, why = fit_or_explain(GammaGammaModel, s)
    >>> fitted is None, why.startswith("The Gamma-Gamma model could not be fitted")
    (True, True)
    """
    try:
        return fit_with_fallback(model, summary)
    except (ConvergenceError, DataValidationError) as exc:
        reason = "the fit did not converge" if isinstance(exc, ConvergenceError) else str(exc)
        return None, (
            f"The {model._name} model could not be fitted to these {len(summary):,} customers "
            f"({reason}); it needs more customers with repeat purchases."
        )
