"""Small helpers shared by the embedded-infrastructure pieces: ports, state directory, log tails."""

from __future__ import annotations

import os
import socket
from pathlib import Path

#: Environment variable that moves the `.ttshop` state directory (pgdata, logs, dev.env).
STATE_DIR_ENV = "TTSHOP_STATE_DIR"


class InfraError(RuntimeError):
    """Embedded infrastructure could not be started; the message says what to do."""


def project_root() -> Path:
    """The checkout this package lives in (``libs/cli/infra`` -> three levels up)."""
    return Path(__file__).resolve().parents[3]


def state_dir() -> Path:
    """Where `ttshop dev` keeps its state: ``$TTSHOP_STATE_DIR`` or ``<project root>/.ttshop``."""
    configured = os.environ.get(STATE_DIR_ENV)
    return Path(configured).expanduser().resolve() if configured else project_root() / ".ttshop"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port``.

    SO_REUSEADDR as servers set it: connections in TIME_WAIT from a previous run do not count.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file (empty string when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
