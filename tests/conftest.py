"""Shared fixtures: real PostgreSQL (embedded unless DATABASE_URL), a real Kafka-protocol broker
(embedded Tansu unless KAFKA_BOOTSTRAP_SERVERS) and the TikTok sandbox on a real port.

Where a Docker engine exists, ``TEST_BACKEND=containers`` runs PostgreSQL and Apache Kafka in
testcontainers instead (``pip install -e '.[containers]'``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet

from libs.cli.infra import create_database, resolve_bootstrap, resolve_database_url
from tests.support.servers import serve_app


def _containers(stack: contextlib.ExitStack) -> tuple[str, str]:
    from testcontainers.kafka import KafkaContainer  # type: ignore[import-not-found]
    from testcontainers.postgres import PostgresContainer  # type: ignore[import-not-found]

    pg = stack.enter_context(PostgresContainer("postgres:16-alpine", driver=None))
    kafka = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft())
    return pg.get_connection_url(), kafka.get_bootstrap_server()


@pytest.fixture(scope="session")
def infra() -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        if os.environ.get("TEST_BACKEND") == "containers":
            dsn, bootstrap = _containers(stack)
        else:
            dsn = resolve_database_url(stack)
            bootstrap = resolve_bootstrap(stack)
        yield {"dsn": dsn, "bootstrap": bootstrap}


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: dict[str, str]) -> str:
    return infra["bootstrap"]


@pytest_asyncio.fixture(loop_scope="session")
async def pg_dsn(infra: dict[str, str]) -> str:
    """A fresh, empty database for each test."""
    return await create_database(infra["dsn"], f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def internal_token() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def encryption_key() -> str:
    return Fernet.generate_key().decode()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sandbox_url() -> AsyncIterator[str]:
    from libs.sandbox.app import create_app
    from libs.sandbox.settings import SandboxSettings

    # TikTok's review ends only when a test says so (POST /sandbox/products/{id}/review): a slow run never
    # sees a product approved behind its back.
    app = create_app(SandboxSettings(webhook_url="", webhook_retry_delays_s=[0.5, 1.0, 2.0], review_delay_s=-1))
    async with serve_app(app, ready_path="/healthz") as url:
        yield url


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
