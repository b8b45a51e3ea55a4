"""The product page: one product of the catalog's ``GET /products/{sku}`` on one shop (its images, its record,
its variations, readiness and posting everywhere, what happened to it). Pure functions: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .views import Posting, Readiness, image_sha, posting, readiness


@dataclass(frozen=True)
class Image:
    role: str  # "main image", "gallery 1", …
    sha256: str | None  # None: not stored by the catalog yet (shown as its source)
    source: str


@dataclass(frozen=True)
class Variation:
    sku: str
    title: str
    image: str | None
    readiness: Readiness
    sku_id: str  # TikTok's SKU id, once posted


@dataclass(frozen=True)
class OnShop:
    """The product on one shop (every shop it was checked for or posted to)."""

    shop_id: str
    readiness: Readiness
    posting: Posting


@dataclass(frozen=True)
class Event:
    at: str
    what: str


@dataclass(frozen=True)
class Product:
    sku: str
    title: str
    parent_sku: str
    version: int | None
    category_id: str  # the category used on the shop (its own one if the record names one for it)
    facts: list[tuple[str, str]]
    images: list[Image]
    readiness: Readiness
    posting: Posting
    shops: list[OnShop]
    listings: list[dict[str, Any]]  # TikTok's listings matched to this SKU (R41)


def images(record: dict[str, Any]) -> list[Image]:
    found: list[Image] = []
    refs = [("main image", record.get("main_image"))]
    refs += [(f"gallery {n}", ref) for n, ref in enumerate(record.get("images") or [], start=1)]
    for role, ref in refs:
        if isinstance(ref, dict) and ref.get("source"):
            found.append(Image(role, image_sha(ref), str(ref["source"])))
    return found


def _pairs(values: Any) -> str:
    if not isinstance(values, dict):
        return ""
    return "; ".join(f"{k}={'|'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in values.items())


def _amount(record: dict[str, Any], key: str, unit: str) -> str:
    return f"{record[key]} {record.get(unit) or ''}".strip() if record.get(key) not in (None, "") else ""


def facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The record's fields as the product file names them (PRODUCT_FILE.md); empty ones left out."""
    size = [record.get(k) for k in ("length", "width", "height")]
    pairs = [
        ("price", f"{record.get('price')} {record.get('currency') or ''}".strip() if record.get("price") else ""),
        ("enabled", "yes" if record.get("enabled", True) else "no"),
        ("category_id", str(record.get("category_id") or "")),
        ("shop categories", _pairs(record.get("shop_categories"))),
        ("brand", str(record.get("brand") or "")),
        ("weight", _amount(record, "weight", "weight_unit")),
        ("dimensions", " × ".join(map(str, size)) + f" {record.get('dimension_unit') or ''}"
         if all(v not in (None, "") for v in size) else ""),
        ("identifiers", _pairs(record.get("identifiers"))),
        ("attributes", _pairs(record.get("attributes"))),
        ("sales attributes", _pairs(record.get("sales_attributes"))),
        ("short description", str(record.get("short_description") or "")),
        ("video", str((record.get("video") or {}).get("source") or "")),
        ("documents", "; ".join(f"{d.get('requirement')}={(d.get('media') or {}).get('source')}"
                                for d in record.get("documents") or [] if isinstance(d, dict))),
    ]
    return [(k, v) for k, v in pairs if v]


def category_on(record: dict[str, Any], shop: str) -> str:
    own = record.get("shop_categories") or {}
    return str((own.get(shop) if isinstance(own, dict) else None) or record.get("category_id") or "")


def _of_shop(items: Any, shop: str) -> dict[str, Any] | None:
    return next((x for x in items or [] if isinstance(x, dict) and str(x.get("shop_id")) == shop), None)


def product(body: dict[str, Any], shop: str) -> Product:
    """The product of a ``GET /products/{sku}`` answer on ``shop``, and on every shop it was checked for or
    posted to (each readiness with every problem of its check, ``problem_details``)."""
    raw = body.get("record")
    record: dict[str, Any] = raw if isinstance(raw, dict) else {}
    version = body.get("version") if isinstance(body.get("version"), int) else None
    shop_ids = sorted({str(x.get("shop_id")) for key in ("readiness", "postings") for x in body.get(key) or []
                       if isinstance(x, dict)} | ({shop} if shop else set()))
    on = [OnShop(s, readiness(_of_shop(body.get("readiness"), s), version=version),
                 posting(_of_shop(body.get("postings"), s), record_version=version)) for s in shop_ids]
    here = next((o for o in on if o.shop_id == shop), None)
    return Product(
        sku=str(body.get("seller_sku") or ""), title=str(body.get("title") or ""),
        parent_sku=str(body.get("parent_sku") or ""), version=version, category_id=category_on(record, shop),
        facts=facts(record), images=images(record),
        readiness=here.readiness if here else readiness(None),
        posting=here.posting if here else posting(None, record_version=version),
        shops=on, listings=[x for x in body.get("listings") or [] if isinstance(x, dict)],
    )


def variations(parent: str, listed: Any, on_tiktok: Posting, shop: str) -> list[Variation]:
    """The matrix children of ``parent`` of a ``GET /products?parent=<parent>`` answer, and the SKUs TikTok
    holds ids for in its product that the catalog has no child record of."""
    found = [p for p in (listed.get("products") if isinstance(listed, dict) else None) or []
             if isinstance(p, dict) and p.get("parent_sku") == parent]
    ids = dict(on_tiktok.sku_ids)
    out = [Variation(str(p["seller_sku"]), str(p.get("title") or ""), image_sha(p.get("image")),
                     readiness(p.get("readiness") if shop else None, version=p.get("version")),
                     ids.get(str(p["seller_sku"]), "")) for p in found]
    known = {v.sku for v in out} | {parent}
    out += [Variation(sku, "", None, readiness(None), sku_id) for sku, sku_id in sorted(ids.items())
            if sku not in known]
    return sorted(out, key=lambda v: v.sku)


def history(item: Product) -> list[Event]:
    """What the catalog keeps of this product on the shop, newest first: the readiness check, the post, the
    last edit and TikTok's review now (each change was also published as ``ListingUpdated``)."""
    r, p = item.readiness, item.posting
    events: list[Event] = []
    if r.checked_at:
        events.append(Event(r.checked_at, f"readiness checked (version {r.checked_version}): {r.label}"))
    if p.posted_at:
        events.append(Event(p.posted_at, f"posted as TikTok product {p.product_id}"))
    if p.edited_at:
        events.append(Event(p.edited_at, f"updated on TikTok (version {p.posted_version} sent)"))
    for listing in item.listings:
        if not listing.get("imported_at"):
            continue
        where = f"TikTok listing {listing.get('product_id')} on shop {listing.get('shop_id')}"
        events.append(Event(str(listing["imported_at"]), f"{where} recorded from the post"
                            if listing.get("matched_by") == "posted"
                            else f"matched to {where} by {listing.get('matched_by')} (import, R41)"))
    events.sort(key=lambda e: e.at, reverse=True)
    if p.state != "unposted":
        events.insert(0, Event("now", f"{p.label}" + (f" (TikTok status {p.tiktok_status})" if p.tiktok_status
                                                        else "")))
    return events
