"""TikTok order objects for the orders unit tests (the 202309 wire shape the sandbox serves)."""

from __future__ import annotations

from typing import Any

SHOP = "7494049642642441621"


def item(item_id: str, sku_id: str = "S1", seller_sku: str = "TSHIRT-RED-M", price: str = "19.99", **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "sku_id": sku_id, "seller_sku": seller_sku, "product_id": "P1",
            "product_name": "T-shirt", "sale_price": price, **extra}


def tiktok_order(**overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": "576486316948490001", "status": "AWAITING_SHIPMENT", "create_time": 1714564800,
        "update_time": 1714564900, "paid_time": 1714564810, "is_replacement_order": False,
        "replaced_order_id": "", "is_on_hold_order": False, "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "payment_method_name": "Credit card",
        "payment": {"currency": "USD", "sub_total": "59.97", "shipping_fee": "5.00", "tax": "0.10",
                    "total_amount": "65.07"},
        "recipient_address": {"name": "Jane Doe", "phone_number": "+1 555", "address_line1": "1 Main St",
                              "address_line2": "", "city": "Austin", "state": "TX", "postal_code": "78701",
                              "region_code": "US", "full_address": "1 Main St, Austin"},
        "line_items": [item("L1"), item("L2"), item("L3", sku_id="S2", seller_sku="MUG", price="20.00")],
    }
    order.update(overrides)
    return order
