import pandas as pd
import pytest

import retainkit as rk
from retainkit.subscriptions import subscriptions_to_transactions


def test_monthly_bills_by_hand_with_month_ends():
    subs = pd.DataFrame(
        {"id": ["a", "b", "c"], "months": [3, 2, 0], "fee": [10.0, 5.0, 7.0], "left": [0, 1, 0]}
    )
    got = subscriptions_to_transactions(
        subs,
        customer_col="id",
        tenure_months_col="months",
        monthly_charge_col="fee",
        churned_col="left",
        as_of="2024-03-31",
    )
    # a stayed: bills on 31 Jan, 29 Feb (clipped to the month's end) and 31 Mar;
    # b left during the last month: its last bill is a month before as_of; c has none
    assert got[["customer_id", "order_date"]].astype(str).values.tolist() == [
        ["a", "2024-01-31"],
        ["a", "2024-02-29"],
        ["a", "2024-03-31"],
        ["b", "2024-01-31"],
        ["b", "2024-02-29"],
    ]
    assert got["revenue"].sum() == 40.0


def test_unreadable_inputs_name_the_customers():
    subs = pd.DataFrame({"id": ["a"], "months": [1.5], "fee": [1.0], "left": ["No"]})
    with pytest.raises(rk.DataValidationError, match=r"whole months.*\['a'\]"):
        subscriptions_to_transactions(
            subs,
            customer_col="id",
            tenure_months_col="months",
            monthly_charge_col="fee",
            churned_col="left",
            as_of="2024-03-31",
        )
    subs = pd.DataFrame({"id": ["a"], "months": [1], "fee": [1.0], "left": ["maybe"]})
    with pytest.raises(rk.DataValidationError, match="churn flag 'left'"):
        subscriptions_to_transactions(
            subs,
            customer_col="id",
            tenure_months_col="months",
            monthly_charge_col="fee",
            churned_col="left",
            as_of="2024-03-31",
        )


def test_telco_preset_counts_every_churner_as_lost():
    ds = rk.load_dataset("telco")
    raw = pd.read_csv(ds.files[0])
    assert ds.transactions.quality.customers == int((raw["Tenure Months"] > 0).sum())
    assert ds.transactions.quality.revenue_kept == pytest.approx(
        (raw["Tenure Months"] * raw["Monthly Charges"]).sum()
    )
    window = rk.groundwork.churn_window(ds.transactions)
    status = rk.groundwork.customer_status(ds.transactions, window)
    lost = set(status.loc[status["status"] == "lost in window", "customer_id"])
    assert lost == set(raw.loc[raw["Churn Value"] == 1, "CustomerID"])
    # one stated reason per churner, as the raw file gives it: 1,869 of its 7,043 rows
    churned = raw[raw["Churn Value"] == 1]
    assert (len(raw), len(churned)) == (7043, 1869)
    assert ds.reasons["reason"].notna().all() and len(ds.reasons) == len(churned)
    assert ds.reasons.set_index("customer_id")["reason"].to_dict() == (
        churned.set_index("CustomerID")["Churn Reason"].to_dict()
    )
    assert ds.customers["satisfaction"].between(1, 5).all()
