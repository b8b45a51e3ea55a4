"""`ttshop db bootstrap` and the local role passwords `ttshop dev` keeps in .ttshop/secrets.env."""

from __future__ import annotations

import os
import stat

import pytest

from libs.cli.devenv import dev_env_path, local_database_passwords, local_secrets
from libs.common.db_roles import SERVICE_SCHEMAS, password_variable

from .conftest import flat, invoke


def test_local_database_passwords_are_generated_once_kept_private_and_overridable() -> None:
    first = local_database_passwords(env={})
    assert set(first) == set(SERVICE_SCHEMAS) and len(set(first.values())) == len(SERVICE_SCHEMAS)
    assert local_database_passwords(env={}) == first
    path = dev_env_path().with_name("secrets.env")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert local_database_passwords(env={"ORDERS_DATABASE_PASSWORD": "x" * 20})["orders"] == "x" * 20
    key = local_secrets(env={})
    assert set(key) == {"AUTH_ENCRYPTION_KEYS"}  # the auth service is given its key, no database password
    assert local_database_passwords(env={}) == first and local_secrets(env={}) == key


def test_bootstrap_prints_what_it_changed_and_never_a_password(pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    passwords = {service: f"pw-{service}-{os.urandom(8).hex()}" for service in SERVICE_SCHEMAS}
    monkeypatch.setenv("DATABASE_URL", pg_dsn)
    for service, password in passwords.items():
        monkeypatch.setenv(password_variable(service), password)
    first = invoke(["db", "bootstrap"])
    assert first.exit_code == 0, first.output
    assert "created schema orders owned by ttshop_orders" in flat(first.stdout)
    again = invoke(["db", "bootstrap"])
    assert again.exit_code == 0, again.output
    assert "roles, schemas and grants already in place" in flat(again.stdout)
    assert "password set for ttshop_auth, ttshop_catalog, ttshop_orders, ttshop_fulfillment" in flat(again.stdout)
    assert not [p for p in passwords.values() if p in first.output + again.output]


def test_bootstrap_names_the_password_that_is_missing(pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_dsn)
    for service in SERVICE_SCHEMAS:
        monkeypatch.setenv(password_variable(service), "y" * 24)
    monkeypatch.delenv("CATALOG_DATABASE_PASSWORD")
    result = invoke(["db", "bootstrap"])
    assert result.exit_code == 1
    assert "set CATALOG_DATABASE_PASSWORD" in flat(result.output)
    monkeypatch.setenv("CATALOG_DATABASE_PASSWORD", "short")
    result = invoke(["db", "bootstrap"])
    assert result.exit_code == 1 and "CATALOG_DATABASE_PASSWORD must be at least 16" in flat(result.output)
