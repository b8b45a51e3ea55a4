"""What the sandbox holds of a listing, shaped after TikTok's 202309 product objects: the product, its
SKUs with their sales attributes, the ``live`` copy of the last approved version, and what a create or
edit body turns into (:class:`Submission`). Plain dataclasses, no rules: those are in ``products.py``.

A product keeps two forms of its product-level fields: ``details`` (as sent, in the create-body shape,
so an edit can merge into them and the result can be checked again) and ``view`` (the same fields in
TikTok's GET shape: ``category_chains``, ``brand{id, name}``, ``main_images[{uri, urls}]``, …).
Listings made with the control API have neither (only a title and SKUs).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ACTIVE = "ACTIVATE"
STATUSES = (
    "DRAFT", "PENDING", "FAILED", ACTIVE, "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED",
)
#: statuses TikTok (the control API) may impose on a listing
PLATFORM_STATUSES = ("PLATFORM_DEACTIVATED", "FREEZE")
#: statuses a seller's edit is refused on
LOCKED_STATUSES = ("FREEZE", "DELETED")
AUDIT_OF_STATUS = {"DRAFT": "NOT_SUBMITTED", "PENDING": "AUDITING", "FAILED": "FAILED"}


@dataclass(frozen=True)
class SalesAttribute:
    """One variation value of a SKU; ``builtin`` when the dimension is one of the category's (else the
    seller named it, and ``id`` / ``value_id`` are ids the sandbox gave the custom name / value)."""

    id: str
    name: str
    value_id: str
    value_name: str
    builtin: bool = True
    #: {uri, urls[]} of the ATTRIBUTE_IMAGE shown for this value
    sku_img: dict[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"id": self.id, "name": self.name, "value_id": self.value_id,
                                "value_name": self.value_name}
        if self.sku_img is not None:
            wire["sku_img"] = copy.deepcopy(self.sku_img)
        return wire

    def to_body(self) -> dict[str, Any]:
        """The create-body form (what a client would send to get this value again)."""
        body: dict[str, Any] = {"id": self.id} if self.builtin else {"name": self.name}
        body["value_name"] = self.value_name
        if self.sku_img is not None:
            body["sku_img"] = {"uri": self.sku_img["uri"]}
        return body


@dataclass
class SkuListing:
    id: str
    seller_sku: str
    price: Decimal
    currency: str
    #: warehouse_id -> quantity
    inventory: dict[str, int] = field(default_factory=dict)
    #: {type, code} (GTIN / EAN / UPC / ISBN)
    identifier_code: dict[str, str] | None = None
    sales_attributes: list[SalesAttribute] = field(default_factory=list)
    #: sandbox clock when ``inventory/update`` last set this SKU's stock (None: never; control API only)
    inventory_changed_at: float | None = None

    def to_wire(self) -> dict[str, Any]:
        amount = format(self.price, "f")
        wire: dict[str, Any] = {
            "id": self.id,
            "seller_sku": self.seller_sku,
            "price": {"currency": self.currency, "amount": amount, "sale_price": amount,
                      "tax_exclusive_price": amount},
            "inventory": [{"warehouse_id": w, "quantity": q} for w, q in self.inventory.items()],
            "sales_attributes": [a.to_wire() for a in self.sales_attributes],
        }
        if self.identifier_code is not None:
            wire["identifier_code"] = dict(self.identifier_code)
        return wire

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "price": {"amount": format(self.price, "f"), "currency": self.currency},
            "inventory": [{"warehouse_id": w, "quantity": q} for w, q in self.inventory.items()],
            "sales_attributes": [a.to_body() for a in self.sales_attributes],
        }
        if self.seller_sku:
            body["seller_sku"] = self.seller_sku
        if self.identifier_code is not None:
            body["identifier_code"] = dict(self.identifier_code)
        return body

    def answer(self) -> dict[str, Any]:
        """A SKU in the create / edit answer."""
        return {"id": self.id, "seller_sku": self.seller_sku,
                "sales_attributes": [{k: v for k, v in a.to_wire().items() if k != "sku_img"}
                                     for a in self.sales_attributes]}


@dataclass
class Version:
    """A listing's content at one moment: the live copy of the last approved version."""

    title: str
    details: dict[str, Any]
    view: dict[str, Any]
    skus: list[SkuListing]

    def to_wire(self) -> dict[str, Any]:
        return {"title": self.title, **copy.deepcopy(self.view), "skus": [s.to_wire() for s in self.skus]}


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
    #: product-level fields as sent (create-body form, title and skus aside)
    details: dict[str, Any] = field(default_factory=dict)
    #: the same fields in TikTok's GET shape
    view: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""
    #: the last approved version (what buyers see while an edit is in review or failed it)
    live: Version | None = None
    #: clock time at which a running review ends by itself (None: only the control call ends it)
    review_due: float | None = None

    @property
    def is_live(self) -> bool:
        """On sale: active, or an approved version stays live behind an edit in review / refused."""
        return self.status == ACTIVE or (self.live is not None and self.status in ("PENDING", "FAILED"))

    def sku_copies(self, sku_id: str) -> list[SkuListing]:
        """The SKU with ``sku_id`` in this version and in the live one (price and inventory apply to both)."""
        live = self.live.skus if self.live is not None else []
        return [s for s in [*self.skus, *live] if s.id == sku_id]

    def snapshot(self) -> Version:
        return Version(self.title, copy.deepcopy(self.details), copy.deepcopy(self.view), copy.deepcopy(self.skus))

    def body(self) -> dict[str, Any]:
        """The product as a create body (what an edit merges into and what is checked again)."""
        return {"title": self.title, **copy.deepcopy(self.details), "skus": [s.to_body() for s in self.skus]}

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            **copy.deepcopy(self.view),
            "create_time": self.create_time,
            "update_time": self.update_time,
            "skus": [s.to_wire() for s in self.skus],
            "audit": {"status": self.audit_status},
            "audit_failed_reasons": [dict(r) for r in self.audit_failed_reasons],
        }

    def control_wire(self) -> dict[str, Any]:
        """Everything TikTok holds (control API): the GET shape plus what only TikTok sees."""
        return self.to_wire() | {
            "shop_id": self.shop_id,
            "suspended_reason": self.suspended_reason,
            "idempotency_key": self.idempotency_key,
            "review_due": self.review_due,
            "live": self.live.to_wire() if self.live is not None else None,
        }

    def answer(self, warnings: list[str]) -> dict[str, Any]:
        """``data`` of create / edit: ``{product_id, skus[{id, seller_sku, sales_attributes}], warnings[]}``."""
        return {"product_id": self.id, "skus": [s.answer() for s in self.skus],
                "warnings": [{"message": w} for w in warnings]}

    def status_event(self) -> dict[str, Any]:
        """``data`` of webhook type 5 PRODUCT_STATUS_CHANGE."""
        return {"product_id": self.id, "status": self.status, "suspended_reason": self.suspended_reason,
                "update_time": self.update_time}


@dataclass(frozen=True)
class NewSku:
    seller_sku: str
    price: Decimal
    quantity: int


@dataclass(frozen=True)
class SkuSpec:
    """One SKU of a checked create / edit body; ``id`` set when an edit keeps an existing SKU."""

    seller_sku: str
    price: Decimal
    currency: str
    inventory: dict[str, int]
    identifier_code: dict[str, str] | None
    sales_attributes: list[SalesAttribute]
    id: str | None = None


@dataclass(frozen=True)
class Submission:
    """A create / edit body that passed every check, ready to be stored."""

    title: str
    details: dict[str, Any]
    view: dict[str, Any]
    skus: list[SkuSpec]
    warnings: list[str]
