"""Seller-side after-sales: cancel (R17, ``POST /orders/{id}/cancel``) and refund (R16,
``POST /orders/{id}/refund``).

TikTok's current status decides a cancel, not ours: the order is fetched first and the cancellation sent only
while TikTok allows it. After TikTok accepts, the order is fetched again and ingested, so our order and the
``CancellationDetected(initiated_by=SELLER)`` follow at once (the webhook TikTok sends afterwards finds the
cancellation already recorded). A refund is refused here, before TikTok is asked, when the payment method
says so; otherwise TikTok's after-sale eligibility decides, and an accepted refund is stored and
``OrderStatusChanged(kind=refunded)`` published in the same transaction, once per TikTok refund request.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from libs.common.events import new_event
from libs.common.outbox import enqueue_many
from libs.common.refusals import Conflict, Invalid, NotFound
from libs.common.tiktok.errors import TikTokError
from services.orders import repo as orders_repo
from services.orders.after_sales import repo
from services.orders.after_sales.domain import (
    Import,
    amount,
    check_cancellable,
    check_eligible,
    line_items_for,
    refusal,
)
from services.orders.events import order_refunded
from services.orders.intake.service import AfterCommit, ingest_orders, noop
from services.orders.shops import repo as shops_repo
from services.orders.shops.domain import Shop, authorisation_refusal
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)


async def known_order(pool: asyncpg.Pool, order_id: str) -> tuple[asyncpg.Record, Shop]:
    """Our order and its shop, or the 404/409 an operator can act on."""
    async with pool.acquire() as conn:
        row = await orders_repo.order_payment(conn, order_id)
        shop = await shops_repo.get_shop(conn, row["shop_id"]) if row else None
    if row is None:
        raise NotFound("order_not_found", f"no order {order_id} has been downloaded")
    refused = authorisation_refusal(shop, row["shop_id"], of=f" of order {order_id}")
    if refused is not None:
        raise refused
    assert shop is not None
    return row, shop


async def fetch_current(api: OrdersApi, shop_id: str, order_id: str) -> dict[str, Any]:
    current = await api.get_one(shop_id, order_id)
    if current is None:
        raise NotFound("order_not_on_tiktok", f"TikTok does not return order {order_id} for shop {shop_id}")
    return current


def _refused_by_tiktok(exc: TikTokError, code: str, what: str) -> Conflict:
    """TikTok's refusal as ours; a transient error (the client already retried) goes on as it is."""
    if exc.transient:
        raise exc
    return Conflict(code, f"TikTok refused {what}: {exc.message}")


async def cancel_order(
    pool: asyncpg.Pool, api: OrdersApi, *, order_id: str, seller_skus: list[str] | None, reason: str, source: str,
    after_commit: AfterCommit = noop,
) -> dict[str, Any]:
    if not reason.strip():
        raise Invalid("reason_required", "a cancellation needs a reason (--reason)")
    _, shop = await known_order(pool, order_id)
    current = await fetch_current(api, shop.shop_id, order_id)
    status = str(current.get("status"))
    check_cancellable(order_id, status)
    line_item_ids = line_items_for(current, seller_skus, skip_status="CANCELLED")
    try:
        answer = await api.cancel(shop.shop_id, order_id, line_item_ids, reason)
    except TikTokError as exc:
        raise _refused_by_tiktok(exc, "cancel_refused_by_tiktok", f"to cancel order {order_id}") from None
    async with pool.acquire() as conn:
        await repo.record_cancel_request(
            conn, order_id=order_id, shop_id=shop.shop_id, line_item_ids=line_item_ids, reason=reason,
            tiktok_status=status, cancellation_id=_text(answer.get("cancel_id")),
            cancel_status=_text(answer.get("cancel_status")),
        )
    log.info("order cancelled on TikTok", shop_id=shop.shop_id, order_id=order_id, line_items=len(line_item_ids))
    refreshed = await api.get(shop.shop_id, [order_id])
    result = await ingest_orders(
        pool, refreshed, shop, source=source, after_commit=after_commit, cancellations=Import.ON
    )
    return {
        "order_id": order_id, "cancellation_id": answer.get("cancel_id"), "cancel_status": answer.get("cancel_status"),
        "tiktok_status_before": status, "line_item_ids": line_item_ids,
        "tiktok_status_now": refreshed[0].get("status") if refreshed else None,
        "cancellation_events": result.cancellation_events,
    }


async def refund_order(
    pool: asyncpg.Pool, api: OrdersApi, *, order_id: str, seller_skus: list[str] | None, reason: str, source: str,
    after_commit: AfterCommit = noop,
) -> dict[str, Any]:
    row, shop = await known_order(pool, order_id)
    refused = refusal(row["payment_method"], order_id)
    if refused is not None:
        raise refused
    current = await fetch_current(api, shop.shop_id, order_id)
    line_item_ids = line_items_for(current, seller_skus, skip_status="CANCELLED")
    check_eligible(order_id, line_item_ids, await api.aftersale_eligibility(shop.shop_id, order_id))
    try:
        answer = await api.request_refund(shop.shop_id, order_id, line_item_ids, reason)
    except TikTokError as exc:
        raise _refused_by_tiktok(exc, "refund_refused_by_tiktok", f"the refund of order {order_id}") from None
    refund = answer.get("refund_amount") or {}
    money, currency = amount(refund.get("refund_total")), refund.get("currency")
    return_id = str(answer.get("return_id"))
    async with pool.acquire() as conn, conn.transaction():
        status = await orders_repo.order_status(conn, order_id)
        inserted = await repo.record_refund(
            conn, return_id=return_id, order_id=order_id, shop_id=shop.shop_id, line_item_ids=line_item_ids,
            reason=reason, return_status=answer.get("return_status"), currency=currency, amount=money,
        )
        if inserted:
            event = order_refunded(
                shop.shop_id, order_id, status=status, tiktok_status=str(current.get("status")),
                return_id=return_id, amount=money, currency=currency, line_item_ids=line_item_ids,
                return_status=answer.get("return_status"),
            )
            await enqueue_many(conn, [new_event(event, source=source)])
    after_commit()
    log.info("refund requested on TikTok", shop_id=shop.shop_id, order_id=order_id, return_id=return_id)
    return {
        "order_id": order_id, "return_id": return_id, "return_status": answer.get("return_status"),
        "refund_amount": format(money, "f") if money is not None else None, "currency": currency,
        "line_item_ids": line_item_ids,
    }


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
