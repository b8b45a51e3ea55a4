"""The contract events (libs.common.events) this service publishes, built from domain orders. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

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
from services.orders.cancellations import Cancellation
from services.orders.decisions import Stored, status_change_kind
from services.orders.domain import Order


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
    amount): such an order is refused when it is read, not when its page is written (``service._map``)."""
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
