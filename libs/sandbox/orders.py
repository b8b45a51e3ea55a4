"""Orders as TikTok holds them: creation (one line item per unit), status moves, mark-shipped
packages, search, and the 202309 wire shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError
from libs.sandbox.logistics import SHIPPING_PROVIDERS, TIKTOK_PROVIDER_ID, TIKTOK_PROVIDER_NAME
from libs.sandbox.models import LineItem, Order, Package, TrackingEvent

STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
SHIPPED = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
FULFILLMENT_TYPES = ("FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK")
CENT = Decimal("0.01")
SANDBOX_RECIPIENT = {
    "name": "Sandbox Buyer",
    "phone_number": "+1 (213) 555-0100",
    "address_line1": "100 Sample Street",
    "address_line2": "",
    "city": "Los Angeles",
    "state": "California",
    "postal_code": "90012",
    "region_code": "US",
    "full_address": "100 Sample Street, Los Angeles, California, 90012, US",
}
EMPTY_RECIPIENT = {k: "" for k in SANDBOX_RECIPIENT}


class OrderListener(Protocol):
    def __call__(self, shop_id: str, order_id: str) -> None: ...


@dataclass(frozen=True)
class NewLine:
    seller_sku: str
    quantity: int
    unit_price: Decimal
    sku_id: str
    product_id: str
    product_name: str


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


class OrderBook:
    def __init__(
        self, ids: Any, clock: Callable[[], float], changed: Callable[[str, str, bool], None]
    ) -> None:
        self._ids = ids
        self._clock = clock
        self._changed = changed
        self.orders: dict[str, Order] = {}
        self.packages: dict[str, Package] = {}

    def _now(self) -> int:
        return int(self._clock())

    # --- lookups -------------------------------------------------------------------------------
    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def in_shop(self, shop_id: str, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.shop_id != shop_id:
            raise SandboxError(e.ORDER_NOT_FOUND, f"order {order_id} not found in this shop")
        return order

    # --- creation and status -------------------------------------------------------------------
    def create(
        self,
        shop_id: str,
        lines: list[NewLine],
        *,
        fulfillment_type: str,
        payment_method: str,
        currency: str,
        status: str,
        replacement_of: str | None = None,
        create_time: int | None = None,
        shipping_fee: Decimal = Decimal(0),
        tax: Decimal = Decimal(0),
        notify: bool = True,
        recipient: dict[str, str] | None = None,
        buyer_message: str = "",
    ) -> Order:
        if status not in STATUSES:
            raise SandboxError(e.PARAM_INVALID, f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        if fulfillment_type not in FULFILLMENT_TYPES:
            raise SandboxError(
                e.PARAM_INVALID, f"fulfillment_type must be one of {', '.join(FULFILLMENT_TYPES)}"
            )
        if not lines:
            raise SandboxError(e.PARAM_INVALID, "an order needs at least one line")
        if replacement_of is not None and self.orders.get(replacement_of) is None:
            raise SandboxError(e.ORDER_NOT_FOUND, f"replacement_of: order {replacement_of} does not exist")
        created = create_time if create_time is not None else self._now()
        items = [
            LineItem(
                id=self._ids.next(),
                sku_id=line.sku_id,
                seller_sku=line.seller_sku,
                product_id=line.product_id,
                product_name=line.product_name,
                sale_price=money(line.unit_price),
                currency=currency,
                display_status=status,
            )
            for line in lines
            for _ in range(line.quantity)
        ]
        sub_total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
        on_hold = status == "ON_HOLD"
        address = {**SANDBOX_RECIPIENT, **(recipient or {})}
        order = Order(
            id=self._ids.next(),
            shop_id=shop_id,
            status=status,
            create_time=created,
            update_time=self._now(),
            paid_time=None if status == "UNPAID" else created,
            fulfillment_type=fulfillment_type,
            payment_method_name=payment_method,
            currency=currency,
            sub_total=money(sub_total),
            shipping_fee=money(shipping_fee),
            tax=money(tax),
            total_amount=money(sub_total + shipping_fee + tax),
            recipient=dict(EMPTY_RECIPIENT if on_hold else address),
            line_items=items,
            is_replacement_order=replacement_of is not None,
            replaced_order_id=replacement_of or "",
            is_on_hold_order=on_hold,
            buyer_message=buyer_message,
            buyer_address=address,
        )
        self.orders[order.id] = order
        self._changed(shop_id, order.id, notify)
        return order

    def set_status(self, order_id: str, status: str, reason: str | None = None) -> Order:
        """What happens on TikTok's side (buyer, carrier, TikTok's warehouse) to an order."""
        order = self.orders.get(order_id)
        if order is None:
            raise SandboxError(e.ORDER_NOT_FOUND, f"order {order_id} does not exist", http_status=404)
        if status not in STATUSES:
            raise SandboxError(
                e.PARAM_INVALID, f"unknown status {status!r}; one of {', '.join(STATUSES)}", http_status=400
            )
        now = self._now()
        if status == "CANCELLED":
            order.cancel_reason = reason or "Buyer cancelled the order"
            order.cancellation_initiator = "BUYER"
        elif status in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING") or status in SHIPPED:
            order.is_on_hold_order = False
            order.recipient = dict(order.buyer_address or SANDBOX_RECIPIENT)
            order.paid_time = order.paid_time or now
        if status in ("IN_TRANSIT", "DELIVERED", "COMPLETED"):
            self._ship_remaining_by_tiktok(order, now)
            order.tracking.append(TrackingEvent(_TRACKING_TEXT.get(status, status), now * 1000))
        order.status = status
        for item in order.line_items:
            if status in ("CANCELLED", "UNPAID", "ON_HOLD", "AWAITING_SHIPMENT") or item.package_id:
                item.display_status = status
        order.update_time = now
        self._changed(order.shop_id, order.id, True)
        return order

    def _ship_remaining_by_tiktok(self, order: Order, now: int) -> None:
        """FBT orders, or items nobody shipped, leave with TikTok's own carrier and tracking."""
        remaining = [i for i in order.line_items if not i.package_id]
        if remaining:
            self._new_package(
                order, remaining, f"TT{self._ids.next()}", TIKTOK_PROVIDER_ID, now, by_tiktok=True
            )

    def _new_package(
        self,
        order: Order,
        items: list[LineItem],
        tracking_number: str,
        provider_id: str,
        now: int,
        *,
        by_tiktok: bool = False,
    ) -> Package:
        name = TIKTOK_PROVIDER_NAME if by_tiktok else SHIPPING_PROVIDERS[provider_id]
        package = Package(
            id=self._ids.next(),
            order_id=order.id,
            shop_id=order.shop_id,
            line_item_ids=[i.id for i in items],
            tracking_number=tracking_number,
            shipping_provider_id=provider_id,
            shipping_provider_name=name,
            create_time=now,
            shipped_by_tiktok=by_tiktok,
        )
        for item in items:
            item.package_id, item.tracking_number = package.id, tracking_number
            item.shipping_provider_name, item.shipping_provider_id = name, provider_id
            item.display_status = "AWAITING_COLLECTION"
        self.packages[package.id] = package
        order.package_ids.append(package.id)
        order.tracking.append(
            TrackingEvent(f"Package {package.id} created with {name} tracking {tracking_number}", now * 1000)
        )
        return package

    # --- seller actions (API) ------------------------------------------------------------------
    def mark_shipped(
        self,
        shop_id: str,
        order_id: str,
        *,
        tracking_number: str,
        shipping_provider_id: str,
        line_item_ids: list[str] | None,
    ) -> Package:
        order = self.in_shop(shop_id, order_id)
        if order.status in SHIPPED:
            raise SandboxError(
                e.ALREADY_SHIPPED, f"order {order_id} is already shipped (status {order.status})"
            )
        if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
            raise SandboxError(
                e.ORDER_STATUS_NOT_SHIPPABLE, f"order {order_id} is {order.status} and cannot be shipped"
            )
        if order.fulfillment_type == "FULFILLMENT_BY_TIKTOK":
            raise SandboxError(
                e.ORDER_STATUS_NOT_SHIPPABLE,
                f"order {order_id} is fulfilled by TikTok; the seller cannot ship it",
            )
        tracking_number = tracking_number.strip()
        if not tracking_number:
            raise SandboxError(e.PARAM_INVALID, "tracking_number is required")
        if shipping_provider_id not in SHIPPING_PROVIDERS:
            raise SandboxError(
                e.SHIPPING_PROVIDER_INVALID,
                f"shipping_provider_id {shipping_provider_id!r} is not offered; list them with "
                "GET /logistics/202309/delivery_options/{id}/shipping_providers",
            )
        by_id = {i.id: i for i in order.line_items}
        wanted = line_item_ids or [i.id for i in order.line_items if not i.package_id]
        if len(set(wanted)) != len(wanted):
            raise SandboxError(e.PARAM_INVALID, "order_line_item_ids has duplicates")
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise SandboxError(e.LINE_ITEM_NOT_FOUND, f"line items {unknown} are not in order {order_id}")
        shipped = [i for i in wanted if by_id[i].package_id]
        if shipped:
            raise SandboxError(
                e.ALREADY_SHIPPED, f"line items {shipped} of order {order_id} are already shipped"
            )
        if any(p.shop_id == shop_id and p.tracking_number == tracking_number for p in self.packages.values()):
            raise SandboxError(
                e.DUPLICATE_TRACKING,
                f"tracking number {tracking_number} is already used on another package of this shop",
            )
        now = self._now()
        package = self._new_package(
            order, [by_id[i] for i in wanted], tracking_number, shipping_provider_id, now
        )
        before = order.status
        order.status = (
            "PARTIALLY_SHIPPING" if any(not i.package_id for i in order.line_items) else "AWAITING_COLLECTION"
        )
        order.update_time = now
        self._changed(shop_id, order.id, order.status != before)
        return package

    def search(self, shop_id: str, filters: dict[str, Any]) -> list[Order]:
        def keep(o: Order) -> bool:
            return (
                o.shop_id == shop_id
                and (filters.get("order_status") in (None, o.status))
                and _in_range(o.create_time, filters.get("create_time_ge"), filters.get("create_time_lt"))
                and _in_range(o.update_time, filters.get("update_time_ge"), filters.get("update_time_lt"))
            )

        return [o for o in self.orders.values() if keep(o)]


def _in_range(value: int, ge: int | None, lt: int | None) -> bool:
    return (ge is None or value >= ge) and (lt is None or value < lt)


_TRACKING_TEXT = {
    "IN_TRANSIT": "The carrier picked up the package; in transit",
    "DELIVERED": "Package delivered",
    "COMPLETED": "Order completed",
}
