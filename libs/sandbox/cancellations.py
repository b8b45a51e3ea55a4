"""Cancellations as TikTok holds them: buyer cancels (made through the control API's status move)
and seller cancels (``POST /return_refund/202309/cancellations``), each with a record that
``cancellations/search`` lists and a CANCELLATION_STATUS_CHANGE (type 11) webhook.

A seller cancel is accepted only while the order is UNPAID or AWAITING_SHIPMENT (ON_HOLD too: the
buyer-cancel window) and is applied at once; cancelling some line items leaves the order in its
status with those items' ``display_status`` CANCELLED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError
from libs.sandbox.models import Order
from libs.sandbox.state import SandboxState

SELLER_CANCELLABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")
#: Order status does not allow a seller cancellation: *sandbox choice*.
CANCEL_NOT_ALLOWED = 25001001
#: The line items are already cancelled: *sandbox choice*.
ALREADY_CANCELLED = 25001002

Publish = Callable[[str, str, dict[str, Any]], None]


@dataclass
class CancellationRecord:
    id: str
    order_id: str
    shop_id: str
    line_item_ids: list[str]
    initiator: str
    reason: str
    status: str
    create_time: int
    update_time: int = field(default=0)

    def to_wire(self) -> dict[str, Any]:
        return {
            "cancel_id": self.id, "order_id": self.order_id, "cancel_type": "CANCEL",
            "cancel_status": self.status, "cancel_reason_text": self.reason,
            "role": self.initiator, "create_time": self.create_time, "update_time": self.update_time or self.create_time,
            "cancel_line_items": [{"order_line_item_id": i} for i in self.line_item_ids],
        }


class CancellationBook:
    def __init__(self, state: SandboxState, publish: Publish) -> None:
        self._state = state
        self._publish = publish
        self.records: dict[str, CancellationRecord] = {}

    def _covered(self, order: Order) -> set[str]:
        return {i for r in self.records.values() if r.order_id == order.id for i in r.line_item_ids}

    def order_changed(self, shop_id: str, order_id: str) -> None:
        """OrderListener: a cancel made on TikTok's side (buyer, system) gets its record and webhook."""
        order = self._state.orders.get(order_id)
        if order is None or order.status != "CANCELLED":
            return
        missing = [i.id for i in order.line_items if i.id not in self._covered(order)]
        if missing:
            initiator = order.cancellation_initiator or "BUYER"
            self._record(order, missing, initiator, order.cancel_reason or "Buyer cancelled the order")

    def _record(self, order: Order, line_item_ids: list[str], initiator: str, reason: str) -> CancellationRecord:
        now = int(self._state.clock())
        record = CancellationRecord(
            self._state.ids.next(), order.id, order.shop_id, line_item_ids, initiator, reason, "COMPLETED", now, now
        )
        self.records[record.id] = record
        self._publish(order.shop_id, "CANCELLATION_STATUS_CHANGE", {
            "order_id": order.id, "cancel_id": record.id, "cancel_status": record.status,
            "role": initiator, "update_time": now,
        })
        return record

    def seller_cancel(self, shop_id: str, order_id: str, line_item_ids: list[str], reason: str) -> CancellationRecord:
        order = self._state.orders.in_shop(shop_id, order_id)
        if order.status not in SELLER_CANCELLABLE:
            raise SandboxError(
                CANCEL_NOT_ALLOWED,
                f"order {order_id} is {order.status}; a seller can cancel only UNPAID or AWAITING_SHIPMENT orders",
            )
        if not reason.strip():
            raise SandboxError(e.PARAM_INVALID, "cancel_reason is required")
        by_id = {i.id: i for i in order.line_items}
        open_items = [i.id for i in order.line_items if i.display_status != "CANCELLED"]
        wanted = list(dict.fromkeys(line_item_ids)) or open_items
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise SandboxError(e.LINE_ITEM_NOT_FOUND, f"line items {unknown} are not in order {order_id}")
        done = [i for i in wanted if i not in open_items]
        if done:
            raise SandboxError(ALREADY_CANCELLED, f"line items {done} of order {order_id} are already cancelled")
        now = int(self._state.clock())
        for item_id in wanted:
            by_id[item_id].display_status = "CANCELLED"
        if all(i.display_status == "CANCELLED" for i in order.line_items):
            order.status, order.cancellation_initiator, order.cancel_reason = "CANCELLED", "SELLER", reason
        order.update_time = now
        record = self._record(order, wanted, "SELLER", reason)
        self._state.orders._changed(shop_id, order.id, True)  # the ORDER_STATUS_CHANGE webhook
        return record

    def search(self, shop_id: str, order_ids: list[str] | None, status: str | None) -> list[CancellationRecord]:
        return [
            r for r in self.records.values()
            if r.shop_id == shop_id and (not order_ids or r.order_id in order_ids) and status in (None, r.status)
        ]
