"""Build service settings and talk to the sandbox control API in tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer


def shared_settings(*, pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str,
                    auth_url: str = "http://127.0.0.1:1") -> dict[str, Any]:
    return {
        "database_url": pg_dsn,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "tiktok_api_base_url": sandbox_url,
        "tiktok_auth_base_url": sandbox_url,
        "internal_api_token": internal_token,
        "internal_credentials": f"tests={internal_token}",  # the auth service accepts it (AUTH_INTERNAL_CREDENTIALS)
        "auth_service_url": auth_url,
        "consumer_backoff_initial_s": 0.05,
        "consumer_backoff_max_s": 0.2,
        "outbox_idle_poll_s": 0.05,
        "log_json": False,
    }


async def sandbox(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """Call the sandbox control API and return ``data``; fail loudly on a non-zero code."""
    response = await client.request(method, url, **kwargs)
    body = response.json()
    assert body.get("code") == 0, f"sandbox {method} {url} -> {response.status_code} {body}"
    return body["data"]  # type: ignore[no-any-return]


async def collect(bootstrap: str, topic: str, *, predicate: Any, count: int, timeout_s: float = 30.0,
                  group: str | None = None) -> list[dict[str, Any]]:
    """Read ``topic`` from the beginning with a plain aiokafka consumer until ``count`` matching events."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(found) < count and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    try:
                        event = json.loads(record.value)
                    except ValueError:
                        continue
                    if predicate(event):
                        found.append(event)
    finally:
        await consumer.stop()
    return found
