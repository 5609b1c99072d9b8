"""Scenario widgets: ipywidgets controls over retainkit's pure functions.

Each notebook's controls live in a topic module and are built on
:func:`scenario_panel`; the cells that show them carry the ``interactive`` tag, so the
HTML report (which shows the same functions' output at the parameter values) leaves
them out.
"""

from retainkit.widgets._base import scenario_panel
from retainkit.widgets._ltv import clv_scenario_panel, clv_scenario_view

__all__ = ["clv_scenario_panel", "clv_scenario_view", "scenario_panel"]
