"""The reconciliation poll of every shop that downloads orders, every ``poll_interval_s``."""

from __future__ import annotations

from libs.common.runtime import ServiceRuntime
from services.orders.intake.service import PollResult, poll_shop
from services.orders.settings import OrdersSettings
from services.orders.shops.worker import EveryDownloadingShop

NAME = "orders-poll"


def poll_worker(rt: ServiceRuntime, *, settings: OrdersSettings) -> EveryDownloadingShop[PollResult]:
    return EveryDownloadingShop(rt, poll_shop, settings.poll_window, interval_s=settings.poll_interval_s,
                                what="order poll")
