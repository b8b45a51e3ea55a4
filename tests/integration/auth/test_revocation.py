"""A revoked shop (R3) is marked needs_reauthorization on the next refresh, says so everywhere, and the
orders service (a real second service, fed by shops.changed) stops polling it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.auth.app import build_app
from services.orders.app import build_app as build_orders
from services.orders.intake.worker import NAME as ORDERS_POLL
from services.orders.settings import OrdersSettings
from tests.integration.auth.conftest import audit_of, connect_shop, expire_in, served, until
from tests.support.servers import serve_app
from tests.support.stack import collect, sandbox, shared_settings

pytestmark = pytest.mark.integration


async def test_revoked_shop_needs_reauthorization_and_orders_stops_polling_it(
    make_auth_settings, pg_dsn, kafka_bootstrap, sandbox_url, internal_token, unique
):
    """R3: refresh refused with 36004001 -> status needs_reauthorization with a reason in GET /shops, in
    ShopSettingsChanged on shops.changed and in the token endpoint's 409; the orders service skips the shop
    both in its poll loop and in a manual poll, and makes no more order calls for it."""
    settings = make_auth_settings(refresh_margin_s=600, refresh_jitter_s=0, refresh_check_interval_s=3600)
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        orders_settings = OrdersSettings(
            **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                              internal_token=internal_token, auth_url=auth),
            poll_interval_s=3600, job_poll_interval_s=5, webhook_poll_interval_s=5,
        )
        orders_app = build_orders(orders_settings)
        components = orders_app.state.runtime.components  # what the orders service built at start
        async with serve_app(orders_app) as orders:
            shop = await connect_shop(http, auth, sandbox_url, name=f"rev-{unique}", tax_id=f"T{unique}")
            shop_id = shop["shop_id"]
            r = await http.patch(f"{auth}/shops/{shop_id}/settings", json={"allow_order_download": True})
            assert r.status_code == 200, r.text

            async def orders_sees(status: str) -> bool:
                shops = (await http.get(f"{orders}/shops")).json()["shops"]
                return any(s["shop_id"] == shop_id and s["allow_order_download"] and s["status"] == status
                           for s in shops)

            await until(lambda: orders_sees("active"), timeout_s=30)
            # Before: the orders service polls the shop, with a token handed out by auth.
            assert shop_id in [p.shop_id for p in await components.get(ORDERS_POLL).every_shop()]
            assert (await http.post(f"{orders}/shops/{shop_id}/poll")).status_code == 200

            await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults", json={"kind": "revoke_tokens",
                                                                                "shop_id": shop_id})
            await expire_in(pg_dsn, shop_id, 400)  # due: the next automatic pass refreshes it
            assert (await http.post(f"{auth}/admin/refresh-due")).status_code == 200

            listed = next(s for s in (await http.get(f"{auth}/shops")).json()["shops"] if s["shop_id"] == shop_id)
            assert listed["status"] == "needs_reauthorization"
            assert "refresh token expired or revoked" in listed["status_reason"]
            shown = (await http.get(f"{auth}/shops/{shop_id}")).json()
            assert audit_of(shown, "refresh", "needs_reauthorization")

            tok = await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)
            assert tok.status_code == 409
            assert tok.json()["error"]["code"] == "needs_reauthorization"
            assert "refresh token expired or revoked" in tok.json()["error"]["message"]

            events = await collect(
                kafka_bootstrap, "shops.changed", count=1,
                predicate=lambda e: e.get("shopid") == shop_id and e["type"] == "ShopSettingsChanged"
                and e["data"]["status"] == "needs_reauthorization",
            )
            assert "refresh token expired or revoked" in events[0]["data"]["reason"]

            await until(lambda: orders_sees("needs_reauthorization"), timeout_s=30)
            order_calls = await served(http, sandbox_url, "/order/")
            assert order_calls > 0  # the counter does see the polls made before the revocation
            assert shop_id not in [p.shop_id for p in await components.get(ORDERS_POLL).every_shop()]
            manual: Any = await http.post(f"{orders}/shops/{shop_id}/poll")
            assert manual.status_code == 409 and "needs_reauthorization" in manual.json()["error"]["message"]
            assert await served(http, sandbox_url, "/order/") == order_calls
