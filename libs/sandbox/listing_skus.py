"""SKU and package checks of a create-product body (entry point: ``listing_rules.check_create_body``).

TikTok's rules as documented for 202309: 1 to ``settings.max_skus_per_product`` SKUs (12052050 past
it); ``seller_sku`` 1–50 characters, unique; ``price{amount, currency}`` with ``amount`` a decimal
string inside the region's range and the region's currency; ``inventory`` in the shop's warehouses,
0–99999 each; ``identifier_code`` GTIN 14 digits, EAN 8/13/14, UPC 12, ISBN 13 (last may be ``X``),
never shared by two SKUs. Sales attributes: up to 3 dimensions (built-in by ``id`` or a custom
``name`` of 1–20 characters), ``value_name`` 1–50 characters or a built-in ``value_id``, the same
dimensions on every SKU, no two SKUs with the same values, ``sku_img`` (an ``ATTRIBUTE_IMAGE``) on one
dimension only. Package: ``package_weight`` is required (``KILOGRAM``; US also ``POUND``);
``package_dimensions`` (positive integer strings, ``CENTIMETER``; US also ``INCH``, paired with the
weight unit) where the category's rules or the region require them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from libs.sandbox import listing_base as lb
from libs.sandbox.attributes import SALES, Attribute, attributes_for, package_dimensions_required
from libs.sandbox.listing_base import ListingCheck, decimal, text
from libs.sandbox.products import PRICE_INVALID, WAREHOUSE_NOT_FOUND

# region -> (currency, decimal places, min, max) for local sellers
REGION_PRICES = {
    "US": ("USD", 2, "0.01", "7600"), "GB": ("GBP", 2, "0.01", "5600"), "ID": ("IDR", 0, "100", "100000000"),
    "TH": ("THB", 2, "30", "260000"), "MY": ("MYR", 2, "0.01", "320000"), "VN": ("VND", 0, "1", "180000000"),
    "PH": ("PHP", 2, "0.01", "400000"), "SG": ("SGD", 2, "0.01", "10000"),
}
IDENTIFIER_RULES = {
    "GTIN": (re.compile(r"\d{14}"), "14 digits"),
    "EAN": (re.compile(r"\d{8}|\d{13}|\d{14}"), "8, 13 or 14 digits"),
    "UPC": (re.compile(r"\d{12}"), "12 digits"),
    "ISBN": (re.compile(r"\d{12}[\dX]"), "13 characters, digits (the last may be X)"),
}
MAX_SALES_DIMENSIONS = 3
MAX_WEIGHT = Decimal(1000)
UNIT_PAIRS = {"KILOGRAM": "CENTIMETER", "POUND": "INCH"}


def check_skus(c: ListingCheck) -> None:
    skus = c.objects(c.body.get("skus"), "skus", lb.SKU_INVALID)
    limit = c.state.settings.max_skus_per_product
    if not skus:
        c.fail(lb.SKU_INVALID, "skus is required: at least one SKU")
        return
    if len(skus) > limit:
        c.fail(lb.TOO_MANY_SKUS, f"the product has {len(skus)} SKUs; at most {limit}")
    seller_skus: dict[str, int] = {}
    codes: dict[str, int] = {}
    for i, sku in enumerate(skus):
        _seller_sku(c, sku.get("seller_sku"), i, seller_skus)
        _price(c, sku.get("price"), f"skus[{i}].price")
        _inventory(c, sku.get("inventory"), f"skus[{i}].inventory")
        _identifier(c, sku.get("identifier_code"), i, codes)
    _sales_attributes(c, skus)


def _seller_sku(c: ListingCheck, value: Any, i: int, seen: dict[str, int]) -> None:
    where = f"skus[{i}].seller_sku"
    if value is None:
        c.warn(f"skus[{i}] has no seller_sku: orders for it cannot be matched to your stock")
    elif not isinstance(value, str) or not 1 <= len(value) <= 50:
        c.fail(lb.SKU_INVALID, f"{where} must be 1 to 50 characters, got {value!r}")
    elif value in seen:
        c.fail(lb.SKU_INVALID, f"{where} {value!r} is also skus[{seen[value]}].seller_sku")
    else:
        seen[value] = i


def _price(c: ListingCheck, raw: Any, where: str) -> None:
    price = c.object(raw, where, PRICE_INVALID)
    if price is None:
        c.fail(PRICE_INVALID, f"{where} is required: {{amount, currency}}")
        return
    currency, places, low, high = REGION_PRICES.get(c.shop.region, ("", 2, "0.01", "100000000"))
    raw_amount = price.get("amount")
    amount = decimal(raw_amount) if isinstance(raw_amount, str) else None
    exponent = amount.as_tuple().exponent if amount is not None else 0
    if amount is None:
        c.fail(PRICE_INVALID, f"{where}.amount must be a decimal string, got {raw_amount!r}")
    elif not Decimal(low) <= amount <= Decimal(high):
        c.fail(PRICE_INVALID, f"{where}.amount {raw_amount} is outside {low} to {high} {currency}".rstrip())
    elif isinstance(exponent, int) and -exponent > places:
        c.fail(PRICE_INVALID, f"{where}.amount {raw_amount} has more than {places} decimal places")
    got = price.get("currency")
    if currency and got != currency:
        c.fail(PRICE_INVALID, f"{where}.currency must be {currency} for a {c.shop.region} shop, got {got!r}")
    elif not currency and not (isinstance(got, str) and re.fullmatch(r"[A-Z]{3}", got)):
        c.fail(PRICE_INVALID, f"{where}.currency must be an ISO 4217 code, got {got!r}")


def _inventory(c: ListingCheck, raw: Any, where: str) -> None:
    entries = c.objects(raw, where, lb.SKU_INVALID)
    if not entries:
        c.fail(lb.SKU_INVALID, f"{where} is required: [{{warehouse_id, quantity}}]")
        return
    warehouses = {w.id for w in c.shop.warehouses}
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        warehouse_id, quantity = text(entry.get("warehouse_id")), entry.get("quantity")
        if warehouse_id not in warehouses:
            c.fail(WAREHOUSE_NOT_FOUND, f"{where}[{n}]: warehouse {warehouse_id!r} is not a warehouse of this shop")
        elif warehouse_id in seen:
            c.fail(lb.SKU_INVALID, f"{where}[{n}]: warehouse {warehouse_id} is listed twice")
        seen.add(warehouse_id or "")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 99_999:
            c.fail(lb.SKU_INVALID, f"{where}[{n}]: quantity must be an integer 0 to 99999, got {quantity!r}")


def _identifier(c: ListingCheck, raw: Any, i: int, seen: dict[str, int]) -> None:
    where = f"skus[{i}].identifier_code"
    code = c.object(raw, where, lb.IDENTIFIER_CODE_INVALID)
    if code is None:
        return
    kind, value = code.get("type"), text(code.get("code")) or ""
    rule = IDENTIFIER_RULES.get(kind) if isinstance(kind, str) else None
    if rule is None:
        c.fail(lb.IDENTIFIER_CODE_INVALID, f"{where}.type must be one of {', '.join(IDENTIFIER_RULES)}, got {kind!r}")
    elif not rule[0].fullmatch(value):
        c.fail(lb.IDENTIFIER_CODE_INVALID, f"{where}: {kind} {value!r} must be {rule[1]}")
    elif value in seen:
        c.fail(lb.IDENTIFIER_CODE_INVALID, f"{where}: {value} is also the code of skus[{seen[value]}]")
    else:
        seen[value] = i


def _sales_attributes(c: ListingCheck, skus: list[dict[str, Any]]) -> None:
    builtin = {a.id: a for a in attributes_for(c.category) if a.type == SALES} if c.category else {}
    layouts: dict[tuple[str, ...], int] = {}
    combos: dict[tuple[tuple[str, str], ...], int] = {}
    with_images: dict[str, str] = {}  # dimension key -> label
    for i, sku in enumerate(skus):
        where = f"skus[{i}].sales_attributes"
        entries = c.objects(sku.get("sales_attributes"), where, lb.SALES_ATTRIBUTES_INVALID)
        if len(entries) > MAX_SALES_DIMENSIONS:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where} has {len(entries)} dimensions; at most {MAX_SALES_DIMENSIONS}")
        if len(skus) > 1 and not entries:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where} is required: SKUs of one product differ by them")
            continue
        values: dict[str, str] = {}
        complete = True
        for n, entry in enumerate(entries):
            resolved = _dimension(c, entry, builtin, f"{where}[{n}]")
            if resolved is None:
                complete = False
                continue
            dim, value, label = resolved
            if dim in values:
                c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where}[{n}]: {label} appears twice in one SKU")
                complete = False
                continue
            values[dim] = value
            if entry.get("sku_img") is not None:
                with_images[dim] = label
                c.uploaded_image(c.object(entry.get("sku_img"), f"{where}[{n}].sku_img", lb.MEDIA_REFERENCE_INVALID),
                                 "ATTRIBUTE_IMAGE", f"{where}[{n}].sku_img")
        if not complete:
            continue
        layouts.setdefault(tuple(sorted(values)), i)
        combo = tuple(sorted(values.items()))
        if combo in combos and values:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"skus[{i}] has the same sales attribute values as skus[{combos[combo]}]")
        combos.setdefault(combo, i)
    if len(layouts) > 1:
        first, *others = layouts.values()
        c.fail(lb.SALES_ATTRIBUTES_INVALID, f"every SKU must vary by the same sales attributes: skus[{first}] and "
                                            f"skus[{others[0]}] differ")
    if len(with_images) > 1:
        c.fail(lb.SALES_ATTRIBUTES_INVALID, "sku_img may be set on one sales attribute only, got "
                                            f"{', '.join(sorted(with_images.values()))}")


def _dimension(c: ListingCheck, entry: dict[str, Any], builtin: dict[str, Attribute],
               where: str) -> tuple[str, str, str] | None:
    """(dimension key, value key, label) of one sales attribute entry, or None after failing it."""
    attr_id, name = text(entry.get("id")), entry.get("name")
    attr: Attribute | None = None
    if attr_id:
        attr = builtin.get(attr_id)
        if attr is None:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where}: {attr_id} is not a sales attribute of the category")
            return None
    elif isinstance(name, str) and name.strip():
        if len(name) > 20:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where}: custom name {name!r} is over 20 characters")
            return None
        attr = next((a for a in builtin.values() if a.name.casefold() == name.strip().casefold()), None)
    else:
        c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where} needs an id or a name")
        return None
    label = attr.name if attr else str(name).strip()
    value_id, value_name = text(entry.get("value_id")), entry.get("value_name")
    if value_id:
        if attr is None or attr.value_by_id(value_id) is None:
            c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where}: value_id {value_id} is not a value of {label}")
            return None
        value = value_id
    elif isinstance(value_name, str) and 1 <= len(value_name.strip()) <= 50:
        value = (attr.value_by_name(value_name) if attr else None) or f"custom:{value_name.strip().casefold()}"
    else:
        c.fail(lb.SALES_ATTRIBUTES_INVALID, f"{where}: value_name of {label} must be 1 to 50 characters, "
                                            f"got {value_name!r}")
        return None
    dimension = attr.id if attr else f"custom:{label.casefold()}"
    return dimension, value, label


def check_package(c: ListingCheck) -> None:
    region = c.shop.region
    weight = c.object(c.body.get("package_weight"), "package_weight", lb.PACKAGE_INVALID)
    weight_unit: str | None = None
    if weight is None:
        c.fail(lb.PACKAGE_INVALID, "package_weight is required: {value, unit}")
    else:
        raw = weight.get("value")
        value = decimal(raw) if isinstance(raw, str) else None
        if value is None or not 0 < value <= MAX_WEIGHT:
            c.fail(lb.PACKAGE_INVALID, f"package_weight.value must be a decimal string above 0 and at most "
                                       f"{MAX_WEIGHT}, got {raw!r}")
        units = ("KILOGRAM", "POUND") if region == "US" else ("KILOGRAM",)
        if weight.get("unit") not in units:
            c.fail(lb.PACKAGE_INVALID, f"package_weight.unit must be {' or '.join(units)} in {region}, "
                                       f"got {weight.get('unit')!r}")
        else:
            weight_unit = str(weight["unit"])
    dimensions = c.object(c.body.get("package_dimensions"), "package_dimensions", lb.PACKAGE_INVALID)
    if dimensions is None:
        if package_dimensions_required(c.category, region):
            c.fail(lb.PACKAGE_INVALID, f"package_dimensions {{length, width, height, unit}} are required here "
                                       f"({region} shop or category rule)")
        return
    for side in ("length", "width", "height"):
        raw = dimensions.get(side)
        if not isinstance(raw, str) or not raw.isdigit() or int(raw) <= 0:
            c.fail(lb.PACKAGE_INVALID, f"package_dimensions.{side} must be a positive integer string, got {raw!r}")
    units = ("CENTIMETER", "INCH") if region == "US" else ("CENTIMETER",)
    unit = dimensions.get("unit")
    if unit not in units:
        c.fail(lb.PACKAGE_INVALID, f"package_dimensions.unit must be {' or '.join(units)} in {region}, got {unit!r}")
    elif weight_unit is not None and UNIT_PAIRS[weight_unit] != unit:
        c.fail(lb.PACKAGE_INVALID, f"package units must pair (KILOGRAM with CENTIMETER, POUND with INCH), "
                                   f"got {weight_unit} with {unit}")
