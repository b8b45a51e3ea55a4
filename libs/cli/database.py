"""`ttshop db bootstrap`: one PostgreSQL role per service that can use its own schema only
(:mod:`libs.common.db_roles`), and the same step `ttshop dev` runs before it starts the services."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import typer

from libs.common.db_roles import (
    SERVICE_SCHEMAS,
    BootstrapError,
    BootstrapReport,
    bootstrap,
    password_variable,
    service_roles,
)

from . import devenv
from .client import EXIT_FAILED, console, emit_json, fail, state
from .infra import state_dir

app = typer.Typer(help="The database: the services' roles and schemas.", no_args_is_help=True)


async def bootstrap_local(admin_dsn: str) -> tuple[dict[str, str], BootstrapReport]:
    """Bootstrap with the passwords of ``.ttshop/secrets.env`` (generated on first use); returns
    service -> the DSN it connects with (its own role) and what the bootstrap did."""
    roles = service_roles(devenv.local_database_passwords())
    report = await bootstrap(admin_dsn, roles)
    return {role.service: role.dsn(admin_dsn) for role in roles}, report


@app.command("bootstrap")
def bootstrap_command(ctx: typer.Context) -> None:
    """Create or repair each service's role (ttshop_auth, ttshop_catalog, …) and its schema.

    Connects with DATABASE_URL (an admin: a superuser, or a role with CREATEROLE owning the database;
    else the local stack's from .ttshop/dev.env) and sets each role's password from
    <SERVICE>_DATABASE_PASSWORD (else .ttshop/secrets.env). Safe to run again: only the passwords are
    set again. Prints what it changed, never a password.
    """
    admin_dsn = devenv.lookup("DATABASE_URL")
    if not admin_dsn:
        fail("DATABASE_URL is not set: give the admin DSN of the database (postgresql://USER:PASSWORD@HOST/DB)")
    stored = devenv.read_dev_env(state_dir() / "secrets.env")
    passwords = {service: os.environ.get(password_variable(service)) or stored.get(password_variable(service), "")
                 for service in SERVICE_SCHEMAS}
    try:
        report = asyncio.run(bootstrap(admin_dsn, service_roles(passwords)))
    except (BootstrapError, ValueError) as exc:
        fail(str(exc))
    except (OSError, asyncpg.PostgresError) as exc:
        fail(f"database bootstrap failed: {type(exc).__name__}: {exc}", EXIT_FAILED)
    if state(ctx).json_output:
        emit_json({"changes": report.changes, "passwords_set": report.passwords_set})
        return
    for line in report.lines():
        console.print(line)
