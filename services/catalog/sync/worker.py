"""The R40 upload worker: sends queued stock and price levels to TikTok, outside any consumer transaction.

A leased retrying queue (:mod:`libs.common.leased_queue`) over the ``uploads`` rows: each pass claims due rows,
checks the shop still allows the upload, sends every due SKU of one TikTok product in one call (TikTok's
per-SKU errors apply to their SKU only; calls of different products are in flight at once), and records each
outcome in one transaction with the ``ListingUpdated`` / ``ListingFailed`` it publishes (outbox). A change that
arrived while a row was being sent leaves the row pending, so the newest level always goes out last. It is
woken after every consumer commit (``runtime.on_after_commit``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import structlog

from libs.common.events.catalog import ListingError, ListingFailed, ListingUpdated
from libs.common.leased_queue import CALL_PROBLEMS, Failure, LeasedQueue, Verdict, failure_of
from libs.common.outbox import enqueue_data
from services.catalog.importing import repo as listings
from services.catalog.products import repo as products
from services.catalog.settings import CatalogSettings
from services.catalog.shops import repo as shops
from services.catalog.shops.domain import ShopGate, quantity_to_send
from services.catalog.sync import repo
from services.catalog.sync.domain import (
    NO_DEFAULT_WAREHOUSE,
    Kind,
    UploadStatus,
    no_default_warehouse_message,
    skip_reason,
)
from services.catalog.sync.repo import Upload
from services.catalog.sync.status import repo as sync_status
from services.catalog.sync.tiktok import SyncTikTok

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A finished row: uploaded, skipped (not allowed now) or failed, with TikTok's code."""

    status: UploadStatus
    error: str | None = None
    code: str | None = None  # TikTok's (or ours, e.g. no_default_warehouse)
    warehouse_id: str | None = None
    called: bool = False
    #: what TikTok was told (R46: the level less the shop's buffer); None: the level itself
    sent_quantity: int | None = None


class NoDefaultWarehouse(Exception):
    pass


class ListingUploader(LeasedQueue[Upload, Outcome]):
    def __init__(self, *, pool: asyncpg.Pool, tiktok: SyncTikTok, settings: CatalogSettings, source: str,
                 wake_relay: Callable[[], None] = lambda: None) -> None:
        self._tiktok = tiktok
        self._settings = settings
        self._source = source
        super().__init__(pool=pool, settings=settings, wake_relay=wake_relay, in_flight=True)

    async def claim(self, conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[Upload]:
        """The due rows of up to ``limit`` products (one call each, started without waiting for the others)."""
        return await repo.claim_due(conn, limit=limit, lease_s=lease_s)

    async def due_in_s(self, conn: asyncpg.Connection) -> float | None:
        return await repo.next_due_in_s(conn)

    def group(self, claimed: list[Upload]) -> list[list[Upload]]:
        """Every due SKU of one TikTok product goes in one call."""
        groups: dict[tuple[str, str, Kind], list[Upload]] = {}
        for upload in claimed:
            groups.setdefault((upload.shop_id, upload.product_id, upload.kind), []).append(upload)
        return list(groups.values())

    def log_fields(self, unit: list[Upload]) -> dict[str, Any]:
        first = unit[0]
        return {"shop_id": first.shop_id, "product_id": first.product_id, "kind": first.kind.value, "skus": len(unit)}

    async def attempt(self, unit: list[Upload]) -> list[Outcome | Failure]:
        """One call for the product's SKUs that may be sent; each row's outcome (TikTok's per-SKU errors
        apply to their SKU only: partial success is normal)."""
        first = unit[0]
        async with self._pool.acquire() as conn:
            gate = await shops.shop_gate(conn, first.shop_id)
            statuses = await listings.listing_statuses(conn, first.shop_id, first.product_id)
        outcomes: dict[int, Outcome | Failure] = {}
        for n, upload in enumerate(unit):
            reason = skip_reason(upload.kind, gate, statuses.get(upload.sku_id) or "not imported")
            if reason is not None:
                outcomes[n] = Outcome(UploadStatus.SKIPPED, reason)
        sendable = [n for n in range(len(unit)) if n not in outcomes]
        if sendable:
            outcomes.update(await self._send(first, [(n, unit[n]) for n in sendable], gate))
        return [outcomes[n] for n in range(len(unit))]

    async def _send(self, first: Upload, rows: list[tuple[int, Upload]],
                    gate: ShopGate) -> Mapping[int, Outcome | Failure]:
        def all_(outcome: Outcome | Failure) -> dict[int, Outcome | Failure]:
            return {n: outcome for n, _ in rows}

        try:
            if first.kind == Kind.INVENTORY:
                default = await self.default_warehouse(first.shop_id) if any(
                    not u.warehouse_id for _, u in rows) else ""
                where = {n: u.warehouse_id or default for n, u in rows}
                told = {n: quantity_to_send(u.quantity or 0, buffer=gate.inventory_buffer,
                                            threshold=gate.out_of_stock_threshold) for n, u in rows}
                errors = await self._tiktok.update_inventory(
                    shop_id=first.shop_id, product_id=first.product_id,
                    skus=[(u.sku_id, where[n], told[n]) for n, u in rows])
            else:
                where, told = {n: "" for n, _ in rows}, {}
                errors = await self._tiktok.update_prices(
                    shop_id=first.shop_id, product_id=first.product_id,
                    skus=[(u.sku_id, u.amount or Decimal(0), u.currency or "") for n, u in rows])
        except NoDefaultWarehouse as exc:
            return all_(Outcome(UploadStatus.FAILED, str(exc), NO_DEFAULT_WAREHOUSE))
        except CALL_PROBLEMS as exc:
            failure = failure_of(exc, call=f"the {first.kind.value} update")
            if failure.verdict is Verdict.FAIL:
                await self._forget_default_warehouse(first, rows)
            return all_(failure)
        out: dict[int, Outcome] = {}
        for n, upload in rows:
            refused = errors.get(upload.sku_id)
            if refused is None:
                out[n] = Outcome(UploadStatus.UPLOADED, warehouse_id=where[n] or None, called=True,
                                 sent_quantity=told.get(n))
            else:
                code, message = refused
                out[n] = Outcome(UploadStatus.FAILED, f"TikTok refused the {upload.kind.value} update of SKU "
                                 f"{upload.sku_id} ({code}): {message}", code, called=True)
        if any(o.status == UploadStatus.FAILED for o in out.values()):
            await self._forget_default_warehouse(first, [(n, u) for n, u in rows
                                                          if out[n].status == UploadStatus.FAILED])
        return out

    async def _forget_default_warehouse(self, first: Upload, rows: list[tuple[int, Upload]]) -> None:
        """A refused stock update sent to the cached default warehouse: it may be stale, ask next time."""
        if first.kind == Kind.INVENTORY and any(not u.warehouse_id for _, u in rows):
            async with self._pool.acquire() as conn:
                await shops.forget_warehouse(conn, first.shop_id)

    async def default_warehouse(self, shop_id: str) -> str:
        """The shop's default warehouse, cached; a shop without one is asked again after a short while."""
        s = self._settings
        async with self._pool.acquire() as conn:
            cached, warehouse_id, fetched_at = await shops.cached_warehouse(conn, shop_id)
        age = (datetime.now(UTC) - fetched_at).total_seconds() if fetched_at else None
        ttl = s.warehouse_cache_ttl_s if warehouse_id else s.no_warehouse_recheck_s
        if not cached or age is None or age > ttl:
            warehouse_id = await self._tiktok.default_warehouse(shop_id)
            async with self._pool.acquire() as conn:
                await shops.save_warehouse(conn, shop_id, warehouse_id)
            log.info("default warehouse fetched", shop_id=shop_id, warehouse_id=warehouse_id)
        if warehouse_id is None:
            raise NoDefaultWarehouse(no_default_warehouse_message(shop_id))
        return warehouse_id

    def failed(self, failure: Failure) -> Outcome:
        return Outcome(UploadStatus.FAILED, failure.error, failure.code, called=failure.called)

    async def hold(self, conn: asyncpg.Connection, item: Upload, failure: Failure, *, recheck_s: float) -> bool:
        return await repo.hold(conn, item, recheck_s=recheck_s, error=failure.error, called=failure.called)

    async def retry(self, conn: asyncpg.Connection, item: Upload, failure: Failure, *, delay_s: float) -> None:
        await repo.reschedule(conn, item, delay_s=delay_s, error=failure.error, error_code=failure.code)

    async def finish(self, conn: asyncpg.Connection, done: list[tuple[Upload, Outcome]]) -> bool:
        """The finished rows of one product's call, with the events they publish."""
        published = False
        parents = await products.parents_of(conn, sorted({u.seller_sku for u, _ in done}))
        for upload, outcome in done:
            final = await repo.finish(conn, upload, status=outcome.status, error=outcome.error,
                                      error_code=outcome.code, sent_warehouse_id=outcome.warehouse_id,
                                      called=outcome.called, sent_quantity=outcome.sent_quantity)
            parent_sku = parents.get(upload.seller_sku)
            if outcome.status == UploadStatus.UPLOADED:
                await self._publish_updated(conn, upload, outcome.sent_quantity, parent_sku)
                published = True
            elif outcome.status == UploadStatus.FAILED and final:
                await self._publish_failed(conn, upload, outcome, parent_sku)
                published = True
        return published

    async def settled(self, conn: asyncpg.Connection, unit: list[Upload], results: list[Outcome | Failure]) -> None:
        """The call counted for the sync status (calls in the last minute, the last success)."""
        called = [r for r in results if r.called]
        if called:
            refused = next((r.code for r in called if not _uploaded(r)), None)
            await sync_status.record_call(conn, unit[0].shop_id, unit[0].kind, skus=len(called),
                                   ok=any(_uploaded(r) for r in called), code=refused)

    async def _publish_updated(self, conn: asyncpg.Connection, upload: Upload, sent_quantity: int | None,
                               parent_sku: str | None) -> None:
        inventory = upload.kind == Kind.INVENTORY
        await enqueue_data(conn, ListingUpdated(
            shop_id=upload.shop_id, seller_sku=upload.seller_sku,
            parent_sku=parent_sku, product_id=upload.product_id, sku_id=upload.sku_id, fields=[upload.kind.value],
            inventory=(upload.quantity if sent_quantity is None else sent_quantity) if inventory else None,
            price=None if inventory else upload.amount,
            currency=None if inventory else upload.currency, updated_at=datetime.now(UTC),
        ), source=self._source)

    async def _publish_failed(self, conn: asyncpg.Connection, upload: Upload, outcome: Outcome,
                              parent_sku: str | None) -> None:
        await enqueue_data(conn, ListingFailed(
            shop_id=upload.shop_id, seller_sku=upload.seller_sku,
            parent_sku=parent_sku, product_id=upload.product_id,
            operation=upload.kind.value,
            errors=[ListingError(code=outcome.code or "upload_failed", message=outcome.error or "failed",
                                 field=upload.kind.value)],
            failed_at=datetime.now(UTC),
        ), source=self._source)


def _uploaded(result: Outcome | Failure) -> bool:
    return isinstance(result, Outcome) and result.status == UploadStatus.UPLOADED
