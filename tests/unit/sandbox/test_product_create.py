"""POST /product/202309/products: what is stored and shown, idempotency, refusals with every problem,
the daily listing limit, and the review that ends by itself after ``review_delay_s`` (webhook type 5)."""

from __future__ import annotations

from typing import Any

from libs.sandbox.listing_base import MAIN_IMAGE_UNKNOWN, MEDIA_REFERENCE_INVALID, TITLE_INVALID
from libs.sandbox.product_listing import LISTING_LIMIT_REACHED
from libs.sandbox.products import PRICE_INVALID, PRODUCT_STATE_INVALID
from libs.sandbox.settings import DAY_S
from tests.support.waiting import until
from tests.unit.sandbox.conftest import Sandbox, make_settings, open_sandbox
from tests.unit.sandbox.listing_helpers import good_tshirt_body, listing_check, upload_image
from tests.unit.sandbox.product_helpers import (
    PRODUCTS,
    Clock,
    api,
    by_seller_sku,
    create,
    events,
    get,
    held,
    ok,
    register,
)


async def test_create_is_pending_and_get_shows_what_was_sent() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(), clock=clock):
        shop = await box.new_shop()
        await register(box, clock, shop)
        body = await good_tshirt_body(box, shop)
        answer = await create(box, clock, shop, {**body, "idempotency_key": "tee-1"})
        assert answer["warnings"] == [] and [s["seller_sku"] for s in answer["skus"]] == ["TEE-RED-M", "TEE-RED-L"]
        color = answer["skus"][0]["sales_attributes"][0]
        assert color["name"] == "Color" and color["value_name"] == "Red" and color["id"] == body["skus"][0][
            "sales_attributes"][0]["id"]
        assert answer["skus"][1]["sales_attributes"][0] == color  # the same value, the same ids
        got = await get(box, clock, shop, answer["product_id"])
        assert got["status"] == "PENDING" and got["audit"] == {"status": "AUDITING"}
        assert got["title"] == body["title"] and got["description"] == body["description"]
        assert got["category_id"] == body["category_id"]
        assert [c["local_name"] for c in got["category_chains"]] == ["Womenswear", "Tops", "T-shirts"]
        assert got["brand"] == {"id": body["brand_id"], "name": "Northwind Apparel"}
        assert [i["uri"] for i in got["main_images"]] == [i["uri"] for i in body["main_images"]]
        assert all(i["urls"][0].startswith("https://") for i in got["main_images"])
        assert got["package_weight"] == body["package_weight"]
        assert got["package_dimensions"] == body["package_dimensions"]
        assert got["product_attributes"][0]["name"] == "Material"
        assert [v["name"] for v in got["product_attributes"][0]["values"]] == ["Cotton"]
        assert got["size_chart"]["image"]["uri"] == body["size_chart"]["image"]["uri"]
        medium = by_seller_sku(got)["TEE-RED-M"]
        assert medium["id"] == answer["skus"][0]["id"]
        assert medium["price"]["amount"] == "19.99" and medium["price"]["sale_price"] == "19.99"
        assert medium["price"]["currency"] == "USD"
        assert medium["inventory"] == [{"warehouse_id": shop.warehouse_id, "quantity": 10}]
        assert medium["identifier_code"] == {"type": "UPC", "code": "012345678905"}
        assert medium["sales_attributes"][0]["sku_img"]["uri"] == body["skus"][0]["sales_attributes"][0]["sku_img"]["uri"]
        assert [a["value_name"] for a in by_seller_sku(got)["TEE-RED-L"]["sales_attributes"]] == ["Red", "L"]
        [stored] = (await held(box, shop))["products"]
        assert stored["idempotency_key"] == "tee-1" and stored["live"] is None
        assert stored["brand"]["name"] == "Northwind Apparel" and stored["skus"] == got["skus"]
        assert await events(box) == []  # a create is answered, not announced


async def test_a_draft_is_kept_out_of_review() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(review_delay_s=1.0), clock=clock):
        shop = await box.new_shop()
        answer = await create(box, clock, shop, {**await good_tshirt_body(box, shop), "save_mode": "AS_DRAFT"})
        clock.now += 60
        got = await get(box, clock, shop, answer["product_id"])
        assert got["status"] == "DRAFT" and got["audit"] == {"status": "NOT_SUBMITTED"}
        refused = await api(box, clock, "POST", PRODUCTS, shop, {"save_mode": "LATER"})
        assert refused["code"] == 36009004 and "save_mode" in refused["message"]


async def test_the_same_idempotency_key_gives_the_first_product_back() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(), clock=clock):
        shop = await box.new_shop()
        body = await good_tshirt_body(box, shop)
        first = await create(box, clock, shop, {**body, "idempotency_key": "batch-7/row-3"})
        again = await create(box, clock, shop, {**body, "title": "Another title", "idempotency_key": "batch-7/row-3"})
        assert again == first
        broken = await create(box, clock, shop, {"idempotency_key": "batch-7/row-3"})  # even an invalid body
        assert broken["product_id"] == first["product_id"]
        assert [s["id"] for s in broken["skus"]] == [s["id"] for s in first["skus"]]
        shown = await held(box, shop)
        assert len(shown["products"]) == 1 and shown["listed_today"] == 1
        assert shown["products"][0]["title"] == body["title"]
        other = await box.new_shop()  # keys are per shop: this one is checked (and refused: no uploads)
        refused = await api(box, clock, "POST", PRODUCTS, other, {**body, "idempotency_key": "batch-7/row-3"})
        assert refused["code"] == MEDIA_REFERENCE_INVALID and "main_images[0]" in refused["message"]
        too_long = await api(box, clock, "POST", PRODUCTS, shop, {**body, "idempotency_key": "k" * 129})
        assert too_long["code"] == 36009004 and "128" in too_long["message"]


async def test_a_body_with_several_problems_is_refused_whole() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(), clock=clock):
        await _refused_whole(box, clock)


async def _refused_whole(box: Sandbox, clock: Clock) -> None:
    shop = await box.new_shop()
    body = await good_tshirt_body(box, shop)
    body["title"] = ""
    body["main_images"][1] = {"uri": "tos-nowhere/1"}
    body["skus"][0]["price"]["amount"] = "0"
    expected = (await listing_check(box, shop, body))["fail_reasons"]
    assert [f["code"] for f in expected] == [TITLE_INVALID, MAIN_IMAGE_UNKNOWN, PRICE_INVALID]
    refused = await api(box, clock, "POST", PRODUCTS, shop, {**body, "idempotency_key": "bad-1"})
    assert refused["code"] == TITLE_INVALID and refused["data"] == {}
    assert "3 problems" in refused["message"]
    assert all(f"[{f['code']}] {f['message']}" in refused["message"] for f in expected)
    shown = await held(box, shop)
    assert shown["products"] == [] and shown["listed_today"] == 0
    body["title"] = "Fixed title for a cotton T-shirt"
    body["main_images"][1] = {"uri": (await upload_image(box, shop, color=(1, 2, 3)))["uri"]}
    body["skus"][0]["price"]["amount"] = "19.99"
    fixed = await create(box, clock, shop, {**body, "idempotency_key": "bad-1"})  # a refusal keeps no key
    assert [p["id"] for p in (await held(box, shop))["products"]] == [fixed["product_id"]]


async def test_the_daily_listing_limit_counts_creates_not_replays() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(), clock=clock):
        shop = await box.new_shop()
        await box.control("POST", f"/sandbox/shops/{shop.shop_id}/listing-limit", {"per_day": 2})
        body = await good_tshirt_body(box, shop)
        first = await create(box, clock, shop, {**body, "idempotency_key": "a"})
        await create(box, clock, shop, {**body, "idempotency_key": "b"})
        third = await api(box, clock, "POST", PRODUCTS, shop, {**body, "idempotency_key": "c"})
        assert third["code"] == LISTING_LIMIT_REACHED and "daily listing limit reached" in third["message"]
        assert await create(box, clock, shop, {**body, "idempotency_key": "a"}) == first
        shown = await held(box, shop)
        assert len(shown["products"]) == 2 and shown["listed_today"] == 2 and shown["listing_limit_per_day"] == 2
        clock.now = (clock.now // DAY_S + 1) * DAY_S  # 00:00 UTC the next day
        await create(box, clock, shop, {**body, "idempotency_key": "c"})
        assert len((await held(box, shop))["products"]) == 3


async def test_the_default_daily_limit_comes_from_settings() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(listing_limit_per_day=1), clock=clock):
        shop = await box.new_shop()
        body = await good_tshirt_body(box, shop)
        await create(box, clock, shop, body)
        assert (await api(box, clock, "POST", PRODUCTS, shop, body))["code"] == LISTING_LIMIT_REACHED
        assert (await held(box, shop))["listing_limit_per_day"] == 1


async def test_review_approves_by_itself_after_the_delay() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(review_delay_s=2.0), clock=clock):
        shop = await box.new_shop()
        await register(box, clock, shop)
        answer = await create(box, clock, shop, await good_tshirt_body(box, shop))
        pid, sku_id = answer["product_id"], answer["skus"][0]["id"]
        price = {"skus": [{"id": sku_id, "price": {"amount": "17.00", "currency": "USD"}}]}
        pending_price = await api(box, clock, "POST", f"{PRODUCTS}/{pid}/prices/update", shop, price)
        assert pending_price["code"] == PRODUCT_STATE_INVALID  # prices change on live listings only
        clock.now += 1.5
        assert (await get(box, clock, shop, pid))["status"] == "PENDING"
        assert await events(box) == []
        clock.now += 1.0
        got = await get(box, clock, shop, pid)
        assert got["status"] == "ACTIVATE" and got["audit"] == {"status": "APPROVED"}
        await get(box, clock, shop, pid)
        [event] = await events(box)
        assert event["type"] == 5 and event["shop_id"] == shop.shop_id
        assert event["data"] == {"product_id": pid, "status": "ACTIVATE", "suspended_reason": "",
                                 "update_time": got["update_time"]}
        late = await box.http.post(f"/sandbox/products/{pid}/review", json={"decision": "reject"})
        assert late.status_code == 400 and late.json()["code"] == PRODUCT_STATE_INVALID
        await ok(box, clock, "POST", f"{PRODUCTS}/{pid}/prices/update", shop, price)
        assert (await get(box, clock, shop, pid))["skus"][0]["price"]["amount"] == "17.00"
        assert len(await events(box)) == 1


async def test_the_background_tick_ends_a_due_review_without_any_request() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(review_delay_s=0.5), clock=clock):
        shop = await box.new_shop()
        await register(box, clock, shop)
        answer = await create(box, clock, shop, await good_tshirt_body(box, shop))
        clock.now += 1

        await until(lambda sandbox=box: _delivered(sandbox), timeout_s=10,  # the tick (every 0.5 s) sends it
                    what="the review ended by the background tick")
        [event] = await events(box)
        assert event["data"]["product_id"] == answer["product_id"] and event["data"]["status"] == "ACTIVATE"


async def test_without_a_delay_only_the_control_call_ends_the_review() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(review_delay_s=None), clock=clock):
        shop = await box.new_shop()
        await register(box, clock, shop)
        pid = (await create(box, clock, shop, await good_tshirt_body(box, shop)))["product_id"]
        clock.now += 3600
        assert (await get(box, clock, shop, pid))["status"] == "PENDING"
        reasons: list[Any] = ["Main image has a watermark"]
        await box.control("POST", f"/sandbox/products/{pid}/review", {"decision": "reject", "reasons": reasons})
        got = await get(box, clock, shop, pid)
        assert got["status"] == "FAILED" and got["audit"] == {"status": "FAILED"}
        assert got["audit_failed_reasons"] == [
            {"position": "product", "reasons": ["Main image has a watermark"], "suggestions": []}
        ]
        [event] = await events(box)
        assert event["data"]["status"] == "FAILED" and event["data"]["product_id"] == pid


async def _delivered(box: Sandbox) -> bool:
    """A webhook was sent (no call to the sandbox is made while waiting)."""
    return bool(box.captured)
