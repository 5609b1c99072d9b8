"""The purchase models' outputs on a grid of frequency and recency, for one customer age."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FrequencyRecencyGrid"]


class FrequencyRecencyGrid:
    """Mixin: ``frequency_recency_matrix`` from a model's ``_p_alive`` and ``_expected``."""

    def frequency_recency_matrix(
        self,
        *,
        T: float,
        t: float | None = None,
        max_frequency: int | None = None,
        bins: int = 20,
        covariates: Any = None,
    ) -> pd.DataFrame:
        """Model outputs on a grid of frequency and recency for a customer of age ``T``.

        Parameters
        ----------
        T : float
            Customer age (first purchase to now), in ``time_unit_``.
        t : float, optional
            Horizon for expected purchases; None gives the probability alive.
        max_frequency : int, optional
            Largest frequency shown (default 20).
        bins : int
            Recency steps from 0 to ``T``.
        covariates : dict or pandas.DataFrame, optional
            The attributes of the customer profile shown (``{column: value}`` or a
            one-row frame); required when the fit used covariates.

        Returns
        -------
        pandas.DataFrame
            Rows: ``frequency`` 0..max; columns: recency values; cells: probability
            alive, or expected purchases over ``t``. ``attrs`` holds ``T``, ``t``,
            ``time_unit`` and ``measure``.

        Examples
        --------
        >>> from retainkit.clv import BetaGeoModel
        >>> m = BetaGeoModel()
        >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> m.time_unit_ = "weeks"
        >>> grid = m.frequency_recency_matrix(T=39, max_frequency=3, bins=4)
        >>> grid.shape, float(grid.iloc[3, -1]) > float(grid.iloc[3, 0])
        ((4, 4), True)
        """
        self._check_fitted()
        top = 20 if max_frequency is None else int(max_frequency)
        freq = np.arange(top + 1, dtype="float64")
        rec = np.linspace(0.0, T, bins)
        xx, rr = np.meshgrid(freq, rec, indexing="ij")
        x, tx, TT = xx.ravel(), rr.ravel(), np.full(xx.size, float(T))
        one = self._one_customer(covariates)
        z = None if one is None else np.repeat(one, len(x), axis=0)
        values = self._p_alive(x, tx, TT, z) if t is None else self._expected(x, tx, TT, t, z)
        out = pd.DataFrame(
            values.reshape(xx.shape),
            index=pd.Index(freq.astype(int), name="frequency"),
            columns=pd.Index(np.round(rec, 2), name="recency"),
        )
        out.attrs = {
            "T": T,
            "t": t,
            "time_unit": self.time_unit_,
            "measure": "probability_alive" if t is None else "expected_purchases",
        }
        return out
