"""The listings page: one row per product of the catalog's ``GET /products`` page, the filter and the pager.
Pure functions: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .views import STATES, Posting, Readiness, image_sha, posting, readiness

#: Products on one page of the list.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    sku: str
    title: str
    parent_sku: str
    version: int | None
    image: str | None  # sha256 of the image shown (main, else the gallery's first); None: not stored yet
    image_source: str
    readiness: Readiness
    posting: Posting


@dataclass(frozen=True)
class Filter:
    """What the operator asked for: a shop, a state there, a search, a page."""

    shop: str
    state: str
    search: str
    offset: int

    def query(self, **changes: Any) -> str:
        """This filter as a query string, with ``changes`` (e.g. another ``offset``); empty values left out."""
        values = {"shop": self.shop, "state": self.state, "search": self.search, "offset": self.offset, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 0)})


@dataclass(frozen=True)
class Pager:
    total: int
    first: int  # 1-based number of the first row shown (0 when none)
    last: int
    previous: int | None  # offset of the previous page, None on the first
    next: int | None


def chosen_filter(shop: str | None, state: str | None, search: str | None, offset: int | None) -> Filter:
    """The filter from the query, cleaned: an unknown state is dropped; a state needs a shop."""
    shop = (shop or "").strip()
    state = (state or "").strip()
    if state not in dict(STATES) or not shop:
        state = ""
    return Filter(shop=shop, state=state, search=(search or "").strip(), offset=max(int(offset or 0), 0))


def api_params(chosen: Filter) -> dict[str, Any]:
    """The query of the catalog's ``GET /products`` for this filter."""
    return {"shop": chosen.shop or None, "state": chosen.state or None, "search": chosen.search or None,
            "limit": PAGE_SIZE, "offset": chosen.offset}


def row(raw: dict[str, Any]) -> Row:
    version = raw.get("version") if isinstance(raw.get("version"), int) else None
    found = raw.get("image")
    image: dict[str, Any] = found if isinstance(found, dict) else {}
    return Row(
        sku=str(raw.get("seller_sku") or ""), title=str(raw.get("title") or ""),
        parent_sku=str(raw.get("parent_sku") or ""), version=version, image=image_sha(image),
        image_source=str(image.get("source") or ""),
        readiness=readiness(raw.get("readiness"), version=version),
        posting=posting(raw.get("posting"), record_version=version),
    )


def rows(body: Any) -> list[Row]:
    """The rows of a ``GET /products`` answer (with ``shop``: each its readiness there, every problem listed)."""
    products = body.get("products") if isinstance(body, dict) else None
    return [row(p) for p in products or [] if isinstance(p, dict)]


def pager(body: Any, offset: int, shown: int, size: int = PAGE_SIZE) -> Pager:
    total = int(body.get("total") or 0) if isinstance(body, dict) else 0
    return Pager(total=total, first=offset + 1 if shown else 0, last=offset + shown,
                 previous=max(offset - size, 0) if offset > 0 else None,
                 next=offset + size if offset + size < total else None)


def shop_choices(body: Any) -> list[tuple[str, str]]:
    """(shop id, what the picker shows) of auth's ``GET /shops``."""
    shops = body.get("shops", []) if isinstance(body, dict) else body or []
    return [(str(s.get("shop_id")), f"{s.get('name') or s.get('shop_id')} ({s.get('shop_id')})")
            for s in shops if isinstance(s, dict) and s.get("shop_id")]


def default_shop(asked: str, choices: list[tuple[str, str]]) -> str:
    """The shop asked for, else the first connected one (readiness and posting are per shop)."""
    return asked or (choices[0][0] if choices else "")
