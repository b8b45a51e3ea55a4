"""Category, attribute, rule and brand endpoints of the API host (shop-scoped, signed), and the control
call that changes who may list in a category. Data and rules: ``taxonomy.py``, ``attributes.py``,
``brands.py``. Wired by :func:`install` from :func:`libs.sandbox.app.create_app`.

Every call that names a category resolves it in the shop's tree, so US shops pass
``category_version=v2`` on all of them (12052217 otherwise) and other shops must not (12052230).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.sandbox import brands as b
from libs.sandbox import errors as e
from libs.sandbox.attributes import attributes_for, rules_for
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.pagination import paginate
from libs.sandbox.security import ShopContext, ShopCtx, get_state
from libs.sandbox.state import SandboxState
from libs.sandbox.taxonomy import V1, V2, Category, CategoryTree, tree, version_for

router = APIRouter(tags=["api host"])
control = APIRouter(prefix="/sandbox", tags=["sandbox control"])


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(router)
    app.include_router(control)


def shop_tree(ctx: ShopContext, category_version: str | None) -> CategoryTree:
    return tree(version_for(ctx.shop.region, category_version))


@router.get("/product/202309/categories")
async def categories(ctx: ShopCtx, category_version: str | None = None, keyword: str | None = None,
                     locale: str | None = None) -> JSONResponse:
    """The whole tree with this shop's ``permission_statuses``; ``keyword`` keeps names containing it."""
    permissions = ctx.state.category_permissions
    needle = (keyword or "").strip().casefold()
    return envelope({"categories": [
        c.to_wire(permissions.status(c, ctx.shop.id))
        for c in shop_tree(ctx, category_version).categories
        if not needle or needle in c.name.casefold()
    ]})


@router.get("/product/202309/categories/{category_id}/attributes")
async def category_attributes(category_id: str, ctx: ShopCtx, category_version: str | None = None,
                              locale: str | None = None) -> JSONResponse:
    category = shop_tree(ctx, category_version).leaf(category_id)
    return envelope({"attributes": [a.to_wire() for a in attributes_for(category)]})


@router.get("/product/202309/categories/{category_id}/rules")
async def category_rules(category_id: str, ctx: ShopCtx, category_version: str | None = None,
                         locale: str | None = None) -> JSONResponse:
    category = shop_tree(ctx, category_version).leaf(category_id)
    return envelope(rules_for(category, ctx.shop.region).to_wire())


@router.get("/product/202309/brands")
async def list_brands(
    ctx: ShopCtx,
    page_size: int | None = None,
    page_token: str | None = None,
    category_id: str | None = None,
    is_authorized: bool | None = None,
    brand_name: str | None = None,
    category_version: str | None = None,
) -> JSONResponse:
    category: Category | None = None
    if category_id:
        category = shop_tree(ctx, category_version).get(category_id)
    filters = {"category_id": category_id, "is_authorized": is_authorized, "brand_name": brand_name,
               "category_version": category_version}

    def key(brand: b.Brand) -> tuple[int, int]:
        return (brand.rank, int(brand.id))

    page, next_token, total = paginate(
        b.search(category, is_authorized, brand_name, ctx.shop.withdrawn_brands), key,
        page_size=page_size, page_token=page_token, filters=filters,
    )
    return envelope({"brands": [x.to_wire(category, ctx.shop.withdrawn_brands) for x in page],
                     "next_page_token": next_token,
                     "total_count": total})


# --- control API ---------------------------------------------------------------------------
class PermissionIn(BaseModel):
    status: str
    shop_id: str | None = None


@control.post("/categories/{category_id}/permission")
async def set_permission(category_id: str, body: PermissionIn, request: Request) -> JSONResponse:
    """``INVITE_ONLY`` / ``AVAILABLE`` for a category and everything under it; with ``shop_id`` for
    that shop only (e.g. the seller was approved). ``category_id`` may be a v1 or a v2 id."""
    state = get_state(request)
    category = tree(V1).by_id.get(category_id) or tree(V2).by_id.get(category_id)
    if category is None:
        raise SandboxError(e.PARAM_INVALID, f"category {category_id} does not exist (v1 or v2)", http_status=404)
    if body.shop_id is not None and state.shop(body.shop_id) is None:
        raise SandboxError(e.PARAM_INVALID, f"shop {body.shop_id} does not exist", http_status=404)
    state.category_permissions.set(category, body.status, body.shop_id)
    return envelope({"category_id": category_id, "local_name": category.name, "status": body.status,
                     "shop_id": body.shop_id})


class BrandAuthorizationIn(BaseModel):
    authorized: bool


@control.post("/shops/{shop_id}/brands/{brand_id}/authorization")
async def set_brand_authorization(shop_id: str, brand_id: str, body: BrandAuthorizationIn,
                                  request: Request) -> JSONResponse:
    """TikTok withdraws (``authorized: false``) or gives back a seller's authorisation of a brand: a create
    with it then fails with 12052201, and ``GET brands`` lists it ``UNAUTHORIZED``."""
    shop = get_state(request).shop(shop_id)
    if shop is None:
        raise SandboxError(e.PARAM_INVALID, f"shop {shop_id} does not exist", http_status=404)
    if brand_id not in b.brands_by_id():
        raise SandboxError(e.PARAM_INVALID, f"brand {brand_id} does not exist", http_status=404)
    if body.authorized:
        shop.withdrawn_brands.discard(brand_id)
    else:
        shop.withdrawn_brands.add(brand_id)
    return envelope({"shop_id": shop_id, "brand_id": brand_id, "authorized": body.authorized})
