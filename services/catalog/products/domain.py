"""Our product records (the seller's catalogue), the pure part: what a record holds and how a change
(a spreadsheet row, ``PUT``/``PATCH /products/{sku}``) applies to it. No I/O.

A field left out of a change (or an empty spreadsheet cell) is unchanged; :data:`CLEAR` (the single
value ``-`` in a spreadsheet, ``null`` in a PATCH) clears it (PRODUCT_FILE.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Final

IDENTIFIER_TYPES: Final = ("UPC", "EAN", "GTIN", "ISBN")
WEIGHT_UNITS: Final = ("KILOGRAM", "POUND")
DIMENSION_UNITS: Final = ("CENTIMETER", "INCH")


class Clear:
    """The value that clears a field in a change."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR: Final = Clear()


@dataclass(frozen=True)
class MediaRef:
    """A file a record points at: as the seller wrote it (``source``: a path relative to the product
    file, or an http(s) URL) and, once loaded, the SHA-256 of its bytes in the media store."""

    source: str
    sha256: str | None = None


@dataclass(frozen=True)
class DocumentRef:
    """A document (certificate, test report …) tagged with the category requirement it fulfils (R37)."""

    requirement: str
    media: MediaRef


@dataclass(frozen=True)
class Product:
    """One SKU of ours with everything a TikTok listing needs (a matrix parent is a record of its own)."""

    seller_sku: str
    parent_sku: str | None = None
    title: str | None = None
    description: str | None = None  # HTML, sanitised
    short_description: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    enabled: bool = True
    category_id: str | None = None  # TikTok leaf category (the same id in every shop of a region)
    brand: str | None = None  # brand name or TikTok brand id
    weight: Decimal | None = None
    weight_unit: str | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # UPC|EAN|GTIN|ISBN -> digits
    attributes: dict[str, list[str]] = field(default_factory=dict)  # attribute name or id -> values
    sales_attributes: dict[str, str] = field(default_factory=dict)  # a variation child's values
    main_image: MediaRef | None = None
    images: list[MediaRef] = field(default_factory=list)  # gallery, in order
    video: MediaRef | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    #: shop_id -> category id, when a shop needs a category other than ``category_id``
    shop_categories: dict[str, str] = field(default_factory=dict)
    version: int = 0  # raised by every change that alters the record


#: Fields a change may set; everything of :class:`Product` but the key and the version.
CHANGEABLE: Final = tuple(f.name for f in fields(Product) if f.name not in ("seller_sku", "version"))


@dataclass(frozen=True)
class ProductChange:
    """What one row or request says about a SKU: only the fields given (a value, or :data:`CLEAR`)."""

    seller_sku: str
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(CHANGEABLE))
        if unknown:
            raise ValueError(f"not product fields: {', '.join(unknown)}")


def apply_change(current: Product | None, change: ProductChange) -> Product:
    """The record after ``change``; ``current`` None is a new product. The version is raised only when
    something actually changed, so loading the same file twice changes nothing.

    ``identifiers`` merges by type (a spreadsheet has one column per type, so a row giving only ``upc``
    leaves the EAN alone); a type mapped to :data:`CLEAR` is removed, ``identifiers=CLEAR`` removes all."""
    base = current or Product(seller_sku=change.seller_sku)
    updates: dict[str, Any] = {}
    defaults = Product(seller_sku=change.seller_sku)
    for name, value in change.values.items():
        if name == "identifiers" and isinstance(value, dict):
            merged = {**base.identifiers, **value}
            updates[name] = {kind: code for kind, code in merged.items() if code is not CLEAR}
            continue
        updates[name] = getattr(defaults, name) if value is CLEAR else value
    changed = replace(base, **updates)
    if current is not None and changed == current:
        return current
    return replace(changed, version=base.version + 1)


def media_of(product: Product) -> list[MediaRef]:
    """Every file the record points at, main image first."""
    refs = [r for r in (product.main_image, *product.images, product.video) if r is not None]
    return refs + [d.media for d in product.documents]


def to_json(product: Product) -> dict[str, Any]:
    """The record as stored (``products.record``): decimals as strings, media as {source, sha256}."""

    def media(ref: MediaRef | None) -> dict[str, Any] | None:
        return None if ref is None else {"source": ref.source, "sha256": ref.sha256}

    out: dict[str, Any] = {}
    for f in fields(Product):
        value = getattr(product, f.name)
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, MediaRef):
            value = media(value)
        elif f.name == "images":
            value = [media(r) for r in value]
        elif f.name == "documents":
            value = [{"requirement": d.requirement, "media": media(d.media)} for d in value]
        out[f.name] = value
    return out


def from_json(raw: dict[str, Any]) -> Product:
    def media(value: Any) -> MediaRef | None:
        return None if not value else MediaRef(str(value["source"]), value.get("sha256"))

    def decimal(value: Any) -> Decimal | None:
        return None if value in (None, "") else Decimal(str(value))

    return Product(
        seller_sku=str(raw["seller_sku"]), parent_sku=raw.get("parent_sku"), title=raw.get("title"),
        description=raw.get("description"), short_description=raw.get("short_description"),
        price=decimal(raw.get("price")), currency=raw.get("currency"), enabled=bool(raw.get("enabled", True)),
        category_id=raw.get("category_id"), brand=raw.get("brand"), weight=decimal(raw.get("weight")),
        weight_unit=raw.get("weight_unit"), length=decimal(raw.get("length")), width=decimal(raw.get("width")),
        height=decimal(raw.get("height")), dimension_unit=raw.get("dimension_unit"),
        identifiers=dict(raw.get("identifiers") or {}),
        attributes={k: list(v) for k, v in (raw.get("attributes") or {}).items()},
        sales_attributes=dict(raw.get("sales_attributes") or {}),
        main_image=media(raw.get("main_image")), images=[m for m in map(media, raw.get("images") or []) if m],
        video=media(raw.get("video")),
        documents=[DocumentRef(str(d["requirement"]), MediaRef(str(d["media"]["source"]), d["media"].get("sha256")))
                   for d in raw.get("documents") or []],
        shop_categories=dict(raw.get("shop_categories") or {}),
        version=int(raw.get("version") or 0),
    )


def category_for(product: Product, shop_id: str) -> str | None:
    return product.shop_categories.get(shop_id) or product.category_id
