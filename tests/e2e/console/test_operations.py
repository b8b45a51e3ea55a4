"""The console's Sync, Jobs and Dead letters pages in a real headless Chromium on the whole stack (issue 15):
a shop's sync row after `ttshop demo` sent its stock to TikTok; a range download started with the CLI shown
live with its progress until done; and a malformed event a service consumes, dead-lettered, shown with its
reason (its secrets hidden), replayed from the page — and, still malformed, dead-lettered again by the consumer
with the replay's origin, which the page shows live."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from libs.common.dlq import read_dead_letters
from libs.common.events import InventoryChanged, new_event
from tests.support.devstack import Stack
from tests.support.shops import admin_headers, connect_shop, control
from tests.support.waiting import until

pytestmark = pytest.mark.e2e
DOCS = Path(__file__).resolve().parents[3] / "docs" / "console"


async def save_shot(page: Any, name: str) -> None:
    """docs/console/<name>.png (1400 px wide), only when CONSOLE_SCREENSHOTS=1."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


async def test_sync_shows_the_shop_the_demo_sent_stock_for(console: Any, stack: Stack) -> None:
    out = stack.ttshop("demo", "--timeout", "60", timeout=240).stdout
    found = re.search(r"sandbox shop (\d+)", out)
    assert found, out
    shop_id = found.group(1)

    await console.goto(f"{stack.url('console')}/sync")
    shop = console.locator(f"#sync-status section[data-shop='{shop_id}']")
    inventory = shop.locator("tr[data-kind='inventory']")
    await inventory.wait_for()
    cells = await inventory.locator("td").all_inner_texts()
    assert cells[0] == "inventory" and cells[2].endswith(" s")  # kind, waiting, lag …
    assert cells[4] != "never" and "UTC" in cells[4]  # the demo's stock reached TikTok: a last success
    assert await shop.locator("progress").count() >= 1  # calls per minute against the limit
    assert "as this console saw it" in await console.locator("p.chart-note").inner_text()
    await shop.locator("svg.lag-chart polyline.lag-line.inventory").wait_for(state="attached")
    await save_shot(console, "sync")


async def test_jobs_shows_a_range_download_live_until_done(console: Any, stack: Stack) -> None:
    base, sandbox = stack.url("console"), stack.url("sandbox")
    async with httpx.AsyncClient(timeout=30) as http:
        shop_id = await connect_shop(stack, http, "--allow-order-download", name="console-jobs")

        async def downloads_orders() -> bool:
            shops = (await http.get(f"{stack.url('orders')}/shops", headers=admin_headers(stack))).json()
            return any(s.get("shop_id") == shop_id and s.get("allow_order_download") for s in shops.get("shops", []))

        await until(downloads_orders, timeout_s=30, what="orders sees the switch")
        for n in range(3):
            await control(http, "POST", f"{sandbox}/sandbox/shops/{shop_id}/orders",
                          json={"lines": [{"seller_sku": f"JOBS-{n}", "quantity": 1, "unit_price": "4.00"}]})

    await console.goto(f"{base}/jobs?shop={shop_id}")
    await console.locator("#jobs-table td.empty").wait_for()
    await console.evaluate("window.notReloaded = true")
    job = json.loads(stack.ttshop("--json", "orders", "download", shop_id, "--no-wait").stdout)

    row = console.locator(f"#jobs-table tr[data-job='{job['id']}']")
    await row.wait_for(timeout=30_000)  # the live table refreshes itself
    assert await row.locator("progress").count() == 1
    done = console.locator(f"#jobs-table tr[data-job='{job['id']}'][data-status='done']")
    await done.wait_for(timeout=60_000)
    assert await console.evaluate("window.notReloaded") is True
    bar = done.locator("progress")
    assert await bar.get_attribute("value") == await bar.get_attribute("max")  # a full bar
    text = await done.inner_text()
    assert "order download" in text and re.search(r"orders [1-9]\d* \(\d+ new\)", text), text
    await save_shot(console, "jobs")

    await done.locator("a[href^='/jobs/orders/']").click()
    await console.wait_for_url(f"{base}/jobs/orders/{job['id']}")
    assert "done" in await console.locator("#job dd.good").inner_text()


async def _inventory_letters(stack: Stack, event_id: str) -> list[Any]:
    letters = await read_dead_letters(stack.bootstrap, ["inventory.changed.dlq"], limit=100_000)
    return [d for d in letters if d.event_summary()[0] == event_id]


async def test_a_dead_letter_is_shown_without_its_secrets_replayed_and_dead_lettered_again(
        console: Any, stack: Stack) -> None:
    base, unique = stack.url("console"), uuid.uuid4().hex[:10]
    secret, token = f"e2e-bearer-{unique}", f"e2e-token-{unique}"
    event = json.loads(new_event(InventoryChanged(seller_sku=f"DLQ-{unique}", available=1,
                                                  occurred_at=datetime.now(UTC)), source="tests/erp").to_bytes())
    event["data"]["available"] = -5  # refused on reading by the catalog's consumer: straight to the DLQ
    event["data"]["api_token"] = token

    await console.goto(f"{base}/dead-letters?topic=inventory.changed")
    topic_row = console.locator("#dead-letters tr[data-topic='inventory.changed.dlq']")
    before = int(await topic_row.get_attribute("data-count") or 0)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("inventory.changed", json.dumps(event).encode(), key=f"DLQ-{unique}".encode(),
                                     headers=[("authorization", f"Bearer {secret}".encode())])
    finally:
        await producer.stop()

    row = console.locator(f"#dead-letters tr[data-event='{event['id']}']")
    await row.wait_for(timeout=30_000)  # the live list shows it without a reload
    reason = await row.locator("td.reason").inner_text()
    assert reason.startswith("invalid data for InventoryChanged") and "available" in reason, reason
    ref = await row.get_attribute("data-ref")
    assert ref and ref.startswith("inventory.changed.dlq:")

    await row.locator("a[href^='/dead-letters/']").click()
    await console.wait_for_url(re.compile(r"/dead-letters/inventory\.changed\.dlq"))
    html = await console.content()
    assert secret not in html and token not in html  # neither the header nor the payload field
    headers = await console.locator("table.dlq-headers").inner_text()
    assert re.search(r"authorization\s+\(hidden\)", headers) and "ttshop-catalog" in headers
    assert '"api_token": "(hidden)"' in await console.locator("pre.payload").inner_text()

    await console.click("form[action='/dead-letters/replay'] button[type=submit]")
    await console.locator(".flash.ok", has_text="replayed 1 dead letter(s) to their original topics").wait_for()

    # the consumer read the replayed record, refused it again, and dead-lettered it naming where it came from
    again = await until(lambda: _replayed(stack, event["id"], ref), timeout_s=30, every_s=0.5,
                        what="the replay dead-lettered again")
    assert again.headers["x-dlq-consumer-group"] == "ttshop-catalog"
    await console.goto(f"{base}/dead-letters?topic=inventory.changed")
    replayed = console.locator(f"#dead-letters tr[data-ref='{again.ref}']")
    await replayed.wait_for()
    assert f"replayed from {ref}" in await replayed.inner_text()
    assert int(await topic_row.get_attribute("data-count") or 0) >= before + 2  # the original and its replay
    assert secret not in await console.content()
    await save_shot(console, "dead-letters")


async def _replayed(stack: Stack, event_id: str, ref: str) -> Any:
    found = [d for d in await _inventory_letters(stack, event_id) if d.headers.get("x-replayed-from") == ref]
    return found[0] if found else None
