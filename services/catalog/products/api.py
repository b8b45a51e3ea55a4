"""Admin HTTP API of our product records (R47) and their readiness (R32-R37): what `ttshop catalog
products upsert|export|check|show` call. Thin: parse, call a use case, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload

from libs.common.spreadsheet import UnsupportedFormat
from libs.common.web import ApiError, component, database
from services.catalog.importing import repo as listing_repo
from services.catalog.media import repo as media_repo
from services.catalog.media import service as media
from services.catalog.posting import repo as posting_repo
from services.catalog.posting.service import view as posting_view
from services.catalog.products import repo
from services.catalog.products.domain import to_json
from services.catalog.products.service import SHA_PREFIX, LoadReport, Products
from services.catalog.readiness import repo as readiness_repo
from services.catalog.readiness import service as readiness
from services.catalog.readiness.rules import summarise

router = APIRouter(tags=["products"])

#: Not a product-file column: shop_id -> TikTok product id this SKU is listed as (how a matrix parent
#: is matched by the R41 import).
LINKS = "tiktok_product_ids"


def _products(request: Request) -> Products:
    return component(request, "products")  # type: ignore[no-any-return]


def _refused(report: LoadReport) -> ApiError:
    lines = "; ".join(f"{p.column or 'record'}: {p.message}" + (f" ({p.value})" if p.value else "")
                      for p in report.problems)
    return ApiError(422, "invalid_product", lines or "the product was refused")


async def _save(request: Request, seller_sku: str, body: dict[str, Any], *, whole: bool) -> dict[str, Any]:
    links = body.pop(LINKS, None) or {}
    if not isinstance(links, dict):
        raise ApiError(422, "invalid_product", f"{LINKS} must be an object shop_id -> TikTok product id")
    _, report = await _products(request).save(seller_sku, body, whole=whole)
    if report.refused:
        raise _refused(report)
    async with database(request).acquire() as conn, conn.transaction():
        for shop_id, product_id in links.items():
            await repo.link_product(conn, shop_id=str(shop_id), seller_sku=seller_sku, product_id=str(product_id),
                                    sku_id=None, source="operator")
    return {**await _product(request, seller_sku), "became_ready": report.became_ready}


@router.put("/products/{seller_sku}")
async def put_product(request: Request, seller_sku: str, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """The whole record, in the product file's JSON form (PRODUCT_FILE.md); fields left out are cleared."""
    return await _save(request, seller_sku, dict(body), whole=True)


@router.patch("/products/{seller_sku}")
async def patch_product(request: Request, seller_sku: str, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Only the fields given change; ``null`` (or ``"-"``) clears a field."""
    return await _save(request, seller_sku, dict(body), whole=False)


@router.get("/products/{seller_sku}")
async def get_product(request: Request, seller_sku: str) -> dict[str, Any]:
    return await _product(request, seller_sku)


#: Files one product-file load may carry (a catalogue's images); Starlette's default is 1,000.
MAX_LOAD_FILES = 50_000


@router.post("/products/load")
async def load_products(request: Request) -> dict[str, Any]:
    """A product file (CSV, XLSX or JSON) as the multipart part ``file`` and the files its rows name by
    relative path as parts ``media_files`` (each part's file name is the path as written in the sheet).
    Bad rows are reported; the good ones load."""
    form = await request.form(max_files=MAX_LOAD_FILES, max_fields=100)
    sheet = form.get("file")
    if not isinstance(sheet, StarletteUpload):
        raise ApiError(422, "invalid_request", "the product file must be sent as the multipart part 'file'")
    attached = {f.filename or "": await f.read() for f in form.getlist("media_files") if isinstance(f, StarletteUpload)}
    report = await _products(request).load_file(await sheet.read(), sheet.filename or "products.csv", attached)
    return report.as_dict()


@router.get("/products-export")
async def export_products(request: Request, filename: str = "products.xlsx") -> Response:
    try:
        data = await _products(request).export(filename)
    except (UnsupportedFormat, ValueError) as exc:
        raise ApiError(400, "unsupported_format", str(exc)) from exc
    return Response(data, headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.post("/media", status_code=201)
async def upload_media(request: Request, file: UploadFile) -> dict[str, Any]:
    """Store a file once; a record refers to it as ``sha256:<hex>``."""
    try:
        stored = await media.store(database(request), await file.read())
    except media.MediaUnavailable as exc:
        raise ApiError(413, "media_too_large", str(exc)) from exc
    return {"ref": SHA_PREFIX + stored.sha256, "sha256": stored.sha256, "size_bytes": stored.size_bytes,
            "content_type": stored.content_type, "image_format": stored.image_format, "width": stored.width,
            "height": stored.height, "error": stored.error}


@router.post("/products/{seller_sku}/check")
async def check_product(request: Request, seller_sku: str, shop: Annotated[str, Query()]) -> dict[str, Any]:
    """R32-R37: every problem of the product for the shop (stored; ProductReady when it became ready)."""
    products = _products(request)
    async with database(request).acquire() as conn, conn.transaction():
        if await repo.get_record(conn, seller_sku) is None:
            raise ApiError(404, "product_not_found", f"SKU {seller_sku!r} is not known to the catalog")
        try:
            results = await readiness.check(conn, shop, [seller_sku], max_children=products.max_children)
        except readiness.ShopUnknown as exc:
            raise ApiError(409, "shop_unknown", str(exc)) from exc
        became = await readiness.record(conn, shop, results, source=products.source)
    [(product, result)] = results
    return {**readiness.readiness_json(product, result), "became_ready": bool(became)}


@router.post("/shops/{shop_id}/check")
async def check_catalogue(request: Request, shop_id: str, top: int = 10) -> dict[str, Any]:
    """Every product of the catalogue for the shop: ready / not ready and the most common problems."""
    products = _products(request)
    async with database(request).acquire() as conn, conn.transaction():
        try:
            results = await readiness.check(conn, shop_id, None, max_children=products.max_children)
        except readiness.ShopUnknown as exc:
            raise ApiError(409, "shop_unknown", str(exc)) from exc
        became = await readiness.record(conn, shop_id, results, source=products.source)
    summary = summarise((r for _, r in results), top=top)
    return {"shop_id": shop_id, "total": summary.total, "ready": summary.ready, "not_ready": summary.not_ready,
            "became_ready": len(became),
            "top_problems": [{"rule": c.rule, "code": c.code, "products": c.products, "occurrences": c.occurrences}
                             for c in summary.top_problems],
            "not_ready_skus": [p.seller_sku for p, r in results if not r.ready][:100]}


async def _product(request: Request, seller_sku: str) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        product = await repo.get_record(conn, seller_sku)
        if product is None:
            raise ApiError(404, "product_not_found", f"SKU {seller_sku!r} is not known to the catalog")
        links = await repo.links_of(conn, seller_sku)
        listings = await listing_repo.listings_of(conn, seller_sku)
        checked = await readiness_repo.of_sku(conn, seller_sku)
        postings = await posting_repo.of_sku(conn, seller_sku)
    return {
        "seller_sku": seller_sku,
        "title": product.title,
        "parent_sku": product.parent_sku,
        "version": product.version,
        "record": to_json(product),
        "links": [{"shop_id": r["shop_id"], "product_id": r["product_id"], "sku_id": r["sku_id"],
                   "source": r["source"]} for r in links],
        "listings": [{"shop_id": r["shop_id"], "product_id": r["product_id"], "sku_id": r["sku_id"] or None,
                      "seller_sku": r["seller_sku"], "title": r["title"], "status": r["status"],
                      "parent_product_id": r["parent_product_id"], "matched_by": r["matched_by"],
                      "imported_at": r["imported_at"].isoformat()} for r in listings],
        "readiness": [{"shop_id": r["shop_id"], "ready": r["ready"], "problems": len(r["problems"]),
                       "problem_details": r["problems"], "checked_version": r["product_version"], "checked_at": r["checked_at"].isoformat()}
                      for r in checked],
        "postings": [{**posting_view(r), "record_version": product.version} for r in postings],
    }


@router.get("/media/{sha256}")
async def get_media(request: Request, sha256: str) -> Response:
    """A stored file's bytes (thumbnails in the console; a record's image as TikTok will get it)."""
    async with database(request).acquire() as conn:
        data = await media_repo.data_of(conn, sha256)
        found = (await media_repo.facts(conn, [sha256])).get(sha256)
    if data is None or found is None:
        raise ApiError(404, "media_not_found", f"no stored file with SHA-256 {sha256}")
    return Response(data, media_type=found.content_type or "application/octet-stream")
