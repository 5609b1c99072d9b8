"""The constants the groundwork modules share: one day, and the columns of a status frame."""

from __future__ import annotations

import pandas as pd

from retainkit import schema as S

_DAY = pd.Timedelta(days=1)


_STATUS_COLUMNS = {
    S.CUSTOMER_ID,
    "first_purchase",
    "last_purchase",
    "orders",
    "days_since_last_purchase",
    "status",
    "lapse_date",
    "in_base",
    "new_in_window",
    "revenue",
    "profit",
    "annual_revenue",
    "annual_profit",
    "revenue_before_window",
}
