"""Frames shared by the section tests of the segmentation notebook."""

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

DOLLAR = "<span>&#36;</span>"  # "$" escaped, so that JupyterLab's MathJax leaves it alone


def values_frame():
    v = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "revenue": [50.0, 30.0, 10.0, 10.0, 0.0, -5.0],
            "days_since_last_purchase": [1.0, 5.0, 20.0, 40.0, 80.0, 200.0],
            "purchase_days": [9, 5, 2, 2, 1, 1],
        }
    )
    v.attrs = {"as_of": pd.Timestamp("2024-12-31")}
    return v


ATTRS = pd.DataFrame({"customer_id": list("abcdef"), "region": ["N", "N", "S", "S", "S", "S"]})


def not_in_pyplot(figures):
    # built without pyplot: a notebook shows each figure once, as a part
    assert all(isinstance(f, Figure) for f in figures)
    assert not plt.get_fignums()
