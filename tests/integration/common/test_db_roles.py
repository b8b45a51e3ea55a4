"""One PostgreSQL role per service (libs/common/db_roles.py) against real PostgreSQL: each role runs its
own service's migrations and work, and reaches nothing of the other schemas.

Roles are global to the server the session shares; each test has its own database (``pg_dsn``), so the
schemas, grants and ownerships made here touch no other test, and tests connecting as the superuser
keep their access.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from libs.cli.infra import EmbeddedPostgres, dsn_with_database
from libs.common.db import Migration, common_migrations, create_pool, load_migrations, migrate
from libs.common.db_roles import (
    SERVICE_SCHEMAS,
    BootstrapError,
    ServiceRole,
    bootstrap,
    password_variable,
    role_dsn,
    service_roles,
)
from libs.common.events import InventoryChanged
from libs.common.inbox import claim
from libs.common.kafka import KafkaPublisher, ensure_topics
from libs.common.outbox import OutboxRelay, enqueue_data

pytestmark = pytest.mark.integration


def _password() -> str:
    return secrets.token_urlsafe(24)


def _roles() -> list[ServiceRole]:
    return service_roles({service: _password() for service in SERVICE_SCHEMAS})


def _migrations(service: str) -> list[Migration]:
    return [*common_migrations(), *load_migrations(f"services.{service}.migrations", prefix="service")]


async def _migrate_as(role: ServiceRole, admin_dsn: str) -> list[str]:
    pool = await create_pool(role.dsn(admin_dsn), schema=role.schema, max_size=2)
    try:
        return await migrate(pool, schema=role.schema, migrations=_migrations(role.service))
    finally:
        await pool.close()


async def _connect(role: ServiceRole, admin_dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(role.dsn(admin_dsn), server_settings={"search_path": f"{role.schema},public"})


async def _bootstrapped(pg_dsn: str) -> dict[str, ServiceRole]:
    roles = _roles()
    await bootstrap(pg_dsn, roles)
    for role in roles:
        assert await _migrate_as(role, pg_dsn), f"{role.role} applied no migration"
    return {role.service: role for role in roles}


async def _owners(admin: asyncpg.Connection, schema: str) -> set[str]:
    """Who owns the schema and each table, view, sequence, function and type in it."""
    rows = await admin.fetch(
        "SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1"
        " UNION SELECT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE n.nspname = $1"
        " UNION SELECT pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        "  WHERE n.nspname = $1"
        " UNION SELECT pg_get_userbyid(t.typowner) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        "  WHERE n.nspname = $1",
        schema,
    )
    return {row["owner"] for row in rows}


async def test_each_role_migrates_and_works_its_own_schema(pg_dsn: str, kafka_bootstrap: str, unique: str) -> None:
    roles = await _bootstrapped(pg_dsn)
    orders = roles["orders"]
    admin = await asyncpg.connect(pg_dsn)
    try:
        for role in roles.values():
            assert await _owners(admin, role.schema) == {role.role}
    finally:
        await admin.close()

    # what the service does at run time: outbox, relay (transaction advisory lock), inbox, session locks
    topic = "inventory.changed"
    await ensure_topics(kafka_bootstrap, [topic])
    pool = await create_pool(orders.dsn(pg_dsn), schema=orders.schema, max_size=2)
    publisher = KafkaPublisher(kafka_bootstrap)
    await publisher.start()
    try:
        async with pool.acquire() as conn, conn.transaction():
            assert await conn.fetchval("SELECT current_user") == "ttshop_orders"
            event = await enqueue_data(conn, InventoryChanged(seller_sku=f"SKU-{unique}", available=1,
                                                              occurred_at=datetime.now(UTC)), source="test")
            assert await claim(conn, consumer="test", event_id=event.id, event_type=event.type)
        relay = OutboxRelay(pool=pool, publisher=publisher, schema=orders.schema)
        assert await relay.run_once() == 1
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1", event.id)
            assert await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"poll.{unique}")
            assert await conn.fetchval("SELECT pg_advisory_unlock(hashtext($1))", f"poll.{unique}")
    finally:
        await publisher.stop()
        await pool.close()
    catalog = await _connect(roles["catalog"], pg_dsn)
    try:  # the catalog stages rows in a temporary table, filled with COPY
        async with catalog.transaction():
            await catalog.execute("CREATE TEMP TABLE incoming (sku text) ON COMMIT DROP")
            await catalog.copy_records_to_table("incoming", records=[("A",), ("B",)])
            assert await catalog.fetchval("SELECT count(*) FROM incoming") == 2
    finally:
        await catalog.close()


async def test_orders_cannot_read_auth_and_catalog_cannot_write_orders(pg_dsn: str) -> None:
    roles = await _bootstrapped(pg_dsn)
    writes = [
        "INSERT INTO orders.outbox (event_id, event_type, topic, payload) VALUES ('e-1', 'T', 't', '\\x00')",
        "UPDATE orders.outbox SET sent_at = now()",
        "DELETE FROM orders.inbox",
    ]
    orders = await _connect(roles["orders"], pg_dsn)
    catalog = await _connect(roles["catalog"], pg_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema auth"):
            await orders.fetchval("SELECT count(*) FROM auth.shops")
        for statement in writes:  # the orders role itself may: the statements are sound
            await orders.execute(statement)
        assert await orders.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL") == 1
        for statement in writes:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema orders"):
                await catalog.execute(statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema orders"):
            await catalog.fetchval("SELECT count(*) FROM orders.outbox")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await orders.execute("SET ROLE ttshop_auth")
        for role in roles.values():
            conn = await _connect(role, pg_dsn)
            try:
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema public"):
                    await conn.execute(f"CREATE TABLE public.probe_{role.schema} (id int)")
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(f"CREATE SCHEMA probe_{role.schema}")
            finally:
                await conn.close()
    finally:
        await orders.close()
        await catalog.close()


async def test_second_run_changes_nothing_but_the_passwords(pg_dsn: str) -> None:
    roles = _roles()
    first = await bootstrap(pg_dsn, roles)
    assert "created schema orders owned by ttshop_orders" in first.changes
    for role in roles:
        await _migrate_as(role, pg_dsn)
    again = await bootstrap(pg_dsn, roles)
    assert again.changes == []
    assert again.passwords_set == [role.role for role in roles]
    assert again.lines()[0] == "roles, schemas and grants already in place"
    assert all(role.password.get_secret_value() not in line for line in [*first.lines(), *again.lines()]
               for role in roles)


async def test_takes_over_a_schema_the_admin_created(pg_dsn: str) -> None:
    """A database from before the roles: the superuser ran the migrations and owns everything."""
    admin_pool = await create_pool(pg_dsn, schema="orders", max_size=1)
    try:
        await migrate(admin_pool, schema="orders", migrations=_migrations("orders"))
        async with admin_pool.acquire() as conn:
            await conn.execute(
                "CREATE VIEW orders.open_orders AS SELECT * FROM orders.orders;"
                " CREATE SEQUENCE orders.free_standing;"
                " CREATE TYPE orders.mood AS ENUM ('happy', 'sad');"
                " CREATE FUNCTION orders.answer() RETURNS int LANGUAGE sql AS 'SELECT 42';"
                " GRANT USAGE ON SCHEMA orders TO PUBLIC;"
                " GRANT CREATE ON SCHEMA public TO PUBLIC;"
            )
            await conn.execute(f'REVOKE TEMPORARY ON DATABASE "{await conn.fetchval("SELECT current_database()")}"'
                               " FROM PUBLIC")
    finally:
        await admin_pool.close()
    roles = _roles()
    report = await bootstrap(pg_dsn, roles)
    assert any(line.startswith("schema orders: owner ") and line.endswith(" -> ttshop_orders")
               for line in report.changes), report.changes
    assert "orders.open_orders: owner" in " ".join(report.changes)
    assert "schema public: revoked CREATE from PUBLIC" in report.changes
    assert "schema orders: revoked every privilege of PUBLIC" in report.changes
    assert "role ttshop_catalog: granted TEMPORARY on the database" in report.changes
    admin = await asyncpg.connect(pg_dsn)
    try:
        assert await _owners(admin, "orders") == {"ttshop_orders"}
    finally:
        await admin.close()
    by_service = {role.service: role for role in roles}
    orders = by_service["orders"]
    assert await _migrate_as(orders, pg_dsn) == []  # already applied, and the role may read the ledger
    pool = await create_pool(orders.dsn(pg_dsn), schema="orders", max_size=1)
    try:
        later = Migration("service:999", "999_later.sql", "ALTER TABLE open_orders RENAME TO open_orders_v2;"
                          " CREATE TABLE later (id bigserial PRIMARY KEY, mood mood)")
        assert await migrate(pool, schema="orders", migrations=[later]) == ["999_later.sql"]
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT answer() + nextval('free_standing')") == 43
    finally:
        await pool.close()
    catalog = await _connect(by_service["catalog"], pg_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema orders"):  # PUBLIC's USAGE is gone
            await catalog.fetchval("SELECT count(*) FROM orders.later")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema public"):
            await catalog.execute("CREATE TABLE public.probe (id int)")
        await catalog.execute("CREATE TEMP TABLE staged (sku text)")  # TEMPORARY granted back to the role
    finally:
        await catalog.close()


async def test_a_createrole_admin_that_owns_the_database_can_bootstrap(pg_dsn: str, unique: str) -> None:
    """What a managed PostgreSQL gives: no superuser, a role with CREATEROLE owning the database."""
    admin_role, names = f"t{unique}_admin", (f"t{unique}_orders", f"t{unique}_auth")
    superuser = await asyncpg.connect(pg_dsn)
    database = f"t{unique}_managed"
    try:
        admin_password = _password()  # token_urlsafe: nothing to quote
        await superuser.execute(f"CREATE ROLE {admin_role} LOGIN CREATEROLE PASSWORD '{admin_password}'")
        await superuser.execute(f"CREATE DATABASE {database} OWNER {admin_role}")
        admin_dsn = role_dsn(dsn_with_database(pg_dsn, database), admin_role, admin_password)
        roles = [ServiceRole("orders", names[0], "orders", SecretStr(_password())),
                 ServiceRole("auth", names[1], "auth", SecretStr(_password()))]
        report = await bootstrap(admin_dsn, roles)
        assert f"created role {names[0]}" in report.changes
        assert (await bootstrap(admin_dsn, roles)).changes == []
        for role in roles:
            assert await _migrate_as(role, admin_dsn)
        orders = await _connect(roles[0], admin_dsn)
        try:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await orders.fetchval("SELECT count(*) FROM auth.shops")
        finally:
            await orders.close()
        plain = role_dsn(admin_dsn, names[1], _password())
        with pytest.raises(BootstrapError, match=f"{names[1]} may not do this"):
            await bootstrap(plain, [ServiceRole("orders", f"t{unique}_other", "other", SecretStr(_password()))])
    finally:
        await superuser.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for name in (*names, f"t{unique}_other", admin_role):
            await superuser.execute(f"DROP ROLE IF EXISTS {name}")
        await superuser.close()


def _require_passwords(data_dir: Path) -> None:
    """pg_hba: the superuser keeps trust, every other role must give its password (SCRAM)."""
    hba = data_dir / "pg_hba.conf"
    hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n" + hba.read_text())


async def test_passwords_are_set_and_rotated_on_every_run() -> None:
    """A server of its own: the shared one trusts every local connection."""
    server = EmbeddedPostgres()
    admin_dsn = await asyncio.to_thread(server.start)
    try:
        _require_passwords(server.data_dir)
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute("SELECT pg_reload_conf()")
        await admin.close()
        roles = _roles()
        await bootstrap(admin_dsn, roles)
        orders = next(role for role in roles if role.service == "orders")
        conn = await asyncpg.connect(orders.dsn(admin_dsn))
        assert await conn.fetchval("SELECT current_user") == "ttshop_orders"
        await conn.close()
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(role_dsn(admin_dsn, "ttshop_orders", _password()))

        rotated = service_roles({role.service: _password() for role in roles})
        await bootstrap(admin_dsn, rotated)
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(orders.dsn(admin_dsn))
        new_orders = next(role for role in rotated if role.service == "orders")
        conn = await asyncpg.connect(new_orders.dsn(admin_dsn))
        assert await conn.fetchval("SELECT current_user") == "ttshop_orders"
        await conn.close()
    finally:
        await asyncio.to_thread(server.stop)


async def test_module_entry_point_reads_the_environment_and_prints_no_password(pg_dsn: str) -> None:
    """``python -m libs.common.db_roles``: what the compose one-shot and the k8s Job run."""
    passwords = {password_variable(service): _password() for service in SERVICE_SCHEMAS}

    async def run(env: dict[str, str]) -> tuple[int, str, str]:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "libs.common.db_roles", env={**os.environ, "DATABASE_URL": pg_dsn, **env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(child.communicate(), timeout=60)
        assert child.returncode is not None
        return child.returncode, out.decode(), err.decode()

    code, out, err = await run(passwords)
    assert code == 0, err
    assert "created schema fulfillment owned by ttshop_fulfillment" in out
    assert not [p for p in passwords.values() if p in out + err]
    code, out, err = await run({k: v for k, v in passwords.items() if k != "ORDERS_DATABASE_PASSWORD"})
    assert code == 1 and "set ORDERS_DATABASE_PASSWORD" in err
