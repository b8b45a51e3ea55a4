"""Tracking that moves over time (R23): the control call that moves a shipped order one step along
its carrier's journey.

``POST /sandbox/orders/{order_id}/advance`` moves AWAITING_COLLECTION -> IN_TRANSIT -> DELIVERED ->
COMPLETED, each step adding a tracking event (``GET /fulfillment/202309/orders/{id}/tracking``)
and moving the packages' line items. An FBT order still AWAITING_SHIPMENT is first shipped by
TikTok with its own carrier and tracking (then IN_TRANSIT), as TikTok's warehouse would.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.order_wire import order_to_wire
from libs.sandbox.security import get_state

router = APIRouter(tags=["sandbox control"])

#: status -> the next one on the carrier's journey
NEXT_STATUS = {
    "AWAITING_COLLECTION": "IN_TRANSIT",
    "IN_TRANSIT": "DELIVERED",
    "DELIVERED": "COMPLETED",
}


@router.post("/sandbox/orders/{order_id}/advance")
async def advance(order_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    order = state.orders.get(order_id)
    if order is None:
        raise SandboxError(e.ORDER_NOT_FOUND, f"order {order_id} does not exist", http_status=404)
    fbt_waiting = order.fulfillment_type == "FULFILLMENT_BY_TIKTOK" and order.status == "AWAITING_SHIPMENT"
    target = "IN_TRANSIT" if fbt_waiting else NEXT_STATUS.get(order.status)
    if target is None:
        raise SandboxError(
            e.PARAM_INVALID,
            f"order {order_id} is {order.status}; only a shipped order (all items in packages) or an FBT "
            f"order awaiting shipment can advance",
            http_status=409,
        )
    moved = state.orders.set_status(order_id, target)
    return envelope(order_to_wire(moved, state.orders.packages, with_tracking=True))
