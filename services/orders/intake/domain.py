"""Which events an order upsert produces: the rule of the one ingest. Pure: the ingest calls :func:`decide` per
order under a row lock and does what the :class:`Decision` says."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.orders.domain import CANCELLED, COMPLETED, NOT_PUBLISHABLE, SHIPPED, Order


@dataclass(frozen=True)
class ShopPolicy:
    """The shop switches that decide what gets published."""

    publish_on_hold_orders: bool = False


@dataclass(frozen=True)
class Stored:
    """What we already hold for an order (read under a row lock)."""

    update_time: int
    tiktok_status: str
    status: str
    shipping_status: str
    downloaded_published: bool
    cancelled_line_item_ids: frozenset[str] = frozenset()  # cancellations already recorded (R18)
    cancellation_flagged: bool = False  # a cancellation arrived after it shipped


class Outcome(Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # same update_time as stored
    STALE = "stale"  # older update_time than stored: ignored


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    write: bool  # store this version of the order
    publish_downloaded: bool  # enqueue OrderDownloaded (at most once per order, ever)
    publish_status_changed: bool  # enqueue OrderStatusChanged
    downloaded_published: bool  # the flag to store

    @property
    def counts_as(self) -> str:
        return "unchanged" if self.outcome in (Outcome.UNCHANGED, Outcome.STALE) else self.outcome.value


def publishable(order: Order, policy: ShopPolicy) -> bool:
    """May the order be handed to the WMS now? Not before it leaves ON_HOLD, unless configured (R19)."""
    if order.tiktok_status in NOT_PUBLISHABLE:
        return False
    return not order.is_on_hold or policy.publish_on_hold_orders


def decide(order: Order, stored: Stored | None, policy: ShopPolicy) -> Decision:
    """What to do with a fetched order given what we hold.

    New order: stored; OrderDownloaded if publishable. Known order with a newer update_time:
    stored; OrderDownloaded if it never was published and now is publishable (e.g. it left ON_HOLD),
    otherwise OrderStatusChanged if it was published and its status changed. Same update_time:
    nothing, unless it is still waiting to be published and now may be (the switch was turned on).
    Older update_time: ignored.
    """
    if stored is None:
        publish = publishable(order, policy)
        return Decision(Outcome.NEW, True, publish, False, publish)
    if order.update_time < stored.update_time:
        return Decision(Outcome.STALE, False, False, False, stored.downloaded_published)
    publish = not stored.downloaded_published and publishable(order, policy)
    if order.update_time == stored.update_time:
        if publish:
            return Decision(Outcome.UPDATED, True, True, False, True)
        return Decision(Outcome.UNCHANGED, False, False, False, stored.downloaded_published)
    changed = (order.tiktok_status, order.status, order.shipping_status) != (
        stored.tiktok_status,
        stored.status,
        stored.shipping_status,
    )
    status_event = stored.downloaded_published and changed
    return Decision(Outcome.UPDATED, True, publish, status_event, stored.downloaded_published or publish)


def status_change_kind(status: str) -> str:
    return {SHIPPED: "shipped", COMPLETED: "completed", CANCELLED: "cancelled"}.get(status, "status")
