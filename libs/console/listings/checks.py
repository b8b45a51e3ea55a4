"""The last readiness checks made from this console, so the pages can list every problem of a check.

The catalog stores every problem of a check, but its ``GET /products`` and ``GET /products/{sku}`` answer only
how many there are. ``POST /products/{sku}/check`` answers them all: the console keeps the latest answer per
(shop, SKU), and a page shows its problems only while the catalog still holds that very check (same product
version, same outcome, same count; ``views.readiness``). Bounded; in this process only."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..web import ConsoleState

KEY = "listings.checks"
#: (shop, SKU) checks remembered; the oldest is forgotten first.
MAX_CHECKS = 2000


class Checks:
    def __init__(self, limit: int = MAX_CHECKS) -> None:
        self.limit = limit
        self._found: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    def remember(self, shop: str, sku: str, answer: dict[str, Any]) -> None:
        """Keep a check's answer: its version, outcome and problems."""
        self._found[(shop, sku)] = {"version": answer.get("version"), "ready": bool(answer.get("ready")),
                                    "problems": list(answer.get("problems") or [])}
        self._found.move_to_end((shop, sku))
        while len(self._found) > self.limit:
            self._found.popitem(last=False)

    def of_shop(self, shop: str, skus: list[str]) -> dict[str, dict[str, Any]]:
        """SKU -> its last check on ``shop``, for those checked here."""
        return {sku: found for sku in skus if (found := self._found.get((shop, sku))) is not None}

    def of_sku(self, sku: str) -> dict[str, dict[str, Any]]:
        """shop -> the last check of ``sku`` there."""
        return {shop: found for (shop, s), found in self._found.items() if s == sku}


def checks_of(state: ConsoleState) -> Checks:
    found = state.extras.get(KEY)
    if not isinstance(found, Checks):
        found = state.extras[KEY] = Checks()
    return found
