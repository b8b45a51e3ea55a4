"""The faults of a chaos run, drawn from its seed: ``kill -9`` of each service (several times each), then a
restart; PostgreSQL restarted and paused; the broker paused; TikTok (the sandbox) down (connections
refused and reset, through the proxy in front of it), answering 5xx and 429 storms and slowly; access
tokens expired mid-run; a shop's tokens revoked (with TikTok's deauthorisation webhook, and without a
word), then the shop connected again by the operator with a fresh code. One fault at a time, at random
moments."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from libs.cli.dev import SERVICES
from tests.chaos.stack import ChaosStack


@dataclass
class Injected:
    at_s: float
    kind: str
    target: str
    took_s: float


@dataclass
class FaultPlan:
    kills_per_service: int
    pause_s: float
    storm_s: float
    shops: list[str]
    reconnect: Callable[[int], Awaitable[None]]  # the operator connects shop n again (fresh auth code)
    done: list[Injected] = field(default_factory=list)

    def draw(self, rng: random.Random) -> list[tuple[str, str]]:
        plan = [("kill", name) for name in SERVICES for _ in range(self.kills_per_service)]
        plan += [("pause", "broker"), ("pause", "postgres"), ("restart", "postgres"),
                 ("storm", "error_5xx"), ("storm", "rate_limit_429"), ("storm", "latency"),
                 ("down", "tiktok"), ("expire", "tokens"), ("revoke", "webhook"), ("revoke", "silent")]
        rng.shuffle(plan)
        return plan


async def inject(stack: ChaosStack, plan: FaultPlan, rng: random.Random, http: httpx.AsyncClient,
                 duration_s: float, started: float) -> None:
    """Spread the plan's faults over ``duration_s`` (the last 15 % left quiet-ish for the load to finish)."""
    steps = plan.draw(rng)
    gap = duration_s * 0.85 / (len(steps) + 1)
    for kind, target in steps:
        await asyncio.sleep(max(0.0, rng.uniform(0.5, 1.5) * gap))
        t = time.monotonic()
        await _one(stack, plan, rng, http, kind, target)
        plan.done.append(Injected(t - started, kind, target, time.monotonic() - t))


async def _one(stack: ChaosStack, plan: FaultPlan, rng: random.Random, http: httpx.AsyncClient, kind: str,
               target: str) -> None:
    sandbox = stack.urls["sandbox"]
    if kind == "kill":
        stack.kill(target)
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        await stack.restart(target)
    elif kind == "pause":
        stack.pause_broker() if target == "broker" else stack.pause_postgres()
        await asyncio.sleep(plan.pause_s)
        stack.resume()
    elif kind == "restart":
        await asyncio.to_thread(stack.restart_postgres)
    elif kind == "storm":
        body = {"kind": target, "rate": 0.5, "duration_s": plan.storm_s}
        if target == "latency":
            body.update(rate=0.3, latency_ms=3000)
        (await http.post(f"{sandbox}/sandbox/faults", json=body)).raise_for_status()
        await asyncio.sleep(plan.storm_s)
    elif kind == "down":
        stack.tiktok_down()
        await asyncio.sleep(plan.storm_s)
        stack.tiktok_up()
    elif kind == "revoke":
        n = rng.randrange(len(plan.shops))
        shop = plan.shops[n]
        if target == "webhook":  # the seller removed the app: tokens dead, SELLER_DEAUTHORIZATION sent
            (await http.post(f"{sandbox}/sandbox/shops/{shop}/deauthorize")).raise_for_status()
        else:  # TikTok revoked them without a word: found at the next call
            body = {"kind": "revoke_tokens", "shop_id": shop}
            (await http.post(f"{sandbox}/sandbox/faults", json=body)).raise_for_status()
        await asyncio.sleep(plan.pause_s)  # orders, shipments and stock for the shop are held meanwhile
        await plan.reconnect(n)
    elif kind == "expire":
        for shop in plan.shops:
            (await http.post(f"{sandbox}/sandbox/tokens/expire", json={"shop_id": shop})).raise_for_status()
