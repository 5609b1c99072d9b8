"""Report sections: each notebook section is one call that returns what it shows.

A section function takes the data (a :class:`retainkit.datasets.Dataset` or what an analysis
returned) and returns a :class:`retainkit.display.Parts` of stories, tables and figures in
the order the report shows them. Analysis modules return data only; the words, tables and
figures a manager reads are assembled here, so that the notebooks are story plus calls.

Modules
-------
call_list
    The call list's words: the backtest verdict, last month's calls, the call sheet file
    and key figures.
data
    The data every notebook opens with: what was read, what was dropped, the columns'
    origin, activity per month and the data's key figures.
expected_value
    The groundwork notebook's model view of what the lost customers were worth.
loss_story
    The groundwork's story in words: the losses, their reasons, behaviour and cost.
groundwork
    The groundwork notebook's losses: window, counts, groups, reasons, behaviour, tenure
    and cost.
retention, revenue_retention, cohorts, historical_value, models, holdout, model_choice,
customer_value, acquisition, scenarios, ltv_figures
    The lifetime value notebook: retention rates, revenue retention, cohorts, historical
    value, the purchase and spend models, their holdout check and the choice between
    purchase models, model value per customer and segment, acquisition budget, scenarios
    and key figures.
intervals, attributes
    The lifetime value notebook's forecast intervals (how sure the totals and top
    customers are) and customer attributes' effects on purchase rate and dropout.
subscriptions
    The lifetime value notebook's subscription model (sBG) for data that bills monthly.
review_story
    What the monthly review shows its reader: the story, the trend verdict, the detectors'
    tables.
review
    The groundwork notebook's monthly review: early warnings, call list, win-back list
    and backtest.
segmentation, priority, journeys
    The segmentation notebook: value concentration, RFM segments and their movement;
    whom to keep first; lifecycle stages and conversion.
"""

from retainkit.sections.acquisition import (
    acquisition_section,
    incentive_section,
    new_customer_budget,
)
from retainkit.sections.attributes import attribute_effects_section, attribute_effects_table
from retainkit.sections.call_list import (
    backtest_story,
    backtest_table,
    call_list_figures,
    previous_review,
    save_call_sheet,
)
from retainkit.sections.cohorts import cohort_section
from retainkit.sections.customer_value import customer_value_section, model_values
from retainkit.sections.data import activity_figure, data_section
from retainkit.sections.expected_value import expected_value_section
from retainkit.sections.groundwork import (
    behaviour_section,
    churn_by_group_section,
    cost_section,
    loss_section,
    lost_customers_section,
    reasons_section,
    tenure_section,
    window_section,
)
from retainkit.sections.historical_value import historical_value_section
from retainkit.sections.holdout import (
    holdout_check,
    holdout_figure,
    holdout_section,
)
from retainkit.sections.intervals import forecast_intervals, interval_section
from retainkit.sections.journeys import conversion_section, lifecycle_section
from retainkit.sections.loss_story import (
    behaviour_story,
    cost_story,
    loss_story,
    reason_story,
)
from retainkit.sections.ltv_figures import lifetime_value_figures
from retainkit.sections.model_choice import (
    model_choice_section,
    purchase_model_choice,
    values_model,
)
from retainkit.sections.models import (
    fit_spend_model,
    frequency_recency_section,
    purchase_model_section,
    spend_model_section,
)
from retainkit.sections.priority import key_clients_table, priority_section, priority_table
from retainkit.sections.retention import (
    benchmark_section,
    retention_history_section,
    retention_rates_section,
)
from retainkit.sections.revenue_retention import revenue_retention_row, revenue_retention_section
from retainkit.sections.review import (
    backtest_section,
    call_list_section,
    calls_curve_section,
    warnings_section,
    winback_section,
)
from retainkit.sections.review_story import detector_tables, review_story, trend_section
from retainkit.sections.scenarios import (
    scenario_baseline,
    scenario_intro,
    scenario_tables,
)
from retainkit.sections.segmentation import movement_section, pareto_section, rfm_section
from retainkit.sections.subscriptions import subscription_section

__all__ = [
    "acquisition_section",
    "activity_figure",
    "attribute_effects_section",
    "attribute_effects_table",
    "backtest_section",
    "backtest_story",
    "backtest_table",
    "behaviour_section",
    "behaviour_story",
    "benchmark_section",
    "call_list_figures",
    "call_list_section",
    "calls_curve_section",
    "churn_by_group_section",
    "cohort_section",
    "conversion_section",
    "cost_section",
    "cost_story",
    "customer_value_section",
    "data_section",
    "detector_tables",
    "expected_value_section",
    "fit_spend_model",
    "forecast_intervals",
    "frequency_recency_section",
    "historical_value_section",
    "holdout_check",
    "holdout_figure",
    "holdout_section",
    "incentive_section",
    "interval_section",
    "key_clients_table",
    "lifecycle_section",
    "lifetime_value_figures",
    "loss_section",
    "loss_story",
    "lost_customers_section",
    "model_choice_section",
    "model_values",
    "movement_section",
    "new_customer_budget",
    "pareto_section",
    "previous_review",
    "priority_section",
    "priority_table",
    "purchase_model_choice",
    "purchase_model_section",
    "reason_story",
    "reasons_section",
    "retention_history_section",
    "retention_rates_section",
    "revenue_retention_row",
    "revenue_retention_section",
    "review_story",
    "rfm_section",
    "save_call_sheet",
    "scenario_baseline",
    "scenario_intro",
    "scenario_tables",
    "spend_model_section",
    "subscription_section",
    "tenure_section",
    "trend_section",
    "values_model",
    "warnings_section",
    "winback_section",
    "window_section",
]
