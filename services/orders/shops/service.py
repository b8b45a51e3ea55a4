"""Use cases of the shops projection: apply ``shops.changed``, the download gate read from the projection, and
"for every shop that downloads orders, run this" (the poll and the settlement import)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import structlog

from libs.common.events import ShopConnected, ShopDisconnected, ShopSettingsChanged
from services.orders.intake.webhooks import repo as webhooks_repo
from services.orders.shops import repo
from services.orders.shops.domain import ACTIVE, DISCONNECTED, Shop, require_downloads

log = structlog.get_logger(__name__)
T = TypeVar("T")


async def apply_shop_event(
    conn: asyncpg.Connection, data: ShopConnected | ShopSettingsChanged | ShopDisconnected
) -> None:
    """Keep the projection, in the consumer's transaction. A shop authorised (again) has the notifications held
    meanwhile fetched now."""
    if isinstance(data, ShopConnected):
        await repo.shop_connected(conn, shop_id=data.shop_id, status=data.status, at=data.connected_at)
    elif isinstance(data, ShopSettingsChanged):
        await repo.shop_settings(
            conn, shop_id=data.shop_id, allow_order_download=data.allow_order_download,
            query_order_status_change=data.query_order_status_change,
            publish_on_hold_orders=data.publish_on_hold_orders, status=data.status, at=data.changed_at,
        )
    else:
        await repo.shop_connected(conn, shop_id=data.shop_id, status=DISCONNECTED, at=data.disconnected_at)
        return
    if data.status == ACTIVE:
        await webhooks_repo.release_held(conn, data.shop_id)


async def downloading_shop(conn: asyncpg.Connection, shop_id: str) -> Shop:
    """The shop, when orders may be downloaded for it now; else the refusal saying why and what to do."""
    return require_downloads(await repo.get_shop(conn, shop_id), shop_id)


async def each_downloading_shop(pool: asyncpg.Pool, work: Callable[[Shop], Awaitable[T]], *, what: str) -> list[T]:
    """``work(shop)`` for every shop that downloads orders, in turn; one shop's failure is logged (``what``
    names the work) and does not stop the others. Returns what the shops that succeeded gave."""
    async with pool.acquire() as conn:
        shops = [s for s in await repo.all_shops(conn) if s.downloads_orders]
    done = []
    for shop in shops:
        try:
            done.append(await work(shop))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - next shop; the watermark row keeps the error
            log.warning(f"{what} failed for shop", shop_id=shop.shop_id, error=f"{type(exc).__name__}: {exc}")
    return done
