"""`ttshop dlq list|replay`: inspect dead letters and send them back to their topic."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import typer

from libs.common.dlq import DeadLetter, dlq_topics, read_dead_letters, replay

from . import devenv
from .client import EXIT_FAILED, EXIT_USAGE, emit_json, fail, state
from .render import table

app = typer.Typer(help="Dead letters: messages a consumer could not process, with the reason.", no_args_is_help=True)
#: How `dlq list` names a dead letter: topic.dlq:partition:offset.
REF = re.compile(r"^[\w.\-]+\.dlq:\d+:\d+$")


def _load(bootstrap: str, topic: str | None, limit: int) -> list[DeadLetter]:
    try:
        return asyncio.run(read_dead_letters(bootstrap, dlq_topics(topic), limit=limit))
    except Exception as exc:  # noqa: BLE001 - shown to the operator, exit 1
        fail(f"cannot read dead letters from {bootstrap}: {type(exc).__name__}: {exc}", EXIT_FAILED)


def _as_json(d: DeadLetter) -> dict[str, object]:
    event_id, event_type = d.event_summary()
    return {"ref": d.ref, "topic": d.topic, "original_topic": d.original_topic, "partition": d.partition,
            "offset": d.offset, "consumer_group": d.headers.get("x-dlq-consumer-group", ""),
            "event_type": event_type, "event_id": event_id, "reason": d.reason, "headers": d.headers}


@app.command("list")
def list_(
    ctx: typer.Context,
    topic: str = typer.Argument(None, help="A topic (e.g. shipments.created) or its .dlq; all when omitted."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many."),
) -> None:
    """List dead letters with the reason each failed."""
    st = state(ctx)
    letters = _load(devenv.bootstrap_servers(st.env), topic, limit)
    if st.json_output:
        emit_json([_as_json(d) for d in letters])
        return
    rows = []
    for d in letters:
        event_id, event_type = d.event_summary()
        rows.append([d.ref, d.headers.get("x-dlq-consumer-group", ""), event_type or "(not an event)",
                     event_id or "", d.reason[:160]])
    table(f"{len(letters)} dead letter(s)", ["dead letter", "consumer", "type", "event id", "reason"], rows)


@app.command("replay")
def replay_(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(help="Dead letters as shown by `dlq list` (topic.dlq:partition:offset)."),
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Replay every dead letter of this topic.")] = None,
) -> None:
    """Publish dead letters back to their original topic (safe: consumers dedupe on the event id)."""
    if not refs and not topic:
        fail("name dead letters (topic.dlq:partition:offset, see `ttshop dlq list`) or give --topic TOPIC", EXIT_USAGE)
    malformed = [r for r in refs or [] if not REF.match(r)]
    if malformed:
        fail(f"{', '.join(malformed)}: expected topic.dlq:partition:offset as `ttshop dlq list` shows", EXIT_USAGE)
    st = state(ctx)
    bootstrap = devenv.bootstrap_servers(st.env)
    letters = _load(bootstrap, topic, 100_000)
    if refs:
        by_ref = {d.ref: d for d in letters}
        unknown = [r for r in refs if r not in by_ref]
        if unknown:
            fail(f"no dead letter {', '.join(unknown)} (`ttshop dlq list` shows those there are)", EXIT_FAILED)
        letters = [by_ref[r] for r in refs]
    count = asyncio.run(replay(bootstrap, letters))
    if st.json_output:
        emit_json({"replayed": count, "refs": [d.ref for d in letters]})
        return
    typer.echo(f"replayed {count} dead letter(s) to their original topics")
