"""TikTok's review ending by itself: ``settings.review_delay_s`` after a create or edit through the API
(``None`` or negative: never; only ``POST /sandbox/products/{id}/review`` ends it), a ``PENDING``
listing is approved (``ACTIVATE``) and webhook type 5 PRODUCT_STATUS_CHANGE fires.

Time is the state's injectable clock. Due reviews end at the start of every request the sandbox
serves (so a test that moves its clock sees the outcome on its next call, deterministically) and on a
background tick every :data:`TICK_S` seconds (so a running sandbox nobody calls still sends the
webhook). Either way a review ends once. Wired by :func:`install` from ``app.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from libs.sandbox.products import ProductBook
from libs.sandbox.webhooks import WebhookPoster

TICK_S = 0.5


class AutoReview:
    def __init__(self, book: ProductBook, poster: WebhookPoster, tick_s: float = TICK_S) -> None:
        self._book = book
        self._poster = poster
        self._tick_s = tick_s
        self._task: asyncio.Task[None] | None = None

    def sweep(self) -> int:
        """Ends every due review now and announces each; returns how many ended."""
        ended = self._book.end_due_reviews()
        for product in ended:
            self._poster.publish(product.shop_id, "PRODUCT_STATUS_CHANGE", product.status_event())
        return len(ended)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            self.sweep()


def install(app: FastAPI) -> None:
    """After ``product_routes.install`` (the book) and with ``app.state.webhooks`` set."""
    app.state.auto_review = AutoReview(app.state.products, app.state.webhooks)
    app.middleware("http")(review_middleware)


async def review_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    reviewer: AutoReview = request.app.state.auto_review
    reviewer.sweep()
    return await call_next(request)
