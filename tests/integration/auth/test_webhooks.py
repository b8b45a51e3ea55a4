"""SELLER_DEAUTHORIZATION (type 6) and UPCOMING_AUTHORIZATION_EXPIRATION (type 7) delivered by the sandbox
to the address the auth service registered at connect (R3), next to order webhooks that keep going to the
process-wide address."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from libs.cli.infra import free_port
from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.signing import webhook_signature
from services.auth.app import build_app
from tests.integration.auth.conftest import audit_of, connect_shop, served, until
from tests.support.servers import serve_app
from tests.support.stack import collect, sandbox

pytestmark = pytest.mark.integration

DEAUTHORIZED = "seller deauthorized the app on TikTok"


@asynccontextmanager
async def auth_with_webhooks(settings: Any) -> AsyncIterator[str]:
    """The auth service on a fixed port, so its default webhook address (127.0.0.1:<port>) is right."""
    port = free_port()
    async with serve_app(build_app(settings.model_copy(update={"port": port})), port=port) as url:
        yield url


@asynccontextmanager
async def capture_webhooks(http: httpx.AsyncClient, sandbox_url: str) -> AsyncIterator[list[dict[str, Any]]]:
    """A stand-in for the orders service's receiver as the sandbox's process-wide webhook address."""
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        received.append(json.loads(await request.body()))
        return {"ok": True}

    async with serve_app(app, ready_path=None) as url:
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/webhook", json={"url": f"{url}/hook"})
        try:
            yield received
        finally:
            await sandbox(http, "POST", f"{sandbox_url}/sandbox/webhook", json={"url": ""})


async def test_seller_deauthorization_webhook_marks_the_shop_and_orders_webhooks_still_go_elsewhere(
    make_auth_settings, kafka_bootstrap, sandbox_url, internal_token, unique
):
    """R3: type 6 reaches the auth service's own address (registered per shop and event type at connect),
    the shop becomes needs_reauthorization with the reason, ShopSettingsChanged says so; order webhooks
    keep going to the process-wide address; a forged notification is refused with 401."""
    async with (
        auth_with_webhooks(make_auth_settings()) as auth,
        httpx.AsyncClient(timeout=30) as http,
        capture_webhooks(http, sandbox_url) as elsewhere,
    ):
        shop = await connect_shop(http, auth, sandbox_url, name=f"deauth-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        shown = (await http.get(f"{auth}/shops/{shop_id}")).json()
        [registered] = audit_of(shown, "register_webhooks", "ok")
        assert registered["detail"]["address"] == f"{auth}/webhooks/tiktok"

        order = await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/orders",
                              json={"lines": [{"seller_sku": "MUG", "quantity": 1, "unit_price": "5"}]})

        async def order_webhook_delivered() -> bool:
            return any(w["type"] == 1 and w["data"].get("order_id") == order["id"] for w in elsewhere)

        await until(order_webhook_delivered)

        forged = json.dumps({"type": 6, "shop_id": shop_id, "tts_notification_id": "x", "data": {}}).encode()
        bad = await http.post(f"{auth}/webhooks/tiktok", content=forged, headers={"Authorization": "0" * 64})
        assert bad.status_code == 401
        assert (await http.get(f"{auth}/shops/{shop_id}")).json()["status"] == "active"

        sent = await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/deauthorize")
        assert sent["webhook_address"] == f"{auth}/webhooks/tiktok" and sent["revoked"] >= 2

        async def marked() -> dict[str, Any] | None:
            found = (await http.get(f"{auth}/shops/{shop_id}")).json()
            return found if found["status"] == "needs_reauthorization" else None

        shown = await until(marked)
        assert shown["status_reason"] == DEAUTHORIZED and audit_of(shown, "deauthorized", "needs_reauthorization")
        assert not any(w["type"] == 6 for w in elsewhere)
        tok = await http.get(f"{auth}/internal/shops/{shop_id}/token",
                             headers={"Authorization": f"Bearer {internal_token}"})
        assert tok.status_code == 409 and DEAUTHORIZED in tok.json()["error"]["message"]
        events = await collect(
            kafka_bootstrap, "shops.changed", count=1,
            predicate=lambda e: e.get("shopid") == shop_id and e["type"] == "ShopSettingsChanged"
            and e["data"]["status"] == "needs_reauthorization",
        )
        assert events[0]["data"]["reason"] == DEAUTHORIZED

        # TikTok resends: a signed duplicate changes nothing.
        again = await http.post(f"{auth}/webhooks/tiktok", content=forged,
                                headers={"Authorization": webhook_signature(SANDBOX_APP_KEY, SANDBOX_APP_SECRET,
                                                                            forged)})
        assert again.status_code == 200 and again.json()["outcome"] == "ignored"


async def test_upcoming_authorization_expiration_refreshes_warns_and_fails_only_when_it_ends(
    make_auth_settings, sandbox_url, unique
):
    """R3: type 7 is audited and a refresh runs at once; the refresh token now ends with the authorisation
    (2 days), inside the 7-day warning window, so shops list/show carry a warning while the status stays
    active. When the authorisation really ends, the next refresh marks the shop needs_reauthorization."""
    async with auth_with_webhooks(make_auth_settings()) as auth, httpx.AsyncClient(timeout=30) as http:
        shop = await connect_shop(http, auth, sandbox_url, name=f"exp-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        assert shop["warning"] is None
        refreshes = await served(http, sandbox_url, "/api/v2/token/refresh")
        sent = await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/authorization-expiring",
                             json={"expires_in_s": 2 * 86_400})

        async def warned() -> dict[str, Any] | None:
            found = (await http.get(f"{auth}/shops/{shop_id}")).json()
            return found if found["warning"] else None

        shown = await until(warned)
        assert shown["status"] == "active" and "authorisation ends" in shown["warning"]
        [notice] = audit_of(shown, "authorization_expiring", "received")
        ends = datetime.fromtimestamp(sent["expiration_time"], UTC)
        assert notice["detail"]["expiration_time"] == ends.isoformat()
        assert len(audit_of(shown, "refresh", "ok")) == 1
        assert await served(http, sandbox_url, "/api/v2/token/refresh") == refreshes + 1
        assert datetime.fromisoformat(shown["refresh_token_expires_at"]) <= ends + timedelta(seconds=1)
        listed = next(s for s in (await http.get(f"{auth}/shops")).json()["shops"] if s["shop_id"] == shop_id)
        assert listed["warning"] == shown["warning"]

        # The authorisation ends for real: only now does a refresh fail and the status change.
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/authorization-expiring",
                      json={"expires_in_s": 1})
        await until(lambda: _refresh_fails(http, auth, shop_id), timeout_s=10, every_s=0.3)
        shown = (await http.get(f"{auth}/shops/{shop_id}")).json()
        assert shown["status"] == "needs_reauthorization"
        assert "refresh token expired or revoked" in shown["status_reason"]


async def _refresh_fails(http: httpx.AsyncClient, auth: str, shop_id: str) -> bool:
    r = await http.post(f"{auth}/shops/{shop_id}/refresh")
    return r.status_code == 409
