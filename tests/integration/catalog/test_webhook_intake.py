"""Issue 12, webhooks, at the catalog receiver (type 5, PRODUCT_STATUS_CHANGE; the running catalog service,
real PostgreSQL, broker and sandbox): what is not a signed TikTok notification of at most 1 MiB queues no
read-back and publishes nothing; a re-sent notification is read back once."""

from __future__ import annotations

from typing import Any

from tests.integration.catalog.conftest import Harness, posting_of, ready_product, ready_shop, served, upc
from tests.support.stack import collect, sandbox
from tests.support.waiting import until
from tests.support.webhooks import notification, post, refusals, refused_before_the_body_ends

PRODUCT_STATUS_CHANGE = 5


async def seen_notifications(h: Harness, shop_id: str) -> list[str]:
    return await h.wait_db(  # type: ignore[no-any-return]
        "SELECT coalesce(array_agg(tts_notification_id ORDER BY received_at), '{}')"
        " FROM catalog.webhook_notifications WHERE shop_id = $1", shop_id, until=lambda _: True)


async def queued_checks(h: Harness, shop_id: str) -> int:
    return int(await h.wait_db("SELECT count(*) FROM catalog.review_checks WHERE shop_id = $1", shop_id,
                               until=lambda _: True))


async def test_refused_webhooks_queue_nothing_and_a_resent_one_is_read_back_once(harness: Harness, unique: str) -> None:
    h = harness
    shop, tee, attrs = await ready_shop(h)
    rejected, other = f"HOOK-NO-{unique}", f"HOOK-OTHER-{unique}"
    await ready_product(h, unique, tee, attrs, rejected)
    await ready_product(h, unique, tee, attrs, other, upc=upc(unique, 3))
    ids: dict[str, str] = {}
    for sku in (rejected, other):
        r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku}/post")
        assert r.status_code == 200 and r.json()["state"] == "posted", r.text
        ids[sku] = r.json()["product_id"]
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{ids[rejected]}/review",
                  json={"decision": "reject", "reasons": ["title contains a prohibited word"]})

    async def reads(sku: str) -> int:
        return await served(h, f"/product/202309/products/{ids[sku]}", shop)

    before, before_other = await reads(rejected), await reads(other)
    valid = notification(PRODUCT_STATUS_CHANGE, shop, {"product_id": ids[rejected], "status": "FAILED"},
                         notification_id=f"review-{unique}")
    for case in refusals(valid):
        r = await case.send(h.http, h.url)
        assert (r.status_code, r.json()["error"]["code"]) == (case.status, case.code), (case.what, r.text)
    declared, streamed = await refused_before_the_body_ends(h.url)
    assert declared.startswith(b"HTTP/1.1 413") and streamed.startswith(b"HTTP/1.1 413"), (declared, streamed)
    assert await seen_notifications(h, shop) == [] and await queued_checks(h, shop) == 0

    # The barrier: the valid notification itself is queued (had a refused body been taken it would be a
    # duplicate), read back, and TikTok's rejection published once as ListingUpdated.
    taken = await post(h.http, h.url, valid)
    assert taken.json() == {"ok": True, "outcome": "queued", "duplicate": False}, taken.text

    async def failed() -> dict[str, Any] | None:
        found = await posting_of(h, rejected)
        return found if found.get("tiktok_status") == "FAILED" else None

    await until(failed, timeout_s=30, what="the rejection read back")
    events = await collect(h.kafka_bootstrap, "catalog.listing-changed", count=1, timeout_s=20, predicate=lambda e: (
        e["type"] == "ListingUpdated" and e["data"]["seller_sku"] == rejected))
    assert [e["data"]["status"] for e in events] == ["FAILED"]
    assert await reads(rejected) == before + 1

    # TikTok sends it again once it has been read back: acknowledged, nothing queued. A notification about
    # the other product, queued after it, is the barrier: once that one is read back, a check the re-send
    # had queued would have been read too.
    again = await post(h.http, h.url, valid)
    assert again.status_code == 200 and again.json() == {"ok": True, "outcome": "duplicate", "duplicate": True}
    barrier = notification(PRODUCT_STATUS_CHANGE, shop, {"product_id": ids[other], "status": "PENDING"},
                           notification_id=f"review-other-{unique}")
    assert (await post(h.http, h.url, barrier)).json()["outcome"] == "queued"

    async def other_read() -> bool:
        return await reads(other) > before_other and await queued_checks(h, shop) == 0

    await until(other_read, timeout_s=30, what="the other product read back")
    assert await reads(rejected) == before + 1
    assert await seen_notifications(h, shop) == [valid["tts_notification_id"], barrier["tts_notification_id"]]
