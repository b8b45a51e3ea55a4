"""The whole system as separate processes, started exactly as `make run` starts it (`ttshop dev`)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from libs.cli.devenv import read_dev_env
from libs.cli.infra import port_is_free

ROOT = Path(__file__).resolve().parents[2]
TTSHOP = [sys.executable, "-m", "libs.cli.main"]


def _free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(1000, 20000, 10)
        if all(port_is_free(p + offset) for p in (8100, 8101, 8102, 8103, 8104, 9092)):
            return offset
    raise RuntimeError("no free port range for the e2e stack")


class Stack:
    def __init__(self, state_dir: Path, env: dict[str, str]) -> None:
        self.state_dir = state_dir
        self.env = env
        self.values = read_dev_env(state_dir / "dev.env")

    def url(self, name: str) -> str:
        return self.values[f"{name.upper()}_URL"]

    @property
    def bootstrap(self) -> str:
        return self.values["KAFKA_BOOTSTRAP_SERVERS"]

    def ttshop(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*TTSHOP, *args], check=False, env=self.env, capture_output=True, text=True,
                                timeout=timeout, cwd=ROOT)
        if check and result.returncode != 0:
            raise AssertionError(f"ttshop {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state = tmp_path_factory.mktemp("ttshop-state")
    env = {**os.environ, "TTSHOP_STATE_DIR": str(state), "COLUMNS": "200"}
    for key in ("AUTH_URL", "CATALOG_URL", "ORDERS_URL", "FULFILLMENT_URL", "SANDBOX_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([*TTSHOP, "dev", "--port-offset", str(_free_offset())], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    try:
        deadline = time.monotonic() + 180
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                raise AssertionError("ttshop dev exited:\n" + "".join(output))
            output.append(line)
            if "press Ctrl-C" in line:
                break
        else:
            raise AssertionError("ttshop dev not ready in 180 s:\n" + "".join(output))
        yield Stack(state, env)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
