"""SQL for posting: files already on TikTok per shop, and each post's state and TikTok's ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from libs.common.watermark import WatermarkTable

#: Per shop, the update time the review reconciliation poll has read up to.
REVIEW_MARKS = WatermarkTable("review_watermarks", mark="update_time_ge", ran_at="polled_at")


async def uploaded(conn: asyncpg.Connection, shop_id: str, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(sha256, use_case) -> TikTok's uri / file id, for those already uploaded to the shop."""
    rows = await conn.fetch(
        "SELECT sha256, use_case, ref FROM posted_media WHERE shop_id = $1 AND (sha256, use_case) IN"
        " (SELECT * FROM unnest($2::text[], $3::text[]))",
        shop_id, [k[0] for k in keys], [k[1] for k in keys])
    return {(r["sha256"], r["use_case"]): r["ref"] for r in rows}


async def save_uploads(conn: asyncpg.Connection, shop_id: str, rows: Sequence[tuple[str, str, str, str | None]]) -> None:
    """(sha256, use_case, ref, url) per file TikTok took, in one round trip."""
    await conn.executemany(
        "INSERT INTO posted_media (shop_id, sha256, use_case, ref, url) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (shop_id, sha256, use_case) DO UPDATE SET ref = EXCLUDED.ref, url = EXCLUDED.url",
        [(shop_id, *r) for r in rows])


async def get(conn: asyncpg.Connection, shop_id: str, seller_sku: str, *, for_update: bool = False) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM postings WHERE shop_id = $1 AND seller_sku = $2" + (" FOR UPDATE" if for_update else ""),
        shop_id, seller_sku)
    return row


async def of_sku(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM postings WHERE seller_sku = $1 ORDER BY shop_id", seller_sku))


async def start(conn: asyncpg.Connection, shop_id: str, seller_sku: str, *, key: str, version: int) -> None:
    """Record the post about to be sent (committed before the create call)."""
    await conn.execute(
        """
        INSERT INTO postings (shop_id, seller_sku, state, idempotency_key, posting_version)
        VALUES ($1, $2, 'posting', $3, $4)
        ON CONFLICT (shop_id, seller_sku) DO UPDATE SET state = 'posting', idempotency_key = $3,
            posting_version = $4, errors = '[]', updated_at = now()
        """,
        shop_id, seller_sku, key, version)


async def posted(conn: asyncpg.Connection, shop_id: str, seller_sku: str, *, product_id: str,
                 sku_ids: dict[str, str], status: str, body: dict[str, Any]) -> None:
    """TikTok created the product: its ids, and the body it was sent (the next partial edit compares to it)."""
    await conn.execute(
        "UPDATE postings SET state = 'posted', product_id = $3, sku_ids = $4, tiktok_status = $5, errors = '[]',"
        " sent_body = $6, posted_at = now(), updated_at = now() WHERE shop_id = $1 AND seller_sku = $2",
        shop_id, seller_sku, product_id, sku_ids, status, body)


async def edited(conn: asyncpg.Connection, shop_id: str, seller_sku: str, *, sku_ids: dict[str, str], status: str,
                 body: dict[str, Any], version: int) -> None:
    """TikTok took an edit: what it now holds, the record version it came from; back in review."""
    await conn.execute(
        "UPDATE postings SET sku_ids = $3, tiktok_status = $4, audit_failed_reasons = '[]', errors = '[]',"
        " sent_body = $5, posting_version = $6, edited_at = now(), updated_at = now()"
        " WHERE shop_id = $1 AND seller_sku = $2",
        shop_id, seller_sku, sku_ids, status, body, version)


async def failed(conn: asyncpg.Connection, shop_id: str, seller_sku: str, errors: list[dict[str, Any]]) -> None:
    """The post was refused (nothing was created): the key is dropped, so a fixed record posts afresh."""
    await conn.execute(
        """
        INSERT INTO postings (shop_id, seller_sku, state, errors) VALUES ($1, $2, 'failed', $3)
        ON CONFLICT (shop_id, seller_sku) DO UPDATE SET state = 'failed', idempotency_key = NULL,
            posting_version = NULL, errors = $3, updated_at = now()
        """,
        shop_id, seller_sku, errors)


async def edit_refused(conn: asyncpg.Connection, shop_id: str, seller_sku: str, errors: list[dict[str, Any]]) -> None:
    """TikTok refused an edit: the product on TikTok is unchanged; the refusal is kept to be shown."""
    await conn.execute("UPDATE postings SET errors = $3, updated_at = now() WHERE shop_id = $1 AND seller_sku = $2",
                       shop_id, seller_sku, errors)


async def by_product(conn: asyncpg.Connection, shop_id: str, product_id: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM postings WHERE shop_id = $1 AND product_id = $2 FOR UPDATE", shop_id, product_id)
    return row


async def set_status(conn: asyncpg.Connection, shop_id: str, product_id: str, *, status: str,
                     reasons: list[dict[str, Any]]) -> bool:
    """TikTok's review state of a posted product; False when it is the one already stored."""
    result: str = await conn.execute(
        "UPDATE postings SET tiktok_status = $3, audit_failed_reasons = $4, updated_at = now()"
        " WHERE shop_id = $1 AND product_id = $2 AND (tiktok_status IS DISTINCT FROM $3"
        " OR audit_failed_reasons IS DISTINCT FROM $4::jsonb)",
        shop_id, product_id, status, reasons)
    return result.endswith("1")


async def set_live(conn: asyncpg.Connection, shop_id: str, product_id: str, live: bool) -> None:
    await conn.execute("UPDATE postings SET live = $3 WHERE shop_id = $1 AND product_id = $2", shop_id, product_id, live)


# --- review: products whose state must be read from TikTok, and the reconciliation poll ---------------


async def due_check(conn: asyncpg.Connection, shop_id: str, product_id: str) -> None:
    await conn.execute(
        "INSERT INTO review_checks (shop_id, product_id) VALUES ($1, $2)"
        " ON CONFLICT (shop_id, product_id) DO UPDATE SET due_at = now()", shop_id, product_id)


async def first_delivery(conn: asyncpg.Connection, *, notification_id: str, type_: int, shop_id: str) -> bool:
    """Record a TikTok notification as acted on, in the caller's transaction; False when it already was
    (TikTok's re-send). A concurrent delivery of the same id waits here for the first one's outcome."""
    inserted = await conn.fetchval(
        "INSERT INTO webhook_notifications (tts_notification_id, type, shop_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING true", notification_id, type_, shop_id)
    return bool(inserted)


async def claim_checks(conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[asyncpg.Record]:
    """Due checks, reserved for ``lease_s`` (a crashed worker's reservation simply runs out)."""
    return list(await conn.fetch(
        "UPDATE review_checks SET due_at = now() + make_interval(secs => $2), attempts = attempts + 1"
        " WHERE (shop_id, product_id) IN (SELECT shop_id, product_id FROM review_checks WHERE due_at <= now()"
        " ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING shop_id, product_id, attempts",
        limit, lease_s))


async def done_check(conn: asyncpg.Connection, shop_id: str, product_id: str) -> None:
    await conn.execute("DELETE FROM review_checks WHERE shop_id = $1 AND product_id = $2", shop_id, product_id)


async def retry_check(conn: asyncpg.Connection, shop_id: str, product_id: str, *, delay_s: float, error: str) -> None:
    await conn.execute(
        "UPDATE review_checks SET due_at = now() + make_interval(secs => $3), last_error = $4"
        " WHERE shop_id = $1 AND product_id = $2", shop_id, product_id, delay_s, error)


async def next_check_in_s(conn: asyncpg.Connection) -> float | None:
    value = await conn.fetchval("SELECT extract(epoch FROM min(due_at) - now()) FROM review_checks")
    return None if value is None else float(value)


async def shops_with_postings(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT DISTINCT shop_id FROM postings WHERE product_id IS NOT NULL ORDER BY shop_id")
    return [r["shop_id"] for r in rows]


async def is_webhook_registered(conn: asyncpg.Connection, shop_id: str, *, initial: int) -> bool:
    """Whether TikTok was told to send the shop's review webhooks (its watermark row is made at ``initial``)."""
    await REVIEW_MARKS.read(conn, shop_id, initial)
    return bool(await conn.fetchval("SELECT webhook_registered FROM review_watermarks WHERE shop_id = $1", shop_id))


async def webhook_registered(conn: asyncpg.Connection, shop_id: str) -> None:
    await conn.execute("UPDATE review_watermarks SET webhook_registered = true WHERE shop_id = $1", shop_id)
