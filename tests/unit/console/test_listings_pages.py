"""The listings pages and actions in process, the admin APIs faked: what they call, what they show."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.unit.console.conftest import Call, FakeServices, console_client, signed_in

SHA = "ab" * 32
SHOPS = {"shops": [{"shop_id": "7001", "name": "demo"}, {"shop_id": "7002", "name": "other"}]}
PROBLEMS = [{"rule": "R33", "code": "image_not_square", "field": "main_image", "message": "the image is not 1:1",
             "fix": "crop it square", "value": "800x600", "child_sku": None}]
READINESS = {"shop_id": "7001", "ready": False, "problems": 1, "checked_version": 2,
             "checked_at": "2026-12-03T10:00:00+00:00"}
LISTED = {"total": 51, "products": [{
    "seller_sku": "TEE", "title": "Organic tee", "parent_sku": None, "version": 2,
    "image": {"source": "img/front.jpg", "sha256": SHA}, "readiness": READINESS,
    "posting": {"shop_id": "7001", "state": "posted", "product_id": "17", "tiktok_status": "FAILED", "live": False,
                "audit_failed_reasons": [{"position": "title", "reasons": ["prohibited word"], "suggestions": []}],
                "posted_version": 2, "sku_ids": {"TEE": "171"}, "errors": []}}]}
PRODUCT = {"seller_sku": "TEE", "title": "Organic tee", "parent_sku": None, "version": 2,
           "record": {"seller_sku": "TEE", "category_id": "601", "main_image": {"source": "img/front.jpg", "sha256": SHA}},
           "links": [], "listings": [], "readiness": [READINESS], "postings": []}


class Services(FakeServices):
    """The conftest's fake, where a reply may also be a whole ``httpx.Response`` (an image with its type)."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        reply = self.routes.get((request.url.host.removesuffix(".test"), request.method, request.url.path))
        if not isinstance(reply, httpx.Response):
            return super().handler(request)
        self.calls.append(Call(request.url.host.removesuffix(".test"), request.method, request.url.path,
                               dict(request.url.params), None, request.headers.get("authorization")))
        return reply


@pytest.fixture
def listing() -> FakeServices:
    fake = Services()
    fake.answer("auth", "GET", "/shops", SHOPS)
    fake.answer("catalog", "GET", "/products", LISTED)
    fake.answer("catalog", "GET", "/products/TEE", PRODUCT)
    return fake


@pytest.mark.parametrize("path", ["/listings", "/listings/table", "/listings/TEE", f"/media/{SHA}",
                                  "/listings/categories?shop=7001&search=c"])
async def test_nothing_without_a_session(listing: FakeServices, path: str) -> None:
    async with console_client(listing) as client:
        answer = await client.get(path)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    assert [c for c in listing.calls if c.service == "catalog"] == []


async def test_the_list_shows_readiness_posting_review_and_a_thumbnail(listing: FakeServices) -> None:
    async with signed_in(listing) as client:
        answer = await client.get("/listings")
    assert answer.status_code == 200
    [call] = listing.made("catalog", "GET", "/products")
    assert call.params == {"shop": "7001", "limit": "50", "offset": "0"}  # the first shop by default
    text = answer.text
    assert f'src="/media/{SHA}"' in text and 'href="/listings/TEE?shop=7001"' in text
    assert "not ready: 1 problem" in text and "rejected by TikTok&#39;s review" in text and "prohibited word" in text
    assert "1–1 of 51 products" in text and "offset=50" in text  # a next page
    assert 'hx-get="/listings/table?shop=7001"' in text


async def test_search_state_and_page_go_to_the_catalog_and_stay_in_the_live_part(listing: FakeServices) -> None:
    async with signed_in(listing) as client:
        answer = await client.get("/listings/table", params={"shop": "7002", "state": "rejected", "search": "tee",
                                                             "offset": "50"})
    [call] = listing.made("catalog", "GET", "/products")
    assert call.params == {"shop": "7002", "state": "rejected", "search": "tee", "limit": "50", "offset": "50"}
    assert "<html" not in answer.text
    assert 'hx-get="/listings/table?shop=7002&amp;state=rejected&amp;search=tee&amp;offset=50"' in answer.text


async def test_an_error_of_the_catalog_is_shown_and_the_page_still_renders(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", "/products", (409, {"error": {"code": "shop_unknown", "message": "no shop 7001"}}))
    async with signed_in(listing) as client:
        answer = await client.get("/listings")
    assert answer.status_code == 200
    assert '<p class="flash error">Error: no shop 7001 (shop_unknown)</p>' in answer.text


async def test_a_check_lists_every_problem_with_its_rule_on_the_product_page(listing: FakeServices) -> None:
    listing.answer("catalog", "POST", "/products/TEE/check", {
        "seller_sku": "TEE", "shop_id": "7001", "ready": False, "version": 2, "problems": PROBLEMS})
    async with signed_in(listing) as client:
        before = await client.get("/listings/TEE", params={"shop": "7001"})
        done = await client.post("/listings/TEE/check", data={"csrf": client.csrf, "shop": "7001"},
                                 headers={"referer": "http://console.test/listings/TEE?shop=7001"})
        after = await client.get("/listings/TEE", params={"shop": "7001"})
        listed = await client.get("/listings")
    assert "the image is not 1:1" not in before.text and "gives only how many" in before.text
    assert done.status_code == 303 and done.headers["location"] == "/listings/TEE?shop=7001"
    [call] = listing.made("catalog", "POST", "/products/TEE/check")
    assert call.params == {"shop": "7001"}
    assert "TEE is not ready for shop 7001: 1 problem(s)." in after.text
    assert '<td class="rule">R33</td>' in after.text and "crop it square" in after.text and "800x600" in after.text
    assert "the image is not 1:1" in listed.text  # the list shows it too now


async def test_the_products_live_part_is_its_state_on_the_shop_alone(listing: FakeServices) -> None:
    async with signed_in(listing) as client:
        answer = await client.get("/listings/TEE/state", params={"shop": "7001"})
    assert answer.status_code == 200 and "<html" not in answer.text
    assert 'id="listing-state"' in answer.text and 'hx-get="/listings/TEE/state?shop=7001"' in answer.text
    assert "not ready: 1 problem" in answer.text and 'href="/listings/TEE?shop=7001"' in answer.text
    assert not listing.made("auth", "GET", "/shops")  # the part re-reads the product only


async def test_an_action_without_the_csrf_token_does_nothing(listing: FakeServices) -> None:
    async with signed_in(listing) as client:
        answer = await client.post("/listings/TEE/post", data={"shop": "7001"})
    assert answer.status_code == 403
    assert not listing.made("catalog", "POST", "/shops/7001/products/TEE/post")


async def test_post_says_what_tiktok_answered(listing: FakeServices) -> None:
    listing.answer("catalog", "POST", "/shops/7001/products/TEE/post", {
        "state": "failed", "errors": [{"code": "12052303", "message": "main image not 1:1", "fix": "crop it"}]})
    async with signed_in(listing) as client:
        await client.post("/listings/TEE/post", data={"csrf": client.csrf, "shop": "7001"})
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    assert "TEE was not posted to shop 7001: TikTok refused it." in shown.text
    assert "12052303: main image not 1:1 — crop it" in shown.text


async def test_a_refusal_of_the_service_is_shown_as_the_cli_shows_it(listing: FakeServices) -> None:
    listing.answer("catalog", "POST", "/shops/7001/products/TEE/post", (
        429, {"error": {"code": "daily_listing_limit", "message": "TikTok's daily listing limit"}}))
    async with signed_in(listing) as client:
        await client.post("/listings/TEE/post", data={"csrf": client.csrf, "shop": "7001"})
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    assert "Error: TikTok&#39;s daily listing limit (daily_listing_limit)" in shown.text


async def test_update_sends_the_chosen_mode_and_refuses_another(listing: FakeServices) -> None:
    listing.answer("catalog", "POST", "/shops/7001/products/TEE/update", {"product_id": "17", "fields": ["title"]})
    async with signed_in(listing) as client:
        await client.post("/listings/TEE/update", data={"csrf": client.csrf, "shop": "7001", "mode": "bogus"})
        refused = await client.get("/listings/TEE", params={"shop": "7001"})
        await client.post("/listings/TEE/update", data={"csrf": client.csrf, "shop": "7001", "mode": "partial"})
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    assert "give exactly one of --partial, --full, --inventory, --price" in refused.text
    [call] = listing.made("catalog", "POST", "/shops/7001/products/TEE/update")
    assert call.body == {"mode": "partial"}
    assert "TEE updated on shop 7001 (TikTok product 17, partial): title; back in TikTok&#39;s review." in shown.text


async def test_the_category_picker_searches_leaves_and_sets_the_records_category(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", "/shops/7001/categories", {"shop_id": "7001", "total": 1, "categories": [
        {"id": "605", "name": "Candles", "path": "Home > Decor > Candles", "is_leaf": True, "permission": "AVAILABLE"}]})
    listing.answer("catalog", "PATCH", "/products/TEE", {**PRODUCT, "version": 3, "became_ready": []})
    listing.answer("catalog", "POST", "/products/TEE/check", {"ready": False, "version": 3, "problems": PROBLEMS})
    async with signed_in(listing) as client:
        empty = await client.get("/listings/categories", params={"shop": "7001", "sku": "TEE", "search": " "})
        found = await client.get("/listings/categories", params={"shop": "7001", "sku": "TEE", "search": "cand"})
        await client.post("/listings/TEE/category", data={"csrf": client.csrf, "shop": "7001", "category_id": "605",
                                                          "path": "Home > Decor > Candles"})
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    assert "Type a part of a category" in empty.text
    [search] = listing.made("catalog", "GET", "/shops/7001/categories")
    assert search.params == {"search": "cand", "leaf": "true", "limit": "50"}
    assert "Home &gt; Decor &gt; Candles" in found.text and 'action="/listings/TEE/category"' in found.text
    [patch] = listing.made("catalog", "PATCH", "/products/TEE")
    assert patch.body == {"category_id": "605"}
    assert "TEE: category_id set to 605 (Home &gt; Decor &gt; Candles); record version 3." in shown.text
    [check] = listing.made("catalog", "POST", "/products/TEE/check")  # the catalog's re-check, with its problems
    assert check.params == {"shop": "7001"} and "TEE is not ready for shop 7001: 1 problem(s)." in shown.text


async def test_a_sku_with_a_slash_is_one_segment_of_the_api_path(listing: FakeServices) -> None:
    seen: list[bytes] = []

    def reply(request: httpx.Request) -> Any:
        seen.append(request.url.raw_path)
        return {**PRODUCT, "seller_sku": "TEE/RED"}

    listing.answer("catalog", "GET", "/products/TEE/RED", reply)
    async with signed_in(listing) as client:
        answer = await client.get("/listings/TEE%2FRED", params={"shop": "7001"})
    assert answer.status_code == 200 and seen == [b"/products/TEE%2FRED"]
    assert 'action="/listings/TEE%2FRED/check"' in answer.text


async def test_an_image_is_proxied_with_its_type(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", httpx.Response(
        200, content=b"\xff\xd8jpeg", headers={"content-type": "image/jpeg"}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA.upper()}")
    assert answer.status_code == 200 and answer.content == b"\xff\xd8jpeg"
    assert answer.headers["content-type"] == "image/jpeg"
    [call] = listing.made("catalog", "GET", f"/media/{SHA}")
    assert call.authorization is not None


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab" * 31, "zz" * 32])
async def test_only_a_sha256_is_asked_for(listing: FakeServices, key: str) -> None:
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{key}")
    assert answer.status_code == 404
    assert not [c for c in listing.calls if c.path.startswith("/media")]


async def test_a_file_that_is_no_image_is_not_served(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", httpx.Response(
        200, content=b"<svg onload=alert(1)>", headers={"content-type": "image/svg+xml"}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA}")
    assert answer.status_code == 415 and b"<svg" not in answer.content


async def test_a_missing_image_says_the_catalogs_error(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", (404, {"error": {"code": "media_not_found", "message": "no file"}}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA}")
    assert answer.status_code == 404 and answer.text == "Error: no file (media_not_found)"
