"""Hostile text in orders from TikTok: a recipient and a buyer's message full of quotes, SQL, right-to-left
marks and emoji, 10 KB long, are stored and shown verbatim (admin API and OrderDownloaded); a NUL, which
PostgreSQL cannot store, is replaced by U+FFFD and the order still arrives, instead of failing its page on
every poll."""

from __future__ import annotations

import asyncpg
import httpx
from fastapi import FastAPI

from tests.integration.orders.conftest import (
    SandboxTokens,
    allow_download,
    new_seller,
    place_order,
)
from tests.support.servers import serve_app
from tests.support.stack import collect

HOSTILE = "O'Brien \"Bob\" '; DROP TABLE orders;-- \u202egnp.exe\u200f 😀 e\u0301 ٣"
LONG = " | ".join([HOSTILE] * 200)  # about 10 KB


async def test_a_hostile_recipient_and_buyer_message_are_kept_verbatim_and_a_nul_is_replaced(
    orders_app: FastAPI, kafka_bootstrap: str, sandbox_url: str, http: httpx.AsyncClient, tokens: SandboxTokens,
    pool: asyncpg.Pool,
) -> None:
    assert len(LONG.encode()) > 10_000
    app = orders_app
    seller = await new_seller(http, sandbox_url, tokens)
    await allow_download(pool, seller.shop_id)
    recipient = {"name": HOSTILE, "address_line1": LONG, "address_line2": "Apt \u200f4\u202e", "city": "Zürich",
                 "full_address": LONG}

    async with serve_app(app) as url:
        hostile = await place_order(http, sandbox_url, seller.shop_id, recipient=recipient, buyer_message=LONG)
        with_nul = await place_order(http, sandbox_url, seller.shop_id, recipient={"address_line2": "Apt\x004"},
                                     buyer_message="Leave it at the door\x00please")
        poll = await http.post(f"{url}/shops/{seller.shop_id}/poll")
        assert poll.status_code == 200, poll.text
        assert poll.json()["invalid"] == []  # neither was skipped (the background poll may have taken them first)

        shown = (await http.get(f"{url}/orders/{hostile['id']}")).json()
        replaced = (await http.get(f"{url}/orders/{with_nul['id']}")).json()
        events = {e["data"]["order_id"]: e["data"] for e in await collect(
            kafka_bootstrap, "orders.downloaded", count=2,
            predicate=lambda e: e.get("data", {}).get("order_id") in (hostile["id"], with_nul["id"]),
        )}

    for order in (shown, events[hostile["id"]]):
        assert order["buyer_message"].encode() == LONG.encode()
        assert order["recipient"]["name"].encode() == HOSTILE.encode()
        assert order["recipient"]["address_line1"].encode() == LONG.encode()
        assert order["recipient"]["address_line2"] == "Apt \u200f4\u202e"
        assert order["recipient"]["full_address"] == LONG
        assert order["recipient"]["city"] == "Zürich"
    for order in (replaced, events[with_nul["id"]]):
        assert order["buyer_message"] == "Leave it at the door\ufffdplease"
        assert order["recipient"]["address_line2"] == "Apt\ufffd4"
    async with pool.acquire() as conn:  # the table is still there, and TikTok's own copy kept the rest as sent
        raw = await conn.fetchval("SELECT raw->>'buyer_message' FROM orders WHERE order_id = $1", hostile["id"])
    assert raw == LONG
