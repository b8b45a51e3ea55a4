"""Records kept only to recognise repeats are forgotten after the retention (libs/common/retention.py): the
inbox of consumed event ids and the TikTok notifications acted on, finished rows only, in batches; every
service's retention pass runs against its real schema."""

from __future__ import annotations

from typing import Any

import pytest

from libs.common.db import common_migrations, create_pool, migrate
from libs.common.retention import INBOX, Kept, prune
from services.auth.app import build_app as build_auth
from services.auth.settings import AuthSettings
from services.catalog.app import build_app as build_catalog
from services.catalog.settings import CatalogSettings
from services.orders.app import build_app as build_orders
from services.orders.settings import OrdersSettings
from tests.support.servers import serve_app
from tests.support.stack import shared_settings

pytestmark = pytest.mark.integration
DAY = 86_400


async def test_old_finished_rows_go_in_batches_and_nothing_else(pg_dsn):
    pool = await create_pool(pg_dsn, schema="t_retention")
    try:
        await migrate(pool, schema="t_retention", migrations=common_migrations())
        async with pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO inbox (consumer, event_id, event_type, processed_at)"
                " VALUES ('c', $1, 'X', now() - make_interval(days => $2))",
                [(f"old-{n}", 40) for n in range(5)] + [(f"new-{n}", 1) for n in range(3)])
            await conn.execute("CREATE TABLE notes (id text PRIMARY KEY, at timestamptz NOT NULL, done_at timestamptz)")
            await conn.executemany("INSERT INTO notes VALUES ($1, now() - make_interval(days => $2), $3)",
                                   [("old-done", 40, None), ("old-open", 40, None), ("new-done", 1, None)])
            await conn.execute("UPDATE notes SET done_at = now() WHERE id LIKE '%-done'")
        removed = await prune(pool, [INBOX, Kept("notes", "at", finished="done_at IS NOT NULL")],
                              keep_s=30 * DAY, batch=2)
        assert removed == {"inbox": 5, "notes": 1}
        async with pool.acquire() as conn:
            left = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM inbox")}
            notes = {r["id"] for r in await conn.fetch("SELECT id FROM notes")}
        assert left == {"new-0", "new-1", "new-2"}
        assert notes == {"old-open", "new-done"}  # an unfinished row stays however old
        assert await prune(pool, [INBOX], keep_s=30 * DAY) == {"inbox": 0}
    finally:
        await pool.close()


def test_a_kept_table_must_be_a_plain_name() -> None:
    with pytest.raises(ValueError, match="not a table/column name"):
        Kept("inbox; DROP TABLE x", "processed_at")


async def test_every_service_prunes_its_own_tables(pg_dsn, kafka_bootstrap, sandbox_url, internal_token,
                                                   encryption_key, unique):
    common: dict[str, Any] = {**shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap,
                                                sandbox_url=sandbox_url, internal_token=internal_token),
                              "port": 0, "consumer_group": f"g-retention-{unique}"}
    apps = [build_auth(AuthSettings(**common, encryption_keys=encryption_key)),
            build_catalog(CatalogSettings(**common)), build_orders(OrdersSettings(**common))]
    expected = [{"inbox", "webhook_notifications"}, {"inbox", "webhook_notifications"}, {"inbox", "webhook_inbox"}]
    for app, tables in zip(apps, expected, strict=True):
        async with serve_app(app):
            removed = await app.state.runtime.prune_kept()  # the SQL runs against the service's real schema
        assert set(removed) == tables and not any(removed.values())
