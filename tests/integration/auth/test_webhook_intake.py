"""Issue 12, webhooks, at the auth receiver (types 6 and 7; the service on a real port, real PostgreSQL,
broker and sandbox): what is not a signed TikTok notification of at most 1 MiB changes no shop and
publishes nothing; a re-sent deauthorisation or expiry notice is acted on once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from services.auth.app import build_app
from tests.integration.auth.conftest import audit_of, connect_shop, served
from tests.support.servers import serve_app
from tests.support.stack import collect
from tests.support.webhooks import notification, post, refusals, refused_before_the_body_ends

SELLER_DEAUTHORIZATION, UPCOMING_AUTHORIZATION_EXPIRATION = 6, 7


@asynccontextmanager
async def auth_service(settings: Any) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async with serve_app(build_app(settings)) as url, httpx.AsyncClient(timeout=30) as http:
        yield url, http


async def seen_notifications(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r[0] for r in await conn.fetch(
            "SELECT tts_notification_id FROM auth.webhook_notifications ORDER BY received_at")]
    finally:
        await conn.close()


async def shop_view(http: httpx.AsyncClient, url: str, shop_id: str) -> dict[str, Any]:
    r = await http.get(f"{url}/shops/{shop_id}")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_refused_webhooks_change_no_shop_and_publish_nothing(
    make_auth_settings, pg_dsn, kafka_bootstrap, sandbox_url, unique
):
    async with auth_service(make_auth_settings()) as (url, http):
        shop_id = (await connect_shop(http, url, sandbox_url, name=f"refuse-{unique}", tax_id=f"T{unique}"))["shop_id"]
        valid = notification(SELLER_DEAUTHORIZATION, shop_id, {}, notification_id=f"deauth-{unique}")
        for case in refusals(valid):
            r = await case.send(http, url)
            assert (r.status_code, r.json()["error"]["code"]) == (case.status, case.code), (case.what, r.text)
        declared, streamed = await refused_before_the_body_ends(url)
        assert declared.startswith(b"HTTP/1.1 413") and streamed.startswith(b"HTTP/1.1 413"), (declared, streamed)
        shown = await shop_view(http, url, shop_id)
        assert shown["status"] == "active" and not audit_of(shown, "deauthorized")
        assert await seen_notifications(pg_dsn) == []

        # The barrier: the valid notification itself finds the shop still active and is acted on (had a
        # refused body been taken, this one would be a duplicate); its ShopSettingsChanged is published.
        taken = await post(http, url, valid)
        assert taken.status_code == 200, taken.text
        assert taken.json() == {"ok": True, "outcome": "needs_reauthorization", "duplicate": False}
        events = await collect(kafka_bootstrap, "shops.changed", count=1, predicate=lambda e: (
            e.get("shopid") == shop_id and e["type"] == "ShopSettingsChanged"
            and e["data"]["status"] == "needs_reauthorization"))
        assert len(events) == 1
        [deauthorized] = audit_of(await shop_view(http, url, shop_id), "deauthorized")
        assert deauthorized["detail"]["notification_id"] == valid["tts_notification_id"]
        assert await seen_notifications(pg_dsn) == [valid["tts_notification_id"]]


async def test_a_resent_deauthorization_is_acted_on_once(make_auth_settings, kafka_bootstrap, sandbox_url, unique):
    async with auth_service(make_auth_settings()) as (url, http):
        shop_id = (await connect_shop(http, url, sandbox_url, name=f"again-{unique}", tax_id=f"T{unique}"))["shop_id"]
        sent = notification(SELLER_DEAUTHORIZATION, shop_id, {}, notification_id=f"deauth-{unique}")
        first, again = await post(http, url, sent), await post(http, url, sent)
        assert first.json() == {"ok": True, "outcome": "needs_reauthorization", "duplicate": False}
        assert again.status_code == 200 and again.json() == {"ok": True, "outcome": "duplicate", "duplicate": True}
        assert len(audit_of(await shop_view(http, url, shop_id), "deauthorized")) == 1

        # A later change of the shop is the barrier on shops.changed: before it, one needs_reauthorization.
        r = await http.patch(f"{url}/shops/{shop_id}/settings", json={"allow_price_upload": True})
        assert r.status_code == 200, r.text
        events = await collect(kafka_bootstrap, "shops.changed", count=2, predicate=lambda e: (
            e.get("shopid") == shop_id and e["type"] == "ShopSettingsChanged"
            and e["data"]["status"] == "needs_reauthorization"))
        assert [e["data"]["allow_price_upload"] for e in events] == [False, True], [e["data"] for e in events]


async def test_a_resent_expiry_notice_refreshes_once(make_auth_settings, sandbox_url, unique):
    async with auth_service(make_auth_settings()) as (url, http):
        shop_id = (await connect_shop(http, url, sandbox_url, name=f"exp-{unique}", tax_id=f"T{unique}"))["shop_id"]
        ends = int((datetime.now(UTC) + timedelta(days=30)).timestamp())
        refreshes = await served(http, sandbox_url, "/api/v2/token/refresh")
        sent = notification(UPCOMING_AUTHORIZATION_EXPIRATION, shop_id, {"expiration_time": ends},
                            notification_id=f"exp-{unique}")
        first, again = await post(http, url, sent), await post(http, url, sent)
        assert first.status_code == 200 and first.json()["duplicate"] is False, first.text
        assert again.json() == {"ok": True, "outcome": "duplicate", "duplicate": True}
        # The notice is handled before the answer (audit, refresh); a later notice is the barrier.
        later = await post(http, url, {**sent, "tts_notification_id": f"exp-later-{unique}"})
        assert later.json()["duplicate"] is False
        assert await served(http, sandbox_url, "/api/v2/token/refresh") == refreshes + 2
        notices = audit_of(await shop_view(http, url, shop_id), "authorization_expiring", "received")
        assert sorted(n["detail"]["notification_id"] for n in notices) == sorted([f"exp-{unique}", f"exp-later-{unique}"])
