"""Second act of `ttshop demo`: a product goes from a seller's product file to a live TikTok listing
whose stock follows the ERP.

Downloads the shop's categories, picks a leaf that needs little (no documents, one required attribute),
downloads its attributes, loads a one-product CSV built in memory (two images drawn with Pillow) through
the endpoint `ttshop catalog products upsert` uses, checks readiness, posts it, approves TikTok's review
on the sandbox and waits until the catalog shows the listing ACTIVATE; then turns on inventory upload,
publishes an ``InventoryChanged`` like an ERP and measures how long the new quantity takes to reach the
shop's default warehouse on "TikTok". Called by ``demo.run_demo`` after the orders act.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import httpx

from libs.common.gtin import gs1_check_digit

from .client import CliError, console
from .demo import CLOUDEVENTS_JSON, DemoFailed, Http

INVENTORY_TOPIC = "inventory.changed"
#: leaves tried in this order: home decor needs no documents and one product attribute (Material)
PREFERRED_LEAVES = ("Candles", "Vases", "Mugs")
#: attribute values a candle in a jar would have, used when the category offers them
PREFERRED_VALUES = ("Glass", "Ceramic", "United States")
IMAGE_SIDE_PX = 800  # R33: square, 600 to 20000 px a side, at most 5 MB
POLL_S = 0.05

Step = Callable[[str], AbstractAsyncContextManager[None]]


def demo_upc(seed: int) -> str:
    """A 12-digit UPC-A with a correct check digit, different for each seed (one GTIN per SKU: R36)."""
    body = f"{seed % 10**11:011d}"
    return body + str(gs1_check_digit(body))


def pick_leaf(categories: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first leaf the shop may list in (``AVAILABLE``), or None."""
    return next((c for c in categories if c.get("is_leaf") and c.get("permission") == "AVAILABLE"), None)


def required_values(attributes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """A value for each required product attribute: a preferred one if offered, else the first, else custom."""
    chosen: dict[str, list[str]] = {}
    for a in attributes:
        if a.get("required") and a.get("type") == "PRODUCT_PROPERTY":
            names = [str(v["name"]) for v in a.get("values") or []]
            fallback = names[0] if names else "Custom"
            chosen[str(a["name"])] = [next((v for v in PREFERRED_VALUES if v in names), fallback)]
    return chosen


def required_documents(details: dict[str, Any]) -> list[str]:
    """Names of the certifications the category requires (R37): the demo product has none."""
    return [str(c.get("name")) for c in details.get("certifications") or [] if c.get("is_required")]


def square_image(colour: tuple[int, int, int], side: int = IMAGE_SIDE_PX) -> bytes:
    """A JPEG of a candle in a jar, drawn in memory."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (side, side), colour)
    draw = ImageDraw.Draw(image)
    u = side // 16
    draw.rounded_rectangle((5 * u, 6 * u, 11 * u, 14 * u), radius=u, fill=(235, 240, 245), outline=(90, 90, 90))
    draw.rectangle((6 * u, 8 * u, 10 * u, 13 * u), fill=(250, 232, 200))
    draw.line((8 * u, 8 * u, 8 * u, 7 * u), fill=(40, 40, 40), width=max(side // 200, 1))
    draw.ellipse((7.6 * u, 5.4 * u, 8.4 * u, 7 * u), fill=(255, 170, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def product_file(sku: str, category_id: str, attributes: dict[str, list[str]], upc: str,
                 price: str = "14.90") -> tuple[str, bytes, dict[str, bytes]]:
    """A one-product CSV in the product-file format (PRODUCT_FILE.md) and the images it names by
    relative path: (file name, file bytes, {path: image bytes})."""
    media = {f"img/{sku.lower()}-front.jpg": square_image((200, 170, 120)),
             f"img/{sku.lower()}-side.jpg": square_image((120, 150, 190))}
    main, side = media
    row = {
        "sku": sku, "title": f"Scented soy candle in a clear glass jar {sku}",
        "description": "<p>Hand-poured soy wax candle with a cotton wick, about 40 hours of burn time.</p>",
        "short_description": "Soy candle in a glass jar", "price": price, "currency": "USD", "enabled": "true",
        "category_id": category_id, "weight": "0.45", "weight_unit": "KILOGRAM",
        "length": "10", "width": "10", "height": "12", "dimension_unit": "CENTIMETER", "upc": upc,
        "main_image": main, "images": side,
        "attributes": "; ".join(f"{name}={'|'.join(values)}" for name, values in attributes.items()),
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return f"{sku.lower()}.csv", out.getvalue().encode(), media


def inventory_changed_event(shop_id: str, seller_sku: str, available: int) -> dict[str, Any]:
    """An ``InventoryChanged`` CloudEvent as an ERP would publish it; no warehouse: the shop's default."""
    now = datetime.now(UTC).isoformat()
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "ttshop/demo", "type": "InventoryChanged",
        "time": now, "subject": seller_sku, "datacontenttype": "application/json", "shopid": shop_id,
        "data": {"seller_sku": seller_sku, "available": available, "shop_id": shop_id, "occurred_at": now},
    }


def tiktok_sku(products: list[dict[str, Any]], seller_sku: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(product, sku) of ``seller_sku`` among the sandbox's products of a shop."""
    for product in products:
        for sku in product.get("skus") or []:
            if sku.get("seller_sku") == seller_sku:
                return product, sku
    return None


def quantities(sku: dict[str, Any]) -> dict[str, int]:
    """warehouse id -> quantity of a TikTok SKU."""
    return {str(i["warehouse_id"]): int(i["quantity"]) for i in sku.get("inventory") or []}


async def wait_for(fetch: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout_s: float,
                   what: str, *, every_s: float = POLL_S) -> Any:
    """Poll ``fetch`` until ``done`` accepts its answer; DemoFailed naming ``what`` did not happen."""
    deadline = time.monotonic() + timeout_s
    while not done(value := await fetch()):
        if time.monotonic() > deadline:
            raise DemoFailed(f"{what} within {timeout_s:.0f}s (last seen: {json.dumps(value, default=str)[:300]})")
        await asyncio.sleep(every_s)
    return value


def _posting(product: dict[str, Any], shop_id: str) -> dict[str, Any]:
    return next((p for p in product.get("postings") or [] if str(p.get("shop_id")) == shop_id), {})


async def run_listing_act(http: Http, step: Step, shop_id: str, bootstrap: str, timeout_s: float,
                          *, warehouse_id: str | None = None) -> None:
    """The listing act against the running stack (each step printed and timed by ``step``)."""
    from aiokafka import AIOKafkaProducer

    unique = uuid.uuid4()
    sku = f"DEMO-CANDLE-{unique.hex[:8].upper()}"
    async with step("download the shop's categories (ttshop catalog categories download)"):
        tree = await http.admin("catalog", "POST", f"/shops/{shop_id}/categories/download")
        leaf = None
        for name in PREFERRED_LEAVES:
            found = await http.admin("catalog", "GET", f"/shops/{shop_id}/categories?leaf=true&search={name}")
            if leaf := pick_leaf(found.get("categories") or []):
                break
        if leaf is None:
            raise DemoFailed(f"none of {', '.join(PREFERRED_LEAVES)} is an available leaf of shop {shop_id}")
        console.print(f"  {tree.get('total')} categories, {tree.get('leaves')} leaves; using {leaf['path']} "
                      f"({leaf['id']})")
    async with step(f"download the attributes of {leaf['name']} (ttshop catalog attributes download)"):
        job = await http.admin("catalog", "POST", f"/shops/{shop_id}/attributes/download", {"category_id": leaf["id"]})
        job = await wait_for(lambda: http.admin("catalog", "GET", f"/jobs/{job['id']}"),
                             lambda j: j["status"] in ("done", "failed"), timeout_s,
                             f"attributes download job {job['id']} did not finish", every_s=0.2)
        if job["status"] != "done" or job.get("failed"):
            why = job.get("error") or job["errors"]
            raise DemoFailed(f"attributes download job {job['id']} {job['status']}: {why}")
        details = await http.admin("catalog", "GET", f"/shops/{shop_id}/categories/{leaf['id']}/attributes")
        if documents := required_documents(details):
            raise DemoFailed(f"category {leaf['id']} needs documents ({', '.join(documents)}); the demo has none")
        values = required_values(details.get("attributes") or [])
        shown = ", ".join(f"{k}={'|'.join(v)}" for k, v in values.items()) or "none"
        console.print(f"  {len(details.get('attributes') or [])} attributes; required: {shown}; no documents")
    name, data, media = product_file(sku, str(leaf["id"]), values, demo_upc(unique.int))
    async with step(f"load {name}: 1 product, 2 images (ttshop catalog products upsert)"):
        files = [("file", (name, data)), *(("media_files", (path, blob)) for path, blob in media.items())]
        report = await http.admin("catalog", "POST", "/products/load", files=files)
        console.print(f"  {report['rows']} row(s): {report['created']} created, {report['updated']} updated, "
                      f"{report['refused']} refused")
        if report["refused"] or not report["created"] + report["updated"] + report["unchanged"]:
            problems = "; ".join(f"{p.get('column') or 'file'}: {p['message']}" for p in report["problems"])
            raise DemoFailed(f"{sku} was not loaded: {problems or 'no row read'}")
    async with step(f"check {sku} is ready for shop {shop_id} (ttshop catalog products check)"):
        check = await http.admin("catalog", "POST", f"/products/{sku}/check?shop={shop_id}", {})
        for p in check.get("problems") or []:
            console.print(f"  - {p['rule']} {p['field']}: {p['message']} — {p['fix']}", soft_wrap=True)
        if not check["ready"]:
            raise DemoFailed(f"{sku} is not ready for shop {shop_id}: {len(check['problems'])} problem(s)")
        ident = check.get("identifier") or {}
        console.print(f"  ready; identifier sent: {ident.get('type')} {ident.get('code')}")
    async with step(f"post {sku} to TikTok (ttshop catalog products post)"):
        posted = await http.admin("catalog", "POST", f"/shops/{shop_id}/products/{sku}/post")
        if posted.get("state") != "posted" or not posted.get("product_id"):
            errors = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in posted.get("errors") or [])
            raise DemoFailed(f"TikTok refused {sku}: {errors or posted}")
        product_id = str(posted["product_id"])
        console.print(f"  TikTok product {product_id} (SKU id {posted['sku_ids'].get(sku)}), "
                      f"{posted.get('tiktok_status') or 'PENDING'}: in TikTok's review")
    async with step(f"approve the review on the sandbox; wait until the catalog shows {product_id} ACTIVATE"):
        await http.sandbox("POST", f"/sandbox/products/{product_id}/review", {"decision": "approve"})
        viewed = await wait_for(lambda: http.admin("catalog", "GET", f"/products/{sku}"),
                                lambda p: _posting(p, shop_id).get("tiktok_status") in ("ACTIVATE", "FAILED"),
                                timeout_s, f"the catalog did not show {sku} ACTIVATE on shop {shop_id}", every_s=0.1)
        listing = _posting(viewed, shop_id)
        if listing["tiktok_status"] != "ACTIVATE":
            reasons = "; ".join(r for a in listing.get("audit_failed_reasons") or [] for r in a.get("reasons") or [])
            raise DemoFailed(f"TikTok's review rejected {sku}: {reasons or 'no reason given'}")
        console.print(f"  {sku}: TikTok product {product_id}, ACTIVATE: live on TikTok (ttshop catalog products show)")
    async with step("turn on inventory upload (ttshop shops settings --allow-inventory-upload on)"):
        await http.admin("auth", "PATCH", f"/shops/{shop_id}/settings", {"allow_inventory_upload": True})
    available = 20 + unique.int % 80
    async with step(f"publish InventoryChanged {sku} = {available}; wait until TikTok shows it"):
        event = inventory_changed_event(shop_id, sku, available)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            published = time.monotonic()
            await producer.send_and_wait(INVENTORY_TOPIC, json.dumps(event).encode(), key=sku.encode(),
                                         headers=[("content-type", CLOUDEVENTS_JSON.encode())])
        finally:
            await producer.stop()
        seen = await _wait_quantity(http, shop_id, sku, available, warehouse_id, timeout_s)
        latency_ms = (time.monotonic() - published) * 1000
        where = ", ".join(f"warehouse {w}: {q}" for w, q in seen.items())
        default = " (the shop's default)" if warehouse_id in seen else ""
        console.print(f"  TikTok shows {where}{default}: [bold]{latency_ms:.0f} ms[/] from publish to seen on TikTok "
                      f"({'within' if latency_ms < 1000 else 'over'} the 1 s goal)")


async def _wait_quantity(http: Http, shop_id: str, sku: str, available: int, warehouse_id: str | None,
                         timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = tiktok_sku((await http.sandbox("GET", f"/sandbox/shops/{shop_id}/products"))["products"], sku)
        held = quantities(found[1]) if found else {}
        if (held.get(warehouse_id) if warehouse_id else next(iter(held.values()), None)) == available:
            return held
        if time.monotonic() > deadline:
            upload: Any = "unknown"
            try:
                rows = (await http.admin("catalog", "GET", f"/inventory/{sku}")).get("shops") or []
                upload = [{k: r.get(k) for k in ("upload_status", "error", "sent")} for r in rows]
            except (CliError, httpx.HTTPError):
                pass  # only for the message
            raise DemoFailed(f"quantity {available} of {sku} did not reach TikTok within {timeout_s:.0f}s "
                             f"(TikTok holds {held or 'nothing'}; catalog upload: {upload})")
        await asyncio.sleep(POLL_S)
