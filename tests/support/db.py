"""A connection to a running service's database inside a transaction that is rolled back: a test can drive the
service's repo statements (a claim, a release, a hold) in a chosen order without the running service's workers
ever seeing the rows, and leaves nothing behind."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from libs.common.db import create_pool


@contextlib.asynccontextmanager
async def rolled_back(dsn: str, *, schema: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection set up like the services' pools (search path, JSON codecs) inside a rolled-back transaction."""
    pool = await create_pool(dsn, schema=schema, min_size=1, max_size=1)
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            yield conn
        finally:
            await transaction.rollback()
    await pool.close()

