"""Hostile input at the catalog's edges: events an ERP sends, product records an operator PUTs. A value
PostgreSQL cannot hold (a NUL) or longer than its limit is refused at once with a reason naming the field;
everything else (quotes, SQL, right-to-left marks, emoji, combining characters) is stored and read back
byte for byte."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from aiokafka import AIOKafkaConsumer

from libs.common.events import InventoryChanged, new_event
from tests.integration.catalog.conftest import Harness

pytestmark = pytest.mark.integration

TOO_LONG = "a SKU has at most 50 characters (TikTok's limit for a seller SKU)"
HOSTILE = "O'Brien \"Bob\" '; DROP TABLE products;-- \u202egnp.exe\u200f 😀 e\u0301 ٣"


def _inventory_event(seller_sku: str, available: int) -> dict[str, Any]:
    """An InventoryChanged as an ERP would put it on the wire, with ``seller_sku`` as given (unchecked)."""
    good = new_event(InventoryChanged(seller_sku="placeholder", available=available, occurred_at=datetime.now(UTC)),
                     source="tests/erp")
    event: dict[str, Any] = json.loads(good.to_bytes())
    event["data"]["seller_sku"] = seller_sku
    return event


async def _dead_letters(bootstrap: str, ids: set[str], *, timeout_s: float = 30.0) -> dict[str, list[dict[str, str]]]:
    """The headers of every record in ``inventory.changed.dlq`` for these event ids: read from the beginning
    until each of them is found, then on to the end of the topic as it is then (a second copy would show)."""
    consumer = AIOKafkaConsumer("inventory.changed.dlq", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    found: dict[str, list[dict[str, str]]] = {}

    async def read() -> None:
        for records in (await consumer.getmany(timeout_ms=500)).values():
            for record in records:
                try:  # other tests dead-letter messages that are no JSON at all
                    event_id = json.loads(record.value).get("id")
                except (ValueError, AttributeError):
                    continue
                if event_id in ids:
                    found.setdefault(event_id, []).append({k: v.decode() for k, v in record.headers})

    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while set(found) != ids and asyncio.get_running_loop().time() < deadline:
            await read()
        end = await consumer.end_offsets(list(consumer.assignment()))
        for partition, offset in end.items():
            while await consumer.position(partition) < offset:
                await read()
    finally:
        await consumer.stop()
    return found


async def test_an_event_with_a_nul_or_a_1_mb_sku_goes_to_the_dlq_at_once_and_the_next_one_is_applied(
    harness: Harness, unique: str
) -> None:
    good_sku = f"GOOD-{unique}"
    with_nul = _inventory_event(f"NUL-{unique}\x00", 5)
    huge = _inventory_event("S" * 1_000_000, 6)
    good = _inventory_event(good_sku, 7)
    for event in (with_nul, huge, good):  # one key: one partition, in this order
        await harness.publisher.publish("inventory.changed", json.dumps(event).encode(), key=good_sku.encode())

    # barrier: the good event, published after the bad ones on their partition, is applied
    applied = await harness.inventory(good_sku, until=lambda body: bool(body.get("levels")))
    assert [lv["event_id"] for lv in applied["levels"]] == [good["id"]]

    letters = await _dead_letters(harness.kafka_bootstrap, {with_nul["id"], huge["id"]})
    assert sorted(letters) == sorted([with_nul["id"], huge["id"]])
    for event_id, says in ((with_nul["id"], "seller_sku: Value error, contains a NUL character (\\x00)"),
                           (huge["id"], "seller_sku: String should have at most 50 characters")):
        [headers] = letters[event_id]  # dead-lettered once
        reason = headers["x-dlq-reason"]
        assert reason.startswith("invalid data for InventoryChanged"), reason  # refused on reading: no attempt
        assert says in reason, reason
        assert len(reason) < 500  # the 1 MB value is quoted cut short
    none_stored = await harness.wait_db(
        "SELECT count(*) FROM catalog.inventory_levels WHERE seller_sku LIKE $1 OR length(seller_sku) > 50",
        f"NUL-{unique}%", until=lambda n: n is not None)
    assert none_stored == 0


async def test_quotes_sql_rtl_marks_and_emoji_in_a_product_record_read_back_byte_for_byte(
    harness: Harness, unique: str
) -> None:
    sku = f"Q'{unique};--\u202e😀"  # a SKU may hold them too (50 characters at most)
    title = HOSTILE
    description = f"<p>{HOSTILE}</p><p dir=\"rtl\">\u05e9\u05dc\u05d5\u05dd \u200f!</p>"
    path = f"{harness.url}/products/{quote(sku, safe='')}"

    put = await harness.http.put(path, json={"title": title, "description": description, "brand": HOSTILE})
    assert put.status_code == 200, put.text

    body = (await harness.http.get(path)).json()
    assert body["seller_sku"] == sku
    assert body["title"].encode() == title.encode()
    assert body["record"]["description"].encode() == description.encode()
    assert body["record"]["brand"].encode() == HOSTILE.encode()
    stored = await harness.wait_db("SELECT record->>'title' FROM catalog.products WHERE seller_sku = $1", sku,
                                   until=lambda v: v is not None)
    assert stored == title  # stored as given, not as SQL


@pytest.mark.parametrize(("where", "sku", "body", "says"), [
    ("body", None, {"sku": "S" * 1_000_000}, f"sku: {TOO_LONG}, this one 1,000,000"),
    ("path", "P" * 10_000, {}, f"sku: {TOO_LONG}, this one 10,000"),
    ("path", "NUL\x00SKU", {}, "seller_sku: contains a NUL character (\\x00) at position 3"),
    ("body", None, {"title": "Tee\x00"}, "title: contains a NUL character (\\x00) at position 3"),
    ("body", None, {"sku": "OTHER"}, "sku: differs from the SKU in the path"),
])
async def test_a_value_postgres_cannot_hold_in_a_product_record_is_refused_with_422_naming_it(
    harness: Harness, unique: str, where: str, sku: str | None, body: dict[str, Any], says: str
) -> None:
    sku = sku or f"REFUSED-{unique}"
    path = f"{harness.url}/products/{quote(sku, safe='')}"

    refused = await harness.http.put(path, json={"title": "A tee", **body})

    assert refused.status_code == 422, refused.text
    assert says in refused.json()["error"]["message"]
    assert len(refused.text) < 2000  # the value is quoted cut short, not echoed whole
    assert (await harness.http.get(path)).status_code in (404, 422)  # nothing was stored
