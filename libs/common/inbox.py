"""Inbox: the consumer records each processed event id in the same transaction as its effect."""

from __future__ import annotations

import asyncpg


async def claim(conn: asyncpg.Connection, *, consumer: str, event_id: str, event_type: str) -> bool:
    """Record ``event_id`` as processed by ``consumer``; False if it already was (a redelivery).

    Must run inside the transaction that applies the effect: if that transaction rolls back, the
    claim goes with it and the redelivered event is processed again.
    """
    inserted = await conn.fetchval(
        "INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event_id,
        event_type,
    )
    return bool(inserted)
