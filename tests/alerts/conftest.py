"""Helpers of the early-warning tests: orders of one customer in a frame."""

import pandas as pd


def _orders(customer, dates, values, category=None):
    frame = pd.DataFrame(
        {"customer_id": customer, "order_date": pd.to_datetime(dates), "revenue": values}
    )
    if category is not None:
        frame["category"] = category
    return frame
