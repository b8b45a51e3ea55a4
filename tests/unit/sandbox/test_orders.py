"""Orders: shape (one line item per unit), search with pagination and filters, get by ids."""

from __future__ import annotations

from typing import Any

from tests.unit.sandbox.conftest import Sandbox, Shop

SEARCH = "/order/202309/orders/search"


async def search(
    sandbox: Sandbox, shop: Shop, body: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    response = await sandbox.call("POST", SEARCH, shop=shop, params=params, body=body or {})
    return response.json()  # type: ignore[no-any-return]


async def test_one_line_item_per_unit(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(
        shop,
        [
            {"seller_sku": "MUG-RED", "quantity": 3, "unit_price": "12.5"},
            {"seller_sku": "CAP", "quantity": 1, "unit_price": "7.25", "sku_id": "999"},
        ],
        payment_method="PayPal",
        shipping_fee="4.00",
        tax="1.10",
    )
    items = order["line_items"]
    assert [i["seller_sku"] for i in items] == ["MUG-RED"] * 3 + ["CAP"]
    assert len({i["id"] for i in items}) == 4
    assert len({i["sku_id"] for i in items if i["seller_sku"] == "MUG-RED"}) == 1
    assert items[3]["sku_id"] == "999"
    assert items[0]["sale_price"] == "12.50"
    assert order["payment"] == {
        "currency": "USD",
        "sub_total": "44.75",
        "shipping_fee": "4.00",
        "tax": "1.10",
        "total_amount": "49.85",
    }
    assert order["status"] == "AWAITING_SHIPMENT" and order["payment_method_name"] == "PayPal"
    assert order["id"].isdigit()
    again = await sandbox.place_order(shop, [{"seller_sku": "MUG-RED", "quantity": 1, "unit_price": "1"}])
    assert again["line_items"][0]["sku_id"] == items[0]["sku_id"]  # stable per seller_sku


async def test_on_hold_hides_address_until_released(sandbox: Sandbox, shop: Shop) -> None:
    order = await sandbox.place_order(shop, on_hold=True)
    assert order["status"] == "ON_HOLD" and order["is_on_hold_order"] is True
    assert order["recipient_address"]["full_address"] == ""
    released = await sandbox.control(
        "POST", f"/sandbox/orders/{order['id']}/status", {"status": "AWAITING_SHIPMENT"}
    )
    assert released["status"] == "AWAITING_SHIPMENT" and released["is_on_hold_order"] is False
    assert released["recipient_address"]["full_address"]
    assert released["update_time"] >= order["update_time"]


async def test_replacement_and_fbt_flags(sandbox: Sandbox, shop: Shop) -> None:
    original = await sandbox.place_order(shop)
    replacement = await sandbox.place_order(
        shop, replacement_of=original["id"], fulfillment_type="FULFILLMENT_BY_TIKTOK"
    )
    assert replacement["is_replacement_order"] is True
    assert replacement["replaced_order_id"] == original["id"]
    assert replacement["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK"
    bad = await sandbox.http.post(
        f"/sandbox/shops/{shop.shop_id}/orders",
        json={"lines": [{"seller_sku": "A", "quantity": 1, "unit_price": "1"}], "replacement_of": "123"},
    )
    assert (bad.status_code, bad.json()["code"]) == (400, 21001001)


async def test_pagination_walks_every_order_once(sandbox: Sandbox, shop: Shop) -> None:
    created = [(await sandbox.place_order(shop, create_time=1_700_000_000 + i % 3))["id"] for i in range(8)]
    other = await sandbox.new_shop()
    await sandbox.place_order(other)
    seen: list[str] = []
    token = ""
    for _ in range(10):
        page = await search(sandbox, shop, page_size=3, page_token=token)
        assert page["code"] == 0 and page["data"]["total_count"] == 8
        seen += [o["id"] for o in page["data"]["orders"]]
        token = page["data"]["next_page_token"]
        if not token:
            break
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    keys = [(o.create_time, int(o.id)) for o in (sandbox.app.state.sandbox.orders.get(i) for i in seen)]
    assert keys == sorted(keys)


async def test_bad_page_size_and_page_token(sandbox: Sandbox, shop: Shop) -> None:
    await sandbox.place_order(shop)
    await sandbox.place_order(shop)
    for size in (0, 101, None):
        params: dict[str, Any] = {} if size is None else {"page_size": size}
        assert (await search(sandbox, shop, **params))["code"] == 36009004
    assert (await search(sandbox, shop, page_size=1, page_token="garbage!"))["code"] == 36009004
    token = (await search(sandbox, shop, page_size=1))["data"]["next_page_token"]
    assert token
    other_filter = await search(sandbox, shop, {"order_status": "CANCELLED"}, page_size=1, page_token=token)
    assert other_filter["code"] == 36009004 and "page_token" in other_filter["message"]


async def test_search_filters_by_status_and_time(sandbox: Sandbox, shop: Shop) -> None:
    early = await sandbox.place_order(shop, create_time=1_000)
    late = await sandbox.place_order(shop, create_time=2_000)
    await sandbox.control("POST", f"/sandbox/orders/{late['id']}/status", {"status": "CANCELLED"})
    cancelled = await search(sandbox, shop, {"order_status": "CANCELLED"}, page_size=10)
    ranged = await search(sandbox, shop, {"create_time_ge": 1_000, "create_time_lt": 2_000}, page_size=10)
    by_update = await search(sandbox, shop, page_size=10, sort_field="update_time")
    assert [o["id"] for o in cancelled["data"]["orders"]] == [late["id"]]
    assert cancelled["data"]["orders"][0]["cancellation_initiator"] == "BUYER"
    assert [o["id"] for o in ranged["data"]["orders"]] == [early["id"]]
    assert by_update["data"]["orders"][-1]["id"] == late["id"]
    assert (await search(sandbox, shop, page_size=10, sort_field="price"))["code"] == 36009004


async def test_get_orders_by_ids(sandbox: Sandbox, shop: Shop) -> None:
    a = await sandbox.place_order(shop)
    b = await sandbox.place_order(shop)
    foreign = await sandbox.place_order(await sandbox.new_shop())
    ids = ",".join([a["id"], b["id"], foreign["id"]])
    got = (await sandbox.call("GET", "/order/202309/orders", shop=shop, params={"ids": ids})).json()
    assert [o["id"] for o in got["data"]["orders"]] == [a["id"], b["id"]]
    too_many = ",".join(str(i) for i in range(51))
    refused = (await sandbox.call("GET", "/order/202309/orders", shop=shop, params={"ids": too_many})).json()
    assert refused["code"] == 36009004 and "50" in refused["message"]


async def test_bulk_orders(sandbox: Sandbox, shop: Shop) -> None:
    data = await sandbox.control(
        "POST",
        f"/sandbox/shops/{shop.shop_id}/orders/bulk",
        {"count": 25, "lines": [{"seller_sku": "B", "quantity": 2, "unit_price": "3"}]},
    )
    assert len(set(data["order_ids"])) == 25
    assert (await search(sandbox, shop, page_size=1))["data"]["total_count"] == 25
