"""TikTok's taxonomy (R30, R31, R35, R37) downloaded from the sandbox into the catalog and exported, and
the readiness check on top of it (R32-R36): every problem at once, ProductReady once per transition."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import openpyxl
from pydantic import SecretStr

from libs.common.events.shops import ShopSettingsChanged
from libs.common.gtin import gs1_check_digit
from tests.integration.catalog.conftest import (
    Harness,
    attributes_job,
    download,
    leaf,
    ready_shop,
    required_values,
    upload_media,
)
from tests.support.images import image_bytes
from tests.support.stack import collect, sandbox
from tests.support.waiting import poll_json


async def test_category_tree_downloaded_listed_exported_and_a_redownload_reports_changes(
    harness: Harness, unique: str
) -> None:
    h = harness
    shop = await h.new_shop(region="US")
    first = await download(h, shop)
    assert first["total"] == first["added"] and first["leaves"] >= 200 and first["removed"] == 0
    tee = await leaf(h, shop, "T-shirts")
    assert " > " in tee["path"] and tee["is_leaf"]

    xlsx = await h.http.get(f"{h.url}/shops/{shop}/categories/export", params={"filename": "c.xlsx"})
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["id", "name", "parent id", "parent name", "full path", "leaf", "permission"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref and sheet[1][0].font.bold
    assert sheet.max_row == first["total"] + 1
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == tee["id"])
    assert row[4] == tee["path"] and row[5] == "yes" and row[6] == "AVAILABLE"
    csv = await h.http.get(f"{h.url}/shops/{shop}/categories/export", params={"filename": "c.csv"})
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("\n") == first["total"] + 1

    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/categories/{tee['id']}/permission",
                  json={"status": "INVITE_ONLY", "shop_id": shop})
    again = await download(h, shop)
    assert (again["added"], again["removed"], again["now_invite_only"]) == (0, 0, 1), again
    assert again["examples"]["now_invite_only"][0]["id"] == tee["id"]


async def test_attributes_of_one_category_and_of_every_leaf_download_as_jobs(harness: Harness, unique: str) -> None:
    h = harness
    shop = await h.new_shop(region="GB")  # a v1 shop: no category_version
    tree = await download(h, shop)
    tee = await leaf(h, shop, "T-shirts")
    one = await attributes_job(h, shop, category_id=tee["id"])
    assert (one["status"], one["total"], one["done"], one["failed"]) == ("done", 1, 1, 0), one
    r = await h.http.get(f"{h.url}/shops/{shop}/categories/{tee['id']}/attributes")
    body = r.json()
    assert any(a["required"] and a["type"] == "PRODUCT_PROPERTY" for a in body["attributes"]), body
    assert any(a["type"] == "SALES_PROPERTY" for a in body["attributes"])

    every = await attributes_job(h, shop, all_leaves=True)
    assert every["status"] == "done" and every["total"] == tree["leaves"] == every["done"] + every["failed"]
    assert every["failed"] == 0, every["errors"]


async def test_seven_problems_reported_at_once_then_product_ready_published_once(harness: Harness, unique: str) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    square, oblong = await upload_media(h, image_bytes(800, 800)), await upload_media(h, image_bytes(1200, 800))
    sku = f"READY-{unique}"
    body = f"{int(unique, 16) % 10**11:011d}"  # a UPC no other test's product has (R36: one code, one SKU)
    upc = body + str(gs1_check_digit(body))
    wrong_digit = body + str((gs1_check_digit(body) + 1) % 10)
    broken = {"title": "Tee", "description": "<p>Soft tee</p>", "enabled": "false", "currency": "USD",
              "category_id": tee["id"], "main_image": oblong, "images": [square], "upc": wrong_digit,
              "length": "30", "width": "20", "height": "3", "dimension_unit": "CENTIMETER"}
    assert (await h.http.put(f"{h.url}/products/{sku}", json=broken)).status_code == 200
    r = await h.http.post(f"{h.url}/products/{sku}/check", params={"shop": shop})
    assert r.status_code == 200, r.text
    result = r.json()
    codes = {p["code"] for p in result["problems"]}
    expected = {"product_disabled", "price_missing", "image_not_square", "attribute_required_missing",
                "weight_missing", "identifier_check_digit_invalid"}
    assert not result["ready"] and expected <= codes, result["problems"]
    assert len(result["problems"]) >= 7 and all(p["rule"] and p["fix"] for p in result["problems"])

    fixed = {"enabled": "true", "price": "19.90", "main_image": square, "upc": upc, "weight": "0.2",
             "weight_unit": "KILOGRAM", "attributes": required_values(attrs)}
    r = await h.http.patch(f"{h.url}/products/{sku}", json=fixed)
    assert r.status_code == 200, r.text
    assert [b["seller_sku"] for b in r.json()["became_ready"] if b["shop_id"] == shop] == [sku], r.json()
    check = (await h.http.post(f"{h.url}/products/{sku}/check", params={"shop": shop})).json()
    assert check["ready"] and check["identifier"] == {"type": "UPC", "code": upc}, check
    assert (await h.http.patch(f"{h.url}/products/{sku}", json={"title": "Tee, softer"})).status_code == 200

    barrier = f"BARRIER-{unique}"
    assert (await h.http.put(f"{h.url}/products/{barrier}", json={**broken, **fixed, "upc": None})).status_code == 200
    events = await collect(h.kafka_bootstrap, "catalog.product-ready", count=10, timeout_s=5,
                           predicate=lambda e: e["data"]["seller_sku"] in (sku, barrier) and e["data"]["shop_id"] == shop)
    seen = [e["data"]["seller_sku"] for e in events]
    assert seen.count(barrier) == 1 and seen.count(sku) == 1, seen


async def test_catalogue_check_summarises_ready_and_the_most_common_problems(harness: Harness, unique: str) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    square = await upload_media(h, image_bytes(800, 800))
    good = {"title": "T", "description": "d", "price": "5", "currency": "USD", "category_id": tee["id"],
            "main_image": square, "images": [square], "weight": "1", "weight_unit": "KILOGRAM", "length": "1",
            "width": "1", "height": "1", "dimension_unit": "CENTIMETER", "attributes": required_values(attrs)}
    for i in range(3):
        assert (await h.http.put(f"{h.url}/products/SUM-{unique}-{i}", json=good)).status_code == 200
        assert (await h.http.put(f"{h.url}/products/SUMBAD-{unique}-{i}", json={**good, "price": None})).status_code == 200
    await h.publish(ShopSettingsChanged(shop_id=shop, send_brand_info=False, changed_at=datetime.now(UTC)))
    r = await h.http.post(f"{h.url}/shops/{shop}/check")
    summary = r.json()
    assert summary["ready"] >= 3 and summary["not_ready"] >= 3, summary
    assert any(p["code"] == "price_missing" and p["products"] >= 3 for p in summary["top_problems"]), summary
    assert all(f"SUM-{unique}-{i}" not in summary["not_ready_skus"] for i in range(3))



async def test_an_attribute_job_whose_worker_died_is_taken_over_and_resumes_where_it_stopped(
    harness: Harness, unique: str
) -> None:
    """The job was running on a worker that died after 5 of 12 categories (its lease still held, then
    expired): the service's worker takes it over and downloads only the 7 left, counting each once."""
    import asyncpg

    h = harness
    shop = await h.new_shop(region="GB")
    await download(h, shop)
    leaves = [c["id"] for c in (await h.http.get(f"{h.url}/shops/{shop}/categories",
                                                  params={"leaf": "true", "limit": 12})).json()["categories"]]
    conn = await asyncpg.connect(h.dsn)
    try:
        job_id = await conn.fetchval(
            "INSERT INTO catalog.taxonomy_jobs (id, shop_id, kind, status, total, done, lease_owner, lease_until)"
            " VALUES (gen_random_uuid(), $1, 'attributes', 'running', 12, 5, gen_random_uuid(),"
            " now() + interval '1 hour') RETURNING id", shop)
        await conn.executemany("INSERT INTO catalog.taxonomy_job_items (job_id, category_id, status) VALUES ($1, $2, $3)",
                               [(job_id, cid, "done" if i < 5 else "pending") for i, cid in enumerate(leaves)])
        before = {cid: await _served(h, cid) for cid in leaves}
        await conn.execute("UPDATE catalog.taxonomy_jobs SET lease_until = now() - interval '1 second' WHERE id = $1",
                           job_id)
    finally:
        await conn.close()
    job = await poll_json(h.http, f"{h.url}/jobs/{job_id}", until=lambda j: j["status"] == "done", timeout_s=60)
    assert (job["done"], job["failed"], job["total"]) == (12, 0, 12), job
    fetched = {cid: await _served(h, cid) - before[cid] for cid in leaves}
    assert [fetched[c] for c in leaves[:5]] == [0] * 5 and [fetched[c] for c in leaves[5:]] == [1] * 7, fetched


async def _served(h: Harness, category_id: str) -> int:
    path = f"/product/202309/categories/{category_id}/attributes"
    return int((await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/requests", params={"path": path}))["total"])


async def test_brands_download_with_their_authorisation_decides_the_brand_sent(harness: Harness, unique: str) -> None:
    """R35: brands downloaded for the category our product uses; an authorised brand is the one sent, one
    not authorised there is a problem, and with "send brand info" off no brand is checked or sent."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"BRAND-{unique}"
    square = await upload_media(h, image_bytes(800, 800))
    body = {"title": "T", "description": "d", "price": "5", "currency": "USD", "category_id": tee["id"],
            "main_image": square, "images": [square], "weight": "1", "weight_unit": "KILOGRAM", "length": "1",
            "width": "1", "height": "1", "dimension_unit": "CENTIMETER", "attributes": required_values(attrs)}
    assert (await h.http.put(f"{h.url}/products/{sku}", json=body)).status_code == 200
    r = await h.http.post(f"{h.url}/shops/{shop}/brands/download", json={})
    assert r.status_code == 200, r.text
    counts = r.json()
    assert counts["brands"] >= 10 and tee["id"] in counts["categories"], counts

    authorised = await _tiktok_brands(h, shop, tee["id"], authorized=True)
    unauthorised = [b for b in await _tiktok_brands(h, shop, tee["id"], authorized=False)
                    if b["id"] not in {a["id"] for a in authorised}]
    assert authorised and unauthorised

    async def check(brand: str) -> dict[str, Any]:
        assert (await h.http.patch(f"{h.url}/products/{sku}", json={"brand": brand})).status_code == 200
        return (await h.http.post(f"{h.url}/products/{sku}/check", params={"shop": shop})).json()  # type: ignore[no-any-return]

    good = await check(authorised[0]["name"])
    assert good["ready"] and good["brand_to_send"] == authorised[0]["id"], good
    bad = await check(unauthorised[0]["id"])
    assert [p["code"] for p in bad["problems"]] == ["brand_not_authorised"], bad
    await h.publish(ShopSettingsChanged(shop_id=shop, send_brand_info=False, changed_at=datetime.now(UTC)))
    await h.wait_db("SELECT send_brand_info FROM catalog.shops WHERE shop_id = $1", shop, until=lambda v: v is False)
    off = (await h.http.post(f"{h.url}/products/{sku}/check", params={"shop": shop})).json()
    assert off["ready"] and off["brand_to_send"] is None, off


async def _tiktok_brands(h: Harness, shop: str, category_id: str, *, authorized: bool) -> list[dict[str, Any]]:
    """The brands as TikTok lists them for the category (read straight from the sandbox, signed)."""
    from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
    from libs.common.tiktok.client import TikTokClient

    client = TikTokClient(http=h.http, base_url=h.sandbox_url, app_key=SANDBOX_APP_KEY,
                          app_secret=SecretStr(SANDBOX_APP_SECRET), tokens=h.tokens, limiter=None)
    found: list[dict[str, Any]] = []
    async for page in client.paginate("GET", "/product/202309/brands", items_key="brands", shop_id=shop,
                                      params={"category_id": category_id, "is_authorized": str(authorized).lower(),
                                              "category_version": "v2"}):
        found.extend(page)
    return found
