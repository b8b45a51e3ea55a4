"""Admin HTTP API of posting (R38, R39, R45): what `ttshop catalog products post` calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS
from libs.common.web import ApiError
from services.catalog.posting.service import Poster, PostRefused

router = APIRouter(tags=["posting"])


def _poster(request: Request) -> Poster:
    found: Poster | None = getattr(request.app.state, "poster", None)
    if found is None:
        raise ApiError(503, "not_ready", "the catalog service is still starting; retry in a moment")
    return found


@router.post("/shops/{shop_id}/products/{seller_sku}/post")
async def post_product(request: Request, shop_id: str, seller_sku: str) -> dict[str, Any]:
    """Post a ready product (a matrix parent with its children) to the shop; answers the posting's state:
    ``posted`` with TikTok's ids (in review), or ``failed`` with TikTok's reasons and what to do."""
    try:
        return await _poster(request).post(shop_id, seller_sku)
    except PostRefused as exc:
        raise ApiError(exc.status, "not_posted", exc.message + "".join(
            f"; {p['rule']} {p['field']}: {p['message']}" for p in exc.problems)) from exc
    except AUTHORIZATION_PROBLEMS as exc:
        raise ApiError(409, "shop_not_authorized", f"{exc}; reconnect the shop (`ttshop shops connect`)") from exc
    except TikTokError as exc:  # transient: nothing lost, the post keeps its idempotency key
        raise ApiError(503, f"tiktok_{exc.code}", f"TikTok did not answer ({exc.code}: {exc.message}); post "
                       "again: the same product is answered, never a second one") from exc
