"""SQL for shops and the audit log. Functions take the connection they are given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.shops import ShopSwitches
from services.auth.domain import Shop, ShopNotFound
from services.auth.secrets_box import SecretBox

_COLUMNS = (
    "shop_id, name, tax_id, status, status_reason, warning, shop_cipher, shop_code, region, seller_type, seller_name,"
    " seller_base_region, open_id, default_warehouse_id, access_token, access_token_expires_at, refresh_token,"
    " refresh_token_expires_at, token_generation, granted_scopes, settings, last_tested_at, last_refreshed_at,"
    " connected_at, updated_at"
)


def _to_shop(row: asyncpg.Record, box: SecretBox) -> Shop:
    values: dict[str, Any] = dict(row)
    values["access_token"] = box.decrypt(values["access_token"]) if values["access_token"] else None
    values["refresh_token"] = box.decrypt(values["refresh_token"]) if values["refresh_token"] else None
    values["settings"] = ShopSwitches.model_validate(values["settings"])
    values["granted_scopes"] = list(values["granted_scopes"] or [])
    return Shop(**values)


async def find(conn: asyncpg.Connection, box: SecretBox, *, ref: str, for_update: bool = False) -> Shop:
    """A shop by TikTok shop id or by the name given at connect."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM shops WHERE shop_id = $1 OR lower(name) = lower($1)"
        f" ORDER BY (shop_id = $1) DESC LIMIT 1{lock}",
        ref,
    )
    if row is None:
        raise ShopNotFound("shop_not_found", f"no shop with id or name {ref!r}; see `ttshop shops list`")
    return _to_shop(row, box)


async def list_all(conn: asyncpg.Connection, box: SecretBox) -> list[Shop]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM shops ORDER BY connected_at")
    return [_to_shop(r, box) for r in rows]


async def on_tax_id(conn: asyncpg.Connection, box: SecretBox, *, tax_id: str) -> list[Shop]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM shops WHERE tax_id = $1 AND status <> 'disconnected' ORDER BY connected_at FOR UPDATE",
        tax_id,
    )
    return [_to_shop(r, box) for r in rows]


async def lock_tax_id(conn: asyncpg.Connection, *, tax_id: str) -> None:
    """Serialises connects on one tax ID so two at once cannot both pass the limit."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ttshop.auth.tax_id.' || $1))", tax_id)


async def name_taken(conn: asyncpg.Connection, *, name: str, other_than: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM shops WHERE lower(name) = lower($1) AND shop_id <> $2", name, other_than
        )
    )


async def save(conn: asyncpg.Connection, box: SecretBox, shop: Shop) -> None:
    await conn.execute(
        """
        INSERT INTO shops (shop_id, name, tax_id, status, status_reason, shop_cipher, shop_code, region,
            seller_type, seller_name, seller_base_region, open_id, default_warehouse_id, access_token,
            access_token_expires_at, refresh_token, refresh_token_expires_at, granted_scopes, settings,
            last_tested_at, last_refreshed_at, warning, token_generation)
        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
        ON CONFLICT (shop_id) DO UPDATE SET
            name = EXCLUDED.name, tax_id = EXCLUDED.tax_id, status = EXCLUDED.status,
            status_reason = EXCLUDED.status_reason, shop_cipher = EXCLUDED.shop_cipher,
            shop_code = EXCLUDED.shop_code, region = EXCLUDED.region, seller_type = EXCLUDED.seller_type,
            seller_name = EXCLUDED.seller_name, seller_base_region = EXCLUDED.seller_base_region,
            open_id = EXCLUDED.open_id, default_warehouse_id = EXCLUDED.default_warehouse_id,
            access_token = EXCLUDED.access_token, access_token_expires_at = EXCLUDED.access_token_expires_at,
            refresh_token = EXCLUDED.refresh_token, refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
            granted_scopes = EXCLUDED.granted_scopes, settings = EXCLUDED.settings,
            last_tested_at = EXCLUDED.last_tested_at, last_refreshed_at = EXCLUDED.last_refreshed_at,
            warning = EXCLUDED.warning, token_generation = EXCLUDED.token_generation, updated_at = now()
        """,
        shop.shop_id, shop.name, shop.tax_id, shop.status, shop.status_reason, shop.shop_cipher,
        shop.shop_code, shop.region, shop.seller_type, shop.seller_name, shop.seller_base_region,
        shop.open_id, shop.default_warehouse_id,
        box.encrypt(shop.access_token) if shop.access_token else None,
        shop.access_token_expires_at,
        box.encrypt(shop.refresh_token) if shop.refresh_token else None,
        shop.refresh_token_expires_at, shop.granted_scopes, shop.settings.model_dump(mode="json"),
        shop.last_tested_at, shop.last_refreshed_at, shop.warning, shop.token_generation,
    )


async def rotate_secrets(conn: asyncpg.Connection, box: SecretBox) -> dict[str, int]:
    """R6 key rotation: re-encrypt every stored token with the first configured key, row by row
    (row-locked, in the caller's transaction). Ciphertext never leaves the database undecryptable."""
    rows = await conn.fetch("SELECT shop_id, access_token, refresh_token FROM shops ORDER BY shop_id FOR UPDATE")
    secrets = 0
    for row in rows:
        access = box.rotate(row["access_token"]) if row["access_token"] else None
        refresh = box.rotate(row["refresh_token"]) if row["refresh_token"] else None
        secrets += (access is not None) + (refresh is not None)
        await conn.execute(
            "UPDATE shops SET access_token = $2, refresh_token = $3 WHERE shop_id = $1", row["shop_id"], access, refresh
        )
    return {"shops": len(rows), "secrets": secrets}


async def due_for_refresh(conn: asyncpg.Connection, *, before: datetime, limit: int = 50) -> list[str]:
    rows = await conn.fetch(
        "SELECT shop_id FROM shops WHERE status = 'active' AND access_token_expires_at < $1"
        " ORDER BY access_token_expires_at LIMIT $2",
        before,
        limit,
    )
    return [r["shop_id"] for r in rows]


async def try_lock_shop(conn: asyncpg.Connection, *, shop_id: str) -> bool:
    """Transaction-scoped: only one auth replica refreshes a shop at a time."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtext('ttshop.auth.refresh.' || $1))", shop_id))


async def audit(conn: asyncpg.Connection, *, shop_id: str | None, action: str, outcome: str, **detail: Any) -> None:
    """One audit entry; an action an admin API caller asked for names them (``by``: the CLI, an operator
    signed in to the console), an action of the service's own loops names nobody."""
    caller = structlog.contextvars.get_contextvars().get("caller")
    if caller:
        detail = {"by": caller, **detail}
    await conn.execute(
        "INSERT INTO audit_log (shop_id, action, outcome, detail) VALUES ($1, $2, $3, $4)",
        shop_id,
        action,
        outcome,
        detail,
    )


async def audit_trail(conn: asyncpg.Connection, *, shop_id: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT action, outcome, detail, at FROM audit_log WHERE shop_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        shop_id,
        limit,
    )
    return [{**dict(r), "at": r["at"].isoformat()} for r in rows]


async def first_delivery(conn: asyncpg.Connection, *, notification_id: str, type_: int, shop_id: str) -> bool:
    """Record a TikTok notification as acted on, in the caller's transaction; False when it already was
    (TikTok's re-send). A concurrent delivery of the same id waits here for the first one's outcome."""
    inserted = await conn.fetchval(
        "INSERT INTO webhook_notifications (tts_notification_id, type, shop_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING true",
        notification_id, type_, shop_id,
    )
    return bool(inserted)


async def token_expiry_s(conn: asyncpg.Connection) -> dict[str, float]:
    """Seconds until each connected shop's access token expires (negative: expired); read from the expiry
    column only, nothing is decrypted (the metrics' ``ttshop_token_expiry_seconds``)."""
    rows = await conn.fetch(
        "SELECT shop_id, extract(epoch FROM access_token_expires_at - now()) AS s FROM shops"
        " WHERE status <> 'disconnected' AND access_token_expires_at IS NOT NULL")
    return {r["shop_id"]: float(r["s"]) for r in rows}
