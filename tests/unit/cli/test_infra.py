"""Embedded infrastructure: real Postgres, real Tansu broker, real child processes."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import pytest

from libs.cli.infra import (
    ChildDiedError,
    EmbeddedBroker,
    EmbeddedPostgres,
    InfraError,
    ProcessSupervisor,
    create_database,
    free_port,
    kafka_metadata_ok,
    port_accepts,
    resolve_bootstrap,
    resolve_database_url,
)

HEALTH_SERVER = textwrap.dedent(
    """
    import http.server, os, subprocess, sys
    if len(sys.argv) > 2:  # leave a grandchild behind in our process group
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open(sys.argv[2], "w").write(str(os.getpid()))
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            ok = self.path in ("/healthz", "/readyz")
            self.send_response(200 if ok else 404); self.end_headers(); self.wfile.write(b"{}")
        def log_message(self, *a): pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still "exists"; it is dead for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


async def test_supervisor_waits_healthy_and_stop_all_leaves_no_process(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with ProcessSupervisor(tmp_path / "logs", grace_s=5) as sup:
        proc = sup.start(
            "web", argv=[sys.executable, "-c", HEALTH_SERVER, str(port), str(tmp_path / "pid")], url=url
        )
        await sup.wait_all_healthy(timeout=15)
        assert port_accepts(port)
        pgid = proc.pid
        assert len(_group_members(pgid)) == 2  # the server and its grandchild
        sup.stop_all()
        assert _group_members(pgid) == []
        assert not port_accepts(port)
        assert sup.processes == {}


async def test_supervisor_reports_a_child_that_died_early_with_its_log(tmp_path: Path) -> None:
    sup = ProcessSupervisor(tmp_path / "logs")
    try:
        sup.start(
            "broken",
            argv=[sys.executable, "-c", "import sys; print('config invalid: FOO', flush=True); sys.exit(3)"],
            url=f"http://127.0.0.1:{free_port()}",
        )
        with pytest.raises(ChildDiedError) as err:
            await sup.wait_all_healthy(timeout=15)
        assert "broken exited with code 3" in str(err.value)
        assert "config invalid: FOO" in str(err.value)
    finally:
        sup.stop_all()


async def test_supervisor_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(600)"
    sup = ProcessSupervisor(tmp_path / "logs", grace_s=0.5)
    proc = sup.start("stubborn", argv=[sys.executable, "-c", code])
    deadline = time.monotonic() + 10
    while "up" not in (tmp_path / "logs" / "stubborn.log").read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    started = time.monotonic()
    sup.stop_all()
    assert time.monotonic() - started < 5
    assert not _alive(proc.pid)


async def test_supervisor_health_timeout_names_the_url(tmp_path: Path) -> None:
    sup = ProcessSupervisor(tmp_path / "logs")
    url = f"http://127.0.0.1:{free_port()}"
    try:
        sup.start("silent", argv=[sys.executable, "-c", "import time; time.sleep(60)"], url=url)
        with pytest.raises(InfraError, match=f"{url}/healthz not healthy after 1s"):
            await sup.wait_healthy(url, timeout=1)
    finally:
        sup.stop_all()


async def test_embedded_postgres_starts_accepts_connections_and_stops() -> None:
    pg = EmbeddedPostgres()
    with pg:
        conn = await asyncpg.connect(pg.dsn)
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
        dsn = await create_database(pg.dsn, "ttshop_cli_test")
        assert await create_database(pg.dsn, "ttshop_cli_test") == dsn  # idempotent
        conn = await asyncpg.connect(dsn)
        assert await conn.fetchval("SELECT current_database()") == "ttshop_cli_test"
        await conn.close()
    assert not pg.data_dir.exists()  # temp data dir removed
    with pytest.raises((OSError, asyncpg.PostgresError)):
        await asyncpg.connect(pg.dsn, timeout=2)


async def test_create_database_rejects_names_that_are_not_plain_identifiers() -> None:
    with pytest.raises(ValueError, match="database name"):
        await create_database("postgresql://unused/", 'x"; DROP DATABASE postgres; --')


async def test_embedded_broker_answers_metadata_then_stops(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "broker.log")
    with broker:
        assert await kafka_metadata_ok(broker.bootstrap_servers)
        pid = broker.pid
        assert pid is not None
    assert not _alive(pid)
    assert not port_accepts(broker.port)


def test_embedded_broker_refuses_a_taken_port_naming_it(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InfraError, match=f"port {port} is already in use"):
            EmbeddedBroker(port, log_path=tmp_path / "b.log").start()


def test_resolve_uses_configured_urls_and_starts_nothing() -> None:
    env = {"DATABASE_URL": "postgresql://db.example/app", "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092"}
    with ExitStack() as stack:
        assert resolve_database_url(stack, env=env) == "postgresql://db.example/app"
        assert resolve_bootstrap(stack, env=env) == "kafka.example:9092"
        assert stack._exit_callbacks == type(stack._exit_callbacks)()  # nothing registered
