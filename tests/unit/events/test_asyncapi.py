"""The generated AsyncAPI document and schemas are committed and match the models and the services."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import Field, SecretStr

from libs.common.events import EVENT_MODELS, TOPICS, dlq_topic, parse_event
from libs.common.events.asyncapi import (
    CONSUMES,
    DEFAULT_OUT,
    PUBLISHES,
    build_asyncapi,
    main,
    stale_files,
    write,
)
from libs.common.events.inventory import InventoryChanged
from libs.common.runtime import ServiceRuntime
from services.auth.app import build_app as build_auth
from services.auth.settings import AuthSettings
from services.catalog.app import build_app as build_catalog
from services.catalog.settings import CatalogSettings
from services.fulfillment.app import build_app as build_fulfillment
from services.fulfillment.settings import FulfillmentSettings
from services.orders.app import build_app as build_orders
from services.orders.settings import OrdersSettings

REGENERATE = "run: python -m libs.common.events.asyncapi"


def _messages_by_address(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for channel in document["channels"].values():
        for reference in channel["messages"].values():
            name = reference["$ref"].rsplit("/", 1)[1]
            found.setdefault(channel["address"], []).append(document["components"]["messages"][name])
    return found


def test_committed_files_match_the_models() -> None:
    problems = stale_files(DEFAULT_OUT)
    assert not problems, f"deploy/ is out of date ({', '.join(problems)}); {REGENERATE}"


def test_document_describes_every_event_and_topic() -> None:
    committed = json.loads((DEFAULT_OUT / "asyncapi.json").read_text(encoding="utf-8"))
    assert committed == build_asyncapi()
    assert committed["asyncapi"] == "3.0.0"
    assert committed["defaultContentType"] == "application/cloudevents+json"
    schemas = committed["components"]["schemas"]
    for event_type, model in EVENT_MODELS.items():
        envelope = schemas[f"{event_type}Event"]
        assert envelope["properties"]["type"]["const"] == event_type
        assert envelope["properties"]["data"]["$ref"] == f"#/components/schemas/{event_type}"
        assert set(schemas[event_type]["properties"]) == set(model.model_fields)
        assert {"specversion", "id", "source", "type", "data"} <= set(envelope["required"])
    by_address = _messages_by_address(committed)
    consumed = {topic for topics in CONSUMES.values() for topic in topics}
    assert set(by_address) == {*TOPICS, *map(dlq_topic, consumed)}  # dead letters of what we consume
    for address, messages in by_address.items():
        types = {m.event_type: m for m in EVENT_MODELS.values() if m.topic == address.removesuffix(".dlq")}
        for message in messages:
            assert message["contentType"] == "application/cloudevents+json" and "correlationId" not in message
            key = message["bindings"]["kafka"]["key"]["description"]
            assert {key} == {f"data.{m.key_field}, UTF-8" for m in types.values()}
            assert ("x-dlq-reason" in message["headers"]["properties"]) == address.endswith(".dlq")
            examples = [parse_event(json.dumps(e["payload"]).encode()) for e in message["examples"]]
            assert sorted(event.type for event, _ in examples) == sorted(types)


def test_every_service_is_a_channel_owner_of_what_it_publishes_and_consumes() -> None:
    operations = build_asyncapi()["operations"]
    for service, topics in PUBLISHES.items():
        for topic in topics:
            assert operations[f"{service}.send.{topic}"]["action"] == "send"
    for service, topics in CONSUMES.items():
        for topic in topics:
            assert operations[f"{service}.receive.{topic}"]["action"] == "receive"
            assert operations[f"{service}.send.{dlq_topic(topic)}"]["action"] == "send"
    published = {t for topics in PUBLISHES.values() for t in topics}
    consumed = {t for topics in CONSUMES.values() for t in topics}
    assert published | consumed == set(TOPICS)


def _subscribed_topics(app: FastAPI) -> set[str]:
    runtime = app.state.runtime
    assert isinstance(runtime, ServiceRuntime)
    return {topic for topic, _, _ in [*runtime.consumers, *runtime.batch_consumers]}


def test_the_document_says_what_each_service_really_consumes() -> None:
    apps = {
        "auth": build_auth(AuthSettings(encryption_keys=SecretStr(Fernet.generate_key().decode()))),
        "catalog": build_catalog(CatalogSettings()),
        "orders": build_orders(OrdersSettings()),
        "fulfillment": build_fulfillment(FulfillmentSettings()),
    }
    assert {service: _subscribed_topics(app) for service, app in apps.items()} == {
        service: set(topics) for service, topics in CONSUMES.items()
    }


def test_every_id_is_one_asyncapi_allows() -> None:
    document = build_asyncapi()
    sections = [document["channels"], document["operations"], *document["components"].values()]
    ids = [key for section in sections for key in section]
    assert ids and all(re.fullmatch(r"[a-zA-Z0-9.\-_]+", key) for key in ids), [k for k in ids if ":" in k]


def test_every_reference_resolves() -> None:
    document = build_asyncapi()

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for ref in refs(document):
        target: object = document
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict) and part in target, f"dangling $ref {ref}"
            target = target[part]


def test_check_fails_on_a_changed_contract_and_write_repairs_it(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--check"]) == 1
    write(tmp_path)
    assert main(["--out", str(tmp_path), "--check"]) == 0
    doc = tmp_path / "asyncapi.json"
    doc.write_text(doc.read_text(encoding="utf-8").replace("seller_sku", "sku"), encoding="utf-8")
    (tmp_path / "schemas" / "Retired.json").write_text("{}", encoding="utf-8")
    assert stale_files(tmp_path) == ["asyncapi.json", "schemas/Retired.json"]
    assert main(["--out", str(tmp_path)]) == 0
    assert stale_files(tmp_path) == []
    assert not (tmp_path / "schemas" / "Retired.json").exists()


def test_a_new_model_field_makes_the_committed_document_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    class InventoryChangedWithBin(InventoryChanged):
        bin_location: str | None = Field(default=None, description="Where the stock sits.")

    monkeypatch.setitem(EVENT_MODELS, "InventoryChanged", InventoryChangedWithBin)
    assert stale_files(DEFAULT_OUT) == ["asyncapi.json", "schemas/InventoryChanged.json"]
    generated = build_asyncapi()["components"]["schemas"]["InventoryChangedWithBin"]
    assert "bin_location" in generated["properties"]


@pytest.mark.parametrize("event_type", list(EVENT_MODELS))
def test_schema_files_carry_topic_and_key(event_type: str) -> None:
    schema = json.loads((DEFAULT_OUT / "schemas" / f"{event_type}.json").read_text(encoding="utf-8"))
    model = EVENT_MODELS[event_type]
    assert (schema["x-topic"], schema["x-key"]) == (model.topic, model.key_field)
    assert set(schema["properties"]) == set(model.model_fields)
