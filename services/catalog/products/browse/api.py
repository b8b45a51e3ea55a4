"""Admin HTTP API: the product list of the operator console (``GET /products``). Thin: parse, call the use
case, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from libs.common.limits import IdentifierText, Name, Sku
from libs.common.web import database
from services.catalog.products.browse import service
from services.catalog.products.browse.domain import Order, State

router = APIRouter(tags=["products"])

#: The most products one page holds.
MAX_PAGE = 200


@router.get("/products")
async def list_products(
    request: Request, shop: IdentifierText | None = None, state: State | None = None, search: Name | None = None,
    parent: Sku | None = None, order: Order = "sku", limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Our product records, a page at a time: ``{"products": [...], "total": N}`` (``total``: all that match).

    Each has its SKU, title, matrix parent (``parent_sku``), version, the image to show (``image``: the main
    image, else the gallery's first; ``GET /media/{sha256}``) and, with ``shop``, its ``readiness`` there
    (ready, how many problems, the version checked and when; None: never checked) and its ``posting`` there
    (as ``GET /products/{sku}`` answers it: TikTok's product id, our state, TikTok's review status and its
    reasons; None: never posted).

    - ``search``: a case-insensitive part of the seller SKU or the title.
    - ``parent``: the seller SKU of a matrix parent: its variation children only (the records whose
      ``parent_sku`` is exactly that SKU; not the parent itself).
    - ``order``: ``sku`` (alphabetical, the default) or ``newest`` (the newest record first).
    - ``state`` (needs ``shop``): ``unchecked`` (never checked for the shop), ``ready`` / ``not_ready`` (at
      the last check), ``unposted`` (ready and not on TikTok), ``posting`` (a post in flight), ``failed``
      (TikTok refused the last post), ``posted`` (on TikTok), ``in_review`` (on TikTok, the latest version in
      review), ``live`` (on TikTok and on sale), ``rejected`` (on TikTok, the latest version rejected).
    - ``limit`` 1..200 (50), ``offset`` from 0.
    """
    return await service.list_products(database(request), shop_id=shop, state=state, search=search, parent=parent,
                                       order=order, limit=limit, offset=offset)
