"""Queued jobs with leases (order range downloads, attribute downloads, bulk posts): every job table has ``id``,
``status`` (queued → running → done/failed, maybe paused), ``lease_owner``, ``lease_until``, ``created_at`` and
``updated_at``. A worker claims the oldest job that is queued or whose lease ran out (its worker crashed, or a
paused job's wait is over), so exactly one worker runs a job at a time across replicas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg


async def claim_job(
    conn: asyncpg.Connection, table: str, *, columns: str, owner: uuid.UUID, lease_s: float,
    expired: Sequence[str] = ("running",), also_set: str = "",
) -> asyncpg.Record | None:
    """Lease the oldest queued job of ``table``, or one in ``expired`` states whose lease ran out, to ``owner``
    for ``lease_s``; ``also_set`` adds assignments (they see the row's values before the claim). Returns the
    job's ``columns``."""
    states = ", ".join(f"'{state}'" for state in expired)
    row: asyncpg.Record | None = await conn.fetchrow(
        f"UPDATE {table} SET status = 'running', lease_owner = $1, lease_until = now() + make_interval(secs => $2),"
        f" updated_at = now(){', ' + also_set if also_set else ''}"
        f" WHERE id = (SELECT id FROM {table} WHERE status = 'queued'"
        f"   OR (status IN ({states}) AND lease_until < now()) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {columns}",
        owner, lease_s,
    )
    return row


async def open_counts(conn: asyncpg.Connection, table: str, states: Sequence[str] = ("queued", "running")) -> dict[str, int]:
    """Jobs of ``table`` not finished, by status (the metrics' ``ttshop_jobs``)."""
    rows = await conn.fetch(f"SELECT status, count(*) AS n FROM {table} WHERE status = ANY($1::text[]) GROUP BY status",
                            list(states))
    return {r["status"]: r["n"] for r in rows}
