"""The auth service's own token provider names the refused generation once, then forgets it (issue 8)."""

from __future__ import annotations

from pydantic import SecretStr

from libs.common.tiktok.tokens import ShopAccess
from services.auth.tiktok import LocalTokenProvider


async def test_a_refused_generation_is_passed_to_the_next_fetch_only() -> None:
    asked: list[tuple[str, int | None]] = []

    async def fetch(shop_id: str, refused: int | None) -> ShopAccess:
        asked.append((shop_id, refused))
        return ShopAccess(shop_id, "cipher", SecretStr("t"), 4_000_000_000.0, generation=(refused or 0) + 1)

    tokens = LocalTokenProvider(fetch)
    await tokens.get("S1")
    await tokens.invalidate("S1", refused_generation=3)
    assert (await tokens.get("S1")).generation == 4
    await tokens.get("S1")
    await tokens.invalidate("S2")  # no generation: nothing to refuse
    await tokens.get("S2")
    assert asked == [("S1", None), ("S1", 3), ("S1", None), ("S2", None)]
