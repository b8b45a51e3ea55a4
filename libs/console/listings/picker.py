"""The category picker: leaves of a shop's downloaded category tree (R30) matching what the operator typed,
from the catalog's ``GET /shops/{shop}/categories?search=&leaf=true``. Pure functions: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Categories the picker lists at once (the answer's ``total`` says how many match).
SHOWN = 50
#: TikTok's permission that lets any seller list in a category (R30: invite-only ones need TikTok's approval).
AVAILABLE = "AVAILABLE"


@dataclass(frozen=True)
class Category:
    id: str
    path: str
    leaf: bool
    permission: str

    @property
    def available(self) -> bool:
        return self.permission == AVAILABLE

    @property
    def permission_words(self) -> str:
        return {"AVAILABLE": "available", "INVITE_ONLY": "invite-only (needs TikTok's approval)",
                "PROHIBITED": "prohibited"}.get(self.permission, self.permission.lower() or "permission unknown")


@dataclass(frozen=True)
class Found:
    categories: list[Category]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.categories), 0)


def categories(body: Any) -> Found:
    listed = body.get("categories") if isinstance(body, dict) else None
    found = [Category(str(c.get("id")), str(c.get("path") or c.get("name") or ""), bool(c.get("is_leaf")),
                      str(c.get("permission") or "")) for c in listed or [] if isinstance(c, dict)]
    total = body.get("total") if isinstance(body, dict) else None
    return Found(found, int(total) if isinstance(total, int) else len(found))


def cleaned_search(text: str | None) -> str:
    """What to search for: trimmed, at most 100 characters (a path part or a category id)."""
    return (text or "").strip()[:100]
