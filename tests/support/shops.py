"""Sandbox control calls, a shop connected through the real CLI, and a shop ready for listings with a
file of ready products: shared by the bench scenarios, the e2e tests and the chaos run."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any, Protocol

import httpx

from libs.common.gtin import gs1_check_digit
from tests.support.devstack import Stack as DevStack
from tests.support.images import image_bytes


class Stack(Protocol):
    """A running stack the real CLI talks to (``tests.support.devstack.Stack``, the chaos stack)."""

    def url(self, name: str) -> str: ...

    def ttshop(self, *args: str, timeout: float = ...) -> subprocess.CompletedProcess[str]: ...


async def control(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """A sandbox control (or API) call; its ``data``, or an error naming the call."""
    answer = await http.request(method, url, **kwargs)
    try:
        body = answer.json()
    except ValueError:
        raise RuntimeError(f"sandbox {method} {url} -> {answer.status_code} {answer.text[:300]}") from None
    if body.get("code") != 0:
        raise RuntimeError(f"sandbox {method} {url}: {body}")
    return body["data"]  # type: ignore[no-any-return]


async def connect_shop(stack: Stack, http: httpx.AsyncClient, *switches: str, name: str = "bench") -> str:
    """A new sandbox seller connected through `ttshop shops connect`, with ``switches`` turned on
    (e.g. ``--allow-order-download``); answers the TikTok shop id. The caller waits until the service
    it measures has seen the switch (each learns it from ``shops.changed``)."""
    seller = await control(http, "POST", f"{stack.url('sandbox')}/sandbox/sellers", json={"name": "Bench Seller"})
    name = f"{name}-{uuid.uuid4().hex[:6]}"
    stack.ttshop("shops", "connect", "--auth-code", seller["auth_code"], "--tax-id", f"TAX-{name}", "--name", name)
    if switches:
        stack.ttshop("shops", "settings", name, *(arg for switch in switches for arg in (switch, "on")))
    return str(seller["shop_id"])


def admin_headers(stack: DevStack) -> dict[str, str]:
    token = stack.values.get("ADMIN_API_TOKEN") or ""
    return {"Authorization": f"Bearer {token}"}


async def listing_shop(stack: Stack, http: httpx.AsyncClient, *, name: str = "bench") -> tuple[str, str, str]:
    """A shop connected through the CLI with its categories and the T-shirts leaf's attributes downloaded:
    (shop id, that leaf's id, its required attributes as a product-file ``attributes`` cell)."""
    shop_id = await connect_shop(stack, http, name=name)
    stack.ttshop("catalog", "categories", "download", shop_id, timeout=300)
    listed = json.loads(stack.ttshop("--json", "catalog", "categories", "list", shop_id, "--search", "T-shirts",
                                     "--leaf").stdout)
    category = next(c for c in listed["categories"] if c["permission"] == "AVAILABLE")
    stack.ttshop("catalog", "attributes", "download", shop_id, "--category", category["id"], timeout=300)
    attrs = json.loads(stack.ttshop("--json", "catalog", "attributes", "show", shop_id, category["id"]).stdout)
    required = "; ".join(f"{a['name']}={a['values'][0]['name'] if a['values'] else 'Custom'}"
                         for a in attrs["attributes"] if a["required"] and a["type"] == "PRODUCT_PROPERTY")
    return shop_id, str(category["id"]), required


def upc(n: int) -> str:
    """A valid UPC-12 (GS1 check digit) made from ``n``."""
    body = f"{n:011d}"
    return body + str(gs1_check_digit(body))


#: The columns of a file of ready T-shirts (PRODUCT_FILE.md).
PRODUCT_COLUMNS = ("sku", "title", "description", "price", "currency", "enabled", "category_id", "weight",
                   "weight_unit", "length", "width", "height", "dimension_unit", "upc", "main_image", "images",
                   "attributes")


def ready_products_file(folder: Path, count: int, *, category_id: str, required: str, prefix: str,
                        upc_base: int, images: int = 3) -> Path:
    """``products.csv`` in ``folder`` with ``count`` products ready for the T-shirts leaf, each with its own
    ``images`` square JPEGs (all different) under ``img/``; SKUs ``<prefix>-00000``…"""
    (folder / "img").mkdir(parents=True, exist_ok=True)
    lines = [",".join(PRODUCT_COLUMNS)]
    for i in range(count):
        names = [f"img/{prefix.lower()}{i}-{k}.jpg" for k in range(images)]
        for k, name in enumerate(names):
            (folder / name).write_bytes(image_bytes(640, 640, color=(i % 256, (i // 256) % 256, 40 * k)))
        lines.append(",".join((f"{prefix}-{i:05d}", f"Organic cotton tee number {i:05d}", "Soft organic tee",
                               "19.90", "USD", "true", category_id, "0.25", "KILOGRAM", "30", "20", "3",
                               "CENTIMETER", upc(upc_base + i), names[0], "|".join(names[1:]), f'"{required}"')))
    path = folder / "products.csv"
    path.write_text("\n".join(lines) + "\n")
    return path



async def listed_skus(stack: Stack, http: httpx.AsyncClient, shop_id: str, skus: list[str]) -> list[str]:
    """``skus`` as single-SKU products of ours that are listed on the shop (created on TikTok, then
    `ttshop catalog products import`), each with stock 0 on TikTok, ready for ``InventoryChanged``."""
    for sku in skus:
        (await http.put(f"{stack.url('catalog')}/products/{sku}", json={"title": f"Product {sku}"})).raise_for_status()
        await control(http, "POST", f"{stack.url('sandbox')}/sandbox/shops/{shop_id}/products",
                      json={"title": f"Product {sku}", "skus": [{"seller_sku": sku, "price": "9.99", "quantity": 0}]})
    counts = json.loads(stack.ttshop("--json", "catalog", "products", "import", shop_id).stdout)
    if counts.get("matched") != len(skus):
        raise RuntimeError(f"import matched {counts.get('matched')} of {len(skus)} SKUs: {counts}")
    return skus
