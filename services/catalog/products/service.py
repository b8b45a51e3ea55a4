"""Product record use cases (R47): a whole record or some fields through the admin API, a product file
(CSV, XLSX, JSON) with every bad row reported while the good rows load, and the export that round-trips.

Media is resolved before anything is written: files sent with the product file are stored once by their
SHA-256; http(s) URLs are fetched once (timeout, size cap); a row whose media cannot be had is refused
whole with the reason. Then one transaction applies every good row (rows locked in SKU order), so a load
is all-or-nothing per row and a second load of the same file changes nothing. The readiness of every
changed product is checked in that transaction (ProductReady on a transition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg
import httpx
import structlog

from libs.common.product_file import (
    COLUMNS,
    SheetProblem,
    SheetRow,
    media_paths,
    read_rows,
    shown,
    write_rows,
)
from services.catalog.media import repo as media_repo
from services.catalog.media import service as media
from services.catalog.media.domain import StoredMedia
from services.catalog.products import repo
from services.catalog.products.domain import (
    DocumentRef,
    MediaRef,
    Product,
    ProductChange,
    apply_change,
)
from services.catalog.products.sheet import parse_row, product_to_row
from services.catalog.readiness import service as readiness

log = structlog.get_logger(__name__)

SHA_PREFIX = "sha256:"


SHOP_CATEGORIES = "shop_categories"


def _shop_categories_problem(value: Any) -> SheetProblem | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) and v.isdigit() for k, v in value.items()):
        return SheetProblem(None, SHOP_CATEGORIES, "must be an object shop id -> category id (digits)", str(value)[:80])
    return None


@dataclass
class LoadReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    problems: list[SheetProblem] = field(default_factory=list)
    became_ready: list[dict[str, str]] = field(default_factory=list)  # {shop_id, seller_sku}

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "refused": self.refused, "became_ready": self.became_ready,
                "problems": [{"row": p.row, "column": p.column, "message": p.message, "value": p.value}
                             for p in self.problems]}


@dataclass
class Products:
    pool: asyncpg.Pool
    http: httpx.AsyncClient
    source: str
    max_children: int = 100
    fetch_timeout_s: float = media.FETCH_TIMEOUT_S
    #: facts of stored media (content-addressed, so never stale): a 10,000-row file asks once per file
    _facts: dict[str, StoredMedia] = field(default_factory=dict, repr=False)

    async def load_file(self, data: bytes, filename: str, attached: Mapping[str, bytes]) -> LoadReport:
        sheet = read_rows(data, filename)
        report = LoadReport(rows=len(sheet.rows), problems=list(sheet.problems))
        if any(p.row is None for p in sheet.problems) and not sheet.rows:
            return report
        stored: dict[str, str] = {}
        for path in media_paths(sheet.rows):
            if path in attached:
                try:
                    stored[path] = (await media.store(self.pool, attached[path])).sha256
                except media.MediaUnavailable as exc:
                    report.problems.append(SheetProblem(None, None, f"{path}: {exc}", None))
        refused_rows = {p.row for p in sheet.problems if p.row is not None}
        unread = refused_rows - {row.number for row in sheet.rows}  # refused while reading (formula, merged)
        report.rows += len(unread)
        report.refused += len(unread)
        parsed = [(row, *parse_row(row)) for row in sheet.rows]
        known = await self._known_media([c.seller_sku for _, c, _ in parsed if c is not None])
        changes: list[tuple[int, ProductChange]] = []
        for row, change, problems in parsed:
            if change is not None and not problems and row.number not in refused_rows:
                change, problems = await self._resolve(row.number, change, {**known.get(change.seller_sku, {}),
                                                                            **stored})
            if change is None or problems or row.number in refused_rows:
                report.problems.extend(problems)
                report.refused += 1
                continue
            changes.append((row.number, change))
        seen: dict[str, int] = {}
        for number, change in changes:
            if change.seller_sku in seen:
                report.problems.append(SheetProblem(number, "sku", f"SKU also on row {seen[change.seller_sku]}; "
                                                    "the later row wins", change.seller_sku))
            seen[change.seller_sku] = number
        await self._apply([c for _, c in changes], report)
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return report

    async def save(self, seller_sku: str, body: Mapping[str, Any], *, whole: bool) -> tuple[Product, LoadReport]:
        """``PUT`` (``whole``: fields left out are cleared) or ``PATCH`` (only the fields given; null clears)
        of one record, in the product file's JSON form, plus ``shop_categories`` (shop id -> category id,
        for a shop whose tree needs another category than ``category_id``)."""
        body = dict(body)
        shop_categories = body.pop(SHOP_CATEGORIES, None)
        bad = _shop_categories_problem(shop_categories)
        if bad is not None:
            return await self._current(seller_sku), LoadReport(rows=1, refused=1, problems=[bad])
        given = body.get("sku")
        if given is not None and given != seller_sku:
            # The path names the record; a body naming another SKU (or one that is no SKU) is refused, not ignored.
            _, wrong = parse_row(SheetRow(number=1, cells={"sku": given}))
            problem = next(iter(wrong), None) or SheetProblem(
                None, "sku", f"differs from the SKU in the path ({shown(seller_sku)}); leave it out or send the "
                "same one", shown(given))
            return await self._current(seller_sku), LoadReport(rows=1, refused=1, problems=[problem])
        unknown = sorted(set(body) - set(COLUMNS))
        if unknown:
            problem = SheetProblem(None, unknown[0], f"unknown field(s) {', '.join(unknown)}; known: "
                                   f"{', '.join(COLUMNS)}", None)
            return await self._current(seller_sku), LoadReport(rows=1, refused=1, problems=[problem])
        cells: dict[str, Any] = {c: "-" for c in COLUMNS if c != "sku"} if whole else {}
        cells.update({k: ("-" if v is None else v) for k, v in body.items() if k != "sku"})
        cells["sku"] = seller_sku
        report = LoadReport(rows=1)
        change, problems = parse_row(SheetRow(number=1, cells={k: v for k, v in cells.items() if v != ""}))
        if change is not None and not problems:
            change, problems = await self._resolve(1, change, (await self._known_media([seller_sku])).get(seller_sku, {}))
        if change is None or problems:
            report.refused, report.problems = 1, problems
            return await self._current(seller_sku), report
        if shop_categories is not None or whole:
            change = ProductChange(change.seller_sku, {**change.values, SHOP_CATEGORIES: dict(shop_categories or {})})
        await self._apply([change], report)
        return await self._current(seller_sku), report

    async def _known_media(self, skus: Sequence[str]) -> dict[str, dict[str, str]]:
        """Per SKU, the sources its stored record already has bytes for: the same path again (an export
        loaded back, a re-run) needs no file, and the record stays unchanged."""
        async with self.pool.acquire() as conn:
            return await repo.stored_media(conn, sorted(set(skus)))

    async def _current(self, seller_sku: str) -> Product:
        async with self.pool.acquire() as conn:
            return await repo.get_record(conn, seller_sku) or Product(seller_sku=seller_sku)

    async def _resolve(self, row: int, change: ProductChange,
                       stored: Mapping[str, str]) -> tuple[ProductChange | None, list[SheetProblem]]:
        """Fill every media reference of the change with the SHA-256 of its bytes: ``stored`` maps the
        sources already had (files sent along, the record's own) to it; URLs are fetched once."""
        problems: list[SheetProblem] = []

        async def one(ref: MediaRef, column: str) -> MediaRef:
            source = ref.source
            try:
                if source.startswith(SHA_PREFIX):
                    sha = source[len(SHA_PREFIX):]
                    async with self.pool.acquire() as conn:
                        if not await media_repo.facts(conn, [sha]):
                            raise media.MediaUnavailable(f"no uploaded file with SHA-256 {sha}")
                    return replace(ref, sha256=sha)
                if source in stored:
                    return replace(ref, sha256=stored[source])
                if media.is_url(source):
                    return replace(ref, sha256=(await media.fetch(self.pool, self.http, source,
                                                                   timeout_s=self.fetch_timeout_s)).sha256)
                raise media.MediaUnavailable(f"file {source!r} was not found next to the product file")
            except media.MediaUnavailable as exc:
                problems.append(SheetProblem(row, column, str(exc), source))
                return ref

        values = dict(change.values)
        for column in ("main_image", "video"):
            if isinstance(values.get(column), MediaRef):
                values[column] = await one(values[column], column)
        if isinstance(values.get("images"), list):
            values["images"] = [await one(r, "images") for r in values["images"]]
        if isinstance(values.get("documents"), list):
            values["documents"] = [DocumentRef(d.requirement, await one(d.media, "documents"))
                                   for d in values["documents"]]
        if not problems:
            problems = await self._unusable(row, values)
        if problems:
            return None, problems
        return ProductChange(change.seller_sku, values), []

    async def _unusable(self, row: int, values: Mapping[str, Any]) -> list[SheetProblem]:
        """Files that can never be used where they are named: bytes that are no image in an image column,
        no video in the video column, neither PDF nor image as a document (the extension is not trusted).
        Size, ratio and pixel limits are the readiness check's (R33, R34), so such a row still loads."""
        named: list[tuple[str, MediaRef]] = [(c, values[c]) for c in ("main_image", "video")
                                             if isinstance(values.get(c), MediaRef)]
        images, documents = values.get("images"), values.get("documents")
        named += [("images", r) for r in images] if isinstance(images, list) else []
        named += [("documents", d.media) for d in documents] if isinstance(documents, list) else []
        missing = sorted({r.sha256 for _, r in named if r.sha256 and r.sha256 not in self._facts})
        if missing:
            async with self.pool.acquire() as conn:
                self._facts.update(await media_repo.facts(conn, missing))
        found = self._facts
        problems = []
        for column, ref in named:
            facts = found.get(ref.sha256 or "")
            if facts is None:
                continue
            kind = facts.content_type or ""
            if column in ("main_image", "images") and (facts.error or not facts.is_image):
                why = facts.error or f"the bytes are {kind or 'of an unknown type'}, not an image"
                problems.append(SheetProblem(row, column, f"not a usable image: {why}", ref.source))
            elif column == "video" and not kind.startswith("video/"):
                problems.append(SheetProblem(row, column, f"not a video: the bytes are {kind or 'of an unknown type'}; "
                                             "send MP4 or MOV", ref.source))
            elif column == "documents" and kind != "application/pdf" and (facts.error or not facts.is_image):
                problems.append(SheetProblem(row, column, "a document must be a PDF or an image; the bytes are "
                                             f"{kind or 'of an unknown type'}", ref.source))
        return problems

    async def _apply(self, changes: Sequence[ProductChange], report: LoadReport) -> None:
        if not changes:
            return
        last = {c.seller_sku: c for c in changes}  # a SKU twice in one file: the later row wins
        async with self.pool.acquire() as conn, conn.transaction():
            current = await repo.lock_records(conn, list(last))
            saved: list[Product] = []
            for sku, change in last.items():
                before = current.get(sku)
                after = apply_change(before, change)
                if before is not None and after == before:
                    report.unchanged += 1
                    continue
                new = before is None or before.version == 0  # version 0: known only from stock or an import
                report.created += new
                report.updated += not new
                saved.append(after)
            await repo.save_records(conn, saved)
            if saved:
                report.became_ready = await readiness.recheck(conn, saved, max_children=self.max_children,
                                                              source=self.source)
        log.info("products saved", created=report.created, updated=report.updated, unchanged=report.unchanged,
                 refused=report.refused, became_ready=len(report.became_ready))

    async def export(self, filename: str) -> bytes:
        async with self.pool.acquire() as conn:
            records = await repo.records(conn)
        return write_rows([product_to_row(p) for p in records], filename)
