"""The Pareto/NBD model of repeat purchases and dropout (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, rate
alpha)``; their lifetime is exponential with rate ``mu ~ Gamma(s, rate beta)``, so
unlike BG/NBD a customer can leave at any time, not only right after a purchase. The
likelihood follows Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
Related Expressions". Its gradient involves derivatives of the Gaussian hypergeometric
function in its parameters, which scipy does not provide, so it is taken by central
differences of the (cheap, compressed) log-likelihood.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, hyp2f1

from retainkit import schema as S
from retainkit.clv._base import BaseModel, Compressed, validate_summary

__all__ = ["ParetoNBDModel"]


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Return log A0 of Fader and Hardie's note, for each customer (tx <= T)."""
    a = r + s + x
    if alpha >= beta:
        b, base_tx, base_T, diff = s + 1.0, alpha + tx, alpha + T, alpha - beta
    else:
        b, base_tx, base_T, diff = r + x, beta + tx, beta + T, beta - alpha
    log_t1 = np.log(hyp2f1(a, b, a + 1.0, diff / base_tx)) - a * np.log(base_tx)
    log_t2 = np.log(hyp2f1(a, b, a + 1.0, diff / base_T)) - a * np.log(base_T)
    # t1 >= t2; where they coincide (t_x = T) A0 is 0
    gap = np.clip(log_t2 - log_t1, None, 0.0)
    with np.errstate(divide="ignore"):
        return log_t1 + np.log(-np.expm1(gap))


class ParetoNBDModel(BaseModel):
    """Pareto/NBD: purchases while alive, and a lifetime that can end at any moment.

    Parameters
    ----------
    penalizer : float
        Penalty on the squared logarithms of the parameters (0: plain maximum
        likelihood); see :class:`~retainkit.clv.BetaGeoModel`.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rates), ``s``, ``beta`` (dropout rates); ``alpha``
        and ``beta`` in ``time_unit_``.
    standard_errors_, log_likelihood_, n_customers_, n_rows_, time_unit_
        As for :class:`~retainkit.clv.BetaGeoModel`.

    Examples
    --------
    >>> import retainkit as rk
    >>> summary = rk.customer_summary(rk.load_transactions("cdnow_sample"),
    ...                               as_of="1997-09-30", time_unit="weeks")
    >>> model = ParetoNBDModel().fit(summary)
    >>> {k: round(v, 2) for k, v in model.params_.items()}
    {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
    """

    _param_names = ("r", "alpha", "s", "beta")
    _required = ("frequency", "recency", "T")
    _name = "Pareto/NBD"
    _bounded = ("r", "alpha", "s", "beta")
    _warm_start_rows = 50_000
    # estimates beyond 1e-3..1e3 (time in weeks or days) are the model's degenerate limits
    # (no dropout, no spread of rates) where the likelihood is flat and the hypergeometric
    # terms get slow: stop there and let a penalizer take over
    _log_bounds = (-6.9, 6.9)

    def _columns(self, summary: pd.DataFrame) -> list[np.ndarray]:
        x = summary["frequency"].to_numpy(dtype="float64")
        tx = np.where(x > 0, summary["recency"].to_numpy(dtype="float64"), 0.0)
        return [x, tx, summary["T"].to_numpy(dtype="float64")]

    def _build(self, rows: Compressed) -> dict[str, Any]:
        x, tx, T = rows.unique_rows
        w = rows.weights
        return {
            "x": x,
            "tx": tx,
            "T": T,
            "w": w,
            "n": float(w.sum()),
            "mean_x": float(w @ x / w.sum()),
            "mean_T": float(w @ T / w.sum()),
        }

    def _initial(self, data: dict[str, Any]) -> np.ndarray:
        rate = data["mean_x"] / max(data["mean_T"], 1e-12)
        alpha = 1.0 / rate if rate > 0 else 1.0
        return np.array([1.0, alpha, 1.0, data["mean_T"]])

    @staticmethod
    def _ll(params: np.ndarray, data: dict[str, Any]) -> float:
        r, alpha, s, beta = params
        x, tx, T, w = data["x"], data["tx"], data["T"], data["w"]
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        log_second = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, T)
        return float(w @ (head + np.logaddexp(log_first, log_second)))

    def _neg_ll_and_grad(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        value = self._ll(params, data)
        grad = np.empty(len(params))
        for j in range(len(params)):
            h = 1e-5 * params[j]
            up, down = params.copy(), params.copy()
            up[j] += h
            down[j] -= h
            grad[j] = (self._ll(up, data) - self._ll(down, data)) / (2 * h)
        return -value, -grad

    # --- predictions -------------------------------------------------------------------
    def _p_alive(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        p = self._check_fitted()
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        log_odds = (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + _log_a0(r, alpha, s, beta, x, tx, T)
        )
        return expit(-log_odds)

    def _expected(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: Any) -> np.ndarray:
        """E[Y(t) | x, t_x, T]; a 1-d ``t`` gives customers x horizons."""
        p = self._check_fitted()
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        t = np.asarray(t, dtype="float64")
        alive = self._p_alive(x, tx, T)
        if t.ndim == 1:
            x, T, alive, t = x[:, None], T[:, None], alive[:, None], t[None, :]
        ratio = (beta + T) / (beta + T + t)
        # (1 - ratio^(s-1)) / (s-1), with its limit -log(ratio) at s = 1
        shrink = (
            -np.log(ratio) if abs(s - 1) < 1e-9 else -np.expm1((s - 1) * np.log(ratio)) / (s - 1)
        )
        return (r + x) * (beta + T) / (alpha + T) * shrink * alive + 0.0

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_fitted()
        validate_summary(summary, self._required, model=self._name)
        self._check_unit(summary)
        x, tx, T = self._columns(summary)
        return x, tx, T

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Return the probability that each customer is still alive at ``T``.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T`` in the fitted time unit.

        Returns
        -------
        pandas.Series
            ``probability_alive`` (0-1), aligned with ``summary``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [2], "recency": [30.43],
        ...                   "T": [38.86]})
        >>> 0 < float(m.probability_alive(s).iloc[0]) < 1
        True
        """
        x, tx, T = self._arrays(summary)
        return pd.Series(self._p_alive(x, tx, T), index=summary.index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, *, t: float) -> pd.Series:
        """Return the expected repeat purchases of each customer in the next ``t``.

        Parameters
        ----------
        summary : pandas.DataFrame
        t : float
            Horizon in the summary's time unit.

        Returns
        -------
        pandas.Series
            Named ``expected_purchases_<t>_<unit>``; ``attrs`` holds ``t`` and
            ``time_unit``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                   "T": [0.0]})
        >>> # a brand-new customer: r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1))
        >>> # = 0.61003 x (1 - 0.23030^-0.394) / -0.394 = 0.61003 x 1.98840
        >>> round(float(m.expected_purchases(s, t=39).iloc[0]), 3)
        1.213
        """
        if t < 0:
            raise ValueError(f"t={t!r} must be 0 or positive")
        x, tx, T = self._arrays(summary)
        unit = self._check_unit(summary)
        out = pd.Series(
            self._expected(x, tx, T, t),
            index=summary.index,
            name=f"expected_purchases_{t:g}_{unit}",
        )
        out.attrs = {"t": t, "time_unit": unit}
        return out

    def expected_purchases_new_customer(self, t: Any) -> np.ndarray:
        """Return the expected repeat purchases of a new customer within ``t`` of the first.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> m.expected_purchases_new_customer([0.0, 39.0]).round(3).tolist()
        [0.0, 1.213]
        """
        t = np.asarray(t, dtype="float64")
        zero = np.zeros(1)
        return self._expected(zero, zero, zero, t.ravel())[0].reshape(t.shape)

    def predict(self, summary: pd.DataFrame, *, t: float) -> pd.DataFrame:
        """Return per customer the probability alive and expected repeat purchases over ``t``.

        Examples
        --------
        >>> m = ParetoNBDModel()
        >>> m.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        >>> m.time_unit_ = "weeks"
        >>> s = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                   "T": [0.0]})
        >>> list(m.predict(s, t=39).columns)
        ['customer_id', 'probability_alive', 'expected_purchases']
        """
        expected = self.expected_purchases(summary, t=t)
        out = pd.DataFrame(
            {
                S.CUSTOMER_ID: summary[S.CUSTOMER_ID].to_numpy(),
                "probability_alive": self.probability_alive(summary).to_numpy(),
                "expected_purchases": expected.to_numpy(),
            }
        )
        out.attrs = dict(expected.attrs)
        return out
