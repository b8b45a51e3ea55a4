"""Cancellations made on TikTok (R18, R19): which one is new, whether it applies, what is published.

Pure. A cancellation is identified by the line items it cancels: the order row keeps the ids
already recorded, so seeing the same cancelled order again (webhook twice, poll, range job)
finds nothing new and publishes nothing. Rules:

* an order the WMS never received (ON_HOLD or UNPAID, never published) is cancelled and the
  cancellation recorded, nothing is published (R19), whatever the shop switches say;
* otherwise the cancellation is imported only when the shop's "query order status change" is on,
  or by a range download (always); when it is not imported the new version is not stored, so a
  later import still sees it as new;
* it is applied only when our order is In Process (or On Hold) and Unshipped: status Cancelled
  and ``CancellationDetected(applied=true)``; an order that already shipped keeps its status, is
  flagged, and ``CancellationDetected(applied=false, not_applied_reason=…)`` is published.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum

from services.orders.decisions import Stored
from services.orders.domain import IN_PROCESS, ON_HOLD, UNSHIPPED, Order

INITIATORS = ("BUYER", "SELLER", "SYSTEM")


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
