"""Media use cases: store uploaded bytes once (content-addressed), fetch an http(s) URL once (with a
timeout and a size cap), and resolve what a product record points at."""

from __future__ import annotations

import asyncpg
import httpx
import structlog

from services.catalog.media import repo
from services.catalog.media.domain import MAX_BYTES, StoredMedia, measure

log = structlog.get_logger(__name__)

FETCH_TIMEOUT_S = 10.0


class MediaUnavailable(Exception):
    """A URL could not be fetched (timeout, 404, too big); the message says which and why."""


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


async def store(pool: asyncpg.Pool, data: bytes) -> StoredMedia:
    if len(data) > MAX_BYTES:
        raise MediaUnavailable(f"file is {len(data):,} bytes; the largest accepted is {MAX_BYTES:,}")
    media = measure(data)
    async with pool.acquire() as conn:
        await repo.save(conn, media, data)
    return media


async def fetch(pool: asyncpg.Pool, http: httpx.AsyncClient, url: str, *,
                timeout_s: float = FETCH_TIMEOUT_S) -> StoredMedia:
    """The media behind ``url``: fetched the first time only; a failure is remembered and raised."""
    async with pool.acquire() as conn:
        known = await repo.source(conn, url)
        if known is not None and known["sha256"]:
            found = (await repo.facts(conn, [known["sha256"]])).get(known["sha256"])
            if found is not None:
                return found
    try:
        data = await _download(http, url, timeout_s)
    except MediaUnavailable as exc:
        async with pool.acquire() as conn:
            await repo.save_source(conn, url, sha256=None, error=str(exc))
        raise
    media = await store(pool, data)
    async with pool.acquire() as conn:
        await repo.save_source(conn, url, sha256=media.sha256, error=None)
    return media


async def _download(http: httpx.AsyncClient, url: str, timeout_s: float) -> bytes:
    try:
        async with http.stream("GET", url, timeout=timeout_s, follow_redirects=True) as response:
            if response.status_code != 200:
                raise MediaUnavailable(f"{url} answered HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise MediaUnavailable(f"{url} is larger than {MAX_BYTES:,} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise MediaUnavailable(f"{url} did not answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise MediaUnavailable(f"{url} could not be fetched ({type(exc).__name__})") from None
