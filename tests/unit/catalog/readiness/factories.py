"""Facts for readiness tests: a product that is ready as built, and image bytes made with Pillow."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from typing import Any

from PIL import Image

from services.catalog.readiness import (
    AttributeFacts,
    CategoryFacts,
    Context,
    MediaFacts,
    Problem,
    ProductFacts,
    Readiness,
    ShopFacts,
    inspect_image,
    sniff_content_type,
)

SHOP_ID = "7494049642642441000"
VALID_UPC = "012345678905"  # check digit 5
VALID_EAN13 = "4006381333931"
VALID_GTIN14 = "00012345678905"  # the same product as VALID_UPC
VALID_ISBN = "9780306406157"

MATERIAL = AttributeFacts(
    id="100392", name="Material", type="PRODUCT_PROPERTY", required=True, customizable=False, multiple=False,
    values=[("1001", "Cotton"), ("1002", "Polyester"), ("1003", "Wool")],
)
PATTERN = AttributeFacts(
    id="100393", name="Pattern", type="PRODUCT_PROPERTY", required=False, customizable=True, multiple=False,
    values=[("2001", "Solid"), ("2002", "Striped")],
)
FEATURES = AttributeFacts(
    id="100394", name="Features", type="PRODUCT_PROPERTY", required=False, customizable=False, multiple=True,
    values=[("3001", "Breathable"), ("3002", "Quick dry"), ("3003", "Stretch")],
)
COLOR = AttributeFacts(
    id="100000", name="Color", type="SALES_PROPERTY", required=False, customizable=True, multiple=False,
    values=[("4001", "Red"), ("4002", "Blue")],
)
SIZE = AttributeFacts(
    id="100007", name="Size", type="SALES_PROPERTY", required=False, customizable=True, multiple=False,
    values=[("5001", "S"), ("5002", "M")],
)
TEES = CategoryFacts(
    id="601226", name="T-shirts", path="Menswear > Tops > T-shirts", is_leaf=True, permission="AVAILABLE"
)


def image_bytes(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white").save(buffer, format=fmt)
    return buffer.getvalue()


def image_media(source: str, data: bytes) -> MediaFacts:
    """What the service would store after fetching ``source``: the facts of the real bytes."""
    facts = inspect_image(data)
    return MediaFacts(
        source=source, kind="image", size_bytes=len(data), sha256=facts.sha256, image=facts,
        content_type=sniff_content_type(data),
    )


@cache
def _square_jpeg() -> bytes:
    return image_bytes(800, 800)


def good_image(source: str = "img/front.jpg") -> MediaFacts:
    return image_media(source, _square_jpeg())


def video(source: str = "vid/tee.mp4", size_bytes: int = 2 * 1024 * 1024, **overrides: Any) -> MediaFacts:
    fields: dict[str, Any] = {
        "source": source, "kind": "video", "size_bytes": size_bytes, "content_type": "video/mp4",
    }
    fields.update(overrides)
    return MediaFacts(**fields)


def product(**overrides: Any) -> ProductFacts:
    """A product that is ready for :func:`context` as built."""
    fields: dict[str, Any] = {
        "seller_sku": "TEE-RED-M", "parent_sku": None, "enabled": True,
        "title": "Organic cotton tee", "description": "<p>Soft organic cotton.</p>", "short_description": None,
        "price": Decimal("19.90"), "currency": "USD", "category_id": TEES.id, "brand": None,
        "attributes": {"Material": ["Cotton"]}, "sales_attributes": {},
        "weight": Decimal("0.25"), "weight_unit": "KILOGRAM",
        "length": Decimal(30), "width": Decimal(20), "height": Decimal(3), "dimension_unit": "CENTIMETER",
        "identifiers": {"UPC": VALID_UPC},
        "main_image": good_image("img/front.jpg"), "gallery": [good_image("img/back.jpg")], "video": None,
        "documents": [],
    }
    fields.update(overrides)
    return ProductFacts(**fields)


def shop(**overrides: Any) -> ShopFacts:
    fields: dict[str, Any] = {
        "shop_id": SHOP_ID, "send_brand_info": True, "send_matrix_image": False,
        "identifier_priority": ["UPC", "EAN", "GTIN", "ISBN"],
    }
    fields.update(overrides)
    return ShopFacts(**fields)


def context(**overrides: Any) -> Context:
    fields: dict[str, Any] = {
        "shop": shop(), "category": TEES, "attributes_downloaded": True,
        "attributes": [MATERIAL, PATTERN, FEATURES, COLOR, SIZE], "certifications": [],
        "package_dimensions_required": True, "brand": None, "brands_downloaded": True, "gtin_owners": {},
    }
    fields.update(overrides)
    return Context(**fields)


def codes(readiness: Readiness) -> list[str]:
    return [p.code for p in readiness.problems]


def the(readiness: Readiness, code: str) -> Problem:
    """The one problem with ``code``; fails when there is none or several."""
    found = [p for p in readiness.problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(readiness)}"
    return found[0]
