"""Generate the AsyncAPI 3.0 document and the JSON Schemas of every event from the models.

    python -m libs.common.events.asyncapi [--out deploy] [--check]

writes ``<out>/asyncapi.json`` and ``<out>/schemas/<Type>.json`` (the ``data`` schema of each
type, plus ``CloudEvent.json`` for the envelope). ``--check`` writes nothing and exits 1 when
the committed files differ from the models, so a contract change cannot ship undocumented.

FastStream writes the document: each service is declared as a FastStream ``KafkaBroker`` with a
subscriber for every topic it consumes, a publisher for every topic it publishes and for the dead
letters of what it consumes, each typed by the CloudEvent envelope of the topic's pydantic models;
FastStream's AsyncAPI generation gives the servers, channels, operations, messages and payload schemas.
Written here by hand, because FastStream cannot say it: the CloudEvents content type, each message's
Kafka key and headers (``content-type``; the ``x-dlq-*`` error headers of dead letters) and its examples.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import warnings
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from urllib.parse import unquote

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import ConfigDict, Field, create_model

from libs.common.events.base import EventData
from libs.common.events.envelope import CLOUDEVENTS_CONTENT_TYPE, REQUIRED_ATTRIBUTES, CloudEvent
from libs.common.events.registry import EVENT_MODELS, dlq_topic, new_event

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "deploy"
MESSAGE_CONTENT_TYPE = "application/cloudevents+json"
_KAFKA_BINDING = "0.4.0"  # the Kafka binding version FastStream writes on channels
_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_EXAMPLE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
_LOCAL_BROKER = "127.0.0.1:9092"

# topic -> (who produces it, who consumes it: DESIGN.md's table), source attribute of its examples
_PARTIES: dict[str, tuple[str, str, str]] = {
    "inventory.changed": ("upstream systems", "catalog", "erp/inventory"),
    "price.changed": ("upstream systems", "catalog", "erp/pricing"),
    "catalog.product-ready": ("catalog", "catalog (auto-post), ops", "ttshop/catalog"),
    "catalog.listing-changed": ("catalog", "ops, upstream", "ttshop/catalog"),
    "orders.downloaded": ("orders", "WMS, fulfillment", "ttshop/orders"),
    "orders.cancellation-detected": ("orders", "WMS, fulfillment", "ttshop/orders"),
    "orders.status-changed": ("orders, fulfillment", "WMS, upstream, fulfillment", "ttshop/orders"),
    "shipments.created": ("WMS (or fulfillment for manual/FBT)", "fulfillment", "wms"),
    "shops.changed": ("auth", "catalog, orders, fulfillment", "ttshop/auth"),
}
#: The topics each of our services publishes (through its outbox).
PUBLISHES: dict[str, tuple[str, ...]] = {
    "auth": ("shops.changed",),
    "catalog": ("catalog.product-ready", "catalog.listing-changed"),
    "orders": ("orders.downloaded", "orders.cancellation-detected", "orders.status-changed"),
    "fulfillment": ("orders.status-changed", "shipments.created"),
}
#: The topics each of our services consumes (its group ``ttshop-<service>``); a test holds this to the
#: subscriptions each service's handlers register.
CONSUMES: dict[str, tuple[str, ...]] = {
    "auth": (),
    "catalog": ("inventory.changed", "price.changed", "catalog.product-ready", "shops.changed"),
    "orders": ("shops.changed",),
    "fulfillment": ("shops.changed", "orders.downloaded", "orders.status-changed", "orders.cancellation-detected",
                    "shipments.created"),
}
_DLQ_HEADERS = {  # what `libs.common.consumer` adds to a dead letter
    "x-dlq-reason": "Why it failed (the validation error or the last handler error).",
    "x-dlq-original-topic": "The topic it came from.", "x-dlq-original-partition": "Its partition there.",
    "x-dlq-original-offset": "Its offset there.", "x-dlq-consumer-group": "The consumer group that gave up on it.",
    "x-dlq-failed-at": "When, in Unix seconds.",
}


def example_data(model: type[EventData]) -> EventData:
    """A valid instance built from the first example of every field."""
    values = {name: field.examples[0] for name, field in model.model_fields.items() if field.examples}
    return model.model_validate(values)


def _example_event(model: type[EventData]) -> dict[str, Any]:
    event = new_event(example_data(model), source=_PARTIES[model.topic][2], event_id=f"example-{model.event_type}",
                      time=_EXAMPLE_TIME)
    payload: dict[str, Any] = json.loads(event.to_bytes())
    return payload


def _models(topic: str) -> list[type[EventData]]:
    return sorted((m for m in EVENT_MODELS.values() if m.topic == topic), key=lambda m: m.event_type)


@cache
def envelope_model(model: type[EventData]) -> type[CloudEvent]:
    """The CloudEvent narrowed to one type: ``type`` fixed, ``data`` the type's model."""
    name = model.event_type
    fixed_type: Any = Literal[name]
    envelope: type[CloudEvent] = create_model(
        f"{name}Event",
        __base__=CloudEvent,
        __doc__=f"A CloudEvent whose type is {name}: {inspect.cleandoc(model.__doc__ or name)}",
        type=(fixed_type, Field(description="Event type; selects the data schema.")),
        data=(model, Field(description=f"The {name} data.")),
    )
    envelope.model_config = ConfigDict(
        extra="allow", title=f"{name}Event", json_schema_extra={"required": list(REQUIRED_ATTRIBUTES)}
    )
    envelope.model_rebuild(force=True)
    return envelope


def _topic_payload(topic: str) -> Any:
    """What travels on a topic: its one envelope, or its envelopes told apart by ``type``."""
    envelopes = tuple(envelope_model(m) for m in _models(topic))
    if len(envelopes) == 1:
        return envelopes[0]
    title = "".join(part.capitalize() for part in topic.replace("-", ".").split(".")) + "Events"
    return Annotated[Union[envelopes], Field(discriminator="type", title=title)]  # noqa: UP007 - a runtime tuple


def service_broker(service: str) -> KafkaBroker:
    """One service as FastStream sees it: what it consumes, what it publishes, where its dead letters go."""
    broker = KafkaBroker(_LOCAL_BROKER, description="The embedded broker of `make run`; any Kafka in production.")
    group = f"ttshop-{service}"
    for topic in CONSUMES[service]:
        producers, _, _ = _PARTIES[topic]
        payload = _topic_payload(topic)

        async def consume(event: Any) -> None:
            """Declared for the document only: the service's real consumer is ``libs.common.consumer``."""

        consume.__annotations__ = {"event": payload, "return": None}
        broker.subscriber(
            topic, group_id=group, title=f"{service}.receive.{topic}",
            description=f"Consumed by {service} (consumer group {group}); produced by {producers}.",
        )(consume)
        broker.publisher(
            dlq_topic(topic), schema=payload, title=f"{service}.send.{dlq_topic(topic)}",
            description=(
                f"Dead letters of {topic} from {service}: the original message unchanged, with the error in "
                "x-dlq-* headers. Inspected and replayed by operators (`ttshop dlq list|replay`)."
            ),
        )
    for topic in PUBLISHES[service]:
        _, consumers, _ = _PARTIES[topic]
        broker.publisher(
            topic, schema=_topic_payload(topic), title=f"{service}.send.{topic}",
            description=f"Published by {service} through its outbox; consumed by {consumers}.",
        )
    return broker


def _message_extras(address: str) -> dict[str, Any]:
    """What FastStream cannot write on a message: content type, Kafka key and headers, examples."""
    topic = address.removesuffix(".dlq")
    models = _models(topic)
    headers: dict[str, Any] = {
        "content-type": {"type": "string", "const": CLOUDEVENTS_CONTENT_TYPE,
                         "description": "CloudEvents structured mode (CloudEvents Kafka binding)."},
    }
    if address != topic:
        headers.update({name: {"type": "string", "description": text} for name, text in _DLQ_HEADERS.items()})
    key_field = models[0].key_field
    names = [m.event_type for m in models]
    return {
        "summary": " or ".join(names) if address == topic else f"Dead letters: {' or '.join(names)}",
        "contentType": MESSAGE_CONTENT_TYPE,
        "headers": {"type": "object", "properties": headers},
        "bindings": {"kafka": {"key": {"type": "string", "description": f"data.{key_field}, UTF-8"},
                               "bindingVersion": _KAFKA_BINDING}},
        "examples": [{"name": f"{m.event_type} example", "payload": _example_event(m)} for m in models],
    }


def build_asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic and event type, written by FastStream and completed here."""
    spec = AsyncAPI(
        *(service_broker(service) for service in PUBLISHES),
        title="ttshop-connector events",
        version="1.0.0",
        description=(
            "Events of the TikTok Shop integration. Every message is a CloudEvent 1.0 in JSON "
            "structured mode; `id` is the idempotency key. Contracts change additively only: "
            "consumers ignore data fields they do not know. Upstream systems publish to the channels "
            "our services subscribe to; a WMS consumes the channels they publish."
        ),
        schema_version="3.0.0",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # FastStream: a channel or schema would overwrite another
        document: dict[str, Any] = json.loads(spec.to_specification().to_json())
    document["defaultContentType"] = MESSAGE_CONTENT_TYPE
    messages = document["components"]["messages"]
    for channel in document["channels"].values():
        for reference in channel["messages"].values():
            message = messages[unquote(reference["$ref"].rsplit("/", 1)[1])]
            message.pop("correlationId", None)  # FastStream's default; our messages carry no such header
            message.update(_message_extras(channel["address"]))
    return _canonical(document)


def _canonical(document: dict[str, Any]) -> dict[str, Any]:
    """Ids as AsyncAPI allows them (letters, digits, ``.-_``; FastStream joins its names with ``:``), in a
    stable order (FastStream keeps a broker's endpoints in a WeakSet) for a committed file."""

    def fixed(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: value.replace(":", ".") if key == "$ref" else fixed(value) for key, value in node.items()}
        return [fixed(item) for item in node] if isinstance(node, list) else node

    document = fixed(document)
    for section in (document, document["components"]):
        for name in ("channels", "operations", "messages", "schemas"):
            if name in section:
                section[name] = {key.replace(":", "."): value for key, value in sorted(section[name].items())}
    return document


def build_schemas() -> dict[str, dict[str, Any]]:
    """File name -> standalone JSON Schema: each type's ``data``, and the envelope."""
    out: dict[str, dict[str, Any]] = {}
    envelope = CloudEvent.model_json_schema()
    envelope["required"] = list(REQUIRED_ATTRIBUTES)
    out["CloudEvent.json"] = {"$schema": _SCHEMA_DIALECT, **envelope}
    for model in EVENT_MODELS.values():
        out[f"{model.event_type}.json"] = {
            "$schema": _SCHEMA_DIALECT,
            "x-event-type": model.event_type,
            "x-topic": model.topic,
            "x-key": model.key_field,
            **model.model_json_schema(),
        }
    return out


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """Relative path -> content of every generated file."""
    files = {"asyncapi.json": render(build_asyncapi())}
    files.update({f"schemas/{name}": render(schema) for name, schema in build_schemas().items()})
    return files


def stale_files(out: Path) -> list[str]:
    """Generated files under ``out`` that are missing, differ, or should no longer exist."""
    expected = expected_files()
    problems = [path for path, text in expected.items() if _read(out / path) != text]
    schema_dir = out / "schemas"
    if schema_dir.is_dir():
        problems += [
            f"schemas/{p.name}"
            for p in sorted(schema_dir.glob("*.json"))
            if f"schemas/{p.name}" not in expected
        ]
    return problems


def write(out: Path) -> list[str]:
    """Write every generated file (removing schemas of types that no longer exist); returns paths written."""
    expected = expected_files()
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    for old in (out / "schemas").glob("*.json"):
        if f"schemas/{old.name}" not in expected:
            old.unlink()
    for path, text in expected.items():
        (out / path).write_text(text, encoding="utf-8")
    return sorted(expected)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the AsyncAPI document and event JSON Schemas.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: deploy/)")
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_files(args.out)
        if problems:
            print(
                f"out of date in {args.out}: {', '.join(problems)}; "
                "run: python -m libs.common.events.asyncapi",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out}: asyncapi.json and schemas are up to date")
        return 0
    written = write(args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
