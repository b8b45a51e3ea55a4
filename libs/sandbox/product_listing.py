"""Create and edit through the API host (``POST products``, ``PUT products/{id}``,
``POST products/{id}/partial_edit``): the rules around the body checks of ``listing_rules.py``.

* Any failure of :func:`~libs.sandbox.listing_rules.run_checks` refuses the whole request: the envelope
  carries the FIRST failure's code (TikTok answers one code) and a message listing every failure;
  nothing is created or changed.
* ``idempotency_key`` (≤ 128 characters): a key this shop already used answers the first create's
  answer again (same ``product_id`` and SKU ids), whatever the body; a replay is not a create.
* Daily listing limit: creates per shop per UTC day (drafts included), up to the shop's
  ``listing_limit_per_day`` (control call) or else ``settings.listing_limit_per_day``; past it
  :data:`LISTING_LIMIT_REACHED` 12052093 (TikTok's code). Listings made with the control API do not count.
* ``save_mode``: ``LISTING`` (default: ``PENDING``, review starts) or ``AS_DRAFT`` (``DRAFT``).
* PUT replaces the product: fields left out are blanked, except a kept SKU's price and inventory.
  partial_edit replaces the top-level fields sent (a nested object sent must be complete; ``null`` =
  not sent; ``skus`` replaces the whole list). A SKU is kept when the body names its ``id`` (an id that
  is not the product's: 12019002) or, without an id, its ``seller_sku``; any other SKU is new (new id),
  and SKUs left out are removed. Both resubmit for review (``PENDING``); refused on ``FREEZE``/``DELETED``.
"""

from __future__ import annotations

import copy
from typing import Any

from libs.sandbox import listing_base as lb
from libs.sandbox.errors import PARAM_INVALID, SandboxError
from libs.sandbox.listing_build import PRODUCT_FIELDS, build
from libs.sandbox.listing_rules import run_checks
from libs.sandbox.models import Shop
from libs.sandbox.product_model import Product, SkuListing, Submission
from libs.sandbox.products import SKU_NOT_FOUND, ProductBook
from libs.sandbox.settings import DAY_S
from libs.sandbox.state import SandboxState

LISTING_LIMIT_REACHED = 12052093
MAX_IDEMPOTENCY_KEY = 128
SAVE_MODES = ("LISTING", "AS_DRAFT")


class ListingDesk:
    """Creates and edits listings from API bodies; remembers idempotency keys and daily counts."""

    def __init__(self, book: ProductBook, state: SandboxState) -> None:
        self._book = book
        self._state = state
        #: (shop_id, idempotency_key) -> the first create's answer
        self._answers: dict[tuple[str, str], dict[str, Any]] = {}
        #: (shop_id, UTC day number) -> creates that day
        self._listed: dict[tuple[str, int], int] = {}

    def daily_limit(self, shop: Shop) -> int:
        if shop.listing_limit_per_day is not None:
            return shop.listing_limit_per_day
        return self._state.settings.listing_limit_per_day

    def listed_today(self, shop: Shop) -> int:
        return self._listed.get((shop.id, self._today()), 0)

    def _today(self) -> int:
        return int(self._state.clock() // DAY_S)

    def create(self, shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
        key = _idempotency_key(body.get("idempotency_key"))
        mode = body.get("save_mode") or "LISTING"
        if mode not in SAVE_MODES:
            raise SandboxError(PARAM_INVALID, f"save_mode must be one of {', '.join(SAVE_MODES)}, got {mode!r}")
        if key and (shop.id, key) in self._answers:
            return copy.deepcopy(self._answers[(shop.id, key)])
        skus = body.get("skus")
        submission = self._checked(body, shop, [None] * len(skus) if isinstance(skus, list) else [])
        limit, done = self.daily_limit(shop), self.listed_today(shop)
        if done >= limit:
            raise SandboxError(
                LISTING_LIMIT_REACHED, f"daily listing limit reached: shop {shop.id} listed {done} products today "
                                       f"(UTC) and may list {limit} a day; try again after 00:00 UTC",
            )
        product = self._book.submit(shop, submission, draft=mode == "AS_DRAFT", idempotency_key=key or "")
        self._listed[(shop.id, self._today())] = done + 1
        answer = product.answer(submission.warnings)
        if key:
            self._answers[(shop.id, key)] = copy.deepcopy(answer)
        return answer

    def replace(self, shop: Shop, product_id: str, body: dict[str, Any]) -> tuple[Product, dict[str, Any]]:
        """PUT: the body is the whole product."""
        product = self._book.get(shop.id, product_id)
        self._book.check_editable(product)
        return self._edit(shop, product, {k: copy.deepcopy(body[k]) for k in PRODUCT_FIELDS if k in body})

    def partial_edit(self, shop: Shop, product_id: str, body: dict[str, Any]) -> tuple[Product, dict[str, Any]]:
        """partial_edit: the top-level fields sent replace the stored ones."""
        product = self._book.get(shop.id, product_id)
        self._book.check_editable(product)
        merged = product.body()
        merged.update({k: copy.deepcopy(body[k]) for k in PRODUCT_FIELDS if body.get(k) is not None})
        return self._edit(shop, product, merged)

    def _edit(self, shop: Shop, product: Product, body: dict[str, Any]) -> tuple[Product, dict[str, Any]]:
        submission = self._checked(body, shop, _keep_skus(product, body))
        self._book.resubmit(product, submission)
        return product, product.answer(submission.warnings)

    def _checked(self, body: dict[str, Any], shop: Shop, sku_ids: list[str | None]) -> Submission:
        check = run_checks(body, shop, self._state)
        if check.failures:
            count = len(check.failures)
            listed = "; ".join(f"[{f.code}] {f.message}" for f in check.failures)
            raise SandboxError(check.failures[0].code,
                               f"the product was refused, {count} problem{'s' if count > 1 else ''}: {listed}")
        return build(check, sku_ids)


def _idempotency_key(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_IDEMPOTENCY_KEY:
        raise SandboxError(PARAM_INVALID, f"idempotency_key must be a string of at most {MAX_IDEMPOTENCY_KEY} "
                                          "characters")
    return raw


def _keep_skus(product: Product, body: dict[str, Any]) -> list[str | None]:
    """Per body SKU, the id of the product's SKU it keeps (None: a new SKU). A kept SKU sent without
    ``price`` / ``inventory`` gets its current ones (edits never blank them). Mutates ``body``."""
    skus = body.get("skus")
    if not isinstance(skus, list):
        return []
    known: dict[str, SkuListing] = {s.id: s for s in [*(product.live.skus if product.live else []), *product.skus]}
    by_seller_sku = {s.seller_sku: s.id for s in known.values() if s.seller_sku}
    ids: list[str | None] = []
    for i, entry in enumerate(skus):
        sku_id = lb.text(entry.get("id")) if isinstance(entry, dict) else None
        if sku_id is not None and sku_id not in known:
            raise SandboxError(SKU_NOT_FOUND, f"skus[{i}].id {sku_id} is not a SKU of product {product.id}")
        if sku_id is not None and sku_id in ids:
            raise SandboxError(lb.SKU_INVALID, f"skus[{i}].id {sku_id} is given twice")
        ids.append(sku_id)
    for i, entry in enumerate(skus):
        seller_sku = entry.get("seller_sku") if isinstance(entry, dict) else None
        match = by_seller_sku.get(seller_sku) if isinstance(seller_sku, str) else None
        if ids[i] is None and match is not None and match not in ids:
            ids[i] = match
    for entry, sku_id in zip(skus, ids, strict=True):
        if sku_id is None:
            continue
        old = known[sku_id]
        if entry.get("price") is None:
            entry["price"] = {"amount": format(old.price, "f"), "currency": old.currency}
        if entry.get("inventory") is None:
            entry["inventory"] = [{"warehouse_id": w, "quantity": q} for w, q in old.inventory.items()]
    return ids
