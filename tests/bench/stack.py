"""The processes a running local stack is made of (for peak memory and profiling). The stack itself
is started by :mod:`tests.support.devstack`, as `make run` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tests.support.devstack import Stack
from tests.support.procs import descends_from


def processes(stack: Stack) -> dict[str, list[int]]:
    """pids per part of the stack: the services, console and sandbox by module, the broker, PostgreSQL."""
    found: dict[str, list[int]] = {}
    everything = list(_all_cmdlines())
    for pid, cmdline in everything:
        name = _classify(cmdline, stack.state_dir)
        if name is not None and pid != stack.proc.pid and (name == "postgres" or descends_from(pid, stack.proc.pid)):
            found.setdefault(name, []).append(pid)
    postmasters = list(found.get("postgres", []))
    for pid, _ in everything:  # PostgreSQL backends and helpers: children of the postmaster
        if pid not in postmasters and any(descends_from(pid, pm) for pm in postmasters):
            found["postgres"].append(pid)
    return found


def _all_cmdlines() -> Iterator[tuple[int, list[str]]]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            yield int(entry.name), [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _classify(cmdline: list[str], state_dir: Path) -> str | None:
    joined = " ".join(cmdline)
    if "-m" in cmdline:
        module = cmdline[cmdline.index("-m") + 1] if cmdline.index("-m") + 1 < len(cmdline) else ""
        if module.startswith("services."):
            return module.removeprefix("services.")
        if module == "libs.sandbox":
            return "sandbox"
        if module == "libs.console":
            return "console"
    if "tansu" in joined:
        return "broker (tansu)"
    if "postgres" in joined and str(state_dir) in joined:
        return "postgres"
    return None


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM: the process's peak resident set size."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
