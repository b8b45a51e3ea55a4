"""Child-process supervision for `ttshop dev` and end-to-end tests.

Each child runs in its own process group (so Ctrl-C in the terminal reaches only us, and we stop
children in order) with stdout/stderr in ``<log_dir>/<name>.log``. :meth:`ProcessSupervisor.stop_all`
SIGTERMs every group, waits, then SIGKILLs; it runs from ``finally`` blocks and from ``atexit``.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from ._common import InfraError, log_tail
from .broker import terminate_group

DEFAULT_PROBES = ("/healthz", "/readyz")


class ChildDiedError(InfraError):
    """A supervised child exited when it should be running."""


@dataclass
class ManagedProcess:
    """One supervised child."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    url: str | None = None
    probes: tuple[str, ...] = DEFAULT_PROBES
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exited(self) -> int | None:
        """The exit code when the child has exited, else None."""
        return self.popen.poll()

    def death_report(self) -> str:
        return (
            f"{self.name} exited with code {self.popen.returncode}; last lines of {self.log_path}:\n"
            f"{log_tail(self.log_path)}"
        )


class ProcessSupervisor:
    """Starts children and guarantees they are gone after :meth:`stop_all` (or interpreter exit)."""

    def __init__(self, log_dir: Path, *, grace_s: float = 10.0) -> None:
        self.log_dir = log_dir
        self.grace_s = grace_s
        self.processes: dict[str, ManagedProcess] = {}
        self._atexit_registered = False

    def start(
        self,
        name: str,
        module: str | None = None,
        *,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        inherit_env: bool = True,
        url: str | None = None,
        probes: tuple[str, ...] = DEFAULT_PROBES,
        cwd: Path | None = None,
    ) -> ManagedProcess:
        """Start ``python -m module`` (or an explicit ``argv``) as child ``name``.

        ``env`` is layered over ``os.environ`` unless ``inherit_env`` is False. ``url`` is the base
        URL :meth:`wait_all_healthy` probes, with the paths in ``probes`` (in order).
        """
        if name in self.processes and self.processes[name].exited() is None:
            raise InfraError(f"a process named {name!r} is already running")
        if (module is None) == (argv is None):
            raise ValueError("give exactly one of module or argv")
        cmd = [sys.executable, "-m", module] if module is not None else list(argv or [])
        child_env = dict(os.environ) if inherit_env else {}
        child_env.update(env or {})
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("ab")
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}: {' '.join(cmd)}\n".encode())
        log.flush()
        if not self._atexit_registered:
            atexit.register(self.stop_all)
            self._atexit_registered = True
        try:
            popen = subprocess.Popen(
                cmd, env=child_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=cwd,
            )
        except BaseException:
            log.close()
            raise
        proc = ManagedProcess(name=name, popen=popen, log_path=log_path, url=url, probes=probes, _log=log)
        self.processes[name] = proc
        return proc

    def check_alive(self) -> None:
        """Raise :class:`ChildDiedError` (with its log tail) when any child has exited."""
        for proc in self.processes.values():
            if proc.exited() is not None:
                raise ChildDiedError(proc.death_report())

    async def wait_healthy(
        self, url: str, timeout: float = 30.0, probes: tuple[str, ...] = DEFAULT_PROBES
    ) -> float:
        """Poll ``GET {url}/healthz`` then ``GET {url}/readyz`` (``probes``) until each answers 2xx.

        Returns the seconds it took. Fails fast with the log tail when any supervised child dies meanwhile; on timeout the
        error names the probe that never succeeded and the last answer it got.
        """
        started = time.monotonic()
        deadline = started + timeout
        last = "no answer yet"
        async with httpx.AsyncClient(timeout=2.0) as client:
            for probe in probes:
                while True:
                    self.check_alive()
                    try:
                        response = await client.get(url.rstrip("/") + probe)
                        if response.is_success:
                            break
                        last = f"HTTP {response.status_code}: {response.text[:300]}"
                    except httpx.HTTPError as exc:
                        last = f"{type(exc).__name__}: {exc}"
                    if time.monotonic() >= deadline:
                        raise InfraError(
                            f"{url}{probe} not healthy after {timeout:.0f}s ({last})" + self._hint_for(url)
                        )
                    await asyncio.sleep(0.1)
        return time.monotonic() - started

    async def wait_all_healthy(
        self, timeout: float = 60.0, on_ready: Callable[[ManagedProcess, float], None] | None = None
    ) -> None:
        """:meth:`wait_healthy` for every child started with a ``url``, concurrently;
        ``on_ready(process, seconds)`` is called as each one becomes ready."""

        async def one(proc: ManagedProcess, url: str) -> None:
            elapsed = await self.wait_healthy(url, timeout, proc.probes)
            if on_ready is not None:
                on_ready(proc, elapsed)

        await asyncio.gather(*(one(p, p.url) for p in self.processes.values() if p.url))

    def _hint_for(self, url: str) -> str:
        for proc in self.processes.values():
            if proc.url == url:
                return f"; last lines of {proc.log_path}:\n{log_tail(proc.log_path)}"
        return ""

    def stop_all(self) -> None:
        """Stop children in reverse start order: SIGTERM each group, wait, SIGKILL. Idempotent."""
        procs = list(self.processes.values())[::-1]
        for proc in procs:
            _signal_term(proc)
        deadline = time.monotonic() + self.grace_s
        for proc in procs:
            terminate_group(proc.popen, max(0.0, deadline - time.monotonic()))
            if proc._log is not None:
                proc._log.close()
                proc._log = None
        self.processes.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()


def _signal_term(proc: ManagedProcess) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
