"""`ttshop demo`: a scripted walk through the running stack, the way a seller, a WMS and an ERP would use it.

Act one, orders: creates a sandbox seller, connects the shop, turns on order download and tracking upload,
places three orders on the sandbox, reads them from ``orders.downloaded`` like a WMS, publishes a
``ShipmentCreated`` for one of them and waits until the tracking number reaches "TikTok".

Act two, a listing (``demo_listing.py``): downloads the shop's categories and a leaf's attributes, loads a
one-product file, checks readiness, posts it, approves TikTok's review on the sandbox, turns on inventory
upload and publishes an ``InventoryChanged``, printing how long the quantity takes to show on "TikTok".
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import typer

from . import devenv
from .client import EXIT_FAILED, CliError, console, decode_response, emit_json, fail, wants_json

ORDERS_TOPIC = "orders.downloaded"
SHIPMENTS_TOPIC = "shipments.created"
#: Structured-mode CloudEvents content type (CloudEvents Kafka binding), as any WMS would send it.
CLOUDEVENTS_JSON = "application/cloudevents+json; charset=UTF-8"


class DemoFailed(Exception):
    pass


#: (step, seconds) of the steps done in this run, for `ttshop --json demo`.
DONE: list[tuple[str, float]] = []


@asynccontextmanager
async def step(title: str) -> AsyncIterator[None]:
    """Print the step with its duration; turn any failure into :class:`DemoFailed` naming the step."""
    console.print(f"[bold]→ {title}[/]")
    started = time.monotonic()
    try:
        yield
    except (CliError, DemoFailed, httpx.HTTPError, OSError, TimeoutError, ValueError, KeyError) as exc:
        detail = exc.message if isinstance(exc, CliError) else f"{type(exc).__name__}: {exc}"
        raise DemoFailed(f"step '{title}' failed after {time.monotonic() - started:.1f}s: {detail}") from exc
    DONE.append((title, time.monotonic() - started))
    console.print(f"  [green]✓[/] {title} ({DONE[-1][1]:.2f}s)")


class Http:
    """Admin and sandbox calls of the demo (async; the sandbox answers in TikTok's envelope)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def admin(self, service: str, method: str, path: str, body: Any = None, *,
                    files: list[tuple[str, tuple[str, bytes]]] | None = None) -> Any:
        """One admin call; ``files`` makes it a multipart POST (a product file and its media)."""
        url = devenv.service_url(service) + path
        try:
            response = await self.client.request(method, url, json=body, files=files)
        except httpx.ConnectError as exc:
            raise CliError(f"{service} service not reachable at {devenv.service_url(service)} — "
                           "is `ttshop dev` running?", EXIT_FAILED) from exc
        return decode_response(service, response)

    async def sandbox(self, method: str, path: str, body: Any = None) -> Any:
        body = await self.admin("sandbox", method, path, body)
        if isinstance(body, dict) and "code" in body and "data" in body:
            if body["code"] != 0:
                raise DemoFailed(f"sandbox answered code {body['code']}: {body.get('message')}")
            return body["data"]
        return body


def _contains(value: Any, needle: str) -> bool:
    if isinstance(value, dict):
        return any(_contains(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(_contains(v, needle) for v in value)
    return bool(value == needle)


async def run_demo(timeout_s: float) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    bootstrap = devenv.lookup("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092"
    token = devenv.lookup("ADMIN_API_TOKEN")  # the CLI's admin credential, as the other commands
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    tax_id = f"DEMO-{uuid.uuid4().hex[:8].upper()}"
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        http = Http(client)
        async with step("create a seller on the TikTok sandbox"):
            seller = await http.sandbox("POST", "/sandbox/sellers", {"name": "Demo seller", "tax_id": tax_id})
            console.print(f"  sandbox shop {seller['shop_id']}")
        async with step("connect the shop (ttshop shops connect)"):
            shop = await http.admin("auth", "POST", "/shops/connect",
                                    {"auth_code": seller["auth_code"], "tax_id": tax_id,
                                     "name": f"Demo shop {tax_id[5:]}"})  # unique: the demo may run again
            connected = shop.get("shops") if isinstance(shop.get("shops"), list) else [shop]
            ids = [str(s.get("shop_id") or s.get("id")) for s in connected if isinstance(s, dict)]
            if str(seller["shop_id"]) not in ids:
                raise DemoFailed(f"auth connected {ids or 'no shop'}, not the sandbox shop {seller['shop_id']}")
            shop_id = str(seller["shop_id"])
        async with step("test the shop settings (ttshop shops test)"):
            result = await http.admin("auth", "POST", f"/shops/{shop_id}/test")
            for problem in (result or {}).get("problems") or []:
                console.print(f"  - {problem}")
        async with step("turn on order download and tracking upload"):
            await http.admin("auth", "PATCH", f"/shops/{shop_id}/settings",
                             {"allow_order_download": True, "allow_tracking_upload": True})

        consumer = AIOKafkaConsumer(
            ORDERS_TOPIC, bootstrap_servers=bootstrap, group_id=f"ttshop-demo-{uuid.uuid4().hex}",
            auto_offset_reset="earliest", enable_auto_commit=False,
        )
        async with step(f"subscribe to {ORDERS_TOPIC} like a WMS"):
            await consumer.start()
        try:
            placed: list[str] = []
            async with step("place 3 orders on the sandbox (one with 3 units)"):
                for sku, qty, price in (("DEMO-MUG", 1, "12.50"), ("DEMO-TEE", 3, "19.99"), ("DEMO-CAP", 1, "9.00")):
                    order = await http.sandbox("POST", f"/sandbox/shops/{seller['shop_id']}/orders",
                                               {"lines": [{"seller_sku": sku, "quantity": qty, "unit_price": price}]})
                    placed.append(str(order.get("id") or order.get("order_id")))
                console.print(f"  orders {', '.join(placed)}")
            downloaded: dict[str, dict[str, Any]] = {}
            async with step(f"receive them on {ORDERS_TOPIC}"):
                deadline = time.monotonic() + timeout_s
                while set(placed) - set(downloaded):
                    if time.monotonic() > deadline:
                        missing = ", ".join(sorted(set(placed) - set(downloaded)))
                        raise DemoFailed(f"no OrderDownloaded for {missing} within {timeout_s:.0f}s")
                    batches = await consumer.getmany(timeout_ms=500)
                    for message in (m for msgs in batches.values() for m in msgs):
                        event = json.loads(message.value or b"{}")
                        data = event.get("data") or {}
                        if str(data.get("order_id")) in placed and data.get("order_id") not in downloaded:
                            downloaded[str(data["order_id"])] = data
                            units = sum(int(x.get("quantity", 0)) for x in data.get("lines") or [])
                            console.print(f"  {event.get('type')} {data['order_id']}: {data.get('status')}, "
                                          f"{units} unit(s), channel {data.get('channel')}")
        finally:
            await consumer.stop()

        order_id = placed[1]
        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
        async with step(f"publish ShipmentCreated for {order_id} (USPS {tracking})"):
            line_item_ids = [i for x in downloaded[order_id].get("lines") or [] for i in x.get("line_item_ids") or []]
            event = shipment_created_event(shop_id, order_id, tracking, line_item_ids)
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
            await producer.start()
            try:
                await producer.send_and_wait(
                    SHIPMENTS_TOPIC, json.dumps(event).encode(), key=order_id.encode(),
                    headers=[("content-type", CLOUDEVENTS_JSON.encode())],
                )
            finally:
                await producer.stop()
        async with step("wait until the sandbox order carries the tracking number"):
            deadline = time.monotonic() + timeout_s
            while not _contains(await http.sandbox("GET", f"/sandbox/orders/{order_id}"), tracking):
                if time.monotonic() > deadline:
                    raise DemoFailed(f"tracking {tracking} not on order {order_id} after {timeout_s:.0f}s")
                await asyncio.sleep(0.5)

        from .demo_listing import run_listing_act  # it imports this module

        await run_listing_act(http, step, shop_id, bootstrap, timeout_s, warehouse_id=seller.get("warehouse_id"))


def shipment_created_event(shop_id: str, order_id: str, tracking: str, line_item_ids: list[str]) -> dict[str, Any]:
    """A ``ShipmentCreated`` CloudEvent as a WMS would publish it (DESIGN.md envelope)."""
    now = datetime.now(UTC).isoformat()
    data: dict[str, Any] = {
        "shop_id": shop_id, "order_id": order_id, "shipment_id": f"demo-{uuid.uuid4().hex[:12]}",
        "carrier": "USPS", "tracking_number": tracking, "shipped_at": now,
    }
    if line_item_ids:
        data["line_item_ids"] = line_item_ids
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "ttshop/demo", "type": "ShipmentCreated",
        "time": now, "subject": order_id, "datacontenttype": "application/json", "shopid": shop_id, "data": data,
    }


def demo(
    timeout_s: float = typer.Option(60.0, "--timeout", help="Seconds to wait for each asynchronous step."),
) -> None:
    """Walk through connect → orders → tracking, then categories → product file → readiness → post →
    review → stock on TikTok, against the running `ttshop dev` stack."""
    started = time.monotonic()
    DONE.clear()
    try:
        asyncio.run(run_demo(timeout_s))
    except DemoFailed as exc:
        cause = exc.__cause__
        fail(str(exc), cause.exit_code if isinstance(cause, CliError) else 1)
    if wants_json():  # the steps went to stderr as they ran
        emit_json({"ok": True, "seconds": round(time.monotonic() - started, 3),
                   "steps": [{"step": title, "seconds": round(s, 3)} for title, s in DONE]})
        return
    console.print(f"[bold green]demo finished in {time.monotonic() - started:.1f}s[/]")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
