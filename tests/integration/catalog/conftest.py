"""Fixtures for the catalog service against real Postgres, the broker and the sandbox.

The service runs for real (consumers, upload worker, outbox relay, admin API on a port), once for
this package; tests keep apart by their own shops and SKUs. Tokens come straight from the sandbox's
auth host instead of the auth service; ShopSettingsChanged (auth's) and InventoryChanged /
PriceChanged (the ERP's) are published here on the real topics with a plain producer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from libs.cli.infra import create_database
from libs.common.events import new_event
from libs.common.events.base import EventData
from libs.common.events.shops import ShopConnected, ShopSettingsChanged
from libs.common.gtin import gs1_check_digit
from libs.common.kafka import KafkaPublisher
from services.catalog.app import build_app
from services.catalog.settings import CatalogSettings
from tests.support.images import image_bytes
from tests.support.servers import serve_app
from tests.support.stack import sandbox, shared_settings
from tests.support.tokens import SandboxTokens
from tests.support.waiting import poll_json, wait_db

#: long on purpose: uploads must start because the consumer wakes the worker, not because it polls
UPLOAD_POLL_S = 20.0
COALESCE_S = 0.2


class Harness:
    """A running catalog service plus helpers to drive it as the ERP, auth and an operator would."""

    def __init__(self, *, url: str, sandbox_url: str, http: httpx.AsyncClient, publisher: KafkaPublisher,
                 tokens: SandboxTokens, dsn: str, kafka_bootstrap: str) -> None:
        self.url, self.sandbox_url, self.http = url, sandbox_url, http
        self.publisher, self.tokens, self.dsn = publisher, tokens, dsn
        self.kafka_bootstrap = kafka_bootstrap

    async def publish(self, data: EventData) -> str:
        event = new_event(data, source="tests/erp")
        await self.publisher.publish(data.topic, event.to_bytes(), key=data.key().encode())
        return event.id

    async def new_shop(self, *, inventory: bool = True, price: bool = True, default_warehouse: bool = True,
                       region: str | None = None) -> str:
        """A sandbox seller's shop the catalog knows; with ``region`` also announced by ShopConnected."""
        seller = await sandbox(self.http, "POST", f"{self.sandbox_url}/sandbox/sellers",
                               json={"default_warehouse": default_warehouse, "region": region or "US"})
        self.tokens.add_shop(seller["shop_id"], seller["shop_cipher"], seller["auth_code"])
        if region:
            await self.publish(ShopConnected(shop_id=seller["shop_id"], region=region, connected_at=datetime.now(UTC)))
        await self.set_switches(seller["shop_id"], inventory=inventory, price=price)
        return str(seller["shop_id"])

    async def set_switches(self, shop_id: str, *, inventory: bool, price: bool) -> None:
        await self.publish(ShopSettingsChanged(shop_id=shop_id, allow_inventory_upload=inventory,
                                               allow_price_upload=price, changed_at=datetime.now(UTC)))
        await self.wait_db(
            "SELECT (allow_inventory_upload, allow_price_upload) FROM catalog.shops WHERE shop_id = $1", shop_id,
            until=lambda v: v is not None and tuple(v) == (inventory, price),
        )

    async def listing(self, shop_id: str, title: str, skus: list[tuple[str, str, int]]) -> dict[str, Any]:
        """Create an active listing on TikTok: skus = [(seller_sku, price, quantity)]."""
        body = {"title": title, "skus": [{"seller_sku": s, "price": p, "quantity": q} for s, p, q in skus]}
        return await sandbox(self.http, "POST", f"{self.sandbox_url}/sandbox/shops/{shop_id}/products", json=body)

    async def import_products(self, shop_id: str) -> dict[str, Any]:
        r = await self.http.post(f"{self.url}/shops/{shop_id}/import")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def tiktok_sku(self, shop_id: str, sku_id: str) -> dict[str, Any]:
        """A SKU as TikTok holds it (inventory and price)."""
        data = await sandbox(self.http, "GET", f"{self.sandbox_url}/sandbox/shops/{shop_id}/products")
        for product in data["products"]:
            for sku in product["skus"]:
                if sku["id"] == sku_id:
                    return sku  # type: ignore[no-any-return]
        raise AssertionError(f"sku {sku_id} not on shop {shop_id}")

    async def calls(self, product_id: str, what: str = "inventory") -> int:
        """Update calls the sandbox served for this product (``inventory`` or ``prices``)."""
        path = f"/product/202309/products/{product_id}/{what}/update"
        counts = await sandbox(self.http, "GET", f"{self.sandbox_url}/sandbox/requests", params={"path": path})
        return int(counts["total"])

    async def inventory(self, seller_sku: str, *, until: Callable[[dict[str, Any]], bool],
                        path: str = "inventory", timeout_s: float = 20.0) -> dict[str, Any]:
        return await poll_json(self.http, f"{self.url}/{path}/{seller_sku}", until=until, timeout_s=timeout_s)

    async def wait_db(self, sql: str, *args: Any, until: Callable[[Any], bool], timeout_s: float = 30.0) -> Any:
        return await wait_db(self.dsn, sql, *args, until=until, timeout_s=timeout_s)


# --- taxonomy and readiness helpers (shared by the taxonomy, readiness and posting tests) ----------------

async def download(h: Harness, shop: str) -> dict[str, Any]:
    r = await h.http.post(f"{h.url}/shops/{shop}/categories/download")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def leaf(h: Harness, shop: str, search: str) -> dict[str, Any]:
    r = await h.http.get(f"{h.url}/shops/{shop}/categories", params={"search": search, "leaf": "true"})
    assert r.status_code == 200, r.text
    found = [c for c in r.json()["categories"] if c["permission"] == "AVAILABLE"]
    assert found, f"no available leaf matching {search!r}"
    return found[0]  # type: ignore[no-any-return]


async def attributes_job(h: Harness, shop: str, **scope: Any) -> dict[str, Any]:
    r = await h.http.post(f"{h.url}/shops/{shop}/attributes/download", json=scope)
    assert r.status_code == 202, r.text
    return await poll_json(h.http, f"{h.url}/jobs/{r.json()['id']}", until=lambda j: j["status"] in ("done", "failed"),
                           timeout_s=120)


async def ready_shop(h: Harness, region: str = "US") -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """A shop with its tree and the T-shirts leaf's attributes downloaded: (shop, the leaf, its attributes)."""
    shop = await h.new_shop(region=region)
    await download(h, shop)
    tee = await leaf(h, shop, "T-shirts")
    await attributes_job(h, shop, category_id=tee["id"])
    attrs = (await h.http.get(f"{h.url}/shops/{shop}/categories/{tee['id']}/attributes")).json()["attributes"]
    return shop, tee, attrs


def required_values(attrs: list[dict[str, Any]]) -> dict[str, list[str]]:
    """A value for each required product attribute, and for those another's chosen value makes required."""
    def first(a: dict[str, Any]) -> tuple[str, str | None]:
        return (a["values"][0]["name"], a["values"][0]["id"]) if a["values"] else ("Custom", None)

    chosen = {a["id"]: first(a) for a in attrs if a["required"] and a["type"] == "PRODUCT_PROPERTY"}
    for a in attrs:
        if a["id"] not in chosen and any(chosen.get(c["attribute_id"], ("", None))[1] == c["attribute_value_id"]
                                         for c in a.get("requirement_conditions") or []):
            chosen[a["id"]] = first(a)
    names = {a["id"]: a["name"] for a in attrs}
    return {names[i]: [value] for i, (value, _) in chosen.items()}


async def upload_media(h: Harness, data: bytes) -> str:
    r = await h.http.post(f"{h.url}/media", files={"file": ("x", data)})
    assert r.status_code == 201, r.text
    return str(r.json()["ref"])


# --- posting helpers (shared by the posting and editing tests) ------------------------------------------

def upc(unique: str, salt: int = 0) -> str:
    body = f"{(int(unique, 16) + salt) % 10**11:011d}"
    return body + str(gs1_check_digit(body))


async def tiktok_products(h: Harness, shop: str) -> list[dict[str, Any]]:
    return list((await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/shops/{shop}/products"))["products"])


async def served(h: Harness, path: str, shop_id: str | None = None) -> int:
    """Calls the sandbox served under ``path`` (a prefix), for every shop or for ``shop_id``'s only."""
    params = {"path": path, **({"shop_id": shop_id} if shop_id else {})}
    return int((await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/requests", params=params))["total"])


async def ready_product(h: Harness, unique: str, tee: dict[str, Any], attrs: list[dict[str, Any]], sku: str,
                         **extra: Any) -> dict[str, Any]:
    main, back = await upload_media(h, image_bytes(800, 800)), await upload_media(h, image_bytes(900, 900, "PNG"))
    body = {"title": f"Organic cotton tee {unique} in a soft jersey", "description": "<p>Soft organic tee</p>",
            "price": "19.90", "currency": "USD", "category_id": tee["id"], "main_image": main, "images": [back],
            "weight": "0.25", "weight_unit": "KILOGRAM", "length": "30", "width": "20", "height": "3",
            "dimension_unit": "CENTIMETER", "upc": upc(unique), "attributes": required_values(attrs), **extra}
    r = await h.http.put(f"{h.url}/products/{sku}", json=body)
    assert r.status_code == 200, r.text
    return body


async def posting_of(h: Harness, sku: str) -> dict[str, Any]:
    r = await h.http.get(f"{h.url}/products/{sku}")
    return next(iter(r.json().get("postings") or []), {})  # type: ignore[no-any-return]


def shop_row(body: dict[str, Any], shop_id: str) -> dict[str, Any] | None:
    return next((s for s in body.get("shops", []) if s["shop_id"] == shop_id), None)


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def catalog_dsn(infra: dict[str, str]) -> str:
    return await create_database(infra["dsn"], f"t_catalog_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="package")
def catalog_settings(catalog_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str) -> CatalogSettings:
    return CatalogSettings(
        **shared_settings(pg_dsn=catalog_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        port=0, upload_poll_s=UPLOAD_POLL_S, upload_coalesce_s=COALESCE_S, upload_backoff_initial_s=0.2,
        upload_backoff_max_s=0.5, no_warehouse_recheck_s=0.0, import_page_size=2,
        media_fetch_timeout_s=1.0, review_poll_s=0.2, review_reconcile_s=0.5, listing_limit_wait_s=0.5,
        job_poll_s=0.2,
    )


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def harness(catalog_settings: CatalogSettings, sandbox_url: str, kafka_bootstrap: str) -> AsyncIterator[Harness]:
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = SandboxTokens(http, sandbox_url)
        publisher = KafkaPublisher(kafka_bootstrap, client_id="tests-catalog-uploads")
        await publisher.start()
        try:
            async with serve_app(build_app(catalog_settings, tokens=tokens)) as url:
                assert catalog_settings.database_url is not None
                yield Harness(url=url, sandbox_url=sandbox_url, http=http, publisher=publisher, tokens=tokens,
                              dsn=catalog_settings.database_url, kafka_bootstrap=kafka_bootstrap)
        finally:
            await publisher.stop()
