"""The upload worker: sends recorded shipments' tracking to TikTok, outside any consumer transaction.

A leased retrying queue (:mod:`libs.common.leased_queue`) over the ``pending`` shipments, one at a time: each
pass claims a few due ones, calls TikTok, then records the outcome in one transaction with the
``OrderStatusChanged`` it publishes (outbox). A resend after a crash between TikTok's answer and our commit
comes back "already shipped"/"duplicate tracking": if TikTok holds our tracking on our line items, that is our
own upload and counts as success, so tracking is uploaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.leased_queue import CALL_PROBLEMS, Failure, LeasedQueue, Verdict, failure_of
from libs.common.tiktok.errors import AlreadyShipped, DuplicateTrackingNumber, TikTokError
from services.fulfillment import repo, service
from services.fulfillment.domain import SHIPPED_STATUS, refusal_reason
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.tiktok import FulfillmentTikTok
from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads.domain import (
    Shipment,
    ShipmentRejected,
    ShipmentSource,
    ShippingProvider,
    UploadStatus,
    match_carrier,
    merge_providers,
    tracking_matches,
    tracking_upload_off_message,
    unknown_carrier_message,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A finished attempt: uploaded, or not uploaded / failed for a reason the error gives."""

    status: UploadStatus
    error: str | None = None
    provider: ShippingProvider | None = None
    package_id: str | None = None


class ShipmentUploader(LeasedQueue[Shipment, Outcome]):
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        tiktok: FulfillmentTikTok,
        settings: FulfillmentSettings,
        source: str,
        wake_relay: Callable[[], None] = lambda: None,
    ) -> None:
        self._tiktok = tiktok
        self._settings = settings
        self._source = source
        super().__init__(pool=pool, settings=settings, wake_relay=wake_relay)

    async def claim(self, conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[Shipment]:
        return await shipments.claim_due(conn, limit=limit, lease_s=lease_s)

    async def due_in_s(self, conn: asyncpg.Connection) -> float | None:
        return await shipments.next_due_in_s(conn)

    def log_fields(self, unit: list[Shipment]) -> dict[str, Any]:
        [shipment] = unit
        return {"shipment_id": shipment.shipment_id, "order_id": shipment.order_id, "shop_id": shipment.shop_id}

    async def attempt(self, unit: list[Shipment]) -> list[Outcome | Failure]:
        [shipment] = unit
        async with self._pool.acquire() as conn:
            shop = await repo.get_shop(conn, shipment.shop_id)
            order = await repo.get_order(conn, shipment.order_id)
        if shop is None or not shop.allow_tracking_upload:
            return [Outcome(UploadStatus.NOT_UPLOADED, tracking_upload_off_message(shipment.shop_id))]
        if shop.status != "active":
            why = f": {shop.status_reason}" if shop.status_reason else ""
            return [Failure(Verdict.HOLD, f"shop {shop.shop_id} is {shop.status}{why}; held until it is "
                            "authorised again")]
        refusal = refusal_reason(order) if order is not None else None
        if refusal is not None:
            return [Outcome(UploadStatus.FAILED, refusal)]
        try:
            return [await self._send(shipment)]
        except ShipmentRejected as exc:
            return [Outcome(UploadStatus.FAILED, str(exc))]
        except CALL_PROBLEMS as exc:
            return [failure_of(exc, call="the tracking upload")]

    async def _send(self, shipment: Shipment) -> Outcome:
        provider = await self._provider(shipment)
        try:
            package_id = await self._tiktok.mark_shipped(
                shop_id=shipment.shop_id, order_id=shipment.order_id, tracking_number=shipment.tracking_number,
                provider_id=provider.provider_id, line_item_ids=list(shipment.line_item_ids),
            )
        except (AlreadyShipped, DuplicateTrackingNumber) as exc:
            return await self._already_done(shipment, provider, exc)
        return Outcome(UploadStatus.UPLOADED, provider=provider, package_id=package_id)

    async def _already_done(self, shipment: Shipment, provider: ShippingProvider, exc: TikTokError) -> Outcome:
        """TikTok says shipped / tracking used: success only if it holds *our* tracking on our items."""
        items = await self._tiktok.order_line_items(shop_id=shipment.shop_id, order_id=shipment.order_id)
        package_id = tracking_matches(shipment.tracking_number, shipment.line_item_ids, items)
        if package_id is not None:
            log.info("TikTok already has this tracking (an earlier attempt succeeded)",
                     shipment_id=shipment.shipment_id, code=exc.code)
            return Outcome(UploadStatus.UPLOADED, provider=provider, package_id=package_id)
        return Outcome(UploadStatus.FAILED, f"TikTok refused the tracking upload ({exc.code}): {exc.message}")

    async def _provider(self, shipment: Shipment) -> ShippingProvider:
        """Map the WMS carrier to the shop's TikTok provider, from the cache or freshly fetched."""
        async with self._pool.acquire() as conn:
            rows, fetched_at = await shipments.get_providers(conn, shipment.shop_id)
        age = (datetime.now(UTC) - fetched_at).total_seconds() if fetched_at is not None else None
        providers = merge_providers(rows)
        if age is None or age > self._settings.provider_cache_ttl_s:
            providers = await self._refresh_providers(shipment.shop_id)
            age = 0.0
        found = match_carrier(shipment.carrier, providers)
        if found is None and age > self._settings.provider_refresh_on_miss_s:
            providers = await self._refresh_providers(shipment.shop_id)
            found = match_carrier(shipment.carrier, providers)
        if found is None:
            raise ShipmentRejected(unknown_carrier_message(shipment.carrier, shipment.shop_id, providers))
        return found

    async def _refresh_providers(self, shop_id: str) -> list[ShippingProvider]:
        rows = await self._tiktok.shipping_providers(shop_id)
        async with self._pool.acquire() as conn, conn.transaction():
            await shipments.replace_providers(conn, shop_id, rows)
        log.info("shipping providers refreshed", shop_id=shop_id, count=len(rows))
        return merge_providers(rows)

    def failed(self, failure: Failure) -> Outcome:
        return Outcome(UploadStatus.FAILED, failure.error)

    async def hold(self, conn: asyncpg.Connection, item: Shipment, failure: Failure, *, recheck_s: float) -> bool:
        return await shipments.hold_for_authorization(conn, item, recheck_s=recheck_s, error=failure.error)

    async def retry(self, conn: asyncpg.Connection, item: Shipment, failure: Failure, *, delay_s: float) -> None:
        await shipments.reschedule(conn, item.shipment_id, delay_s=delay_s, error=failure.error)

    async def finish(self, conn: asyncpg.Connection, done: list[tuple[Shipment, Outcome]]) -> bool:
        published = False
        for shipment, outcome in done:
            applied = await shipments.finish_upload(
                conn, shipment.shipment_id, status=outcome.status, error=outcome.error,
                provider_id=outcome.provider.provider_id if outcome.provider else None, package_id=outcome.package_id,
            )
            if applied and outcome.status == UploadStatus.UPLOADED:
                await self._publish_shipped(conn, shipment, outcome)
                published = True
        return published

    async def _publish_shipped(self, conn: asyncpg.Connection, shipment: Shipment, outcome: Outcome) -> None:
        """Shipped; and Completed when an operator shipped (part of) it by hand and nothing is left (R21)."""
        status = await service.publish_shipped(
            conn, shipment, source=self._source, carrier_name=outcome.provider.name if outcome.provider else None,
            package_id=outcome.package_id,
        )
        if status != SHIPPED_STATUS:
            return
        uploaded = await shipments.shipments_of_order(conn, shipment.order_id, status=UploadStatus.UPLOADED)
        if any(s.source == ShipmentSource.MANUAL for s in uploaded):
            await service.publish_completed(
                conn, order_id=shipment.order_id, shop_id=shipment.shop_id, source=self._source,
                reason="shipped by hand (R21)",
            )
