"""Settlements (R15): periodic import of TikTok finance statements and their per-order transactions, applied
to our orders (fees, settlement amount, payout status).

Statements are read by ``statement_time`` from a persisted watermark minus an overlap (late statements are
expected; :func:`libs.common.watermark.import_since_watermark`), each statement's transactions page by page,
one transaction per page. A transaction for an order we have not downloaded yet stays pending and is applied
by the ingest that stores the order (:func:`apply_pending`, called from ``ingest_page``). Each transaction,
when applied, publishes ``OrderStatusChanged(kind=settled)`` once; a later payout status change updates the
order without publishing again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from libs.common.events import CloudEvent, new_event
from libs.common.outbox import enqueue_many
from libs.common.watermark import NOT_RUN, Span, Window, import_since_watermark
from services.orders.events import order_settled
from services.orders.settlements import repo
from services.orders.settlements.domain import transaction_row
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
LOCK = "ttshop.orders.settlements"


async def apply_pending(conn: asyncpg.Connection, order_ids: list[str], *, source: str) -> list[CloudEvent]:
    """Apply the pending transactions of these (stored) orders; returns the events to enqueue."""
    applied = await repo.claim_pending(conn, order_ids)
    if applied:
        await repo.refresh_orders(conn, sorted({r["order_id"] for r in applied}))
    return [new_event(order_settled(r), source=source) for r in applied]


@dataclass
class SettlementImport:
    shop_id: str
    span: Span = NOT_RUN
    statements: int = 0
    transactions: int = 0
    applied: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id, "statement_time_ge": self.span.ge, "statement_time_lt": self.span.lt,
            "statements": self.statements, "transactions": self.transactions, "applied": self.applied,
            "skipped": self.span.skipped,
        }


async def import_statement(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, statement: dict[str, Any], outcome: SettlementImport, *,
    source: str, after_commit: Callable[[], None],
) -> None:
    async for page in api.statement_transactions(shop.shop_id, str(statement["id"])):
        rows = [r for t in page if (r := transaction_row(t, statement, shop.shop_id)) is not None]
        order_ids = sorted({r["order_id"] for r in rows})
        async with pool.acquire() as conn, conn.transaction():
            await repo.upsert_transactions(conn, rows)
            events = await apply_pending(conn, order_ids, source=source)
            await repo.refresh_orders(conn, order_ids)  # payout status of ones applied before
            await enqueue_many(conn, events)
        after_commit()
        outcome.transactions += len(rows)
        outcome.applied += len(events)


async def import_shop(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, window: Window, *, source: str,
    after_commit: Callable[[], None] = lambda: None, wait: bool = False, now: int | None = None,
) -> SettlementImport:
    """Import every statement since the shop's watermark (minus the overlap); one importer per shop."""
    outcome = SettlementImport(shop.shop_id)

    async def read(span: Span) -> None:
        async for page in api.statements_between(shop.shop_id, span.ge, span.lt):
            for statement in page:
                await import_statement(pool, api, shop, statement, outcome, source=source, after_commit=after_commit)
                outcome.statements += 1

    outcome.span = await import_since_watermark(
        pool, repo.STATEMENT_MARKS, window, lock=LOCK, key=shop.shop_id, read=read, wait=wait, now=now
    )
    if not outcome.span.skipped:
        log.info("settlements imported", **outcome.as_dict())
    return outcome

