"""Sandbox product listings: control calls, search with filters and pages, get, inventory and price
updates with their error codes, and the same signing/cipher/rate-limit rules as every endpoint."""

from __future__ import annotations

from typing import Any

from libs.sandbox.products import PRICE_INVALID, PRODUCT_NOT_FOUND, SKU_NOT_FOUND, WAREHOUSE_NOT_FOUND
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox

SEARCH = "/product/202309/products/search"


async def create(sandbox: Sandbox, shop: Shop, title: str, skus: list[tuple[str, str, int]],
                 **extra: Any) -> dict[str, Any]:
    body = {"title": title, "skus": [{"seller_sku": s, "price": p, "quantity": q} for s, p, q in skus], **extra}
    return await sandbox.control("POST", f"/sandbox/shops/{shop.shop_id}/products", body)


async def listed(sandbox: Sandbox, shop: Shop) -> list[dict[str, Any]]:
    return (await sandbox.control("GET", f"/sandbox/shops/{shop.shop_id}/products"))["products"]  # type: ignore[no-any-return]


async def test_created_listing_is_active_with_quantity_in_the_default_warehouse(sandbox: Sandbox, shop: Shop) -> None:
    created = await create(sandbox, shop, "Tee", [("TEE-M", "19.99", 5), ("TEE-L", "21.00", 0)])
    assert [s["seller_sku"] for s in created["skus"]] == ["TEE-M", "TEE-L"]
    [product] = await listed(sandbox, shop)
    assert product["id"] == created["product_id"] and product["status"] == "ACTIVATE"
    first = product["skus"][0]
    assert first["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 5}]
    assert first["price"]["sale_price"] == "19.99" and first["price"]["currency"] == "USD"


async def test_search_filters_by_status_and_seller_sku_and_pages(sandbox: Sandbox, shop: Shop) -> None:
    for i in range(5):
        await create(sandbox, shop, f"P{i}", [(f"SKU-{i}", "1.00", 1)])
    await create(sandbox, shop, "Draft", [("DRAFTY", "1.00", 1)], status="DRAFT")
    seen: list[str] = []
    token = ""
    while True:
        params = {"page_size": 2, **({"page_token": token} if token else {})}
        body = (await sandbox.call("POST", SEARCH, shop=shop, params=params, body={"status": "ACTIVATE"})).json()
        assert body["code"] == 0, body
        assert body["data"]["total_count"] == 5
        seen += [p["skus"][0]["seller_sku"] for p in body["data"]["products"]]
        token = body["data"]["next_page_token"]
        if not token:
            break
    assert seen == [f"SKU-{i}" for i in range(5)]
    by_sku = (await sandbox.call("POST", SEARCH, shop=shop, params={"page_size": 10},
                                 body={"seller_skus": ["DRAFTY"]})).json()["data"]
    assert [p["title"] for p in by_sku["products"]] == ["Draft"]
    bad = (await sandbox.call("POST", SEARCH, shop=shop, params={"page_size": 10}, body={"status": "LIVE"})).json()
    assert bad["code"] != 0


async def test_search_requires_shop_cipher_and_page_size(sandbox: Sandbox, shop: Shop) -> None:
    no_cipher = (await sandbox.call("POST", SEARCH, shop=shop, cipher="", params={"page_size": 10}, body={})).json()
    assert no_cipher["code"] == 106013
    no_size = (await sandbox.call("POST", SEARCH, shop=shop, body={})).json()
    assert no_size["code"] == 36009004 and "page_size" in no_size["message"]


async def test_inventory_and_price_update_change_what_tiktok_holds(sandbox: Sandbox, shop: Shop) -> None:
    created = await create(sandbox, shop, "Tee", [("TEE-M", "19.99", 5)])
    pid, sku_id = created["product_id"], created["skus"][0]["id"]
    inv = {"skus": [{"id": sku_id, "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 42}]}]}
    r = (await sandbox.call("POST", f"/product/202309/products/{pid}/inventory/update", shop=shop, body=inv)).json()
    assert r["code"] == 0, r
    price = {"skus": [{"id": sku_id, "price": {"amount": "17.50", "currency": "USD"}}]}
    r = (await sandbox.call("POST", f"/product/202309/products/{pid}/prices/update", shop=shop, body=price)).json()
    assert r["code"] == 0, r
    got = (await sandbox.call("GET", f"/product/202309/products/{pid}", shop=shop)).json()["data"]
    assert got["skus"][0]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 42}]
    assert got["skus"][0]["price"]["sale_price"] == "17.50"


async def test_update_errors_are_per_sku_and_the_good_skus_are_applied(sandbox: Sandbox, shop: Shop) -> None:
    """TikTok answers partial success: each refused SKU in ``data.errors`` with its code and ``detail.sku_id``,
    the others applied; only the product itself (unknown, frozen, not live for prices) refuses the call."""
    created = await create(sandbox, shop, "Tee", [("TEE-M", "19.99", 5), ("TEE-L", "19.99", 6)])
    pid, m, l_id = created["product_id"], created["skus"][0]["id"], created["skus"][1]["id"]
    path = f"/product/202309/products/{pid}/inventory/update"

    async def inventory(body: dict[str, Any], product_path: str = path) -> dict[str, Any]:
        return (await sandbox.call("POST", product_path, shop=shop, body=body)).json()  # type: ignore[no-any-return]

    good = {"id": m, "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 1}]}
    wrong_wh = {"id": l_id, "inventory": [{"warehouse_id": "123", "quantity": 1}]}
    answer = await inventory({"skus": [good, {"id": "999", "inventory": []}, wrong_wh]})
    assert answer["code"] == 0, answer
    assert [(e["code"], e["detail"]["sku_id"]) for e in answer["data"]["errors"]] == [
        (SKU_NOT_FOUND, "999"), (WAREHOUSE_NOT_FOUND, l_id)]
    assert (await inventory({"skus": [good]}, "/product/202309/products/1/inventory/update"))["code"] == PRODUCT_NOT_FOUND
    bad_price = {"skus": [{"id": m, "price": {"amount": "0", "currency": "USD"}},
                          {"id": l_id, "price": {"amount": "17.50", "currency": "USD"}}]}
    r = (await sandbox.call("POST", f"/product/202309/products/{pid}/prices/update", shop=shop, body=bad_price)).json()
    assert r["code"] == 0 and [(e["code"], e["detail"]["sku_id"]) for e in r["data"]["errors"]] == [(PRICE_INVALID, m)]
    [product] = await listed(sandbox, shop)
    assert [s["inventory"][0]["quantity"] for s in product["skus"]] == [1, 6]  # the good SKU applied, the other not
    assert [s["price"]["sale_price"] for s in product["skus"]] == ["19.99", "17.50"]


async def test_the_lean_inventory_view_says_what_each_sku_holds_and_when_it_was_set(sandbox: Sandbox,
                                                                                    shop: Shop) -> None:
    """``GET /sandbox/shops/{id}/inventory``: per SKU its stock per warehouse, the total, and the sandbox clock
    when inventory/update last set it (null until then), so a benchmark can watch 1,000 SKUs cheaply."""
    import time

    created = await create(sandbox, shop, "Tee", [("TEE-M", "19.99", 5), ("TEE-L", "19.99", 6)])
    pid, m = created["product_id"], created["skus"][0]["id"]
    before = time.time()
    body = {"skus": [{"id": m, "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 42}]}]}
    assert (await sandbox.call("POST", f"/product/202309/products/{pid}/inventory/update", shop=shop,
                               body=body)).json()["code"] == 0
    skus = (await sandbox.control("GET", f"/sandbox/shops/{shop.shop_id}/inventory"))["skus"]
    by_sku = {s["seller_sku"]: s for s in skus}
    assert (by_sku["TEE-M"]["quantity"], by_sku["TEE-M"]["inventory"]) == (42, {shop.warehouse_id: 42})
    assert before <= by_sku["TEE-M"]["changed_at"] <= time.time()
    assert (by_sku["TEE-L"]["quantity"], by_sku["TEE-L"]["changed_at"]) == (6, None)
    assert {s["product_id"] for s in skus} == {pid}


async def test_another_shops_product_is_not_found(sandbox: Sandbox, shop: Shop) -> None:
    other = await sandbox.new_shop(name="Other")
    created = await create(sandbox, other, "Theirs", [("X", "1.00", 1)])
    r = (await sandbox.call("GET", f"/product/202309/products/{created['product_id']}", shop=shop)).json()
    assert r["code"] == PRODUCT_NOT_FOUND


async def test_product_endpoints_are_rate_limited_per_endpoint() -> None:
    async for box in open_sandbox(make_settings(rate_limit_qps=3)):
        shop = await box.new_shop()
        codes = [(await box.call("POST", SEARCH, shop=shop, params={"page_size": 1}, body={})).status_code
                 for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
        seen = await box.control("GET", f"/sandbox/requests?path={SEARCH}&shop_id={shop.shop_id}")
        assert (seen["counts"], seen["rate_limited"]) == ({SEARCH: codes.count(200)}, {SEARCH: codes.count(429)})
