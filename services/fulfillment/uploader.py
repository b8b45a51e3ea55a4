"""The upload worker: sends recorded shipments' tracking to TikTok, outside any consumer transaction.

Each pass reserves a few due ``pending`` shipments (``FOR UPDATE SKIP LOCKED`` plus a lease in
``next_attempt_at``, so replicas never upload the same one at once and a crashed worker's
reservation simply expires), calls TikTok, then records the outcome in one transaction with
the ``OrderStatusChanged`` it publishes (outbox). A resend after a crash between TikTok's answer
and our commit comes back "already shipped"/"duplicate tracking": if TikTok holds our tracking on
our line items, that is our own upload and counts as success, so tracking is uploaded once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import structlog

from libs.common.tiktok.errors import AlreadyShipped, DuplicateTrackingNumber, TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from libs.common.worker import DrainWorker
from services.fulfillment import order_events, repo, shipment_repo
from services.fulfillment.carriers import (
    ShippingProvider,
    match_carrier,
    merge_providers,
    unknown_carrier_message,
)
from services.fulfillment.domain import (
    SHIPPED_STATUS,
    Shipment,
    ShipmentRejected,
    ShipmentSource,
    UploadStatus,
    refusal_reason,
    retry_delay_s,
    tracking_matches,
    tracking_upload_off_message,
)
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.tiktok import FulfillmentTikTok

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: UploadStatus  # PENDING means "transient: try again later"
    error: str | None = None
    provider: ShippingProvider | None = None
    package_id: str | None = None
    #: PENDING because the shop is not authorised: held, not counted, sent after re-authorisation.
    held: bool = False


class ShipmentUploader(DrainWorker):
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        tiktok: FulfillmentTikTok,
        settings: FulfillmentSettings,
        source: str,
        wake_relay: Callable[[], None] = lambda: None,
    ) -> None:
        self._pool = pool
        self._tiktok = tiktok
        self._settings = settings
        self._source = source
        self._wake_relay = wake_relay
        super().__init__(poll_s=settings.upload_poll_s)

    async def next_due_in_s(self) -> float | None:
        async with self._pool.acquire() as conn:
            return await shipment_repo.next_due_in_s(conn)

    async def run_once(self) -> int:
        """One pass: reserve due shipments and upload each; returns how many were handled."""
        async with self._pool.acquire() as conn, conn.transaction():
            due = await shipment_repo.claim_due(
                conn, limit=self._settings.upload_batch_size, lease_s=self._settings.upload_lease_s
            )
        for shipment in due:
            await self._upload(shipment)
        return len(due)

    async def _upload(self, shipment: Shipment) -> None:
        bound = log.bind(shipment_id=shipment.shipment_id, order_id=shipment.order_id, shop_id=shipment.shop_id)
        try:
            outcome = await self._attempt(shipment)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug or an outage must not lose the shipment: retry later
            bound.exception("upload attempt crashed; will retry")
            outcome = Outcome(UploadStatus.PENDING, f"internal error: {type(exc).__name__}: {exc}")
        await self._record(shipment, outcome)
        level = bound.info if outcome.status in (UploadStatus.UPLOADED, UploadStatus.PENDING) else bound.warning
        level("upload attempt finished", upload_status=outcome.status.value, error=outcome.error,
              package_id=outcome.package_id, attempt=shipment.attempts + 1)

    async def _attempt(self, shipment: Shipment) -> Outcome:
        async with self._pool.acquire() as conn:
            shop = await repo.get_shop(conn, shipment.shop_id)
            order = await repo.get_order(conn, shipment.order_id)
        if shop is None or not shop.allow_tracking_upload:
            return Outcome(UploadStatus.NOT_UPLOADED, tracking_upload_off_message(shipment.shop_id))
        if shop.status != "active":
            why = f": {shop.status_reason}" if shop.status_reason else ""
            return Outcome(UploadStatus.PENDING, f"shop {shop.shop_id} is {shop.status}{why}; held until it is "
                           "authorised again", held=True)
        refusal = refusal_reason(order) if order is not None else None
        if refusal is not None:
            return Outcome(UploadStatus.FAILED, refusal)
        try:
            return await self._send(shipment)
        except ShipmentRejected as exc:
            return Outcome(UploadStatus.FAILED, str(exc))
        except AUTHORIZATION_PROBLEMS as exc:
            return Outcome(UploadStatus.PENDING, f"{exc}; held until the shop is authorised again", held=True)
        except TokenServiceRejected as exc:
            return Outcome(UploadStatus.PENDING, f"{exc}; retrying")
        except TikTokError as exc:
            if exc.transient:
                return Outcome(UploadStatus.PENDING, f"TikTok unavailable ({exc.code}): {exc.message}; retrying")
            return Outcome(UploadStatus.FAILED, f"TikTok refused the tracking upload ({exc.code}): {exc.message}")

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
            rows, fetched_at = await repo.get_providers(conn, shipment.shop_id)
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
            await repo.replace_providers(conn, shop_id, rows)
        log.info("shipping providers refreshed", shop_id=shop_id, count=len(rows))
        return merge_providers(rows)

    async def _record(self, shipment: Shipment, outcome: Outcome) -> None:
        s = self._settings
        published = False
        async with self._pool.acquire() as conn, conn.transaction():
            if outcome.held:
                await shipment_repo.hold_for_authorization(conn, shipment.shipment_id, error=outcome.error or "held",
                                                           recheck_s=s.authorization_recheck_s)
                return
            if outcome.status == UploadStatus.PENDING:
                attempts = shipment.attempts + 1
                if attempts < s.upload_max_attempts:
                    delay = retry_delay_s(attempts, initial_s=s.upload_backoff_initial_s, max_s=s.upload_backoff_max_s)
                    await shipment_repo.reschedule(conn, shipment.shipment_id, delay_s=delay, error=outcome.error or "retrying")
                    return
                outcome = Outcome(UploadStatus.FAILED, f"gave up after {attempts} attempts; last error: {outcome.error}")
            provider_id = outcome.provider.provider_id if outcome.provider else None
            applied = await shipment_repo.finish_upload(
                conn, shipment.shipment_id, status=outcome.status, error=outcome.error,
                provider_id=provider_id, package_id=outcome.package_id,
            )
            if applied and outcome.status == UploadStatus.UPLOADED:
                await self._publish_shipped(conn, shipment, outcome)
                published = True
        if published:
            self._wake_relay()

    async def _publish_shipped(self, conn: asyncpg.Connection, shipment: Shipment, outcome: Outcome) -> None:
        """Shipped; and Completed when an operator shipped (part of) it by hand and nothing is left (R21)."""
        status = await order_events.publish_shipped(
            conn, shipment, source=self._source, carrier_name=outcome.provider.name if outcome.provider else None,
            package_id=outcome.package_id,
        )
        if status != SHIPPED_STATUS:
            return
        shipments = await shipment_repo.shipments_of_order(conn, shipment.order_id, status=UploadStatus.UPLOADED)
        if any(s.source == ShipmentSource.MANUAL for s in shipments):
            await order_events.publish_completed(
                conn, order_id=shipment.order_id, shop_id=shipment.shop_id, source=self._source,
                reason="shipped by hand (R21)",
            )
