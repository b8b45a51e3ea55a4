"""Logistics lookups and mark-shipped: packages, status moves, duplicate tracking, already shipped."""

from __future__ import annotations

from typing import Any

from libs.sandbox.logistics import SHIPPING_PROVIDERS
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox

USPS = next(pid for pid, name in SHIPPING_PROVIDERS.items() if name == "USPS")


async def ship(
    sandbox: Sandbox,
    shop: Shop,
    order_id: str,
    tracking: str,
    line_item_ids: list[str] | None = None,
    provider: str = USPS,
) -> dict[str, Any]:
    body = {
        "tracking_number": tracking,
        "shipping_provider_id": provider,
        "order_line_item_ids": line_item_ids or [],
    }
    response = await sandbox.call(
        "POST", f"/fulfillment/202309/orders/{order_id}/packages", shop=shop, body=body
    )
    return response.json()  # type: ignore[no-any-return]


async def test_logistics_lookups(sandbox: Sandbox, shop: Shop) -> None:
    warehouses = (await sandbox.call("GET", "/logistics/202309/warehouses", shop=shop)).json()["data"]
    assert [(w["id"], w["is_default"]) for w in warehouses["warehouses"]] == [(shop.warehouse_id, True)]
    options = (
        await sandbox.call(
            "GET", f"/logistics/202309/warehouses/{shop.warehouse_id}/delivery_options", shop=shop
        )
    ).json()["data"]["delivery_options"]
    providers = (
        await sandbox.call(
            "GET", f"/logistics/202309/delivery_options/{options[0]['id']}/shipping_providers", shop=shop
        )
    ).json()["data"]["shipping_providers"]
    assert {p["name"] for p in providers} == {"USPS", "UPS", "FedEx", "DHL"}
    unknown = await sandbox.call("GET", "/logistics/202309/warehouses/1/delivery_options", shop=shop)
    assert unknown.json()["code"] != 0


async def test_shop_without_default_warehouse(sandbox: Sandbox) -> None:
    shop = await sandbox.new_shop(default_warehouse=False)
    warehouses = (await sandbox.call("GET", "/logistics/202309/warehouses", shop=shop)).json()["data"]
    assert [w["is_default"] for w in warehouses["warehouses"]] == [False]


async def test_partial_then_full_shipment(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(shop, [{"seller_sku": "A", "quantity": 3, "unit_price": "5"}])
    item_ids = [i["id"] for i in order["line_items"]]
    first = await ship(sandbox, shop, order["id"], "TRK-1", item_ids[:2])
    assert first["code"] == 0 and first["data"]["package_id"]
    held = await sandbox.control("GET", f"/sandbox/orders/{order['id']}")
    assert held["status"] == "PARTIALLY_SHIPPING"
    assert [i["tracking_number"] for i in held["line_items"]] == ["TRK-1", "TRK-1", ""]
    second = await ship(sandbox, shop, order["id"], "TRK-2")  # no ids: the rest
    assert second["code"] == 0 and second["data"]["order_line_item_ids"] == item_ids[2:]
    held = await sandbox.control("GET", f"/sandbox/orders/{order['id']}")
    assert held["status"] == "AWAITING_COLLECTION"
    assert [p["id"] for p in held["packages"]] == [first["data"]["package_id"], second["data"]["package_id"]]
    assert held["shipping_provider"] == "USPS"
    tracking = (
        await sandbox.call("GET", f"/fulfillment/202309/orders/{order['id']}/tracking", shop=shop)
    ).json()["data"]["tracking"]
    assert len(tracking) == 2 and "TRK-2" in tracking[0]["description"]


async def test_already_shipped_and_duplicate_tracking(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(shop, [{"seller_sku": "A", "quantity": 2, "unit_price": "5"}])
    first_item, second_item = (i["id"] for i in order["line_items"])
    assert (await ship(sandbox, shop, order["id"], "TRK-9", [first_item]))["code"] == 0
    again = await ship(sandbox, shop, order["id"], "TRK-10", [first_item])
    assert again["code"] == 21011040
    other = await sandbox.place_order(shop)
    duplicate = await ship(sandbox, shop, other["id"], "TRK-9")
    assert duplicate["code"] == 21011025
    assert (await ship(sandbox, shop, order["id"], "TRK-10", [second_item]))["code"] == 0
    whole_order_again = await ship(sandbox, shop, order["id"], "TRK-11")
    assert whole_order_again["code"] == 21011040


async def test_cannot_ship_cancelled_on_hold_fbt_or_foreign(sandbox: Sandbox, shop: Shop) -> None:
    cancelled = await sandbox.place_order(shop)
    await sandbox.control("POST", f"/sandbox/orders/{cancelled['id']}/status", {"status": "CANCELLED"})
    on_hold = await sandbox.place_order(shop, on_hold=True)
    fbt = await sandbox.place_order(shop, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    foreign = await sandbox.place_order(await sandbox.new_shop())
    assert (await ship(sandbox, shop, cancelled["id"], "T1"))["code"] == 21011001
    assert (await ship(sandbox, shop, on_hold["id"], "T2"))["code"] == 21011001
    assert (await ship(sandbox, shop, fbt["id"], "T3"))["code"] == 21011001
    assert (await ship(sandbox, shop, foreign["id"], "T4"))["code"] == 21001001
    ok = await sandbox.place_order(shop)
    assert (await ship(sandbox, shop, ok["id"], "T5", provider="123"))["code"] == 21011004
    assert (await ship(sandbox, shop, ok["id"], "T5", ["nope"]))["code"] == 21011005


async def test_fbt_delivery_brings_tiktok_tracking(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(shop, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    moved = await sandbox.control("POST", f"/sandbox/orders/{order['id']}/status", {"status": "IN_TRANSIT"})
    assert moved["status"] == "IN_TRANSIT"
    assert moved["tracking_number"].startswith("TT") and moved["shipping_provider"] == "TikTok Shipping"
    delivered = await sandbox.control(
        "POST", f"/sandbox/orders/{order['id']}/status", {"status": "DELIVERED"}
    )
    assert len(delivered["packages"]) == 1 and delivered["tracking"][0]["description"] == "Package delivered"


async def test_request_counter_counts_served_calls(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(shop)
    await ship(sandbox, shop, order["id"], "TRK-C")
    await sandbox.call("GET", "/logistics/202309/warehouses", shop=shop, tamper_sign=True)
    counts = await sandbox.control("GET", "/sandbox/requests?path=/fulfillment/")
    assert counts["counts"] == {f"/fulfillment/202309/orders/{order['id']}/packages": 1}
    assert "/logistics/202309/warehouses" not in (await sandbox.control("GET", "/sandbox/requests"))["counts"]


async def test_rate_limit_is_per_endpoint_template() -> None:
    async for box in open_sandbox(make_settings(rate_limit_qps=2)):
        shop = await box.new_shop()
        orders = [await box.place_order(shop) for _ in range(3)]
        codes = [
            (await box.call("GET", f"/fulfillment/202309/orders/{o['id']}/tracking", shop=shop)).json()[
                "code"
            ]
            for o in orders
        ]
        assert codes == [0, 0, 36009002]
