"""A watermarked import of every shop that downloads orders, every interval, and of one shop when an operator
asks: the reconciliation poll and the settlements import are both this worker around their ``import_shop``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

import asyncpg

from libs.common.runtime import ServiceRuntime
from libs.common.watermark import Window
from libs.common.worker import Every
from services.orders.shops.domain import Shop
from services.orders.shops.service import downloading_shop, each_downloading_shop
from services.orders.tiktok import TIKTOK, OrdersApi

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ShopImport(Protocol[T_co]):
    """``poll_shop`` / ``import_shop``: one shop's pass since its watermark."""

    def __call__(
        self, pool: asyncpg.Pool, api: OrdersApi, shop: Shop, window: Window, *, source: str,
        after_commit: Callable[[], None] = ..., wait: bool = ..., now: int | None = ...,
    ) -> Awaitable[T_co]: ...


class EveryDownloadingShop(Every, Generic[T]):
    def __init__(self, rt: ServiceRuntime, import_shop: ShopImport[T], window: Window, *, interval_s: float,
                 what: str) -> None:
        super().__init__(self.every_shop, interval_s=interval_s)
        self._rt, self._import, self._window, self._what = rt, import_shop, window, what
        self._api: OrdersApi = rt.components.get(TIKTOK)

    def _pass(self, shop: Shop, *, wait: bool = False) -> Awaitable[T]:
        rt = self._rt
        return self._import(rt.db(), self._api, shop, self._window, source=rt.source, after_commit=rt.wake_relay,
                            wait=wait)

    async def every_shop(self) -> list[T]:
        """A pass over every shop that downloads orders (one shop's failure is logged; the others go on)."""
        return await each_downloading_shop(self._rt.db(), self._pass, what=self._what)

    async def one_shop(self, shop_id: str) -> T:
        """An operator's pass: refused unless the shop downloads orders; waits for a pass already running for it
        instead of skipping."""
        async with self._rt.db().acquire() as conn:
            shop = await downloading_shop(conn, shop_id)
        return await self._pass(shop, wait=True)
