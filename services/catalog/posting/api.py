"""Admin HTTP API of posting (R38, R39, R45): what `ttshop catalog products post` calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.limits import Sku
from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS
from libs.common.web import ApiError, component, database, wake
from services.catalog.posting import jobs_repo
from services.catalog.posting.jobs import job_view
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


class BulkPost(BaseModel):
    all_ready: bool = Field(default=False, description="Every product ready for the shop and not yet on TikTok.")
    skus: list[Sku] = Field(default_factory=list, description="These seller SKUs (matrix parents or single products).")


@router.post("/shops/{shop_id}/posts", status_code=202)
async def bulk_post(request: Request, shop_id: str, body: BulkPost) -> dict[str, Any]:
    """R44: one queued job posting many products, with progress at ``GET /jobs/{id}``."""
    if body.all_ready == bool(body.skus):
        raise ApiError(400, "invalid_request", "give all_ready or a list of skus (not both)")
    async with database(request).acquire() as conn, conn.transaction():
        skus = await jobs_repo.ready_unposted(conn, shop_id) if body.all_ready else sorted(set(body.skus))
        if not skus:
            raise ApiError(409, "nothing_to_post", f"no product is ready and unposted for shop {shop_id}; "
                           f"run `ttshop catalog products check --shop {shop_id} --all`")
        job = await jobs_repo.create(conn, shop_id, skus)
    wake(request, "post-jobs")
    return job_view(job, {"posted": 0, "failed": 0, "waiting": len(skus), "in_review": 0, "live": 0,
                          "rejected": 0}, [])
