"""``GET /status`` of every service, for `ttshop status`: the service's name and version, whether it is
ready, its consumer group and the topics it consumes (the CLI computes the lag from the broker), its outbox
backlog and the age of the oldest unsent row, and the figures the service adds itself with
:func:`add_status_part` (``last_order_download``, ``last_inventory_push``, ``last_tracking_upload``: a list of
``{shop_id, at, …}`` per shop), so this module knows no service's tables. An admin route: it needs the admin credential like the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request

from libs.common import outbox
from libs.common.refusals import NotStarted

#: A figure of one service: ``await part(conn)``, JSON-serialisable (datetimes become ISO 8601).
StatusPart = Callable[[asyncpg.Connection], Awaitable[Any]]
PACKAGE = "ttshop-connector"

router = APIRouter(tags=["status"])


def package_version() -> str:
    """The installed version of the package (`ttshop --version` and every service's ``/status``)."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown (not installed)"


def add_status_part(app: FastAPI, name: str, part: StatusPart) -> None:
    """Add ``name: await part(conn)`` to this service's ``GET /status`` (call it in ``app.py``)."""
    parts: dict[str, StatusPart] = getattr(app.state, "status_parts", {})
    parts[name] = part
    app.state.status_parts = parts


async def outbox_figures(conn: asyncpg.Connection) -> dict[str, Any]:
    """Unsent outbox rows and the age of the oldest (seconds; None when nothing waits)."""
    backlog = await outbox.unsent_count(conn)
    return {"backlog": backlog, "oldest_unsent_s": await outbox.oldest_unsent_age_s(conn) if backlog else None}


@router.get("/status")
async def status(request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    settings = runtime.settings
    if runtime.pool is None:
        raise NotStarted("not_ready", f"the {settings.service_name} service is still starting; retry in a moment")
    topics = sorted({topic for topic, _, _ in [*runtime.consumers, *runtime.batch_consumers]})
    body: dict[str, Any] = {
        "service": settings.service_name,
        "version": package_version(),
        "ready": runtime.ready,
        "consumer_group": (settings.consumer_group or f"ttshop-{settings.service_name}") if topics else None,
        "topics": topics,
    }
    parts: dict[str, StatusPart] = getattr(request.app.state, "status_parts", {})
    async with runtime.pool.acquire() as conn:
        body["outbox"] = await outbox_figures(conn)
        for name, part in parts.items():
            body[name] = await part(conn)
    return body
