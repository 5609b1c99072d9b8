"""Scenario widgets: ipywidgets controls over retainkit's pure functions.

Each notebook's controls live in a topic module and are built on
:func:`scenario_panel`; the cells that show them carry the ``interactive`` tag, so a
report (which shows the same functions' output at the parameter values) does not run
or show them. Each panel has a companion ``<panel>_table`` that shows the same
function's figures at a few preset settings of its controls: what a static report shows
in place of the controls.
"""

from retainkit.widgets._base import scenario_panel
from retainkit.widgets._groundwork import (
    loss_scenario,
    loss_scenario_table,
    review_scenario,
    review_scenario_table,
)
from retainkit.widgets._ltv import clv_scenario_panel, clv_scenario_panel_table, clv_scenario_view
from retainkit.widgets._segmentation import (
    key_clients_view,
    pareto_panel,
    pareto_panel_table,
    pareto_view,
    priority_view,
    rfm_panel,
    rfm_panel_table,
    rfm_view,
)

__all__ = [
    "clv_scenario_panel",
    "clv_scenario_panel_table",
    "clv_scenario_view",
    "key_clients_view",
    "loss_scenario",
    "loss_scenario_table",
    "pareto_panel",
    "pareto_panel_table",
    "pareto_view",
    "priority_view",
    "review_scenario",
    "review_scenario_table",
    "rfm_panel",
    "rfm_panel_table",
    "rfm_view",
    "scenario_panel",
]
