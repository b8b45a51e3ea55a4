"""SQL of the sync status: the update calls TikTok answered (kept two minutes), the last success per shop and
kind, and what waits — for `ttshop catalog sync status`, `ttshop status` and the metrics."""

from __future__ import annotations

import asyncpg

from services.catalog.sync.domain import Kind


async def record_call(conn: asyncpg.Connection, shop_id: str, kind: Kind, *, skus: int, ok: bool,
                      code: str | None) -> None:
    """One update call TikTok answered (or refused); calls older than two minutes are dropped as it goes."""
    await conn.execute(
        """
        WITH call AS (INSERT INTO sync_calls (shop_id, kind, skus, ok, code) VALUES ($1, $2, $3, $4, $5)),
             old AS (DELETE FROM sync_calls WHERE shop_id = $1 AND at < now() - interval '2 minutes')
        INSERT INTO sync_successes (shop_id, kind, at) SELECT $1, $2, now() WHERE $4
        ON CONFLICT (shop_id, kind) DO UPDATE SET at = now()
        """, shop_id, kind.value, skus, ok, code)


async def status(conn: asyncpg.Connection, shop_id: str | None) -> list[asyncpg.Record]:
    """Per shop and kind: changes waiting and the age of the oldest, calls in the last minute, the last
    success, and the failed SKUs."""
    return list(await conn.fetch(
        """
        WITH keys AS (
            SELECT DISTINCT shop_id, kind FROM uploads WHERE ($1::text IS NULL OR shop_id = $1)
            UNION SELECT shop_id, kind FROM sync_successes WHERE ($1::text IS NULL OR shop_id = $1)
        )
        SELECT k.shop_id, k.kind,
               (SELECT count(*) FROM uploads u WHERE u.shop_id = k.shop_id AND u.kind = k.kind
                  AND u.status = 'pending') AS waiting,
               (SELECT extract(epoch FROM now() - min(u.queued_at)) FROM uploads u WHERE u.shop_id = k.shop_id
                  AND u.kind = k.kind AND u.status = 'pending') AS oldest_waiting_s,
               (SELECT count(*) FROM sync_calls c WHERE c.shop_id = k.shop_id AND c.kind = k.kind
                  AND c.at > now() - interval '1 minute') AS calls_last_minute,
               (SELECT s.at FROM sync_successes s WHERE s.shop_id = k.shop_id AND s.kind = k.kind) AS last_success_at,
               (SELECT count(*) FROM uploads u WHERE u.shop_id = k.shop_id AND u.kind = k.kind
                  AND u.status = 'failed') AS failed,
               (SELECT count(*) FROM uploads u WHERE u.shop_id = k.shop_id AND u.kind = k.kind
                  AND u.status = 'skipped') AS skipped,
               (SELECT coalesce(jsonb_agg(f ORDER BY f.skus DESC), '[]') FROM (
                    SELECT u.error_code AS code, count(*) AS skus, min(u.error) AS example FROM uploads u
                    WHERE u.shop_id = k.shop_id AND u.kind = k.kind AND u.status = 'failed'
                    GROUP BY u.error_code) f) AS failures
        FROM keys k ORDER BY k.shop_id, k.kind
        """, shop_id))


async def last_pushes(conn: asyncpg.Connection, kind: Kind) -> list[dict[str, object]]:
    """Per shop, when TikTok last took an update of this kind (`ttshop status`)."""
    rows = await conn.fetch("SELECT shop_id, at FROM sync_successes WHERE kind = $1 ORDER BY shop_id", kind.value)
    return [dict(r) for r in rows]


async def waiting_by_shop(conn: asyncpg.Connection) -> dict[tuple[str, str], float]:
    """Per shop and kind, the changes waiting to be sent (the metrics' ``ttshop_inventory_sync_waiting``)."""
    rows = await conn.fetch("SELECT shop_id, kind, count(*) AS n FROM uploads WHERE status = 'pending' GROUP BY 1, 2")
    return {(r["shop_id"], r["kind"]): r["n"] for r in rows}


async def oldest_waiting_s(conn: asyncpg.Connection) -> dict[tuple[str, str], float]:
    """Per shop and kind, the age of the oldest change waiting to be sent (``ttshop_inventory_sync_lag_seconds``)."""
    rows = await conn.fetch("SELECT shop_id, kind, extract(epoch FROM now() - min(queued_at)) AS s FROM uploads"
                            " WHERE status = 'pending' GROUP BY 1, 2")
    return {(r["shop_id"], r["kind"]): float(r["s"]) for r in rows}
