"""SQL for the catalog's media store: blobs content-addressed by SHA-256 (one row however many SKUs use
them), with the facts of their bytes, and the URLs they were fetched from."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.catalog.media.domain import StoredMedia


async def save(conn: asyncpg.Connection, media: StoredMedia, data: bytes) -> None:
    await conn.execute(
        """
        INSERT INTO media (sha256, data, size_bytes, content_type, image_format, width, height, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sha256) DO NOTHING
        """,
        media.sha256, data, media.size_bytes, media.content_type, media.image_format, media.width, media.height,
        media.error,
    )


async def facts(conn: asyncpg.Connection, hashes: Sequence[str]) -> dict[str, StoredMedia]:
    rows = await conn.fetch(
        "SELECT sha256, size_bytes, content_type, image_format, width, height, error FROM media"
        " WHERE sha256 = ANY($1::text[])", list(hashes))
    return {r["sha256"]: StoredMedia(**dict(r)) for r in rows}


async def data_of(conn: asyncpg.Connection, sha256: str) -> bytes | None:
    value: bytes | None = await conn.fetchval("SELECT data FROM media WHERE sha256 = $1", sha256)
    return value


async def data_of_many(conn: asyncpg.Connection, sha256s: Sequence[str]) -> dict[str, bytes]:
    rows = await conn.fetch("SELECT sha256, data FROM media WHERE sha256 = ANY($1::text[])", list(sha256s))
    return {r["sha256"]: r["data"] for r in rows}


async def source(conn: asyncpg.Connection, url: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT sha256, error FROM media_sources WHERE source = $1", url)
    return row


async def save_source(conn: asyncpg.Connection, url: str, *, sha256: str | None, error: str | None) -> None:
    await conn.execute(
        "INSERT INTO media_sources (source, sha256, error) VALUES ($1, $2, $3)"
        " ON CONFLICT (source) DO UPDATE SET sha256 = $2, error = $3, fetched_at = now()",
        url, sha256, error,
    )


async def source_errors(conn: asyncpg.Connection, sources: Sequence[str]) -> dict[str, str]:
    """Why each of these URLs could not be fetched (only the ones that failed)."""
    rows = await conn.fetch("SELECT source, error FROM media_sources WHERE source = ANY($1::text[])"
                            " AND error IS NOT NULL", list(sources))
    return {r["source"]: r["error"] for r in rows}
