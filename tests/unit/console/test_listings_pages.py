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
OTHER = {"rule": "R32", "code": "price_missing", "field": "price", "message": "no website price",
         "fix": "set price", "value": "none", "child_sku": None}
#: As the catalog answers a stored check (made by anyone: the console, the CLI, an import, auto-post).
READINESS = {"shop_id": "7001", "ready": False, "problems": 1, "problem_details": PROBLEMS, "checked_version": 2,
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
    assert '<span class="rule">R33</span> <code>main_image</code>: the image is not 1:1 (800x600)' in text
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


def problem_row(p: dict[str, Any]) -> str:
    """A problem as the product page's table shows it."""
    return (f'<tr><td class="rule">{p["rule"]}</td><td><code>{p["field"]}</code></td><td>{p["message"]}</td>'
            f'<td>{p["value"]}</td><td>{p["fix"]}</td></tr>')


async def test_a_product_checked_elsewhere_shows_every_problem_from_the_catalogs_answer(
        listing: FakeServices) -> None:
    elsewhere = {**READINESS, "shop_id": "7002", "problems": 1, "problem_details": [OTHER]}
    listing.answer("catalog", "GET", "/products/TEE", {**PRODUCT, "readiness": [READINESS, elsewhere]})
    async with signed_in(listing) as client:  # no check made from this console
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    assert problem_row(PROBLEMS[0]) in shown.text
    assert '<span class="rule">R32</span> <code>price</code>: no website price' in shown.text  # shop 7002's, below
    assert problem_row(OTHER) not in shown.text  # another shop's problems are not this shop's
    assert not listing.made("catalog", "POST", "/products/TEE/check")


async def test_a_check_goes_to_the_catalog_and_the_page_shows_what_the_catalog_then_holds(
        listing: FakeServices) -> None:
    checked: list[str] = []

    def check(request: httpx.Request) -> Any:
        checked.append(request.url.params["shop"])
        return {"seller_sku": "TEE", "shop_id": "7001", "ready": False, "version": 2, "problems": PROBLEMS}

    def stored(_: httpx.Request) -> Any:  # the check the catalog holds once it was made (here: other problems)
        return {**PRODUCT, "readiness": [{**READINESS, "problem_details": [OTHER]}] if checked else []}

    listing.answer("catalog", "POST", "/products/TEE/check", check)
    listing.answer("catalog", "GET", "/products/TEE", stored)
    async with signed_in(listing) as client:
        before = await client.get("/listings/TEE", params={"shop": "7001"})
        done = await client.post("/listings/TEE/check", data={"csrf": client.csrf, "shop": "7001"},
                                 headers={"referer": "http://console.test/listings/TEE?shop=7001"})
        after = await client.get("/listings/TEE", params={"shop": "7001"})
    assert "Never checked for this shop" in before.text and '<td class="rule">' not in before.text
    assert done.status_code == 303 and done.headers["location"] == "/listings/TEE?shop=7001"
    [call] = listing.made("catalog", "POST", "/products/TEE/check")
    assert call.params == {"shop": "7001"}
    assert "TEE is not ready for shop 7001: 1 problem(s)." in after.text
    # the problems are the catalog's (problem_details), not a copy of the check's answer kept by the console
    assert problem_row(OTHER) in after.text and "the image is not 1:1" not in after.text


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


async def test_the_product_page_lists_the_exact_children_of_the_matrix(listing: FakeServices) -> None:
    child = {"seller_sku": "RED-XL", "title": "Red, XL", "parent_sku": "TEE", "version": 1, "image": None,
             "readiness": {**READINESS, "problem_details": [OTHER]}, "posting": None}

    def products(request: httpx.Request) -> Any:
        return {"total": 1, "products": [child]} if request.url.params.get("parent") == "TEE" else LISTED

    listing.answer("catalog", "GET", "/products", products)
    async with signed_in(listing) as client:
        shown = await client.get("/listings/TEE", params={"shop": "7001"})
    [call] = listing.made("catalog", "GET", "/products")
    assert call.params == {"parent": "TEE", "shop": "7001", "limit": "200"}  # the parent's children, not a search
    assert "Variations (R39)" in shown.text and 'href="/listings/RED-XL?shop=7001"' in shown.text
    assert '<span class="rule">R32</span> <code>price</code>: no website price' in shown.text  # the child's problem


async def test_a_variation_asks_for_no_children(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", "/products/TEE-RED", {**PRODUCT, "seller_sku": "TEE-RED", "parent_sku": "TEE"})
    async with signed_in(listing) as client:
        shown = await client.get("/listings/TEE-RED", params={"shop": "7001"})
    assert shown.status_code == 200 and 'href="/listings/TEE?shop=7001"' in shown.text
    assert not listing.made("catalog", "GET", "/products")
