"""Inbox: the consumer records each processed event id in the same transaction as its effect."""

from __future__ import annotations

from collections.abc import Sequence

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


async def claim_many(conn: asyncpg.Connection, *, consumer: str, events: Sequence[tuple[str, str]]) -> set[str]:
    """:func:`claim` for a batch of ``(event_id, event_type)`` in one statement; returns the ids that
    were not processed before (each id at most once, even if the batch repeats it)."""
    unique = dict(events)  # first type per id; a repeated id is one claim
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id, event_type)"
        " SELECT $1, e.id, e.type FROM unnest($2::text[], $3::text[]) AS e(id, type)"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(unique),
        list(unique.values()),
    )
    return {r["event_id"] for r in rows}
