"""Product listings the sandbox holds per shop, and the rules of the product endpoints.

Statuses are TikTok's 202309 spelling: a live listing is ``ACTIVATE`` (what sellers call
"active"); others are ``DRAFT``, ``PENDING``, ``FAILED``, ``SELLER_DEACTIVATED``,
``PLATFORM_DEACTIVATED``, ``FREEZE``, ``DELETED``. Search accepts those or ``ALL``.

Review (control API): a ``PENDING`` listing is approved (``ACTIVATE``) or rejected (``FAILED`` with
``audit_failed_reasons[{position, reasons[], suggestions[]}]``); TikTok may suspend a live one
(``PLATFORM_DEACTIVATED``) or freeze it (``FREEZE``) with a reason. ``audit.status`` values are
*unconfirmed*: ``AUDITING`` (in review), ``APPROVED``, ``FAILED``, ``NOT_SUBMITTED`` (a draft).

Error codes of the product endpoints (TikTok's exact numbers are not documented to us: all
*sandbox choice*, kept here so they are easy to change):

* :data:`PRODUCT_NOT_FOUND` 12019001 — product id unknown in this shop;
* :data:`SKU_NOT_FOUND` 12019002 — a SKU id in an update body is not a SKU of that product
  (nothing of the request is applied);
* :data:`WAREHOUSE_NOT_FOUND` 12019003 — an inventory ``warehouse_id`` is not a warehouse of the shop;
* :data:`PRICE_INVALID` 12019004 — a price that is not a positive decimal, or a currency other
  than the listing's;
* :data:`PRODUCT_STATE_INVALID` 12019005 — review of a listing that is not ``PENDING``, or a suspension
  of a draft or deleted one.

All mutations are synchronous (atomic on the event loop), like the rest of the sandbox state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from libs.sandbox.errors import PARAM_INVALID, SandboxError
from libs.sandbox.models import Shop
from libs.sandbox.state import IdFactory

PRODUCT_NOT_FOUND = 12019001
SKU_NOT_FOUND = 12019002
WAREHOUSE_NOT_FOUND = 12019003
PRICE_INVALID = 12019004
PRODUCT_STATE_INVALID = 12019005

ACTIVE = "ACTIVATE"
STATUSES = (
    "DRAFT", "PENDING", "FAILED", ACTIVE, "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED",
)
MAX_SKUS = 100
#: statuses TikTok (the control API) may impose on a listing
PLATFORM_STATUSES = ("PLATFORM_DEACTIVATED", "FREEZE")
_AUDIT_OF_STATUS = {"DRAFT": "NOT_SUBMITTED", "PENDING": "AUDITING", "FAILED": "FAILED"}


@dataclass
class SkuListing:
    id: str
    seller_sku: str
    price: Decimal
    currency: str
    #: warehouse_id -> quantity
    inventory: dict[str, int] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        amount = format(self.price, "f")
        return {
            "id": self.id,
            "seller_sku": self.seller_sku,
            "price": {"currency": self.currency, "sale_price": amount, "tax_exclusive_price": amount},
            "inventory": [{"warehouse_id": w, "quantity": q} for w, q in self.inventory.items()],
        }


@dataclass
class Product:
    id: str
    shop_id: str
    title: str
    status: str
    create_time: int
    update_time: int
    skus: list[SkuListing]
    audit_status: str = "APPROVED"
    #: [{position, reasons[], suggestions[]}] of the last failed review
    audit_failed_reasons: list[dict[str, Any]] = field(default_factory=list)
    suspended_reason: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "create_time": self.create_time,
            "update_time": self.update_time,
            "skus": [s.to_wire() for s in self.skus],
            "audit": {"status": self.audit_status},
            "audit_failed_reasons": [dict(r) for r in self.audit_failed_reasons],
        }

    def status_event(self) -> dict[str, Any]:
        """``data`` of webhook type 5 PRODUCT_STATUS_CHANGE."""
        return {"product_id": self.id, "status": self.status, "suspended_reason": self.suspended_reason,
                "update_time": self.update_time}


@dataclass(frozen=True)
class NewSku:
    seller_sku: str
    price: Decimal
    quantity: int


def _money(raw: Any, what: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise SandboxError(PRICE_INVALID, f"{what}: amount {raw!r} is not a decimal number") from None
    if not value.is_finite() or value <= 0:
        raise SandboxError(PRICE_INVALID, f"{what}: amount must be greater than 0, got {raw!r}")
    return value


class ProductBook:
    def __init__(self, ids: IdFactory, clock: Callable[[], float]) -> None:
        self._ids = ids
        self._clock = clock
        self.products: dict[str, Product] = {}

    def create(self, shop: Shop, *, title: str, skus: list[NewSku], status: str = ACTIVE,
               currency: str = "USD") -> Product:
        if status not in STATUSES:
            raise SandboxError(PARAM_INVALID, f"status must be one of {', '.join(STATUSES)}", http_status=400)
        if not 1 <= len(skus) <= MAX_SKUS:
            raise SandboxError(PARAM_INVALID, f"a product has 1 to {MAX_SKUS} SKUs, got {len(skus)}", http_status=400)
        warehouse = next((w for w in shop.warehouses if w.is_default), shop.warehouses[0] if shop.warehouses else None)
        now = int(self._clock())
        product = Product(
            id=self._ids.next(), shop_id=shop.id, title=title, status=status, create_time=now, update_time=now,
            audit_status=_AUDIT_OF_STATUS.get(status, "APPROVED"),
            skus=[
                SkuListing(
                    id=self._ids.next(), seller_sku=s.seller_sku, price=_money(s.price, s.seller_sku),
                    currency=currency, inventory={warehouse.id: s.quantity} if warehouse else {},
                )
                for s in skus
            ],
        )
        self.products[product.id] = product
        return product

    def of_shop(self, shop_id: str) -> list[Product]:
        return [p for p in self.products.values() if p.shop_id == shop_id]

    def search(self, shop_id: str, filters: dict[str, Any]) -> list[Product]:
        status = filters.get("status") or "ALL"
        if status != "ALL" and status not in STATUSES:
            raise SandboxError(PARAM_INVALID, f"status must be ALL or one of {', '.join(STATUSES)}")
        wanted = set(filters.get("seller_skus") or [])
        ge, le = filters.get("update_time_ge"), filters.get("update_time_le")
        return [
            p for p in self.of_shop(shop_id)
            if (status == "ALL" or p.status == status)
            and (not wanted or any(s.seller_sku in wanted for s in p.skus))
            and (ge is None or p.update_time >= ge)
            and (le is None or p.update_time <= le)
        ]

    def get(self, shop_id: str, product_id: str) -> Product:
        product = self.products.get(product_id)
        if product is None or product.shop_id != shop_id:
            raise SandboxError(PRODUCT_NOT_FOUND, f"product {product_id} does not exist in this shop")
        return product

    def find(self, product_id: str) -> Product:
        """Any shop's listing (control API): unknown ids answer HTTP 404."""
        product = self.products.get(product_id)
        if product is None:
            raise SandboxError(PRODUCT_NOT_FOUND, f"product {product_id} does not exist", http_status=404)
        return product

    def review(self, product_id: str, *, approve: bool, reasons: list[dict[str, Any]]) -> Product:
        """Ends TikTok's review of a ``PENDING`` listing: ``ACTIVATE``, or ``FAILED`` with ``reasons``."""
        product = self.find(product_id)
        if product.status != "PENDING":
            raise SandboxError(
                PRODUCT_STATE_INVALID, f"product {product_id} is {product.status}, not PENDING: nothing to review",
                http_status=400,
            )
        product.status = ACTIVE if approve else "FAILED"
        product.audit_status = "APPROVED" if approve else "FAILED"
        product.audit_failed_reasons = [] if approve else reasons
        product.update_time = int(self._clock())
        return product

    def impose(self, product_id: str, status: str, reason: str | None) -> Product:
        """TikTok suspends (``PLATFORM_DEACTIVATED``) or freezes (``FREEZE``) a listing."""
        if status not in PLATFORM_STATUSES:
            raise SandboxError(
                PARAM_INVALID, f"status must be one of {', '.join(PLATFORM_STATUSES)}, got {status!r}", http_status=400
            )
        product = self.find(product_id)
        if product.status in ("DRAFT", "DELETED"):
            raise SandboxError(
                PRODUCT_STATE_INVALID, f"product {product_id} is {product.status}; only listings can be suspended",
                http_status=400,
            )
        product.status = status
        product.suspended_reason = reason or ""
        product.update_time = int(self._clock())
        return product

    def _skus(self, product: Product, ids: Iterable[str]) -> list[SkuListing]:
        by_id = {s.id: s for s in product.skus}
        found: list[SkuListing] = []
        for sku_id in ids:
            if sku_id not in by_id:
                raise SandboxError(SKU_NOT_FOUND, f"sku {sku_id} is not a SKU of product {product.id}")
            found.append(by_id[sku_id])
        return found

    def update_inventory(self, shop: Shop, product_id: str, skus: list[dict[str, Any]]) -> Product:
        """``skus[{id, inventory[{warehouse_id, quantity}]}]``: validated in full before anything changes."""
        product = self.get(shop.id, product_id)
        if not skus:
            raise SandboxError(PARAM_INVALID, "skus must not be empty")
        targets = self._skus(product, (str(s.get("id")) for s in skus))
        warehouses = {w.id for w in shop.warehouses}
        changes: list[tuple[SkuListing, str, int]] = []
        for target, body in zip(targets, skus, strict=True):
            for entry in body.get("inventory") or []:
                warehouse_id, quantity = str(entry.get("warehouse_id")), entry.get("quantity")
                if warehouse_id not in warehouses:
                    raise SandboxError(WAREHOUSE_NOT_FOUND, f"warehouse {warehouse_id} is not a warehouse of this shop")
                if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 99_999:
                    raise SandboxError(PARAM_INVALID, f"quantity must be an integer 0..99999, got {quantity!r}")
                changes.append((target, warehouse_id, quantity))
            if not body.get("inventory"):
                raise SandboxError(PARAM_INVALID, f"sku {target.id}: inventory must not be empty")
        for target, warehouse_id, quantity in changes:
            target.inventory[warehouse_id] = quantity
        product.update_time = int(self._clock())
        return product

    def update_prices(self, shop: Shop, product_id: str, skus: list[dict[str, Any]]) -> Product:
        """``skus[{id, price{amount, currency}}]``: validated in full before anything changes."""
        product = self.get(shop.id, product_id)
        if not skus:
            raise SandboxError(PARAM_INVALID, "skus must not be empty")
        targets = self._skus(product, (str(s.get("id")) for s in skus))
        changes: list[tuple[SkuListing, Decimal]] = []
        for target, body in zip(targets, skus, strict=True):
            price = body.get("price") or {}
            amount = _money(price.get("amount"), f"sku {target.id}")
            if price.get("currency") != target.currency:
                raise SandboxError(
                    PRICE_INVALID, f"sku {target.id}: currency must be {target.currency}, got {price.get('currency')!r}"
                )
            changes.append((target, amount))
        for target, amount in changes:
            target.price = amount
        product.update_time = int(self._clock())
        return product
