"""The whole system for a chaos run, each part a process the run can kill, restart or pause: embedded
PostgreSQL (restarted, or every one of its processes paused), the embedded broker (paused: it keeps
its data in memory only), the sandbox, and the four services (``kill -9``, then started again with
the same environment). Built from the same pieces and environment as ``ttshop dev``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from libs.cli.database import bootstrap_local
from libs.cli.dev import SERVICES, ChildSpec, child_specs
from libs.cli.devenv import StackCredentials
from libs.cli.infra import EmbeddedBroker, EmbeddedPostgres, ProcessSupervisor, free_port, project_root
from tests.support.procs import children_of
from tests.support.waiting import until

TTSHOP = [sys.executable, "-m", "libs.cli.main"]


@dataclass
class ChaosStack:
    root: Path
    dsn: str = ""
    bootstrap: str = ""
    credentials: StackCredentials = field(default_factory=StackCredentials)
    urls: dict[str, str] = field(default_factory=dict)
    specs: dict[str, ChildSpec] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=dict)
    _pg: EmbeddedPostgres | None = None
    _broker: EmbeddedBroker | None = None
    _supervisor: ProcessSupervisor | None = None
    _paused: list[int] = field(default_factory=list)
    _proxy_port: int = 0

    async def start(self) -> None:
        os.environ["TTSHOP_STATE_DIR"] = str(self.root)  # the auth service's encryption key lives there
        self._pg = EmbeddedPostgres(self.root / "pgdata")
        self.dsn = self._pg.start()  # the admin's; each service connects as its own role, like `ttshop dev`
        service_dsns, _ = await bootstrap_local(self.dsn)
        self._broker = EmbeddedBroker(free_port(), log_path=self.root / "logs" / "broker.log")
        self.bootstrap = self._broker.start()
        names = ["sandbox", *SERVICES]
        ports = {name: free_port() for name in names}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self._proxy_port = free_port()  # the services reach TikTok through it, so TikTok can be down
        specs = child_specs(names, ports, self.urls, dsns=service_dsns, bootstrap=self.bootstrap,
                            credentials=self.credentials, tiktok_url=f"http://127.0.0.1:{self._proxy_port}")
        for spec in specs:  # quick reconciliation so the run's quiet wait stays short
            if spec.name == "orders":
                spec.env.update(ORDERS_POLL_INTERVAL_S="5", ORDERS_JOB_LEASE_S="10")
        self.specs = {spec.name: spec for spec in specs}
        self._supervisor = ProcessSupervisor(self.root / "logs", grace_s=5)
        self._supervisor.start("tiktok-proxy", argv=[sys.executable, "-m", "tests.chaos.proxy", str(self._proxy_port),
                                                     str(ports["sandbox"])], cwd=project_root())
        for name in names:
            self._start(name)
        await asyncio.gather(*(self.wait_ready(name) for name in names))

    def _start(self, name: str) -> None:
        assert self._supervisor is not None
        spec = self.specs[name]
        self._supervisor.start(name, spec.module, env=spec.env, url=spec.url, probes=spec.probes, cwd=project_root())

    async def wait_ready(self, name: str, timeout_s: float = 90.0) -> None:
        spec = self.specs[name]
        async with httpx.AsyncClient(timeout=2.0) as http:
            for probe in spec.probes:
                async def answers(url: str = spec.url + probe) -> bool:
                    try:
                        return (await http.get(url)).is_success
                    except httpx.HTTPError:
                        return False

                await until(answers, timeout_s=timeout_s, every_s=0.2, what=f"{name}{probe} (logs in {self.root})")

    def pid(self, name: str) -> int:
        assert self._supervisor is not None
        return self._supervisor.processes[name].pid

    def kill(self, name: str) -> None:
        """``kill -9``: no shutdown hook runs, nothing is flushed."""
        os.kill(self.pid(name), signal.SIGKILL)
        self._supervisor.processes[name].popen.wait()  # type: ignore[union-attr]
        self.kills[name] = self.kills.get(name, 0) + 1

    async def restart(self, name: str) -> None:
        self._start(name)
        await self.wait_ready(name)

    def tiktok_down(self) -> None:
        """TikTok unreachable for the services: connections refused, open ones reset."""
        os.kill(self.pid("tiktok-proxy"), signal.SIGUSR1)

    def tiktok_up(self) -> None:
        os.kill(self.pid("tiktok-proxy"), signal.SIGUSR2)

    def pause_broker(self) -> None:
        assert self._broker is not None and self._broker.pid is not None
        os.kill(self._broker.pid, signal.SIGSTOP)
        self._paused.append(self._broker.pid)

    def pause_postgres(self) -> None:
        """SIGSTOP the postmaster and every backend: connections hang, nothing is refused."""
        assert self._pg is not None and self._pg.pid is not None
        for pid in [self._pg.pid, *children_of(self._pg.pid)]:
            try:
                os.kill(pid, signal.SIGSTOP)
                self._paused.append(pid)
            except ProcessLookupError:
                pass

    def resume(self) -> None:
        for pid in self._paused:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self._paused.clear()

    def restart_postgres(self) -> None:
        """Stop PostgreSQL (every connection is dropped) and start it again on the same data."""
        assert self._pg is not None
        self._pg.stop()
        self._pg.start()

    def cli_env(self) -> dict[str, str]:
        return {**os.environ, "TTSHOP_STATE_DIR": str(self.root), "ADMIN_API_TOKEN": self.credentials.cli,
                "COLUMNS": "200",
                **{f"{name.upper()}_URL": url for name, url in self.urls.items()}}

    def url(self, name: str) -> str:
        return self.urls[name]

    @property
    def admin_headers(self) -> dict[str, str]:
        """What the CLI presents to the admin APIs (the harness calls them as the CLI would)."""
        return {"Authorization": f"Bearer {self.credentials.cli}"}

    def ttshop(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*TTSHOP, *args], env=self.cli_env(), capture_output=True, text=True,
                                timeout=timeout, cwd=project_root(), check=False)
        if result.returncode != 0:
            raise RuntimeError(f"ttshop {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def stop(self) -> None:
        self.resume()
        if self._supervisor is not None:
            self._supervisor.stop_all()
        if self._broker is not None:
            self._broker.stop()
        if self._pg is not None:
            self._pg.stop()

