"""asyncpg pool and versioned per-schema migrations.

Each service owns one schema. Its pool sets ``search_path`` to that schema, so repositories write
plain table names. Migrations are SQL files: first the shared ones in ``libs/common/migrations``
(outbox, inbox), then the service's own ``NNN_name.sql`` files. They are applied in order, each in
its own transaction, under a Postgres advisory lock, so two replicas starting at once are safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger(__name__)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION_FILE = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, order=True)
class Migration:
    version: str  # "common:001" or "service:001"; sorts common first
    name: str
    sql: str


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def json_dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=json_dumps, decoder=json.loads, schema="pg_catalog")


def check_schema_name(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"invalid schema name {schema!r}: use lowercase letters, digits and _")
    return schema


async def create_pool(dsn: str, *, schema: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections see ``schema`` first on the search path."""
    check_schema_name(schema)
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": f"{schema},public", "application_name": f"ttshop-{schema}"},
        init=_init_connection,
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def session_lock(pool: asyncpg.Pool, name: str, key: str, *, wait: bool) -> AsyncIterator[asyncpg.Connection | None]:
    """One holder at a time across replicas for (``name``, ``key``), e.g. one poller per shop: a session
    advisory lock held on its own connection for the block, which gets that connection; None when ``wait``
    is False and another session holds it (nothing to do then)."""
    async with pool.acquire() as conn:
        if wait:
            await conn.execute("SELECT pg_advisory_lock(hashtext($1), hashtext($2))", name, key)
        elif not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", name, key):
            yield None
            return
        try:
            yield conn
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", name, key)


def load_migrations(package: str, *, prefix: str) -> list[Migration]:
    """Read ``NNN_name.sql`` files shipped in a Python package."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append(Migration(f"{prefix}:{match.group(1)}", entry.name, entry.read_text()))
    return sorted(found)


def common_migrations() -> list[Migration]:
    return load_migrations("libs.common.migrations", prefix="common")


async def migrate(pool: asyncpg.Pool, *, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply pending migrations to ``schema``; returns the names applied now."""
    check_schema_name(schema)
    applied_now: list[str] = []
    async with pool.acquire() as conn:
        lock_key = f"ttshop.migrate.{schema}"
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock_key)
        try:
            # A service role (libs/common/db_roles.py) owns its schema but may not create one: CREATE
            # SCHEMA checks that privilege even with IF NOT EXISTS, so ask first.
            if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                await conn.execute(f'CREATE SCHEMA "{schema}"')
            await conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
                " version text PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {
                r["version"]
                for r in await conn.fetch(f'SELECT version FROM "{schema}".schema_migrations')
            }
            for migration in sorted(migrations):
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
                    await conn.execute(migration.sql)
                    await conn.execute(
                        f'INSERT INTO "{schema}".schema_migrations (version, name) VALUES ($1, $2)',
                        migration.version,
                        migration.name,
                    )
                applied_now.append(migration.name)
                log.info("migration applied", schema=schema, migration=migration.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_key)
    return applied_now
