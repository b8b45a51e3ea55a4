"""Manual tracking (R21), the pure part: what an operator asks to ship, the id that makes a repeated command ship
once, and why a request is refused. No I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from libs.common.refusals import Conflict, NotFound
from services.fulfillment.domain import event_id_for
from services.fulfillment.uploads.domain import RequestedLine


@dataclass(frozen=True)
class ManualShipment:
    carrier: str
    tracking_number: str
    lines: Sequence[RequestedLine] | None = None
    line_item_ids: Sequence[str] | None = None
    shipment_id: str | None = None  # the caller's id makes a repeated request harmless


def new_shipment_id(order_id: str, tracking_number: str) -> str:
    """Same order and tracking number -> same id: typing the command twice ships once."""
    return f"manual-{event_id_for('manual', f'{order_id}:{tracking_number.strip()}')[:18]}"


def order_not_known(order_id: str) -> NotFound:
    """Fulfillment has no downloaded copy of the order, so its line items are unknown."""
    return NotFound("order_not_found", f"order {order_id} has not been downloaded, so its line items are unknown; "
                    f"download it first (`ttshop orders download SHOP`)")


def cannot_ship(message: str) -> Conflict:
    """The order cannot be shipped as asked; the message says why. Nothing was recorded."""
    return Conflict("cannot_ship", message)


def tracking_upload_off(shop_id: str) -> Conflict:
    return cannot_ship(f"tracking upload off for shop {shop_id}: turn it on with `ttshop shops settings "
                       f"{shop_id} --allow-tracking-upload on`, then ship again")
