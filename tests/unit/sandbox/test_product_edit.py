"""PUT products/{id} and POST products/{id}/partial_edit: back to review (webhook type 5), SKUs kept /
added / removed, the live version while an edit is in review or refused, search by update_time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.sandbox.listing_base import MAIN_IMAGE_MISSING
from libs.sandbox.products import PRODUCT_NOT_FOUND, PRODUCT_STATE_INVALID, SKU_NOT_FOUND
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox
from tests.unit.sandbox.product_helpers import (
    PRODUCTS,
    SEARCH,
    Clock,
    api,
    by_seller_sku,
    create,
    events,
    get,
    held,
    ok,
    register,
    three_sku_body,
)

DELAY = 2.0


async def live_box() -> AsyncIterator[tuple[Sandbox, Clock, Shop]]:
    clock = Clock()
    async for box in open_sandbox(make_settings(review_delay_s=DELAY), clock=clock):
        shop = await box.new_shop()
        await register(box, clock, shop)
        yield box, clock, shop


async def approved(box: Sandbox, clock: Clock, shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    """Creates the listing and lets its review end (ACTIVATE); the create answer."""
    answer = await create(box, clock, shop, body)
    clock.now += DELAY
    assert (await get(box, clock, shop, answer["product_id"]))["status"] == "ACTIVATE"
    return answer


async def test_partial_edit_of_the_title_goes_back_to_review() -> None:
    async for box, clock, shop in live_box():
        body = await three_sku_body(box, shop)
        answer = await approved(box, clock, shop, body)
        pid = answer["product_id"]
        before = await get(box, clock, shop, pid)
        clock.now += 5
        edited = await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/partial_edit", shop, {"title": "Cotton tee, new cut"})
        assert edited["product_id"] == pid and [s["id"] for s in edited["skus"]] == [s["id"] for s in answer["skus"]]
        got = await get(box, clock, shop, pid)
        assert got["status"] == "PENDING" and got["audit"] == {"status": "AUDITING"}
        assert got["title"] == "Cotton tee, new cut" and got["update_time"] == int(clock.now)
        for kept in ("description", "brand", "main_images", "category_chains", "product_attributes", "skus"):
            assert got[kept] == before[kept], kept
        first, second = await events(box)
        assert (first["data"]["status"], second["data"]["status"]) == ("ACTIVATE", "PENDING")
        assert second["data"]["update_time"] == got["update_time"]
        clock.now += DELAY
        assert (await get(box, clock, shop, pid))["status"] == "ACTIVATE"
        assert [e["data"]["status"] for e in await events(box)] == ["ACTIVATE", "PENDING", "ACTIVATE"]


async def test_put_keeps_two_skus_removes_one_and_adds_one() -> None:
    async for box, clock, shop in live_box():
        body = await three_sku_body(box, shop)
        answer = await approved(box, clock, shop, body)
        pid = answer["product_id"]
        ids = {s["seller_sku"]: s["id"] for s in answer["skus"]}
        stock = {"skus": [{"id": ids["TEE-RED-M"], "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 42}]}]}
        await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/inventory/update", shop, stock)
        medium, large, _small = body["skus"]
        del medium["price"], medium["inventory"]  # kept by id: price and inventory stay
        medium["id"] = ids["TEE-RED-M"]
        new = {**large, "seller_sku": "TEE-RED-XL", "identifier_code": {"type": "EAN", "code": "4006381333931"},
               "sales_attributes": [large["sales_attributes"][0], {"name": "Size", "value_name": "XL"}]}
        replacement = {k: v for k, v in body.items() if k != "brand_id"} | {"skus": [medium, large, new]}
        edited = await ok(box, clock, "PUT", f"{PRODUCTS}/{pid}", shop, replacement)
        new_ids = {s["seller_sku"]: s["id"] for s in edited["skus"]}
        assert new_ids["TEE-RED-M"] == ids["TEE-RED-M"] and new_ids["TEE-RED-L"] == ids["TEE-RED-L"]
        assert new_ids["TEE-RED-XL"] not in ids.values() and "TEE-RED-S" not in new_ids
        got = await get(box, clock, shop, pid)
        skus = by_seller_sku(got)
        assert sorted(skus) == ["TEE-RED-L", "TEE-RED-M", "TEE-RED-XL"] and "brand" not in got  # blanked
        assert skus["TEE-RED-M"]["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 42}]
        assert skus["TEE-RED-M"]["price"]["amount"] == "19.99"
        assert skus["TEE-RED-XL"]["identifier_code"] == {"type": "EAN", "code": "4006381333931"}
        assert [a["value_name"] for a in skus["TEE-RED-XL"]["sales_attributes"]] == ["Red", "XL"]
        [stored] = (await held(box, shop))["products"]
        assert stored["status"] == "PENDING" and sorted(by_seller_sku(stored["live"])) == [
            "TEE-RED-L", "TEE-RED-M", "TEE-RED-S"]  # buyers still see the approved version
        small_stock = {"skus": [{"id": ids["TEE-RED-S"], "inventory": [{"warehouse_id": shop.warehouse_id,
                                                                        "quantity": 1}]}]}
        await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/inventory/update", shop, small_stock)  # live SKU
        [stored] = (await held(box, shop))["products"]
        assert by_seller_sku(stored["live"])["TEE-RED-S"]["inventory"][0]["quantity"] == 1
        assert [e["data"]["status"] for e in await events(box)] == ["ACTIVATE", "PENDING"]


async def test_a_refused_edit_keeps_the_live_version() -> None:
    async for box, clock, shop in live_box():
        body = await three_sku_body(box, shop)
        answer = await approved(box, clock, shop, body)
        pid, sku_id = answer["product_id"], answer["skus"][0]["id"]
        await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/partial_edit", shop, {"title": "Tee with a watermark"})
        reasons = [{"position": "main_images", "reasons": ["Watermark"], "suggestions": ["Use a clean photo"]}]
        await box.control("POST", f"/sandbox/products/{pid}/review", {"decision": "reject", "reasons": reasons})
        clock.now += 2 * DELAY  # the refused review does not end again by itself
        got = await get(box, clock, shop, pid)
        assert got["status"] == "FAILED" and got["audit_failed_reasons"] == reasons
        assert got["title"] == "Tee with a watermark"
        [stored] = (await held(box, shop))["products"]
        assert stored["live"]["title"] == body["title"]
        price = {"skus": [{"id": sku_id, "price": {"amount": "15.00", "currency": "USD"}}]}
        await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/prices/update", shop, price)  # the live version sells
        [stored] = (await held(box, shop))["products"]
        assert stored["live"]["skus"][0]["price"]["amount"] == "15.00"
        assert stored["skus"][0]["price"]["amount"] == "15.00"
        assert [e["data"]["status"] for e in await events(box)] == ["ACTIVATE", "PENDING", "FAILED"]


async def found(box: Sandbox, clock: Clock, shop: Shop, filters: dict[str, Any]) -> list[str]:
    data = await ok(box, clock, "POST", SEARCH, shop, filters, params={"page_size": 10})
    return [p["id"] for p in data["products"]]


async def test_search_by_update_time_finds_the_edited_product() -> None:
    async for box, clock, shop in live_box():
        body = await three_sku_body(box, shop)
        edited = (await approved(box, clock, shop, body))["product_id"]
        untouched = (await approved(box, clock, shop, {**body, "title": "Second tee, same cut"}))["product_id"]
        clock.now += 100
        edit_time = int(clock.now)
        await ok(box, clock, "POST", f"{PRODUCTS}/{edited}/partial_edit", shop, {"description": "<p>New text</p>"})
        assert await found(box, clock, shop, {"update_time_ge": edit_time}) == [edited]
        assert await found(box, clock, shop, {"update_time_le": edit_time - 1}) == [untouched]
        assert await found(box, clock, shop, {"update_time_ge": edit_time, "status": "PENDING"}) == [edited]
        [hit] = (await ok(box, clock, "POST", SEARCH, shop, {"update_time_ge": edit_time},
                          params={"page_size": 10}))["products"]
        assert hit["description"] == "<p>New text</p>" and hit["title"] == body["title"]


async def test_edits_that_are_refused_change_nothing() -> None:
    async for box, clock, shop in live_box():
        body = await three_sku_body(box, shop)
        pid = (await approved(box, clock, shop, body))["product_id"]
        path = f"{PRODUCTS}/{pid}/partial_edit"
        assert (await api(box, clock, "POST", f"{PRODUCTS}/1/partial_edit", shop, {"title": "x"}))[
            "code"] == PRODUCT_NOT_FOUND
        assert (await api(box, clock, "PUT", f"{PRODUCTS}/1", shop, body))["code"] == PRODUCT_NOT_FOUND
        no_images = await api(box, clock, "POST", path, shop, {"main_images": [], "title": "Edited"})
        assert no_images["code"] == MAIN_IMAGE_MISSING
        bad_sku = await api(box, clock, "POST", path, shop, {"skus": [{**body["skus"][0], "id": "999"}]})
        assert bad_sku["code"] == SKU_NOT_FOUND
        got = await get(box, clock, shop, pid)
        assert got["status"] == "ACTIVATE" and got["title"] == body["title"] and len(got["skus"]) == 3
        await box.control("POST", f"/sandbox/products/{pid}/status", {"status": "FREEZE"})
        frozen = await api(box, clock, "PUT", f"{PRODUCTS}/{pid}", shop, body)
        assert frozen["code"] == PRODUCT_STATE_INVALID and "FREEZE" in frozen["message"]
        assert (await api(box, clock, "POST", path, shop, {"title": "Edited"}))["code"] == PRODUCT_STATE_INVALID
        assert [e["data"]["status"] for e in await events(box)] == ["ACTIVATE", "FREEZE"]
