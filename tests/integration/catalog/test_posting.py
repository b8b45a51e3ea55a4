"""Posting to TikTok (R38, R39, R45) against the sandbox: a ready product becomes one TikTok product with
its images (each uploaded once per shop), identifier and SKUs; posting again makes no second one; TikTok's
listing check refusals come back with its codes and nothing is created; a product that is not ready is
refused before any TikTok call."""

from __future__ import annotations

from typing import Any

from tests.integration.catalog.conftest import (
    Harness,
    posting_of,
    ready_product,
    ready_shop,
    served,
    tiktok_products,
    upc,
    upload_media,
)
from tests.support.images import image_bytes
from tests.support.stack import collect, sandbox


async def test_a_ready_product_is_posted_once_with_its_images_and_identifier(harness: Harness, unique: str) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"POST-{unique}"
    await ready_product(h, unique, tee, attrs, sku)
    uploads_before = await served(h, "/product/202309/images/upload")
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 200, r.text
    posted = r.json()
    assert posted["state"] == "posted" and posted["product_id"] and posted["sku_ids"].get(sku), posted
    [product] = [p for p in await tiktok_products(h, shop) if p["id"] == posted["product_id"]]
    assert product["status"] == "PENDING" and unique in product["title"]
    [tiktok_sku] = product["skus"]
    assert tiktok_sku["seller_sku"] == sku and tiktok_sku["id"] == posted["sku_ids"][sku]
    assert (tiktok_sku.get("identifier_code") or {}).get("code") == upc(unique), tiktok_sku
    assert len(product.get("main_images") or []) == 2, product
    assert not product.get("brand"), product  # no brand given: none sent
    assert await served(h, "/product/202309/images/upload") - uploads_before == 2

    again = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert again.status_code == 409 and posted["product_id"] in again.text
    assert len([p for p in await tiktok_products(h, shop) if unique in p["title"]]) == 1

    other = f"POST2-{unique}"  # the same two images: already on TikTok for this shop, not sent again
    await ready_product(h, unique, tee, attrs, other, upc=upc(unique, 1))
    assert (await h.http.post(f"{h.url}/shops/{shop}/products/{other}/post")).status_code == 200
    assert await served(h, "/product/202309/images/upload") - uploads_before == 2
    events = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=2, timeout_s=20,
                           predicate=lambda e: e["type"] == "ListingPosted" and e["data"]["seller_sku"] == sku)
    assert len(events) == 1 and events[0]["data"]["product_id"] == posted["product_id"], [e["data"] for e in events]


async def test_a_product_that_is_not_ready_is_refused_before_any_tiktok_call(harness: Harness, unique: str) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"NOTREADY-{unique}"
    await ready_product(h, unique, tee, attrs, sku, price=None)
    before, uploads = await served(h, "/product/", shop), await served(h, "/product/202309/images/upload")
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 409 and "price" in r.text and "R32" in r.text
    assert await served(h, "/product/", shop) == before  # no listing check, no create
    assert await served(h, "/product/202309/images/upload") == uploads  # uploads are the seller's, not the shop's


async def test_tiktoks_listing_check_refusal_is_reported_with_its_code_and_nothing_is_created(
    harness: Harness, unique: str
) -> None:
    """Chinese characters in a title pass our rules but not TikTok's."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"HANZI-{unique}"
    title = f"Organic cotton T恤 {unique} in a soft jersey"
    await ready_product(h, unique, tee, attrs, sku, title=title)
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["state"] == "failed" and result["product_id"] is None
    assert any("title" in e["message"].lower() and e["fix"] for e in result["errors"]), result
    assert not [p for p in await tiktok_products(h, shop) if p.get("title") == title]
    failed = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=1, timeout_s=20,
                           predicate=lambda e: e["type"] == "ListingFailed" and e["data"]["seller_sku"] == sku)
    assert failed and failed[0]["data"]["errors"][0]["code"] == result["errors"][0]["code"]


async def test_tiktoks_review_is_followed_by_webhook_and_by_the_reconciliation_poll(harness: Harness, unique: str) -> None:
    """R43: TikTok's decision reaches the catalog from a signed type-5 webhook or, when that is lost, from
    the poll; each change is stored and published once as ListingUpdated; the listing then takes stock."""
    import hashlib
    import hmac
    import json

    from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
    from tests.support.waiting import until

    h = harness
    shop, tee, attrs = await ready_shop(h)
    approved, rejected = f"REVIEW-OK-{unique}", f"REVIEW-NO-{unique}"
    await ready_product(h, unique, tee, attrs, approved)
    await ready_product(h, unique, tee, attrs, rejected, upc=upc(unique, 7))
    ids = {}
    for sku in (approved, rejected):
        r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
        assert r.status_code == 200 and r.json()["state"] == "posted", r.text
        ids[sku] = r.json()["product_id"]

    # a lost webhook: TikTok approves, nothing is sent to us; the poll finds it
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{ids[approved]}/review", json={"decision": "approve"})

    async def state(sku: str, status: str) -> dict[str, Any] | None:
        found = await posting_of(h, sku)
        return found if found.get("tiktok_status") == status else None

    await until(lambda: state(approved, "ACTIVATE"), timeout_s=30, what="approval seen by the poll")

    # a webhook: TikTok rejects with reasons; the signed notification makes the catalog read it back
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{ids[rejected]}/review",
                  json={"decision": "reject", "reasons": ["title contains a prohibited word"]})
    body = json.dumps({"type": 5, "tts_notification_id": f"n-{unique}", "shop_id": shop, "timestamp": 0,
                       "data": {"product_id": ids[rejected], "status": "FAILED"}}).encode()
    sign = hmac.new(SANDBOX_APP_SECRET.encode(), SANDBOX_APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    assert (await h.http.post(f"{h.url}/webhooks/tiktok", content=body, headers={"Authorization": "bad"})).status_code == 401
    r = await h.http.post(f"{h.url}/webhooks/tiktok", content=body, headers={"Authorization": sign})
    assert r.status_code == 200 and r.json()["outcome"] == "queued"
    failed = await until(lambda: state(rejected, "FAILED"), timeout_s=30, what="rejection seen")
    assert "prohibited" in json.dumps(failed["audit_failed_reasons"])

    events = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=10, timeout_s=8, predicate=lambda e: (
        e["type"] == "ListingUpdated" and e["data"]["seller_sku"] in (approved, rejected)))
    statuses = sorted((e["data"]["seller_sku"], e["data"]["status"]) for e in events)
    assert statuses == sorted([(approved, "ACTIVATE"), (rejected, "FAILED")]), statuses


async def test_a_matrix_of_three_variations_with_matrix_images_and_no_brand_is_one_tiktok_product(
    harness: Harness, unique: str
) -> None:
    """R39, R35, R36: the parent and its 3 children are one product with one SKU each, the children's
    colours as sales attributes and each child's own image as its SKU image; with brand info off no brand
    is sent; each SKU carries its own identifier."""
    from datetime import UTC, datetime

    from libs.common.events.shops import ShopSettingsChanged

    h = harness
    shop, tee, attrs = await ready_shop(h)
    await h.publish(ShopSettingsChanged(shop_id=shop, send_brand_info=False, send_matrix_image=True,
                                        changed_at=datetime.now(UTC)))
    await h.wait_db("SELECT send_matrix_image FROM catalog.shops WHERE shop_id = $1", shop, until=lambda v: v is True)
    parent = f"MATRIX-{unique}"
    body = await ready_product(h, unique, tee, attrs, parent, upc=None, price=None, brand="Acme")
    colours = ("Red", "Blue", "Green")
    for i, colour in enumerate(colours):
        image = await upload_media(h, image_bytes(800, 800, color=(40 * i, 100, 200)))
        r = await h.http.put(f"{h.url}/products/{parent}-{colour}", json={
            "parent_sku": parent, "price": f"{19 + i}.90", "currency": "USD", "upc": upc(unique, 10 + i),
            "sales_attributes": {"Color": colour}, "main_image": image, "enabled": "true"})
        assert r.status_code == 200, r.text
    check = (await h.http.post(f"{h.url}/products/{parent}/check", params={"shop": shop})).json()
    assert check["ready"], check["problems"]
    uploads = await served(h, "/product/202309/images/upload")
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{parent}/post")
    assert r.status_code == 200 and r.json()["state"] == "posted", r.text
    posted = r.json()
    assert set(posted["sku_ids"]) == {f"{parent}-{c}" for c in colours}
    [product] = [p for p in await tiktok_products(h, shop) if p["id"] == posted["product_id"]]
    assert not product.get("brand") and body["title"] == product["title"]
    by_sku = {s["seller_sku"]: s for s in product["skus"]}
    assert set(by_sku) == set(posted["sku_ids"])
    for i, colour in enumerate(colours):
        sku = by_sku[f"{parent}-{colour}"]
        [sales] = sku["sales_attributes"]
        assert sales.get("value_name", "").lower() == colour.lower() or sales.get("value_id"), sales
        assert sales.get("sku_img", {}).get("uri"), sales  # matrix image on
        assert sku["identifier_code"]["code"] == upc(unique, 10 + i)
    assert await served(h, "/product/202309/images/upload") - uploads == 2 + 3  # main + gallery, 3 SKU images


async def test_a_crash_between_tiktoks_answer_and_storing_it_posts_one_product(
    harness: Harness, unique: str, monkeypatch: Any
) -> None:
    """The catalog fails right after TikTok created the product (before the id is stored): posting again
    sends the same idempotency key and TikTok answers the same product; there is one listing."""
    from services.catalog.posting import repo as posting_repo

    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"CRASH-{unique}"
    await ready_product(h, unique, tee, attrs, sku)
    real = posting_repo.posted

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise ConnectionResetError("the catalog died here")

    monkeypatch.setattr(posting_repo, "posted", crash)
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 500
    assert [p for p in await tiktok_products(h, shop) if unique in p["title"]]  # TikTok has it
    monkeypatch.setattr(posting_repo, "posted", real)
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 200 and r.json()["state"] == "posted", r.text
    mine = [p for p in await tiktok_products(h, shop) if unique in p["title"]]
    assert len(mine) == 1 and mine[0]["id"] == r.json()["product_id"]


async def test_a_bulk_post_pauses_at_tiktoks_daily_limit_and_resumes_by_itself(harness: Harness, unique: str) -> None:
    """R44: `--all-ready` is one job; at TikTok's daily listing limit (12052093) it pauses and says so,
    and when TikTok allows more it resumes by itself; every product is posted exactly once."""
    from tests.support.waiting import poll_json

    h = harness
    shop, tee, attrs = await ready_shop(h)
    skus = [f"BULK-{unique}-{i}" for i in range(3)]
    for i, sku in enumerate(skus):
        await ready_product(h, unique, tee, attrs, sku, upc=upc(unique, 20 + i), title=f"Bulk tee {i} {unique} soft")
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/shops/{shop}/listing-limit", json={"per_day": 2})
    r = await h.http.post(f"{h.url}/shops/{shop}/posts", json={"all_ready": True})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.json()["total"] == 3
    paused = await poll_json(h.http, f"{h.url}/jobs/{job_id}", timeout_s=60,
                             until=lambda j: j["status"] == "paused" and j["posted"] == 2)
    assert "daily listing limit" in paused["error"] and paused["waiting"] == 1, paused
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/shops/{shop}/listing-limit", json={"per_day": 10})
    done = await poll_json(h.http, f"{h.url}/jobs/{job_id}", timeout_s=60, until=lambda j: j["status"] == "done")
    assert (done["posted"], done["failed"], done["waiting"]) == (3, 0, 0), done
    titles = [p["title"] for p in await tiktok_products(h, shop) if unique in p["title"]]
    assert sorted(titles) == sorted(f"Bulk tee {i} {unique} soft" for i in range(3))
    again = await h.http.post(f"{h.url}/shops/{shop}/posts", json={"all_ready": True})
    assert again.status_code == 409  # nothing left: everything ready is on TikTok


async def test_a_brand_tiktok_no_longer_authorises_fails_the_post_with_12052201_and_what_to_do(
    harness: Harness, unique: str
) -> None:
    """R35: our brand data said authorised, TikTok has withdrawn it since: the whole product is refused
    (12052201), nothing is created, and the seller reads TikTok's code, its message and our hint."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    assert (await h.http.post(f"{h.url}/shops/{shop}/brands/download", json={})).status_code == 200
    sku = f"BRANDED-{unique}"
    await ready_product(h, unique, tee, attrs, sku, brand="Northwind Apparel")
    check = (await h.http.post(f"{h.url}/products/{sku}/check", params={"shop": shop})).json()
    assert check["ready"] and check["brand_to_send"], check
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/shops/{shop}/brands/{check['brand_to_send']}/authorization",
                  json={"authorized": False})
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["state"] == "failed" and result["product_id"] is None, result
    [error] = [e for e in result["errors"] if e["code"] == "12052201"]
    assert "not authorised" in error["message"] and "Seller Center" in error["fix"], error
    assert not [p for p in await tiktok_products(h, shop) if unique in p["title"]]
    failed = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=1, timeout_s=20,
                           predicate=lambda e: e["type"] == "ListingFailed" and e["data"]["seller_sku"] == sku)
    assert failed and "12052201" in [e["code"] for e in failed[0]["data"]["errors"]]


async def test_a_create_whose_answer_tiktok_loses_is_retried_with_the_same_key_and_makes_one_product(
    harness: Harness, unique: str
) -> None:
    """TikTok creates the product and answers 500 (or the answer times out): the client sends the create
    again with the same idempotency key, TikTok answers the product it made, and there is one listing.
    A storm of such answers leaves the post in flight; posting again later answers the same product."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    create = "/product/202309/products"

    async def lose(times: int | None) -> None:
        await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/faults", json={
            "kind": "lost_answer", "path": create, "exact": True, "shop_id": shop,
            **({"times": times} if times else {"duration_s": 60})})

    async def creates() -> int:
        counts = await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/requests",
                               params={"path": create, "shop_id": shop})
        return int(counts["counts"].get(create, 0))

    once = f"LOST-{unique}"
    await ready_product(h, unique, tee, attrs, once, title=f"Lost answer tee {unique} in a soft jersey")
    before = await creates()
    await lose(1)
    posted = await h.http.post(f"{h.url}/shops/{shop}/products/{once}/post")
    assert posted.status_code == 200 and posted.json()["state"] == "posted", posted.text
    assert await creates() - before == 2  # the first send, and its retry
    mine = [p for p in await tiktok_products(h, shop) if p["title"] == f"Lost answer tee {unique} in a soft jersey"]
    assert [p["id"] for p in mine] == [posted.json()["product_id"]]

    storm = f"STORM-{unique}"
    await ready_product(h, unique, tee, attrs, storm, upc=upc(unique, 50), title=f"Storm tee {unique} soft jersey")
    await lose(None)
    try:
        r = await h.http.post(f"{h.url}/shops/{shop}/products/{storm}/post")
        assert r.status_code == 503 and "never a second one" in r.text, r.text
        assert (await posting_of(h, storm))["state"] == "posting"  # in flight, its key kept
    finally:
        await sandbox(h.http, "DELETE", f"{h.sandbox_url}/sandbox/faults")
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{storm}/post")
    assert r.status_code == 200 and r.json()["state"] == "posted", r.text
    assert len([p for p in await tiktok_products(h, shop) if p["title"] == f"Storm tee {unique} soft jersey"]) == 1


async def test_certifications_are_uploaded_and_attached_for_the_category_that_requires_them(
    harness: Harness, unique: str
) -> None:
    """R37: a toy needs its Children's Product Certificate: the PDF goes up with files/upload, the scan of it
    with images/upload as CERTIFICATION_IMAGE, and both are attached to the certification TikTok names."""
    from tests.integration.catalog.conftest import attributes_job, leaf, required_values

    h = harness
    shop, tee, attrs = await ready_shop(h)
    blocks = await leaf(h, shop, "Building blocks")
    await attributes_job(h, shop, category_id=blocks["id"])
    detail = (await h.http.get(f"{h.url}/shops/{shop}/categories/{blocks['id']}/attributes")).json()
    [cert] = [c for c in detail["certifications"] if c["required"]]
    pdf = await upload_media(h, b"%PDF-1.7\n% certificate of conformity " + unique.encode() + b"\n%%EOF\n")
    scan = await upload_media(h, image_bytes(700, 700, color=(250, 250, 240)))
    sku = f"TOY-{unique}"
    await ready_product(h, unique, tee, attrs, sku, category_id=blocks["id"], title=f"Wooden blocks {unique} set",
                        attributes=required_values(detail["attributes"]), documents={cert["name"]: [pdf, scan]})
    files = await served(h, "/product/202309/files/upload")
    posted = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert posted.status_code == 200 and posted.json()["state"] == "posted", posted.text
    assert await served(h, "/product/202309/files/upload") == files + 1
    [product] = [p for p in await tiktok_products(h, shop) if p["id"] == posted.json()["product_id"]]
    [attached] = product["certifications"]
    assert attached["id"] == cert["id"], attached
    assert len(attached["files"]) == 1 and len(attached["images"]) == 1, attached
