"""Sandbox control calls and a shop connected through the real CLI, shared by the scenarios."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from libs.common.gtin import gs1_check_digit
from tests.support.devstack import Stack


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


async def connect_shop(stack: Stack, http: httpx.AsyncClient, *switches: str) -> str:
    """A new sandbox seller connected through `ttshop shops connect`, with ``switches`` turned on
    (e.g. ``--allow-order-download``); answers the TikTok shop id. The caller waits until the service
    it measures has seen the switch (each learns it from ``shops.changed``)."""
    seller = await control(http, "POST", f"{stack.url('sandbox')}/sandbox/sellers", json={"name": "Bench Seller"})
    name = f"bench-{uuid.uuid4().hex[:6]}"
    stack.ttshop("shops", "connect", "--auth-code", seller["auth_code"], "--tax-id", f"TAX-{name}", "--name", name)
    if switches:
        stack.ttshop("shops", "settings", name, *(arg for switch in switches for arg in (switch, "on")))
    return str(seller["shop_id"])


def admin_headers(stack: Stack) -> dict[str, str]:
    token = stack.values.get("ADMIN_API_TOKEN") or ""
    return {"Authorization": f"Bearer {token}"}


async def listing_shop(stack: Stack, http: httpx.AsyncClient) -> tuple[str, str, str]:
    """A shop connected through the CLI with its categories and the T-shirts leaf's attributes downloaded:
    (shop id, that leaf's id, its required attributes as a product-file ``attributes`` cell)."""
    shop_id = await connect_shop(stack, http)
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
