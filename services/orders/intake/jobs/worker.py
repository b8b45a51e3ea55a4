"""The download job worker: run the next job to its end, again while there are jobs, then wait to be woken
(a job was queued) or ``job_poll_interval_s``."""

from __future__ import annotations

import uuid

from libs.common.runtime import ServiceRuntime
from libs.common.worker import Drain
from services.orders.intake.jobs import service
from services.orders.settings import OrdersSettings
from services.orders.tiktok import TIKTOK

NAME = "orders-download-jobs"


def job_worker(rt: ServiceRuntime, *, settings: OrdersSettings) -> Drain:
    api, owner = rt.components.get(TIKTOK), uuid.uuid4()

    async def next_job() -> bool:
        return await service.run_next_job(rt.db(), api, owner=owner, lease_s=settings.job_lease_s,
                                          source=rt.source, after_commit=rt.wake_relay)

    return Drain(next_job, poll_s=settings.job_poll_interval_s)
