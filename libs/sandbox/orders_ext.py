"""Wires the order after-sales parts of the sandbox into the app: cancellations (buyer and seller),
refunds and returns, finance statements. One call from :func:`libs.sandbox.app.create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from libs.sandbox import cancellation_routes, finance_routes, refund_routes
from libs.sandbox.cancellations import CancellationBook
from libs.sandbox.finance import FinanceBook
from libs.sandbox.refunds import RefundBook
from libs.sandbox.state import SandboxState
from libs.sandbox.webhooks import WebhookPoster


def install(app: FastAPI, state: SandboxState, poster: WebhookPoster) -> None:
    cancellations = CancellationBook(state, poster.publish)
    state.add_order_listener(cancellations.order_changed)
    app.state.cancellations = cancellations
    app.include_router(cancellation_routes.router)
    app.state.refunds = RefundBook(state, poster.publish)
    app.include_router(refund_routes.router)
    app.state.finance = FinanceBook(state)
    app.include_router(finance_routes.router)
    app.include_router(finance_routes.control)
