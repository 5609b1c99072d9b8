import matplotlib.pyplot as plt
import pandas as pd
import pytest

import retainkit as rk
from retainkit.engine import period_totals
from retainkit.plotting import money_formatter


def test_plot_activity_draws_on_given_axes_with_labels(tiny):
    totals = period_totals(tiny, period="month")
    _fig, ax = plt.subplots()
    out = rk.plot_activity(totals, currency="$", ax=ax)
    assert out is ax
    assert len(ax.patches) == 2
    assert "Net revenue per month" in ax.get_title()
    assert "01 Jan 2024 to 01 Feb 2024" in ax.get_title()
    assert ax.get_ylabel() == "Net revenue ($)"
    # February covers one day only: marked as a part period
    assert [t.get_text() for t in ax.texts] == ["part"]


def test_plot_activity_rejects_unknown_measure(tiny):
    with pytest.raises(ValueError, match="measure='profit'"):
        rk.plot_activity(period_totals(tiny), measure="profit")


def test_money_formatter():
    fmt = money_formatter("£")
    assert [fmt(v, 0) for v in (950, 12_000, 3_400_000, -500)] == ["£950", "£12k", "£3.4M", "-£500"]


def test_plot_uses_current_axes_when_none_given(tiny):
    ax = rk.plot_activity(period_totals(tiny), measure="orders")
    assert ax is plt.gca()
    assert isinstance(ax.get_title(), str) and "Orders per month" in ax.get_title()
    assert pd.api.types.is_number(ax.get_ylim()[1])
