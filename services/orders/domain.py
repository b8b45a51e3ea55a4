"""Orders as this service holds them, built from TikTok's order objects. Pure: no I/O.

TikTok sends one line item per unit; :func:`order_from_tiktok` aggregates them into lines with a
quantity and keeps every line item id (needed later to ship or cancel single units). Money is
``Decimal`` throughout. Text is kept as TikTok sent it (quotes, emoji, right-to-left marks and all),
except the characters PostgreSQL cannot store (see :func:`order_from_tiktok`). Which events an upsert
produces is decided in :mod:`services.orders.intake.domain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from libs.common.limits import MAX_INT8, MAX_MONEY, storable_json

ORDER_SOURCE: Final = "Website"
CHANNEL: Final = "TikTok Shop"
FBT_SUBTYPE = "Fulfilled by TikTok"

# Our statuses (R12, R14, R18, R19) and shipping statuses.
IN_PROCESS, ON_HOLD, SHIPPED, COMPLETED, CANCELLED = "In Process", "On Hold", "Shipped", "Completed", "Cancelled"
UNSHIPPED, PARTIALLY_SHIPPED, FULLY_SHIPPED = "Unshipped", "Partially Shipped", "Shipped"

#: TikTok status -> (our status, our shipping status). The one place to change the mapping.
STATUS_MAP: dict[str, tuple[str, str]] = {
    "UNPAID": (IN_PROCESS, UNSHIPPED),
    "ON_HOLD": (ON_HOLD, UNSHIPPED),
    "AWAITING_SHIPMENT": (IN_PROCESS, UNSHIPPED),
    "PARTIALLY_SHIPPING": (IN_PROCESS, PARTIALLY_SHIPPED),
    "AWAITING_COLLECTION": (SHIPPED, FULLY_SHIPPED),
    "IN_TRANSIT": (SHIPPED, FULLY_SHIPPED),
    "DELIVERED": (COMPLETED, FULLY_SHIPPED),
    "COMPLETED": (COMPLETED, FULLY_SHIPPED),
    "CANCELLED": (CANCELLED, UNSHIPPED),
}
#: TikTok statuses whose orders are never handed to the WMS while they are in them: not paid yet,
#: or cancelled before we ever published them (nothing for the WMS to do).
NOT_PUBLISHABLE = frozenset({"UNPAID", "CANCELLED"})
FULFILLMENT_TYPES = {"FULFILLMENT_BY_SELLER": "SELLER", "FULFILLMENT_BY_TIKTOK": "TIKTOK"}


def wms_should_pick(fulfillment_type: str) -> bool:
    """FBT orders are picked and shipped by TikTok, never by the WMS (R14)."""
    return fulfillment_type != "TIKTOK"


class InvalidTikTokOrder(ValueError):
    """A TikTok order object we cannot make sense of (missing id, unknown status, bad amount)."""


def map_status(tiktok_status: str, fulfillment_type: str) -> tuple[str, str]:
    """Our (status, shipping status) for a TikTok status.

    FBT orders (R14) are Completed as soon as TikTok ships them: the seller has nothing left to do.
    """
    try:
        status, shipping = STATUS_MAP[tiktok_status]
    except KeyError:
        raise InvalidTikTokOrder(
            f"unknown TikTok order status {tiktok_status!r}; known: {', '.join(STATUS_MAP)}"
        ) from None
    if fulfillment_type == "TIKTOK" and status == SHIPPED:
        status = COMPLETED
    return status, shipping


def replacement_note(original_order_id: str) -> str:
    """System note on a replacement order (R13)."""
    return f"Replacement for order {original_order_id}"


@dataclass(frozen=True)
class Line:
    seller_sku: str
    sku_id: str
    product_id: str
    product_name: str | None
    quantity: int
    unit_price: Decimal
    line_item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    package_id: str | None
    tracking_number: str
    carrier: str | None


@dataclass(frozen=True)
class Order:
    order_id: str
    shop_id: str
    tiktok_status: str
    status: str
    shipping_status: str
    fulfillment_type: str  # SELLER | TIKTOK
    is_on_hold: bool
    is_replacement: bool
    replaced_order_id: str | None
    notes: tuple[str, ...]
    created_at: datetime
    paid_at: datetime | None
    payment_method: str | None
    currency: str
    sub_total: Decimal
    shipping_fee: Decimal
    tax: Decimal
    total: Decimal
    recipient: dict[str, str | None]
    lines: tuple[Line, ...]
    packages: tuple[Package, ...]
    update_time: int
    raw: dict[str, Any] = field(repr=False, compare=False)
    order_source: Literal["Website"] = ORDER_SOURCE
    channel: Literal["TikTok Shop"] = CHANNEL
    #: line items TikTok reports cancelled (all of them once the order is CANCELLED)
    cancelled_line_item_ids: frozenset[str] = frozenset()
    cancel_reason: str | None = None
    cancellation_initiator: str | None = None
    #: the buyer's message to the seller (TikTok's ``buyer_message``)
    buyer_message: str | None = None

    @property
    def subtype(self) -> str | None:
        return FBT_SUBTYPE if self.fulfillment_type == "TIKTOK" else None

    @property
    def wms_should_pick(self) -> bool:
        return wms_should_pick(self.fulfillment_type)


def _ts(value: Any) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        raise InvalidTikTokOrder(f"bad unix timestamp {value!r}") from None


def _money(value: Any, what: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidTikTokOrder(f"{what} is not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise InvalidTikTokOrder(f"{what} is not a finite amount: {value!r}")
    if abs(amount) >= MAX_MONEY:
        raise InvalidTikTokOrder(f"{what} {value!r} is beyond the amounts an order can hold (below {MAX_MONEY:,})")
    return amount


def _int(value: Any, what: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise InvalidTikTokOrder(f"{what} is not a whole number: {value!r}") from None
    if not 0 <= number <= MAX_INT8:
        raise InvalidTikTokOrder(f"{what} {number} is out of range (0 to {MAX_INT8})")
    return number


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def aggregate_lines(line_items: list[dict[str, Any]]) -> tuple[Line, ...]:
    """Group per-unit line items by (sku_id, seller_sku, unit price), in first-seen order.

    A line item without a seller SKU (possible on TikTok) is keyed by its sku_id so the WMS still
    gets an identifier.
    """
    groups: dict[tuple[str, str, Decimal], list[dict[str, Any]]] = {}
    for item in line_items:
        sku_id = _text(item.get("sku_id"))
        if sku_id is None or _text(item.get("id")) is None:
            raise InvalidTikTokOrder(f"line item without id or sku_id: {item.get('id')!r}")
        seller_sku = _text(item.get("seller_sku")) or sku_id
        price = _money(item.get("sale_price"), f"sale_price of line item {item.get('id')}")
        groups.setdefault((sku_id, seller_sku, price), []).append(item)
    lines = []
    for (sku_id, seller_sku, price), items in groups.items():
        first = items[0]
        lines.append(
            Line(
                seller_sku=seller_sku,
                sku_id=sku_id,
                product_id=_text(first.get("product_id")) or sku_id,
                product_name=_text(first.get("product_name")),
                quantity=len(items),
                unit_price=price,
                line_item_ids=tuple(str(i["id"]) for i in items),
            )
        )
    return tuple(lines)


def packages_of(raw: dict[str, Any]) -> tuple[Package, ...]:
    """Tracking per package, from the line items (each carries its package and tracking)."""
    seen: dict[tuple[str | None, str], Package] = {}
    for item in raw.get("line_items") or []:
        tracking = _text(item.get("tracking_number"))
        if tracking is None:
            continue
        package_id = _text(item.get("package_id"))
        seen.setdefault(
            (package_id, tracking), Package(package_id, tracking, _text(item.get("shipping_provider_name")))
        )
    if not seen and _text(raw.get("tracking_number")):
        tracking = str(raw["tracking_number"]).strip()
        seen[(None, tracking)] = Package(None, tracking, _text(raw.get("shipping_provider")))
    return tuple(seen.values())


def recipient_of(address: dict[str, Any] | None) -> dict[str, str | None]:
    address = address or {}
    return {
        "name": _text(address.get("name")),
        "phone": _text(address.get("phone_number") or address.get("phone")),
        "address_line1": _text(address.get("address_line1")),
        "address_line2": _text(address.get("address_line2")),
        "city": _text(address.get("city")),
        "state": _text(address.get("state")),
        "postal_code": _text(address.get("postal_code")),
        "country": _text(address.get("region_code")),
        "full_address": _text(address.get("full_address")),
    }


def order_from_tiktok(raw: dict[str, Any], shop_id: str) -> Order:
    """Map one TikTok 202309 order object to our :class:`Order`.

    A NUL character (or a lone surrogate) in anything TikTok sends, a buyer's message or an address line,
    is replaced by U+FFFD: PostgreSQL cannot store it, and refusing the order for it would keep it from
    the WMS. The rest of the text is kept verbatim, and ``raw`` is the order as TikTok sent it but for that.
    """
    raw = storable_json(raw)
    order_id = _text(raw.get("id"))
    if order_id is None:
        raise InvalidTikTokOrder("order without id")
    tiktok_status = str(raw.get("status") or "")
    raw_fulfillment = str(raw.get("fulfillment_type") or "FULFILLMENT_BY_SELLER")
    fulfillment_type = FULFILLMENT_TYPES.get(raw_fulfillment)
    if fulfillment_type is None:
        raise InvalidTikTokOrder(f"order {order_id}: unknown fulfillment_type {raw_fulfillment!r}")
    status, shipping_status = map_status(tiktok_status, fulfillment_type)
    lines = aggregate_lines(list(raw.get("line_items") or []))
    if not lines:
        raise InvalidTikTokOrder(f"order {order_id} has no line items")
    created_at = _ts(raw.get("create_time"))
    if created_at is None:
        raise InvalidTikTokOrder(f"order {order_id} has no create_time")
    payment = raw.get("payment") or {}
    currency = _text(payment.get("currency")) or _text(raw.get("currency"))
    if currency is None:
        raise InvalidTikTokOrder(f"order {order_id} has no currency")
    is_replacement = bool(raw.get("is_replacement_order"))
    replaced = _text(raw.get("replaced_order_id"))
    if is_replacement and replaced is None:
        raise InvalidTikTokOrder(f"order {order_id} is a replacement order without replaced_order_id")
    return Order(
        order_id=order_id,
        shop_id=shop_id,
        tiktok_status=tiktok_status,
        status=status,
        shipping_status=shipping_status,
        fulfillment_type=fulfillment_type,
        is_on_hold=bool(raw.get("is_on_hold_order")) or tiktok_status == "ON_HOLD",
        is_replacement=is_replacement,
        replaced_order_id=replaced if is_replacement else None,
        notes=(replacement_note(replaced),) if is_replacement and replaced else (),
        created_at=created_at,
        paid_at=_ts(raw.get("paid_time")),
        payment_method=_text(raw.get("payment_method_name")),
        currency=currency,
        sub_total=_money(payment.get("sub_total"), "payment.sub_total"),
        shipping_fee=_money(payment.get("shipping_fee"), "payment.shipping_fee"),
        tax=_money(payment.get("tax"), "payment.tax"),
        total=_money(payment.get("total_amount"), "payment.total_amount"),
        recipient=recipient_of(raw.get("recipient_address")),
        lines=lines,
        packages=packages_of(raw),
        update_time=_int(raw.get("update_time"), f"order {order_id}: update_time"),
        raw=raw,
        cancelled_line_item_ids=cancelled_items(raw, tiktok_status),
        cancel_reason=_text(raw.get("cancel_reason")),
        cancellation_initiator=_text(raw.get("cancellation_initiator")),
        buyer_message=_text(raw.get("buyer_message")),
    )


def cancelled_items(raw: dict[str, Any], tiktok_status: str) -> frozenset[str]:
    """Line items cancelled on TikTok: all of a CANCELLED order, else those whose display_status
    says CANCELLED (a partial cancellation)."""
    items = list(raw.get("line_items") or [])
    if tiktok_status == "CANCELLED":
        return frozenset(str(i["id"]) for i in items if i.get("id"))
    return frozenset(str(i["id"]) for i in items if i.get("id") and i.get("display_status") == "CANCELLED")
