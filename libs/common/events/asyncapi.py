"""Generate the AsyncAPI 3.0 document and the JSON Schemas of every event from the models.

    python -m libs.common.events.asyncapi [--out deploy] [--check]

writes ``<out>/asyncapi.json`` and ``<out>/schemas/<Type>.json`` (the ``data`` schema of each
type, plus ``CloudEvent.json`` for the envelope). ``--check`` writes nothing and exits 1 when
the committed files differ from the models, so a contract change cannot ship undocumented.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from libs.common.events.base import EventData
from libs.common.events.envelope import REQUIRED_ATTRIBUTES, CloudEvent
from libs.common.events.registry import EVENT_MODELS, TOPICS, dlq_topic, new_event

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "deploy"
MESSAGE_CONTENT_TYPE = "application/cloudevents+json"
_KAFKA_BINDING = "0.5.0"
_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_EXAMPLE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# topic -> (producers, consumers, source attribute of its producer, sent by us, received by us)
_CHANNELS: dict[str, tuple[str, str, str, bool, bool]] = {
    "inventory.changed": ("upstream systems", "catalog", "erp/inventory", False, True),
    "price.changed": ("upstream systems", "catalog", "erp/pricing", False, True),
    "catalog.product-ready": ("catalog", "catalog (auto-post), ops", "ttshop/catalog", True, True),
    "catalog.listing-changed": ("catalog", "ops, upstream", "ttshop/catalog", True, False),
    "orders.downloaded": ("orders", "WMS, fulfillment", "ttshop/orders", True, True),
    "orders.cancellation-detected": ("orders", "WMS, fulfillment", "ttshop/orders", True, True),
    "orders.status-changed": ("orders, fulfillment", "WMS, upstream", "ttshop/orders", True, False),
    "shipments.created": ("WMS (or fulfillment for manual/FBT)", "fulfillment", "wms", True, True),
    "shops.changed": ("auth", "all services", "ttshop/auth", True, True),
}


def example_data(model: type[EventData]) -> EventData:
    """A valid instance built from the first example of every field."""
    values = {name: field.examples[0] for name, field in model.model_fields.items() if field.examples}
    return model.model_validate(values)


def _example_event(model: type[EventData]) -> dict[str, Any]:
    source = _CHANNELS[model.topic][2]
    event = new_event(
        example_data(model), source=source, event_id=f"example-{model.event_type}", time=_EXAMPLE_TIME
    )
    payload: dict[str, Any] = json.loads(event.to_bytes())
    return payload


def _envelope_schema(defs: dict[str, Any], name: str) -> dict[str, Any]:
    """The CloudEvent schema narrowed to one type: ``type`` fixed, ``data`` the type's schema."""
    schema: dict[str, Any] = copy.deepcopy(defs["CloudEvent"])
    schema["title"] = f"{name} event"
    schema["description"] = f"A CloudEvent whose type is {name}."
    schema["required"] = list(REQUIRED_ATTRIBUTES)
    schema["properties"]["type"] = {"const": name, "type": "string"}
    schema["properties"]["data"] = {"$ref": f"#/components/schemas/{name}"}
    return schema


def _message(model: type[EventData]) -> dict[str, Any]:
    doc = inspect.cleandoc(model.__doc__ or model.event_type)
    return {
        "name": model.event_type,
        "title": model.event_type,
        "summary": doc.splitlines()[0],
        "description": doc,
        "contentType": MESSAGE_CONTENT_TYPE,
        "payload": {"$ref": f"#/components/schemas/{model.event_type}Event"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"data.{model.key_field}, UTF-8"},
                "bindingVersion": _KAFKA_BINDING,
            }
        },
        "examples": [{"name": f"{model.event_type} example", "payload": _example_event(model)}],
    }


def _channel(address: str, topic: str, dead_letter: bool) -> dict[str, Any]:
    producers, consumers, _, _, _ = _CHANNELS[topic]
    if dead_letter:
        description = (
            f"Dead letters of {topic}: the original message unchanged, with the error in headers. "
            "Inspected and replayed by operators (`ttshop dlq list|replay`)."
        )
    else:
        description = f"Produced by {producers}; consumed by {consumers}."
    types = sorted((m for m in EVENT_MODELS.values() if m.topic == topic), key=lambda m: m.event_type)
    return {
        "address": address,
        "description": description,
        "messages": {m.event_type: {"$ref": f"#/components/messages/{m.event_type}"} for m in types},
        "bindings": {"kafka": {"topic": address, "bindingVersion": _KAFKA_BINDING}},
    }


def _operations() -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for topic in TOPICS:
        _, _, _, sent, received = _CHANNELS[topic]
        channel_ref = {"$ref": f"#/channels/{topic}"}
        messages = [
            {"$ref": f"#/channels/{topic}/messages/{m.event_type}"}
            for m in EVENT_MODELS.values()
            if m.topic == topic
        ]
        for action, applies in (("send", sent), ("receive", received)):
            if applies:
                operations[f"{action}.{topic}"] = {
                    "action": action,
                    "channel": channel_ref,
                    "messages": messages,
                }
    return operations


def build_asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic and event type."""
    models = list(EVENT_MODELS.values())
    inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [(CloudEvent, "validation")]
    inputs += [(m, "validation") for m in models]
    _, top = models_json_schema(inputs, ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = top["$defs"]
    schemas = dict(defs)
    for model in models:
        schemas[f"{model.event_type}Event"] = _envelope_schema(defs, model.event_type)
    channels: dict[str, Any] = {}
    for topic in TOPICS:
        channels[topic] = _channel(topic, topic, dead_letter=False)
        channels[dlq_topic(topic)] = _channel(dlq_topic(topic), topic, dead_letter=True)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ttshop-connector events",
            "version": "1.0.0",
            "description": (
                "Events of the TikTok Shop integration. Every message is a CloudEvent 1.0 in JSON "
                "structured mode; `id` is the idempotency key. Contracts change additively only: "
                "consumers ignore data fields they do not know."
            ),
        },
        "defaultContentType": MESSAGE_CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The embedded broker of `make run`.",
            }
        },
        "channels": channels,
        "operations": _operations(),
        "components": {"messages": {m.event_type: _message(m) for m in models}, "schemas": schemas},
    }


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
