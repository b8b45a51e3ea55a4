"""The webhook worker: fetch and ingest the orders of stored notifications, a batch at a time, then wait to be
woken (a notification arrived) or ``webhook_poll_interval_s``."""

from __future__ import annotations

from libs.common.runtime import ServiceRuntime
from libs.common.worker import Drain
from services.orders.intake.webhooks import service
from services.orders.settings import OrdersSettings
from services.orders.tiktok import TIKTOK

NAME = "orders-webhooks"


def webhook_worker(rt: ServiceRuntime, *, settings: OrdersSettings) -> Drain:
    api = rt.components.get(TIKTOK)

    async def next_batch() -> int:
        return await service.process_order_notifications(
            rt.db(), api, source=rt.source, batch_size=settings.webhook_batch_size,
            max_attempts=settings.webhook_max_attempts, recheck_s=settings.authorization_recheck_s,
            after_commit=rt.wake_relay,
        )

    return Drain(next_batch, poll_s=settings.webhook_poll_interval_s)
