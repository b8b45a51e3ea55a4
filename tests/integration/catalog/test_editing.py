"""Updating products already on TikTok (R38, R39, R43) against the sandbox: a rejected product is fixed and
sent back with a partial edit of only what changed, then approved; variations added and removed after
posting follow with an edit; a full update replaces the product; stock and price are pushed on demand and
flow to a live product while an edit is in review; a record edited while its post is in flight is sent
next, not lost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from libs.common.events.inventory import InventoryChanged
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
from tests.support.waiting import until


async def _post(h: Harness, shop: str, sku: str) -> dict[str, Any]:
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
    assert r.status_code == 200 and r.json()["state"] == "posted", r.text
    return r.json()  # type: ignore[no-any-return]


async def _update(h: Harness, shop: str, sku: str, mode: str, status: int = 200) -> dict[str, Any]:
    r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/update", json={"mode": mode})
    assert r.status_code == status, r.text
    return r.json()  # type: ignore[no-any-return]


async def _on_tiktok(h: Harness, shop: str, product_id: str) -> dict[str, Any]:
    [product] = [p for p in await tiktok_products(h, shop) if p["id"] == product_id]
    return product


async def _status(h: Harness, sku: str, status: str) -> dict[str, Any] | None:
    found = await posting_of(h, sku)
    return found if found.get("tiktok_status") == status else None


async def _review(h: Harness, product_id: str, **decision: Any) -> None:
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{product_id}/review", json=decision)


async def test_a_rejected_product_is_fixed_sent_back_with_a_partial_edit_and_approved(
    harness: Harness, unique: str
) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"FIXME-{unique}"
    body = await ready_product(h, unique, tee, attrs, sku, title=f"Miracle cure tee {unique} in a soft jersey")
    posted = await _post(h, shop, sku)
    product_id = posted["product_id"]
    assert (await _update(h, shop, sku, "partial", 409))["error"]["message"].endswith("nothing to update")

    await _review(h, product_id, decision="reject", reasons=["title makes a medical claim"])
    failed = await until(lambda: _status(h, sku, "FAILED"), timeout_s=30, what="rejection seen")
    assert "medical claim" in str(failed["audit_failed_reasons"])

    fixed_title = f"Organic cotton tee {unique} in a soft jersey"
    r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "title": fixed_title})
    assert r.status_code == 200, r.text
    edits = await served(h, f"/product/202309/products/{product_id}/partial_edit", shop)
    result = await _update(h, shop, sku, "partial")
    assert result["fields"] == ["title"] and result["tiktok_status"] == "PENDING", result
    assert await served(h, f"/product/202309/products/{product_id}/partial_edit", shop) == edits + 1
    on_tiktok = await _on_tiktok(h, shop, product_id)
    assert on_tiktok["title"] == fixed_title and on_tiktok["status"] == "PENDING"
    assert len(on_tiktok["main_images"]) == 2  # what the edit did not send is kept
    assert len([p for p in await tiktok_products(h, shop) if unique in p["title"]]) == 1

    await _review(h, product_id, decision="approve")
    live = await until(lambda: _status(h, sku, "ACTIVATE"), timeout_s=30, what="approval seen")
    assert live["audit_failed_reasons"] == [] and live["posted_version"] == live["record_version"]
    events = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=10, timeout_s=8, predicate=lambda e: (
        e["type"] == "ListingUpdated" and e["data"]["seller_sku"] == sku))
    assert [(e["data"]["fields"], e["data"]["status"]) for e in events] == [
        (["status"], "FAILED"), (["title"], "PENDING"), (["status"], "ACTIVATE")]


async def test_variations_added_and_removed_after_posting_follow_with_an_edit(harness: Harness, unique: str) -> None:
    """R39: a new child is added to the TikTok product, a disabled one removed; the kept one keeps its id."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    parent = f"GROW-{unique}"
    await ready_product(h, unique, tee, attrs, parent, upc=None, price=None)

    async def child(colour: str, i: int, **extra: Any) -> None:
        r = await h.http.put(f"{h.url}/products/{parent}-{colour}", json={
            "parent_sku": parent, "price": "21.00", "currency": "USD", "upc": upc(unique, 30 + i),
            "sales_attributes": {"Color": colour}, **extra})
        assert r.status_code == 200, r.text

    await child("Red", 0)
    await child("Blue", 1)
    posted = await _post(h, shop, parent)
    assert set(posted["sku_ids"]) == {f"{parent}-Red", f"{parent}-Blue"}
    await child("Green", 2)
    await child("Red", 0, enabled="false")
    result = await _update(h, shop, parent, "partial")
    assert result["fields"] == ["skus"], result
    assert (result["skus_added"], result["skus_removed"]) == ([f"{parent}-Green"], [f"{parent}-Red"])
    on_tiktok = await _on_tiktok(h, shop, posted["product_id"])
    by_sku = {s["seller_sku"]: s["id"] for s in on_tiktok["skus"]}
    assert set(by_sku) == {f"{parent}-Blue", f"{parent}-Green"}
    assert by_sku[f"{parent}-Blue"] == posted["sku_ids"][f"{parent}-Blue"]
    assert result["sku_ids"] == by_sku
    shown = (await h.http.get(f"{h.url}/products/{parent}-Red")).json()
    assert not [x for x in shown["listings"] if x["shop_id"] == shop]  # no longer a listing of ours
    green = (await h.http.get(f"{h.url}/products/{parent}-Green")).json()
    assert [x["sku_id"] for x in green["listings"] if x["shop_id"] == shop] == [by_sku[f"{parent}-Green"]]


async def test_a_full_update_replaces_the_product_with_the_record(
    harness: Harness, unique: str
) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"FULL-{unique}"
    body = await ready_product(h, unique, tee, attrs, sku)
    posted = await _post(h, shop, sku)
    new_main = await upload_media(h, image_bytes(820, 820, color=(10, 200, 30)))
    before = {i["uri"] for i in (await _on_tiktok(h, shop, posted["product_id"]))["main_images"]}
    new_back = await upload_media(h, image_bytes(840, 840, color=(200, 20, 30)))
    r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "main_image": new_main, "images": [new_back],
                                                          "description": "<p>Now heavier jersey</p>"})
    assert r.status_code == 200, r.text
    edits = await served(h, f"/product/202309/products/{posted['product_id']}/partial_edit", shop)
    result = await _update(h, shop, sku, "full")
    assert sorted(result["fields"]) == ["description", "main_images"], result
    on_tiktok = await _on_tiktok(h, shop, posted["product_id"])
    assert on_tiktok["description"] == "<p>Now heavier jersey</p>" and len(on_tiktok["main_images"]) == 2
    assert not before & {i["uri"] for i in on_tiktok["main_images"]}  # both images replaced
    assert await served(h, f"/product/202309/products/{posted['product_id']}/partial_edit", shop) == edits

    # TikTok freezes the product: an edit is refused with TikTok's code, stored, published; TikTok's copy stays
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{posted['product_id']}/status",
                  json={"status": "FREEZE", "reason": "counterfeit report"})
    r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "main_image": new_main, "images": [new_back],
                                                          "description": "<p>Frozen edit</p>"})
    assert r.status_code == 200, r.text
    refused = await _update(h, shop, sku, "partial")
    assert refused["refused"] and [e["code"] for e in refused["errors"]] == ["12019005"], refused
    assert (await _on_tiktok(h, shop, posted["product_id"]))["description"] == "<p>Now heavier jersey</p>"
    failed = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=1, timeout_s=20, predicate=lambda e: (
        e["type"] == "ListingFailed" and e["data"]["seller_sku"] == sku))
    assert failed[0]["data"]["operation"] == "update" and failed[0]["data"]["errors"][0]["code"] == "12019005"


async def test_stock_and_price_reach_a_posted_product_once_live_and_on_demand(harness: Harness, unique: str) -> None:
    """R40 with R43: stock received during the first review is sent when TikTok approves; while a later edit
    is in review the approved version stays on sale, so stock still flows; `--price` pushes the record's price."""
    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"LEVELS-{unique}"
    body = await ready_product(h, unique, tee, attrs, sku)
    posted = await _post(h, shop, sku)
    sku_id = posted["sku_ids"][sku]
    await h.publish(InventoryChanged(seller_sku=sku, available=17, occurred_at=datetime.now(UTC)))
    await h.wait_db("SELECT status FROM catalog.uploads WHERE sku_id = $1 AND kind = 'inventory'", sku_id,
                    until=lambda v: v == "skipped")  # in review: not on sale yet
    await _review(h, posted["product_id"], decision="approve")
    await until(lambda: _quantity(h, shop, sku_id, 17), timeout_s=30, what="stock sent once live")

    r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "title": f"Organic tee {unique} relaxed fit"})
    assert r.status_code == 200, r.text
    assert (await _update(h, shop, sku, "partial"))["tiktok_status"] == "PENDING"
    await h.publish(InventoryChanged(seller_sku=sku, available=5, occurred_at=datetime.now(UTC)))
    await until(lambda: _quantity(h, shop, sku_id, 5), timeout_s=30, what="stock sent while the edit is in review")

    calls = await h.calls(posted["product_id"])
    pushed = await _update(h, shop, sku, "inventory")
    assert [(s["seller_sku"], s["status"], s["quantity"]) for s in pushed["skus"]] == [(sku, "uploaded", 5)]
    assert await h.calls(posted["product_id"]) == calls + 1
    r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "title": f"Organic tee {unique} relaxed fit",
                                                          "price": "24.90"})
    assert r.status_code == 200, r.text
    priced = await _update(h, shop, sku, "price")
    assert [(s["status"], s["amount"]) for s in priced["skus"]] == [("uploaded", "24.90")], priced
    assert (await h.tiktok_sku(shop, sku_id))["price"]["sale_price"] == "24.90"


async def _quantity(h: Harness, shop: str, sku_id: str, quantity: int) -> bool:
    sku = await h.tiktok_sku(shop, sku_id)
    return sum(int(i["quantity"]) for i in sku["inventory"]) == quantity


async def test_a_record_edited_while_its_post_is_in_flight_is_sent_next(
    harness: Harness, unique: str, monkeypatch: Any
) -> None:
    from services.catalog.posting.tiktok import PostingTikTok

    h = harness
    shop, tee, attrs = await ready_shop(h)
    sku = f"INFLIGHT-{unique}"
    body = await ready_product(h, unique, tee, attrs, sku)
    newer = f"Organic cotton tee {unique} edited mid-flight"
    real = PostingTikTok.create

    async def create_while_edited(self: PostingTikTok, shop_id: str, payload: dict[str, Any], **kw: Any) -> Any:
        if payload["title"] != newer:
            r = await h.http.put(f"{h.url}/products/{sku}", json={**body, "title": newer})
            assert r.status_code == 200, r.text
        return await real(self, shop_id, payload, **kw)

    monkeypatch.setattr(PostingTikTok, "create", create_while_edited)
    result = await _post(h, shop, sku)
    assert result.get("caught_up_from_version") and result["fields"] == ["title"], result
    assert (await _on_tiktok(h, shop, result["product_id"]))["title"] == newer
    assert len([p for p in await tiktok_products(h, shop) if unique in p["title"]]) == 1


async def _ready_event_handled(h: Harness, sku: str, shop: str) -> None:
    """Barrier: the catalog has consumed the ProductReady it published for ``sku`` on ``shop``."""
    event_id = await h.wait_db(
        "SELECT event_id FROM catalog.outbox WHERE event_type = 'ProductReady'"
        " AND convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'seller_sku' = $1"
        " AND convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'shop_id' = $2", sku, shop,
        until=lambda v: v is not None)
    await h.wait_db("SELECT count(*) FROM catalog.inbox WHERE event_id = $1", event_id, until=lambda n: n == 1)


async def test_auto_post_posts_a_product_when_it_becomes_ready_and_only_with_the_switch_on(
    harness: Harness, unique: str
) -> None:
    from libs.common.events.shops import ShopSettingsChanged

    h = harness
    shop, tee, attrs = await ready_shop(h)
    manual = f"MANUAL-{unique}"
    await ready_product(h, unique, tee, attrs, manual, title=f"Hand posted tee {unique} soft jersey")
    await _ready_event_handled(h, manual, shop)
    assert not await posting_of(h, manual)  # auto-post is off by default: ready, and not posted

    await h.publish(ShopSettingsChanged(shop_id=shop, auto_post=True, allow_inventory_upload=True,
                                        allow_price_upload=True, changed_at=datetime.now(UTC)))
    await h.wait_db("SELECT auto_post FROM catalog.shops WHERE shop_id = $1", shop, until=lambda v: v is True)
    try:
        await _auto_posted(h, shop, unique, tee, attrs, manual)
    finally:  # the package's other tests make ready products too: this shop must not take them
        await h.publish(ShopSettingsChanged(shop_id=shop, auto_post=False, allow_inventory_upload=True,
                                            allow_price_upload=True, changed_at=datetime.now(UTC)))
        await h.wait_db("SELECT auto_post FROM catalog.shops WHERE shop_id = $1", shop, until=lambda v: v is False)


async def _auto_posted(h: Harness, shop: str, unique: str, tee: dict[str, Any], attrs: list[dict[str, Any]],
                       manual: str) -> None:
    from tests.support.waiting import poll_json

    auto = f"AUTO-{unique}"
    await ready_product(h, unique, tee, attrs, auto, upc=upc(unique, 40), title=f"Auto posted tee {unique} jersey")
    posted = await until(lambda: _status(h, auto, "PENDING"), timeout_s=30, what="auto-posted")
    assert posted["product_id"] and posted["sku_ids"][auto]
    mine = [p for p in await tiktok_products(h, shop) if unique in p["title"]]
    assert [p["title"] for p in mine] == [f"Auto posted tee {unique} jersey"]
    job_id = await h.wait_db("SELECT id::text FROM catalog.post_jobs WHERE shop_id = $1 AND kind = 'auto'", shop,
                             until=lambda v: v is not None)
    job = await poll_json(h.http, f"{h.url}/jobs/{job_id}", timeout_s=30, until=lambda j: j["status"] == "done")
    assert (job["kind"], job["total"], job["posted"]) == ("auto post", 1, 1), job
    assert not await posting_of(h, manual)  # a product ready before the switch came on waits for the seller
