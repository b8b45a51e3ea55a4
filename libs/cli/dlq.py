"""`ttshop dlq list|replay`: inspect dead letters and send them back to their topic."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from libs.common.dlq import DeadLetter, dlq_topics, read_dead_letters, replay

from . import devenv
from .client import fail
from .render import table

app = typer.Typer(help="Dead letters: messages a consumer could not process, with the reason.", no_args_is_help=True)


def _bootstrap() -> str:
    return devenv.lookup("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092") or "127.0.0.1:9092"


def _load(topic: str | None, limit: int) -> list[DeadLetter]:
    try:
        return asyncio.run(read_dead_letters(_bootstrap(), dlq_topics(topic), limit=limit))
    except Exception as exc:  # noqa: BLE001 - shown to the operator, exit 2
        fail(f"cannot read dead letters from {_bootstrap()}: {type(exc).__name__}: {exc}", 2)


@app.command("list")
def list_(
    topic: str = typer.Argument(None, help="A topic (e.g. shipments.created) or its .dlq; all when omitted."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many."),
) -> None:
    """List dead letters with the reason each failed."""
    letters = _load(topic, limit)
    rows = []
    for d in letters:
        event_id, event_type = d.event_summary()
        rows.append([d.ref, d.headers.get("x-dlq-consumer-group", ""), event_type or "(not an event)",
                     event_id or "", d.reason[:160]])
    table(f"{len(letters)} dead letter(s)", ["dead letter", "consumer", "type", "event id", "reason"], rows)


@app.command("replay")
def replay_(
    refs: Annotated[
        list[str] | None,
        typer.Argument(help="Dead letters as shown by `dlq list` (topic.dlq:partition:offset)."),
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Replay every dead letter of this topic.")] = None,
) -> None:
    """Publish dead letters back to their original topic (safe: consumers dedupe on the event id)."""
    if not refs and not topic:
        fail("name dead letters (topic.dlq:partition:offset, see `ttshop dlq list`) or give --topic TOPIC", 2)
    letters = _load(topic, 100_000) if topic else _load(None, 100_000)
    if refs:
        by_ref = {d.ref: d for d in letters}
        unknown = [r for r in refs if r not in by_ref]
        if unknown:
            fail(f"no dead letter {', '.join(unknown)}; expected topic.dlq:partition:offset as `ttshop dlq list` shows", 2)
        letters = [by_ref[r] for r in refs]
    count = asyncio.run(replay(_bootstrap(), letters))
    typer.echo(f"replayed {count} dead letter(s) to their original topics")
