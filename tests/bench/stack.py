"""The local stack as `make run` starts it (`ttshop dev --port-offset N` in a subprocess), its
connection settings from dev.env, and the processes it runs (for peak memory and profiling)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from libs.cli.devenv import read_dev_env
from libs.cli.infra import port_is_free

ROOT = Path(__file__).resolve().parents[2]
TTSHOP = [sys.executable, "-m", "libs.cli.main"]
PORTS = (8100, 8101, 8102, 8103, 8104, 9092)


def free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(1000, 20000, 10)
        if all(port_is_free(p + offset) for p in PORTS):
            return offset
    raise RuntimeError("no free port range for the benchmark stack")


@dataclass
class Stack:
    proc: subprocess.Popen[str]
    state_dir: Path
    env: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.values[f"{name.upper()}_URL"]

    @property
    def bootstrap(self) -> str:
        return self.values["KAFKA_BOOTSTRAP_SERVERS"]

    def ttshop(self, *args: str) -> str:
        result = subprocess.run(
            [*TTSHOP, *args], check=False, env=self.env, capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        if result.returncode != 0:
            raise RuntimeError(f"ttshop {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def processes(self) -> dict[str, list[int]]:
        """pids per part of the stack: the services and sandbox by module, the broker, PostgreSQL."""
        found: dict[str, list[int]] = {}
        everything = list(_all_cmdlines())
        for pid, cmdline in everything:
            name = _classify(cmdline, self.state_dir)
            if name is not None and pid != self.proc.pid and (name == "postgres" or _descends_from(pid, self.proc.pid)):
                found.setdefault(name, []).append(pid)
        postmasters = list(found.get("postgres", []))
        for pid, _ in everything:  # PostgreSQL backends and helpers: children of the postmaster
            if pid not in postmasters and any(_descends_from(pid, pm) for pm in postmasters):
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
    if "tansu" in joined:
        return "broker (tansu)"
    if "postgres" in joined and str(state_dir) in joined:
        return "postgres"
    return None


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(10):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM: the process's peak resident set size."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@contextmanager
def running_stack(extra_env: dict[str, str]) -> Iterator[Stack]:
    state = Path(tempfile.mkdtemp(prefix="ttshop-bench-"))
    env = {**os.environ, "TTSHOP_STATE_DIR": str(state), "COLUMNS": "200", **extra_env}
    for key in ("AUTH_URL", "CATALOG_URL", "ORDERS_URL", "FULFILLMENT_URL", "SANDBOX_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([*TTSHOP, "dev", "--port-offset", str(free_offset())], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    try:
        deadline = time.monotonic() + 180
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError("ttshop dev exited:\n" + "".join(output))
            output.append(line)
            if "press Ctrl-C" in line:
                break
        else:
            raise RuntimeError("ttshop dev not ready in 180 s:\n" + "".join(output))
        yield Stack(proc, state, env, read_dev_env(state / "dev.env"))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
