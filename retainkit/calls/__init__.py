"""The call list: who is slipping away, what a call can save, and whether the list works.

- :mod:`~retainkit.calls.risk`: probability of still buying, value and expected value at
  risk of every active customer;
- :mod:`~retainkit.calls.ranking`: the ranked list and the calls-vs-value curve;
- :mod:`~retainkit.calls.backtest`: the list built in the past against what happened;
- :mod:`~retainkit.calls.history`: last month's list read back: who is new, who came back,
  what the calls achieved.
"""

from retainkit.calls.backtest import CallListBacktest, backtest_call_list
from retainkit.calls.history import call_outcomes, compare_calls, read_previous_calls
from retainkit.calls.ranking import (
    CALL_COLUMNS,
    call_sheet,
    calls_curve,
    rank_calls,
    ranked_values,
    reasons_by_customer,
)
from retainkit.calls.risk import (
    SLIPPING,
    WIN_BACK,
    PurchaseModel,
    customer_risk,
    day_value_spread,
    expected_shortfall,
    fit_purchase_model,
    probability_no_purchase,
    typical_gap_days,
)

__all__ = [
    "CALL_COLUMNS",
    "SLIPPING",
    "WIN_BACK",
    "CallListBacktest",
    "PurchaseModel",
    "backtest_call_list",
    "call_outcomes",
    "call_sheet",
    "calls_curve",
    "compare_calls",
    "customer_risk",
    "day_value_spread",
    "expected_shortfall",
    "fit_purchase_model",
    "probability_no_purchase",
    "rank_calls",
    "ranked_values",
    "read_previous_calls",
    "reasons_by_customer",
    "typical_gap_days",
]
