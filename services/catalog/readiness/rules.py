"""Is a product ready to be posted to TikTok Shop (R32-R37, R39)? Pure: the service gathers the facts, calls
:func:`check_product` and stores or shows the :class:`Readiness`. Every problem is listed, never only the first.

A matrix parent (a product with children) carries no price, weight, dimensions or identifiers of its own:
its children do, and each child's own readiness is computed first and passed in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from services.catalog.readiness.attributes import check_attributes
from services.catalog.readiness.documents import check_documents
from services.catalog.readiness.domain import (
    CodeCount,
    Context,
    Problem,
    ProductFacts,
    Readiness,
    Rule,
    Summary,
)
from services.catalog.readiness.identifiers import check_identifiers
from services.catalog.readiness.matrix import check_matrix
from services.catalog.readiness.media_rules import check_images, check_video

WEIGHT_UNITS = ("KILOGRAM", "POUND")
DIMENSION_UNITS = ("CENTIMETER", "INCH")
_TAG = re.compile(r"<[^>]*>|&nbsp;")
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_product(
    product: ProductFacts, ctx: Context, children: Sequence[tuple[ProductFacts, Readiness]] = ()
) -> Readiness:
    """Everything that keeps ``product`` from being posted to ``ctx.shop``, the identifier and the brand to send."""
    is_parent = bool(children)
    problems: list[Problem] = []
    problems.extend(_check_listing(product, is_parent))
    problems.extend(check_images(product))
    problems.extend(check_video(product.video))
    problems.extend(_check_category(product, ctx))
    if ctx.category is not None and ctx.category.is_leaf:
        problems.extend(check_attributes(product, ctx))
    if not is_parent:
        problems.extend(_check_shipping(product))
    brand_problems, brand_to_send = _check_brand(product, ctx)
    problems.extend(brand_problems)
    identifier: tuple[str, str] | None = None
    if not is_parent:
        identifier_problems, identifier = check_identifiers(
            product, ctx.shop.identifier_priority, ctx.gtin_owners
        )
        problems.extend(identifier_problems)
    problems.extend(check_documents(product, ctx))
    if is_parent:
        problems.extend(check_matrix(product, ctx, children))
    return Readiness(
        seller_sku=product.seller_sku, shop_id=ctx.shop.shop_id, ready=not problems,
        problems=tuple(problems), identifier=identifier, brand_to_send=brand_to_send,
    )


def summarise(results: Iterable[Readiness], top: int = 10) -> Summary:
    """Counts of ready and not ready products and the ``top`` problems affecting the most products."""
    total = ready = 0
    products: Counter[tuple[Rule, str]] = Counter()
    occurrences: Counter[tuple[Rule, str]] = Counter()
    for result in results:
        total += 1
        ready += result.ready
        seen = {(p.rule, p.code) for p in result.problems}
        products.update(seen)
        occurrences.update((p.rule, p.code) for p in result.problems)
    ranked = sorted(products, key=lambda rc: (-products[rc], -occurrences[rc], rc[1]))[:top]
    return Summary(
        total=total, ready=ready, not_ready=total - ready,
        top_problems=tuple(CodeCount(rule, code, products[(rule, code)], occurrences[(rule, code)])
                           for rule, code in ranked),
    )


def _blank(text: str | None) -> bool:
    return text is None or not _TAG.sub("", text).strip()


def _positive(value: Decimal | None) -> bool:
    return value is not None and value.is_finite() and value > 0


def _amount(value: Decimal | None, *, field: str, code: str, what: str, fix_missing: str) -> Iterator[Problem]:
    """R32: a price, weight or dimension is given and more than 0."""
    if value is None:
        yield Problem(rule="R32", code=f"{code}_missing", field=field, value=None, message=f"no {what}",
                      fix=fix_missing)
    elif not _positive(value):
        yield Problem(rule="R32", code=f"{code}_not_positive", field=field, value=str(value),
                      message=f"the {what} is {value}; it must be more than 0", fix=f"set a {field} above 0")


def _check_listing(product: ProductFacts, is_parent: bool) -> Iterator[Problem]:
    if not product.enabled:
        yield Problem(
            rule="R32", code="product_disabled", field="enabled", value="false",
            message="the product is disabled for the website",
            fix="set enabled to true to sell it on TikTok",
        )
    if not is_parent:
        yield from _amount(product.price, field="price", code="price", what="website price",
                           fix_missing="set price (and currency), e.g. 19.90 USD")
        currency = (product.currency or "").strip()
        if not currency:
            yield Problem(
                rule="R32", code="currency_missing", field="currency", value=None,
                message="the price has no currency", fix="set currency to the ISO code of the price, e.g. USD",
            )
        elif not _CURRENCY.fullmatch(currency):
            yield Problem(
                rule="R32", code="currency_invalid", field="currency", value=currency,
                message=f"{currency!r} is not an ISO currency code", fix="use a 3-letter ISO code, e.g. USD",
            )
    if _blank(product.title):
        yield Problem(
            rule="R32", code="title_missing", field="title", value=None,
            message="no title", fix="set title to the product name shown on TikTok",
        )
    if _blank(product.description):
        # The short description falls back to the long one, so only the long one is required.
        yield Problem(
            rule="R32", code="description_missing", field="description", value=product.description,
            message="no long description (the short description falls back to it, so it is required)",
            fix="set description (HTML allowed)",
        )


def _check_category(product: ProductFacts, ctx: Context) -> Iterator[Problem]:
    category_id = (product.category_id or "").strip()
    shop = ctx.shop.shop_id
    if not category_id:
        yield Problem(
            rule="R32", code="category_missing", field="category_id", value=None,
            message="no TikTok category",
            fix=f"set category_id to a leaf category id (`ttshop catalog categories export {shop} --out "
                "categories.xlsx` lists them)",
        )
        return
    category = ctx.category
    if category is None:
        yield Problem(
            rule="R32", code="category_unknown", field="category_id", value=category_id,
            message=f"category {category_id} is not in the downloaded category tree of shop {shop}",
            fix=f"check the id, or run `ttshop catalog categories download {shop}` if the tree is old",
        )
        return
    where = f"category {category.id} ({category.path or category.name})"
    if not category.is_leaf:
        yield Problem(
            rule="R32", code="category_not_leaf", field="category_id", value=category_id,
            message=f"{where} has subcategories; TikTok lists products only in a leaf category",
            fix="choose one of its subcategories",
        )
    permission = category.permission.strip().upper()
    if permission == "PROHIBITED":
        yield Problem(
            rule="R32", code="category_prohibited", field="category_id", value=category_id,
            message=f"{where} is prohibited for shop {shop}", fix="choose another category",
        )
    elif permission == "INVITE_ONLY":
        yield Problem(
            rule="R32", code="category_invite_only", field="category_id", value=category_id,
            message=f"{where} is invite-only: it needs TikTok's approval for this shop",
            fix=f"apply for the category in TikTok Seller Center; once approved run "
                f"`ttshop catalog categories download {shop}`",
        )
    elif permission == "NON_MAIN_CATEGORY":
        yield Problem(
            rule="R32", code="category_not_main", field="category_id", value=category_id,
            message=f"{where} is outside shop {shop}'s main category, so TikTok does not let it list there",
            fix="choose a category within the shop's main category, or ask TikTok in Seller Center to add it",
        )
    elif permission != "AVAILABLE":
        yield Problem(
            rule="R32", code="category_permission_unknown", field="category_id", value=category.permission,
            message=f"{where} has the permission status {category.permission!r}, which is not known to be usable",
            fix=f"run `ttshop catalog categories download {shop}` and check the category in Seller Center",
        )


def _check_shipping(product: ProductFacts) -> Iterator[Problem]:
    yield from _amount(product.weight, field="weight", code="weight", what="shipping weight",
                       fix_missing="set weight and weight_unit (KILOGRAM or POUND)")
    yield from _unit(product.weight_unit, "weight_unit", WEIGHT_UNITS, "weight")
    for name in ("length", "width", "height"):
        yield from _amount(getattr(product, name), field=name, code="dimension", what=f"package {name}",
                           fix_missing=f"set {name} (with dimension_unit CENTIMETER or INCH)")
    yield from _unit(product.dimension_unit, "dimension_unit", DIMENSION_UNITS, "dimension")


def _unit(unit: str | None, field: str, allowed: tuple[str, ...], what: str) -> Iterator[Problem]:
    choices = " or ".join(allowed)
    if unit is None or not unit.strip():
        yield Problem(
            rule="R32", code=f"{what}_unit_missing", field=field, value=None,
            message=f"no {what} unit", fix=f"set {field} to {choices}",
        )
    elif unit not in allowed:
        yield Problem(
            rule="R32", code=f"{what}_unit_invalid", field=field, value=unit,
            message=f"{unit!r} is not a {what} unit TikTok knows", fix=f"set {field} to {choices}",
        )


def _check_brand(product: ProductFacts, ctx: Context) -> tuple[list[Problem], str | None]:
    """R35: brand is optional; with "send brand info" off it is neither checked nor sent."""
    given = (product.brand or "").strip()
    if not ctx.shop.send_brand_info or not given:
        return [], None
    shop = ctx.shop.shop_id
    brand = ctx.brand
    if brand is None and not ctx.brands_downloaded:
        return [Problem(
            rule="R35", code="brands_not_downloaded", field="brand", value=given,
            message=f"brand {given!r} cannot be checked: the brands of shop {shop} were never downloaded",
            fix=f"run `ttshop catalog brands download {shop}`, then check the product again",
        )], None
    if brand is None:
        return [Problem(
            rule="R35", code="brand_unknown", field="brand", value=given,
            message=f"brand {given!r} is not among the brands TikTok lists for shop {shop}",
            fix="correct the brand name or id, register the brand in TikTok Seller Center and download brands "
                "again, or leave brand empty",
        )], None
    if not brand.authorized:
        return [Problem(
            rule="R35", code="brand_not_authorised", field="brand", value=given,
            message=f"brand {brand.name} ({brand.id}) is not authorised for category {product.category_id}; "
                    "TikTok refuses the whole product",
            fix="get the brand authorised for this category in TikTok Seller Center, or leave brand empty",
        )], None
    return [], brand.id
