"""The background loop behind the sync page's lag chart: every ``sync_sample_s`` it reads the catalog's
``GET /sync/status`` and keeps each shop's lag for the last hour in memory.

It holds no credential of its own: it samples only while an operator is signed in, calling as the most
recently active live session (so the catalog's logs name that operator), and skips a turn otherwise.
"""

from __future__ import annotations

import asyncio
import time

import structlog

from ..client import ServiceError
from ..sessions import SessionStore
from ..web import ConsoleState
from .history import LagHistory

log = structlog.get_logger(__name__)
EXTRA = "sync_lag_history"


def lag_history(state: ConsoleState) -> LagHistory:
    """This console's lag samples (one per process, created on first use)."""
    history = state.extras.get(EXTRA)
    if not isinstance(history, LagHistory):
        history = state.extras[EXTRA] = LagHistory()
    return history


def latest_credential(store: SessionStore) -> str | None:
    """The credential of the live session seen most recently, or None when nobody is signed in."""
    session = store.latest()
    return session.credential if session else None


async def sample_once(state: ConsoleState, history: LagHistory) -> bool:
    """One sample, if someone is signed in; False when skipped or the catalog could not answer."""
    credential = latest_credential(state.sessions)
    if credential is None:
        return False
    try:
        body = await state.services.as_operator(credential).get("catalog", "/sync/status")
    except ServiceError as exc:
        history.last_error = f"Error: {exc.shown}"
        log.warning("sync lag sample failed", error=exc.shown)
        return False
    rows = body.get("shops", []) if isinstance(body, dict) else []
    history.record(time.time(), [r for r in rows if isinstance(r, dict)])
    return True


async def sample(state: ConsoleState) -> None:
    """Run while the console runs (``feature_tasks``); never stops on an error, only when cancelled."""
    history = lag_history(state)
    while True:
        try:
            await sample_once(state, history)
        except Exception as exc:  # noqa: BLE001 - the chart misses a point; the loop goes on
            history.last_error = f"Error: {type(exc).__name__}: {exc}"
            log.warning("sync lag sample failed", error=history.last_error)
        await asyncio.sleep(state.settings.sync_sample_s)
