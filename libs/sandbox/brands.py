"""Brands the sandbox knows (built once per process) and where each may be used.

A brand is sold in some top-level branches (``scope``) and authorised in some of them
(``authorized``); authorisation is per (brand, top-level branch), the same for every shop (a
*sandbox simplification*: TikTok authorises per seller). ``GET brands`` with ``category_id`` lists the
brands in scope for that category's branch, ``authorized_status`` for it; without ``category_id`` all
brands, ``AUTHORIZED`` when authorised anywhere. A listing whose brand is not authorised for its
category fails with 12052201; an unknown or unavailable brand with 12052026 (TikTok's codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from libs.sandbox.state import stable_numeric_id
from libs.sandbox.taxonomy import Category

BRAND_NOT_FOUND = 12052026
BRAND_NOT_AUTHORIZED = 12052201

AUTHORIZED, UNAUTHORIZED = "AUTHORIZED", "UNAUTHORIZED"
AVAILABLE, UNAVAILABLE = "AVAILABLE", "UNAVAILABLE"

# name | branches where it is sold | branches where it is authorised [| UNAVAILABLE]
_BRANDS = """
Northwind Apparel | womenswear menswear kids_fashion bags_luggage | womenswear menswear kids_fashion
Maple & Thread | womenswear menswear | womenswear
Urban Fox | menswear shoes | menswear shoes
Stride Lab | shoes sports_outdoors | shoes
Little Sprout | kids_fashion toys_hobbies | kids_fashion toys_hobbies
Harbor Home | home_kitchen | home_kitchen
Copperleaf Kitchen | home_kitchen | home_kitchen
Oakline Furniture | home_kitchen | home_kitchen
Lumen Beauty | beauty_personal_care home_kitchen | beauty_personal_care
Velvet Petal | beauty_personal_care | beauty_personal_care
Pure Dew Skincare | beauty_personal_care | beauty_personal_care
Brickwise Toys | toys_hobbies | toys_hobbies
Puzzle Peak | toys_hobbies books_media | toys_hobbies
Voltix | phones_electronics computers_office automotive_motorcycle | phones_electronics computers_office
Sonora Audio | phones_electronics | phones_electronics
Pixelframe | phones_electronics | phones_electronics
Keystone Computing | computers_office | computers_office
Paper Crane | computers_office books_media | computers_office books_media
Golden Harvest | food_beverages | food_beverages
Bean & Leaf | food_beverages | food_beverages
Trailhead Gear | sports_outdoors bags_luggage | sports_outdoors bags_luggage
Zenith Fitness | sports_outdoors | sports_outdoors
Pawsome | pet_supplies | pet_supplies
Roadmate | automotive_motorcycle | automotive_motorcycle
Inkwell Press | books_media | books_media
Fable Kids Books | books_media toys_hobbies | books_media
Aurelia Fine Jewelry | jewellery_accessories | jewellery_accessories
Glimmer & Co | jewellery_accessories womenswear | jewellery_accessories
Timecraft | jewellery_accessories phones_electronics | jewellery_accessories
Vault Collectibles | collectibles | collectibles
Nomad Travel | bags_luggage | bags_luggage
Carryall | bags_luggage womenswear | bags_luggage womenswear
Bloom Botanics | beauty_personal_care home_kitchen | beauty_personal_care home_kitchen
Prestige Maison | womenswear bags_luggage jewellery_accessories beauty_personal_care |
Titan Athletics | sports_outdoors shoes menswear |
Celestia Cosmetics | beauty_personal_care |
Sunny Side Foods | food_beverages | food_beverages | UNAVAILABLE
Retro Arcade | phones_electronics toys_hobbies | phones_electronics toys_hobbies | UNAVAILABLE
"""


@dataclass(frozen=True)
class Brand:
    id: str
    name: str
    rank: int  # position in name order (sort key for pages)
    scope: frozenset[str]
    authorized: frozenset[str]
    status: str

    def authorized_for(self, category: Category | None, withdrawn: frozenset[str] | set[str] = frozenset()) -> bool:
        """``withdrawn``: brand ids whose authorisation the shop lost (TikTok authorises per seller)."""
        if self.id in withdrawn:
            return False
        return bool(self.authorized) if category is None else category.node.branch in self.authorized

    def in_scope(self, category: Category) -> bool:
        return category.node.branch in self.scope

    def to_wire(self, category: Category | None, withdrawn: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name,
            "authorized_status": AUTHORIZED if self.authorized_for(category, withdrawn) else UNAUTHORIZED,
            "brand_status": self.status, "is_T1_brand": False,
        }


@cache
def brands() -> tuple[Brand, ...]:
    rows = []
    for line in _BRANDS.strip().splitlines():
        name, scope, authorized, *status = [part.strip() for part in line.split("|")]
        rows.append((name, frozenset(scope.split()), frozenset(authorized.split()), status[0] if status else AVAILABLE))
    rows.sort(key=lambda row: row[0].casefold())
    return tuple(
        Brand(stable_numeric_id("brand", name), name, rank, scope, authorized, status)
        for rank, (name, scope, authorized, status) in enumerate(rows)
    )


@cache
def brands_by_id() -> dict[str, Brand]:
    return {b.id: b for b in brands()}


def search(category: Category | None, is_authorized: bool | None, brand_name: str | None,
           withdrawn: frozenset[str] | set[str] = frozenset()) -> list[Brand]:
    needle = (brand_name or "").strip().casefold()
    return [
        b for b in brands()
        if (category is None or b.in_scope(category))
        and (is_authorized is None or b.authorized_for(category, withdrawn) == is_authorized)
        and (not needle or needle in b.name.casefold())
    ]


def brand_refusal(brand_id: str, category: Category | None,
                  withdrawn: frozenset[str] | set[str] = frozenset()) -> tuple[int, str] | None:
    """Why ``brand_id`` cannot be used for a listing in ``category`` (code, message), or None."""
    brand = brands_by_id().get(brand_id)
    if brand is None:
        return BRAND_NOT_FOUND, f"brand {brand_id} does not exist; pick one from GET /product/202309/brands"
    if brand.status != AVAILABLE:
        return BRAND_NOT_FOUND, f"brand {brand_id} ({brand.name}) is {brand.status} and cannot be used"
    if brand_id in withdrawn:
        return BRAND_NOT_AUTHORIZED, f"brand {brand_id} ({brand.name}) is not authorised for this shop any more"
    if category is not None and not brand.authorized_for(category):
        return (
            BRAND_NOT_AUTHORIZED,
            f"brand {brand_id} ({brand.name}) is not authorised for category {category.id} ({category.name})",
        )
    return None
