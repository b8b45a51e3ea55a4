"""The service's background loops: reconciliation poll, download jobs, webhook processing.

Each loop survives errors (logged, then a pause) so one bad round never stops the service.
The job and webhook loops can be woken (a job was queued, a webhook arrived) for low latency.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from libs.common.runtime import ServiceRuntime
from services.orders import jobs, repo, settlements, webhooks
from services.orders.domain import Shop
from services.orders.service import PollResult, PollWindow, poll_shop
from services.orders.settings import OrdersSettings
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
ERROR_PAUSE_S = 5.0


@dataclass
class Workers:
    settings: OrdersSettings
    make_api: Callable[[], OrdersApi]
    owner: uuid.UUID = field(default_factory=uuid.uuid4)
    job_wake: asyncio.Event = field(default_factory=asyncio.Event)
    webhook_wake: asyncio.Event = field(default_factory=asyncio.Event)

    _api: OrdersApi | None = None

    @property
    def api(self) -> OrdersApi:
        """Built on first use: the TikTok client needs the runtime's HTTP client, which exists only
        once the runtime has started."""
        if self._api is None:
            self._api = self.make_api()
        return self._api

    @property
    def window(self) -> PollWindow:
        return PollWindow(self.settings.poll_overlap_s, self.settings.initial_lookback_s)

    async def poll_all(self, runtime: ServiceRuntime) -> list[PollResult]:
        """Poll every shop that allows order download; one shop's failure does not stop the others."""
        async with runtime.db().acquire() as conn:
            shops = await repo.shops_downloading_orders(conn)
        results = []
        for shop in shops:
            try:
                results.append(
                    await poll_shop(
                        runtime.db(), self.api, shop, self.window, source=runtime.source,
                        after_commit=runtime.wake_relay,
                    )
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - next shop; the watermark row keeps the error
                log.warning("order poll failed for shop", shop_id=shop.shop_id, error=f"{type(exc).__name__}: {exc}")
        return results

    async def poll_loop(self, runtime: ServiceRuntime) -> None:
        while True:
            try:
                await self.poll_all(runtime)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("order poll round failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self.settings.poll_interval_s)

    async def import_settlements(self, runtime: ServiceRuntime, shop: Shop, *, wait: bool = False) -> settlements.SettlementImport:
        return await settlements.import_shop(
            runtime.db(), self.api, shop, overlap_s=self.settings.settlement_overlap_s,
            initial_lookback_s=self.settings.settlement_initial_lookback_s, source=runtime.source,
            after_commit=runtime.wake_relay, wait=wait,
        )

    async def settlement_loop(self, runtime: ServiceRuntime) -> None:
        """Import finance statements of every shop that downloads orders (R15), every interval."""
        while True:
            try:
                async with runtime.db().acquire() as conn:
                    shops = await repo.shops_downloading_orders(conn)
                for shop in shops:
                    try:
                        await self.import_settlements(runtime, shop)
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - next shop; the watermark row keeps the error
                        log.warning("settlement import failed for shop", shop_id=shop.shop_id,
                                    error=f"{type(exc).__name__}: {exc}")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("settlement import round failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self.settings.settlement_interval_s)

    async def job_loop(self, runtime: ServiceRuntime) -> None:
        while True:
            try:
                worked = await jobs.run_next_job(
                    runtime.db(), self.api, owner=self.owner, lease_s=self.settings.job_lease_s,
                    source=runtime.source, after_commit=runtime.wake_relay,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the lease runs out and the job is resumed
                log.warning("download job round failed", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if not worked:
                await _wait(self.job_wake, self.settings.job_poll_interval_s)

    async def webhook_loop(self, runtime: ServiceRuntime) -> None:
        while True:
            try:
                claimed = await webhooks.process_order_notifications(
                    runtime.db(), self.api, source=runtime.source, batch_size=self.settings.webhook_batch_size,
                    max_attempts=self.settings.webhook_max_attempts,
                    recheck_s=self.settings.authorization_recheck_s, after_commit=runtime.wake_relay,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - claimed rows are retried after their lease
                log.warning("webhook round failed", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if not claimed:
                await _wait(self.webhook_wake, self.settings.webhook_poll_interval_s)


async def _wait(event: asyncio.Event, timeout: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=timeout)
    except TimeoutError:
        pass
    event.clear()
