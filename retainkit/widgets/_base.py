"""The one mechanism behind every scenario widget: controls that re-run a pure function.

A topic module (``_groundwork.py``, ...) builds its controls and passes them, with the
pure function that renders the result, to :func:`scenario_panel`. The report shows the
same function's output at the parameter values, so the interactive path and the report
path show the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from retainkit.display import table
from retainkit.exceptions import DataValidationError

__all__ = ["scenario_panel"]

#: HTML class of every scenario table: the settings a static report shows in place of the
#: controls (the browser tests find the tables by it).
PRESET_CLASS = "rk-scenario"


def _presets(name: str, values: Any, *, integer: bool = False) -> tuple[float, ...]:
    """Check a scenario table's preset values: a non-empty sequence of positive numbers."""
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        out = ()
    if not out or any(not v > 0 for v in out) or (integer and any(v % 1 for v in out)):
        kind = "positive whole numbers" if integer else "positive numbers"
        example = "(3, 5, 10)" if integer else "(0.5, 1, 2)"
        raise DataValidationError(
            f"{name} must be a non-empty sequence of {kind}, got {values!r}; "
            f"pass e.g. {name}={example}"
        )
    return out


def _preset_table(frame: pd.DataFrame, *, caption: str, **formats: Any) -> Any:
    """Style a scenario table like every report table, marked with :data:`PRESET_CLASS`."""
    return table(frame, caption=caption, max_rows=None, **formats).set_table_attributes(
        f'class="{PRESET_CLASS}"'
    )


def _formatter() -> Callable[[Any], tuple[dict[str, Any], dict[str, Any]]]:
    """IPython's display formatter: the running shell's (figures as PNG), else a plain one."""
    from IPython.core.formatters import DisplayFormatter
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():
        return InteractiveShell.instance().display_formatter.format
    return DisplayFormatter().format


def _on_grid(control: w.ValueWidget) -> None:
    """Shift a float slider's minimum so that its starting value is on its step grid.

    The browser snaps a slider to ``min + n * step`` and sends the snapped value back:
    a start off the grid (a margin of 0.4347 on a 0.01 grid) would change the result
    before anyone touched a control, and the scenario would differ from the baseline.
    """
    if not isinstance(control, w.FloatSlider) or not control.step:
        return
    offset = (control.value - control.min) % control.step
    if min(offset, control.step - offset) > 1e-9 * control.step:
        control.min += offset


def _readable(control: w.ValueWidget) -> None:
    """Show a control's whole label and leave a slider room for its track.

    ipywidgets cuts labels at about 80 pixels ("Discount r..."); shown whole, a long
    label squeezes the track of a 300-pixel slider to a dot.
    """
    if getattr(control, "description", "") and not control.style.description_width:
        control.style.description_width = "initial"
    if isinstance(control, w.IntSlider | w.FloatSlider) and not control.layout.width:
        control.layout.width = "460px"


def scenario_panel(
    render: Callable[..., Any],
    controls: Mapping[str, w.ValueWidget],
    *,
    title: str = "",
    columns: int = 2,
) -> w.VBox:
    """Lay out controls above an output that shows ``render(**values)`` on every change.

    Parameters
    ----------
    render : callable
        Pure function of the control values (keyword arguments named as in
        ``controls``) returning anything Jupyter displays: a frame, a Styler,
        Markdown, a matplotlib Figure or a tuple of these.
    controls : mapping
        Keyword name -> ipywidgets value widget.
    title : str
        Shown above the controls.
    columns : int
        Controls per row.

    Returns
    -------
    ipywidgets.VBox
        Attributes ``controls`` (the mapping) and ``output`` (the Output widget) let
        tests move a control and read what was drawn.

    Examples
    --------
    >>> import ipywidgets as w
    >>> panel = scenario_panel(lambda n: n * 2, {"n": w.IntSlider(value=2)})
    >>> panel.controls["n"].value = 5
    >>> panel.last_result, panel.output.outputs[0]["data"]["text/plain"]
    (10, '10')
    """
    output = w.Output()
    names = list(controls)
    for control in controls.values():
        _on_grid(control)
        _readable(control)
    rows = [
        w.HBox([controls[n] for n in names[i : i + columns]]) for i in range(0, len(names), columns)
    ]
    header = [w.HTML(f"<b>{title}</b>")] if title else []
    panel = w.VBox([*header, *rows, output])
    panel.controls = dict(controls)
    panel.output = output
    panel.last_result = None

    def refresh(_change: Any = None) -> None:
        result = render(**{n: controls[n].value for n in names})
        panel.last_result = result
        # Replace the output's content in one state update rather than capturing
        # display() calls: capturing sets the widget's msg_id, which notebook runners
        # (nbclient, under papermill) follow with output hooks that can leave a cell
        # waiting for ever. The shown result is the same.
        fmt = _formatter()
        items = result if isinstance(result, tuple) else (result,)
        shown = []
        for item in items:
            data, metadata = fmt(item)
            shown.append({"output_type": "display_data", "data": data, "metadata": metadata})
            if isinstance(item, plt.Figure):
                plt.close(item)
        output.outputs = tuple(shown)

    for n in names:
        controls[n].observe(refresh, names="value")
    refresh()
    return panel
