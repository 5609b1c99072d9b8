import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from retainkit.widgets import scenario_panel


def test_panel_reruns_the_render_function_on_every_change():
    calls = []

    def render(a, b):
        calls.append((a, b))
        return pd.DataFrame({"sum": [a + b]})

    panel = scenario_panel(
        render, {"a": w.IntSlider(value=1), "b": w.FloatText(value=0.5)}, title="Scenario"
    )
    assert calls == [(1, 0.5)]
    panel.controls["a"].value = 3
    panel.controls["b"].value = 2.0
    assert calls[-1] == (3, 2.0)
    assert panel.last_result["sum"].tolist() == [5.0]
    # the output shows the latest result only
    assert len(panel.output.outputs) == 1
    assert "5.0" in panel.output.outputs[0]["data"]["text/html"]
    assert isinstance(panel.children[0], w.HTML) and "Scenario" in panel.children[0].value


def test_figures_drawn_by_render_are_closed():
    def render(n):
        fig, ax = plt.subplots()
        ax.plot(range(n))
        return fig

    before = len(plt.get_fignums())
    panel = scenario_panel(render, {"n": w.IntSlider(value=3, min=1)})
    panel.controls["n"].value = 4
    assert len(plt.get_fignums()) == before


def test_panel_fills_the_output_state_without_capturing():
    # capturing with `with output:` makes nbclient send on the shell channel while it
    # waits there, which stalls report runs now and then (jupyter/nbclient#312)
    panel = scenario_panel(lambda n: (pd.DataFrame({"x": [n]}), n * 2), {"n": w.IntSlider(value=1)})
    panel.controls["n"].value = 2
    assert panel.output.msg_id == ""
    assert [o["output_type"] for o in panel.output.outputs] == ["display_data", "display_data"]
    assert panel.output.outputs[1]["data"]["text/plain"] == "4"


def test_a_starting_value_off_the_step_grid_moves_the_grid_not_the_value():
    # the browser snaps to min + n * step: a margin of 0.4347 on a 0.01 grid from 0.05
    # would come back as 0.43 and show a scenario that differs from the baseline
    margin = w.FloatSlider(value=0.4347, min=0.05, max=0.9, step=0.01)
    on_grid = w.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05)
    scenario_panel(lambda m, n: m + n, {"m": margin, "n": on_grid})
    assert margin.value == 0.4347
    steps = (margin.value - margin.min) / margin.step
    assert abs(steps - round(steps)) < 1e-9 and 0.05 <= margin.min < 0.06
    assert on_grid.min == 0.0
