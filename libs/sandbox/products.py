"""Product listings the sandbox holds per shop, and the rules of the product endpoints.

Statuses are TikTok's 202309 spelling: a live listing is ``ACTIVATE`` (what sellers call
"active"); others are ``DRAFT``, ``PENDING``, ``FAILED``, ``SELLER_DEACTIVATED``,
``PLATFORM_DEACTIVATED``, ``FREEZE``, ``DELETED``. Search accepts those or ``ALL``.

Review: a ``PENDING`` listing is approved (``ACTIVATE``) or rejected (``FAILED`` with
``audit_failed_reasons[{position, reasons[], suggestions[]}]``) by the control API, or approved by
itself ``review_delay_s`` after a create / edit through the API (:meth:`ProductBook.end_due_reviews`).
Approval makes the version the ``live`` one; a rejected edit leaves the last approved version live
(its SKUs still take inventory and price updates). TikTok may suspend a live listing
(``PLATFORM_DEACTIVATED``) or freeze it (``FREEZE``) with a reason. ``audit.status`` values are
*unconfirmed*: ``AUDITING`` (in review), ``APPROVED``, ``FAILED``, ``NOT_SUBMITTED`` (a draft).

Error codes of the product endpoints (TikTok's exact numbers are not documented to us: all
*sandbox choice*, kept here so they are easy to change):

* :data:`PRODUCT_NOT_FOUND` 12019001 — product id unknown in this shop;
* :data:`SKU_NOT_FOUND` 12019002 — a SKU id in an update or edit body is not a SKU of that product
  (nothing of the request is applied);
* :data:`WAREHOUSE_NOT_FOUND` 12019003 — an inventory ``warehouse_id`` is not a warehouse of the shop;
* :data:`PRICE_INVALID` 12019004 — a price that is not a positive decimal, or a currency other
  than the listing's;
* :data:`PRODUCT_STATE_INVALID` 12019005 — review of a listing that is not ``PENDING``, a suspension
  of a draft or deleted one, an edit or inventory update of a ``FREEZE`` / ``DELETED`` one, a price
  update of one that is not live (``ACTIVATE``, or an approved version behind an edit).

All mutations are synchronous (atomic on the event loop), like the rest of the sandbox state.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from libs.sandbox.errors import PARAM_INVALID, SandboxError
from libs.sandbox.models import Shop
from libs.sandbox.product_model import (
    ACTIVE,
    AUDIT_OF_STATUS,
    LOCKED_STATUSES,
    PLATFORM_STATUSES,
    STATUSES,
    NewSku,
    Product,
    SkuListing,
    SkuSpec,
    Submission,
)
from libs.sandbox.state import IdFactory

PRODUCT_NOT_FOUND = 12019001
SKU_NOT_FOUND = 12019002
WAREHOUSE_NOT_FOUND = 12019003
PRICE_INVALID = 12019004
PRODUCT_STATE_INVALID = 12019005

MAX_SKUS = 100


def _money(raw: Any, what: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise SandboxError(PRICE_INVALID, f"{what}: amount {raw!r} is not a decimal number") from None
    if not value.is_finite() or value <= 0:
        raise SandboxError(PRICE_INVALID, f"{what}: amount must be greater than 0, got {raw!r}")
    return value


class ProductBook:
    def __init__(self, ids: IdFactory, clock: Callable[[], float], *, review_delay_s: float | None = None) -> None:
        self._ids = ids
        self._clock = clock
        self._review_delay_s = review_delay_s
        #: (due clock time, product id) of reviews that end by themselves
        self._due: list[tuple[float, str]] = []
        self.products: dict[str, Product] = {}

    def create(self, shop: Shop, *, title: str, skus: list[NewSku], status: str = ACTIVE,
               currency: str = "USD") -> Product:
        """A listing made in Seller Center (control API): title and SKUs only."""
        if status not in STATUSES:
            raise SandboxError(PARAM_INVALID, f"status must be one of {', '.join(STATUSES)}", http_status=400)
        if not 1 <= len(skus) <= MAX_SKUS:
            raise SandboxError(PARAM_INVALID, f"a product has 1 to {MAX_SKUS} SKUs, got {len(skus)}", http_status=400)
        warehouse = next((w for w in shop.warehouses if w.is_default), shop.warehouses[0] if shop.warehouses else None)
        now = int(self._clock())
        product = Product(
            id=self._ids.next(), shop_id=shop.id, title=title, status=status, create_time=now, update_time=now,
            audit_status=AUDIT_OF_STATUS.get(status, "APPROVED"),
            skus=[
                SkuListing(
                    id=self._ids.next(), seller_sku=s.seller_sku, price=_money(s.price, s.seller_sku),
                    currency=currency, inventory={warehouse.id: s.quantity} if warehouse else {},
                )
                for s in skus
            ],
        )
        if status == ACTIVE:
            product.live = product.snapshot()
        self.products[product.id] = product
        return product

    # --- create and edit through the API (checked bodies: listing_build.py) ---------------------
    def submit(self, shop: Shop, submission: Submission, *, draft: bool, idempotency_key: str) -> Product:
        """A new listing from a checked create body: ``PENDING`` (review starts) or ``DRAFT``."""
        now = int(self._clock())
        status = "DRAFT" if draft else "PENDING"
        product = Product(
            id=self._ids.next(), shop_id=shop.id, title=submission.title, status=status, create_time=now,
            update_time=now, audit_status=AUDIT_OF_STATUS[status], skus=self._new_skus(submission.skus),
            details=submission.details, view=submission.view, idempotency_key=idempotency_key,
        )
        self.products[product.id] = product
        if not draft:
            self._start_review(product)
        return product

    def resubmit(self, product: Product, submission: Submission) -> Product:
        """An edit replaces the version in review (the live one stays) and starts a new review."""
        self.check_editable(product)
        product.title, product.details, product.view = submission.title, submission.details, submission.view
        product.skus = self._new_skus(submission.skus)
        product.status, product.audit_status = "PENDING", AUDIT_OF_STATUS["PENDING"]
        product.audit_failed_reasons, product.suspended_reason = [], ""
        product.update_time = max(product.update_time, int(self._clock()))
        self._start_review(product)
        return product

    @staticmethod
    def check_editable(product: Product) -> None:
        if product.status in LOCKED_STATUSES:
            raise SandboxError(PRODUCT_STATE_INVALID, f"product {product.id} is {product.status}: it cannot be edited")

    def _new_skus(self, specs: list[SkuSpec]) -> list[SkuListing]:
        return [
            SkuListing(id=s.id or self._ids.next(), seller_sku=s.seller_sku, price=s.price, currency=s.currency,
                       inventory=dict(s.inventory), identifier_code=s.identifier_code,
                       sales_attributes=list(s.sales_attributes))
            for s in specs
        ]

    def _start_review(self, product: Product) -> None:
        delay = self._review_delay_s
        if delay is None or delay < 0:
            product.review_due = None
            return
        product.review_due = self._clock() + delay
        heapq.heappush(self._due, (product.review_due, product.id))

    def end_due_reviews(self) -> list[Product]:
        """Approves every ``PENDING`` listing whose review delay has passed; returns them (in due order)."""
        now = self._clock()
        ended: list[Product] = []
        while self._due and self._due[0][0] <= now:
            due, product_id = heapq.heappop(self._due)
            product = self.products.get(product_id)
            if product is None or product.status != "PENDING" or product.review_due != due:
                continue  # ended by the control call, or superseded by a later edit
            self._end_review(product, approve=True, reasons=[], at=max(product.update_time, int(due)))
            ended.append(product)
        return ended

    # --- reads -------------------------------------------------------------------------------
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

    # --- TikTok's side (control API) ---------------------------------------------------------
    def review(self, product_id: str, *, approve: bool, reasons: list[dict[str, Any]]) -> Product:
        """Ends TikTok's review of a ``PENDING`` listing: ``ACTIVATE``, or ``FAILED`` with ``reasons``."""
        product = self.find(product_id)
        if product.status != "PENDING":
            raise SandboxError(
                PRODUCT_STATE_INVALID, f"product {product_id} is {product.status}, not PENDING: nothing to review",
                http_status=400,
            )
        self._end_review(product, approve=approve, reasons=reasons, at=int(self._clock()))
        return product

    @staticmethod
    def _end_review(product: Product, *, approve: bool, reasons: list[dict[str, Any]], at: int) -> None:
        product.status = ACTIVE if approve else "FAILED"
        product.audit_status = "APPROVED" if approve else "FAILED"
        product.audit_failed_reasons = [] if approve else reasons
        product.review_due = None
        product.update_time = at
        if approve:
            product.live = product.snapshot()

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
        product.review_due = None
        product.update_time = int(self._clock())
        return product

    # --- inventory and price (no review) -----------------------------------------------------
    def _skus(self, product: Product, ids: Iterable[str]) -> list[list[SkuListing]]:
        """Per id, the SKU's copies (this version and the live one); unknown ids refuse the request."""
        found: list[list[SkuListing]] = []
        for sku_id in ids:
            copies = product.sku_copies(sku_id)
            if not copies:
                raise SandboxError(SKU_NOT_FOUND, f"sku {sku_id} is not a SKU of product {product.id}")
            found.append(copies)
        return found

    def update_inventory(self, shop: Shop, product_id: str, skus: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``skus[{id, inventory[{warehouse_id, quantity}]}]``: each SKU is applied or refused on its own (TikTok
        answers partial success as ``data.errors[{code, message, detail{sku_id}}]``); the product's own state
        (frozen, deleted) or an empty list refuses the whole request."""
        product = self.get(shop.id, product_id)
        if product.status in LOCKED_STATUSES:
            raise SandboxError(PRODUCT_STATE_INVALID, f"product {product_id} is {product.status}: inventory is locked")
        if not skus:
            raise SandboxError(PARAM_INVALID, "skus must not be empty")
        warehouses = {w.id for w in shop.warehouses}
        errors: list[dict[str, Any]] = []
        for body in skus:
            sku_id = str(body.get("id"))
            try:
                copies = self._skus(product, [sku_id])[0]
                changes = self._inventory_changes(copies[0].id, body.get("inventory") or [], warehouses)
            except SandboxError as exc:
                errors.append({"code": exc.code, "message": exc.message, "detail": {"sku_id": sku_id}})
                continue
            now = self._clock()
            for target in copies:
                target.inventory.update(changes)
                target.inventory_changed_at = now
        product.update_time = int(self._clock())
        return errors

    @staticmethod
    def _inventory_changes(sku_id: str, entries: list[dict[str, Any]], warehouses: set[str]) -> list[tuple[str, int]]:
        if not entries:
            raise SandboxError(PARAM_INVALID, f"sku {sku_id}: inventory must not be empty")
        changes = []
        for entry in entries:
            warehouse_id, quantity = str(entry.get("warehouse_id")), entry.get("quantity")
            if warehouse_id not in warehouses:
                raise SandboxError(WAREHOUSE_NOT_FOUND, f"warehouse {warehouse_id} is not a warehouse of this shop")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 99_999:
                raise SandboxError(PARAM_INVALID, f"quantity must be an integer 0..99999, got {quantity!r}")
            changes.append((warehouse_id, quantity))
        return changes

    def update_prices(self, shop: Shop, product_id: str, skus: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``skus[{id, price{amount, currency}}]``: each SKU applied or refused on its own (``data.errors``);
        a product that is not live refuses the whole request."""
        product = self.get(shop.id, product_id)
        if not product.is_live:
            raise SandboxError(
                PRODUCT_STATE_INVALID, f"product {product_id} is {product.status}: prices change on live (ACTIVATE) "
                                       "listings only",
            )
        if not skus:
            raise SandboxError(PARAM_INVALID, "skus must not be empty")
        errors: list[dict[str, Any]] = []
        for body in skus:
            sku_id = str(body.get("id"))
            try:
                copies = self._skus(product, [sku_id])[0]
                target = copies[0]
                price = body.get("price") or {}
                amount = _money(price.get("amount"), f"sku {target.id}")
                if price.get("currency") != target.currency:
                    raise SandboxError(PRICE_INVALID, f"sku {target.id}: currency must be {target.currency}, "
                                                      f"got {price.get('currency')!r}")
            except SandboxError as exc:
                errors.append({"code": exc.code, "message": exc.message, "detail": {"sku_id": sku_id}})
                continue
            for copy_ in copies:
                copy_.price = amount
        product.update_time = int(self._clock())
        return errors
