"""R41 product import, the pure part: TikTok's active listings matched to our SKUs. No I/O.

TikTok's model is a product (``product_id``) holding one or more SKUs (``sku_id``, ``seller_sku``).
A product with several SKUs is a variation matrix: the product is the matrix parent, its SKUs the
children. Rules:

* a SKU is matched by merchant SKU (TikTok's ``seller_sku`` equals one of our SKUs);
* a single-SKU product not matched so is matched by TikTok product id (one of our SKUs is linked to
  that product id on this shop);
* a matrix parent has no SKU of its own on TikTok, so it is matched by product id only;
* children carry the parent's product id so parent and children are linked as a matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

BY_SELLER_SKU = "seller_sku"
BY_PRODUCT_ID = "product_id"
PARENT_SKU_ID = ""  # sku_id of the parent row of a variation product


@dataclass(frozen=True)
class RemoteSku:
    sku_id: str
    seller_sku: str


@dataclass(frozen=True)
class RemoteProduct:
    product_id: str
    title: str
    status: str
    skus: tuple[RemoteSku, ...]

    @property
    def has_variations(self) -> bool:
        return len(self.skus) > 1

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> RemoteProduct:
        return cls(
            product_id=str(raw["id"]),
            title=str(raw.get("title") or ""),
            status=str(raw.get("status") or ""),
            skus=tuple(RemoteSku(str(s["id"]), str(s.get("seller_sku") or "")) for s in raw.get("skus") or []),
        )


@dataclass(frozen=True)
class ListingRow:
    product_id: str
    sku_id: str  # PARENT_SKU_ID for a matrix parent
    seller_sku: str | None
    title: str
    status: str
    parent_product_id: str | None
    our_sku: str | None
    matched_by: str | None

    @property
    def is_parent(self) -> bool:
        return self.sku_id == PARENT_SKU_ID


@dataclass
class ImportCounts:
    listings: int = 0  # TikTok products
    skus: int = 0  # TikTok SKUs
    matched: int = 0  # SKUs matched to ours
    unmatched: int = 0
    parents: int = 0  # variation products (matrix parents)
    parents_matched: int = 0
    unmatched_skus: list[str] = field(default_factory=list)  # TikTok seller_skus we do not know (first 100)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def match_listings(
    products: Iterable[RemoteProduct], *, our_skus: set[str], linked: Mapping[str, str]
) -> tuple[list[ListingRow], ImportCounts]:
    """Rows for the ``listings`` table and the counts to report.

    ``linked`` maps a TikTok product id to the SKU of ours linked to it on this shop.
    """
    rows: list[ListingRow] = []
    counts = ImportCounts()
    for product in products:
        counts.listings += 1
        parent_id: str | None = None
        if product.has_variations:
            parent_id = product.product_id
            parent_sku = linked.get(product.product_id)
            counts.parents += 1
            counts.parents_matched += parent_sku is not None
            rows.append(ListingRow(product.product_id, PARENT_SKU_ID, None, product.title, product.status, None,
                                   parent_sku, BY_PRODUCT_ID if parent_sku else None))
        for sku in product.skus:
            counts.skus += 1
            our, how = _match_sku(product, sku, our_skus=our_skus, linked=linked)
            if our is None:
                counts.unmatched += 1
                if len(counts.unmatched_skus) < 100:
                    counts.unmatched_skus.append(sku.seller_sku or f"(no seller_sku, sku id {sku.sku_id})")
            else:
                counts.matched += 1
            rows.append(ListingRow(product.product_id, sku.sku_id, sku.seller_sku or None, product.title,
                                   product.status, parent_id, our, how))
    return rows, counts


def _match_sku(
    product: RemoteProduct, sku: RemoteSku, *, our_skus: set[str], linked: Mapping[str, str]
) -> tuple[str | None, str | None]:
    if sku.seller_sku and sku.seller_sku in our_skus:
        return sku.seller_sku, BY_SELLER_SKU
    if not product.has_variations and product.product_id in linked:
        return linked[product.product_id], BY_PRODUCT_ID
    return None, None


def matrix_links(rows: Iterable[ListingRow]) -> dict[str, str]:
    """child SKU of ours -> parent SKU of ours, for variation products whose parent matched."""
    rows = list(rows)
    parents = {r.product_id: r.our_sku for r in rows if r.is_parent and r.our_sku}
    return {
        r.our_sku: parents[r.parent_product_id]
        for r in rows
        if not r.is_parent and r.our_sku and r.parent_product_id in parents
    }
