"""Helpers for the listing tests: Pillow-made image bytes, minimal PDF/MP4 bytes, uploads, and
category/brand lookups through the signed API (as a client would do them)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.unit.sandbox.conftest import Sandbox, Shop

IMAGES = "/product/202309/images/upload"
FILES = "/product/202309/files/upload"
CATEGORIES = "/product/202309/categories"
BRANDS = "/product/202309/brands"
LISTING_CHECK = "/product/202309/products/listing_check"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP4 = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2" + b"\x00" * 32


def image_bytes(width: int, height: int, fmt: str = "JPEG", color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()


async def upload_image(box: Sandbox, shop: Shop, width: int = 800, height: int = 800, *,
                       use_case: str = "MAIN_IMAGE", color: tuple[int, int, int] = (200, 30, 30),
                       fmt: str = "JPEG") -> dict[str, Any]:
    answer = await box.upload(IMAGES, shop, image_bytes(width, height, fmt, color), filename="img.jpg",
                              fields={"use_case": use_case})
    assert answer["code"] == 0, answer
    return answer["data"]  # type: ignore[no-any-return]


async def upload_file(box: Sandbox, shop: Shop, data: bytes, name: str) -> dict[str, Any]:
    answer = await box.upload(FILES, shop, data, filename=name, fields={"name": name})
    assert answer["code"] == 0, answer
    return answer["data"]  # type: ignore[no-any-return]


def version_params(shop_region: str) -> dict[str, str]:
    return {"category_version": "v2"} if shop_region == "US" else {}


async def categories(box: Sandbox, shop: Shop, region: str = "US") -> list[dict[str, Any]]:
    answer = (await box.call("GET", CATEGORIES, shop=shop, params=version_params(region))).json()
    assert answer["code"] == 0, answer
    return answer["data"]["categories"]  # type: ignore[no-any-return]


async def category_id(box: Sandbox, shop: Shop, *path: str, region: str = "US") -> str:
    """The id of the category at ``path`` (local names from the top), e.g. ("Womenswear", "Tops", "T-shirts")."""
    tree = await categories(box, shop, region)
    parent = "0"
    for name in path:
        parent = next(c["id"] for c in tree if c["parent_id"] == parent and c["local_name"] == name)
    return parent


async def brand_id(box: Sandbox, shop: Shop, name: str) -> str:
    answer = (await box.call("GET", BRANDS, shop=shop, params={"page_size": 10, "brand_name": name})).json()
    assert answer["code"] == 0, answer
    return next(b["id"] for b in answer["data"]["brands"] if b["name"] == name)  # type: ignore[no-any-return]


async def attribute_ids(box: Sandbox, shop: Shop, category: str) -> dict[str, str]:
    path = f"/product/202309/categories/{category}/attributes"
    answer = (await box.call("GET", path, shop=shop, params={"category_version": "v2"})).json()
    assert answer["code"] == 0, answer
    return {a["name"]: a["id"] for a in answer["data"]["attributes"]}


async def listing_check(box: Sandbox, shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    answer = (await box.call("POST", LISTING_CHECK, shop=shop, body=body)).json()
    assert answer["code"] == 0, answer
    return answer["data"]  # type: ignore[no-any-return]


async def good_tshirt_body(box: Sandbox, shop: Shop) -> dict[str, Any]:
    """A create body for a US shop that passes every check (two SKUs varying by Color and Size)."""
    images = [await upload_image(box, shop, color=(10 * i, 80, 120)) for i in range(3)]
    red = await upload_image(box, shop, 600, 600, use_case="ATTRIBUTE_IMAGE")
    chart = await upload_image(box, shop, 1200, 900, use_case="SIZE_CHART_IMAGE")
    picture = await upload_image(box, shop, 1200, 1600, use_case="DESCRIPTION_IMAGE")
    tshirts = await category_id(box, shop, "Womenswear", "Tops", "T-shirts")
    ids = await attribute_ids(box, shop, tshirts)

    def sku() -> dict[str, Any]:
        return {"price": {"amount": "19.99", "currency": "USD"},
                "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 10}]}

    return {
        "title": "Organic cotton crew-neck T-shirt, relaxed fit",
        "description": f'<p>Soft and <strong>breathable</strong>.</p><img src="{picture["url"]}" width="1200" '
                       'height="1600"><ul><li>100% cotton</li></ul>',
        "category_id": tshirts,
        "category_version": "v2",
        "brand_id": await brand_id(box, shop, "Northwind Apparel"),
        "main_images": [{"uri": i["uri"]} for i in images],
        "product_attributes": [{"id": ids["Material"], "values": [{"name": "Cotton"}]}],
        "size_chart": {"image": {"uri": chart["uri"]}},
        "package_weight": {"value": "0.4", "unit": "POUND"},
        "package_dimensions": {"length": "10", "width": "8", "height": "2", "unit": "INCH"},
        "skus": [
            {**sku(), "seller_sku": "TEE-RED-M", "identifier_code": {"type": "UPC", "code": "012345678905"},
             "sales_attributes": [{"id": ids["Color"], "value_name": "Red", "sku_img": {"uri": red["uri"]}},
                                  {"id": ids["Size"], "value_name": "M"}]},
            {**sku(), "seller_sku": "TEE-RED-L",
             "sales_attributes": [{"id": ids["Color"], "value_name": "Red"}, {"name": "Size", "value_name": "L"}]},
        ],
    }
