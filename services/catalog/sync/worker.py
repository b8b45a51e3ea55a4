"""The R40 upload worker: sends queued stock and price levels to TikTok, outside any consumer transaction.

Each pass claims due rows (``FOR UPDATE SKIP LOCKED`` + lease), checks the shop still allows the upload,
sends every due SKU of one TikTok product in one call (TikTok's per-SKU errors apply to their SKU only),
and records each outcome in one transaction with the ``ListingUpdated`` it publishes (outbox). A change that arrived while a row was being sent leaves the row pending, so the
newest level always goes out last. It is woken after every consumer commit (``runtime.on_after_commit``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import structlog

from libs.common.events.catalog import ListingError, ListingFailed, ListingUpdated
from libs.common.outbox import enqueue_data
from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from libs.common.worker import DrainWorker
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
    retry_delay_s,
    skip_reason,
)
from services.catalog.sync.repo import Upload
from services.catalog.sync.tiktok import SyncTikTok

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: UploadStatus  # PENDING = transient, try again later
    error: str | None = None
    error_code: str | None = None
    warehouse_id: str | None = None
    called: bool = False
    #: PENDING because the shop is not authorised: held, not counted, sent after re-authorisation.
    held: bool = False
    #: what TikTok was told (R46: the level less the shop's buffer); None: the level itself
    sent_quantity: int | None = None


class NoDefaultWarehouse(Exception):
    pass


class ListingUploader(DrainWorker):
    def __init__(self, *, pool: asyncpg.Pool, tiktok: SyncTikTok, settings: CatalogSettings, source: str,
                 wake_relay: Callable[[], None] = lambda: None) -> None:
        self._pool = pool
        self._tiktok = tiktok
        self._settings = settings
        self._source = source
        self._wake_relay = wake_relay
        self._in_flight: set[asyncio.Task[None]] = set()
        super().__init__(poll_s=settings.upload_poll_s)

    async def next_due_in_s(self) -> float | None:
        async with self._pool.acquire() as conn:
            return await repo.next_due_in_s(conn)

    async def run_once(self) -> int:
        """Claim what is due and start one call per product without waiting for the calls before (up to
        ``upload_batch_size`` calls in flight): a change never waits behind a slow call of another shop. Claimed
        rows are leased, so a pass never takes a row already in flight."""
        free = self._settings.upload_batch_size - len(self._in_flight)
        if free <= 0:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return 1  # a call finished: look again at once
        async with self._pool.acquire() as conn, conn.transaction():
            due = await repo.claim_due(conn, limit=free, lease_s=self._settings.upload_lease_s)
        groups: dict[tuple[str, str, Kind], list[Upload]] = {}
        for upload in due:  # every due SKU of one TikTok product goes in one call
            groups.setdefault((upload.shop_id, upload.product_id, upload.kind), []).append(upload)
        for rows in groups.values():
            task = asyncio.create_task(self._upload(rows))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(due)

    async def run(self) -> None:
        try:
            await super().run()
        finally:  # stopping: calls in flight end here; their leased rows are taken up again when the lease ends
            for task in list(self._in_flight):
                task.cancel()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self.wake()  # the product's rows are free again, and a slot too

    async def drain(self) -> None:
        """Wait for the calls in flight (tests, shutdown)."""
        while self._in_flight:
            await asyncio.wait(self._in_flight)

    async def _upload(self, rows: list[Upload]) -> None:
        first = rows[0]
        bound = log.bind(shop_id=first.shop_id, product_id=first.product_id, kind=first.kind.value)
        try:
            outcomes = await self._attempt(rows)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug or an outage must not lose the level: retry later
            bound.exception("upload attempt crashed; will retry")
            outcomes = [Outcome(UploadStatus.PENDING, f"internal error: {type(exc).__name__}: {exc}")] * len(rows)
        await self._record(rows, outcomes)
        bound.info("upload attempt finished", skus=len(rows),
                   outcomes=dict(Counter(o.status.value for o in outcomes)),
                   errors=sorted({o.error for o in outcomes if o.error})[:3])

    async def _attempt(self, rows: list[Upload]) -> list[Outcome]:
        """One call for the product's SKUs that may be sent; each row's outcome (TikTok's per-SKU errors
        apply to their SKU only: partial success is normal)."""
        first = rows[0]
        async with self._pool.acquire() as conn:
            gate = await shops.shop_gate(conn, first.shop_id)
            statuses = await listings.listing_statuses(conn, first.shop_id, first.product_id)
        outcomes: dict[int, Outcome] = {}
        for n, upload in enumerate(rows):
            reason = skip_reason(upload.kind, gate, statuses.get(upload.sku_id) or "not imported")
            if reason is not None:
                outcomes[n] = Outcome(UploadStatus.SKIPPED, reason)
        sendable = [n for n in range(len(rows)) if n not in outcomes]
        if sendable:
            outcomes.update(await self._send(first, [(n, rows[n]) for n in sendable], gate))
        return [outcomes[n] for n in range(len(rows))]

    async def _send(self, first: Upload, rows: list[tuple[int, Upload]], gate: ShopGate) -> dict[int, Outcome]:
        def all_(outcome: Outcome) -> dict[int, Outcome]:
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
        except AUTHORIZATION_PROBLEMS as exc:
            return all_(Outcome(UploadStatus.PENDING, f"{exc}; held until the shop is authorised again",
                                repo.NOT_AUTHORIZED, called=isinstance(exc, TikTokError), held=True))
        except TokenServiceRejected as exc:
            return all_(Outcome(UploadStatus.PENDING, f"{exc}; retrying", "token_service_rejected"))
        except TikTokError as exc:
            if exc.transient:
                return all_(Outcome(UploadStatus.PENDING, f"TikTok unavailable ({exc.code}): {exc.message}; retrying",
                                    str(exc.code), called=True))
            await self._forget_default_warehouse(first, rows)
            return all_(Outcome(UploadStatus.FAILED, f"TikTok refused the {first.kind.value} update ({exc.code}): "
                                f"{exc.message}", str(exc.code), called=True))
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

    async def _record(self, rows: list[Upload], outcomes: list[Outcome]) -> None:
        """Every outcome of one product's call, with the events it publishes and the call counted for the
        sync status, in one transaction."""
        published = False
        async with self._pool.acquire() as conn, conn.transaction():
            parents = await products.parents_of(conn, sorted({u.seller_sku for u in rows}))
            for upload, outcome in zip(rows, outcomes, strict=True):
                published = await self._record_one(conn, upload, outcome, parents.get(upload.seller_sku)) or published
            called = [o for o in outcomes if o.called]
            if called:
                refused = next((o.error_code for o in called if o.status != UploadStatus.UPLOADED), None)
                await repo.record_call(conn, rows[0].shop_id, rows[0].kind, skus=len(called),
                                       ok=any(o.status == UploadStatus.UPLOADED for o in called), code=refused)
        if published:
            self._wake_relay()

    async def _record_one(self, conn: asyncpg.Connection, upload: Upload, outcome: Outcome,
                          parent_sku: str | None) -> bool:
        """One row's outcome; True when an event was published."""
        s = self._settings
        if outcome.held:
            await repo.hold(conn, upload, recheck_s=s.authorization_recheck_s, error=outcome.error or "held",
                            called=outcome.called)
            return False
        if outcome.status == UploadStatus.PENDING:
            attempts = upload.attempts + 1
            if attempts < s.upload_max_attempts:
                delay = retry_delay_s(attempts, initial_s=s.upload_backoff_initial_s, max_s=s.upload_backoff_max_s)
                await repo.reschedule(conn, upload, delay_s=delay, error=outcome.error or "retrying",
                                      error_code=outcome.error_code)
                return False
            outcome = Outcome(UploadStatus.FAILED, f"gave up after {attempts} attempts; last error: {outcome.error}",
                              outcome.error_code, called=outcome.called)
        final = await repo.finish(conn, upload, status=outcome.status, error=outcome.error,
                                  error_code=outcome.error_code, sent_warehouse_id=outcome.warehouse_id,
                                  called=outcome.called, sent_quantity=outcome.sent_quantity)
        if outcome.status == UploadStatus.UPLOADED:
            await self._publish_updated(conn, upload, outcome.sent_quantity, parent_sku)
            return True
        if outcome.status == UploadStatus.FAILED and final:
            await self._publish_failed(conn, upload, outcome, parent_sku)
            return True
        return False

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
            errors=[ListingError(code=outcome.error_code or "upload_failed", message=outcome.error or "failed",
                                 field=upload.kind.value)],
            failed_at=datetime.now(UTC),
        ), source=self._source)
