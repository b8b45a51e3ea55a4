"""Settlements (R15): periodic import of TikTok finance statements and their per-order
transactions, applied to our orders (fees, settlement amount, payout status).

Statements are read by ``statement_time`` from a persisted watermark minus an overlap (late
statements are expected), each statement's transactions page by page, one transaction per page.
A transaction for an order we have not downloaded yet stays pending and is applied by the ingest
that stores the order (:func:`apply_pending`, called from ``ingest_page``). Each transaction, when
applied, publishes ``OrderStatusChanged(kind=settled)`` once; a later payout status change updates
the order without publishing again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg
import structlog

from libs.common.db import session_lock
from libs.common.events import CloudEvent, new_event
from libs.common.events.orders import OrderStatusChanged
from libs.common.outbox import enqueue_many
from services.orders import repo_settlements
from services.orders.domain import Shop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
LOCK = "ttshop.orders.settlements"


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise ValueError(f"statement amount is not a decimal: {value!r}") from None
    return amount


def transaction_row(transaction: dict[str, Any], statement: dict[str, Any], shop_id: str) -> dict[str, Any] | None:
    """Our row for an ORDER transaction of a statement (other kinds carry no order: skipped)."""
    order_id = str(transaction.get("order_id") or "")
    if not order_id or not transaction.get("id"):
        return None
    return {
        "transaction_id": str(transaction["id"]), "statement_id": str(statement["id"]), "shop_id": shop_id,
        "order_id": order_id,
        "statement_time": datetime.fromtimestamp(int(statement["statement_time"]), UTC),
        "currency": str(transaction.get("currency") or statement.get("currency") or ""),
        "revenue_amount": _money(transaction.get("revenue_amount")),
        "fee_amount": -_money(transaction.get("fee_amount")),  # TikTok reports fees negative
        "settlement_amount": _money(transaction.get("settlement_amount")),
        "payout_status": statement.get("payment_status"),
    }


def settled_event(row: asyncpg.Record, *, source: str) -> CloudEvent:
    data = OrderStatusChanged(
        shop_id=row["shop_id"], order_id=row["order_id"], status=row["status"], kind="settled",
        tiktok_status=row["tiktok_status"], previous_status=row["status"], occurred_at=row["statement_time"],
        details={
            "statement_id": row["statement_id"], "transaction_id": row["transaction_id"],
            "currency": row["currency"], "revenue_amount": format(row["revenue_amount"], "f"),
            "fee_amount": format(row["fee_amount"], "f"), "settlement_amount": format(row["settlement_amount"], "f"),
            "payout_status": row["payout_status"],
        },
    )
    return new_event(data, source=source)


async def apply_pending(conn: asyncpg.Connection, order_ids: list[str], *, source: str) -> list[CloudEvent]:
    """Apply the pending transactions of these (stored) orders; returns the events to enqueue."""
    applied = await repo_settlements.claim_pending(conn, order_ids)
    if applied:
        await repo_settlements.refresh_orders(conn, sorted({r["order_id"] for r in applied}))
    return [settled_event(r, source=source) for r in applied]


@dataclass
class SettlementImport:
    shop_id: str
    statement_time_ge: int
    statement_time_lt: int
    statements: int = 0
    transactions: int = 0
    applied: int = 0
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def import_statement(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, statement: dict[str, Any], outcome: SettlementImport, *,
    source: str, after_commit: Callable[[], None],
) -> None:
    async for page in api.statement_transactions(shop.shop_id, str(statement["id"])):
        rows = [r for t in page if (r := transaction_row(t, statement, shop.shop_id)) is not None]
        order_ids = sorted({r["order_id"] for r in rows})
        async with pool.acquire() as conn, conn.transaction():
            await repo_settlements.upsert_transactions(conn, rows)
            events = await apply_pending(conn, order_ids, source=source)
            await repo_settlements.refresh_orders(conn, order_ids)  # payout status of ones applied before
            await enqueue_many(conn, events)
        after_commit()
        outcome.transactions += len(rows)
        outcome.applied += len(events)


async def import_shop(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, *, overlap_s: int, initial_lookback_s: int, source: str,
    after_commit: Callable[[], None] = lambda: None, wait: bool = False, now: int | None = None,
) -> SettlementImport:
    """Import every statement since the shop's watermark (minus the overlap); one importer per shop."""
    current = int(now if now is not None else time.time())
    async with session_lock(pool, LOCK, shop.shop_id, wait=wait) as lock_conn:
        if lock_conn is None:
            return SettlementImport(shop.shop_id, 0, current + 1, skipped=True)
        mark = await repo_settlements.watermark(lock_conn, shop.shop_id, current - initial_lookback_s)
        outcome = SettlementImport(shop.shop_id, max(0, mark - overlap_s), current + 1)
        try:
            async for page in api.statements_between(shop.shop_id, outcome.statement_time_ge, outcome.statement_time_lt):
                for statement in page:
                    await import_statement(pool, api, shop, statement, outcome, source=source, after_commit=after_commit)
                    outcome.statements += 1
        except Exception as exc:
            await repo_settlements.save_watermark(lock_conn, shop.shop_id, mark, f"{type(exc).__name__}: {exc}"[:1000])
            raise
        await repo_settlements.save_watermark(lock_conn, shop.shop_id, current, None)
    log.info("settlements imported", **outcome.as_dict())
    return outcome
