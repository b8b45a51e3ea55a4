"""`ttshop demo` end to end, run as a user runs it against `ttshop dev`: both acts finish, every step it
announces is ticked, and the product it posted is live on the sandbox with the quantity it published."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.devstack import Stack
from tests.support.stack import sandbox

pytestmark = pytest.mark.e2e

#: steps of the listing act (demo_listing.py), in order
LISTING_STEPS = (
    "download the shop's categories",
    "download the attributes of",
    "load demo-candle-",
    "check DEMO-CANDLE-",
    "post DEMO-CANDLE-",
    "approve the review on the sandbox",
    "turn on inventory upload",
    "publish InventoryChanged DEMO-CANDLE-",
)


async def test_the_demo_walks_orders_and_a_listing_to_stock_on_tiktok(stack: Stack) -> None:
    result = stack.ttshop("demo", "--timeout", "60", check=False, timeout=240)
    out = result.stdout
    assert result.returncode == 0, f"{out}\n{result.stderr}"
    assert "demo finished in" in out

    announced = re.findall(r"^→ (.+)$", out, flags=re.MULTILINE)
    ticked = re.findall(r"^\s+✓ (.+) \((\d+\.\d+)s\)$", out, flags=re.MULTILINE)
    assert [title for title, _ in ticked] == announced, out  # every step ends with its tick and its time
    listing = [t for t in announced if t.startswith(LISTING_STEPS)]
    assert len(listing) == len(LISTING_STEPS), announced
    assert [next(s for s in LISTING_STEPS if t.startswith(s)) for t in listing] == list(LISTING_STEPS)
    assert announced.index(listing[0]) > next(i for i, t in enumerate(announced) if "tracking number" in t)

    shop_id = re.search(r"sandbox shop (\d+)", out)
    published = re.search(r"publish InventoryChanged (DEMO-CANDLE-[0-9A-F]+) = (\d+)", out)
    latency = re.search(r"(\d+) ms from publish to seen on TikTok", out)
    assert shop_id and published and latency, out
    sku, quantity = published.group(1), int(published.group(2))

    async with httpx.AsyncClient(timeout=30) as http:  # the demo has waited for it: TikTok holds it now
        products = (await sandbox(http, "GET", f"{stack.url('sandbox')}/sandbox/shops/{shop_id.group(1)}/products"))
    [product] = [p for p in products["products"] if any(s["seller_sku"] == sku for s in p["skus"])]
    assert product["status"] == "ACTIVATE", product
    [tiktok_sku] = product["skus"]
    assert [i["quantity"] for i in tiktok_sku["inventory"]] == [quantity], tiktok_sku
    assert f"TikTok product {product['id']}" in out
    assert "(the shop's default)" in out  # the quantity is in the warehouse TikTok marks default
