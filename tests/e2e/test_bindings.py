"""`ttshop dev` binds every service, the sandbox and the broker to 127.0.0.1 (issue 12): nothing it
starts listens on another interface, so the admin APIs are not open to the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.devstack import Stack

pytestmark = pytest.mark.e2e

LISTEN = "0A"
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it (little-endian hex)


def listening() -> dict[int, set[str]]:
    """port -> the addresses something listens on it (hex as in /proc/net/tcp{,6})."""
    found: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == LISTEN:
                found.setdefault(int(port, 16), set()).add(address)
    return found


def test_every_part_of_the_stack_listens_on_loopback_only(stack: Stack) -> None:
    ports = {name: urlsplit(stack.url(name)).port for name in ("sandbox", "auth", "catalog", "orders", "fulfillment")}
    ports["kafka"] = int(stack.bootstrap.rsplit(":", 1)[1])
    sockets = listening()
    for name, port in ports.items():
        assert port in sockets, f"{name} does not listen on {port}"
        assert sockets[port] == {LOOPBACK_V4}, f"{name} listens on {sorted(sockets[port])} at port {port}"
