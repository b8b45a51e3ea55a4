"""Fault injection on the API and auth hosts: latency, 5xx, 429 bursts, and lost answers (the request is
served, then a 5xx replaces its answer: TikTok did it, the caller cannot know). Token revocation acts at
once through the state. A fault matches ``path`` as a prefix, or exactly with ``exact``; ``times`` caps how
often it strikes. Faults never touch ``/sandbox/*`` or ``/healthz``."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from libs.sandbox import errors as e
from libs.sandbox.errors import envelope

KINDS = ("latency", "error_5xx", "rate_limit_429", "lost_answer", "revoke_tokens")
EXEMPT_PREFIXES = ("/sandbox", "/healthz")


@dataclass
class Fault:
    id: int
    kind: str
    rate: float
    path: str | None
    shop_id: str | None
    latency_ms: int
    expires_at: float | None
    exact: bool = False
    times: int | None = None  # strikes left; None = unlimited

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


class FaultRegistry:
    def __init__(self, clock: Callable[[], float], rng: random.Random | None = None) -> None:
        self._clock = clock
        self._rng = rng or random.Random()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        *,
        kind: str,
        rate: float,
        path: str | None,
        shop_id: str | None,
        latency_ms: int,
        duration_s: float | None,
        exact: bool = False,
        times: int | None = None,
    ) -> Fault:
        expires = self._clock() + duration_s if duration_s is not None else None
        fault = Fault(self._next_id, kind, rate, path, shop_id, latency_ms, expires, exact, times)
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def active(self) -> list[Fault]:
        now = self._clock()
        self._faults = [f for f in self._faults
                        if (f.expires_at is None or f.expires_at > now) and (f.times is None or f.times > 0)]
        return list(self._faults)

    def matching(self, path: str, shop_id: str | None) -> list[Fault]:
        struck = [
            f
            for f in self.active()
            if (f.path is None or (path == f.path if f.exact else path.startswith(f.path)))
            and (f.shop_id is None or f.shop_id == shop_id)
            and self._rng.random() < f.rate
        ]
        for f in struck:
            if f.times is not None:
                f.times -= 1
        return struck


async def fault_middleware(request: Request, call_next: Callable[[Request], Any]) -> Response:
    """Applies the first matching 5xx/429 fault, after any injected latency."""
    path = request.url.path
    if path.startswith(EXEMPT_PREFIXES):
        response: Response = await call_next(request)
        return response
    state = request.app.state.sandbox
    registry: FaultRegistry = request.app.state.faults
    shop = state.shops_by_cipher.get(request.query_params.get("shop_cipher", ""))
    lost = False
    for fault in registry.matching(path, shop.id if shop else None):
        if fault.kind == "lost_answer":
            lost = True
        elif fault.kind == "latency":
            await asyncio.sleep(fault.latency_ms / 1000)
        elif fault.kind == "error_5xx":
            return envelope(
                None, code=e.INTERNAL_ERROR, message="internal error (injected fault)", status=500
            )
        elif fault.kind == "rate_limit_429":
            return envelope(
                None, code=e.TOO_MANY_REQUESTS, message="too many requests (injected fault)", status=429
            )
    response = await call_next(request)
    if lost:  # served, and the answer never reaches the caller
        return envelope(None, code=e.INTERNAL_ERROR, message="internal error after the request was served "
                        "(injected fault)", status=500)
    return response
