"""Seller-side cancel (R17): ``POST /orders/{id}/cancel`` / ``ttshop orders cancel``.

TikTok's current status decides, not ours: the order is fetched first and the cancellation is
sent only while it is UNPAID or AWAITING_SHIPMENT; otherwise the operator is told the status.
After TikTok accepts, the order is fetched again and ingested, so our order and the
``CancellationDetected(initiated_by=SELLER)`` follow at once (the webhook that TikTok sends
afterwards finds the cancellation already recorded).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from libs.common.refusals import Conflict, Invalid, NotFound
from libs.common.tiktok.errors import TikTokError
from services.orders import repo, repo_cancellations
from services.orders.cancellations import Import
from services.orders.domain import Shop
from services.orders.service import AfterCommit, ingest_orders, noop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
CANCELLABLE = ("UNPAID", "AWAITING_SHIPMENT")


async def known_order(pool: asyncpg.Pool, order_id: str) -> tuple[asyncpg.Record, Shop]:
    """Our order and its shop, or the 404/409 an operator can act on."""
    async with pool.acquire() as conn:
        row = await repo.order_payment(conn, order_id)
        shop = await repo.get_shop(conn, row["shop_id"]) if row else None
    if row is None:
        raise NotFound("order_not_found", f"no order {order_id} has been downloaded")
    if shop is None or shop.status != "active":
        state = shop.status if shop else "unknown"
        raise Conflict("shop_not_active", f"shop {row['shop_id']} of order {order_id} is {state}; reconnect it first")
    return row, shop


def line_items_for(tiktok_order: dict[str, Any], seller_skus: list[str] | None, *, skip_status: str) -> list[str]:
    """Line item ids of the given SKUs (all when none given), leaving out items in ``skip_status``."""
    items = [i for i in tiktok_order.get("line_items") or [] if i.get("display_status") != skip_status]
    if not seller_skus:
        return [str(i["id"]) for i in items]
    known = {str(i.get("seller_sku")) for i in tiktok_order.get("line_items") or []}
    unknown = [s for s in seller_skus if s not in known]
    if unknown:
        raise Invalid("unknown_lines",
            f"order {tiktok_order.get('id')} has no line with seller SKU {', '.join(unknown)}; "
            f"its SKUs are {', '.join(sorted(known))}",
        )
    chosen = [str(i["id"]) for i in items if i.get("seller_sku") in seller_skus]
    if not chosen:
        raise Conflict("nothing_to_do", f"the lines {', '.join(seller_skus)} have nothing left in that state")
    return chosen


async def fetch_current(api: OrdersApi, shop_id: str, order_id: str) -> dict[str, Any]:
    current = await api.get_one(shop_id, order_id)
    if current is None:
        raise NotFound("order_not_on_tiktok", f"TikTok does not return order {order_id} for shop {shop_id}")
    return current


async def cancel_order(
    pool: asyncpg.Pool, api: OrdersApi, *, order_id: str, seller_skus: list[str] | None, reason: str, source: str,
    after_commit: AfterCommit = noop,
) -> dict[str, Any]:
    if not reason.strip():
        raise Invalid("reason_required", "a cancellation needs a reason (--reason)")
    _, shop = await known_order(pool, order_id)
    current = await fetch_current(api, shop.shop_id, order_id)
    status = str(current.get("status"))
    if status not in CANCELLABLE:
        raise Conflict("cancel_not_allowed",
            f"order {order_id} is {status} on TikTok; a seller can cancel only while it is UNPAID or "
            "AWAITING_SHIPMENT",
        )
    line_item_ids = line_items_for(current, seller_skus, skip_status="CANCELLED")
    try:
        answer = await api.cancel(shop.shop_id, order_id, line_item_ids, reason)
    except TikTokError as exc:
        if exc.transient:
            raise
        raise Conflict("cancel_refused_by_tiktok", f"TikTok refused to cancel order {order_id}: {exc.message}") from None
    async with pool.acquire() as conn:
        await repo_cancellations.record_cancel_request(
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


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
