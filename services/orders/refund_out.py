"""Seller-side refund (R16): ``POST /orders/{id}/refund`` / ``ttshop orders refund``.

Refused here, before TikTok is asked, for orders paid with PayPal or Apple Pay (the refund must
be issued on TikTok) or without an online payment method. Otherwise TikTok's after-sale
eligibility decides; an accepted refund is stored and ``OrderStatusChanged(kind=refunded)``
published in the same transaction, once per TikTok refund request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg
import structlog

from libs.common.events import new_event
from libs.common.events.orders import OrderStatusChanged
from libs.common.outbox import enqueue_many
from libs.common.refusals import Conflict
from libs.common.tiktok.errors import TikTokError
from services.orders import repo, repo_cancellations
from services.orders.cancel_out import fetch_current, known_order, line_items_for
from services.orders.service import AfterCommit, noop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
#: Payment methods whose refunds the seller must issue on TikTok itself (R16).
REFUND_ON_TIKTOK = ("paypal", "apple pay")
#: Not an online payment: nothing the API can refund.
OFFLINE = ("cash on delivery", "cod", "cash")


def refusal(payment_method: str | None, order_id: str) -> Conflict | None:
    """The R16 refusal for this payment method, if any."""
    method = (payment_method or "").strip()
    if method.lower() in REFUND_ON_TIKTOK:
        return Conflict("refund_on_tiktok", f"order {order_id} was paid with {method}: issue this refund on TikTok")
    if not method or method.lower() in OFFLINE:
        return Conflict("refund_not_online",
            f"order {order_id} was not paid with an online payment method ({method or 'none recorded'}); "
            "it cannot be refunded through the API",
        )
    return None


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


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
    eligibility = await api.aftersale_eligibility(shop.shop_id, order_id)
    verdicts = {str(i.get("order_line_item_id")): i for i in eligibility.get("line_items") or []}
    not_eligible = [
        f"{i} ({verdicts.get(i, {}).get('ineligible_reason') or 'not eligible'})"
        for i in line_item_ids if not verdicts.get(i, {}).get("eligible")
    ]
    if not_eligible:
        raise Conflict("refund_not_eligible",
                       f"TikTok does not allow a refund of order {order_id} line items: {', '.join(not_eligible)}")
    try:
        answer = await api.request_refund(shop.shop_id, order_id, line_item_ids, reason)
    except TikTokError as exc:
        if exc.transient:
            raise
        raise Conflict("refund_refused_by_tiktok", f"TikTok refused the refund of order {order_id}: {exc.message}") from None
    refund = answer.get("refund_amount") or {}
    amount, currency = _amount(refund.get("refund_total")), refund.get("currency")
    return_id = str(answer.get("return_id"))
    async with pool.acquire() as conn, conn.transaction():
        status = await repo.order_status(conn, order_id)
        inserted = await repo_cancellations.record_refund(
            conn, return_id=return_id, order_id=order_id, shop_id=shop.shop_id, line_item_ids=line_item_ids,
            reason=reason, return_status=answer.get("return_status"), currency=currency, amount=amount,
        )
        if inserted:
            event = OrderStatusChanged(
                shop_id=shop.shop_id, order_id=order_id, status=status, kind="refunded",
                tiktok_status=str(current.get("status")), previous_status=status,
                occurred_at=datetime.now(UTC),
                details={"return_id": return_id, "refund_amount": format(amount, "f") if amount is not None else None,
                         "currency": currency, "line_item_ids": line_item_ids, "return_status": answer.get("return_status")},
            )
            await enqueue_many(conn, [new_event(event, source=source)])
    after_commit()
    log.info("refund requested on TikTok", shop_id=shop.shop_id, order_id=order_id, return_id=return_id)
    return {
        "order_id": order_id, "return_id": return_id, "return_status": answer.get("return_status"),
        "refund_amount": format(amount, "f") if amount is not None else None, "currency": currency,
        "line_item_ids": line_item_ids,
    }
