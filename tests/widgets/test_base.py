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
