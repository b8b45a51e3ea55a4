"""Sliding one-second window per (app, shop, endpoint template), like TikTok's per-API QPS limit."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(self, qps: int, clock: Callable[[], float]) -> None:
        self.qps = qps
        self._clock = clock
        self._hits: dict[tuple[str, str, str], deque[float]] = {}

    def allow(self, key: tuple[str, str, str]) -> bool:
        """Records the call and says whether it fits in the last second's budget."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - 1.0:
            hits.popleft()
        if len(hits) >= self.qps:
            return False
        hits.append(now)
        return True
