"""Category trees and who may list where.

The tree (``taxonomy_data.TREE``) is parsed once per process. It is served in two versions with the
same shape but different ids, so a v1/v2 mix-up is detectable: ``v1`` (ids ``600001``…, every region
except the US) and ``v2`` (ids ``1000001``…, US shops, which must pass ``category_version=v2``).
A category's version-independent ``key`` names the same node in both trees (overrides use it).

Permission of a category for a shop (``permission_statuses``), first match wins: the nearest override
for that shop on the category's path (the seller was approved, or restricted), then the nearest
override for every shop, then the status in the data (inherited downwards). ``PROHIBITED`` cannot be
overridden.

Error codes (TikTok's numbers, see TIKTOK_API.md; which of a pair means what is a *sandbox choice*):

* :data:`CATEGORY_NOT_FOUND` 12052023 — no such category in the shop's tree version;
* :data:`CATEGORY_NOT_LEAF` 12052024 — listings, attributes and rules need a leaf;
* :data:`CATEGORY_VERSION_REQUIRED` 12052217 — a US shop did not ask for ``category_version=v2``;
* :data:`CATEGORY_VERSION_INVALID` 12052230 — a non-US shop asked for ``v2`` (or an unknown version);
* :data:`CATEGORY_PROHIBITED` 12052220 — nobody may list there;
* :data:`CATEGORY_INVITE_ONLY` 12052223 — invite-only for every shop and this one is not approved;
* :data:`CATEGORY_SHOP_RESTRICTED` 12052226 — invite-only for this shop in particular (a per-shop override).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from libs.sandbox.errors import PARAM_INVALID, SandboxError
from libs.sandbox.taxonomy_data import TREE

CATEGORY_NOT_FOUND = 12052023
CATEGORY_NOT_LEAF = 12052024
CATEGORY_VERSION_REQUIRED = 12052217
CATEGORY_VERSION_INVALID = 12052230
CATEGORY_PROHIBITED = 12052220
CATEGORY_INVITE_ONLY = 12052223
CATEGORY_SHOP_RESTRICTED = 12052226

AVAILABLE = "AVAILABLE"
INVITE_ONLY = "INVITE_ONLY"
NON_MAIN_CATEGORY = "NON_MAIN_CATEGORY"
PROHIBITED = "PROHIBITED"
PERMISSION_STATUSES = (AVAILABLE, INVITE_ONLY, NON_MAIN_CATEGORY, PROHIBITED)
#: statuses the control API may set (PROHIBITED stays as TikTok's policy has it)
SETTABLE_STATUSES = (AVAILABLE, INVITE_ONLY)

V1, V2 = "v1", "v2"
V2_REGIONS = frozenset({"US"})
_ID_BASE = {V1: 600_000, V2: 1_000_000}


@dataclass(frozen=True)
class Node:
    """A category independent of the tree version."""

    key: int
    parent_key: int
    name: str
    level: int
    branch: str  # slug of the top-level ancestor, e.g. "home_kitchen"
    kind: str  # attribute template / rules, see attributes.py
    status: str  # as in the data, inherited
    path: tuple[int, ...]  # keys from the root down to this node, itself included
    is_leaf: bool = False


@dataclass(frozen=True)
class Category:
    node: Node
    id: str
    parent_id: str
    version: str

    @property
    def key(self) -> int:
        return self.node.key

    @property
    def is_leaf(self) -> bool:
        return self.node.is_leaf

    @property
    def name(self) -> str:
        return self.node.name

    def to_wire(self, status: str) -> dict[str, Any]:
        return {
            "id": self.id, "parent_id": self.parent_id, "local_name": self.node.name,
            "is_leaf": self.node.is_leaf, "permission_statuses": [status],
        }


@dataclass(frozen=True)
class CategoryTree:
    version: str
    categories: tuple[Category, ...]
    by_id: dict[str, Category] = field(hash=False)
    by_key: dict[int, Category] = field(hash=False)

    def get(self, category_id: str) -> Category:
        category = self.by_id.get(category_id)
        if category is None:
            other = V2 if self.version == V1 else V1
            hint = f" (it is a {other} category id)" if category_id in tree(other).by_id else ""
            raise SandboxError(
                CATEGORY_NOT_FOUND,
                f"category {category_id} does not exist in category tree {self.version}{hint}",
            )
        return category

    def leaf(self, category_id: str) -> Category:
        category = self.get(category_id)
        if not category.is_leaf:
            raise SandboxError(
                CATEGORY_NOT_LEAF, f"category {category_id} ({category.name}) is not a leaf category; use one of its leaves"
            )
        return category

    def chain(self, category: Category) -> list[Category]:
        return [self.by_key[k] for k in category.node.path]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _split(spec: str) -> tuple[str, str | None, str | None]:
    name, *rest = [part.strip() for part in spec.split("|")]
    kind = rest[0] if rest else None
    status = rest[1] if len(rest) > 1 else None
    return name, kind, status


@cache
def nodes() -> tuple[Node, ...]:
    """Parses ``TREE`` once per process (pre-order, keys 1..n)."""
    built: list[Node] = []
    children: dict[tuple[int, str], Node] = {}
    top: Node | None = None

    def add(parent: Node | None, name: str, kind: str | None, status: str | None, leaf: bool) -> Node:
        existing = children.get((parent.key if parent else 0, name))
        if existing is not None:
            return existing
        node = Node(
            key=len(built) + 1, parent_key=parent.key if parent else 0, name=name,
            level=parent.level + 1 if parent else 1,
            branch=parent.branch if parent else slug(name),
            kind=kind or (parent.kind if parent else "general"),
            status=status or (parent.status if parent else AVAILABLE),
            path=((*parent.path,) if parent else ()) + (len(built) + 1,), is_leaf=leaf,
        )
        built.append(node)
        children[(node.parent_key, name)] = node
        return node

    for line in TREE.strip().splitlines():
        if not line.startswith(" "):
            name, kind, status = _split(line)
            top = add(None, name, kind, status, leaf=False)
            continue
        assert top is not None, "an indented line needs a top-level category above it"
        spec, leaves = line.strip().split(":", 1)
        path_spec, kind, status = _split(spec)
        parent = top
        for part in path_spec.split(" > "):
            parent = add(parent, part.strip(), kind, status, leaf=False)
        for leaf in leaves.split(";"):
            add(parent, leaf.strip(), None, None, leaf=True)
    return tuple(built)


@cache
def tree(version: str) -> CategoryTree:
    """The whole tree in one version, built once per process."""
    base = _ID_BASE[version]

    def cid(key: int) -> str:
        return str(base + key) if key else "0"

    categories = tuple(Category(n, cid(n.key), cid(n.parent_key), version) for n in nodes())
    return CategoryTree(
        version, categories, {c.id: c for c in categories}, {c.key: c for c in categories}
    )


def version_for(region: str, requested: str | None) -> str:
    """The tree a shop of ``region`` must use; refuses the wrong ``category_version``."""
    if requested not in (None, V1, V2):
        raise SandboxError(CATEGORY_VERSION_INVALID, f"category_version must be v1 or v2, got {requested!r}")
    if region in V2_REGIONS:
        if requested != V2:
            raise SandboxError(
                CATEGORY_VERSION_REQUIRED,
                f"{region} shops must use category tree v2: pass category_version=v2 (got {requested or 'none'})",
            )
        return V2
    if requested == V2:
        raise SandboxError(
            CATEGORY_VERSION_INVALID, f"category tree v2 is only for US shops; a {region} shop uses v1"
        )
    return V1


class CategoryPermissions:
    """Overrides set with ``POST /sandbox/categories/{id}/permission``, keyed by node key."""

    def __init__(self) -> None:
        self.everyone: dict[int, str] = {}
        self.per_shop: dict[tuple[str, int], str] = {}

    def set(self, category: Category, status: str, shop_id: str | None) -> None:
        if status not in SETTABLE_STATUSES:
            raise SandboxError(
                PARAM_INVALID, f"status must be one of {', '.join(SETTABLE_STATUSES)}, got {status!r}", http_status=400
            )
        if category.node.status == PROHIBITED:
            raise SandboxError(
                PARAM_INVALID, f"category {category.id} ({category.name}) is prohibited; that cannot be changed",
                http_status=400,
            )
        if shop_id is None:
            self.everyone[category.key] = status
        else:
            self.per_shop[(shop_id, category.key)] = status

    def resolve(self, category: Category, shop_id: str) -> tuple[str, str]:
        """(status, source): source is ``shop``, ``everyone`` or ``data``."""
        node = category.node
        if node.status == PROHIBITED:
            return PROHIBITED, "data"
        path = node.path[::-1]
        for key in path:
            if (shop_id, key) in self.per_shop:
                return self.per_shop[(shop_id, key)], "shop"
        for key in path:
            if key in self.everyone:
                return self.everyone[key], "everyone"
        return node.status, "data"

    def status(self, category: Category, shop_id: str) -> str:
        return self.resolve(category, shop_id)[0]


def listing_refusal(category: Category, permissions: CategoryPermissions, shop_id: str) -> tuple[int, str] | None:
    """Why this shop may not list in ``category`` (code, message), or None."""
    status, source = permissions.resolve(category, shop_id)
    label = f"category {category.id} ({category.name})"
    if status == PROHIBITED:
        return CATEGORY_PROHIBITED, f"{label} is prohibited: products of this kind cannot be sold on TikTok Shop"
    if status == INVITE_ONLY and source == "shop":
        return CATEGORY_SHOP_RESTRICTED, f"{label} is restricted for this shop: apply for the category in Seller Center"
    if status == INVITE_ONLY:
        return CATEGORY_INVITE_ONLY, f"{label} is invite-only and this shop is not approved for it"
    return None
