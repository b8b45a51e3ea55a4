"""What the readiness check reads and what it answers (R32-R37, R39). Plain frozen dataclasses, no I/O:
the catalog service gathers the facts (stored product, downloaded category tree, attributes, rules,
brands, image facts measured once at upload) and :func:`services.catalog.readiness.check_product` judges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

Rule = Literal["R32", "R33", "R34", "R35", "R36", "R37", "R39"]
MediaKind = Literal["image", "video", "document"]
AttributeType = Literal["SALES_PROPERTY", "PRODUCT_PROPERTY"]


def key(text: str) -> str:
    """How names and ids are compared: case-insensitively, ignoring surrounding blanks."""
    return text.strip().casefold()


@dataclass(frozen=True)
class ImageFacts:
    """What the real bytes of an image say (from :func:`services.catalog.readiness.media.inspect_image`)."""

    sha256: str
    size_bytes: int
    format: str | None  # "JPEG" | "PNG" | "WEBP" | another Pillow format name | None when undecodable
    width: int | None
    height: int | None
    error: str | None  # why it could not be decoded


@dataclass(frozen=True)
class MediaFacts:
    """One file the seller referenced."""

    source: str  # as the seller gave it (path or URL), for messages
    kind: MediaKind
    size_bytes: int | None = None
    sha256: str | None = None
    image: ImageFacts | None = None  # for images (and documents that are images)
    content_type: str | None = None  # from magic bytes, e.g. "application/pdf", "video/mp4"
    error: str | None = None  # could not be fetched or read (404, timeout, too big to fetch ...)


@dataclass(frozen=True)
class DocumentFacts:
    requirement: str  # the requirement name as the category rules name it (or its id)
    media: MediaFacts


@dataclass(frozen=True)
class ProductFacts:
    seller_sku: str
    parent_sku: str | None
    enabled: bool
    title: str | None
    description: str | None
    short_description: str | None
    price: Decimal | None
    currency: str | None
    category_id: str | None  # the TikTok leaf category for this shop
    brand: str | None  # brand name or TikTok brand id, as given
    attributes: Mapping[str, Sequence[str]]  # attribute name or id -> value names or ids
    sales_attributes: Mapping[str, str]  # a variation child's values, e.g. {"Color": "Red"}
    weight: Decimal | None
    weight_unit: str | None  # KILOGRAM | POUND
    length: Decimal | None
    width: Decimal | None
    height: Decimal | None
    dimension_unit: str | None  # CENTIMETER | INCH
    identifiers: Mapping[str, str]  # "UPC" | "EAN" | "GTIN" | "ISBN" -> digits as given
    main_image: MediaFacts | None
    gallery: Sequence[MediaFacts]
    video: MediaFacts | None
    documents: Sequence[DocumentFacts]


@dataclass(frozen=True)
class CategoryFacts:
    """A category of the downloaded tree."""

    id: str
    name: str
    path: str
    is_leaf: bool
    permission: str  # AVAILABLE | INVITE_ONLY | NON_MAIN_CATEGORY | PROHIBITED (after the shop's own approval)


@dataclass(frozen=True)
class AttributeFacts:
    id: str
    name: str
    type: AttributeType
    required: bool
    customizable: bool
    multiple: bool
    values: Sequence[tuple[str, str]]  # (id, name)
    #: TikTok's requirement_conditions (VALUE_ID_MATCH): (attribute id, value id) pairs, any of which, when
    #: the product has that value, makes this attribute required
    required_when: Sequence[tuple[str, str]] = ()

    @cached_property
    def value_ids(self) -> Mapping[str, str]:
        """Listed value id by value id and by value name, compared with :func:`key` (built once, not per
        product), so "Red" and Red's id are the same value."""
        index: dict[str, str] = {}
        for value_id, value_name in self.values:
            index.setdefault(key(value_name), value_id)
            index[key(value_id)] = value_id
        return index


@dataclass(frozen=True)
class CertificationFacts:
    id: str
    name: str
    required: bool


@dataclass(frozen=True)
class BrandFacts:
    id: str
    name: str
    authorized: bool  # authorised for this category


@dataclass(frozen=True)
class ShopFacts:
    shop_id: str
    send_brand_info: bool
    send_matrix_image: bool
    identifier_priority: Sequence[str]  # e.g. ["UPC", "EAN", "GTIN", "ISBN"]


@dataclass(frozen=True)
class Context:
    """Everything the check needs besides the product, gathered by the service.

    Build one per (shop, category) and share it between that category's products: the attribute
    lookups are computed once per context.
    """

    shop: ShopFacts
    category: CategoryFacts | None  # None when the product's category id is not in the downloaded tree
    attributes_downloaded: bool  # False: attributes for this category were never downloaded
    attributes: Sequence[AttributeFacts]
    certifications: Sequence[CertificationFacts]
    package_dimensions_required: bool  # what TikTok's category rules say; R32 requires dimensions anyway
    brand: BrandFacts | None  # None: no brand given, or not found among downloaded brands
    brands_downloaded: bool
    gtin_owners: Mapping[str, str]  # normalised 14-digit code -> another seller SKU already using it
    max_children: int = 100  # a setting (TikTok allows 300 in some regions)

    @cached_property
    def attributes_by_key(self) -> Mapping[str, AttributeFacts]:
        """The category's attributes by id and by name, compared with :func:`key`."""
        index: dict[str, AttributeFacts] = {}
        for attribute in self.attributes:
            index.setdefault(key(attribute.name), attribute)
            index[key(attribute.id)] = attribute
        return index

    @cached_property
    def sales_properties(self) -> tuple[AttributeFacts, ...]:
        return tuple(a for a in self.attributes if a.type == "SALES_PROPERTY")


@dataclass(frozen=True)
class Problem:
    """One thing that keeps a product from being posted: which rule, where, what was found, what to do."""

    rule: Rule
    field: str  # the product-file column (PRODUCT_FILE.md), e.g. "price", "images[2]", "attributes.Material"
    message: str
    fix: str
    value: str | None = None  # the value found, None when nothing was set
    code: str = ""  # a stable machine code, e.g. "price_missing", "image_not_square"
    child_sku: str | None = None  # R39: the variation child the problem is about, None for the product itself


@dataclass(frozen=True)
class Readiness:
    seller_sku: str
    shop_id: str
    ready: bool
    problems: tuple[Problem, ...]
    identifier: tuple[str, str] | None  # (type, code) that will be sent given the shop's priority
    brand_to_send: str | None  # brand id to send; None when brand info is off or no brand

    @property
    def codes(self) -> tuple[str, ...]:
        """The problem codes in order, each once."""
        return tuple(dict.fromkeys(p.code for p in self.problems))


@dataclass(frozen=True)
class CodeCount:
    rule: Rule
    code: str
    products: int  # how many products have this problem
    occurrences: int  # how many times it was reported in all (a product may have it on several fields)


@dataclass(frozen=True)
class Summary:
    total: int
    ready: int
    not_ready: int
    top_problems: tuple[CodeCount, ...]  # most products affected first
