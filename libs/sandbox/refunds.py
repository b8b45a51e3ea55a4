"""After-sales as TikTok holds them, refunds only: the eligibility answer
(``GET /return_refund/202309/orders/{id}/aftersale_eligibility``), refund requests
(``POST /return_refund/202309/returns`` with ``return_type`` REFUND, accepted at once with the
refund of the items' sale price) and ``returns/search``. Each accepted refund fires a
RETURN_STATUS_CHANGE (type 12) webhook.

Eligibility (*sandbox choice*, kept here): a line item may be refunded once the order is paid and
not cancelled, and only once; the shape ``{order_id, line_items[{order_line_item_id, eligible,
ineligible_reason}]}`` is *unconfirmed*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError
from libs.sandbox.models import Order
from libs.sandbox.orders import money
from libs.sandbox.state import SandboxState

NOT_PAID = ("UNPAID", "ON_HOLD")
#: The line items are not eligible for an after-sale refund: *sandbox choice*.
NOT_ELIGIBLE = 25002001

Publish = Callable[[str, str, dict[str, Any]], None]


@dataclass
class RefundRecord:
    id: str
    order_id: str
    shop_id: str
    line_item_ids: list[str]
    reason: str
    currency: str
    amount: str
    create_time: int
    status: str = "RETURN_OR_REFUND_REQUEST_COMPLETE"

    def to_wire(self) -> dict[str, Any]:
        return {
            "return_id": self.id, "order_id": self.order_id, "return_type": "REFUND", "return_status": self.status,
            "return_reason_text": self.reason, "create_time": self.create_time, "update_time": self.create_time,
            "refund_amount": {"currency": self.currency, "refund_total": self.amount},
            "return_line_items": [{"order_line_item_id": i} for i in self.line_item_ids],
        }


class RefundBook:
    def __init__(self, state: SandboxState, publish: Publish) -> None:
        self._state = state
        self._publish = publish
        self.records: dict[str, RefundRecord] = {}

    def refunded(self, order_id: str) -> set[str]:
        return {i for r in self.records.values() if r.order_id == order_id for i in r.line_item_ids}

    def _why_not(self, order: Order, item_id: str, display_status: str) -> str | None:
        if order.status in NOT_PAID:
            return f"order is {order.status}: not paid yet"
        if order.status == "CANCELLED" or display_status == "CANCELLED":
            return "cancelled"
        if item_id in self.refunded(order.id):
            return "already refunded"
        return None

    def eligibility(self, shop_id: str, order_id: str) -> dict[str, Any]:
        order = self._state.orders.in_shop(shop_id, order_id)
        items = []
        for item in order.line_items:
            reason = self._why_not(order, item.id, item.display_status)
            items.append({"order_line_item_id": item.id, "eligible": reason is None, "ineligible_reason": reason or ""})
        return {"order_id": order.id, "line_items": items}

    def request_refund(self, shop_id: str, order_id: str, line_item_ids: list[str], reason: str) -> RefundRecord:
        order = self._state.orders.in_shop(shop_id, order_id)
        by_id = {i.id: i for i in order.line_items}
        wanted = list(dict.fromkeys(line_item_ids)) or list(by_id)
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise SandboxError(e.LINE_ITEM_NOT_FOUND, f"line items {unknown} are not in order {order_id}")
        refused = {i: why for i in wanted if (why := self._why_not(order, i, by_id[i].display_status))}
        if refused:
            detail = "; ".join(f"{i}: {why}" for i, why in refused.items())
            raise SandboxError(NOT_ELIGIBLE, f"line items of order {order_id} are not eligible for a refund: {detail}")
        amount = sum((Decimal(by_id[i].sale_price) for i in wanted), Decimal(0))
        record = RefundRecord(
            self._state.ids.next(), order.id, shop_id, wanted, reason or "Seller refund", order.currency,
            money(amount), int(self._state.clock()),
        )
        self.records[record.id] = record
        self._publish(shop_id, "RETURN_STATUS_CHANGE", {
            "order_id": order.id, "return_id": record.id, "return_status": record.status,
            "return_type": "REFUND", "update_time": record.create_time,
        })
        return record

    def search(self, shop_id: str, order_ids: list[str] | None) -> list[RefundRecord]:
        return [r for r in self.records.values() if r.shop_id == shop_id and (not order_ids or r.order_id in order_ids)]
