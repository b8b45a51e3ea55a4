"""Stand-ins for the consumer's and the relay's pool and producer in unit tests (no database, no broker), and a
reader of the metrics' registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from libs.common import metrics


class FakeConn:
    """Answers the inbox claims (``fresh`` decides: a first delivery or a redelivery) and the relay's queries."""

    def __init__(self, *, fresh: bool = True, unsent: list[dict[str, Any]] | None = None) -> None:
        self.fresh, self.unsent = fresh, unsent or []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return True if "advisory" in sql else (self.fresh or None)

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if "FROM outbox" in sql:
            return self.unsent
        return [{"event_id": event_id} for event_id in args[1]] if self.fresh else []

    async def execute(self, sql: str, *args: Any) -> str:
        return "UPDATE 1"


class FakePool:
    def __init__(self, conn: FakeConn) -> None:
        self.conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConn]:
        yield self.conn


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def publish(self, topic: str, value: bytes, **_: Any) -> None:
        self.sent.append((topic, value))

    async def publish_many(self, messages: list[tuple[str, bytes | None, bytes]]) -> None:
        self.sent.extend((topic, value) for topic, _, value in messages)


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0
