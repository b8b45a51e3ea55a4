"""Posting a product to TikTok (R38, R39, R35-R37, R45), the pure part: which files go up with which
``use_case``, the create body built from our record, the idempotency key, and how TikTok's refusals
read to a seller. No I/O.

The body references media by what TikTok answered for each upload (``uri`` for images, ``id`` for
files), looked up by the content hash of the bytes, so the same image is sent once per shop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from services.catalog.products.domain import MediaRef, Product
from services.catalog.readiness.domain import Readiness
from services.catalog.taxonomy.domain import Attribute, Certification

UseCase = Literal["MAIN_IMAGE", "ATTRIBUTE_IMAGE", "CERTIFICATION_IMAGE", "FILE"]


@dataclass(frozen=True)
class Upload:
    """One file to have on TikTok before the create: its bytes' hash, how TikTok wants it."""

    sha256: str
    use_case: UseCase  # FILE: files/upload (PDF, video); the others: images/upload
    source: str
    name: str = "file"


def idempotency_key(shop_id: str, seller_sku: str, version: int) -> str:
    """Derived from the shop, the SKU and the record's version: a retry of the same post (a crash after
    TikTok answered, a timeout) can never create a second product (TikTok keeps ≤ 128 characters)."""
    digest = hashlib.sha256(f"{shop_id}\x1f{seller_sku}\x1f{version}".encode()).hexdigest()
    return f"ttshop-{digest[:48]}"


def _images(product: Product) -> list[MediaRef]:
    """Main image first, then the gallery, each file once."""
    found: dict[str, MediaRef] = {}
    for ref in (product.main_image, *product.images):
        if ref is not None and ref.sha256 and ref.sha256 not in found:
            found[ref.sha256] = ref
    return list(found.values())


def uploads_for(parent: Product, children: Sequence[Product], *, matrix_images: bool,
                document_kinds: Mapping[str, str]) -> list[Upload]:
    """Every file the post needs; ``document_kinds`` maps a document's hash to its content type."""
    wanted: list[Upload] = [Upload(r.sha256 or "", "MAIN_IMAGE", r.source) for r in _images(parent)]
    if matrix_images:
        wanted += [Upload(c.main_image.sha256, "ATTRIBUTE_IMAGE", c.main_image.source)
                   for c in children if c.main_image is not None and c.main_image.sha256]
    for doc in parent.documents:
        if doc.media.sha256:
            image = (document_kinds.get(doc.media.sha256) or "").startswith("image/")
            wanted.append(Upload(doc.media.sha256, "CERTIFICATION_IMAGE" if image else "FILE", doc.media.source,
                                 _file_name(doc.media.source, "pdf")))
    if parent.video is not None and parent.video.sha256:
        wanted.append(Upload(parent.video.sha256, "FILE", parent.video.source, _file_name(parent.video.source, "mp4")))
    unique: dict[tuple[str, str], Upload] = {(u.sha256, u.use_case): u for u in wanted}
    return list(unique.values())


def _file_name(source: str, default_ext: str) -> str:
    """TikTok wants a name without spaces and with the extension (``cert.pdf``)."""
    name = source.rsplit("/", 1)[-1].split("?", 1)[0] or f"file.{default_ext}"
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return name if "." in name else f"{name}.{default_ext}"


@dataclass(frozen=True)
class BodyContext:
    """What the body needs besides our records, gathered by the service."""

    category_id: str
    category_version: str | None
    warehouse_id: str
    attributes: Sequence[Attribute]
    certifications: Sequence[Certification]
    readiness: Readiness  # the parent's: identifier and brand to send
    child_readiness: Mapping[str, Readiness] = field(default_factory=dict)
    uris: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (sha, use_case) -> uri / file id
    quantities: Mapping[str, int] = field(default_factory=dict)  # seller SKU -> stock to list with
    matrix_images: bool = False


def _match(attributes: Sequence[Attribute], name: str) -> Attribute | None:
    key = name.strip().lower()
    return next((a for a in attributes if a.id == name or a.name.lower() == key), None)


def _value(attribute: Attribute, given: str) -> dict[str, str]:
    key = given.strip().lower()
    for value_id, value_name in attribute.values:
        if value_id == given or value_name.lower() == key:
            return {"id": value_id}
    return {"name": given}  # customizable: TikTok takes the seller's own value


def _decimal(value: Decimal | None) -> str:
    return format(value, "f") if value is not None else ""


def _dimension(value: Decimal | None) -> str:
    """TikTok takes package dimensions as whole units."""
    return str(max(1, int((value or Decimal(0)).to_integral_value()))) if value is not None else ""


def create_body(parent: Product, children: Sequence[Product], ctx: BodyContext) -> dict[str, Any]:
    """TikTok's create body for ``parent`` (with ``children`` one SKU each; without, one SKU of its own)."""
    images = [{"uri": ctx.uris[(r.sha256 or "", "MAIN_IMAGE")]} for r in _images(parent)
              if (r.sha256 or "", "MAIN_IMAGE") in ctx.uris]
    attributes = []
    for name, values in parent.attributes.items():
        attribute = _match(ctx.attributes, name)
        if attribute is not None and attribute.type != "SALES_PROPERTY":
            attributes.append({"id": attribute.id, "values": [_value(attribute, v) for v in values]})
    body: dict[str, Any] = {
        "title": parent.title, "description": parent.description or parent.short_description or "",
        "category_id": ctx.category_id, "main_images": images, "product_attributes": attributes,
        "package_weight": {"value": _decimal(parent.weight), "unit": parent.weight_unit or "KILOGRAM"},
        "skus": [_sku(c, ctx, ctx.child_readiness.get(c.seller_sku)) for c in children] or
                [_sku(parent, ctx, ctx.readiness)],
        "save_mode": "LISTING",
    }
    if ctx.category_version:
        body["category_version"] = ctx.category_version
    if parent.length is not None:
        body["package_dimensions"] = {"length": _dimension(parent.length), "width": _dimension(parent.width),
                                      "height": _dimension(parent.height),
                                      "unit": parent.dimension_unit or "CENTIMETER"}
    if ctx.readiness.brand_to_send:
        body["brand_id"] = ctx.readiness.brand_to_send
    certifications = _certifications(parent, ctx)
    if certifications:
        body["certifications"] = certifications
    if parent.video is not None and (parent.video.sha256 or "", "FILE") in ctx.uris:
        body["video"] = {"id": ctx.uris[(parent.video.sha256 or "", "FILE")]}
    return body


def _sku(p: Product, ctx: BodyContext, readiness: Readiness | None) -> dict[str, Any]:
    sku: dict[str, Any] = {
        "seller_sku": p.seller_sku,
        "price": {"amount": _decimal(p.price), "currency": p.currency or ""},
        "inventory": [{"warehouse_id": ctx.warehouse_id, "quantity": ctx.quantities.get(p.seller_sku, 0)}],
    }
    sales = []
    for name, value in p.sales_attributes.items():
        attribute = _match(ctx.attributes, name)
        entry: dict[str, Any] = {"id": attribute.id} if attribute is not None else {"name": name}
        picked = _value(attribute, value) if attribute is not None else {"name": value}
        entry.update({"value_id": picked["id"]} if "id" in picked else {"value_name": picked["name"]})
        sales.append(entry)
    if sales and ctx.matrix_images and p.main_image is not None:
        uri = ctx.uris.get((p.main_image.sha256 or "", "ATTRIBUTE_IMAGE"))
        if uri:
            sales[0]["sku_img"] = {"uri": uri}  # TikTok takes the image on one dimension only
    if sales:
        sku["sales_attributes"] = sales
    if readiness is not None and readiness.identifier is not None:
        kind, code = readiness.identifier
        sku["identifier_code"] = {"type": kind, "code": code}
    return sku


def _certifications(p: Product, ctx: BodyContext) -> list[dict[str, Any]]:
    by_cert: dict[str, dict[str, Any]] = {}
    for doc in p.documents:
        cert = next((c for c in ctx.certifications
                     if c.id == doc.requirement or c.name.lower() == doc.requirement.strip().lower()), None)
        sha = doc.media.sha256 or ""
        if cert is None:
            continue
        entry = by_cert.setdefault(cert.id, {"id": cert.id, "images": [], "files": []})
        if (sha, "CERTIFICATION_IMAGE") in ctx.uris:
            entry["images"].append({"uri": ctx.uris[(sha, "CERTIFICATION_IMAGE")]})
        elif (sha, "FILE") in ctx.uris:
            entry["files"].append({"id": ctx.uris[(sha, "FILE")]})
    return list(by_cert.values())


#: TikTok's statuses that end a listing's life on sale (until the seller or TikTok reinstates it).
OFF_SALE = ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED", "DRAFT")


def on_sale(status: str, was_live: bool) -> tuple[str, bool]:
    """(status of our listing, live afterwards) for TikTok's ``status`` of a posted product (R40, R43).

    An approved product is live. An edit sends it back to review (``PENDING``), and a rejected edit is
    ``FAILED``, but TikTok keeps selling the approved version meanwhile: the listing stays ``ACTIVATE`` so
    stock and price keep flowing. Deactivated, frozen or deleted products are off sale."""
    if status == "ACTIVATE":
        return status, True
    if status in OFF_SALE:
        return status, False
    return ("ACTIVATE", True) if was_live else (status, False)


#: What a seller can do about TikTok's refusals (TIKTOK_API.md), added to TikTok's own message.
HINTS: dict[int, str] = {
    12052023: "the category no longer exists: download the categories again and pick a leaf",
    12052024: "pick a leaf category (`ttshop catalog categories list SHOP --leaf`)",
    12052220: "the category is prohibited on TikTok: choose another one",
    12052223: "the category is invite-only: apply for it in TikTok Seller Center, or choose another",
    12052226: "the category is restricted for this shop: apply in Seller Center, or choose another",
    12052026: "the brand is unknown to TikTok: run `ttshop catalog brands download` and use one it lists",
    12052201: "the brand is not authorised for this category: authorise it in Seller Center, use another, "
              "or turn off --send-brand-info",
    12052028: "add a main image",
    12052104: "a required attribute is missing or has a value TikTok does not list: "
              "`ttshop catalog attributes show SHOP CATEGORY`",
    12052105: "attach the documents the category requires, tagged with the certification's name",
    12052050: "too many variations for one TikTok product: split the matrix",
    12052093: "TikTok's daily listing limit for the shop is reached: it is posted when TikTok allows more",
    12019005: "TikTok holds the product frozen or deleted, so it cannot be changed: see why in TikTok Seller "
              "Center (`ttshop catalog products show SKU` shows TikTok's status)",
}


def hint(code: int) -> str:
    return HINTS.get(code, "fix what TikTok names and post again")
