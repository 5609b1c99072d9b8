"""Write samples of real tools' exports, shaped column for column like the tool writes them.

Run: python tests/exports/make_tool_exports.py   (from the project root; the files are committed)

Each file is built from a list of records defined below. Every record carries, besides
the cells the tool writes, a note of what a correct loader must do with it (``fate``:
kept or the drop reason, ``rev``: the revenue the line contributes, ``cust``: the
customer id, ``day``: the local order date). ``check()`` recomputes the expected figures
from those notes and compares them with the hand-written ``tool_*.toml`` truth files, so
every truth number is derived twice: once by hand in the TOML, once from the records.
No parser is involved. TOOLS.md says where each shape comes from.

Importing this module writes nothing (pytest collects modules under tests/ for doctests).
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent

KEPT = "kept"


# ----------------------------------------------------------------------------- writing


def csv_text(rows, *, quoting=csv.QUOTE_MINIMAL, delimiter=",", lineterminator="\n"):
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=quoting, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerows(rows)
    return buf.getvalue()


def line_quote_empty(cells, delimiter=","):
    """Square's writer: empty text cells as "", others quoted only when needed."""
    out = []
    for c in cells:
        if c == "":
            out.append('""')
        elif any(ch in c for ch in (delimiter, '"', "\n", "\r")):
            out.append('"' + c.replace('"', '""') + '"')
        else:
            out.append(c)
    return delimiter.join(out)


def write(name: str, text: str, encoding: str = "utf-8", bom: bool = False) -> None:
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    (HERE / name).write_bytes(data)


def money(x: float, thousands: bool = True) -> str:
    return f"{x:,.2f}" if thousands else f"{x:.2f}"


# Every tool builds a list of records: (cells: dict or list, note: dict).
# note keys: fate ("kept" or a drop reason), rev (float, kept rows), cust, day ("YYYY-MM-DD"),
# order (order id, kept rows), cur (currency, for rows whose fate depends on it).


def note(fate, cust=None, day=None, rev=0.0, order=None, **kw):
    return {"fate": fate, "cust": cust, "day": day, "rev": rev, "order": order, **kw}


# ----------------------------------------------------------------------------- 1 Shopify

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")

# The columns Shopify repeats on the continuation lines of a multi-line order; every
# other column is blank there ("Many of the fields are left blank to indicate that
# multiple items were purchased on the same order").
SHOPIFY_LINE_COLUMNS = (
    "Name",
    "Email",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Vendor",
    "Lineitem discount",
)

PEOPLE = {
    "alice@example.com": (
        "Alice Moreau",
        "12 Beacon St",
        "Boston",
        "'02108",
        "MA",
        "Massachusetts",
    ),
    "bob@example.com": ("Bob Ngata", "4 Elm Ave", "Cambridge", "'02139", "MA", "Massachusetts"),
    "carol@example.com": ("Carol Smith", "88 Harbor Rd", "Salem", "'01970", "MA", "Massachusetts"),
    "dave@example.com": ("Dave O'Brien", "7 Pine Ln", "Portland", "'04101", "ME", "Maine"),
    "erin@example.com": ("Erin Walsh", "3 Oak Ct", "Providence", "'02903", "RI", "Rhode Island"),
    "frank@example.com": ("Frank Li", "19 Mill St", "Worcester", "'01608", "MA", "Massachusetts"),
    "grace@example.com": ("Grace Kim", "250 Main St", "Hartford", "'06103", "CT", "Connecticut"),
}


def shopify_order(
    name,
    email,
    created,
    status,
    lines,
    *,
    paid_at=None,
    fulfil="fulfilled",
    discount=0.0,
    code="",
    shipping=5.00,
    refunded=0.0,
    cancelled="",
    source="web",
    pay="Shopify Payments",
    oid="",
    ref="",
    fates=None,
    revenue=0.0,
):
    """lines: (qty, title, unit price, sku, line discount). Returns [(row dict, note)]."""
    subtotal = round(sum(q * p - d for q, _, p, _, d in lines), 2)
    taxes = round(subtotal * 0.0625, 2)
    total = round(subtotal + shipping + taxes, 2)
    person = PEOPLE.get(email, ("", "", "", "", "", ""))
    pname, street, city, zipc, prov, prov_name = person
    line_status = "fulfilled" if fulfil == "fulfilled" else "pending"
    out = []
    for i, (qty, title, price, sku, ldisc) in enumerate(lines):
        line = {
            "Name": name,
            "Email": email,
            "Created at": created,
            "Lineitem quantity": str(qty),
            "Lineitem name": title,
            "Lineitem price": money(price, False),
            "Lineitem compare at price": "",
            "Lineitem sku": sku,
            "Lineitem requires shipping": "true",
            "Lineitem taxable": "true",
            "Lineitem fulfillment status": line_status,
            "Vendor": "Harbor Clayworks",
            "Lineitem discount": money(ldisc, False),
        }
        if i == 0:
            outstanding = total if status in ("pending",) else 0.0
            line.update(
                {
                    "Financial Status": status,
                    "Paid at": paid_at or "",
                    "Fulfillment Status": fulfil,
                    "Fulfilled at": created if fulfil == "fulfilled" else "",
                    "Accepts Marketing": "yes"
                    if email in ("alice@example.com", "carol@example.com")
                    else "no",
                    "Currency": "USD",
                    "Subtotal": money(subtotal, False),
                    "Shipping": money(shipping, False),
                    "Taxes": money(taxes, False),
                    "Total": money(total, False),
                    "Discount Code": code,
                    "Discount Amount": money(discount, False),
                    "Shipping Method": "Standard" if shipping else "",
                    "Billing Name": pname,
                    "Billing Street": street,
                    "Billing Address1": street,
                    "Billing City": city,
                    "Billing Zip": zipc,
                    "Billing Province": prov,
                    "Billing Country": "US" if pname else "",
                    "Shipping Name": pname,
                    "Shipping Street": street,
                    "Shipping Address1": street,
                    "Shipping City": city,
                    "Shipping Zip": zipc,
                    "Shipping Province": prov,
                    "Shipping Country": "US" if pname else "",
                    "Note Attributes": '""',
                    "Cancelled at": cancelled,
                    "Payment Method": pay,
                    "Payment Reference": ref,
                    "Refunded Amount": money(refunded, False),
                    "Outstanding Balance": money(outstanding, False),
                    "Location": "Harbor Clayworks Studio" if source == "pos" else "",
                    "Employee": "Jo Park" if source == "pos" else "",
                    "Device ID": "412" if source == "pos" else "",
                    "Id": oid,
                    "Tags": '""',
                    "Risk Level": "Low",
                    "Source": source,
                    "Tax 1 Name": "MA State Tax 6.25%",
                    "Tax 1 Value": money(taxes, False),
                    "Billing Province Name": prov_name,
                    "Shipping Province Name": prov_name,
                    "Payment ID": ref,
                    "Payment References": ref,
                }
            )
        fate = fates[i] if fates else KEPT
        out.append(
            (
                line,
                note(
                    fate,
                    cust=email or None,
                    day=created[:10],
                    order=name,
                    rev=(revenue if i == 0 else 0.0) if fate == KEPT else 0.0,
                ),
            )
        )
    return out


def shopify_records():
    r = []
    r += shopify_order(
        "#1001",
        "alice@example.com",
        "2024-01-05 10:12:33 -0500",
        "paid",
        [
            (2, "Speckled Mug - Large", 18.00, "MUG-L", 0.0),
            (1, "Studio Tee - M", 24.00, "TEE-M", 0.0),
        ],
        paid_at="2024-01-05 10:12:35 -0500",
        oid="5634127890101",
        ref="rIw4QXqrJbXeyKv4gKSgs2b8A",
        revenue=60.00,
    )
    r += shopify_order(
        "#1002",
        "bob@example.com",
        "2024-01-18 16:40:02 -0500",
        "paid",
        [(1, "Coastline Poster", 30.00, "POS-CST", 3.00)],
        paid_at="2024-01-18 16:40:05 -0500",
        discount=3.00,
        code="WELCOME10",
        oid="5634127890102",
        ref="kP2mVw9QxLr8TzYb3NcHd7JfB",
        revenue=27.00,
    )
    r += shopify_order(
        "#1003",
        "carol@example.com",
        "2024-02-02 09:05:47 -0500",
        "partially_refunded",
        [
            (1, "Speckled Mug - Large", 18.00, "MUG-L", 0.0),
            (2, "Soy Candle - Fig", 12.00, "CND-FIG", 0.0),
            (1, "Studio Tee - M", 24.00, "TEE-M", 0.0),
        ],
        paid_at="2024-02-02 09:05:50 -0500",
        shipping=6.00,
        refunded=24.00,
        oid="5634127890103",
        ref="Zq8RtYv2WmXn5BcLp0KdGh3sC",
        revenue=42.00,
    )
    r += shopify_order(
        "#1004",
        "dave@example.com",
        "2024-02-06 13:22:10 -0500",
        "refunded",
        [(1, "Serving Bowl", 40.00, "BWL-SRV", 0.0)],
        paid_at="2024-02-06 13:22:12 -0500",
        refunded=45.00 + 2.50,
        fulfil="unfulfilled",
        oid="5634127890104",
        ref="Mn4TgHs7JkLp2QwEr9YuIo1aD",
        fates=["not a completed sale"],
    )
    r += shopify_order(
        "#1005",
        "alice@example.com",
        "2024-02-09 20:15:00 -0500",
        "pending",
        [
            (1, "Soy Candle - Fig", 12.00, "CND-FIG", 0.0),
            (1, "Studio Tee - M", 24.00, "TEE-M", 0.0),
        ],
        fulfil="unfulfilled",
        pay="Bank Deposit",
        oid="5634127890105",
        fates=["not a completed sale"] * 2,
    )
    r += shopify_order(
        "#1006",
        "erin@example.com",
        "2024-02-11 08:30:41 -0500",
        "voided",
        [(1, "Studio Tee - M", 24.00, "TEE-M", 0.0)],
        fulfil="unfulfilled",
        cancelled="2024-02-12 09:30:00 -0500",
        oid="5634127890106",
        ref="Hy6UjIk8OlPa3SdFg5HjKl7qE",
        fates=["not a completed sale"],
    )
    r += shopify_order(
        "#1007",
        "",
        "2024-02-17 11:02:19 -0500",
        "paid",
        [(1, "Walk-in Glaze Workshop", 15.00, "WKS-1", 0.0)],
        paid_at="2024-02-17 11:02:19 -0500",
        shipping=0.0,
        source="pos",
        pay="Cash",
        oid="5634127890107",
        fates=["missing customer id"],
    )
    r += shopify_order(
        "#1008",
        "bob@example.com",
        "2024-03-02 12:48:55 -0500",
        "paid",
        [
            (1, "Soy Candle - Fig", 12.00, "CND-FIG", 0.0),
            (1, "Coastline Poster", 30.00, "POS-CST", 0.0),
        ],
        paid_at="2024-03-02 12:48:58 -0500",
        oid="5634127890108",
        ref="Qw3ErTy6UiOp9AsDf2GhJk4lF",
        revenue=42.00,
    )
    r += shopify_order(
        "#1009",
        "carol@example.com",
        "2024-03-15 23:40:12 -0400",
        "paid",
        [(1, "Speckled Mug - Large", 18.00, "MUG-L", 0.0)],
        paid_at="2024-03-15 23:40:15 -0400",
        oid="5634127890109",
        ref="Lk8JhGf5DsA2PoIu7YtRe4WqG",
        revenue=18.00,
    )
    r += shopify_order(
        "#1010",
        "frank@example.com",
        "2024-03-18 15:10:00 -0400",
        "paid",
        [(1, "Sample Tile", 8.00, "TILE-S", 8.00)],
        paid_at="2024-03-18 15:10:02 -0400",
        discount=8.00,
        code="FREESAMPLE",
        oid="5634127890110",
        ref="Xc5VbNm8QwEr1TyUi4OpAs6dH",
        fates=["zero revenue"],
    )
    r += shopify_order(
        "#1011",
        "grace@example.com",
        "2024-03-20 10:00:07 -0400",
        "paid",
        [(1, "Studio Tee - M", 24.00, "TEE-M", 0.0)],
        paid_at="2024-03-20 10:00:09 -0400",
        oid="5634127890111",
        ref="Fg7HjKl0ZxCv3BnMq6WeRt9yJ",
        revenue=24.00,
    )
    return r


def make_shopify():
    recs = shopify_records()
    rows = [SHOPIFY_HEADER] + [[cells.get(c, "") for c in SHOPIFY_HEADER] for cells, _ in recs]
    # '""' marks a cell Shopify writes as an explicit empty quoted string.
    text = csv_text(rows).replace('""""""', '""')
    write("tool_shopify.csv", text)
    return {"tool_shopify.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 2 WooCommerce

WOO_HEADER = (
    "order_id,order_number,order_date,paid_date,status,shipping_total,shipping_tax_total,"
    "fee_total,fee_tax_total,tax_total,cart_discount,order_discount,discount_total,order_total,"
    "order_subtotal,order_key,order_currency,payment_method,payment_method_title,transaction_id,"
    "customer_ip_address,customer_user_agent,shipping_method,customer_id,customer_user,"
    "customer_email,billing_first_name,billing_last_name,billing_company,billing_email,"
    "billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,"
    "billing_state,billing_country,shipping_first_name,shipping_last_name,shipping_company,"
    "shipping_phone,shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,"
    "shipping_state,shipping_country,customer_note,wt_import_key,shipping_items,fee_items,"
    "tax_items,coupon_items,refund_items,order_notes,download_permissions,line_item_1,"
    "line_item_2,line_item_3"
).split(",")

WOO_CUSTOMERS = {
    12: ("Ann", "Keller", "ann.keller@example.net", "2 River Rd", "Austin", "TX", "78701"),
    7: ("Ben", "Osei", "ben.osei@example.net", "9 Hill St", "Denver", "CO", "80202"),
    31: ("Cleo", "Marsh", "cleo@example.org", "15 Bay Ave", "Tampa", "FL", "33602"),
    44: ("Dan", "Reyes", "dan.reyes@example.com", "40 Lake Dr", "Madison", "WI", "53703"),
    0: ("Pat", "Quinn", "pat.q@example.com", "8 Oak Pl", "Reno", "NV", "89501"),
}
WOO_GUESTS = {
    102: ("Pat", "Quinn", "pat.q@example.com", "8 Oak Pl", "Reno", "NV", "89501"),
    110: ("Sam", "Ivers", "sivers@example.org", "21 Cedar Way", "Boise", "ID", "83702"),
}
# PHP's serialize(array("total" => array())), as the exporter writes a shipping line's taxes
PHP_EMPTY_TAXES = 'a:1:{s:5:"total";a:0:{}}'
WOO_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0 Safari/537.36"
)


def woo_order(
    oid,
    date,
    status,
    cid,
    items,
    *,
    paid=None,
    currency="USD",
    shipping=5.00,
    coupon=None,
    refund=None,
    method=("stripe", "Credit Card (Stripe)"),
    fate=KEPT,
    revenue=0.0,
):
    """items: (name, product_id, sku, qty, price, refunded)."""
    subtotal = round(sum(q * p for _, _, _, q, p, _ in items), 2)
    discount = coupon[1] if coupon else 0.0
    total = round(subtotal - discount + shipping, 2)
    first, last, email, street, city, state, zipc = (
        WOO_GUESTS[oid] if cid == 0 else WOO_CUSTOMERS[cid]
    )
    line_items = []
    for name, pid, sku, qty, price, refunded in items:
        line_total = qty * price
        if coupon:  # the coupon spreads over the lines in proportion to their value
            line_total -= round(discount * qty * price / subtotal, 2)
        part = [
            f"name:{name}",
            f"product_id:{pid}",
            f"sku:{sku}",
            f"quantity:{qty}",
            f"total:{line_total:.2f}",
            f"sub_total:{qty * price:.2f}",
        ]
        if refunded:
            part.append(f"refunded:{refunded:.2f}")
        line_items.append("|".join(part))
    line_items += [""] * (3 - len(line_items))
    ship_names = ", ".join(f"{n} &times; {q}" for n, _, _, q, _, _ in items)
    method_id = "flat_rate" if shipping else "free_shipping"
    notes = [
        f"content:Order status changed from Pending payment to {status.title()}."
        f"|date:{date}|customer:0|added_by:system"
    ]
    cells = {
        "order_id": str(oid),
        "order_number": str(oid),
        "order_date": date,
        "paid_date": paid or "",
        "status": status,
        "shipping_total": f"{shipping:.2f}",
        "shipping_tax_total": "0.00",
        "fee_total": "0.00",
        "fee_tax_total": "0.00",
        "tax_total": "0.00",
        "cart_discount": f"{discount:.2f}",
        "order_discount": f"{discount:.2f}",
        "discount_total": f"{discount:.2f}",
        "order_total": f"{total:.2f}",
        "order_subtotal": f"{subtotal:.2f}",
        "order_key": f"wc_order_{oid}Xk2pQ9sLm",
        "order_currency": currency,
        "payment_method": method[0],
        "payment_method_title": method[1],
        "transaction_id": f"ch_3Ob{oid}Lk2eZvKYlo2C1x" if paid and method[0] == "stripe" else "",
        "customer_ip_address": f"203.0.113.{oid % 200}",
        "customer_user_agent": WOO_AGENT,
        "shipping_method": "Flat rate" if shipping else "Free shipping",
        "customer_id": str(cid),
        "customer_user": str(cid),
        "customer_email": "" if cid == 0 else email,
        "billing_first_name": first,
        "billing_last_name": last,
        "billing_company": "",
        "billing_email": email,
        "billing_phone": "555-0100",
        "billing_address_1": street,
        "billing_address_2": "",
        "billing_postcode": zipc,
        "billing_city": city,
        "billing_state": state,
        "billing_country": "US",
        "shipping_first_name": first,
        "shipping_last_name": last,
        "shipping_company": "",
        "shipping_phone": "",
        "shipping_address_1": street,
        "shipping_address_2": "",
        "shipping_postcode": zipc,
        "shipping_city": city,
        "shipping_state": state,
        "shipping_country": "US",
        "customer_note": "",
        "wt_import_key": str(oid),
        "shipping_items": f"items:{ship_names}|method_id:{method_id}|taxes:{PHP_EMPTY_TAXES}",
        "fee_items": "",
        "tax_items": "",
        "coupon_items": f"code:{coupon[0]}|amount:{discount:.2f}" if coupon else "",
        "refund_items": f"amount:{refund[0]:.2f}|reason:{refund[1]}|date:{refund[2]}"
        if refund
        else "",
        "order_notes": "||".join(notes),
        "download_permissions": "1" if paid else "0",
        "line_item_1": line_items[0],
        "line_item_2": line_items[1],
        "line_item_3": line_items[2],
    }
    return cells, note(
        fate,
        cust=str(cid),
        day=date[:10],
        order=str(oid),
        rev=revenue if fate == KEPT else 0.0,
        cur=currency,
    )


def woo_records():
    hoodie = ("Harbor Hoodie", 31, "HD-NVY", 2, 25.00, 0)
    cap = ("Canvas Cap", 35, "CAP-OLV", 1, 15.00, 0)
    return [
        woo_order(
            101,
            "2024-02-03 14:05:00",
            "completed",
            12,
            [hoodie, cap],
            paid="2024-02-03T14:06:10+00:00",
            revenue=65.00,
        ),
        woo_order(
            102,
            "2024-02-05 09:41:27",
            "completed",
            0,
            [("Enamel Mug", 40, "MUG-ENM", 2, 15.00, 0)],
            paid="2024-02-05T09:42:03+00:00",
            fate="guest placeholder id",
        ),
        woo_order(
            103,
            "2024-02-10 18:22:51",
            "processing",
            7,
            [("Enamel Mug", 40, "MUG-ENM", 1, 20.00, 0)],
            shipping=4.50,
            coupon=("welcome10", 2.00),
            paid="2024-02-10T18:23:30+00:00",
            revenue=18.00,
        ),
        woo_order(
            104,
            "2024-02-14 11:00:09",
            "refunded",
            12,
            [cap],
            paid="2024-02-14T11:00:40+00:00",
            refund=(20.00, "Order cancelled", "2024-02-15 08:12:00"),
            fate="not a completed sale",
        ),
        woo_order(105, "2024-02-19 22:13:44", "failed", 7, [hoodie], fate="not a completed sale"),
        woo_order(
            106,
            "2024-02-27 07:55:02",
            "pending",
            31,
            [cap],
            method=("bacs", "Direct bank transfer"),
            fate="not a completed sale",
        ),
        woo_order(
            107,
            "2024-03-05 13:30:18",
            "completed",
            31,
            [
                ("Linen Tee", 52, "TEE-LIN", 2, 12.00, 0),
                ("Enamel Mug", 40, "MUG-ENM", 1, 20.00, 0),
                ("Canvas Cap", 35, "CAP-OLV", 1, 15.00, 15.00),
            ],
            paid="2024-03-05T13:31:02+00:00",
            refund=(15.00, "Damaged in transit", "2024-03-12 10:20:00"),
            revenue=44.00,
        ),
        woo_order(
            108,
            "2024-03-08 16:47:36",
            "cancelled",
            44,
            [cap],
            method=("bacs", "Direct bank transfer"),
            fate="not a completed sale",
        ),
        woo_order(
            109,
            "2024-03-14 10:05:12",
            "on-hold",
            44,
            [hoodie],
            method=("bacs", "Direct bank transfer"),
            fate="not a completed sale",
        ),
        woo_order(
            110,
            "2024-03-19 19:19:19",
            "completed",
            0,
            [("Linen Tee", 52, "TEE-LIN", 1, 12.00, 0)],
            paid="2024-03-19T19:20:00+00:00",
            fate="guest placeholder id",
        ),
        woo_order(
            111,
            "2024-03-22 08:30:00",
            "completed",
            7,
            [("Harbor Hoodie", 31, "HD-NVY", 1, 40.00, 0)],
            currency="EUR",
            shipping=0.0,
            paid="2024-03-22T08:31:15+00:00",
            fate="other currency",
        ),
        woo_order(
            112,
            "2024-03-28 12:12:12",
            "completed",
            44,
            [("Stoneware Bowl", 61, "BWL-STN", 1, 35.00, 0)],
            paid="2024-03-28T12:13:01+00:00",
            revenue=35.00,
        ),
    ]


def make_woocommerce():
    recs = woo_records()
    rows = [WOO_HEADER] + [[cells[c] for c in WOO_HEADER] for cells, _ in recs]
    # The exporter wraps every cell in double quotes and ends lines with "\n".
    write("tool_woocommerce.csv", csv_text(rows, quoting=csv.QUOTE_ALL))
    return {"tool_woocommerce.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 3 Stripe

STRIPE_HEADER = (
    "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,"
    "Converted Amount,Converted Amount Refunded,Fee,Tax,Converted Currency,Mode,Status,"
    "Statement Descriptor,Customer ID,Customer Description,Customer Email,Captured,Card ID,"
    "Card Last4,Card Brand,Card Funding,Card Exp Month,Card Exp Year,Card Name,"
    "Card Address Line1,Card Address Line2,Card Address City,Card Address State,"
    "Card Address Country,Card Address Zip,Card Issue Country,Card Fingerprint,Card CVC Status,"
    "Card AVS Zip Status,Card AVS Line1 Status,Card Tokenization Method,Disputed Amount,"
    "Dispute Status,Dispute Reason,Dispute Date (UTC),Dispute Evidence Due (UTC),Invoice ID,"
    "Payment Source Type,Destination,Transfer,Interchange Costs,Merchant Service Charge,"
    "Transfer Group,PaymentIntent ID"
).split(",")

STRIPE_CUSTOMERS = {
    "cus_PQx1a2B3c4D5e6": ("hana@example.com", "Hana Sato", "4242", "Visa"),
    "cus_PQx7f8G9h0I1j2": ("ivan@example.com", "Ivan Petrov", "4444", "MasterCard"),
    "cus_PRa3k4L5m6N7o8": ("jo@example.com", "Jo Adeyemi", "0005", "American Express"),
    "cus_PRb9p0Q1r2S3t4": ("kai@example.de", "Kai Becker", "3220", "Visa"),
    "cus_PRc5u6V7w8X9y0": ("lena@example.fr", "Lena Martin", "1881", "Visa"),
}


def stripe_charge(
    cid,
    created,
    amount,
    refunded,
    currency,
    status,
    customer,
    *,
    captured=True,
    message="Payment complete.",
    desc="",
    invoice="",
    fate=KEPT,
    rev=0.0,
):
    email, cname, last4, brand = STRIPE_CUSTOMERS.get(customer, ("", "", "4000", "Visa"))
    usd = {"usd": 1.0, "eur": 1.0854}[currency]
    paid = status in ("Paid", "Refunded")
    fee = round(amount * usd * 0.029 + 0.30, 2) if paid else 0.0
    cells = {
        "id": cid,
        "Description": desc,
        "Seller Message": message,
        "Created (UTC)": created,
        "Amount": money(amount),
        "Amount Refunded": money(refunded),
        "Currency": currency,
        "Converted Amount": money(round(amount * usd, 2)) if paid else "0.00",
        "Converted Amount Refunded": money(round(refunded * usd, 2)),
        "Fee": money(fee),
        "Tax": "0.00",
        "Converted Currency": "usd",
        "Mode": "Live",
        "Status": status,
        "Statement Descriptor": "",
        "Customer ID": customer,
        "Customer Description": cname,
        "Customer Email": email,
        "Captured": "true" if captured else "false",
        "Card ID": f"card_1Ob{cid[-6:]}Xy",
        "Card Last4": last4,
        "Card Brand": brand,
        "Card Funding": "credit",
        "Card Exp Month": "8",
        "Card Exp Year": "2027",
        "Card Name": cname,
        "Card Address Country": "US" if currency == "usd" else "DE",
        "Card Address Zip": "02108" if currency == "usd" else "",
        "Card Issue Country": "US" if currency == "usd" else "DE",
        "Card Fingerprint": f"Xy{cid[-8:]}Fp",
        "Card CVC Status": "pass",
        "Card AVS Zip Status": "pass" if currency == "usd" else "unavailable",
        "Card AVS Line1 Status": "",
        "Invoice ID": invoice,
        "Payment Source Type": "card",
        "Interchange Costs": "0.00",
        "Merchant Service Charge": "0.00",
        "PaymentIntent ID": "pi_" + cid[3:],
    }
    return cells, note(
        fate,
        cust=customer or None,
        day=created[:10],
        order=cid,
        rev=rev if fate == KEPT else 0.0,
        cur=currency.upper(),
    )


def stripe_records():
    A, B, C, D, E = STRIPE_CUSTOMERS
    return [
        stripe_charge(
            "ch_3OaBc1LkdIwHu7ix0a1b2c3d",
            "2024-01-08 15:22",
            45.00,
            0,
            "usd",
            "Paid",
            A,
            desc="Subscription creation",
            invoice="in_1OaBc0LkdIwHu7ixQ1w2E3r4",
            rev=45.00,
        ),
        stripe_charge(
            "ch_3ObDe2LkdIwHu7ix1b2c3d4e",
            "2024-01-09 09:01",
            45.00,
            0,
            "usd",
            "Failed",
            A,
            message="The bank did not return any further details with this decline.",
            captured=False,
            desc="Subscription update",
            fate="not a completed sale",
        ),
        stripe_charge(
            "ch_3OcFg3LkdIwHu7ix2c3d4e5f",
            "2024-01-16 18:45",
            120.00,
            20.00,
            "usd",
            "Paid",
            B,
            desc="Order 2041",
            rev=100.00,
        ),
        stripe_charge(
            "ch_3OdHi4LkdIwHu7ix3d4e5f6g",
            "2024-01-23 11:30",
            60.00,
            60.00,
            "usd",
            "Refunded",
            B,
            desc="Order 2055",
            fate="not a completed sale",
        ),
        stripe_charge(
            "ch_3OeJk5LkdIwHu7ix4e5f6g7h",
            "2024-02-01 20:12",
            30.00,
            0,
            "usd",
            "Paid",
            "",
            desc="Gift card",
            fate="missing customer id",
        ),
        stripe_charge(
            "ch_3OfLm6LkdIwHu7ix5f6g7h8i",
            "2024-02-07 14:05",
            1250.00,
            0,
            "usd",
            "Paid",
            C,
            desc="Workshop deposit",
            rev=1250.00,
        ),
        stripe_charge(
            "ch_3OgNo7LkdIwHu7ix6g7h8i9j",
            "2024-02-14 10:10",
            80.00,
            0,
            "usd",
            "Uncaptured",
            C,
            captured=False,
            message="Payment authorized.",
            desc="Order 2090",
            fate="not a completed sale",
        ),
        stripe_charge(
            "ch_3OhPq8LkdIwHu7ix7h8i9j0k",
            "2024-02-20 08:33",
            75.00,
            0,
            "eur",
            "Paid",
            D,
            desc="Order 2102",
            fate="other currency",
        ),
        stripe_charge(
            "ch_3OiRs9LkdIwHu7ix8i9j0k1l",
            "2024-02-29 23:58",
            50.00,
            0,
            "usd",
            "Paid",
            D,
            desc="Order 2117",
            rev=50.00,
        ),
        stripe_charge(
            "ch_3OjTu0LkdIwHu7ix9j0k1l2m",
            "2024-03-08 15:22",
            45.00,
            0,
            "usd",
            "Paid",
            A,
            desc="Subscription update",
            invoice="in_1OjTt9LkdIwHu7ixA5s6D7f8",
            rev=45.00,
        ),
        stripe_charge(
            "ch_3OkVw1LkdIwHu7ix0k1l2m3n",
            "2024-03-12 12:00",
            60.00,
            0,
            "eur",
            "Paid",
            E,
            desc="Order 2140",
            fate="other currency",
        ),
    ]


def make_stripe():
    recs = stripe_records()
    rows = [STRIPE_HEADER] + [[cells.get(c, "") for c in STRIPE_HEADER] for cells, _ in recs]
    write("tool_stripe.csv", csv_text(rows, lineterminator="\r\n"))
    return {"tool_stripe.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 4 PayPal

PAYPAL_HEADER = (
    "Date|Time|TimeZone|Name|Type|Status|Currency|Gross|Fee|Net|From Email Address|"
    "To Email Address|Transaction ID|Shipping Address|Address Status|Item Title|Item ID|"
    "Shipping and Handling Amount|Insurance Amount|Sales Tax|Option 1 Name|Option 1 Value|"
    "Option 2 Name|Option 2 Value|Reference Txn ID|Invoice Number|Custom Number|Quantity|"
    "Receipt ID|Balance|Address Line 1|Address Line 2/District/Neighborhood|Town/City|"
    "State/Province/Region/County/Territory/Prefecture/Republic|Zip/Postal Code|Country|"
    "Contact Phone Number|Subject|Note|Country Code|Balance Impact"
).split("|")

SHOP = "orders@tidewaterprints.com"


def paypal_row(
    date,
    time,
    name,
    typ,
    status,
    cur,
    gross,
    fee,
    frm,
    to,
    txn,
    *,
    balance="",
    impact="Credit",
    ref="",
    item="",
    invoice="",
    fate=KEPT,
    cust=None,
    rev=0.0,
):
    mm, dd, _ = (int(x) for x in date.split("/"))
    tz = "PDT" if (mm, dd) >= (3, 10) else "PST"  # US daylight saving time began 10 March 2024
    net = round(gross + fee, 2)
    cells = {
        "Date": date,
        "Time": time,
        "TimeZone": tz,
        "Name": name,
        "Type": typ,
        "Status": status,
        "Currency": cur,
        "Gross": money(gross),
        "Fee": money(fee),
        "Net": money(net),
        "From Email Address": frm,
        "To Email Address": to,
        "Transaction ID": txn,
        "Address Status": "Confirmed" if item else "",
        "Item Title": item,
        "Shipping and Handling Amount": "0.00",
        "Insurance Amount": "",
        "Sales Tax": "0.00",
        "Reference Txn ID": ref,
        "Invoice Number": invoice,
        "Quantity": "1" if item else "",
        "Balance": balance,
        "Country Code": "US" if item and cur == "USD" else ("DE" if item else ""),
        "Balance Impact": impact,
    }
    mm, dd, yyyy = date.split("/")
    return cells, note(
        fate,
        cust=cust,
        day=f"{yyyy}-{mm}-{dd}",
        order=ref or txn,
        rev=rev if fate == KEPT else 0.0,
        cur=cur,
    )


def paypal_records():
    b1, b2, b3, b4 = (
        "maria.g@example.com",
        "tom.h@example.net",
        "yuki@example.org",
        "jonas.k@example.de",
    )
    nc = "not a completed sale"
    return [
        paypal_row(
            "01/04/2024",
            "10:15:42",
            "Maria Gomez",
            "Express Checkout Payment",
            "Completed",
            "USD",
            59.00,
            -2.55,
            b1,
            SHOP,
            "5TY01234AB567890C",
            balance="56.45",
            item="Tide Chart Print 12x16",
            invoice="TP-1001",
            cust=b1,
            rev=59.00,
        ),
        paypal_row(
            "01/09/2024",
            "16:02:11",
            "Tom Hale",
            "Website Payment",
            "Completed",
            "USD",
            1200.00,
            -42.37,
            b2,
            SHOP,
            "8KL23456CD789012E",
            balance="1,214.08",
            item="Framed Harbor Triptych",
            invoice="TP-1002",
            cust=b2,
            rev=1200.00,
        ),
        paypal_row(
            "01/15/2024",
            "08:47:30",
            "Yuki Tanaka",
            "Express Checkout Payment",
            "Pending",
            "USD",
            35.00,
            -1.71,
            b3,
            SHOP,
            "3MN34567EF890123G",
            impact="Memo",
            item="Lighthouse Postcard Set",
            invoice="TP-1003",
            fate=nc,
            cust=b3,
        ),
        paypal_row(
            "01/16/2024",
            "12:00:00",
            "",
            "General Withdrawal",
            "Completed",
            "USD",
            -1000.00,
            0.00,
            SHOP,
            "",
            "9PQ45678GH901234J",
            balance="214.08",
            impact="Debit",
            fate=nc,
            cust=None,
        ),
        paypal_row(
            "01/20/2024",
            "14:30:05",
            "Tom Hale",
            "Payment Refund",
            "Completed",
            "USD",
            -20.00,
            0.00,
            SHOP,
            b2,
            "1RS56789JK012345L",
            balance="194.08",
            impact="Debit",
            ref="8KL23456CD789012E",
            item="Framed Harbor Triptych",
            invoice="TP-1002",
            cust=b2,
            rev=-20.00,
        ),
        paypal_row(
            "02/02/2024",
            "03:12:44",
            "Jonas Keller",
            "Express Checkout Payment",
            "Completed",
            "EUR",
            45.00,
            -1.96,
            b4,
            SHOP,
            "6TU67890LM123456N",
            balance="43.04",
            item="Tide Chart Print 12x16",
            invoice="TP-1004",
            fate="other currency",
            cust=b4,
        ),
        paypal_row(
            "02/02/2024",
            "03:12:44",
            "",
            "General Currency Conversion",
            "Completed",
            "EUR",
            -43.04,
            0.00,
            SHOP,
            "",
            "2VW78901NP234567Q",
            balance="0.00",
            impact="Debit",
            ref="6TU67890LM123456N",
            fate="other currency",
            cust=None,
        ),
        paypal_row(
            "02/02/2024",
            "03:12:44",
            "",
            "General Currency Conversion",
            "Completed",
            "USD",
            46.18,
            0.00,
            SHOP,
            "",
            "7XY89012QR345678S",
            balance="240.26",
            ref="6TU67890LM123456N",
            fate=nc,
            cust=None,
        ),
        paypal_row(
            "02/14/2024",
            "19:25:09",
            "Yuki Tanaka",
            "Express Checkout Payment",
            "Denied",
            "USD",
            80.00,
            0.00,
            b3,
            SHOP,
            "4ZA90123ST456789U",
            impact="Memo",
            item="Harbor at Dusk Print",
            invoice="TP-1005",
            fate=nc,
            cust=b3,
        ),
        paypal_row(
            "02/20/2024",
            "11:11:11",
            "Maria Gomez",
            "Express Checkout Payment",
            "Completed",
            "USD",
            59.00,
            -2.55,
            b1,
            SHOP,
            "5BC01234UV567890W",
            balance="296.71",
            item="Tide Chart Print 12x16",
            invoice="TP-1006",
            cust=b1,
            rev=59.00,
        ),
        paypal_row(
            "03/03/2024",
            "09:40:27",
            "Yuki Tanaka",
            "Express Checkout Payment",
            "Completed",
            "USD",
            25.00,
            -1.36,
            b3,
            SHOP,
            "0DE12345WX678901Y",
            balance="320.35",
            item="Lighthouse Postcard Set",
            invoice="TP-1007",
            cust=b3,
            rev=25.00,
        ),
        paypal_row(
            "03/25/2024",
            "23:50:02",
            "Maria Gomez",
            "Express Checkout Payment",
            "Completed",
            "USD",
            40.00,
            -1.89,
            b1,
            SHOP,
            "2FG23456YZ789012A",
            balance="358.46",
            item="Sea Glass Print 8x10",
            invoice="TP-1008",
            cust=b1,
            rev=40.00,
        ),
    ]


def make_paypal():
    recs = paypal_records()
    rows = [PAYPAL_HEADER] + [[cells.get(c, "") for c in PAYPAL_HEADER] for cells, _ in recs]
    write("tool_paypal.csv", csv_text(rows, quoting=csv.QUOTE_ALL, lineterminator="\r\n"), bom=True)
    return {"tool_paypal.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 5 Square

SQUARE_HEADER = (
    "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,"
    "Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,"
    "Location,Dining Option,Customer ID,Customer Name,Customer Reference ID,Unit,Count,GTIN,"
    "Itemization Type,Commission,Employee,Fulfillment Note,Channel,Token,Card Brand,PAN Suffix"
).split(",")

SQ_CUSTOMERS = {
    "M0A8QK2Z7V4X6B1N3C5D7F9G1H": "Maya Lopez",
    "R2T4Y6U8I0O2P4A6S8D0F2G4H6": "Omar Haddad",
    "J1K3L5Z7X9C1V3B5N7M9Q1W3E5": "Jun Park",
    "P9O8I7U6Y5T4R3E2W1Q0A9S8D7": "Priya Nair",
}


def sq_money(x):
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def square_line(
    date,
    time,
    txn,
    pay,
    cust,
    category,
    item,
    qty,
    gross,
    *,
    discount=0.0,
    event="Payment",
    modifiers="",
    fate=KEPT,
):
    net = round(gross + discount, 2)
    tax = round(net * 0.06625, 2)
    cells = {
        "Date": date,
        "Time": time,
        "Time Zone": "Eastern Time (US & Canada)",
        "Category": category,
        "Item": item,
        "Qty": f"{qty:.1f}",
        "Price Point Name": "Regular",
        "SKU": "",
        "Modifiers Applied": modifiers,
        "Gross Sales": sq_money(gross),
        "Discounts": sq_money(discount),
        "Net Sales": sq_money(net),
        "Tax": sq_money(tax),
        "Transaction ID": txn,
        "Payment ID": pay,
        "Device Name": "Square Register 0412",
        "Notes": "",
        "Details": f"https://app.squareup.com/dashboard/sales/transactions/{txn}/by-unit/LK7M2P9Q4R8S1",
        "Event Type": event,
        "Location": "Riverside Coffee",
        "Dining Option": "",
        "Customer ID": cust,
        "Customer Name": SQ_CUSTOMERS.get(cust, ""),
        "Customer Reference ID": "",
        "Unit": "ea",
        "Count": str(int(qty)),
        "GTIN": "",
        "Itemization Type": "Physical Good",
        "Commission": "$0.00",
        "Employee": "",
        "Fulfillment Note": "",
        "Channel": "Riverside Coffee",
        "Token": "ITM" + item.upper().replace(" ", "")[:10].ljust(10, "X") + "Q2W3E4R5T6",
        "Card Brand": "Visa",
        "PAN Suffix": "4417",
    }
    return cells, note(
        fate, cust=cust or None, day=date, order=txn, rev=net if fate == KEPT else 0.0
    )


def square_records():
    M, OM, J, P = SQ_CUSTOMERS  # Maya, Omar, Jun, Priya
    miss = "missing customer id"
    return [
        square_line(
            "2024-04-06",
            "09:14:05",
            "tA1xK9mP3qR7sT2uV5wY8zB4cD6eZY",
            "pA1xK9mP3qR7sT2uV5wYZY",
            M,
            "Coffee",
            "Latte",
            1,
            5.50,
            modifiers="Oat Milk, 12oz",
        ),
        square_line(
            "2024-04-06",
            "09:14:05",
            "tA1xK9mP3qR7sT2uV5wY8zB4cD6eZY",
            "pA1xK9mP3qR7sT2uV5wYZY",
            M,
            "Bakery",
            "Croissant",
            1,
            4.00,
        ),
        square_line(
            "2024-04-06",
            "09:20:11",
            "tB2yL0nQ4rS8tU3vW6xZ9aC5dE7fZY",
            "pB2yL0nQ4rS8tU3vW6xZZY",
            "",
            "Coffee",
            "Drip Coffee",
            1,
            3.00,
            fate=miss,
        ),
        square_line(
            "2024-04-07",
            "10:02:40",
            "tC3zM1oR5sT9uV4wX7yA0bD6eF8gZY",
            "pC3zM1oR5sT9uV4wX7yAZY",
            OM,
            "Retail Beans",
            "House Blend 12oz",
            1,
            18.00,
            discount=-1.80,
        ),
        square_line(
            "2024-04-07",
            "10:15:00",
            "tD4aN2pS6tU0vW5xY8zB1cE7fG9hZY",
            "pD4aN2pS6tU0vW5xY8zBZY",
            "",
            "Coffee",
            "Latte",
            1,
            5.50,
            modifiers="Whole Milk, 12oz",
            fate=miss,
        ),
        square_line(
            "2024-04-07",
            "10:15:00",
            "tD4aN2pS6tU0vW5xY8zB1cE7fG9hZY",
            "pD4aN2pS6tU0vW5xY8zBZY",
            "",
            "Bakery",
            "Blueberry Muffin",
            1,
            3.75,
            fate=miss,
        ),
        square_line(
            "2024-04-13",
            "08:45:12",
            "tE5bO3qT7uV1wX6yZ9aC2dF8gH0iZY",
            "pE5bO3qT7uV1wX6yZ9aCZY",
            M,
            "Coffee",
            "Latte",
            2,
            11.00,
            modifiers="Oat Milk, 12oz",
        ),
        square_line(
            "2024-04-13",
            "08:50:00",
            "tF6cP4rU8vW2xY7zA0bD3eG9hI1jZY",
            "pF6cP4rU8vW2xY7zA0bDZY",
            J,
            "Coffee",
            "Cold Brew",
            1,
            5.00,
            discount=-5.00,
            fate="zero revenue",
        ),
        square_line(
            "2024-04-13",
            "08:50:00",
            "tF6cP4rU8vW2xY7zA0bD3eG9hI1jZY",
            "pF6cP4rU8vW2xY7zA0bDZY",
            J,
            "Bakery",
            "Cranberry Scone",
            1,
            3.50,
        ),
        square_line(
            "2024-04-14",
            "12:30:00",
            "tG7dQ5sV9wX3yZ8aB1cE4fH0iJ2kZY",
            "pG7dQ5sV9wX3yZ8aB1cEZY",
            OM,
            "Retail Beans",
            "House Blend 12oz",
            1,
            18.00,
        ),
        square_line(
            "2024-04-20",
            "11:00:00",
            "tG7dQ5sV9wX3yZ8aB1cE4fH0iJ2kZY",
            "rG7dQ5sV9wX3yZ8aB1cEZY",
            OM,
            "Retail Beans",
            "House Blend 12oz",
            1,
            -18.00,
            event="Refund",
        ),
        square_line(
            "2024-04-20",
            "14:22:09",
            "tH8eR6tW0xY4zA9bC2dF5gI1jK3lZY",
            "pH8eR6tW0xY4zA9bC2dFZY",
            "",
            "Tea",
            "Earl Grey",
            1,
            3.25,
            fate=miss,
        ),
        square_line(
            "2024-04-21",
            "09:05:33",
            "tI9fS7uX1yZ5aB0cD3eG6hJ2kL4mZY",
            "pI9fS7uX1yZ5aB0cD3eGZY",
            P,
            "Coffee",
            "Latte",
            1,
            5.50,
            modifiers="Whole Milk, 16oz",
        ),
        square_line(
            "2024-04-21",
            "09:05:33",
            "tI9fS7uX1yZ5aB0cD3eG6hJ2kL4mZY",
            "pI9fS7uX1yZ5aB0cD3eGZY",
            P,
            "Bakery",
            "Banana Bread",
            1,
            4.25,
        ),
        square_line(
            "2024-04-27",
            "16:40:00",
            "tJ0gT8vY2zA6bC1dE4fH7iK3lM5nZY",
            "pJ0gT8vY2zA6bC1dE4fHZY",
            P,
            "Retail Beans",
            "House Blend 12oz",
            1,
            18.00,
        ),
        square_line(
            "2024-04-28",
            "07:58:00",
            "tK1hU9wZ3aB7cD2eF5gI8jL4mN6oZY",
            "pK1hU9wZ3aB7cD2eF5gIZY",
            "",
            "Coffee",
            "Latte",
            1,
            5.50,
            modifiers="Oat Milk, 16oz",
            fate=miss,
        ),
    ]


def make_square():
    recs = square_records()
    lines = [",".join(SQUARE_HEADER)] + [
        line_quote_empty([cells[c] for c in SQUARE_HEADER]) for cells, _ in recs
    ]
    write("tool_square.csv", "\n".join(lines) + "\n")
    return {"tool_square.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 6 Etsy

ETSY_HEADER = (
    "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,"
    "Payment Method,Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,"
    "Ship Country,Currency,Order Value,Coupon Code,Coupon Details,Discount Amount,"
    "Shipping Discount,Shipping,Sales Tax,Order Total,Status,Card Processing Fees,Order Net,"
    "Adjusted Order Total,Adjusted Card Processing Fees,Adjusted Net Order Amount,Buyer,"
    "Order Type,Payment Type,InPerson Discount,InPerson Location,SKU"
).split(",")

ETSY_BUYERS = {
    "lunaknits": ("Luna Park", "31 Garden St", "Cambridge", "MA", "02138"),
    "oakandpine": ("Sam Reed", "77 Ridge Rd", "Asheville", "NC", "28801"),
    "mossy_meadow": ("Ria Chen", "5 Willow Way", "Eugene", "OR", "97401"),
    "": ("Chris Moreno", "910 Palm Ave", "Tucson", "AZ", "85701"),
}


def etsy_order(
    day,
    oid,
    buyer,
    items,
    value,
    shipped,
    *,
    discount=0.0,
    coupon=("", ""),
    shipping=4.50,
    refund=0.0,
    pay="Credit Card",
    fate=KEPT,
    rev=0.0,
    sku="",
):
    name, street, city, state, zipc = ETSY_BUYERS[buyer]
    tax = round((value - discount) * 0.08, 2)
    total = round(value - discount + shipping + tax, 2)
    fee = round(total * 0.03 + 0.25, 2)
    adj_total = round(total - refund, 2) if refund else 0.0
    adj_fee = round(adj_total * 0.03 + 0.25, 2) if refund else 0.0
    mm, dd, yy = day.split("/")
    cells = {
        "Sale Date": day,
        "Order ID": oid,
        "Buyer User ID": buyer,
        "Full Name": name,
        "First Name": name.split()[0],
        "Last Name": name.split()[1],
        "Number of Items": str(items),
        "Payment Method": pay,
        "Date Shipped": shipped,
        "Street 1": street,
        "Street 2": "",
        "Ship City": city,
        "Ship State": state,
        "Ship Zipcode": zipc,
        "Ship Country": "United States",
        "Currency": "USD",
        "Order Value": f"{value:.2f}",
        "Coupon Code": coupon[0],
        "Coupon Details": coupon[1],
        "Discount Amount": f"{discount:.2f}",
        "Shipping Discount": "0.00",
        "Shipping": f"{shipping:.2f}",
        "Sales Tax": f"{tax:.2f}",
        "Order Total": f"{total:.2f}",
        "Status": "",
        "Card Processing Fees": f"{fee:.2f}",
        "Order Net": f"{total - fee:.2f}",
        "Adjusted Order Total": f"{adj_total:.2f}",
        "Adjusted Card Processing Fees": f"{adj_fee:.2f}",
        "Adjusted Net Order Amount": f"{adj_total - adj_fee:.2f}",
        "Buyer": name,
        "Order Type": "online",
        "Payment Type": "online_cc" if pay == "Credit Card" else "paypal",
        "InPerson Discount": "",
        "InPerson Location": "",
        "SKU": sku,
    }
    return cells, note(
        fate,
        cust=buyer or None,
        day=f"20{yy}-{mm}-{dd}",
        order=oid,
        rev=rev if fate == KEPT else 0.0,
    )


def etsy_records():
    return [
        etsy_order(
            "01/12/24",
            "3101234561",
            "lunaknits",
            2,
            48.00,
            "01/15/24",
            shipping=5.50,
            sku="SCARF-OAT,MITT-OAT",
            rev=48.00,
        ),
        etsy_order(
            "01/19/24",
            "3101234578",
            "oakandpine",
            1,
            32.00,
            "01/22/24",
            discount=3.20,
            coupon=("SAVE10", "10% off"),
            pay="PayPal",
            sku="BEANIE-RUST",
            rev=28.80,
        ),
        etsy_order(
            "02/02/24",
            "3101234602",
            "lunaknits",
            1,
            22.00,
            "02/05/24",
            refund=10.00,
            sku="MITT-SAGE",
            rev=12.00,
        ),
        etsy_order(
            "02/09/24",
            "3101234619",
            "",
            1,
            15.00,
            "02/12/24",
            sku="COASTER-SET",
            fate="missing customer id",
        ),
        etsy_order(
            "02/14/24",
            "3101234644",
            "mossy_meadow",
            3,
            75.00,
            "02/16/24",
            shipping=0.0,
            sku="SCARF-OAT,BEANIE-RUST,MITT-OAT",
            rev=75.00,
        ),
        etsy_order(
            "03/01/24",
            "3101234687",
            "oakandpine",
            1,
            40.00,
            "03/04/24",
            shipping=5.50,
            sku="BLANKET-MINI",
            rev=40.00,
        ),
        etsy_order(
            "03/15/24", "3101234712", "mossy_meadow", 1, 18.00, "", sku="COASTER-SET", rev=18.00
        ),
        etsy_order(
            "03/27/24",
            "3101234739",
            "lunaknits",
            2,
            36.00,
            "",
            discount=5.40,
            coupon=("SPRING15", "15% off"),
            shipping=0.0,
            sku="MITT-OAT,MITT-SAGE",
            rev=30.60,
        ),
    ]


def make_etsy():
    recs = etsy_records()
    rows = [ETSY_HEADER] + [[cells[c] for c in ETSY_HEADER] for cells, _ in recs]
    write("tool_etsy.csv", csv_text(rows))
    return {"tool_etsy.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 7 Xero

XERO_HEADER = (
    "ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,"
    "POCity,PORegion,POPostalCode,POCountry,SAAddressLine1,SAAddressLine2,SAAddressLine3,"
    "SAAddressLine4,SACity,SARegion,SAPostalCode,SACountry,InvoiceNumber,Reference,InvoiceDate,"
    "DueDate,PlannedDate,Total,TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,InventoryItemCode,"
    "Description,Quantity,UnitAmount,Discount,LineAmount,AccountCode,TaxType,TaxAmount,"
    "TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,Type,Sent,Status"
).split(",")

XERO_CONTACTS = {
    "Kiwi Café Ltd": (
        "accounts@kiwicafe.co.nz",
        "PO Box 4411",
        "Wellington",
        "6140",
        "New Zealand",
    ),
    "Harbour Deli": ("", "12 Quay St", "Auckland", "1010", "New Zealand"),
    "Tasman Foods Pty Ltd": (
        "ap@tasmanfoods.com.au",
        "88 George St",
        "Sydney",
        "2000",
        "Australia",
    ),
    "Southern Grocers": (
        "orders@southerngrocers.nz",
        "3 Stuart St",
        "Dunedin",
        "9016",
        "New Zealand",
    ),
}


def xero_invoice(
    number,
    contact,
    date,
    due,
    status,
    lines,
    *,
    currency="NZD",
    kind="Sales invoice",
    sent="Sent",
    ref="",
    fate=KEPT,
):
    """lines: (item code, description, qty, unit amount, discount %). GST 15% unless AUD."""
    email, street, city, postcode, country = XERO_CONTACTS[contact]
    rate = 0.0 if currency == "AUD" else 0.15
    tax_type = "Zero Rated" if currency == "AUD" else "15% GST on Income"
    amounts = []
    for code, desc, qty, unit, disc in lines:
        line_amount = round(qty * unit * (1 - disc / 100), 2)
        amounts.append((code, desc, qty, unit, disc, line_amount, round(line_amount * rate, 2)))
    net = round(sum(a[5] for a in amounts), 2)
    tax = round(sum(a[6] for a in amounts), 2)
    total = round(net + tax, 2)
    paid = total if status == "Paid" else 0.0
    due = 0.0 if status in ("Paid", "Voided") else total
    out = []
    for code, desc, qty, unit, disc, line_amount, line_tax in amounts:
        cells = {
            "ContactName": contact,
            "EmailAddress": email,
            "POAddressLine1": street,
            "POCity": city,
            "POPostalCode": postcode,
            "POCountry": country,
            "InvoiceNumber": number,
            "Reference": ref,
            "InvoiceDate": date,
            "DueDate": due,
            "Total": f"{total:.2f}",
            "TaxTotal": f"{tax:.2f}",
            "InvoiceAmountPaid": f"{paid:.2f}",
            "InvoiceAmountDue": f"{due:.2f}",
            "InventoryItemCode": code,
            "Description": desc,
            "Quantity": f"{qty:.4f}",
            "UnitAmount": f"{unit:.2f}",
            "Discount": f"{disc:.2f}" if disc else "",
            "LineAmount": f"{line_amount:.2f}",
            "AccountCode": "200",
            "TaxType": tax_type,
            "TaxAmount": f"{line_tax:.2f}",
            "Currency": currency,
            "Type": kind,
            "Sent": sent,
            "Status": status,
        }
        d, m, y = date.split("/")
        out.append(
            (
                cells,
                note(
                    fate,
                    cust=contact,
                    day=f"{y}-{m}-{d}",
                    order=number,
                    rev=line_amount if fate == KEPT else 0.0,
                    cur=currency,
                ),
            )
        )
    return out


def xero_records():
    beans = ("BEANS-1KG", "Single origin beans 1kg", 10, 32.00, 0)
    r = []
    r += xero_invoice(
        "INV-0101",
        "Kiwi Café Ltd",
        "14/02/2024",
        "14/03/2024",
        "Paid",
        [beans, ("SVC-GRIND", "Grinder service", 1, 80.00, 0)],
        ref="PO 5521",
    )
    r += xero_invoice(
        "INV-0102",
        "Harbour Deli",
        "16/02/2024",
        "16/03/2024",
        "Awaiting Payment",
        [("BEANS-1KG", "Single origin beans 1kg", 5, 32.00, 10)],
    )
    r += xero_invoice(
        "INV-0103",
        "Kiwi Café Ltd",
        "21/02/2024",
        "21/03/2024",
        "Draft",
        [("BEANS-1KG", "Single origin beans 1kg", 3, 32.00, 0)],
        sent="Unsent",
        fate="not a completed sale",
    )
    r += xero_invoice(
        "INV-0104",
        "Tasman Foods Pty Ltd",
        "23/02/2024",
        "23/03/2024",
        "Paid",
        [
            ("BEANS-1KG", "Single origin beans 1kg", 20, 30.00, 0),
            ("BEANS-250", "Sample pack 250g", 1, 50.00, 0),
        ],
        currency="AUD",
        fate="other currency",
    )
    r += xero_invoice(
        "INV-0105",
        "Harbour Deli",
        "13/03/2024",
        "13/04/2024",
        "Voided",
        [("BEANS-1KG", "Single origin beans 1kg", 2, 32.00, 0)],
        fate="not a completed sale",
    )
    r += xero_invoice(
        "CN-0001",
        "Harbour Deli",
        "20/03/2024",
        "20/03/2024",
        "Paid",
        [("BEANS-1KG", "Credit: one bag damaged in transit", 1, -32.00, 0)],
        kind="Sales credit note",
        ref="INV-0102",
    )
    r += xero_invoice(
        "INV-0106",
        "Southern Grocers",
        "27/03/2024",
        "26/04/2024",
        "Paid",
        [
            ("BEANS-1KG", "Single origin beans 1kg", 12, 32.00, 0),
            ("DRIP-BAGS", "Drip bags (box of 10)", 6, 18.50, 0),
            ("SVC-DELIV", "Pallet handling", 1, 25.00, 0),
        ],
    )
    r += xero_invoice(
        "INV-0107", "Kiwi Café Ltd", "28/03/2024", "27/04/2024", "Awaiting Payment", [beans]
    )
    return r


def make_xero():
    recs = xero_records()
    rows = [XERO_HEADER] + [[cells.get(c, "") for c in XERO_HEADER] for cells, _ in recs]
    write("tool_xero.csv", csv_text(rows, quoting=csv.QUOTE_ALL))
    return {"tool_xero.csv": [n for _, n in recs]}


# ----------------------------------------------------------------------------- 8 QuickBooks Online

QBO_HEADER = [
    "",
    "Transaction date",
    "Transaction type",
    "Num",
    "Product/Service full name",
    "Description",
    "Quantity",
    "Sales price",
    "Amount",
    "Balance",
]


def qbo_records():
    """Sales by Customer Detail: title block, then per customer a group row, its lines and
    a "Total for" row; a grand TOTAL and a footer. Report furniture is "totals row"."""
    groups = [
        (
            "Anna Berg",
            [
                (
                    "01/08/2024",
                    "Invoice",
                    "1001",
                    "Mugs:Large Mug",
                    "Speckled glaze",
                    2,
                    28.00,
                    KEPT,
                ),
                ("01/08/2024", "Invoice", "1001", "Bowls:Ramen Bowl", "", 1, 42.00, KEPT),
                ("02/20/2024", "Sales Receipt", "1010", "Mugs:Large Mug", "", 1, 28.00, KEPT),
            ],
        ),
        (
            "Ben Okafor",
            [
                (
                    "01/15/2024",
                    "Invoice",
                    "1003",
                    "Vases:Tall Vase",
                    "Celadon, 18in",
                    1,
                    1150.00,
                    KEPT,
                ),
                (
                    "02/02/2024",
                    "Credit Memo",
                    "1005",
                    "Vases:Tall Vase",
                    "Chipped rim, partial credit",
                    1,
                    -150.00,
                    KEPT,
                ),
                ("03/05/2024", "Invoice", "1012", "Bowls:Ramen Bowl", "", 3, 42.00, KEPT),
            ],
        ),
        (
            "Clara Diaz",
            [
                (
                    "02/11/2024",
                    "Invoice",
                    "1007",
                    "Mugs:Large Mug",
                    "Voided",
                    0,
                    0.00,
                    "zero revenue",
                ),
                (
                    "03/14/2024",
                    "Sales Receipt",
                    "1014",
                    "Plates:Dinner Plate",
                    "Set of 4",
                    4,
                    35.00,
                    KEPT,
                ),
            ],
        ),
        (
            "Dev Patel",
            [
                ("03/28/2024", "Invoice", "1016", "Mugs:Espresso Cup", "", 6, 14.00, KEPT),
            ],
        ),
    ]
    recs = []
    total_qty = total_amount = 0.0
    for customer, lines in groups:
        recs.append(([customer] + [""] * 9, note("totals row")))
        balance = qty_sum = 0.0
        for date, typ, num, item, desc, qty, price, fate in lines:
            amount = round(qty * price, 2) if qty else 0.0
            balance = round(balance + amount, 2)
            qty_sum += qty
            cells = [
                "",
                date,
                typ,
                num,
                item,
                desc,
                f"{qty:.2f}",
                money(price),
                money(amount),
                money(balance),
            ]
            mm, dd, yyyy = date.split("/")
            recs.append(
                (
                    cells,
                    note(
                        fate,
                        cust=customer,
                        day=f"{yyyy}-{mm}-{dd}",
                        order=num,
                        rev=amount if fate == KEPT else 0.0,
                    ),
                )
            )
        recs.append(
            (
                [
                    f"Total for {customer}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"{qty_sum:.2f}",
                    "",
                    "$" + money(balance),
                    "",
                ],
                note("totals row"),
            )
        )
        total_qty += qty_sum
        total_amount += balance
    recs.append(
        (
            ["TOTAL", "", "", "", "", "", f"{total_qty:.2f}", "", "$" + money(total_amount), ""],
            note("totals row"),
        )
    )
    return recs


def make_quickbooks():
    recs = qbo_records()
    title = [
        ["Maple & Moss Ceramics"] + [""] * 9,
        ["Sales by Customer Detail"] + [""] * 9,
        ["January 1-March 31, 2024"] + [""] * 9,
    ]
    footer = [["Accrual Basis Monday, April 1, 2024 09:14 AM GMT-04:00"] + [""] * 9]
    body = (
        csv_text(title)
        + "\n"
        + csv_text([QBO_HEADER] + [c for c, _ in recs])
        + "\n\n"
        + csv_text(footer)
    )
    write("tool_quickbooks.csv", body)
    notes = [n for _, n in recs] + [note("totals row")]  # the footer line is report furniture too
    return {"tool_quickbooks.csv": notes}


# ----------------------------------------------------------------------------- 9 SAP / German Excel

SAP_HEADER = [
    "Buchungskreis",
    "Kunde",
    "Belegnummer",
    "Belegart",
    "Belegdatum",
    "Buchungsdatum",
    "Betrag in Belegwährung",
    "Währung",
    "Ausgleichsbeleg",
    "Zuordnung",
    "Text",
]


def de_amount(x: float) -> str:
    """SAP's display: 1.234,56 and a trailing minus for credits (1.234,56-)."""
    s = f"{abs(x):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return s + "-" if x < 0 else s


def sap_item(
    cust,
    doc,
    kind,
    date,
    amount,
    currency,
    *,
    clearing="",
    assign="",
    text="",
    posted=None,
    fate=KEPT,
):
    cells = [
        "1000",
        cust,
        doc,
        kind,
        date,
        posted or date,
        de_amount(amount),
        currency,
        clearing,
        assign,
        text,
    ]
    d, m, y = date.split(".")
    return cells, note(
        fate,
        cust=cust,
        day=f"{y}-{m}-{d}",
        order=doc,
        rev=amount if fate == KEPT else 0.0,
        cur=currency,
    )


def sap_records():
    nc = "not a completed sale"
    return [
        sap_item(
            "100234",
            "90004711",
            "RV",
            "05.01.2024",
            1190.00,
            "EUR",
            clearing="1400001203",
            assign="0090004711",
            text="Rechnung 90004711 Müller GmbH",
        ),
        sap_item(
            "100234",
            "1400001203",
            "DZ",
            "19.01.2024",
            -1190.00,
            "EUR",
            clearing="1400001203",
            assign="0090004711",
            text="Zahlungseingang Überweisung",
            fate=nc,
        ),
        sap_item(
            "100587",
            "90004725",
            "RV",
            "12.01.2024",
            595.00,
            "EUR",
            assign="0090004725",
            text="Rechnung Bäckerei Köhler",
        ),
        sap_item(
            "100587",
            "90004760",
            "DG",
            "26.01.2024",
            -119.00,
            "EUR",
            assign="0090004725",
            text="Gutschrift Reklamation „Charge 7“",
        ),
        sap_item(
            "200019",
            "90004788",
            "RV",
            "15.02.2024",
            2450.00,
            "CHF",
            assign="0090004788",
            text="Rechnung Zürcher Feinkost AG",
            fate="other currency",
        ),
        sap_item(
            "100911",
            "90004790",
            "RV",
            "16.02.2024",
            3570.00,
            "EUR",
            clearing="1400001377",
            assign="0090004790",
            text="Rechnung Schäfer & Söhne KG",
        ),
        sap_item(
            "100234",
            "90004812",
            "RV",
            "14.03.2024",
            2380.00,
            "EUR",
            assign="0090004812",
            text="Rechnung 90004812 Müller GmbH",
        ),
        sap_item(
            "100911",
            "1400001377",
            "DZ",
            "20.03.2024",
            -3570.00,
            "EUR",
            clearing="1400001377",
            assign="0090004790",
            text="Zahlungseingang Lastschrift",
            fate=nc,
        ),
        sap_item(
            "100587",
            "90004829",
            "RV",
            "27.03.2024",
            714.00,
            "EUR",
            assign="0090004829",
            text="Rechnung Bäckerei Köhler",
        ),
    ]


def make_sap():
    recs = sap_records()
    rows = [SAP_HEADER] + [c for c, _ in recs]
    # German Excel, "CSV (Trennzeichen-getrennt)": semicolons, Windows-1252, CRLF.
    write("tool_sap.csv", csv_text(rows, delimiter=";", lineterminator="\r\n"), encoding="cp1252")
    return {"tool_sap.csv": [n for _, n in recs]}


MAKERS = (
    make_shopify,
    make_woocommerce,
    make_stripe,
    make_paypal,
    make_square,
    make_etsy,
    make_xero,
    make_quickbooks,
    make_sap,
)


# ----------------------------------------------------------------------------- checking


def expected(notes, currency=None):
    """The figures a correct load gives, computed from the records' notes (no parser)."""
    kept = []
    dropped = defaultdict(int)
    for n in notes:
        fate = n["fate"]
        # A currency choice other than the file's main one moves rows between reasons;
        # the truth files only choose the main currency, whose notes are written out.
        if fate == KEPT:
            kept.append(n)
        else:
            dropped[fate] += 1
    revenue = round(sum(n["rev"] for n in kept), 2)
    per_customer = defaultdict(lambda: {"revenue": 0.0, "orders": set()})
    for n in kept:
        per_customer[n["cust"]]["revenue"] += n["rev"]
        if n["rev"] >= 0:
            per_customer[n["cust"]]["orders"].add(n["order"])
    days = sorted(n["day"] for n in kept)
    return {
        "rows_read": len(notes),
        "rows_kept": len(kept),
        "customers": len(per_customer),
        "revenue": revenue,
        "first_date": days[0],
        "last_date": days[-1],
        "dropped": dict(dropped),
        "customer": {
            c: (round(v["revenue"], 2), len(v["orders"])) for c, v in per_customer.items()
        },
    }


def check(notes_by_file) -> list[str]:
    """Compare every tool_*.toml with the figures derived from the records."""
    problems = []
    for toml_path in sorted(HERE.glob("tool_*.toml")):
        truth = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        notes = notes_by_file.get(truth["file"])
        if notes is None:
            problems.append(f"{toml_path.name}: no records for {truth['file']}")
            continue
        currencies = {n.get("cur") for n in notes if n.get("cur")}
        if "error" in truth:
            if len(currencies) < 2:
                problems.append(f"{toml_path.name}: an error case on a one-currency file")
            continue
        exp = expected(notes)
        want = truth["expect"]
        for key in ("rows_read", "rows_kept", "customers", "first_date", "last_date"):
            if want[key] != exp[key]:
                problems.append(f"{toml_path.name}: {key} {want[key]!r} != records {exp[key]!r}")
        if abs(want["revenue"] - exp["revenue"]) > 0.005:
            problems.append(
                f"{toml_path.name}: revenue {want['revenue']} != records {exp['revenue']}"
            )
        if want.get("dropped", {}) != exp["dropped"]:
            problems.append(
                f"{toml_path.name}: dropped {want.get('dropped')} != records {exp['dropped']}"
            )
        for spot in want.get("customer", []):
            rev, orders = exp["customer"].get(spot["id"], (None, None))
            if rev is None or abs(rev - spot["revenue"]) > 0.005:
                problems.append(
                    f"{toml_path.name}: customer {spot['id']} revenue {spot['revenue']} != {rev}"
                )
            if "orders" in spot and spot["orders"] != orders:
                problems.append(
                    f"{toml_path.name}: customer {spot['id']} orders {spot['orders']} != {orders}"
                )
        if len(currencies) > 1 and "currency" not in truth.get("load", {}):
            problems.append(f"{toml_path.name}: two currencies in the file but no currency chosen")
    return problems


def main() -> None:
    notes_by_file = {}
    for make in MAKERS:
        notes_by_file.update(make())
    for problem in check(notes_by_file):
        print("MISMATCH", problem)  # noqa: T201 - a script run by hand


if __name__ == "__main__":  # importing (e.g. pytest's doctest collection) writes nothing
    main()
