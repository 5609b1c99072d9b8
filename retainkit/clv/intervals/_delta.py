"""Delta-method intervals: slopes of a prediction in the log-parameters, and bounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.stats import norm

from retainkit.clv.intervals._draws import _with_params

__all__: list[str] = []

#: Step of the forward differences of the gradient, on the log scale of the parameters:
#: their error is half the step times the curvature relative to the slope (up to 1e-5 of
#: it where P(alive) bends fast, for customers with many purchases; 1e-4 with a step of
#: 1e-5 on the CDNOW sample), and rounding adds about 1e-16 / step.
_LOG_STEP = 1e-6


def _gradient(
    model: Any,
    evaluate: Callable[[Any], dict[str, np.ndarray]],
    centre: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Forward differences of ``evaluate(model with other parameters)`` in the log-parameters.

    ``(f(phi + h e_j) - f(phi)) / h``: one prediction per parameter besides ``centre``
    (``evaluate(model)``, computed here when not given). Each array ``evaluate`` returns
    gains a last axis, one entry per parameter.
    """
    names = list(model.params_)
    phi = np.log(np.array([model.params_[k] for k in names], dtype="float64"))
    here = evaluate(model) if centre is None else centre
    slopes: dict[str, list[np.ndarray]] = {}
    for j in range(len(phi)):
        step = np.zeros(len(phi))
        step[j] = _LOG_STEP
        up = evaluate(_with_params(model, names, np.exp(phi + step)))
        for key, value in up.items():
            slopes.setdefault(key, []).append((value - here[key]) / _LOG_STEP)
    return {key: np.stack(parts, axis=-1) for key, parts in slopes.items()}


def _variance(gradient: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """``g' cov g`` over the last axis of ``gradient`` (0 where rounding makes it negative)."""
    return np.maximum(np.einsum("...j,jk,...k->...", gradient, cov, gradient), 0.0)


def _delta_bounds(
    estimate: np.ndarray, variance: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a value from its variance: symmetric on the log scale when positive.

    ``estimate x exp(+-z se / estimate)`` (the delta method applied to log(value), which
    keeps a positive value's interval positive); ``estimate +- z se`` where the estimate
    is 0 or negative (spend per purchase can be).
    """
    z = float(norm.ppf(1 - (1 - level) / 2))
    estimate = np.asarray(estimate, dtype="float64")
    se = np.sqrt(variance)
    positive = estimate > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        spread = np.exp(z * se / np.where(positive, estimate, 1.0))
        low = np.where(positive, estimate / spread, estimate - z * se)
        high = np.where(positive, estimate * spread, estimate + z * se)
    return low, high
