"""TikTok's taxonomy for a shop, the pure part (R30, R31, R35, R37): categories and their permission,
what a re-download changed, full paths for export, attributes and category rules as TikTok spells
them on the wire. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AVAILABLE = "AVAILABLE"
INVITE_ONLY = "INVITE_ONLY"
NON_MAIN_CATEGORY = "NON_MAIN_CATEGORY"
PROHIBITED = "PROHIBITED"
#: Strongest first: a category carrying several statuses is shown by the first one it has.
PERMISSIONS = (PROHIBITED, INVITE_ONLY, NON_MAIN_CATEGORY, AVAILABLE)
ROOT = "0"

EXPORT_COLUMNS = ("id", "name", "parent id", "parent name", "full path", "leaf", "permission")


@dataclass(frozen=True)
class Category:
    id: str
    parent_id: str | None
    name: str
    is_leaf: bool
    permission_statuses: tuple[str, ...] = ()

    @property
    def permission(self) -> str:
        return next((p for p in PERMISSIONS if p in self.permission_statuses), AVAILABLE)


def category_from_wire(raw: Mapping[str, Any]) -> Category:
    parent = str(raw.get("parent_id") or "") or None
    return Category(
        id=str(raw["id"]),
        parent_id=None if parent in (None, ROOT) else parent,
        name=str(raw.get("local_name") or raw.get("name") or raw["id"]),
        is_leaf=bool(raw.get("is_leaf")),
        permission_statuses=tuple(str(s) for s in raw.get("permission_statuses") or ()),
    )


def category_version(region: str | None) -> str | None:
    """US shops must ask for the v2 tree (TIKTOK_API.md); others the default one."""
    return "v2" if (region or "").upper() == "US" else None


@dataclass(frozen=True)
class TreeChanges:
    total: int
    leaves: int
    added: list[Category] = field(default_factory=list)
    removed: list[Category] = field(default_factory=list)
    now_invite_only: list[Category] = field(default_factory=list)
    changed: list[Category] = field(default_factory=list)  # renamed, moved, leaf or permission changed

    def as_dict(self, *, examples: int = 20) -> dict[str, Any]:
        def named(items: list[Category]) -> list[dict[str, str]]:
            return [{"id": c.id, "name": c.name} for c in items[:examples]]

        return {
            "total": self.total, "leaves": self.leaves,
            "added": len(self.added), "removed": len(self.removed),
            "now_invite_only": len(self.now_invite_only), "changed": len(self.changed),
            "examples": {"added": named(self.added), "removed": named(self.removed),
                         "now_invite_only": named(self.now_invite_only)},
        }


def diff_trees(old: Mapping[str, Category], new: Mapping[str, Category]) -> TreeChanges:
    """What a re-download changed; the first download reports every category as added."""
    added = [c for cid, c in new.items() if cid not in old]
    removed = [c for cid, c in old.items() if cid not in new]
    invite = [c for cid, c in new.items()
              if cid in old and c.permission == INVITE_ONLY and old[cid].permission != INVITE_ONLY]
    changed = [c for cid, c in new.items() if cid in old and c != old[cid]]
    return TreeChanges(total=len(new), leaves=sum(c.is_leaf for c in new.values()), added=added,
                       removed=removed, now_invite_only=invite, changed=changed)


def full_paths(categories: Mapping[str, Category]) -> dict[str, str]:
    """``Womenswear > Tops > T-shirts`` for every category (a missing parent ends the path)."""
    paths: dict[str, str] = {}

    def path(cid: str, depth: int = 0) -> str:
        if cid in paths:
            return paths[cid]
        c = categories[cid]
        if c.parent_id is None or c.parent_id not in categories or depth > 50:
            paths[cid] = c.name
        else:
            paths[cid] = f"{path(c.parent_id, depth + 1)} > {c.name}"
        return paths[cid]

    for cid in categories:
        path(cid)
    return paths


def export_rows(categories: Mapping[str, Category]) -> list[dict[str, str]]:
    """Rows of the category export (R30), ordered by full path."""
    paths = full_paths(categories)
    rows = []
    for cid, c in categories.items():
        parent = categories.get(c.parent_id or "")
        rows.append({
            "id": cid, "name": c.name, "parent id": c.parent_id or "", "parent name": parent.name if parent else "",
            "full path": paths[cid], "leaf": "yes" if c.is_leaf else "no", "permission": c.permission,
        })
    rows.sort(key=lambda r: r["full path"].lower())
    return rows


def matches(category: Category, path: str, *, search: str | None, leaf_only: bool) -> bool:
    if leaf_only and not category.is_leaf:
        return False
    return not search or search.lower() in path.lower() or search == category.id


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    type: str  # SALES_PROPERTY | PRODUCT_PROPERTY
    required: bool
    customizable: bool
    multiple: bool
    values: tuple[tuple[str, str], ...] = ()
    requirement_conditions: tuple[Any, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "required": self.required,
                "customizable": self.customizable, "multiple": self.multiple,
                "values": [{"id": i, "name": n} for i, n in self.values],
                "requirement_conditions": list(self.requirement_conditions)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Attribute:
        return cls(str(raw["id"]), str(raw["name"]), str(raw["type"]), bool(raw["required"]),
                   bool(raw["customizable"]), bool(raw["multiple"]),
                   tuple((str(v["id"]), str(v["name"])) for v in raw.get("values") or ()),
                   tuple(raw.get("requirement_conditions") or ()))


def attribute_from_wire(raw: Mapping[str, Any]) -> Attribute:
    """TikTok spells the required flag ``is_requried`` on the wire (the correct spelling is accepted too)."""
    required = raw.get("is_requried", raw.get("is_required", False))
    return Attribute(
        id=str(raw["id"]), name=str(raw.get("name") or raw["id"]), type=str(raw.get("type") or "PRODUCT_PROPERTY"),
        required=bool(required), customizable=bool(raw.get("is_customizable")),
        multiple=bool(raw.get("is_multiple_selection")),
        values=tuple((str(v.get("id")), str(v.get("name"))) for v in raw.get("values") or ()),
        requirement_conditions=tuple(raw.get("requirement_conditions") or ()),
    )


@dataclass(frozen=True)
class Certification:
    id: str
    name: str
    required: bool
    sample_image_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "required": self.required,
                "sample_image_url": self.sample_image_url}


@dataclass(frozen=True)
class CategoryRules:
    certifications: tuple[Certification, ...] = ()
    size_chart: Mapping[str, Any] = field(default_factory=dict)
    package_dimension_required: bool = False


def rules_from_wire(raw: Mapping[str, Any]) -> CategoryRules:
    certs = tuple(
        Certification(str(c["id"]), str(c.get("name") or c["id"]), bool(c.get("is_required")),
                      c.get("sample_image_url"))
        for c in raw.get("product_certifications") or ()
    )
    package = raw.get("package_dimension") or {}
    return CategoryRules(certs, dict(raw.get("size_chart") or {}), bool(package.get("is_required")))


def certifications_from_json(raw: Iterable[Mapping[str, Any]]) -> tuple[Certification, ...]:
    return tuple(Certification(str(c["id"]), str(c["name"]), bool(c["required"]), c.get("sample_image_url"))
                 for c in raw)
