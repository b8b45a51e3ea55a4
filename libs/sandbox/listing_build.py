"""A create / edit body that passed ``listing_rules.run_checks`` turned into what the sandbox stores
(:class:`~libs.sandbox.product_model.Submission`): the product-level fields as sent (``details``) and in
TikTok's GET shape (``view``: category chain, brand name, media urls, attribute names), and the SKUs
with their sales attributes resolved to ids.

Sales attribute ids: a category's own dimension keeps its attribute id and value ids; a custom
dimension or value (a ``name`` / ``value_name`` the category does not know) gets a stable id derived
from its name, the same in every product (*sandbox choice*).
"""

from __future__ import annotations

import copy
from typing import Any

from libs.sandbox.attributes import SALES, Attribute, attributes_for, rules_for
from libs.sandbox.brands import brands_by_id
from libs.sandbox.listing_base import ListingCheck, decimal, text
from libs.sandbox.media import MediaStore
from libs.sandbox.product_model import SalesAttribute, SkuSpec, Submission
from libs.sandbox.state import stable_numeric_id
from libs.sandbox.taxonomy import Category, tree

#: top-level fields of a create body the sandbox keeps (TikTok has more; the others are ignored)
PRODUCT_FIELDS = (
    "title", "description", "category_id", "category_version", "brand_id", "main_images", "video",
    "certifications", "package_weight", "package_dimensions", "product_attributes", "size_chart", "skus",
)
DETAIL_FIELDS = tuple(f for f in PRODUCT_FIELDS if f not in ("title", "skus"))


def build(check: ListingCheck, sku_ids: list[str | None]) -> Submission:
    """``check`` ran over the body without failures; ``sku_ids[i]``: the existing SKU skus[i] keeps."""
    body, media, seller = check.body, check.state.media, check.seller_id
    assert check.category is not None and not check.failures
    category = check.category
    details = {k: copy.deepcopy(body[k]) for k in DETAIL_FIELDS if body.get(k) is not None}
    view: dict[str, Any] = {
        "description": body["description"],
        "category_id": category.id,
        "category_chains": [
            {"id": c.id, "parent_id": c.parent_id, "local_name": c.name, "is_leaf": c.is_leaf}
            for c in tree(category.version).chain(category)
        ],
        "main_images": [_image(media, seller, i) for i in body["main_images"]],
        "product_attributes": [_product_attribute(category, a) for a in body.get("product_attributes") or []],
        "certifications": _certifications(check, category),
    }
    brand = brands_by_id().get(text(body.get("brand_id")) or "")
    if brand is not None:
        view["brand"] = {"id": brand.id, "name": brand.name}
    for key in ("package_weight", "package_dimensions"):
        if body.get(key) is not None:
            view[key] = copy.deepcopy(body[key])
    video = body.get("video")
    if video is not None:
        stored = media.file(seller, text(video.get("id")) or "")
        view["video"] = {"id": stored.id, "url": stored.url, "format": stored.format} if stored else {}
    chart = (body.get("size_chart") or {}).get("image")
    if chart is not None:
        view["size_chart"] = {"image": _image(media, seller, chart)}
    builtin = {a.id: a for a in attributes_for(category) if a.type == SALES}
    skus = [_sku(check, sku, builtin, sku_id) for sku, sku_id in zip(body["skus"], sku_ids, strict=True)]
    return Submission(title=body["title"], details=details, view=view, skus=skus, warnings=list(check.warnings))


def _image(media: MediaStore, seller_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    uri = text(entry.get("uri")) or ""
    stored = media.image(seller_id, uri)
    if stored is None:
        return {"uri": uri, "urls": []}
    return {"uri": uri, "urls": [stored.url], "width": stored.width, "height": stored.height}


def _product_attribute(category: Category, item: dict[str, Any]) -> dict[str, Any]:
    attr = next(a for a in attributes_for(category) if a.id == text(item.get("id")))
    values = []
    for value in item.get("values") or []:
        value_id = text(value.get("id"))
        if value_id:
            values.append({"id": value_id, "name": attr.value_by_id(value_id)})
            continue
        name = str(value.get("name")).strip()
        matched = attr.value_by_name(name)
        values.append({"id": matched or _custom_id("attribute_value", attr.id, name),
                       "name": attr.value_by_id(matched) if matched else name})
    return {"id": attr.id, "name": attr.name, "values": values}


def _certifications(check: ListingCheck, category: Category) -> list[dict[str, Any]]:
    names = {c.id: c.name for c in rules_for(category, check.shop.region).certifications}
    media, seller = check.state.media, check.seller_id
    out = []
    for item in check.body.get("certifications") or []:
        files = []
        for entry in item.get("files") or []:
            stored = media.file(seller, text(entry.get("id")) or "")
            if stored is not None:
                files.append({"id": stored.id, "name": stored.name, "urls": [stored.url], "format": stored.format})
        cert_id = text(item.get("id")) or ""
        out.append({"id": cert_id, "title": names.get(cert_id, ""),
                    "images": [_image(media, seller, i) for i in item.get("images") or []], "files": files})
    return out


def _custom_id(kind: str, scope: str, name: str) -> str:
    return stable_numeric_id(kind, f"{scope}:{name.strip().casefold()}")


def _sku(check: ListingCheck, sku: dict[str, Any], builtin: dict[str, Attribute], sku_id: str | None) -> SkuSpec:
    price = sku["price"]
    amount = decimal(price["amount"])
    assert amount is not None  # checked
    code = sku.get("identifier_code")
    return SkuSpec(
        seller_sku=sku.get("seller_sku") or "",
        price=amount,
        currency=str(price["currency"]),
        inventory={str(text(e["warehouse_id"])): int(e["quantity"]) for e in sku["inventory"]},
        identifier_code={"type": str(code["type"]), "code": str(text(code["code"]))} if code else None,
        sales_attributes=[_sales_attribute(check, e, builtin) for e in sku.get("sales_attributes") or []],
        id=sku_id,
    )


def _sales_attribute(check: ListingCheck, entry: dict[str, Any], builtin: dict[str, Attribute]) -> SalesAttribute:
    attr_id, name = text(entry.get("id")), entry.get("name")
    if attr_id:
        attr: Attribute | None = builtin[attr_id]
    else:
        attr = next((a for a in builtin.values() if a.name.casefold() == str(name).strip().casefold()), None)
    label = attr.name if attr is not None else str(name).strip()
    dimension = attr.id if attr is not None else _custom_id("sales_attribute", "", label)
    value_id = text(entry.get("value_id"))
    if value_id and attr is not None:
        value_name = attr.value_by_id(value_id) or ""
    else:
        raw = str(entry.get("value_name")).strip()
        matched = attr.value_by_name(raw) if attr is not None else None
        value_id = matched or _custom_id("sales_value", dimension, raw)
        value_name = (attr.value_by_id(matched) if attr is not None and matched else None) or raw
    image = entry.get("sku_img")
    return SalesAttribute(
        id=dimension, name=label, value_id=value_id, value_name=value_name, builtin=attr is not None,
        sku_img=_image(check.state.media, check.seller_id, image) if image is not None else None,
    )
