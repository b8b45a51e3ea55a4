"""One PostgreSQL role per service that can use its own schema only.

:func:`bootstrap` runs with an admin DSN (a superuser, or a role with CREATEROLE that owns the
database) before the services start: `ttshop dev`, `ttshop db bootstrap`, ``python -m
libs.common.db_roles`` (the ``db-bootstrap`` one-shot of ``deploy/compose.yaml`` and Job of
``deploy/k8s``). For each service it

- creates the LOGIN role ``ttshop_<schema>``, or takes SUPERUSER, CREATEDB, CREATEROLE, REPLICATION,
  BYPASSRLS and memberships of other roles away from an existing one, and sets its password (on every
  run, so rotating is running it again with a new one). The password is sent as a SCRAM-SHA-256
  verifier computed here: the plain text never reaches the server or its statement log;
- creates the schema owned by the role, or makes the role the owner of a schema that exists already
  (an earlier version created it as the admin) and of every table, view, sequence, function and type
  in it;
- revokes every privilege on the schema from PUBLIC and from the other services' roles, CREATE on
  schema ``public`` from PUBLIC (and from the role), and grants CONNECT and TEMPORARY (the catalog
  stages rows in temporary tables) on the database to the role.

Owning its schema, a role runs its own migrations and everything its service does (outbox relay,
inbox, advisory locks need no grant); the other schemas give it no USAGE, so it reaches none of their
tables. A second run changes nothing but the passwords. Identifiers are checked against a strict
pattern and quoted by the server's ``format('%I')``, the verifier by ``format('%L')``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import asyncpg
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.common.db import check_schema_name

#: The services and the schema each owns (their settings' ``db_schema``; tests/unit/test_deploy.py
#: checks the two agree).
SERVICE_SCHEMAS: dict[str, str] = {
    "auth": "auth",
    "catalog": "catalog",
    "orders": "orders",
    "fulfillment": "fulfillment",
}
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PASSWORD = re.compile(r"^[\x21-\x7e]{16,}$")  # printable ASCII, no space: SASLprep leaves it as it is
_SCRAM_ITERATIONS = 4096  # PostgreSQL's default scram_iterations
_LOCK = "ttshop.db-bootstrap"
#: Role attributes a service role must not have: (pg_roles column, ALTER ROLE keyword that drops it).
_UNWANTED_ATTRIBUTES = (
    ("rolsuper", "NOSUPERUSER"),
    ("rolcreatedb", "NOCREATEDB"),
    ("rolcreaterole", "NOCREATEROLE"),
    ("rolreplication", "NOREPLICATION"),
    ("rolbypassrls", "NOBYPASSRLS"),
)


class BootstrapError(Exception):
    """The bootstrap could not do what it must; the message says what to change."""


def role_name(schema: str) -> str:
    """The role that owns ``schema``: ``ttshop_<schema>``."""
    return f"ttshop_{check_schema_name(schema)}"


def password_variable(service: str) -> str:
    """The environment variable holding a service role's password: ``ORDERS_DATABASE_PASSWORD``."""
    return f"{service.upper()}_DATABASE_PASSWORD"


def check_role_name(role: str) -> str:
    if not _ROLE_NAME.match(role):
        raise ValueError(f"invalid role name {role!r}: use lowercase letters, digits and _")
    return role


def check_password(password: str, *, what: str = "password") -> str:
    if not _PASSWORD.match(password):
        raise ValueError(
            f"{what} must be at least 16 printable ASCII characters without spaces, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    return password


@dataclass(frozen=True)
class ServiceRole:
    """The database role of one service: its name, the schema it owns and its password."""

    service: str
    role: str
    schema: str
    password: SecretStr = field(repr=False)

    def __post_init__(self) -> None:
        check_role_name(self.role)
        check_schema_name(self.schema)
        check_password(self.password.get_secret_value(), what=password_variable(self.service))

    def dsn(self, admin_dsn: str) -> str:
        """``admin_dsn`` with this role's name and password (same host, port, database and query)."""
        return role_dsn(admin_dsn, self.role, self.password)


def service_roles(passwords: Mapping[str, str | SecretStr],
                  schemas: Mapping[str, str] = SERVICE_SCHEMAS) -> list[ServiceRole]:
    """One :class:`ServiceRole` per service in ``schemas``; ``passwords`` maps service -> password."""
    missing = [password_variable(service) for service in schemas if not passwords.get(service)]
    if missing:
        raise BootstrapError(f"no password for the service roles: set {', '.join(missing)}")
    roles = []
    for service, schema in schemas.items():
        password = passwords[service]
        secret = password if isinstance(password, SecretStr) else SecretStr(password)
        roles.append(ServiceRole(service, role_name(schema), schema, secret))
    return roles


def role_dsn(admin_dsn: str, role: str, password: str | SecretStr) -> str:
    """``admin_dsn`` connecting as ``role`` with ``password`` instead: host, port, database and query
    parameters (the embedded server's ``?host=/socket/dir``) are kept, ``user``/``password`` query
    parameters dropped."""
    parts = urlsplit(admin_dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("the admin DSN must be a postgresql:// URI")
    secret = password.get_secret_value() if isinstance(password, SecretStr) else password
    hostspec = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(check_role_name(role), safe='')}:{quote(secret, safe='')}@{hostspec}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key in ("user", "password") for key, _ in pairs):
        query = urlencode([(k, v) for k, v in pairs if k not in ("user", "password")], safe="/")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = _SCRAM_ITERATIONS) -> str:
    """What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677), as ``\\password`` sends it."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


@dataclass
class BootstrapReport:
    """What one run did. ``changes`` is empty when every role, schema and grant was in place."""

    changes: list[str] = field(default_factory=list)
    passwords_set: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = list(self.changes) or ["roles, schemas and grants already in place"]
        if self.passwords_set:
            lines.append(f"password set for {', '.join(self.passwords_set)}")
        return lines


async def bootstrap(admin_dsn: str, roles: Sequence[ServiceRole]) -> BootstrapReport:
    """Create or repair the service roles and their schemas (see the module docstring); one
    transaction, serialised with other runs on the same database by an advisory lock."""
    if not roles:
        raise BootstrapError("no service roles to bootstrap")
    report = BootstrapReport()
    conn = await asyncpg.connect(admin_dsn)
    admin = "the admin"
    try:
        admin = await conn.fetchval("SELECT current_user")
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", _LOCK)
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL search_path TO pg_catalog")  # regclass output fully qualified
                await _bootstrap(conn, roles, report)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", _LOCK)
    except asyncpg.InsufficientPrivilegeError as exc:
        raise BootstrapError(
            f"{admin} may not do this: {exc}. Run the bootstrap with a superuser, or a role with CREATEROLE "
            "that owns the database"
        ) from exc
    finally:
        await conn.close()
    return report


async def _bootstrap(conn: asyncpg.Connection, roles: Sequence[ServiceRole], report: BootstrapReport) -> None:
    superuser = bool(await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    for role in roles:
        await _ensure_role(conn, role, report, superuser=superuser)
    if await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a"
        " WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')"
    ):
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        report.changes.append("schema public: revoked CREATE from PUBLIC")
    managed = [role.role for role in roles]
    for role in roles:
        await _ensure_schema(conn, role, [other for other in managed if other != role.role], report)


async def _ddl(conn: asyncpg.Connection, template: str, *values: str) -> None:
    """Run DDL built by the server's ``format()``: ``%I`` quotes an identifier, ``%L`` a literal."""
    arguments = "".join(f", ${i}::text" for i in range(2, len(values) + 2))
    statement = await conn.fetchval(f"SELECT format($1::text{arguments})", template, *values)
    await conn.execute(statement)


async def _ensure_role(conn: asyncpg.Connection, role: ServiceRole, report: BootstrapReport, *,
                       superuser: bool) -> None:
    name = role.role
    verifier = scram_verifier(role.password.get_secret_value())
    row = await conn.fetchrow("SELECT * FROM pg_roles WHERE rolname = $1", name)
    if row is None:
        try:
            async with conn.transaction():  # a run on another database of the cluster may create it first
                await _ddl(conn, "CREATE ROLE %I LOGIN PASSWORD %L", name, verifier)
            report.changes.append(f"created role {name}")
        except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
            row = await conn.fetchrow("SELECT * FROM pg_roles WHERE rolname = $1", name)
    if row is not None:
        unwanted = [keyword for column, keyword in _UNWANTED_ATTRIBUTES if row[column]]
        if unwanted:
            await _ddl(conn, f"ALTER ROLE %I {' '.join(unwanted)}", name)
            report.changes.append(f"role {name}: {' '.join(unwanted)}")
        if not row["rolcanlogin"]:
            await _ddl(conn, "ALTER ROLE %I LOGIN", name)
            report.changes.append(f"role {name}: LOGIN")
        await _ddl(conn, "ALTER ROLE %I PASSWORD %L", name, verifier)
    report.passwords_set.append(name)
    for granted in await conn.fetch(
        "SELECT pg_get_userbyid(roleid) AS name FROM pg_auth_members WHERE member = $1::regrole ORDER BY 1", name
    ):
        await _ddl(conn, "REVOKE %I FROM %I", granted["name"], name)
        report.changes.append(f"role {name}: no longer a member of {granted['name']}")
    if not superuser:
        # A CREATEROLE admin may hand objects to the role only while it may SET ROLE to it (PG 16+).
        privilege = "SET" if conn.get_server_version().major >= 16 else "MEMBER"
        if not await conn.fetchval("SELECT pg_has_role($1, $2)", name, privilege):
            await _ddl(conn, "GRANT %I TO CURRENT_USER", name)
            report.changes.append(f"role {name}: granted to the admin ({privilege})")
    # CONNECT, and TEMPORARY for the catalog's staging tables (PUBLIC has it by default, not always).
    for privilege in ("CONNECT", "TEMPORARY"):
        if not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database()"
            " AND a.grantee = $1::regrole AND a.privilege_type = $2)",
            name, privilege,
        ):
            database = await conn.fetchval("SELECT current_database()")
            await _ddl(conn, f"GRANT {privilege} ON DATABASE %I TO %I", database, name)
            report.changes.append(f"role {name}: granted {privilege} on the database")


#: ALTER statements handing every object of schema $1 not yet owned by role $2 to it. Tables first:
#: a sequence owned by a column moves with its table and refuses to be moved on its own.
_TAKE_OVER_OBJECTS = """
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                             WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.oid::regclass, $2::text) AS statement,
       c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND c.relowner <> $2::regrole
UNION ALL
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text), p.oid::regprocedure::text,
       pg_get_userbyid(p.proowner)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.proowner <> $2::regrole
UNION ALL
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $2::text), t.oid::regtype::text,
       pg_get_userbyid(t.typowner)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = $1 AND t.typtype IN ('d', 'e', 'r') AND t.typowner <> $2::regrole
"""
_TAKE_OVER_SEQUENCES = """
SELECT format('ALTER SEQUENCE %s OWNER TO %I', c.oid::regclass, $2::text) AS statement,
       c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind = 'S' AND c.relowner <> $2::regrole
"""


async def _ensure_schema(conn: asyncpg.Connection, role: ServiceRole, others: list[str],
                         report: BootstrapReport) -> None:
    schema, name = role.schema, role.role
    owner = await conn.fetchval("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", schema)
    if owner is None:
        await _ddl(conn, "CREATE SCHEMA %I AUTHORIZATION %I", schema, name)
        report.changes.append(f"created schema {schema} owned by {name}")
    elif owner != name:
        await _ddl(conn, "ALTER SCHEMA %I OWNER TO %I", schema, name)
        report.changes.append(f"schema {schema}: owner {owner} -> {name}")
    for query in (_TAKE_OVER_OBJECTS, _TAKE_OVER_SEQUENCES):
        for row in await conn.fetch(query, schema, name):
            await conn.execute(row["statement"])
            report.changes.append(f"{row['name']}: owner {row['owner']} -> {name}")
    grantees = await conn.fetch(
        "SELECT DISTINCT CASE a.grantee WHEN 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee"
        "  FROM pg_namespace n, aclexplode(n.nspacl) a"
        " WHERE n.nspname = $1 AND (a.grantee = 0 OR pg_get_userbyid(a.grantee) = ANY($2::text[]))",
        schema, others,
    )
    for grantee in sorted((row["grantee"] for row in grantees), key=lambda g: g or ""):
        if grantee is None:
            await _ddl(conn, "REVOKE ALL ON SCHEMA %I FROM PUBLIC", schema)
        else:
            await _ddl(conn, "REVOKE ALL ON SCHEMA %I FROM %I", schema, grantee)
        report.changes.append(f"schema {schema}: revoked every privilege of {grantee or 'PUBLIC'}")
    if await conn.fetchval(
        "SELECT CASE WHEN to_regnamespace('public') IS NULL THEN false"
        " ELSE has_schema_privilege($1, 'public', 'CREATE') END", name
    ):
        await _ddl(conn, "REVOKE CREATE ON SCHEMA public FROM %I", name)
        report.changes.append(f"schema public: revoked CREATE from {name}")


class DatabaseRolesSettings(BaseSettings):
    """What ``python -m libs.common.db_roles`` (and `ttshop db bootstrap`) reads."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="Admin DSN of the bootstrap: a superuser, or a role with CREATEROLE that owns the database.",
    )
    auth_database_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AUTH_DATABASE_PASSWORD", "auth_database_password"),
        description="Password of the auth service's role `ttshop_auth` (set on every bootstrap run).",
    )
    catalog_database_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CATALOG_DATABASE_PASSWORD", "catalog_database_password"),
        description="Password of the catalog service's role `ttshop_catalog` (set on every bootstrap run).",
    )
    orders_database_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ORDERS_DATABASE_PASSWORD", "orders_database_password"),
        description="Password of the orders service's role `ttshop_orders` (set on every bootstrap run).",
    )
    fulfillment_database_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("FULFILLMENT_DATABASE_PASSWORD", "fulfillment_database_password"),
        description="Password of the fulfillment service's role `ttshop_fulfillment` (set on every bootstrap run).",
    )

    def passwords(self) -> dict[str, SecretStr]:
        found: dict[str, SecretStr | None] = {
            service: getattr(self, f"{service}_database_password") for service in SERVICE_SCHEMAS
        }
        return {service: secret for service, secret in found.items() if secret is not None}


async def bootstrap_from_settings(settings: DatabaseRolesSettings) -> BootstrapReport:
    if settings.database_url is None:
        raise BootstrapError("DATABASE_URL is not set: give the admin DSN of the database")
    return await bootstrap(settings.database_url.get_secret_value(), service_roles(settings.passwords()))


def main() -> int:
    """``python -m libs.common.db_roles``: bootstrap from the environment, print what changed."""
    try:
        report = asyncio.run(bootstrap_from_settings(DatabaseRolesSettings()))
    except (BootstrapError, ValueError, OSError, asyncpg.PostgresError) as exc:
        print(f"database bootstrap failed: {exc}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
