"""Fixtures: an in-process sandbox behind httpx.ASGITransport, and a tiny signed-request helper
that signs the way a TikTok client must (libs.common.tiktok.signing.sign)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from libs.common.tiktok.signing import sign
from libs.sandbox.app import create_app
from libs.sandbox.settings import SandboxSettings

APP_KEY = "test-app"
APP_SECRET = "test-secret"


def make_settings(**overrides: Any) -> SandboxSettings:
    values: dict[str, Any] = {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "webhook_url": "",
        "webhook_retry_delays_s": [0.01, 0.01],
        "rate_limit_qps": 50,
    }
    values.update(overrides)
    return SandboxSettings(**values)


@dataclass
class Shop:
    shop_id: str
    cipher: str
    warehouse_id: str
    access_token: str
    refresh_token: str


@dataclass
class Sandbox:
    app: FastAPI
    http: httpx.AsyncClient
    captured: list[httpx.Request] = field(default_factory=list)

    async def control(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.http.request(method, path, json=body)
        payload: dict[str, Any] = response.json()
        assert payload["code"] == 0, payload
        return payload["data"]  # type: ignore[no-any-return]

    async def new_shop(self, **seller: Any) -> Shop:
        created = await self.control("POST", "/sandbox/sellers", seller)
        tokens = await self.exchange(created["auth_code"])
        assert tokens["code"] == 0, tokens
        return Shop(
            created["shop_id"],
            created["shop_cipher"],
            created["warehouse_id"],
            tokens["data"]["access_token"],
            tokens["data"]["refresh_token"],
        )

    async def exchange(self, auth_code: str, secret: str = APP_SECRET) -> dict[str, Any]:
        params = {
            "app_key": APP_KEY,
            "app_secret": secret,
            "auth_code": auth_code,
            "grant_type": "authorized_code",
        }
        return (await self.http.get("/api/v2/token/get", params=params)).json()  # type: ignore[no-any-return]

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        params = {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "refresh_token": refresh_token,
            "grant_type": "refresh_token",
        }
        response = await self.http.get("/api/v2/token/refresh", params=params)
        return response.json()  # type: ignore[no-any-return]

    async def place_order(
        self, shop: Shop, lines: list[dict[str, Any]] | None = None, **extra: Any
    ) -> dict[str, Any]:
        lines = lines or [{"seller_sku": "SKU-1", "quantity": 1, "unit_price": "10.00"}]
        return await self.control("POST", f"/sandbox/shops/{shop.shop_id}/orders", {"lines": lines, **extra})

    async def call(
        self,
        method: str,
        path: str,
        *,
        shop: Shop | None = None,
        token: str | None = None,
        cipher: str | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
        timestamp: int | None = None,
        secret: str = APP_SECRET,
        tamper_sign: bool = False,
    ) -> httpx.Response:
        """A TikTok-style signed call. ``cipher`` defaults to the shop's; pass "" to omit it."""
        query: dict[str, Any] = {
            "app_key": APP_KEY,
            "timestamp": timestamp or int(time.time()),
            **(params or {}),
        }
        shop_cipher = shop.cipher if cipher is None and shop is not None else cipher
        if shop_cipher:
            query["shop_cipher"] = shop_cipher
        raw = json.dumps(body).encode() if body is not None else b""
        query["sign"] = sign(secret, path, query, raw)
        if tamper_sign:
            query["sign"] = query["sign"][::-1]
        headers = {"content-type": "application/json"}
        access = token if token is not None else (shop.access_token if shop else None)
        if access is not None:
            headers["x-tts-access-token"] = access
        return await self.http.request(method, path, params=query, content=raw, headers=headers)

    async def upload(
        self,
        path: str,
        shop: Shop,
        data: bytes,
        *,
        filename: str = "upload.bin",
        fields: dict[str, str] | None = None,
        with_cipher: bool = False,
    ) -> dict[str, Any]:
        """A signed multipart upload (the body is not part of the signature); seller-scoped unless
        ``with_cipher``. Returns the envelope."""
        query: dict[str, Any] = {"app_key": APP_KEY, "timestamp": int(time.time())}
        if with_cipher:
            query["shop_cipher"] = shop.cipher
        query["sign"] = sign(APP_SECRET, path, query, b"", multipart=True)
        response = await self.http.post(
            path,
            params=query,
            files={"data": (filename, data, "application/octet-stream")},
            data=fields or {},
            headers={"x-tts-access-token": shop.access_token},
        )
        return response.json()  # type: ignore[no-any-return]


async def open_sandbox(settings: SandboxSettings, **app_kwargs: Any) -> AsyncIterator[Sandbox]:
    captured: list[httpx.Request] = []
    status_codes: list[int] = app_kwargs.pop("webhook_status", [200])

    def receive(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(status_codes[min(len(captured), len(status_codes)) - 1])

    app = create_app(settings, webhook_transport=httpx.MockTransport(receive), **app_kwargs)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
            yield Sandbox(app, http, captured)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async for box in open_sandbox(make_settings()):
        yield box


@pytest.fixture
async def shop(sandbox: Sandbox) -> Shop:
    return await sandbox.new_shop(name="Acme")
