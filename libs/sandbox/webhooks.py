"""Signed webhook delivery, like TikTok's: POST JSON, ``Authorization`` = HMAC(app_key + body),
retried on non-2xx or timeout after each of ``webhook_retry_delays_s``, then dropped.

Delivery runs in background tasks so the request that caused the event is never held up.
One ``httpx.AsyncClient`` is shared; ``start``/``aclose`` are called from the app lifespan.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import httpx
import structlog

from libs.common.tiktok.signing import webhook_signature
from libs.sandbox.state import SandboxState

log = structlog.get_logger(__name__)

ORDER_STATUS_CHANGE = 1
EVENT_TYPES = {
    "ORDER_STATUS_CHANGE": 1,
    "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5,
    "SELLER_DEAUTHORIZATION": 6,
    "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11,
    "RETURN_STATUS_CHANGE": 12,
    "PRODUCT_INFORMATION_CHANGE": 15,
}


class WebhookPoster:
    def __init__(self, state: SandboxState, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._state = state
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        #: deliveries that got a 2xx / that were dropped after the last retry (for tests and demos)
        self.delivered = 0
        self.dropped = 0

    async def start(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=self._state.settings.webhook_timeout_s
            )

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def drain(self) -> None:
        """Waits until every scheduled delivery finished (delivered or dropped)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def address_for(self, shop_id: str, event_type: str) -> str:
        shop = self._state.shop(shop_id)
        registered = shop.webhooks.get(event_type) if shop else None
        return registered or self._state.webhook_url

    def order_changed(self, shop_id: str, order_id: str) -> None:
        """OrderListener: snapshot the order now, deliver later."""
        order = self._state.orders.get(order_id)
        if order is None:
            return
        data = {
            "order_id": order.id,
            "order_status": order.status,
            "is_on_hold_order": order.is_on_hold_order,
            "update_time": order.update_time,
        }
        self.publish(shop_id, "ORDER_STATUS_CHANGE", data)

    def publish(self, shop_id: str, event_type: str, data: dict[str, Any]) -> None:
        url = self.address_for(shop_id, event_type)
        if not url:
            return
        notification_id = secrets.token_hex(12)
        payload = {
            "type": EVENT_TYPES[event_type],
            "tts_notification_id": notification_id,
            "shop_id": shop_id,
            "timestamp": int(self._state.clock()),
            "data": data,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        task = asyncio.get_running_loop().create_task(self._deliver(url, body, notification_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, body: bytes, notification_id: str) -> None:
        settings = self._state.settings
        headers = {
            "content-type": "application/json",
            "Authorization": webhook_signature(
                settings.app_key, settings.app_secret.get_secret_value(), body
            ),
        }
        delays = [0.0, *settings.webhook_retry_delays_s]
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                await asyncio.sleep(delay)
            await self.start()  # lazily, when the app runs without a lifespan (e.g. bare ASGITransport)
            assert self._client is not None
            try:
                response = await self._client.post(url, content=body, headers=headers)
                if response.is_success:
                    self.delivered += 1
                    return
                outcome = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            log.warning(
                "webhook delivery failed",
                url=url,
                notification_id=notification_id,
                attempt=attempt,
                outcome=outcome,
            )
        self.dropped += 1
        log.error(
            "webhook dropped after retries", url=url, notification_id=notification_id, attempts=len(delays)
        )
