"""Posting use cases (R38, R39, R35-R37, R45): a ready product (a matrix parent with its children) goes
to TikTok: readiness first, then the files it needs (each once per shop), TikTok's listing check, and
the create with an idempotency key kept until TikTok's answer is stored, so a crash or a retry can never
make a second product. ListingPosted / ListingFailed go out through the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.catalog import ListingError, ListingFailed, ListingPosted
from libs.common.outbox import enqueue_data
from libs.common.tiktok.errors import TikTokError
from services.catalog.importing import repo as listings
from services.catalog.media import repo as media_repo
from services.catalog.posting import repo
from services.catalog.posting.domain import (
    BodyContext,
    Upload,
    create_body,
    hint,
    idempotency_key,
    uploads_for,
)
from services.catalog.posting.tiktok import PostingTikTok
from services.catalog.products import repo as products
from services.catalog.products.domain import Product, category_for
from services.catalog.readiness import service as readiness
from services.catalog.readiness.facts import ShopTaxonomy
from services.catalog.shops import repo as shops
from services.catalog.sync import repo as levels
from services.catalog.sync.worker import NoDefaultWarehouse
from services.catalog.taxonomy import repo as taxonomy
from services.catalog.taxonomy.domain import Attribute, category_version, certifications_from_json

log = structlog.get_logger(__name__)

PENDING = "PENDING"


#: TikTok's daily listing limit for the shop (new shops list ~100 products a day).
DAILY_LISTING_LIMIT = 12052093


class PostRefused(Exception):
    """Nothing was sent to TikTok: ``problems`` say why (not ready, unknown, already posted)."""

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None, status: int = 409, *,
                 already_posted: bool = False) -> None:
        super().__init__(message)
        self.message, self.problems, self.status = message, problems or [], status
        self.already_posted = already_posted


class ListingLimitReached(Exception):
    """TikTok's daily listing limit (12052093): nothing was created; the same post goes through later."""


@dataclass
class Poster:
    pool: asyncpg.Pool
    tiktok: PostingTikTok
    default_warehouse: Callable[[str], Awaitable[str]]
    source: str
    max_children: int = 100
    wake_relay: Callable[[], None] = lambda: None
    webhook_address: str | None = None
    #: Sends a record edited while its post was in flight (the editor's partial update), set by the app.
    catch_up: Callable[[str, str], Awaitable[dict[str, Any]]] | None = None
    #: (shop, sha256, use_case) -> the upload in flight: concurrent posts sharing a file send it once
    _uploading: dict[tuple[str, str, str], asyncio.Future[tuple[str, str | None]]] = field(
        default_factory=dict, init=False, repr=False)

    async def post(self, shop_id: str, seller_sku: str, *, taxonomy: ShopTaxonomy | None = None) -> dict[str, Any]:
        """``taxonomy``: the shop's taxonomy already loaded (a bulk job shares one snapshot between posts)."""
        try:
            parent, children, ctx = await self.prepare(shop_id, seller_sku, snapshot=taxonomy)
        except TikTokError as exc:  # an upload TikTok refused (bad file): nothing was created
            if exc.transient:
                raise
            async with self.pool.acquire() as conn:
                record = await products.get_record(conn, seller_sku)
            assert record is not None  # prepare refuses unknown SKUs before any upload
            return await self._failed(shop_id, record, [ListingError(
                code=str(exc.code), message=f"a file was refused: {exc.message}", field="media", fix=hint(exc.code))])
        body = create_body(parent, children, ctx)
        check = await self.tiktok.listing_check(shop_id, body)
        if str(check.get("check_result", "PASS")).upper() != "PASS":
            errors = [ListingError(code=str(r.get("code")), message=str(r.get("message")), field=None,
                                   fix=hint(int(r.get("code") or 0))) for r in check.get("fail_reasons") or []]
            return await self._failed(shop_id, parent, errors or [ListingError(
                code="listing_check", message="TikTok's listing check failed without a reason", fix=hint(0))])
        async with self.pool.acquire() as conn, conn.transaction():
            prior = await repo.get(conn, shop_id, seller_sku, for_update=True)
            if prior is not None and prior["product_id"]:
                return view(prior)  # posted meanwhile by another request
            in_flight = prior["idempotency_key"] if prior is not None and prior["state"] == "posting" else None
            key = str(in_flight) if in_flight else idempotency_key(shop_id, seller_sku, parent.version)
            await repo.start(conn, shop_id, seller_sku, key=key, version=parent.version)
        try:
            answer = await self.tiktok.create(shop_id, body, idempotency_key=key)
        except TikTokError as exc:
            if exc.transient:
                raise  # the post stays in flight with its key: a retry answers the same product
            if exc.code == DAILY_LISTING_LIMIT:
                raise ListingLimitReached(f"TikTok's daily listing limit for shop {shop_id} is reached "
                                          f"({exc.code}: {exc.message}); {hint(exc.code)}") from exc
            return await self._failed(shop_id, parent, [ListingError(
                code=str(exc.code), message=exc.message, field=None, fix=hint(exc.code))])
        result = await self._posted(shop_id, parent, children, answer, body)
        await self._register(shop_id)
        return await self._caught_up(shop_id, parent, result)

    async def _caught_up(self, shop_id: str, parent: Product, result: dict[str, Any]) -> dict[str, Any]:
        """The record was edited while its post was in flight: the newer version goes out next, as an edit."""
        async with self.pool.acquire() as conn:
            now = await products.get_record(conn, parent.seller_sku)
        if self.catch_up is None or now is None or now.version <= parent.version:
            return result
        log.info("record edited while its post was in flight; sending the newer version", shop_id=shop_id,
                 seller_sku=parent.seller_sku, posted_version=parent.version, version=now.version)
        try:
            return {**await self.catch_up(shop_id, parent.seller_sku), "caught_up_from_version": parent.version}
        except PostRefused as exc:  # nothing changed on TikTok's side after all, or the newer one is not ready
            return {**result, "catch_up": exc.message}
        except TikTokError as exc:
            log.warning("the newer version could not be sent; `ttshop catalog products update` sends it",
                        shop_id=shop_id, seller_sku=parent.seller_sku, error=str(exc))
            return {**result, "catch_up": f"not sent: {exc}"}

    async def _register(self, shop_id: str) -> None:
        """Best effort, once per shop: TikTok tells us when the review ends (the poll covers a failure)."""
        if not self.webhook_address:
            return
        async with self.pool.acquire() as conn:
            if await repo.is_webhook_registered(conn, shop_id, initial=int(datetime.now(UTC).timestamp())):
                return
        try:
            await self.tiktok.register_webhook(shop_id, self.webhook_address)
        except TikTokError as exc:
            log.warning("product webhook registration failed; the review poll covers it", shop_id=shop_id,
                        error=str(exc))
            return
        async with self.pool.acquire() as conn:
            await repo.webhook_registered(conn, shop_id)

    async def taxonomy(self, shop_id: str) -> ShopTaxonomy:
        async with self.pool.acquire() as conn:
            try:
                return await readiness.load_taxonomy(conn, shop_id, max_children=self.max_children)
            except readiness.ShopUnknown as exc:
                raise PostRefused(str(exc)) from exc

    async def prepare(self, shop_id: str, seller_sku: str, *, snapshot: ShopTaxonomy | None = None,
                      editing: bool = False) -> tuple[Product, list[Product], BodyContext]:
        """The product (a parent with its children), ready, with its files on TikTok: what a create body or
        an edit body is built from. ``editing``: the product must be on TikTok already (else: not yet)."""
        async with self.pool.acquire() as conn:
            parent = await products.get_record(conn, seller_sku)
            if parent is None:
                raise PostRefused(f"SKU {seller_sku!r} is not known to the catalog", status=404)
            if parent.parent_sku:
                raise PostRefused(f"{seller_sku} is a variation of {parent.parent_sku}: "
                                  f"{'update' if editing else 'post'} the parent")
            done = await repo.get(conn, shop_id, seller_sku)
            if editing and (done is None or not done["product_id"]):
                raise PostRefused(f"{seller_sku} is not on TikTok shop {shop_id} yet: post it first "
                                  f"(`ttshop catalog products post {seller_sku} --shop {shop_id}`)")
            if not editing and done is not None and done["product_id"]:
                raise PostRefused(f"{seller_sku} is already TikTok product {done['product_id']} on shop {shop_id}; "
                                  "use `ttshop catalog products update`", already_posted=True)
            children = [c for c in await products.children_of(conn, seller_sku) if c.enabled]  # disabled: left out
            try:
                results = await readiness.check(conn, shop_id, [seller_sku, *(c.seller_sku for c in children)],
                                                max_children=self.max_children, taxonomy=snapshot)
            except readiness.ShopUnknown as exc:
                raise PostRefused(str(exc)) from exc
            by_sku = {p.seller_sku: r for p, r in results}
            ready = by_sku[seller_sku]
            if not ready.ready:
                raise PostRefused(f"{seller_sku} is not ready for shop {shop_id}: {len(ready.problems)} problem(s)",
                                  [readiness.problem_json(p) for p in ready.problems])
            profile = await shops.profile(conn, shop_id)
            assert profile is not None  # readiness.check refused unknown shops
            category = category_for(parent, shop_id) or ""
            detail = (await taxonomy.details(conn, shop_id, [category])).get(category)
            docs = await media_repo.facts(conn, [d.media.sha256 for d in parent.documents if d.media.sha256])
            quantities = {}
            for p in (parent, *children):
                found = [lv for lv in await levels.inventory_of(conn, p.seller_sku) if lv.key.shop_id in (None, shop_id)]
                quantities[p.seller_sku] = max((lv.available for lv in found if lv.key.shop_id == shop_id),
                                               default=max((lv.available for lv in found), default=0))
        matrix_images = bool(profile["send_matrix_image"])
        wanted = uploads_for(parent, children, matrix_images=matrix_images,
                             document_kinds={k: v.content_type or "" for k, v in docs.items()})
        uris = await self._upload(shop_id, wanted)
        ctx = BodyContext(
            category_id=category, category_version=category_version(profile["region"]),
            warehouse_id=await self._warehouse(shop_id),
            attributes=[Attribute.from_json(a) for a in (detail["attributes"] if detail else [])],
            certifications=certifications_from_json(detail["certifications"] if detail else []),
            readiness=ready, child_readiness=by_sku, uris=uris, quantities=quantities, matrix_images=matrix_images,
        )
        return parent, children, ctx

    async def _warehouse(self, shop_id: str) -> str:
        try:
            return await self.default_warehouse(shop_id)
        except NoDefaultWarehouse as exc:
            raise PostRefused(str(exc)) from exc

    async def _upload(self, shop_id: str, wanted: list[Upload]) -> dict[tuple[str, str], str]:
        """Each file not yet on TikTok for this shop is uploaded once and remembered."""
        async with self.pool.acquire() as conn:
            have = await repo.uploaded(conn, shop_id, [(u.sha256, u.use_case) for u in wanted])
            missing = [u for u in wanted if (u.sha256, u.use_case) not in have]
            images = await media_repo.data_of_many(conn, sorted({u.sha256 for u in missing if u.use_case != "FILE"}))

        async def one(u: Upload) -> tuple[Upload, str, str | None]:
            key = (shop_id, u.sha256, u.use_case)
            running = self._uploading.get(key)
            if running is not None:  # another post of this process is sending the same bytes: share its answer
                ref, url = await asyncio.shield(running)
                return u, ref, url
            task = asyncio.ensure_future(send(u))
            self._uploading[key] = task
            owned.append(key)
            ref, url = await asyncio.shield(task)
            return u, ref, url

        async def send(u: Upload) -> tuple[str, str | None]:
            if u.use_case == "FILE":  # a video may be large: read when it is sent
                async with self.pool.acquire() as conn:
                    data = await media_repo.data_of(conn, u.sha256)
            else:
                data = images.get(u.sha256)
            if data is None:
                raise PostRefused(f"the file {u.source} is not in the media store: load the product file again")
            if u.use_case == "FILE":
                return await self.tiktok.upload_file(shop_id, data, u.name)
            return await self.tiktok.upload_image(shop_id, data, u.use_case)

        # the product's files go up side by side (the client's limiter keeps the endpoint under TikTok's rate);
        # each one TikTok took is remembered even when another fails, so a retry sends only the rest
        owned: list[tuple[str, str, str]] = []  # in flight from this post: shared until their refs are stored
        try:
            results = await asyncio.gather(*(one(u) for u in missing), return_exceptions=True)
            done = [r for r in results if not isinstance(r, BaseException)]
            if done:
                async with self.pool.acquire() as conn:
                    await repo.save_uploads(conn, shop_id, [(u.sha256, u.use_case, ref, url) for u, ref, url in done])
        finally:
            for key in owned:
                self._uploading.pop(key, None)
        have.update({(u.sha256, u.use_case): ref for u, ref, _ in done})
        trouble = next((r for r in results if isinstance(r, BaseException)), None)
        if trouble is not None:
            raise trouble
        return have

    async def _posted(self, shop_id: str, parent: Product, children: list[Product],
                      answer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        product_id = str(answer["product_id"])
        sku_ids = {str(s.get("seller_sku")): str(s.get("id")) for s in answer.get("skus") or []}
        now = datetime.now(UTC)
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.posted(conn, shop_id, parent.seller_sku, product_id=product_id, sku_ids=sku_ids, status=PENDING,
                              body=body)
            await listings.add_posted(conn, shop_id, product_id=product_id, title=parent.title or "", status=PENDING,
                                      skus=sku_ids, parent_sku=parent.seller_sku if children else None)
            if children:
                await enqueue_data(conn, ListingPosted(shop_id=shop_id, seller_sku=parent.seller_sku,
                                                       product_id=product_id, child_skus=[c.seller_sku for c in children],
                                                       posted_at=now), source=self.source)
            for sku, sku_id in sku_ids.items():
                await enqueue_data(conn, ListingPosted(shop_id=shop_id, seller_sku=sku, product_id=product_id,
                                                       sku_id=sku_id, parent_sku=parent.seller_sku if children else None,
                                                       posted_at=now), source=self.source)
            row = await repo.get(conn, shop_id, parent.seller_sku)
        self.wake_relay()
        log.info("product posted", shop_id=shop_id, seller_sku=parent.seller_sku, product_id=product_id,
                 skus=len(sku_ids))
        assert row is not None
        return view(row)

    async def _failed(self, shop_id: str, parent: Product, errors: list[ListingError]) -> dict[str, Any]:
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.failed(conn, shop_id, parent.seller_sku, [e.model_dump() for e in errors])
            await enqueue_data(conn, ListingFailed(shop_id=shop_id, seller_sku=parent.seller_sku, operation="post",
                                                   errors=errors, failed_at=datetime.now(UTC)), source=self.source)
            row = await repo.get(conn, shop_id, parent.seller_sku)
        self.wake_relay()
        log.warning("product post refused by TikTok", shop_id=shop_id, seller_sku=parent.seller_sku,
                    codes=[e.code for e in errors])
        assert row is not None
        return view(row)


def view(row: Any) -> dict[str, Any]:
    """A posting as the API answers it."""
    return {"shop_id": row["shop_id"], "seller_sku": row["seller_sku"], "state": row["state"],
            "product_id": row["product_id"], "sku_ids": row["sku_ids"], "tiktok_status": row["tiktok_status"],
            "audit_failed_reasons": row["audit_failed_reasons"], "errors": row["errors"],
            "posted_version": row["posting_version"], "live": row["live"],
            "posted_at": row["posted_at"].isoformat() if row["posted_at"] else None,
            "edited_at": row["edited_at"].isoformat() if row["edited_at"] else None}
