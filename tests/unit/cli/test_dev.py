"""`ttshop dev` as an operator runs it: a real process, real Postgres and broker, Ctrl-C to stop."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from libs.cli.devenv import read_dev_env
from libs.cli.infra import kafka_metadata_ok, port_accepts, port_is_free, project_root


def _free_offset() -> int:
    """A --port-offset under which the broker and every service port are free."""
    for _ in range(200):
        offset = random.randrange(1000, 20000)
        if all(port_is_free(p + offset) for p in (8100, 8101, 8102, 8103, 8104, 9092)):
            return offset
    raise RuntimeError("no free port offset found")


def _dev(args: list[str], state: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env |= {"TTSHOP_STATE_DIR": str(state), "COLUMNS": "250"}
    return subprocess.Popen(
        [sys.executable, "-m", "libs.cli.main", "dev", *args], cwd=project_root(), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


async def test_dev_starts_infrastructure_writes_dev_env_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    offset = _free_offset()
    proc = _dev(["--no-services", "--no-sandbox", "--port-offset", str(offset)], tmp_path)
    env_file = tmp_path / "dev.env"
    try:
        deadline = time.monotonic() + 60
        while not env_file.exists():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "dev.env never appeared"
            await asyncio.sleep(0.1)
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        values = read_dev_env(env_file)
        assert values["KAFKA_BOOTSTRAP_SERVERS"] == f"127.0.0.1:{9092 + offset}"
        assert values["ORDERS_URL"] == f"http://127.0.0.1:{8103 + offset}"
        assert len(values["ADMIN_API_TOKEN"]) >= 32
        assert await kafka_metadata_ok(values["KAFKA_BOOTSTRAP_SERVERS"])
        conn = await asyncpg.connect(values["DATABASE_URL"])
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()

        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, output
    assert "ready in" in output and "stopped." in output
    assert values["ADMIN_API_TOKEN"] not in output
    assert not env_file.exists()
    assert not port_accepts(9092 + offset)
    try:
        conn = await asyncpg.connect(values["DATABASE_URL"], timeout=2)
    except (OSError, asyncpg.PostgresError):
        pass
    else:
        await conn.close()
        raise AssertionError("embedded Postgres still running after ttshop dev stopped")


def test_dev_refuses_a_taken_port_and_names_it(tmp_path: Path) -> None:
    offset = _free_offset()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 8103 + offset))
        taken.listen()
        proc = _dev(["--port-offset", str(offset)], tmp_path)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert f"port {8103 + offset} (orders) is already in use" in " ".join(output.split())
    assert "--port-offset" in output
