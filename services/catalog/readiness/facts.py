"""Building the readiness check's inputs from what the catalog stores: a product record (with what a
variation child inherits from its parent), the facts of its media, and the shop's taxonomy. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from services.catalog.media.domain import StoredMedia
from services.catalog.products.domain import MediaRef, Product, category_for
from services.catalog.readiness.domain import (
    AttributeFacts,
    BrandFacts,
    CategoryFacts,
    CertificationFacts,
    Context,
    DocumentFacts,
    MediaFacts,
    MediaKind,
    ProductFacts,
    ShopFacts,
)
from services.catalog.readiness.identifiers import normalise
from services.catalog.taxonomy.domain import Attribute, Category

#: What a variation child takes from its matrix parent when it has none of its own: on TikTok these
#: belong to the product, and the SKU (the child) carries price, identifiers and sales attributes.
INHERITED = ("title", "description", "short_description", "category_id", "brand", "attributes", "weight",
             "weight_unit", "length", "width", "height", "dimension_unit", "main_image", "images", "video",
             "documents", "shop_categories")


def inherit(child: Product, parent: Product | None) -> Product:
    if parent is None:
        return child
    empty = Product(seller_sku=child.seller_sku)
    taken = {name: getattr(parent, name) for name in INHERITED if getattr(child, name) == getattr(empty, name)}
    return replace(child, **taken)


def media_facts(ref: MediaRef | None, kind: MediaKind, media: Mapping[str, StoredMedia],
                errors: Mapping[str, str]) -> MediaFacts | None:
    if ref is None:
        return None
    stored = media.get(ref.sha256 or "")
    if stored is None:
        why = errors.get(ref.source) or "the file was never loaded: load the product file again with it"
        return MediaFacts(source=ref.source, kind=kind, error=why)
    return MediaFacts(source=ref.source, kind=kind, size_bytes=stored.size_bytes, sha256=stored.sha256,
                      image=stored.image_facts() if stored.is_image else None, content_type=stored.content_type,
                      error=None)


def product_facts(p: Product, media: Mapping[str, StoredMedia], errors: Mapping[str, str], shop_id: str) -> ProductFacts:
    return ProductFacts(
        seller_sku=p.seller_sku, parent_sku=p.parent_sku, enabled=p.enabled, title=p.title, description=p.description,
        short_description=p.short_description, price=p.price, currency=p.currency,
        category_id=category_for(p, shop_id), brand=p.brand, attributes=p.attributes,
        sales_attributes=p.sales_attributes, weight=p.weight, weight_unit=p.weight_unit, length=p.length,
        width=p.width, height=p.height, dimension_unit=p.dimension_unit, identifiers=p.identifiers,
        main_image=media_facts(p.main_image, "image", media, errors),
        gallery=[f for f in (media_facts(r, "image", media, errors) for r in p.images) if f is not None],
        video=media_facts(p.video, "video", media, errors),
        documents=[DocumentFacts(d.requirement, f) for d in p.documents
                   if (f := media_facts(d.media, "document", media, errors)) is not None],
    )


def required_when(conditions: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """TikTok's ``requirement_conditions`` as (attribute id, value id) pairs (VALUE_ID_MATCH, the one kind)."""
    return tuple((str(c.get("attribute_id")), str(c.get("attribute_value_id"))) for c in conditions
                 if isinstance(c, dict) and c.get("condition_type", "VALUE_ID_MATCH") == "VALUE_ID_MATCH")


@dataclass
class ShopTaxonomy:
    """One shop's taxonomy as stored, with a base context per category (shared by its products)."""

    shop: ShopFacts
    categories: dict[str, Category]
    paths: dict[str, str]
    details: dict[str, tuple[list[Attribute], list[CertificationFacts], bool]]
    brands: dict[str, tuple[str, str]]  # id and lower-cased name -> (id, name)
    authorizations: dict[tuple[str, str], bool]
    brand_categories: set[str]
    owners: dict[str, set[str]]  # normalised identifier -> SKUs using it
    max_children: int = 100

    def __post_init__(self) -> None:
        self._contexts: dict[str | None, Context] = {}

    def base(self, category_id: str | None) -> Context:
        if category_id not in self._contexts:
            c = self.categories.get(category_id or "")
            attributes, certifications, package = self.details.get(category_id or "", ([], [], False))
            self._contexts[category_id] = Context(
                shop=self.shop,
                category=None if c is None else CategoryFacts(c.id, c.name, self.paths[c.id], c.is_leaf, c.permission),
                attributes_downloaded=(category_id or "") in self.details,
                attributes=[AttributeFacts(a.id, a.name, "SALES_PROPERTY" if a.type == "SALES_PROPERTY"
                                           else "PRODUCT_PROPERTY", a.required, a.customizable, a.multiple,
                                           a.values, required_when(a.requirement_conditions)) for a in attributes],
                certifications=certifications, package_dimensions_required=package, brand=None,
                brands_downloaded=bool(self.brands), gtin_owners={}, max_children=self.max_children,
            )
        return self._contexts[category_id]

    def context(self, facts: ProductFacts) -> Context:
        base = self.base(facts.category_id)
        brand = self._brand(facts.brand, facts.category_id)
        owners = {}
        for code in facts.identifiers.values():
            key = normalise(code)
            others = self.owners.get(key, set()) - {facts.seller_sku}
            if others:
                owners[key] = min(others)
        if brand is None and not owners:
            return base
        return replace(base, brand=brand, gtin_owners=owners)

    def _brand(self, given: str | None, category_id: str | None) -> BrandFacts | None:
        if not given:
            return None
        found = self.brands.get(given) or self.brands.get(given.strip().lower())
        if found is None:
            return None
        brand_id, name = found
        authorized = self.authorizations.get((category_id or "", brand_id), False)
        return BrandFacts(brand_id, name, authorized)
