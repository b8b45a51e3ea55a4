"""The orders service as a process: shops arrive over Kafka, orders leave over Kafka, the admin API
and the webhook receiver work over HTTP. Real PostgreSQL, broker and sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from libs.common.events import ShopConnected, ShopSettingsChanged, new_event
from libs.common.kafka import KafkaPublisher
from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.signing import webhook_signature
from tests.integration.orders.conftest import SandboxTokens, new_seller, place_order
from tests.support.servers import serve_app
from tests.support.stack import collect
from tests.support.waiting import until


async def test_orders_service_end_to_end(
    orders_app: FastAPI, kafka_bootstrap: str, sandbox_url: str, http: httpx.AsyncClient, tokens: SandboxTokens,
) -> None:
    app = orders_app
    seller = await new_seller(http, sandbox_url, tokens)
    shop_id = seller.shop_id

    async with serve_app(app) as url:
        publisher = KafkaPublisher(kafka_bootstrap)
        await publisher.start()
        try:
            now = datetime.now(UTC)
            for data in (
                ShopConnected(shop_id=shop_id, connected_at=now),
                ShopSettingsChanged(shop_id=shop_id, allow_order_download=True, changed_at=now),
            ):
                event = new_event(data, source="ttshop/auth")
                await publisher.publish(data.topic, event.to_bytes(), key=shop_id.encode())
        finally:
            await publisher.stop()

        async def shop_known() -> bool:
            shops = (await http.get(f"{url}/shops")).json()["shops"]
            return any(s["shop_id"] == shop_id and s["allow_order_download"] for s in shops)

        await until(shop_known, timeout_s=30, every_s=0.1)

        polled_order = await place_order(http, sandbox_url, shop_id)
        poll = await http.post(f"{url}/shops/{shop_id}/poll")
        assert poll.status_code == 200 and poll.json()["new"] == 1

        detail = (await http.get(f"{url}/orders/{polled_order['id']}")).json()
        assert detail["lines"][0]["quantity"] == 2 and len(detail["lines"][0]["line_item_ids"]) == 2
        assert detail["totals"]["total"] == "39.98" and detail["channel"] == "TikTok Shop"
        listed = (await http.get(f"{url}/orders", params={"shop": shop_id, "status": "In Process"})).json()
        assert [o["order_id"] for o in listed["orders"]] == [polled_order["id"]]

        job_order = await place_order(http, sandbox_url, shop_id)
        created = await http.post(f"{url}/jobs/download", json={"shop": shop_id})
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]

        async def job_done() -> dict[str, Any] | None:
            job = (await http.get(f"{url}/jobs/{job_id}")).json()
            return job if job["status"] in ("done", "failed") else None

        job = await until(job_done, timeout_s=30, every_s=0.1)
        assert (job["status"], job["orders_seen"], job["orders_new"]) == ("done", 2, 1)

        refused = await http.post(f"{url}/jobs/download", json={"shop": "unknown-shop"})
        assert refused.status_code == 409 and "unknown-shop" in refused.json()["error"]["message"]

        hooked_order = await place_order(http, sandbox_url, shop_id)
        body = json.dumps({"type": 1, "tts_notification_id": "wh-1", "shop_id": shop_id, "timestamp": 0,
                           "data": {"order_id": hooked_order["id"]}}).encode()
        bad = await http.post(f"{url}/webhooks/tiktok", content=body, headers={"Authorization": "nope"})
        assert bad.status_code == 401
        good = await http.post(
            f"{url}/webhooks/tiktok", content=body,
            headers={"Authorization": webhook_signature(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, body)},
        )
        assert good.status_code == 200

        wanted = {polled_order["id"], job_order["id"], hooked_order["id"]}
        events = await collect(
            kafka_bootstrap, "orders.downloaded", count=3,
            predicate=lambda e: e.get("data", {}).get("order_id") in wanted,
        )
        assert sorted(e["data"]["order_id"] for e in events) == sorted(wanted)
        assert all(e["type"] == "OrderDownloaded" and e["shopid"] == shop_id for e in events)

        # after-sales over the admin API (R15-R17)
        cancelled = await http.post(f"{url}/orders/{job_order['id']}/cancel", json={"reason": "Out of stock"})
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["tiktok_status_now"] == "CANCELLED"
        seen = (await http.get(f"{url}/orders/{job_order['id']}/cancellations")).json()["cancellations"]
        assert [(c["initiated_by"], c["applied"]) for c in seen] == [("SELLER", True)]
        again = await http.post(f"{url}/orders/{job_order['id']}/cancel", json={"reason": "twice"})
        assert again.status_code == 409 and "CANCELLED" in again.json()["error"]["message"]
        refunded = await http.post(f"{url}/orders/{polled_order['id']}/refund", json={"lines": ["TSHIRT-RED-M"]})
        assert refunded.status_code == 200 and refunded.json()["refund_amount"] == "39.98"
        [listed] = (await http.get(f"{url}/orders/{polled_order['id']}/refunds")).json()["refunds"]
        assert (listed["amount"], listed["currency"], len(listed["line_item_ids"])) == ("39.98", "USD", 2)
        assert listed["return_id"] == refunded.json()["return_id"]
        assert (await http.get(f"{url}/orders/{job_order['id']}/refunds")).json() == {"refunds": []}
        imported = await http.post(f"{url}/shops/{shop_id}/settlements/import")
        assert imported.status_code == 200 and imported.json()["skipped"] is False
        cancellations = await collect(
            kafka_bootstrap, "orders.cancellation-detected", count=1,
            predicate=lambda e: e.get("data", {}).get("order_id") == job_order["id"],
        )
        assert cancellations[0]["data"]["initiated_by"] == "SELLER"
