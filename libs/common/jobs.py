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


async def failed_items_of(conn: asyncpg.Connection, items: str, *, item: str, job_ids: Sequence[uuid.UUID],
                          limit: int = 20) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """The first ``limit`` failed rows (``job_id``, ``item``, ``error``) of each of these jobs in the item table
    ``items``, ordered by ``item``: one statement for a page of jobs."""
    rows = await conn.fetch(
        f"SELECT job_id, {item}, error FROM ("
        f" SELECT job_id, {item}, error, row_number() OVER (PARTITION BY job_id ORDER BY {item}) AS n"
        f" FROM {items} WHERE job_id = ANY($1::uuid[]) AND status = 'failed') e"
        f" WHERE n <= $2 ORDER BY job_id, {item}", list(job_ids), limit)
    found: dict[uuid.UUID, list[asyncpg.Record]] = {job_id: [] for job_id in job_ids}
    for r in rows:
        found[r["job_id"]].append(r)
    return found
