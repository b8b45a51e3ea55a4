"""AuthServiceTokenProvider against a fake auth service."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.tiktok.tokens import (
    AuthServiceTokenProvider,
    ShopNotAuthorized,
    TokenServiceRejected,
    TokenServiceUnavailable,
)

NOW = 1_700_000_000.0


class FakeAuth:
    def __init__(self, expires_in: float = 3600, delay: float = 0.0) -> None:
        self.calls: list[httpx.Request] = []
        self.expires_in = expires_in
        self.delay = delay
        self.status = 200

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return httpx.Response(
                self.status, json={"error": {"code": "shop_disconnected", "message": "shop S1 was disconnected"}}
            )
        shop_id = request.url.path.split("/")[3]
        return httpx.Response(200, json={
            "shop_id": shop_id, "shop_cipher": f"cipher-{shop_id}",
            "access_token": f"tok-{shop_id}-{len(self.calls)}", "expires_at": NOW + self.expires_in,
        })


def provider(auth: FakeAuth, clock: list[float] | None = None) -> AuthServiceTokenProvider:
    now = clock or [NOW]
    return AuthServiceTokenProvider(
        http=httpx.AsyncClient(transport=httpx.MockTransport(auth)),
        auth_service_url="http://auth.test/",
        internal_api_token=SecretStr("internal-secret"),
        margin_s=300,
        clock=lambda: now[0],
    )


async def test_fetches_with_internal_credential_and_caches() -> None:
    auth = FakeAuth()
    tokens = provider(auth)
    first = await tokens.get("S1")
    second = await tokens.get("S1")
    assert first is second and len(auth.calls) == 1
    assert auth.calls[0].url.path == "/internal/shops/S1/token"
    assert auth.calls[0].headers["authorization"] == "Bearer internal-secret"
    assert first.shop_cipher == "cipher-S1" and first.access_token.get_secret_value() == "tok-S1-1"
    assert first.expires_at == NOW + 3600


async def test_refetches_shortly_before_expiry_and_after_invalidate() -> None:
    auth = FakeAuth(expires_in=1000)
    clock = [NOW]
    tokens = provider(auth, clock)
    await tokens.get("S1")
    clock[0] = NOW + 650  # 350 s left: still outside the 300 s margin
    await tokens.get("S1")
    assert len(auth.calls) == 1
    clock[0] = NOW + 750  # inside the margin
    assert (await tokens.get("S1")).access_token.get_secret_value() == "tok-S1-2"
    await tokens.invalidate("S1")
    assert (await tokens.get("S1")).access_token.get_secret_value() == "tok-S1-3"
    assert len(auth.calls) == 3


async def test_concurrent_gets_for_one_shop_make_one_call() -> None:
    auth = FakeAuth(delay=0.01)
    tokens = provider(auth)
    results = await asyncio.gather(*(tokens.get("S1") for _ in range(10)), tokens.get("S2"))
    assert len(auth.calls) == 2
    assert {r.access_token.get_secret_value() for r in results[:10]} == {results[0].access_token.get_secret_value()}


@pytest.mark.parametrize("status", [404, 409])
async def test_unknown_or_disconnected_shop_raises_shop_not_authorized(status: int) -> None:
    auth = FakeAuth()
    auth.status = status
    with pytest.raises(ShopNotAuthorized) as info:
        await provider(auth).get("S1")
    assert info.value.shop_id == "S1" and "shop S1 was disconnected" in info.value.reason
    assert info.value.transient is False


async def test_auth_down_is_transient_and_auth_refusal_is_not() -> None:
    auth = FakeAuth()
    auth.status = 503
    with pytest.raises(TokenServiceUnavailable) as info:
        await provider(auth).get("S1")
    assert info.value.transient

    auth.status = 401
    with pytest.raises(TokenServiceRejected, match="INTERNAL_API_TOKEN"):
        await provider(auth).get("S1")


async def test_token_never_in_repr() -> None:
    tokens = provider(FakeAuth())
    access = await tokens.get("S1")
    for text in (repr(access), str(access), repr(tokens)):
        assert "tok-S1-1" not in text and "internal-secret" not in text


class GenerationAuth(FakeAuth):
    """A fake auth that refreshes (raises the generation) when asked for a token newer than a refused one."""

    def __init__(self) -> None:
        super().__init__()
        self.generation = 1
        self.refused_params: list[str | None] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        refused = request.url.params.get("refused_generation")
        self.refused_params.append(refused)
        if refused is not None and int(refused) >= self.generation:
            self.generation += 1
        return httpx.Response(200, json={
            "shop_id": "S1", "shop_cipher": "c", "access_token": f"tok-gen-{self.generation}",
            "expires_at": NOW + 86_400, "token_generation": self.generation,
        })


async def test_invalidate_names_the_refused_generation_and_gets_a_newer_token() -> None:
    """Issue 8: after TikTok refused generation 1, auth is asked for a newer one (and refreshes)."""
    auth = GenerationAuth()
    tokens = provider(auth)
    first = await tokens.get("S1")
    assert first.generation == 1 and auth.refused_params == [None]
    await tokens.invalidate("S1", refused_generation=1)
    second = await tokens.get("S1")
    assert second.generation == 2 and second.access_token.get_secret_value() == "tok-gen-2"
    assert auth.refused_params == [None, "1"]
    await tokens.get("S1")  # cached again; the refusal is forgotten once a newer token arrived
    assert len(auth.calls) == 2


async def test_a_late_refusal_of_an_older_generation_keeps_the_newer_token() -> None:
    auth = GenerationAuth()
    tokens = provider(auth)
    await tokens.get("S1")
    await tokens.invalidate("S1", refused_generation=1)
    assert (await tokens.get("S1")).generation == 2
    await tokens.invalidate("S1", refused_generation=1)  # a call that started with generation 1 ended now
    assert (await tokens.get("S1")).generation == 2 and len(auth.calls) == 2


@pytest.mark.parametrize(
    ("event", "dropped"),
    [
        (ShopSettingsChanged(shop_id="S1", token_generation=2, changed_at=NOW), True),  # refreshed elsewhere
        (ShopConnected(shop_id="S1", token_generation=5, connected_at=NOW), True),  # reconnected
        (ShopSettingsChanged(shop_id="S1", token_generation=1, changed_at=NOW), False),  # the token we hold
        (ShopSettingsChanged(shop_id="S1", changed_at=NOW), False),  # a switch changed, no generation
        (ShopSettingsChanged(shop_id="S1", status="needs_reauthorization", token_generation=1, changed_at=NOW),
         True),
        (ShopDisconnected(shop_id="S1", disconnected_at=NOW), True),
        (ShopSettingsChanged(shop_id="S2", token_generation=9, changed_at=NOW), False),  # another shop
    ],
)
async def test_shops_changed_drops_the_cached_token_when_it_is_outdated(event: object, dropped: bool) -> None:
    auth = GenerationAuth()
    tokens = provider(auth)
    await tokens.get("S1")
    tokens.observe(event)  # type: ignore[arg-type]
    await tokens.get("S1")
    assert len(auth.calls) == (2 if dropped else 1)
