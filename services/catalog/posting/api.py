"""Admin HTTP API of posting (R38, R39, R45): what `ttshop catalog products post` calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS
from libs.common.web import ApiError, component
from services.catalog.posting.service import ListingLimitReached, Poster, PostRefused

router = APIRouter(tags=["posting"])


def _poster(request: Request) -> Poster:
    return component(request, "poster")  # type: ignore[no-any-return]


@contextmanager
def refusals() -> Iterator[None]:
    """A post's or an edit's refusals as the API answers them (TikTok's code, and what to do)."""
    try:
        yield
    except PostRefused as exc:
        raise ApiError(exc.status, "not_posted", exc.message + "".join(
            f"; {p['rule']} {p['field']}: {p['message']}" for p in exc.problems)) from exc
    except ListingLimitReached as exc:
        raise ApiError(429, "daily_listing_limit", f"{exc}; post again tomorrow, or use a bulk post job "
                       "(`--all-ready`), which waits by itself") from exc
    except AUTHORIZATION_PROBLEMS as exc:
        raise ApiError(409, "shop_not_authorized", f"{exc}; reconnect the shop (`ttshop shops connect`)") from exc
    except TikTokError as exc:  # transient (the post keeps its idempotency key), or TikTok refused a call
        if not exc.transient:
            raise ApiError(502, f"tiktok_{exc.code}", f"TikTok refused ({exc.code}: {exc.message})") from exc
        raise ApiError(503, f"tiktok_{exc.code}", f"TikTok did not answer ({exc.code}: {exc.message}); send "
                       "it again: a post answers the same product, never a second one") from exc


@router.post("/shops/{shop_id}/products/{seller_sku}/post")
async def post_product(request: Request, shop_id: str, seller_sku: str) -> dict[str, Any]:
    """Post a ready product (a matrix parent with its children) to the shop; answers the posting's state:
    ``posted`` with TikTok's ids (in review), or ``failed`` with TikTok's reasons and what to do."""
    with refusals():
        return await _poster(request).post(shop_id, seller_sku)
