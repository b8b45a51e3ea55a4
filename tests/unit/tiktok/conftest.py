"""Fakes for the TikTok client tests: a scripted API behind httpx.MockTransport and an
in-memory TokenProvider."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.tokens import ShopAccess

APP_KEY = "test-app-key"
APP_SECRET = "test-app-secret-xyz"
BASE_URL = "https://open-api.example.test"


def envelope(data: Any = None, code: int = 0, message: str = "Success", request_id: str = "req-1") -> dict:
    return {"code": code, "message": message, "request_id": request_id, "data": data}


def ok(data: Any = None, **kw: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(data, **kw))


@dataclass
class ScriptedApi:
    """Answers requests from a list of responses (or callables taking the request) in order,
    and records every request it saw."""

    script: list[httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unexpected extra request {request.method} {request.url.path}")
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        return step


class FakeTokens:
    """TokenProvider handing out ``token-1``, ``token-2``… per shop; counts calls."""

    def __init__(self, cipher: str | None = "cipher-abc") -> None:
        self.cipher = cipher
        self.generation: dict[str, int] = {}
        self.gets = 0
        self.invalidated: list[str] = []
        self.refused: list[int | None] = []

    async def get(self, shop_id: str) -> ShopAccess:
        self.gets += 1
        n = self.generation.setdefault(shop_id, 1)
        return ShopAccess(shop_id, self.cipher, SecretStr(f"token-{n}"), expires_at=4_000_000_000, generation=n)

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        self.invalidated.append(shop_id)
        self.refused.append(refused_generation)
        self.generation[shop_id] = self.generation.get(shop_id, 1) + 1


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(sleep: RecordingSleep) -> Callable[..., tuple[TikTokClient, ScriptedApi]]:
    """``make_client(script, tokens=..., **client_kwargs)`` -> (client, api)."""

    def factory(script: list[Any], tokens: Any = None, **kwargs: Any) -> tuple[TikTokClient, ScriptedApi]:
        api = ScriptedApi(list(script))
        http = httpx.AsyncClient(transport=httpx.MockTransport(api))
        options: dict[str, Any] = {
            "http": http,
            "base_url": BASE_URL,
            "app_key": APP_KEY,
            "app_secret": SecretStr(APP_SECRET),
            "tokens": tokens,
            "limiter": None,
            "sleep": sleep,
            "clock": lambda: 1_700_000_000.0,
        }
        options.update(kwargs)
        return TikTokClient(**options), api

    return factory
