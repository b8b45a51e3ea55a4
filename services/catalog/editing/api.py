"""Admin HTTP API of editing posted products (R38): what `ttshop catalog products update` calls."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.web import component
from services.catalog.editing.service import Editor
from services.catalog.posting.api import refusals
from services.catalog.sync.domain import Kind

router = APIRouter(tags=["posting"])


class Update(BaseModel):
    mode: Literal["partial", "full", "inventory", "price"] = Field(
        description="partial: the fields changed since the last post (partial_edit); full: the whole record (PUT); "
                    "inventory / price: today's stored levels, now (no review).")


@router.post("/shops/{shop_id}/products/{seller_sku}/update")
async def update_product(request: Request, shop_id: str, seller_sku: str, body: Update) -> dict[str, Any]:
    """Update a product already on TikTok: an edit goes back to TikTok's review (``fields`` says what changed,
    ``skus_added`` / ``skus_removed`` the variations); a stock or price push answers each SKU's upload."""
    editor: Editor = component(request, "editor")
    with refusals():
        if body.mode == "partial" or body.mode == "full":
            return await editor.update(shop_id, seller_sku, body.mode)
        return await editor.push(shop_id, seller_sku, Kind(body.mode))
