"""Groundwork: whom we lost in the lookback window, why, and what it cost.

Definitions (``as_of``, ``churn_days`` and ``lookback_days`` are parameters):

- The *window* is the ``lookback_days`` up to ``as_of``; it starts on
  ``start = as_of - lookback_days``.
- A customer is *lost in the window* when their last purchase L satisfies
  ``as_of - lookback_days - churn_days < L <= as_of - churn_days``: the day they count
  as lost, L + churn_days, falls inside the window.
- The *active base at the start* is the customers with a purchase in the
  ``churn_days`` up to ``start``. The *churn rate* is the share of that base lost in
  the window; the rest is the retained share. Customers first seen during the window
  and lost before ``as_of`` are counted among the losses but not in the rate.
- *Revenue lost* for a lost customer is their net revenue in the 365 days up to and
  including L, their annual run rate; *profit lost* the same for profit (revenue minus
  cost where the data has cost, else ``margin`` x revenue).
- *Lifetime value lost* is that annual value received monthly over ``horizon_years``
  and discounted at ``discount_rate`` a year: $1,000 a month for 20 years,
  undiscounted, is $240,000.

All functions are pure: transaction-level work goes through :mod:`retainkit.engine`;
the rest is vectorised pandas on per-customer results.

- :mod:`~retainkit.groundwork.window`: the lookback window;
- :mod:`~retainkit.groundwork.status`: each customer's status against it;
- :mod:`~retainkit.groundwork.churn_rate`: the churn rate, overall and per attribute;
- :mod:`~retainkit.groundwork.attributes`: the attributes that make groups;
- :mod:`~retainkit.groundwork.losses`: the lost customers, listed and counted;
- :mod:`~retainkit.groundwork.tenure`: tenure durations and survival curves;
- :mod:`~retainkit.groundwork.reasons`: the stated churn reasons;
- :mod:`~retainkit.groundwork.behaviour`: lost against retained customers' behaviour;
- :mod:`~retainkit.groundwork.value`: the value lost;
- :mod:`~retainkit.groundwork.expected`: what the purchase model expected the lost customers
  to be worth when they last bought;
- :mod:`~retainkit.groundwork.overview`: the key figures;
"""

from retainkit.groundwork.attributes import attribute_columns, pool_small_groups
from retainkit.groundwork.behaviour import behaviour_comparison
from retainkit.groundwork.churn_rate import _wilson_vec as _wilson_vec
from retainkit.groundwork.churn_rate import churn_by_attribute, churn_summary, wilson_interval
from retainkit.groundwork.expected import expected_value_lost
from retainkit.groundwork.losses import losses_by, losses_by_month, lost_customers
from retainkit.groundwork.overview import loss_figures, loss_overview
from retainkit.groundwork.reasons import (
    CONTROLLABLE,
    DEFAULT_REASON_GROUPS,
    UNCONTROLLABLE,
    classify_reasons,
    reason_summary,
)
from retainkit.groundwork.reasons import UNCLASSIFIED as UNCLASSIFIED
from retainkit.groundwork.status import customer_status
from retainkit.groundwork.tenure import survival_by, tenure_durations
from retainkit.groundwork.value import lifetime_value, loss_concentration, value_lost
from retainkit.groundwork.window import ChurnWindow, churn_window

__all__ = [
    "CONTROLLABLE",
    "DEFAULT_REASON_GROUPS",
    "UNCONTROLLABLE",
    "ChurnWindow",
    "attribute_columns",
    "behaviour_comparison",
    "churn_by_attribute",
    "churn_summary",
    "churn_window",
    "classify_reasons",
    "customer_status",
    "expected_value_lost",
    "lifetime_value",
    "loss_concentration",
    "loss_figures",
    "loss_overview",
    "losses_by",
    "losses_by_month",
    "lost_customers",
    "pool_small_groups",
    "reason_summary",
    "survival_by",
    "tenure_durations",
    "value_lost",
    "wilson_interval",
]
