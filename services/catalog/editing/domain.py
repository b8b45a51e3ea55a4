"""Editing a posted product (R38, R39), the pure part: the body of a ``partial_edit`` (the top-level fields
that differ from what TikTok was last sent, each complete) or of a ``PUT`` (the whole product), with the
SKUs TikTok already holds named by their ids, so a kept SKU keeps its id, a new child is added and a
removed child is removed. No I/O.

Edits never carry the stock or price of a SKU TikTok already has: TikTok keeps them on an edit, and they
go out through the inventory and price uploads (R40), which order the changes. A new SKU needs both.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Mode = Literal["partial", "full"]

#: The top-level fields of a create body a partial edit may send (``save_mode`` is create-only).
EDITABLE = ("title", "description", "category_id", "category_version", "main_images", "product_attributes",
            "brand_id", "package_weight", "package_dimensions", "certifications", "video", "skus")
#: Sent with the category whenever it changes (TikTok reads them together).
WITH_CATEGORY = ("category_id", "category_version", "product_attributes")


@dataclass(frozen=True)
class SkuChanges:
    kept: dict[str, str]  # seller SKU -> TikTok SKU id
    added: list[str]
    removed: dict[str, str]  # seller SKU -> TikTok SKU id


def sku_changes(body: Mapping[str, Any], sku_ids: Mapping[str, str]) -> SkuChanges:
    """Which of the body's SKUs TikTok already holds (by our seller SKU), which are new, which go."""
    wanted = [str(s["seller_sku"]) for s in body.get("skus") or []]
    kept = {sku: sku_ids[sku] for sku in wanted if sku in sku_ids}
    return SkuChanges(kept, [sku for sku in wanted if sku not in sku_ids],
                      {sku: sku_id for sku, sku_id in sku_ids.items() if sku not in wanted})


def _named_skus(body: Mapping[str, Any], sku_ids: Mapping[str, str]) -> list[dict[str, Any]]:
    """The body's SKUs, each kept one with its TikTok id and without stock and price."""
    out = []
    for sku in body.get("skus") or []:
        entry = copy.deepcopy(dict(sku))
        sku_id = sku_ids.get(str(entry.get("seller_sku")))
        if sku_id is not None:
            entry["id"] = sku_id
            entry.pop("price", None)
            entry.pop("inventory", None)
        out.append(entry)
    return out


def _comparable(body: Mapping[str, Any] | None, sku_ids: Mapping[str, str]) -> dict[str, Any]:
    if not body:
        return {}
    found = {k: copy.deepcopy(body[k]) for k in EDITABLE if k in body}
    if "skus" in found:
        found["skus"] = _named_skus(body, sku_ids)
    return found


def changed_fields(sent: Mapping[str, Any] | None, new: Mapping[str, Any], sku_ids: Mapping[str, str]) -> list[str]:
    """Top-level fields whose value differs from what TikTok was last sent (a field dropped counts)."""
    before, after = _comparable(sent, sku_ids), _comparable(new, sku_ids)
    return [k for k in EDITABLE if before.get(k) != after.get(k)]


def edit_body(mode: Mode, sent: Mapping[str, Any] | None, new: Mapping[str, Any],
              sku_ids: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """(body to send, the fields it changes). ``partial``: only the changed fields, each complete (and the
    category's companions with a new category); ``full``: the whole product, for ``PUT``."""
    fields = changed_fields(sent, new, sku_ids)
    after = _comparable(new, sku_ids)
    if mode == "full":
        return after, fields
    chosen = set(fields)
    if chosen & {"category_id", "category_version"}:
        chosen |= {f for f in WITH_CATEGORY if f in after}
    body = {k: after[k] for k in EDITABLE if k in chosen and k in after}
    return body, fields


def dropped(fields: list[str], new: Mapping[str, Any]) -> list[str]:
    """Changed fields the record no longer has: a partial edit cannot blank them (only a PUT can)."""
    return [f for f in fields if f not in new]


def merged(sent: Mapping[str, Any] | None, new: Mapping[str, Any], mode: Mode, fields: list[str]) -> dict[str, Any]:
    """What TikTok holds after the edit, in create-body form (the next partial update compares to it)."""
    if mode == "full" or not sent:
        return copy.deepcopy(dict(new))
    out = copy.deepcopy(dict(sent))
    for field in fields:
        if field in new:
            out[field] = copy.deepcopy(new[field])
        else:
            out.pop(field, None)
    return out
