"""The shipping-change query (R22, R23, R14): with "query shipping change" on, ask TikTok about each
shop's open orders (batched GET /order/202309/orders, rate-limited by the client) and

* bring in tracking TikTok has but we do not (shipped outside our system, or FBT): a shipment of
  source ``tiktok`` (already on TikTok, so ``uploaded``), ``ShipmentCreated`` and
  ``OrderStatusChanged(shipped)``; an FBT order whose items are all shipped by TikTok also
  becomes Completed (R14);
* keep TikTok's side of every package and order (awaiting collection, in transit, delivered)
  next to ours, publishing ``OrderStatusChanged(status)`` once per change of the order (R23).

Each order is applied in one transaction under the order lock, with the events (outbox), so a
repeated or concurrent query changes nothing twice. Shops are leased (``shipping_query_due_at``),
so replicas do not query the same shop at once. :meth:`ShippingQuery.run_once` is one pass; the app runs it
on a :class:`libs.common.worker.Every` (woken when an order's TikTok status moved).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.shipments import ShipmentCreated
from libs.common.outbox import enqueue_data
from services.fulfillment import repo, service
from services.fulfillment.domain import TIKTOK_FULFILLED, event_id_for
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.shipping_query import repo as query_repo
from services.fulfillment.shipping_query.domain import (
    FINAL_ON_TIKTOK,
    SHIPPED_ON_TIKTOK,
    TikTokPackage,
    all_items_packed,
    batches,
    match_package,
    packages_of,
    tiktok_shipment_id,
    tiktok_side,
)
from services.fulfillment.tiktok import FulfillmentTikTok
from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads.domain import Shipment, ShipmentSource, UploadStatus

log = structlog.get_logger(__name__)


class ShippingQuery:
    def __init__(
        self, *, pool: asyncpg.Pool, tiktok: FulfillmentTikTok, settings: FulfillmentSettings, source: str,
        wake_relay: Callable[[], None] = lambda: None,
    ) -> None:
        self._pool = pool
        self._tiktok = tiktok
        self._settings = settings
        self._source = source
        self._wake_relay = wake_relay

    async def run_once(self) -> int:
        """The orders whose TikTok status moved, then every shop whose periodic query is due; returns how many
        orders were looked at."""
        seen = await self.check_orders()
        async with self._pool.acquire() as conn, conn.transaction():
            shops = await query_repo.claim_query_shops(conn, interval_s=self._settings.shipping_query_interval_s)
        for shop_id in shops:
            try:
                seen += await self.query_shop(shop_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - TikTok or token trouble: asked again next interval
                log.warning("shipping query of shop failed; retried next interval", shop_id=shop_id,
                            error=f"{type(exc).__name__}: {exc}")
        return seen

    async def check_orders(self) -> int:
        """The orders TikTok said moved (R14, R22): read at once, a batch per shop; a failed read is retried
        after a backoff, and the periodic query covers it anyway."""
        async with self._pool.acquire() as conn, conn.transaction():
            due = await query_repo.claim_order_checks(conn, limit=200, lease_s=60)
        by_shop: dict[str, list[str]] = {}
        for row in due:
            by_shop.setdefault(row["shop_id"], []).append(row["order_id"])
        published = False
        for shop_id, ids in by_shop.items():
            for batch in batches(ids, self._settings.shipping_query_batch_size):
                try:
                    orders = await self._tiktok.orders(shop_id=shop_id, order_ids=batch)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - its lease runs out and it is asked again
                    log.warning("order check failed; retried", shop_id=shop_id, orders=len(batch),
                                error=f"{type(exc).__name__}: {exc}")
                    continue
                for order in orders:
                    published = await self.apply(shop_id, order) or published
                async with self._pool.acquire() as conn:
                    await query_repo.done_order_checks(conn, batch)
        if published:
            self._wake_relay()
        if due:
            log.info("orders checked after a TikTok status change", orders=len(due), shops=len(by_shop))
        return len(due)

    async def query_shop(self, shop_id: str) -> int:
        async with self._pool.acquire() as conn:
            ids = await query_repo.open_order_ids(conn, shop_id, done_statuses=FINAL_ON_TIKTOK)
        published = False
        for batch in batches(ids, self._settings.shipping_query_batch_size):
            for order in await self._tiktok.orders(shop_id=shop_id, order_ids=batch):
                published = await self.apply(shop_id, order) or published
        if published:
            self._wake_relay()
        log.info("shipping query done", shop_id=shop_id, orders=len(ids))
        return len(ids)

    async def apply(self, shop_id: str, wire: dict[str, Any]) -> bool:
        """Apply what TikTok says about one order; True if events were published."""
        order_id = str(wire["id"])
        tiktok_status = str(wire.get("status") or "")
        packages = packages_of(wire)
        published = False
        async with self._pool.acquire() as conn, conn.transaction():
            await repo.lock_order(conn, order_id)
            order = await repo.get_order(conn, order_id)
            if order is None or order.shop_id != shop_id:
                return False
            ours = await shipments.shipments_of_order(conn, order_id)
            for package in packages:
                mine = match_package(package, ours)
                if mine is None:
                    await self._bring_in(conn, order.shop_id, order_id, package)
                    published = True
                else:
                    await shipments.set_tiktok_status(conn, mine.shipment_id, package.status)
            fbt_done = (order.fulfillment_type == TIKTOK_FULFILLED and tiktok_status in SHIPPED_ON_TIKTOK
                        and all_items_packed(wire, packages))
            if fbt_done:
                published = await service.publish_completed(
                    conn, order_id=order_id, shop_id=shop_id, source=self._source,
                    reason="fulfilled and shipped by TikTok (R14)", tiktok_status=tiktok_status,
                ) or published
            previous = await query_repo.set_queried_status(conn, order_id, tiktok_status)
            if previous != tiktok_status and tiktok_status in SHIPPED_ON_TIKTOK:
                await service.publish_tiktok_status(
                    conn, order_id=order_id, shop_id=shop_id, source=self._source, tiktok_status=tiktok_status,
                    previous_tiktok_status=previous, shown=tiktok_side(tiktok_status) or tiktok_status,
                    packages=[{"package_id": p.package_id, "tracking_number": p.tracking_number,
                               "tiktok_status": p.status, "tiktok_side": tiktok_side(p.status)} for p in packages],
                )
                published = True
        if published:
            log.info("TikTok side of order applied", order_id=order_id, shop_id=shop_id, tiktok_status=tiktok_status,
                     previous=previous, packages=len(packages))
        return published

    async def _bring_in(self, conn: asyncpg.Connection, shop_id: str, order_id: str, package: TikTokPackage) -> None:
        """Record a package TikTok has and we did not send: shipped outside, or by TikTok (FBT)."""
        shipment_id = tiktok_shipment_id(package.package_id)
        event_id = event_id_for("tiktok-shipment", shipment_id)
        shipment = Shipment(
            shipment_id=shipment_id, order_id=order_id, shop_id=shop_id, carrier=package.provider_name,
            tracking_number=package.tracking_number, upload_status=UploadStatus.UPLOADED,
            line_item_ids=package.line_item_ids, shipping_provider_id=package.provider_id or None,
            tiktok_package_id=package.package_id, source=ShipmentSource.TIKTOK, tiktok_status=package.status,
        )
        if not await shipments.insert_shipment(conn, shipment, event_id=event_id):
            return
        recorded = await shipments.get_shipment(conn, shipment_id)
        assert recorded is not None
        await enqueue_data(conn, ShipmentCreated(
            shop_id=shop_id, order_id=order_id, shipment_id=shipment_id, carrier=package.provider_name,
            tracking_number=package.tracking_number, line_item_ids=list(package.line_item_ids),
            shipped_at=recorded.created_at or datetime.now(UTC),
        ), source=self._source, event_id=event_id)
        await service.publish_shipped(conn, recorded, source=self._source, package_id=package.package_id)
        log.info("tracking found on TikTok brought in", shipment_id=shipment_id, order_id=order_id,
                 tracking_number=package.tracking_number, carrier=package.provider_name)
