"""Scenario widgets: ipywidgets controls over retainkit's pure functions.

Each notebook's controls live in a topic module and are built on
:func:`scenario_panel`; the cells that show them carry the ``interactive`` tag, so a
report (which shows the same functions' output at the parameter values) does not run
or show them.
"""

from retainkit.widgets._base import scenario_panel
from retainkit.widgets._groundwork import loss_scenario, review_scenario
from retainkit.widgets._ltv import clv_scenario_panel, clv_scenario_view
from retainkit.widgets._segmentation import (
    key_clients_view,
    pareto_panel,
    pareto_view,
    priority_view,
    rfm_panel,
    rfm_view,
)

__all__ = [
    "clv_scenario_panel",
    "clv_scenario_view",
    "key_clients_view",
    "loss_scenario",
    "pareto_panel",
    "pareto_view",
    "priority_view",
    "review_scenario",
    "rfm_panel",
    "rfm_view",
    "scenario_panel",
]
