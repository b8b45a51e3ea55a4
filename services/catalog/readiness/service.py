"""Readiness use cases (R32-R37, R39): check products against a shop's taxonomy, store the result and
publish ``ProductReady`` once per transition to ready (never on every save). One shop's taxonomy is
read once per check, so a whole catalogue is checked in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from libs.common.events import new_event
from libs.common.events.catalog import ProductReady
from libs.common.outbox import enqueue_many
from services.catalog.media import repo as media_repo
from services.catalog.products import repo as products
from services.catalog.products.domain import Product, media_of
from services.catalog.readiness import repo
from services.catalog.readiness.domain import CertificationFacts, Readiness, ShopFacts
from services.catalog.readiness.facts import ShopTaxonomy, inherit, product_facts
from services.catalog.readiness.identifiers import normalise
from services.catalog.readiness.rules import check_product
from services.catalog.shops import repo as shops
from services.catalog.taxonomy import repo as taxonomy
from services.catalog.taxonomy.domain import Attribute, certifications_from_json, full_paths


class ShopUnknown(LookupError):
    pass


async def load_taxonomy(conn: asyncpg.Connection, shop_id: str, *, max_children: int) -> ShopTaxonomy:
    profile = await shops.profile(conn, shop_id)
    if profile is None:
        raise ShopUnknown(f"shop {shop_id} is not connected (no ShopConnected received); connect it first")
    tree = await taxonomy.categories(conn, shop_id)
    details = {}
    for cid, row in (await taxonomy.details(conn, shop_id, list(tree))).items():
        certs = [CertificationFacts(c.id, c.name, c.required) for c in certifications_from_json(row["certifications"])]
        details[cid] = ([Attribute.from_json(a) for a in row["attributes"]], certs, row["package_dimension_required"])
    brands: dict[str, tuple[str, str]] = {}
    for b in await taxonomy.brand_rows(conn, shop_id):
        brands[b["brand_id"]] = (b["brand_id"], b["name"])
        brands.setdefault(b["name"].strip().lower(), (b["brand_id"], b["name"]))
    owners: dict[str, set[str]] = {}
    for sku, ids in await products.identifier_owners(conn):
        for code in ids.values():
            owners.setdefault(normalise(str(code)), set()).add(sku)
    shop = ShopFacts(shop_id, bool(profile["send_brand_info"]), bool(profile["send_matrix_image"]),
                     list(profile["identifier_priority"]))
    return ShopTaxonomy(shop, tree, full_paths(tree), details, brands, await taxonomy.authorizations(conn, shop_id),
                        await taxonomy.brand_categories(conn, shop_id), owners, max_children)


async def check(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str] | None = None, *,
                max_children: int, given: Sequence[Product] = (),
                taxonomy: ShopTaxonomy | None = None) -> list[tuple[Product, Readiness]]:
    """Readiness of ``skus`` (default: every product; ``given``: these records, already in hand) for the
    shop; a matrix parent is checked with its children, each child with what it inherits from the parent.
    ``taxonomy``: the shop's, already loaded (a bulk post checks many products against one snapshot)."""
    tax = taxonomy or await load_taxonomy(conn, shop_id, max_children=max_children)
    chosen = list(given) if given else await products.records(conn, skus)
    by_sku = {p.seller_sku: p for p in chosen}
    parents = {p.parent_sku for p in chosen if p.parent_sku}
    if skus is not None or given:  # the whole catalogue has every parent and child already
        for p in await products.family(conn, sorted(parents | set(by_sku))):
            by_sku.setdefault(p.seller_sku, p)
    children: dict[str, list[Product]] = {}
    for p in by_sku.values():
        if p.parent_sku:
            children.setdefault(p.parent_sku, []).append(p)
    refs = [r for p in by_sku.values() for r in media_of(p)]
    media = await media_repo.facts(conn, [r.sha256 for r in refs if r.sha256])
    errors = await media_repo.source_errors(conn, [r.source for r in refs if not r.sha256])

    done: dict[str, Readiness] = {}

    def one(product: Product) -> Readiness:
        if product.seller_sku in done:
            return done[product.seller_sku]
        parent = by_sku.get(product.parent_sku or "")
        facts = product_facts(inherit(product, parent), media, errors, shop_id)
        kids = [(product_facts(inherit(c, product), media, errors, shop_id), one(c))  # a disabled child is left out
                for c in sorted(children.get(product.seller_sku, []), key=lambda c: c.seller_sku) if c.enabled]
        result = check_product(facts, tax.context(facts), kids)
        done[product.seller_sku] = result
        return result

    return [(p, one(p)) for p in sorted(chosen, key=lambda p: p.seller_sku)]


async def record(conn: asyncpg.Connection, shop_id: str, results: Sequence[tuple[Product, Readiness]], *,
                 source: str) -> list[str]:
    """Store the results that differ from the stored ones; ``ProductReady`` for each product that was not
    ready before. Returns those SKUs."""
    before = await repo.previous(conn, shop_id, [p.seller_sku for p, _ in results])
    now = datetime.now(UTC)
    became: list[str] = []
    events = []
    changed: list[repo.Row] = []
    for product, result in results:
        last = before.get(product.seller_sku)
        if result.ready and not (last and last[1]):
            events.append(new_event(ProductReady(shop_id=shop_id, seller_sku=product.seller_sku,
                                                 parent_sku=product.parent_sku, ready_at=now), source=source))
            became.append(product.seller_sku)
        row: repo.Row = (product.seller_sku, result.ready, [problem_json(x) for x in result.problems], product.version)
        if row != last:
            changed.append(row)
    await enqueue_many(conn, events)
    await repo.save(conn, shop_id, changed)
    return became


async def recheck(conn: asyncpg.Connection, changed: Sequence[Product], *, max_children: int,
                  source: str) -> list[dict[str, str]]:
    """After products changed: check them (and the parents of changed children) for every active shop,
    in the caller's transaction; ProductReady for those that became ready ({shop_id, seller_sku} each)."""
    known = {p.seller_sku for p in changed}
    missing_parents = sorted({p.parent_sku for p in changed if p.parent_sku and p.parent_sku not in known})
    targets = [*changed, *await products.records(conn, missing_parents)] if missing_parents else list(changed)
    became: list[dict[str, str]] = []
    for shop_id in await repo.active_shops(conn):
        results = await check(conn, shop_id, max_children=max_children, given=targets)
        became += [{"shop_id": shop_id, "seller_sku": sku} for sku in await record(conn, shop_id, results,
                                                                                   source=source)]
    return became


def problem_json(p: Any) -> dict[str, Any]:
    return {"rule": p.rule, "code": p.code, "field": p.field, "message": p.message, "fix": p.fix, "value": p.value,
            "child_sku": p.child_sku}


def readiness_json(product: Product, r: Readiness) -> dict[str, Any]:
    return {"seller_sku": r.seller_sku, "shop_id": r.shop_id, "ready": r.ready, "version": product.version,
            "identifier": {"type": r.identifier[0], "code": r.identifier[1]} if r.identifier else None,
            "brand_to_send": r.brand_to_send, "problems": [problem_json(p) for p in r.problems]}
