"""Use cases: the one ingest of a page of TikTok orders (one transaction), and the reconciliation poll.

Ingest is the single path every source goes through (poll, range jobs, webhooks, a seller's cancel), so what is
published is decided in one place. Concurrency: new orders are inserted with ``ON CONFLICT DO
NOTHING`` (a concurrent insert of the same order makes the second wait and then see it as known),
known orders are locked ``FOR UPDATE`` in id order before they are compared; so however many
sources deliver an order at once, OrderDownloaded is enqueued once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from pydantic import ValidationError

from libs.common.events import CloudEvent, new_event
from libs.common.events.registry import describe_errors
from libs.common.outbox import enqueue_many
from libs.common.watermark import NOT_RUN, Span, Window, import_since_watermark
from services.orders.after_sales import repo as after_sales_repo
from services.orders.after_sales.domain import (
    Cancellation,
    Deferred,
    Import,
    as_stored_after,
    detect,
    shop_import,
)
from services.orders.domain import InvalidTikTokOrder, Order, order_from_tiktok
from services.orders.events import (
    cancellation_detected,
    check_publishable,
    order_downloaded,
    order_status_changed,
)
from services.orders.intake import repo
from services.orders.intake.domain import Outcome, ShopPolicy, decide
from services.orders.settlements.service import apply_pending
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)

AfterCommit = Callable[[], None]


def noop() -> None:
    return None


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    downloaded_events: int = 0
    status_events: int = 0
    cancellations: int = 0  # new cancellations recorded
    cancellation_events: int = 0  # CancellationDetected published
    cancellations_deferred: int = 0  # seen but not imported ("query order status change" off)
    invalid: list[str] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.downloaded_events += other.downloaded_events
        self.status_events += other.status_events
        self.cancellations += other.cancellations
        self.cancellation_events += other.cancellation_events
        self.cancellations_deferred += other.cancellations_deferred
        self.invalid.extend(other.invalid)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _map(raw_orders: Sequence[dict[str, Any]], shop_id: str, result: IngestResult) -> list[Order]:
    """Domain orders, one per id (the newest version), sorted by id; unusable ones logged and skipped.

    An order whose OrderDownloaded would break the contract (a value longer than its limit, a negative amount)
    is unusable too: taken, it would fail its whole page again on every poll and webhook retry."""
    latest: dict[str, Order] = {}
    for raw in raw_orders:
        try:
            order = order_from_tiktok(raw, shop_id)
            check_publishable(order)
        except (InvalidTikTokOrder, ValidationError) as exc:
            error = describe_errors(exc) if isinstance(exc, ValidationError) else str(exc)
            result.invalid.append(str(raw.get("id")))
            log.error("tiktok order skipped: cannot be mapped", shop_id=shop_id, order_id=raw.get("id"), error=error)
            continue
        known = latest.get(order.order_id)
        if known is None or order.update_time >= known.update_time:
            latest[order.order_id] = order
    return [latest[k] for k in sorted(latest)]


async def ingest_page(
    conn: asyncpg.Connection, raw_orders: Sequence[dict[str, Any]], shop: Shop, *, source: str,
    cancellations: Import = Import.ON,
) -> IngestResult:
    """Upsert one page of TikTok orders and enqueue the resulting events, in the caller's transaction.

    ``cancellations`` says whether cancellations seen here are imported (R18: the shop's "query
    order status change" for the poll and webhooks; always for range jobs).
    """
    result = IngestResult()
    orders = _map(raw_orders, shop.shop_id, result)
    if not orders:
        return result
    policy = ShopPolicy(publish_on_hold_orders=shop.publish_on_hold_orders)
    plans = {o.order_id: (decide(o, None, policy), detect(o, None, cancellations)) for o in orders}
    inserted = await repo.insert_new_orders(
        conn,
        [
            repo.order_row(o, downloaded_published=plans[o.order_id][0].downloaded_published,
                           cancelled_line_item_ids=o.cancelled_line_item_ids)
            for o in orders
        ],
    )
    stored = await repo.lock_stored(conn, [o.order_id for o in orders if o.order_id not in inserted])
    page = _Page(source=source, detected_at=datetime.now(UTC))
    for order in orders:
        if order.order_id in inserted:
            decision, cancel = plans[order.order_id]
            page.written.append(order)
        else:
            previous = stored.get(order.order_id)
            if previous is None:  # deleted between insert and lock: nothing sensible to compare with
                result.unchanged += 1
                continue
            cancel = detect(order, previous, cancellations) if order.update_time >= previous.update_time else None
            if isinstance(cancel, Deferred):
                result.unchanged += 1
                result.cancellations_deferred += 1
                continue
            order = as_stored_after(order, previous, cancel)
            decision = decide(order, previous, policy)
            if cancel is not None and not decision.write:  # same update_time, new cancellation
                decision = dataclasses.replace(decision, outcome=Outcome.UPDATED, write=True)
            if decision.write:
                page.written.append(order)
                page.updates.append(repo.order_row(
                    order, downloaded_published=decision.downloaded_published,
                    cancelled_line_item_ids=previous.cancelled_line_item_ids | set(cancel.line_item_ids if cancel else ()),
                    cancellation_flagged=previous.cancellation_flagged or (cancel is not None and not cancel.applied),
                ))
            if decision.publish_status_changed and cancel is None:
                page.events.append(new_event(order_status_changed(order, previous), source=source))
                result.status_events += 1
        if decision.publish_downloaded:
            page.events.append(new_event(order_downloaded(order), source=source))
            result.downloaded_events += 1
        if isinstance(cancel, Cancellation):
            page.cancellation(order, cancel)
            result.cancellations += 1
            result.cancellation_events += int(cancel.publish)
        setattr(result, decision.counts_as, getattr(result, decision.counts_as) + 1)
        if decision.outcome is Outcome.STALE:
            log.info("older order version ignored", shop_id=shop.shop_id, order_id=order.order_id)
    await repo.update_orders(conn, page.updates)
    await repo.replace_lines(conn, page.written)
    await after_sales_repo.record_cancellations(conn, page.cancellations)
    if inserted:  # settlements that arrived before the order (R15)
        page.events.extend(await apply_pending(conn, sorted(inserted), source=source))
    await enqueue_many(conn, page.events)
    return result


@dataclass
class _Page:
    """What one page's ingest writes and publishes."""

    source: str
    detected_at: datetime
    written: list[Order] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    events: list[CloudEvent] = field(default_factory=list)
    cancellations: list[dict[str, Any]] = field(default_factory=list)

    def cancellation(self, order: Order, cancel: Cancellation) -> None:
        self.cancellations.append({
            "order_id": order.order_id, "shop_id": order.shop_id, "line_item_ids": list(cancel.line_item_ids),
            "whole_order": cancel.whole_order, "initiated_by": cancel.initiated_by, "reason": cancel.reason,
            "tiktok_status": order.tiktok_status, "applied": cancel.applied,
            "not_applied_reason": cancel.not_applied_reason, "published": cancel.publish,
        })
        if cancel.publish:
            event = cancellation_detected(order, cancel, detected_at=self.detected_at)
            self.events.append(new_event(event, source=self.source))
        log.info(
            "cancellation detected", shop_id=order.shop_id, order_id=order.order_id, applied=cancel.applied,
            published=cancel.publish, initiated_by=cancel.initiated_by,
        )


async def ingest_orders(
    pool: asyncpg.Pool, raw_orders: Sequence[dict[str, Any]], shop: Shop, *, source: str,
    after_commit: AfterCommit = noop, cancellations: Import = Import.ON,
) -> IngestResult:
    """:func:`ingest_page` in its own transaction."""
    async with pool.acquire() as conn, conn.transaction():
        result = await ingest_page(conn, raw_orders, shop, source=source, cancellations=cancellations)
    after_commit()
    return result


# --- reconciliation poll ------------------------------------------------------------------------


@dataclass
class PollResult:
    shop_id: str
    span: Span = NOT_RUN
    pages: int = 0
    result: IngestResult = field(default_factory=IngestResult)

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id, "update_time_ge": self.span.ge, "update_time_lt": self.span.lt,
            "pages": self.pages, "skipped": self.span.skipped, **self.result.as_dict(),
        }


POLL_LOCK = "ttshop.orders.poll"


async def poll_shop(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, window: Window, *, source: str,
    after_commit: AfterCommit = noop, wait: bool = False, now: int | None = None,
) -> PollResult:
    """Read every order updated since the watermark (minus the overlap) and ingest it page by page.

    One poller per shop across replicas; with ``wait`` an admin-triggered poll waits for a running one
    instead of skipping (``skipped``). The watermark advances only after every page was ingested, so a failure
    re-reads the window next time (harmless: ingest is idempotent).
    """
    outcome = PollResult(shop.shop_id)

    async def read(span: Span) -> None:
        async for page in api.updated_between(shop.shop_id, span.ge, span.lt):
            outcome.result.add(await ingest_orders(
                pool, page, shop, source=source, after_commit=after_commit, cancellations=shop_import(shop)
            ))
            outcome.pages += 1

    outcome.span = await import_since_watermark(
        pool, repo.POLL_MARKS, window, lock=POLL_LOCK, key=shop.shop_id, read=read, wait=wait, now=now
    )
    return outcome

