"""A product-file row (PRODUCT_FILE.md, R47) as a :class:`ProductChange`, and a record as a row. Pure.

A row is taken whole or not at all: every problem of a row is reported at once and a row with any problem
gives no change, so nothing is half-loaded. Media are the paths/URLs as written (``MediaRef.source``); their
SHA-256 is filled in by whoever loads the files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, Final

import nh3

from libs.common.limits import MAX_NAME_CHARS, MAX_SKU_CHARS, MAX_TEXT_CHARS, first_unstorable
from libs.common.product_file import (
    CLEAR_VALUE,
    SheetProblem,
    SheetRow,
    is_url,
    shown,
    split_pairs,
    split_values,
)
from services.catalog.products.domain import (
    CLEAR,
    IDENTIFIER_TYPES,
    DocumentRef,
    MediaRef,
    Product,
    ProductChange,
)

MAX_TITLE_CHARS: Final = MAX_NAME_CHARS
DESCRIPTION_TAGS: Final = frozenset({
    "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "span", "div", "img",
})
#: ``dir`` keeps right-to-left paragraphs right-to-left; no ``style``, no ``on*`` handlers.
DESCRIPTION_ATTRIBUTES: Final = {"img": frozenset({"src"}), "*": frozenset({"dir"})}
_UNITS: Final = {
    "weight_unit": {"kilogram": "KILOGRAM", "kg": "KILOGRAM", "pound": "POUND", "lb": "POUND"},
    "dimension_unit": {"centimeter": "CENTIMETER", "cm": "CENTIMETER", "inch": "INCH", "in": "INCH"},
}
_BOOLEANS: Final = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class _Invalid(Exception):
    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.message, self.value = message, value


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("must be text here, not a list or an object")
    return raw.strip()


def _key(raw: Any, name: str) -> str:
    text = raw if isinstance(raw, str) else _text(raw)
    if not text.strip():
        raise _Invalid(f"a {name} is required")
    if text != text.strip():
        raise _Invalid(f"the {name} starts or ends with spaces; remove them")
    if len(text) > MAX_SKU_CHARS:
        raise _Invalid(f"a {name} has at most {MAX_SKU_CHARS} characters (TikTok's limit for a seller SKU), "
                       f"this one {len(text):,}")
    return text


def _parent_sku(raw: Any, *, sku: str | None) -> str:
    parent = _key(raw, "parent SKU")
    if parent == sku:
        raise _Invalid("a SKU cannot be its own parent; leave parent_sku empty for a parent or a single product")
    return parent


def _title(raw: Any) -> str:
    text = _text(raw)
    if len(text) > MAX_TITLE_CHARS:
        raise _Invalid(f"a title has at most {MAX_TITLE_CHARS} characters, this one {len(text)}")
    return text


def _description(raw: Any, *, limit: int) -> str:
    text = _text(raw)
    if len(text) > limit:
        raise _Invalid(f"is {len(text):,} characters long; a description has at most {limit:,}")
    clean = nh3.clean(text, tags=DESCRIPTION_TAGS, attributes=DESCRIPTION_ATTRIBUTES,
                      url_schemes={"http", "https"}, link_rel=None)
    if not clean.strip():
        raise _Invalid("nothing is left once unsafe HTML (scripts, styles, event handlers) is removed")
    return clean


def _decimal(raw: Any, *, positive: bool) -> Decimal:
    text = _text(raw)
    if not _DECIMAL.fullmatch(text):
        hint = "; use a point for decimals" if re.fullmatch(r"[0-9]+,[0-9]+", text) else ""
        raise _Invalid(f"is not a number (write it like 19.90){hint}")
    number = Decimal(text)
    if positive and number <= 0:
        raise _Invalid("must be more than 0")
    if number < 0:
        raise _Invalid("must be 0 or more")
    return number


def _price(raw: Any) -> Decimal:
    price = _decimal(raw, positive=False)
    exponent = price.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise _Invalid("a price has at most 2 decimals")
    return price


def _currency(raw: Any) -> str:
    text = _text(raw)
    if not (len(text) == 3 and text.isascii() and text.isalpha()):
        raise _Invalid("a currency is 3 letters (ISO 4217, like USD)")
    return text.upper()


def _enabled(raw: Any) -> bool:
    text = _text(raw).lower()
    if text not in _BOOLEANS:
        raise _Invalid("must be true or false (also yes/no, 1/0)")
    return _BOOLEANS[text]


def _digits(raw: Any, *, what: str) -> str:
    text = _text(raw)
    if not re.fullmatch(r"[0-9]+", text):
        raise _Invalid(f"{what} has digits only")
    return text


def _identifier(raw: Any) -> str:
    return _digits(re.sub(r"[\s-]", "", _text(raw)), what="an identifier (UPC, EAN, GTIN, ISBN)")


def _unit(raw: Any, *, column: str) -> str:
    names = _UNITS[column]
    text = _text(raw).lower()
    if text not in names:
        choices = " or ".join(sorted(set(names.values())))
        raise _Invalid(f"must be {choices} (also {', '.join(k for k in names if k.upper() not in names.values())})")
    return names[text]


def _source(text: str) -> str:
    if is_url(text):
        if not text.split("://", 1)[1]:
            raise _Invalid("the URL has no address", text)
    elif "://" in text or text.lower().startswith("file:"):
        raise _Invalid("a file is an http(s) URL or a path relative to the product file", text)
    elif text.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", text):
        raise _Invalid("write the path relative to the product file, not from the root of the disk", text)
    return text


def _media(raw: Any) -> MediaRef:
    return MediaRef(_source(_text(raw)))


def _images(raw: Any) -> list[MediaRef]:
    sources = split_values(raw) if isinstance(raw, str) else raw
    if not isinstance(sources, list) or not sources:
        raise _Invalid("images are paths or URLs separated by |")
    return [MediaRef(_source(source)) for source in sources]


def _pairs(raw: Any) -> list[tuple[str, list[str]]]:
    """``Name=V1|V2; Other=V`` (or a JSON object of strings/lists) -> [(name, values)], in order."""
    if isinstance(raw, dict):
        given = [(name, split_values(v) if isinstance(v, str) else v) for name, v in raw.items()]
        bad: list[str] = [f"{name}=" for name, _ in given if not name]
    elif isinstance(raw, str):
        pairs, bad = split_pairs(raw)
        given = [(name, split_values(value)) for name, value in pairs]
    else:
        raise _Invalid("must be Name=Value pairs separated by ; (in JSON an object), not a list")
    wrong = [f"{fragment!r} is not Name=Value" for fragment in bad]
    wrong += [f"{name} has no value" for name, values in given if name and not values]
    wrong += [f"the name {shown(name, 40)} is {len(name):,} characters long; a name has at most {MAX_NAME_CHARS}"
              for name, _ in given if len(name) > MAX_NAME_CHARS]
    if wrong:
        raise _Invalid("; ".join(wrong))
    return given


def _named(raw: Any) -> list[tuple[str, list[str]]]:
    given = _pairs(raw)
    names = [name for name, _ in given]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise _Invalid(f"{', '.join(twice)} given twice; give each name once (several values as V1|V2)")
    return given


def _attributes(raw: Any) -> dict[str, list[str]]:
    return dict(_named(raw))


def _sales_attributes(raw: Any) -> dict[str, str]:
    given = _named(raw)
    several = [name for name, values in given if len(values) > 1]
    if several:
        raise _Invalid(f"a variation has one value of each sales attribute: {', '.join(several)}")
    return {name: values[0] for name, values in given}


def _documents(raw: Any) -> list[DocumentRef]:
    return [DocumentRef(requirement, MediaRef(_source(path))) for requirement, paths in _pairs(raw) for path in paths]


_PARSERS: Final[dict[str, Callable[[Any], Any]]] = {
    "title": _title, "short_description": _text, "brand": _text, "price": _price, "currency": _currency,
    "enabled": _enabled, "category_id": partial(_digits, what="a category id"),
    **{column: partial(_decimal, positive=True) for column in ("weight", "length", "width", "height")},
    **{column: partial(_unit, column=column) for column in _UNITS},
    **{kind.lower(): _identifier for kind in IDENTIFIER_TYPES},
    "main_image": _media, "video": _media, "images": _images, "attributes": _attributes,
    "sales_attributes": _sales_attributes, "documents": _documents,
}


def _unstorable(raw: Any, *, limit: int | None) -> str | None:
    """Why a cell can never be stored (a NUL; longer than any text we keep), checked before its meaning."""
    problem = first_unstorable(raw)
    if problem is not None:
        return problem
    longest = max((len(t) for t in _texts(raw)), default=0)
    if limit is not None and longest > limit:
        return f"is {longest:,} characters long; a value has at most {limit:,}"
    return None


def _texts(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, dict):
        return [*raw, *(t for v in raw.values() for t in _texts(v))]
    if isinstance(raw, list):
        return [t for v in raw for t in _texts(v)]
    return []


def _is_empty(raw: Any) -> bool:
    return raw is None or raw in ("", [], {}) or (isinstance(raw, str) and not raw.strip())


def parse_row(
    row: SheetRow, *, max_description_chars: int = 100_000,
) -> tuple[ProductChange | None, list[SheetProblem]]:
    """The change ``row`` asks for, or None and every problem of the row."""
    problems: list[SheetProblem] = []
    raw_sku = row.cells.get("sku")
    sku: str | None = None
    try:
        unstorable = _unstorable(raw_sku, limit=None)
        if unstorable is not None:
            raise _Invalid(f"the SKU {unstorable}")
        if isinstance(raw_sku, str) and raw_sku.strip() == CLEAR_VALUE:
            raise _Invalid(f"{CLEAR_VALUE!r} clears a field, and a SKU cannot be cleared")
        sku = _key(raw_sku if raw_sku is not None else "", "SKU")
    except _Invalid as bad:
        problems.append(SheetProblem(row.number, "sku", bad.message, None if _is_empty(raw_sku) else shown(raw_sku)))
    parsers: dict[str, Callable[[Any], Any]] = {**_PARSERS, "parent_sku": partial(_parent_sku, sku=sku),
               "description": partial(_description, limit=max_description_chars)}
    values: dict[str, Any] = {}
    identifiers: dict[str, Any] = {}
    for column, raw in row.cells.items():
        if column == "sku" or _is_empty(raw):
            continue
        try:
            if column not in parsers:
                raise _Invalid("is not a product file column")
            unstorable = _unstorable(raw, limit=None if column == "description" else MAX_TEXT_CHARS)
            if unstorable is not None:
                raise _Invalid(unstorable)
            value = CLEAR if isinstance(raw, str) and raw.strip() == CLEAR_VALUE else parsers[column](raw)
        except _Invalid as bad:
            problems.append(SheetProblem(row.number, column, bad.message, shown(raw if bad.value is None else bad.value)))
            continue
        if column.upper() in IDENTIFIER_TYPES:
            identifiers[column.upper()] = value
        else:
            values[column] = value
    if identifiers:
        values["identifiers"] = identifiers  # merged by type into the record's (apply_change)
    if problems or sku is None:
        return None, problems
    return ProductChange(sku, values), []


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _joined_pairs(pairs: list[tuple[str, list[str]]]) -> str:
    return "; ".join(f"{name}={'|'.join(values)}" for name, values in pairs)


def product_to_row(product: Product) -> dict[str, str]:
    """The record as product-file columns (export); ``parse_row`` of it gives the record back."""
    documents: list[tuple[str, list[str]]] = []
    for document in product.documents:  # consecutive documents of one requirement share a pair
        if documents and documents[-1][0] == document.requirement:
            documents[-1][1].append(document.media.source)
        else:
            documents.append((document.requirement, [document.media.source]))
    return {
        "sku": product.seller_sku,
        "parent_sku": product.parent_sku or "",
        "title": product.title or "",
        "description": product.description or "",
        "short_description": product.short_description or "",
        "price": _number(product.price),
        "currency": product.currency or "",
        "enabled": "true" if product.enabled else "false",
        "category_id": product.category_id or "",
        "brand": product.brand or "",
        "weight": _number(product.weight),
        "weight_unit": product.weight_unit or "",
        "length": _number(product.length),
        "width": _number(product.width),
        "height": _number(product.height),
        "dimension_unit": product.dimension_unit or "",
        **{kind.lower(): product.identifiers.get(kind, "") for kind in IDENTIFIER_TYPES},
        "main_image": product.main_image.source if product.main_image else "",
        "images": "|".join(image.source for image in product.images),
        "video": product.video.source if product.video else "",
        "attributes": _joined_pairs(list(product.attributes.items())),
        "sales_attributes": _joined_pairs([(name, [value]) for name, value in product.sales_attributes.items()]),
        "documents": _joined_pairs(documents),
    }
