"""The generated AsyncAPI document and schemas are committed and match the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from libs.common.events import EVENT_MODELS, TOPICS, dlq_topic
from libs.common.events.asyncapi import DEFAULT_OUT, build_asyncapi, main, stale_files, write

REGENERATE = "run: python -m libs.common.events.asyncapi"


def test_committed_files_match_the_models() -> None:
    problems = stale_files(DEFAULT_OUT)
    assert not problems, f"deploy/ is out of date ({', '.join(problems)}); {REGENERATE}"


def test_document_describes_every_event_and_topic() -> None:
    committed = json.loads((DEFAULT_OUT / "asyncapi.json").read_text(encoding="utf-8"))
    assert committed == build_asyncapi()
    assert committed["asyncapi"] == "3.0.0"
    messages = committed["components"]["messages"]
    schemas = committed["components"]["schemas"]
    for event_type, model in EVENT_MODELS.items():
        assert event_type in messages and event_type in schemas and f"{event_type}Event" in schemas
        assert (
            messages[event_type]["bindings"]["kafka"]["key"]["description"]
            == f"data.{model.key_field}, UTF-8"
        )
        for topic in (model.topic, dlq_topic(model.topic)):
            assert event_type in committed["channels"][topic]["messages"]
        example = messages[event_type]["examples"][0]["payload"]
        assert example["type"] == event_type
        model.model_validate(example["data"])
        assert (DEFAULT_OUT / "schemas" / f"{event_type}.json").is_file()
    assert {c["address"] for c in committed["channels"].values()} == {*TOPICS, *map(dlq_topic, TOPICS)}


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


@pytest.mark.parametrize("event_type", list(EVENT_MODELS))
def test_schema_files_carry_topic_and_key(event_type: str) -> None:
    schema = json.loads((DEFAULT_OUT / "schemas" / f"{event_type}.json").read_text(encoding="utf-8"))
    model = EVENT_MODELS[event_type]
    assert (schema["x-topic"], schema["x-key"]) == (model.topic, model.key_field)
    assert set(schema["properties"]) == set(model.model_fields)
