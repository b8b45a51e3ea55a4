"""R40 at scale against the broker and the sandbox: every changed SKU of one TikTok product goes in one
inventory/update call, TikTok's per-SKU errors fail only their SKU (a warehouse TikTok does not know is
a clear error on that SKU), and a shop with a backlog does not hold back another shop's change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from libs.common.events import new_event
from libs.common.events.inventory import InventoryChanged
from tests.integration.catalog.conftest import Harness, shop_row
from tests.support.waiting import until

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def _product(h: Harness, shop: str, prefix: str, skus: int) -> dict[str, Any]:
    """One TikTok product with ``skus`` SKUs of ours, imported: {"product_id", "sku_ids": {seller sku: id}}."""
    names = [f"{prefix}-{i:02d}" for i in range(skus)]
    for name in names:
        assert (await h.http.put(f"{h.url}/products/{name}", json={})).status_code == 200
    created = await h.listing(shop, f"Product {prefix}", [(name, "10.00", 1) for name in names])
    assert (await h.import_products(shop))["matched"] >= skus
    return {"product_id": created["product_id"], "sku_ids": {s["seller_sku"]: s["id"] for s in created["skus"]}}


async def _quantities(h: Harness, shop: str, product_id: str) -> dict[str, int]:
    from tests.support.stack import sandbox

    data = await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/shops/{shop}/products")
    [product] = [p for p in data["products"] if p["id"] == product_id]
    return {s["seller_sku"]: sum(int(i["quantity"]) for i in s["inventory"]) for s in product["skus"]}


async def test_ten_changed_skus_of_one_product_go_in_one_call(harness: Harness, unique: str) -> None:
    h = harness
    shop = await h.new_shop()
    tee = await _product(h, shop, f"TEN-{unique}", 10)
    calls = await h.calls(tee["product_id"])
    events = [InventoryChanged(seller_sku=sku, available=50 + n, occurred_at=T0)
              for n, sku in enumerate(sorted(tee["sku_ids"]))]  # an ERP sends a product's changes together
    await h.publisher.publish_many([(e.topic, e.key().encode(), new_event(e, source="tests/erp").to_bytes())
                                    for e in events])
    want = {sku: 50 + n for n, sku in enumerate(sorted(tee["sku_ids"]))}

    async def held() -> bool:
        return await _quantities(h, shop, tee["product_id"]) == want

    await until(held, timeout_s=20, what="all ten SKUs held on TikTok")
    await until(lambda: _all_uploaded(h, sorted(tee["sku_ids"]), shop), timeout_s=10, what="uploads recorded")
    assert await h.calls(tee["product_id"]) - calls == 1


async def _all_uploaded(h: Harness, skus: list[str], shop: str) -> bool:
    for sku in skus:
        row = shop_row((await h.http.get(f"{h.url}/inventory/{sku}")).json(), shop)
        if not row or row.get("upload_status") != "uploaded":
            return False
    return True


async def test_a_sku_tiktok_refuses_fails_alone_and_names_the_warehouse(harness: Harness, unique: str) -> None:
    """The event names a warehouse the shop does not have: that SKU is failed with TikTok's code and the
    warehouse, the product's other SKU in the same call is uploaded."""
    h = harness
    shop = await h.new_shop()
    pair = await _product(h, shop, f"PAIR-{unique}", 2)
    good, bad = sorted(pair["sku_ids"])
    await h.publish(InventoryChanged(seller_sku=bad, available=3, shop_id=shop, warehouse_id="999000111",
                                     occurred_at=T0))
    await h.publish(InventoryChanged(seller_sku=good, available=4, occurred_at=T0))
    body = await h.inventory(bad, until=lambda b: (shop_row(b, shop) or {}).get("upload_status") == "failed")
    row = shop_row(body, shop)
    assert row is not None and "999000111" in row["error"] and row["error_code"], row
    await until(lambda: _all_uploaded(h, [good], shop), timeout_s=10, what="the good SKU uploaded")
    assert (await _quantities(h, shop, pair["product_id"]))[good] == 4
    [status] = (await h.http.get(f"{h.url}/sync/status", params={"shop": shop})).json()["shops"]
    assert (status["kind"], status["waiting"], status["failed"]) == ("inventory", 0, 1), status
    assert status["calls_last_minute"] >= 1 and status["limit_per_minute"] == 3000 and status["last_success_at"]
    [failure] = status["failures"]
    assert failure["skus"] == 1 and "999000111" in failure["example"], failure


async def test_a_shop_with_a_backlog_does_not_hold_back_another_shops_change(harness: Harness, unique: str) -> None:
    """200 single-SKU products waiting on one shop (4 s of its 50 calls/s); one change on another shop is
    sent long before that backlog has drained."""
    h = harness
    busy, quiet = await h.new_shop(), await h.new_shop()
    names = [f"BUSY-{unique}-{i:03d}" for i in range(200)]
    for name in names:
        assert (await h.http.put(f"{h.url}/products/{name}", json={})).status_code == 200
        await h.listing(busy, f"Product {name}", [(name, "10.00", 1)])
    await h.import_products(busy)
    calm = await _product(h, quiet, f"CALM-{unique}", 1)
    [calm_sku] = calm["sku_ids"]
    start = datetime.now(UTC)
    for n, name in enumerate(names):
        await h.publish(InventoryChanged(seller_sku=name, available=7, occurred_at=start + timedelta(microseconds=n)))
    await h.publish(InventoryChanged(seller_sku=calm_sku, available=9, occurred_at=start))
    await h.wait_db("SELECT status FROM catalog.uploads WHERE shop_id = $1", quiet, until=lambda v: v == "uploaded",
                    timeout_s=20)
    waiting = await h.wait_db("SELECT count(*) FROM catalog.uploads WHERE shop_id = $1 AND status <> 'uploaded'",
                              busy, until=lambda n: n is not None)
    assert waiting > 0, "the busy shop's backlog had already drained: the test proves nothing"


async def test_the_shops_buffer_and_threshold_shape_what_tiktok_is_told(harness: Harness, unique: str) -> None:
    """R46: buffer 3 → 10 available is sent as 7; a new buffer of 50% re-sends the stock as 5; at or below
    the out-of-stock threshold 0 is sent; `inventory show` has both our level and what was sent."""
    from libs.common.events.shops import ShopSettingsChanged

    h = harness
    shop = await h.new_shop()
    one = await _product(h, shop, f"BUF-{unique}", 1)
    [sku] = one["sku_ids"]

    async def settings(**given: Any) -> None:
        await h.publish(ShopSettingsChanged(shop_id=shop, allow_inventory_upload=True, allow_price_upload=True,
                                            changed_at=datetime.now(UTC), **given))
        await h.wait_db("SELECT (inventory_buffer, out_of_stock_threshold) FROM catalog.shops WHERE shop_id = $1",
                        shop, until=lambda v: v is not None and tuple(v) == (given.get("inventory_buffer", "0"),
                                                                             given.get("out_of_stock_threshold", 0)))

    async def sent(quantity: int) -> dict[str, Any]:
        return await h.inventory(sku, until=lambda b: (shop_row(b, shop) or {}).get("sent") == quantity
                                 and shop_row(b, shop)["upload_status"] == "uploaded")  # type: ignore[index]

    await settings(inventory_buffer="3")
    await h.publish(InventoryChanged(seller_sku=sku, available=10, occurred_at=T0))
    row = shop_row(await sent(7), shop)
    assert row is not None and (row["our_level"], row["buffer"]) == (10, "3"), row
    assert (await _quantities(h, shop, one["product_id"]))[sku] == 7
    await settings(inventory_buffer="50%")  # no new stock change: the buffer alone re-sends
    await sent(5)
    await settings(inventory_buffer="50%", out_of_stock_threshold=5)
    await sent(0)
    assert (await _quantities(h, shop, one["product_id"]))[sku] == 0


async def test_a_shadow_follows_its_masters_stock_through_its_own_shops_buffer(harness: Harness, unique: str) -> None:
    """R42: linked, the shadow's listing (on another shop, buffer 2) takes the master's stock at once and on
    every change; the shadow's own stock change does not reach it; unlinked, its own stock goes back."""
    from libs.common.events.shops import ShopSettingsChanged

    h = harness
    main, second = await h.new_shop(), await h.new_shop()
    master = await _product(h, main, f"MASTER-{unique}", 1)
    shadow = await _product(h, second, f"SHADOW-{unique}", 1)
    [m], [s] = master["sku_ids"], shadow["sku_ids"]
    await h.publish(ShopSettingsChanged(shop_id=second, allow_inventory_upload=True, allow_price_upload=True,
                                        inventory_buffer="2", changed_at=datetime.now(UTC)))
    await h.wait_db("SELECT inventory_buffer FROM catalog.shops WHERE shop_id = $1", second, until=lambda v: v == "2")
    await h.publish(InventoryChanged(seller_sku=m, available=20, occurred_at=T0))
    await h.publish(InventoryChanged(seller_sku=s, available=3, occurred_at=T0))

    async def on(shop: str, product: dict[str, Any], sku: str, quantity: int) -> bool:
        return (await _quantities(h, shop, product["product_id"]))[sku] == quantity

    await until(lambda: on(second, shadow, s, 1), timeout_s=15, what="the shadow's own stock (3 less 2)")
    await until(lambda: on(main, master, m, 20), timeout_s=15, what="the master's stock")
    r = await h.http.post(f"{h.url}/shadows", json={"shadow_sku": s, "master_sku": m})
    assert r.status_code == 200 and r.json()["uploads_queued"] == 1, r.text
    await until(lambda: on(second, shadow, s, 18), timeout_s=15, what="the master's 20 less the shadow shop's 2")
    await h.publish(InventoryChanged(seller_sku=m, available=12, occurred_at=T0 + timedelta(seconds=1)))
    await until(lambda: on(second, shadow, s, 10), timeout_s=15, what="the master's change followed")
    assert await on(main, master, m, 12)
    await h.publish(InventoryChanged(seller_sku=s, available=50, occurred_at=T0 + timedelta(seconds=2)))
    await h.publish(InventoryChanged(seller_sku=m, available=13, occurred_at=T0 + timedelta(seconds=3)))  # barrier
    await until(lambda: on(second, shadow, s, 11), timeout_s=15, what="the master's next change")
    listed = (await h.http.get(f"{h.url}/shadows")).json()["shadows"]
    assert [(x["shadow_sku"], x["master_sku"], x["listings"]) for x in listed if x["shadow_sku"] == s] == [(s, m, 1)]
    assert (await h.http.post(f"{h.url}/shadows", json={"shadow_sku": m, "master_sku": s})).status_code == 409
    r = await h.http.delete(f"{h.url}/shadows/{s}")
    assert r.status_code == 200 and r.json()["master_sku"] == m, r.text
    await until(lambda: on(second, shadow, s, 48), timeout_s=15, what="the shadow's own 50 less 2 again")


async def test_a_send_in_flight_never_marks_a_row_queued_again_after_it_was_dropped_as_sent(harness: Harness,
                                                                                          unique: str) -> None:
    """R42 race (seen in CI): linking a shadow drops its queued levels and queues the master's; a send of the
    shadow's own level still in flight must not record the new row as sent, or the master's stock never goes.
    Run inside one transaction that is rolled back, so the running uploader never sees these rows."""
    import asyncpg

    from services.catalog.sync import repo
    from services.catalog.sync.domain import Kind, UploadStatus

    def level(quantity: int, at: datetime) -> repo.QueuedUpload:
        return repo.QueuedUpload(f"S-{unique}", f"P-{unique}", f"K-{unique}", Kind.INVENTORY, "", f"SH-{unique}",
                                 quantity, None, None, at, f"e-{quantity}", None)

    conn = await asyncpg.connect(harness.dsn, server_settings={"search_path": "catalog,public"})
    try:
        async with conn.transaction():
            assert await repo.queue_many(conn, [level(1, T0 + timedelta(hours=1))], coalesce_s=0) == 1
            claimed = await repo.claim_due(conn, limit=1000, lease_s=60)
            [in_flight] = [u for u in claimed if u.seller_sku == f"SH-{unique}"]
            await repo.forget(conn, f"SH-{unique}", Kind.INVENTORY)
            assert await repo.queue_many(conn, [level(18, T0)], coalesce_s=0) == 1  # the master's, an older clock
            assert not await repo.finish(conn, in_flight, status=UploadStatus.UPLOADED, called=True)
            row = await conn.fetchrow("SELECT status, quantity, sent_quantity FROM uploads WHERE seller_sku = $1",
                                      f"SH-{unique}")
            assert tuple(row) == ("pending", 18, 1), dict(row)
            raise _RolledBack
    except _RolledBack:
        pass
    finally:
        await conn.close()


class _RolledBack(Exception):
    """Raised to roll a test's transaction back."""
