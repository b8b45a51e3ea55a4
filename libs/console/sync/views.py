"""What the sync page shows, from the catalog's ``GET /sync/status`` (R40) and the auth service's shops: per
shop and kind the changes waiting and their lag, calls in the last minute against TikTok's limit, the last
success and the failures by TikTok's code, worded as `ttshop catalog sync status` words them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The kinds of change the sync sends, in the order shown.
KINDS = ("inventory", "price")
#: A lag from this many seconds on is shown as a warning (a change should reach TikTok within seconds).
LAG_WARN_S = 60.0
#: Calls per minute from this share of the limit on are shown as a warning (the limiter will make calls wait).
CALLS_WARN_SHARE = 0.9


@dataclass(frozen=True)
class KindRow:
    kind: str
    waiting: int
    lag_s: float
    lag: str
    lag_class: str
    calls: int
    limit: int
    calls_class: str
    last_success_at: str | None
    failed: int
    skipped: int
    failures: list[str]


@dataclass(frozen=True)
class ShopSync:
    shop_id: str
    name: str
    kinds: list[KindRow]

    @property
    def waiting(self) -> int:
        return sum(k.waiting for k in self.kinds)


def lag_text(seconds: float) -> str:
    """``0.4 s``, ``12.3 s``, ``4 min 10 s``, ``2 h 5 min``: as long as the oldest change has waited."""
    if seconds < 90:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def failure_text(failure: dict[str, Any]) -> str:
    """As the CLI says it: ``3 SKU(s) failed with 12052048: <TikTok's message>``."""
    return f"{failure.get('skus', 0)} SKU(s) failed with {failure.get('code') or 'no code'}: {failure.get('example') or ''}"


def kind_row(row: dict[str, Any]) -> KindRow:
    lag_s = float(row.get("lag_s") or 0.0)
    calls, limit = int(row.get("calls_last_minute") or 0), int(row.get("limit_per_minute") or 0)
    return KindRow(
        kind=str(row.get("kind", "")), waiting=int(row.get("waiting") or 0), lag_s=lag_s, lag=lag_text(lag_s),
        lag_class="warn" if lag_s >= LAG_WARN_S else "",
        calls=calls, limit=limit, calls_class="warn" if limit and calls >= CALLS_WARN_SHARE * limit else "",
        last_success_at=row.get("last_success_at"), failed=int(row.get("failed") or 0),
        skipped=int(row.get("skipped") or 0),
        failures=[failure_text(f) for f in row.get("failures") or [] if isinstance(f, dict)],
    )


def shop_syncs(status: Any, shops: Any) -> list[ShopSync]:
    """One entry per shop: every shop the auth service knows (in its order), then any other shop the sync
    status names; each with its kinds (inventory first), none when nothing was queued or sent yet."""
    rows = status.get("shops", []) if isinstance(status, dict) else []
    known = shops.get("shops", []) if isinstance(shops, dict) else []
    names = {str(s.get("shop_id")): str(s.get("name") or "") for s in known if isinstance(s, dict)}
    by_shop: dict[str, list[KindRow]] = {shop_id: [] for shop_id in names}
    for row in rows:
        if isinstance(row, dict):
            by_shop.setdefault(str(row.get("shop_id", "")), []).append(kind_row(row))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return [ShopSync(shop_id, names.get(shop_id, ""), sorted(kinds, key=lambda k: (order.get(k.kind, 99), k.kind)))
            for shop_id, kinds in by_shop.items()]
