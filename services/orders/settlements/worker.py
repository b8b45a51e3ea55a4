"""The settlements import of every shop that downloads orders (R15), every ``settlement_interval_s``."""

from __future__ import annotations

from libs.common.runtime import ServiceRuntime
from services.orders.settings import OrdersSettings
from services.orders.settlements.service import SettlementImport, import_shop
from services.orders.shops.worker import EveryDownloadingShop

NAME = "orders-settlements"


def settlement_worker(rt: ServiceRuntime, *, settings: OrdersSettings) -> EveryDownloadingShop[SettlementImport]:
    return EveryDownloadingShop(rt, import_shop, settings.settlement_window,
                                interval_s=settings.settlement_interval_s, what="settlement import")
