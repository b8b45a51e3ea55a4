"""After-sales rules. Pure.

Cancellations made on TikTok (R18, R19), seen by the ingest: which one is new, whether it applies, what is
published. A cancellation is identified by the line items it cancels: the order row keeps the ids already
recorded, so seeing the same cancelled order again (webhook twice, poll, range job) finds nothing new and
publishes nothing. Rules:

* an order the WMS never received (ON_HOLD or UNPAID, never published) is cancelled and the
  cancellation recorded, nothing is published (R19), whatever the shop switches say;
* otherwise the cancellation is imported only when the shop's "query order status change" is on,
  or by a range download (always); when it is not imported the new version is not stored, so a
  later import still sees it as new;
* it is applied only when our order is In Process (or On Hold) and Unshipped: status Cancelled
  and ``CancellationDetected(applied=true)``; an order that already shipped keeps its status, is
  flagged, and ``CancellationDetected(applied=false, not_applied_reason=…)`` is published.

A seller's cancel (R17) is sent only while TikTok says UNPAID or AWAITING_SHIPMENT; a seller's refund (R16)
is refused for PayPal and Apple Pay (issued on TikTok) and for orders without an online payment, and
otherwise follows TikTok's after-sale eligibility.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from libs.common.refusals import Conflict, Invalid
from services.orders.domain import IN_PROCESS, ON_HOLD, UNSHIPPED, Order
from services.orders.intake.domain import Stored
from services.orders.shops.domain import Shop

INITIATORS = ("BUYER", "SELLER", "SYSTEM")
CANCELLABLE = ("UNPAID", "AWAITING_SHIPMENT")
#: Payment methods whose refunds the seller must issue on TikTok itself (R16).
REFUND_ON_TIKTOK = ("paypal", "apple pay")
#: Not an online payment: nothing the API can refund.
OFFLINE = ("cash on delivery", "cod", "cash")


class Import(Enum):
    """Whether cancellations seen by this ingest are imported."""

    ON = "on"  # range job, or the shop's query_order_status_change is on
    OFF = "off"


@dataclass(frozen=True)
class Cancellation:
    """A cancellation seen for the first time, and what to do with it."""

    line_item_ids: tuple[str, ...]
    whole_order: bool
    initiated_by: str
    reason: str | None
    applied: bool
    not_applied_reason: str | None
    publish: bool  # CancellationDetected goes to the outbox


class Deferred:
    """The cancellation is not imported now: do not store this version of the order."""


DEFERRED = Deferred()


def shop_import(shop: Shop) -> Import:
    """The poll and webhooks import cancellations only when the shop asks for status changes (R18)."""
    return Import.ON if shop.query_order_status_change else Import.OFF


def initiator(order: Order) -> str:
    value = (order.cancellation_initiator or "").upper()
    return value if value in INITIATORS else "SYSTEM"


def detect(order: Order, stored: Stored | None, mode: Import) -> Cancellation | Deferred | None:
    """The new cancellation in ``order`` (compared with what is recorded), if any."""
    recorded = stored.cancelled_line_item_ids if stored else frozenset()
    new_ids = order.cancelled_line_item_ids - recorded
    if not new_ids:
        return None
    seen = Cancellation(
        line_item_ids=tuple(sorted(new_ids)), whole_order=order.tiktok_status == "CANCELLED",
        initiated_by=initiator(order), reason=order.cancel_reason, applied=True, not_applied_reason=None,
        publish=False,
    )
    if stored is None or not stored.downloaded_published:
        return seen
    if mode is Import.OFF:
        return DEFERRED
    if stored.status in (IN_PROCESS, ON_HOLD) and stored.shipping_status == UNSHIPPED:
        return dataclasses.replace(seen, publish=True)
    reason = f"order already shipped (our status {stored.status}, shipping status {stored.shipping_status})"
    return dataclasses.replace(seen, applied=False, not_applied_reason=reason, publish=True)


def as_stored_after(order: Order, stored: Stored | None, cancellation: Cancellation | None) -> Order:
    """The order to write: a cancellation that is not applied (now or earlier) leaves our status."""
    keep = stored is not None and (
        (cancellation is not None and not cancellation.applied)
        or (stored.cancellation_flagged and order.tiktok_status == "CANCELLED")
    )
    if keep and stored is not None:
        return dataclasses.replace(order, status=stored.status, shipping_status=stored.shipping_status)
    return order


# --- seller-side cancel (R17) and refund (R16) -------------------------------------------------------


def check_cancellable(order_id: str, tiktok_status: str) -> None:
    """TikTok's current status decides, not ours."""
    if tiktok_status not in CANCELLABLE:
        raise Conflict("cancel_not_allowed",
            f"order {order_id} is {tiktok_status} on TikTok; a seller can cancel only while it is UNPAID or "
            "AWAITING_SHIPMENT",
        )


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


def check_eligible(order_id: str, line_item_ids: list[str], eligibility: dict[str, Any]) -> None:
    """TikTok's after-sale eligibility answer must allow a refund of every one of these line items."""
    verdicts = {str(i.get("order_line_item_id")): i for i in eligibility.get("line_items") or []}
    not_eligible = [
        f"{i} ({verdicts.get(i, {}).get('ineligible_reason') or 'not eligible'})"
        for i in line_item_ids if not verdicts.get(i, {}).get("eligible")
    ]
    if not_eligible:
        raise Conflict("refund_not_eligible",
                       f"TikTok does not allow a refund of order {order_id} line items: {', '.join(not_eligible)}")


def amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
