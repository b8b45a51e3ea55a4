"""The local stack exactly as `make run` starts it: `ttshop dev --port-offset N` in a subprocess,
found through its dev.env. Used by the e2e tests and the benchmark."""

from __future__ import annotations

import os
import random
import shutil
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
PORTS = (8100, 8101, 8102, 8103, 8104, 8105, 9092)


def free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(1000, 20000, 10)
        if all(port_is_free(p + offset) for p in PORTS):
            return offset
    raise RuntimeError("no free port range for a local stack")


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

    def ttshop(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the real `ttshop` command against this stack."""
        result = subprocess.run(
            [*TTSHOP, *args], check=False, env=self.env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"ttshop {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result


@contextmanager
def running_stack(extra_env: dict[str, str] | None = None, *, ready_timeout_s: float = 180) -> Iterator[Stack]:
    """Start `ttshop dev` on a free port range with its own state directory; Ctrl-C it on exit."""
    state = Path(tempfile.mkdtemp(prefix="ttshop-stack-"))
    env = {**os.environ, "TTSHOP_STATE_DIR": str(state), "COLUMNS": "200", **(extra_env or {})}
    for key in ("AUTH_URL", "CATALOG_URL", "ORDERS_URL", "FULFILLMENT_URL", "SANDBOX_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([*TTSHOP, "dev", "--port-offset", str(free_offset())], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    try:
        deadline = time.monotonic() + ready_timeout_s
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError("ttshop dev exited:\n" + "".join(output))
            output.append(line)
            if "press Ctrl-C" in line:
                break
        else:
            raise RuntimeError(f"ttshop dev not ready in {ready_timeout_s} s:\n" + "".join(output))
        yield Stack(proc, state, env, read_dev_env(state / "dev.env"))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        finally:
            shutil.rmtree(state, ignore_errors=True)  # its database and logs (~100 MB)
