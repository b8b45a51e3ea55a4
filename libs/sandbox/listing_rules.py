"""Validation of a create-product body, shared by ``POST products/listing_check`` and product create /
edit (``product_listing.py``): :func:`check_create_body` returns every failure at once (never the first
one only) and changes nothing. Product-level rules live here; SKUs and the package in ``listing_skus.py``;
codes in ``listing_base.py``.

Main images (TikTok's listing rules): 1–9 uris uploaded by this seller with ``use_case=MAIN_IMAGE``,
JPEG or PNG, each side 300–4000 px, square (1:1; a *sandbox rule* stricter than TikTok's crop), no
repeats. Title: 1–255 characters in US/GB, 25–255 elsewhere, no Chinese. Description: HTML up to 10000
characters with TikTok's tags only; ``<img>`` needs ``src`` (a ``url`` this seller uploaded), ``width``
and ``height`` ≤ 4000.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from libs.sandbox import listing_base as lb
from libs.sandbox import listing_skus
from libs.sandbox.attributes import PRODUCT, SALES, Attribute, attributes_for, rules_for
from libs.sandbox.brands import brand_refusal
from libs.sandbox.errors import SandboxError
from libs.sandbox.listing_base import Failure, ListingCheck, text
from libs.sandbox.models import Shop
from libs.sandbox.state import SandboxState
from libs.sandbox.taxonomy import CATEGORY_NOT_FOUND, V1, V2, V2_REGIONS, listing_refusal, tree, version_for

MAX_MAIN_IMAGES = 9
MAIN_IMAGE_MIN_SIDE, MAIN_IMAGE_MAX_SIDE = 300, 4000
SHORT_TITLE_REGIONS = frozenset({"US", "GB"})
DESCRIPTION_TAGS = frozenset({"p", "img", "ul", "ol", "li", "br", "strong", "b", "i", "em", "u"})
DESCRIPTION_MAX = 10_000
_CHINESE = re.compile(r"[\u3400-\u9fff]")


def check_create_body(body: dict[str, Any], shop: Shop, state: SandboxState) -> list[Failure]:
    """Every reason TikTok would refuse ``body`` for ``shop`` (empty: it would pass)."""
    return run_checks(body, shop, state).failures


def run_checks(body: dict[str, Any], shop: Shop, state: SandboxState) -> ListingCheck:
    """Failures and warnings of ``body`` (see :func:`check_create_body`)."""
    check = ListingCheck(body, shop, state)
    _category(check)
    _brand(check)
    _title(check)
    _description(check)
    _main_images(check)
    if check.category is not None:
        _product_attributes(check)
        _certifications(check)
        _size_chart(check)
    _video(check)
    listing_skus.check_skus(check)
    listing_skus.check_package(check)
    return check


def _category(c: ListingCheck) -> None:
    region = c.shop.region
    try:
        version = version_for(region, text(c.body.get("category_version")))
    except SandboxError as err:
        c.fail(err.code, err.message)
        version = V2 if region in V2_REGIONS else V1
    category_id = text(c.body.get("category_id"))
    if not category_id:
        c.fail(CATEGORY_NOT_FOUND, "category_id is required: a leaf category from GET /product/202309/categories")
        return
    try:
        category = tree(version).leaf(category_id)
    except SandboxError as err:
        c.fail(err.code, err.message)
        return
    c.category = category
    refusal = listing_refusal(category, c.state.category_permissions, c.shop.id)
    if refusal is not None:
        c.fail(*refusal)


def _brand(c: ListingCheck) -> None:
    brand_id = text(c.body.get("brand_id"))
    if not brand_id:
        c.warn("no brand_id: the listing shows as having no brand")
        return
    refusal = brand_refusal(brand_id, c.category, c.shop.withdrawn_brands)
    if refusal is not None:
        c.fail(*refusal)


def _title(c: ListingCheck) -> None:
    title = c.body.get("title")
    low = 1 if c.shop.region in SHORT_TITLE_REGIONS else 25
    if not isinstance(title, str) or not title.strip():
        c.fail(lb.TITLE_INVALID, "title is required")
        return
    if not low <= len(title) <= 255:
        c.fail(lb.TITLE_INVALID, f"title has {len(title)} characters; {c.shop.region} allows {low} to 255")
    if _CHINESE.search(title):
        c.fail(lb.TITLE_INVALID, "title must not contain Chinese characters")
    if len(title) < 25:
        c.warn(f"title has {len(title)} characters; 25 or more help buyers find the product")


class _DescriptionParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))


def _description(c: ListingCheck) -> None:
    description = c.body.get("description")
    if not isinstance(description, str) or not description.strip():
        c.fail(lb.DESCRIPTION_INVALID, "description is required (HTML)")
        return
    if len(description) > DESCRIPTION_MAX:
        c.fail(lb.DESCRIPTION_INVALID, f"description has {len(description)} characters; at most {DESCRIPTION_MAX}")
    parser = _DescriptionParser()
    parser.feed(description)
    parser.close()
    unsupported = sorted(set(parser.tags) - DESCRIPTION_TAGS)
    if unsupported:
        c.fail(lb.DESCRIPTION_INVALID, f"description uses unsupported HTML tags: {', '.join(unsupported)} "
                                       f"(allowed: {', '.join(sorted(DESCRIPTION_TAGS))})")
    for n, img in enumerate(parser.images):
        src = img.get("src") or ""
        if c.state.media.image_by_url(c.seller_id, src) is None:
            c.fail(lb.MEDIA_REFERENCE_INVALID, f"description <img> #{n + 1}: src {src!r} is not the url of an image "
                                               "this seller uploaded (external images are not allowed)")
        for side in ("width", "height"):
            raw = img.get(side)
            if raw is None or not raw.isdigit() or not 1 <= int(raw) <= 4000:
                c.fail(lb.DESCRIPTION_INVALID, f"description <img> #{n + 1}: {side} must be given, 1 to 4000")


def _main_images(c: ListingCheck) -> None:
    images = c.objects(c.body.get("main_images"), "main_images", lb.MAIN_IMAGE_MISSING)
    if not images:
        c.fail(lb.MAIN_IMAGE_MISSING, "main_images is required: 1 to 9 images uploaded with use_case MAIN_IMAGE")
        return
    if len(images) > MAX_MAIN_IMAGES:
        c.fail(lb.MAIN_IMAGE_COUNT, f"main_images has {len(images)} images; at most {MAX_MAIN_IMAGES}")
    seen: dict[str, int] = {}
    for i, entry in enumerate(images):
        where = f"main_images[{i}]"
        uri = text(entry.get("uri")) or ""
        if uri in seen:
            c.fail(lb.MAIN_IMAGE_DUPLICATE, f"{where}: uri {uri} repeats main_images[{seen[uri]}]")
            continue
        seen[uri] = i
        image = c.state.media.image(c.seller_id, uri)
        if image is None:
            c.fail(lb.MAIN_IMAGE_UNKNOWN, f"{where}: uri {uri!r} was not uploaded by this seller")
            continue
        if image.use_case != "MAIN_IMAGE" or image.format not in ("JPEG", "PNG"):
            c.fail(lb.MAIN_IMAGE_FORMAT, f"{where}: {uri} is a {image.format} {image.use_case} upload; main images "
                                         "are JPEG or PNG uploaded with use_case MAIN_IMAGE")
        low, high = min(image.width, image.height), max(image.width, image.height)
        if low < MAIN_IMAGE_MIN_SIDE or high > MAIN_IMAGE_MAX_SIDE:
            c.fail(lb.MAIN_IMAGE_SIZE, f"{where}: {uri} is {image.width}x{image.height} px; each side must be "
                                       f"{MAIN_IMAGE_MIN_SIDE} to {MAIN_IMAGE_MAX_SIDE} px")
        if image.width != image.height:
            c.fail(lb.MAIN_IMAGE_RATIO, f"{where}: {uri} is {image.width}x{image.height} px; main images must be 1:1")
    if len(images) < 3:
        c.warn(f"{len(images)} main image(s); 3 to 9 show the product better")


def _choices(attr: Attribute) -> str:
    names = [name for _, name in attr.values]
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


def _product_attributes(c: ListingCheck) -> None:
    assert c.category is not None
    label = f"category {c.category.id} ({c.category.name})"
    known = {a.id: a for a in attributes_for(c.category)}
    chosen: dict[str, set[str]] = {}
    for i, item in enumerate(c.objects(c.body.get("product_attributes"), "product_attributes", lb.ATTRIBUTE_INVALID)):
        attr = known.get(text(item.get("id")) or "")
        where = f"product_attributes[{i}]"
        if attr is None:
            c.fail(lb.ATTRIBUTE_INVALID, f"{where}: attribute {item.get('id')!r} is not an attribute of {label}")
            continue
        if attr.type == SALES:
            c.fail(lb.ATTRIBUTE_INVALID, f"{where}: {attr.name} ({attr.id}) is a sales property: set it in "
                                         "skus[].sales_attributes")
            continue
        if attr.id in chosen:
            c.fail(lb.ATTRIBUTE_INVALID, f"{where}: attribute {attr.name} ({attr.id}) is given twice")
            continue
        chosen[attr.id] = _attribute_values(c, attr, item.get("values"), where)
    for attr in known.values():
        conditional = any(v in chosen.get(a, set()) for a, v in attr.conditions)
        if attr.type == PRODUCT and (attr.is_required or conditional) and attr.id not in chosen:
            why = " (because of another attribute's value)" if conditional and not attr.is_required else ""
            c.fail(lb.ATTRIBUTE_INVALID, f"required attribute {attr.name} ({attr.id}) of {label} is missing{why}")


def _attribute_values(c: ListingCheck, attr: Attribute, raw: Any, where: str) -> set[str]:
    values = c.objects(raw, f"{where}.values", lb.ATTRIBUTE_INVALID)
    if not values:
        c.fail(lb.ATTRIBUTE_INVALID, f"{where}: {attr.name} needs at least one value")
    elif len(values) > 1 and not attr.is_multiple_selection:
        c.fail(lb.ATTRIBUTE_INVALID, f"{where}: {attr.name} takes one value, got {len(values)}")
    chosen: set[str] = set()
    for value in values:
        value_id, name = text(value.get("id")), value.get("name")
        if value_id:
            if attr.value_by_id(value_id) is None:
                c.fail(lb.ATTRIBUTE_INVALID, f"{where}: value id {value_id} is not a value of {attr.name}")
            chosen.add(value_id)
        elif isinstance(name, str) and name.strip():
            matched = attr.value_by_name(name)
            if matched is not None:
                chosen.add(matched)
            elif not attr.is_customizable:
                c.fail(lb.ATTRIBUTE_INVALID, f"{where}: {name!r} is not a value of {attr.name}, which takes no custom "
                                             f"values; one of: {_choices(attr)}")
            elif len(name) > 500:
                c.fail(lb.ATTRIBUTE_INVALID, f"{where}: custom value of {attr.name} is over 500 characters")
            else:
                chosen.add(f"custom:{name.strip().casefold()}")
        else:
            c.fail(lb.ATTRIBUTE_INVALID, f"{where}: each value of {attr.name} needs an id or a name")
    return chosen


def _certifications(c: ListingCheck) -> None:
    assert c.category is not None
    rules = rules_for(c.category, c.shop.region)
    label = f"category {c.category.id} ({c.category.name})"
    known = {cert.id: cert for cert in rules.certifications}
    provided: set[str] = set()
    for i, item in enumerate(c.objects(c.body.get("certifications"), "certifications", lb.CERTIFICATION_MISSING)):
        where, cert_id = f"certifications[{i}]", text(item.get("id")) or ""
        if cert_id not in known:
            c.fail(lb.CERTIFICATION_MISSING, f"{where}: {cert_id!r} is not a certification of {label}")
            continue
        images = c.objects(item.get("images"), f"{where}.images", lb.CERTIFICATION_MISSING)
        files = c.objects(item.get("files"), f"{where}.files", lb.CERTIFICATION_MISSING)
        if not images and not files:
            c.fail(lb.CERTIFICATION_MISSING, f"{where}: {known[cert_id].name} needs images or files")
            continue
        provided.add(cert_id)
        for n, image in enumerate(images):
            c.uploaded_image(image, "CERTIFICATION_IMAGE", f"{where}.images[{n}]")
        for n, entry in enumerate(files):
            stored = c.state.media.file(c.seller_id, text(entry.get("id")) or "")
            if stored is None or stored.format != "PDF":
                c.fail(lb.MEDIA_REFERENCE_INVALID, f"{where}.files[{n}]: {entry.get('id')!r} is not a PDF this "
                                                   "seller uploaded")
    for cert in rules.certifications:
        if cert.is_required and cert.id not in provided:
            c.fail(lb.CERTIFICATION_MISSING, f"certification {cert.name!r} ({cert.id}) is required for {label}")


def _size_chart(c: ListingCheck) -> None:
    assert c.category is not None
    rules = rules_for(c.category, c.shop.region)
    chart = c.object(c.body.get("size_chart"), "size_chart", lb.MEDIA_REFERENCE_INVALID)
    if chart is None:
        if rules.size_chart_required:
            c.fail(lb.SIZE_CHART_MISSING, f"category {c.category.id} ({c.category.name}) requires a size_chart")
        elif rules.size_chart_supported:
            c.warn("no size_chart: buyers of this category expect one")
        return
    if not rules.size_chart_supported:
        c.warn(f"category {c.category.id} does not use size charts: size_chart is ignored")
    if chart.get("template") is not None:
        c.fail(lb.MEDIA_REFERENCE_INVALID, "size_chart.template: this shop has no size chart templates; send image")
    elif chart.get("image") is not None or rules.size_chart_supported:
        c.uploaded_image(c.object(chart.get("image"), "size_chart.image", lb.MEDIA_REFERENCE_INVALID),
                        "SIZE_CHART_IMAGE", "size_chart.image")


def _video(c: ListingCheck) -> None:
    video = c.object(c.body.get("video"), "video", lb.MEDIA_REFERENCE_INVALID)
    if video is None:
        return
    stored = c.state.media.file(c.seller_id, text(video.get("id")) or "")
    if stored is None or stored.format not in ("MP4", "MOV"):
        c.fail(lb.MEDIA_REFERENCE_INVALID, f"video: {video.get('id')!r} is not a video this seller uploaded")
