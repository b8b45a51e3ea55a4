"""The contract events (libs.common.events) this service publishes, built from what the ingest, the after-sales
actions and the settlements import hold. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from libs.common.events.orders import (
    CancellationDetected,
    CancelledLine,
    OrderDownloaded,
    OrderLine,
    OrderStatusChanged,
    OrderTotals,
    Recipient,
    Tracking,
)
from services.orders.after_sales.domain import Cancellation
from services.orders.domain import Order
from services.orders.intake.domain import Stored, status_change_kind


def order_downloaded(order: Order) -> OrderDownloaded:
    return OrderDownloaded(
        shop_id=order.shop_id,
        order_id=order.order_id,
        status=order.status,
        tiktok_status=order.tiktok_status,
        order_source=order.order_source,
        channel=order.channel,
        fulfillment_type="TIKTOK" if order.fulfillment_type == "TIKTOK" else "SELLER",
        subtype=order.subtype,
        shipping_status=order.shipping_status,
        is_on_hold=order.is_on_hold,
        is_replacement=order.is_replacement,
        replaced_order_id=order.replaced_order_id,
        notes=list(order.notes),
        buyer_message=order.buyer_message,
        created_at=order.created_at,
        paid_at=order.paid_at,
        payment_method=order.payment_method,
        currency=order.currency,
        totals=OrderTotals(
            sub_total=order.sub_total, shipping_fee=order.shipping_fee, tax=order.tax, total=order.total
        ),
        recipient=Recipient(**order.recipient),
        lines=[
            OrderLine(
                seller_sku=line.seller_sku,
                sku_id=line.sku_id,
                product_id=line.product_id,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_item_ids=list(line.line_item_ids),
            )
            for line in order.lines
        ],
        wms_should_pick=order.wms_should_pick,
    )


def check_publishable(order: Order) -> None:
    """ValidationError when an event about ``order`` would break the contract (a text over its limit, a negative
    amount): such an order is refused when it is read, not when its page is written (``intake.service._map``)."""
    order_downloaded(order)
    _tracking(order)


def _tracking(order: Order) -> list[Tracking]:
    return [Tracking(tracking_number=p.tracking_number, carrier=p.carrier, package_id=p.package_id)
            for p in order.packages]


def order_status_changed(order: Order, previous: Stored) -> OrderStatusChanged:
    return OrderStatusChanged(
        shop_id=order.shop_id,
        order_id=order.order_id,
        status=order.status,
        kind=status_change_kind(order.status),
        tiktok_status=order.tiktok_status,
        previous_status=previous.status,
        tracking=_tracking(order) or None,
        occurred_at=datetime.fromtimestamp(order.update_time, UTC) if order.update_time else datetime.now(UTC),
        details={"shipping_status": order.shipping_status, "previous_tiktok_status": previous.tiktok_status},
    )


def cancellation_detected(order: Order, cancellation: Cancellation, *, detected_at: datetime) -> CancellationDetected:
    """``lines`` is absent when the cancellation covers every unit of the order."""
    ids = set(cancellation.line_item_ids)
    every = {i for line in order.lines for i in line.line_item_ids}
    lines = None
    if ids != every:
        lines = [
            CancelledLine(seller_sku=line.seller_sku, quantity=len(hit), line_item_ids=hit)
            for line in order.lines
            if (hit := [i for i in line.line_item_ids if i in ids])
        ]
    return CancellationDetected(
        shop_id=order.shop_id,
        order_id=order.order_id,
        initiated_by=cancellation.initiated_by,  # type: ignore[arg-type]
        reason=cancellation.reason,
        lines=lines,
        tiktok_status=order.tiktok_status,
        applied=cancellation.applied,
        not_applied_reason=cancellation.not_applied_reason,
        detected_at=detected_at,
    )


def order_refunded(
    shop_id: str, order_id: str, *, status: str, tiktok_status: str, return_id: str, amount: Decimal | None,
    currency: str | None, line_item_ids: list[str], return_status: str | None,
) -> OrderStatusChanged:
    """A refund TikTok accepted (R16): our status does not move."""
    return OrderStatusChanged(
        shop_id=shop_id, order_id=order_id, status=status, kind="refunded", tiktok_status=tiktok_status,
        previous_status=status, occurred_at=datetime.now(UTC),
        details={"return_id": return_id, "refund_amount": format(amount, "f") if amount is not None else None,
                 "currency": currency, "line_item_ids": line_item_ids, "return_status": return_status},
    )


def order_settled(row: Mapping[str, Any]) -> OrderStatusChanged:
    """A statement transaction applied to a stored order (R15), from the row the settlements import claimed."""
    return OrderStatusChanged(
        shop_id=row["shop_id"], order_id=row["order_id"], status=row["status"], kind="settled",
        tiktok_status=row["tiktok_status"], previous_status=row["status"], occurred_at=row["statement_time"],
        details={
            "statement_id": row["statement_id"], "transaction_id": row["transaction_id"],
            "currency": row["currency"], "revenue_amount": format(row["revenue_amount"], "f"),
            "fee_amount": format(row["fee_amount"], "f"), "settlement_amount": format(row["settlement_amount"], "f"),
            "payout_status": row["payout_status"],
        },
    )
