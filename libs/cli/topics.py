"""`ttshop topics ensure`: every contract topic and its DLQ, created with the partitions, replication and
``min.insync.replicas`` of the settings (production defaults: 12, 3, 2), and what was found of the others
(:mod:`libs.common.topics`; the deploy one-shot runs the same as ``python -m libs.common.topics``)."""

from __future__ import annotations

import asyncio

import typer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from libs.common.settings import TopicSettings
from libs.common.topics import LOCAL_LAYOUT, MIN_INSYNC, TopicLayout, TopicReport, ensure

from . import devenv, render
from .client import EXIT_FAILED, EXIT_USAGE, console, emit_json, fail, state

app = typer.Typer(help="Kafka topics: the contract topics and their DLQs.", no_args_is_help=True)


def wanted_layout(partitions: int | None, replication: int | None, min_insync: int | None, *,
                  local: bool) -> TopicLayout:
    """The options given, else the environment (KAFKA_TOPIC_PARTITIONS …), else the production defaults;
    ``local``: the local stack's layout (one broker). Raises ValueError naming what does not fit."""
    base = LOCAL_LAYOUT if local else None
    given = {"kafka_topic_partitions": partitions, "kafka_replication_factor": replication,
             "kafka_min_insync_replicas": min_insync}
    if base is not None:
        defaults = (base.partitions, base.replication_factor, base.min_insync_replicas)
        given = {k: v if v is not None else d for (k, v), d in zip(given.items(), defaults, strict=True)}
    try:
        settings = TopicSettings.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise ValueError("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())) from None
    return TopicLayout.wanted(settings)


def show(report: TopicReport) -> None:
    def number(value: int | None) -> str:
        return "not reported" if value is None else str(value)

    render.table(
        f"topics: {report.summary()}",
        ("topic", "outcome", "partitions", "replication", MIN_INSYNC, "detail"),
        ((r.topic, r.outcome.value, *((r.found.partitions, r.found.replication_factor,
                                        number(r.found.min_insync_replicas)) if r.found else ("", "", "")), r.detail)
         for r in report.results),
    )
    console.print(f"wanted: {report.wanted.words()}; an existing topic is never changed.")


@app.command("ensure")
def ensure_command(
    ctx: typer.Context,
    partitions: int | None = typer.Option(None, "--partitions", min=1, help="Default: KAFKA_TOPIC_PARTITIONS, "
                                          "else 12."),
    replication: int | None = typer.Option(None, "--replication-factor", min=1,
                                           help="Default: KAFKA_REPLICATION_FACTOR, else 3."),
    min_insync: int | None = typer.Option(None, "--min-insync-replicas", min=1,
                                          help="Default: KAFKA_MIN_INSYNC_REPLICAS, else 2."),
    local: bool = typer.Option(False, "--local", help="The local stack's layout: 3 partitions, 1 replica."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a topic is laid out differently too."),
) -> None:
    """Create every contract topic and its DLQ that is missing; report each one: created, as wanted, or
    different (what differs; nothing existing is changed). Safe to run again: a second run creates nothing."""
    st = state(ctx)
    try:
        wanted = wanted_layout(partitions, replication, min_insync, local=local)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    bootstrap = devenv.bootstrap_servers(st.env)
    try:
        report = asyncio.run(ensure(bootstrap, wanted))
    except (KafkaError, OSError) as exc:
        fail(f"cannot reach the broker at {bootstrap}: {type(exc).__name__}: {exc}", EXIT_FAILED)
    emit_json(report.as_dict()) if st.json_output else show(report)
    if not report.ok(strict=strict):
        raise typer.Exit(EXIT_FAILED)
