"""Dead letters: messages a consumer gave up on, listed by topic with the reason; one shown with its headers
and payload (secrets hidden); replay one or every one of a topic back to its original topic (consumers
dedupe on the event id, so replaying an applied event is harmless). Read from the broker like `ttshop dlq`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ..web import Operator, acting_operator, back, console_state, flash, operator, page
from . import broker, views
from .broker import BrokerError

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]
Acting = Annotated[Operator, Depends(acting_operator)]


def _broker(request: Request) -> tuple[str, float]:
    settings = console_state(request).settings
    return settings.kafka_bootstrap_servers, settings.api_timeout_s


async def _list(request: Request, topic: str | None) -> dict[str, Any]:
    bootstrap, timeout_s = _broker(request)
    context: dict[str, Any] = {"topic": "", "letters": [], "topics": views.topic_rows(None, None), "error": None,
                               "bootstrap": bootstrap, "read_limit": broker.READ_LIMIT, "total": None}
    try:
        selected = views.topic_name(topic)
    except ValueError as exc:
        context["error"] = f"Error: {exc} (unknown_topic)"
        return context
    context["topic"] = selected.removesuffix(".dlq") if selected else ""
    try:
        counts, letters = await asyncio.gather(broker.counts(bootstrap, timeout_s=timeout_s),
                                               broker.letters(bootstrap, selected, timeout_s=timeout_s))
    except BrokerError as exc:
        context["error"] = f"Error: {exc.shown}"
        return context
    context["topics"] = views.topic_rows(counts, selected)
    context["letters"] = views.letter_rows(letters)
    context["total"] = counts.get(selected, 0) if selected else sum(counts.values())
    return context


@router.get("/dead-letters", response_class=HTMLResponse)
async def dead_letters_page(request: Request, signed: Signed, topic: str | None = None) -> HTMLResponse:
    return page(request, "dead_letters/list.html", **await _list(request, topic))


@router.get("/dead-letters/table", response_class=HTMLResponse)
async def dead_letters_table(request: Request, signed: Signed, topic: str | None = None) -> HTMLResponse:
    return page(request, "dead_letters/parts/table.html", **await _list(request, topic))


@router.get("/dead-letters/{ref}", response_class=HTMLResponse)
async def dead_letter_page(request: Request, ref: str, signed: Signed) -> HTMLResponse:
    context: dict[str, Any] = {"ref": ref, "letter": None, "error": None}
    if not views.valid_ref(ref):
        context["error"] = f"Error: {ref!r} is no dead letter: expected topic.dlq:partition:offset (invalid_ref)"
        return page(request, "dead_letters/detail.html", **context)
    bootstrap, timeout_s = _broker(request)
    try:
        letter = await broker.one(bootstrap, ref, timeout_s=timeout_s)
    except BrokerError as exc:
        context["error"] = f"Error: {exc.shown}"
    else:
        if letter is None:
            context["error"] = f"Error: no dead letter {ref} (the list shows those there are) (not_found)"
        else:
            context["letter"] = views.letter_detail(letter)
    return page(request, "dead_letters/detail.html", **context)


@router.post("/dead-letters/replay")
async def replay(request: Request, signed: Acting, ref: Annotated[str, Form()] = "",
                 topic: Annotated[str, Form()] = "") -> Response:
    bootstrap, timeout_s = _broker(request)
    ref, topic = ref.strip(), topic.strip()
    if not ref and not topic:
        flash(request, "error", "Error: name a dead letter or a topic to replay (nothing_to_replay)")
        return back(request, "/dead-letters")
    if ref and not views.valid_ref(ref):
        flash(request, "error", f"Error: {ref}: expected topic.dlq:partition:offset as the list shows (invalid_ref)")
        return back(request, "/dead-letters")
    try:
        if ref:
            letter = await broker.one(bootstrap, ref, timeout_s=timeout_s)
            if letter is None:
                flash(request, "error", f"Error: no dead letter {ref} (the list shows those there are) (not_found)")
                return back(request, "/dead-letters")
            found = [letter]
        else:
            try:
                selected = views.topic_name(topic)
            except ValueError as exc:
                flash(request, "error", f"Error: {exc} (unknown_topic)")
                return back(request, "/dead-letters")
            found = await broker.letters(bootstrap, selected, timeout_s=timeout_s, limit=broker.REPLAY_LIMIT)
        count = await broker.replay_letters(bootstrap, found, timeout_s=timeout_s) if found else 0
    except BrokerError as exc:
        flash(request, "error", f"Error: {exc.shown}")
        return back(request, "/dead-letters")
    flash(request, "ok", views.replayed_text(count))
    return back(request, "/dead-letters")
