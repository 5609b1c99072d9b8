"""Intervals on each customer's forecast purchases and value, and on their totals.

Two kinds of uncertainty go into them:

- **parameter uncertainty**: the maximum-likelihood estimates are asymptotically normal,
  with the covariance the fit keeps as ``covariance_`` (the inverse observed
  information, whose diagonal gives ``standard_errors_``); on the logarithms of the
  (positive) parameters, where the approximation is better, that covariance is
  ``covariance_ / outer(theta, theta)`` (the delta method). The *expected* purchases,
  spend and lifetime value then get intervals by the delta method too: their gradient in
  the log-parameters, by forward differences (one prediction per parameter, instead of
  one per parameter draw), gives their variance, and the interval is symmetric on the
  log scale of the value (``estimate x exp(+-z se / estimate)``), so it stays positive.
  :func:`parameter_draws` draws parameter sets from the same normal distribution.
- **process noise**: given the parameters, what a customer actually does is random.
  Each customer's future repeat purchases are simulated from the model's posterior given
  their history, once per parameter draw: alive or not (with the probability alive), the
  purchase rate ``lambda | alive ~ Gamma(r + x, rate alpha + T)`` and the dropout still
  to come (BG/NBD: ``p | alive ~ Beta(a, b + x)``, a dropout after each purchase with
  probability ``p``; MBG/NBD: ``Beta(a, b + x + 1)``, the first purchase a dropout
  chance too; Pareto/NBD: ``mu | alive ~ Gamma(s, rate beta + T)``, an exponential
  remaining lifetime). The (M)BG/CNBD-k, at their fitted ``k``, first draw the Erlang
  stages ``j`` done since the last purchase (the likelihood's alive terms), then
  ``lambda ~ Gamma(r + k x + j, alpha + T)``; ``N`` Poisson stages ahead make
  ``floor((N + j) / k)`` purchases, cut by the dropout. These counts give a *predictive*
  interval: where the customer's count will fall, parameter uncertainty included.

Totals add the customers' gradients (expected values) or their simulated counts within
each draw (purchases) before the interval is taken, so they keep the correlation that
shared parameters induce. Values reuse :func:`retainkit.clv.value.clv_forecast` and
:func:`retainkit.clv.value.customer_value` (and so the one discounting rule).
"""

from retainkit.clv.intervals._draws import ForecastIntervals, parameter_draws
from retainkit.clv.intervals._forecasts import purchase_intervals, value_intervals

# the simulators stay importable here, where the tests have always found them
from retainkit.clv.intervals._simulate import _simulate_bgnbd as _simulate_bgnbd
from retainkit.clv.intervals._simulate import _simulate_pareto as _simulate_pareto

__all__ = [
    "ForecastIntervals",
    "parameter_draws",
    "purchase_intervals",
    "value_intervals",
]
