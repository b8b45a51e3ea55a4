"""Processes a previous `ttshop dev` left behind when it was killed without a chance to clean up
(SIGKILL, a closed terminal): recorded in ``.ttshop/dev.pids`` as they start, stopped by the next
`ttshop dev` before it checks its ports. A pid is only touched if the process still runs the very
command that was recorded, so a recycled pid is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from .infra import state_dir


def _path() -> Path:
    return state_dir() / "dev.pids"


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None


def record(pid: int | None) -> None:
    """Remember a process this run started (call right after starting it)."""
    if pid is None:
        return
    ours = _cmdline(os.getpid())
    cmd = _cmdline(pid)
    deadline = time.monotonic() + 2.0
    while cmd in (ours, "", None) and time.monotonic() < deadline:  # forked, not yet exec'd (or exec'ing)
        time.sleep(0.01)
        cmd = _cmdline(pid)
    if cmd and cmd != ours:
        path = _path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            handle.write(f"{pid}\t{cmd}\n")


def clear() -> None:
    """A clean stop: nothing is left behind."""
    _path().unlink(missing_ok=True)


def reap(grace_s: float = 10.0) -> list[str]:
    """Stop what a previous run left; returns a description of each process stopped."""
    path = _path()
    if not path.exists():
        return []
    alive: list[tuple[int, str]] = []
    for line in path.read_text().splitlines():
        pid_text, _, cmd = line.partition("\t")
        if pid_text.isdigit() and _cmdline(int(pid_text)) == cmd:
            alive.append((int(pid_text), cmd))
    alive = [(pid, cmd) for pid, cmd in alive if _group(pid) not in (None, os.getpgrp())]
    for pid, _ in alive:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_cmdline(pid) for pid, _ in alive):
        time.sleep(0.1)
    for pid, _ in alive:
        if _cmdline(pid):
            _signal_group(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return [f"{pid} {cmd[:80]}" for pid, cmd in alive]


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    group = _group(pid)
    if group is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, sig)
