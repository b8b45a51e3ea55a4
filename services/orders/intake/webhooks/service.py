"""TikTok webhooks: store on receipt (TikTok wants a 200 within 3 s), process in a worker.

ORDER_STATUS_CHANGE (type 1) and CANCELLATION_STATUS_CHANGE (type 11) notifications are batched
per shop, the orders fetched with ``GET /order/202309/orders?ids=`` (≤ 50 per call) and ingested
like any other page; cancellations are imported only when the shop's "query order status change"
is on (R18), and type 11 is ignored otherwise. Other types are stored and acknowledged.
A notification whose fetch keeps failing is given up after a few attempts: the reconciliation
poll brings the order in anyway. One that cannot be fetched because the shop is not authorised
(needs re-authorisation, token refused) is held instead, without counting attempts, and released
when ``shops.changed`` says the shop is active again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable
from functools import partial
from typing import Any, Protocol

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from libs.common.webhooks import TikTokNotification
from services.orders.after_sales.domain import shop_import
from services.orders.intake.service import AfterCommit, ingest_page, noop
from services.orders.intake.webhooks import repo
from services.orders.shops import repo as shops_repo
from services.orders.shops.domain import download_refusal
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)

ORDER_STATUS_CHANGE = 1
CANCELLATION_STATUS_CHANGE = 11
HANDLED_TYPES = (ORDER_STATUS_CHANGE, CANCELLATION_STATUS_CHANGE)
#: How long a claimed notification is reserved for the worker that claimed it.
CLAIM_LEASE_S = 60.0


class Hold(Protocol):
    """Hold claimed notifications until the shop is authorised again (:func:`repo.hold_for_authorization`)."""

    def __call__(self, conn: asyncpg.Connection, notification_ids: list[str], *, error: str) -> Awaitable[None]: ...
RETRY_BASE_S = 5.0


async def receive(pool: asyncpg.Pool, notification: TikTokNotification, *, wake: AfterCommit = noop) -> dict[str, Any]:
    """Store one verified notification (``libs.common.webhooks.intake``). TikTok's re-send of one already
    stored is acknowledged and not stored again."""
    order_id = notification.data.get("order_id")
    async with pool.acquire() as conn:
        fresh = await repo.store_notification(
            conn, notification_id=notification.tts_notification_id, type_=notification.type,
            shop_id=notification.shop_id, order_id=str(order_id) if order_id else None, payload=notification.payload(),
        )
    if fresh and notification.type in HANDLED_TYPES:
        wake()
    return {"received": True, "duplicate": not fresh}


async def process_order_notifications(
    pool: asyncpg.Pool, api: OrdersApi, *, source: str, batch_size: int, max_attempts: int,
    recheck_s: float = 60.0, after_commit: AfterCommit = noop,
) -> int:
    """Handle one batch of pending order and cancellation notifications; returns how many were claimed."""
    async with pool.acquire() as conn, conn.transaction():
        claimed = await repo.claim_notifications(conn, types=list(HANDLED_TYPES), limit=batch_size)
        if not claimed:
            return 0
        # reserve them so the HTTP calls below happen outside any transaction
        claimed_at = await repo.reserve_notifications(conn, [r["tts_notification_id"] for r in claimed],
                                                      lease_s=CLAIM_LEASE_S)
    hold = partial(repo.hold_for_authorization, recheck_s=recheck_s, claimed_at=claimed_at)
    by_shop: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in claimed:
        by_shop[row["shop_id"]].append(row)
    for shop_id, rows in by_shop.items():
        await _process_shop(pool, api, shop_id, rows, source=source, max_attempts=max_attempts, hold=hold)
        after_commit()
    return len(claimed)


async def _process_shop(
    pool: asyncpg.Pool, api: OrdersApi, shop_id: str, rows: list[asyncpg.Record], *, source: str,
    max_attempts: int, hold: Hold,
) -> None:
    async with pool.acquire() as conn:
        shop = await shops_repo.get_shop(conn, shop_id)
        refused = download_refusal(shop, shop_id)
        if refused is not None:
            ids = [r["tts_notification_id"] for r in rows]
            if shop is not None and shop.awaiting_authorization:
                await hold(conn, ids, error=f"shop {shop_id} is {shop.status}; held until it is authorised again")
            else:
                await repo.mark_processed(conn, ids, f"ignored: {refused.message}")
            return
        assert shop is not None
        if not shop.query_order_status_change:
            off = [r["tts_notification_id"] for r in rows if r["type"] == CANCELLATION_STATUS_CHANGE]
            if off:
                await repo.mark_processed(conn, off, "ignored: query order status change is off for the shop")
            rows = [r for r in rows if r["type"] != CANCELLATION_STATUS_CHANGE]
            if not rows:
                return
        ids = [r["tts_notification_id"] for r in rows]
        order_ids = [r["order_id"] for r in rows if r["order_id"]]
        if not order_ids:
            await repo.mark_processed(conn, ids, "ignored: no order_id in the notification")
            return
    try:
        orders = await api.get(shop_id, order_ids)
    except AUTHORIZATION_PROBLEMS as exc:
        log.warning("webhook order fetch held: the shop is not authorised", shop_id=shop_id, error=str(exc))
        async with pool.acquire() as conn:
            await hold(conn, ids, error=f"{exc}; held until the shop is authorised again"[:1000])
        return
    except (TikTokError, TokenServiceRejected) as exc:
        attempts = max(r["attempts"] for r in rows) + 1
        log.warning("webhook order fetch failed", shop_id=shop_id, error=str(exc), attempt=attempts)
        async with pool.acquire() as conn:
            await repo.mark_failed(
                conn, ids, error=str(exc)[:1000], retry_in_s=RETRY_BASE_S * 2 ** (attempts - 1),
                max_attempts=max_attempts,
            )
        return
    async with pool.acquire() as conn, conn.transaction():
        result = await ingest_page(conn, orders, shop, source=source, cancellations=shop_import(shop))
        found = {str(o.get("id")) for o in orders}
        missing = [oid for oid in order_ids if oid not in found]
        outcome = f"ingested: {result.new} new, {result.updated} updated, {result.unchanged} unchanged"
        if missing:
            outcome += f"; not found on TikTok: {', '.join(missing[:10])}"
        await repo.mark_processed(conn, ids, outcome)
    log.info("webhook orders ingested", shop_id=shop_id, notifications=len(ids), **result.as_dict())
