"""`ttshop dev` runs every service as its own PostgreSQL role (libs/common/db_roles.py), as deploy/ does."""

from __future__ import annotations

import asyncpg
import pytest

from libs.common.db_roles import SERVICE_SCHEMAS, role_name
from tests.support.devstack import Stack
from tests.support.waiting import until

pytestmark = pytest.mark.e2e


async def test_each_service_connects_as_its_own_role_and_owns_its_schema(stack: Stack) -> None:
    admin = await asyncpg.connect(stack.values["DATABASE_URL"])  # dev.env: the admin's DSN
    try:
        async def users_by_application() -> dict[str, set[str]] | None:
            rows = await admin.fetch("SELECT application_name, usename FROM pg_stat_activity"
                                     " WHERE application_name LIKE 'ttshop-%'")
            found: dict[str, set[str]] = {}
            for row in rows:
                found.setdefault(row["application_name"], set()).add(row["usename"])
            return found if all(f"ttshop-{schema}" in found for schema in SERVICE_SCHEMAS.values()) else None

        found = await until(users_by_application, timeout_s=30, what="a connection of every service")
        assert found == {
            f"ttshop-{schema}": {role_name(schema)} for schema in SERVICE_SCHEMAS.values()
        }
        owners = await admin.fetch(
            "SELECT n.nspname AS schema, array_agg(DISTINCT pg_get_userbyid(c.relowner)) AS owners"
            "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY($1::text[]) GROUP BY n.nspname",
            list(SERVICE_SCHEMAS.values()),
        )
        assert {row["schema"]: row["owners"] for row in owners} == {
            schema: [role_name(schema)] for schema in SERVICE_SCHEMAS.values()
        }
    finally:
        await admin.close()
