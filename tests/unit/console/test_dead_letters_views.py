"""The dead-letter pages' data: topics with counts, dead letters with the reason, and one shown with every
secret hidden (headers, JSON fields at any depth, JSON inside a string, text, and the reason quoting them)."""

from __future__ import annotations

import json

import pytest

from libs.common.dlq import DeadLetter
from libs.console.dead_letters import views
from libs.console.dead_letters.redact import HIDDEN, Redactor, looks_secret, shown

SECRET = "s3cr3t-value-0123"


def letter(value: bytes, *, offset: int = 4, failed_at: str = "1764770000", **headers: str) -> DeadLetter:
    return DeadLetter("inventory.changed.dlq", 0, offset, b"SKU-1", value, {
        "x-dlq-reason": "invalid data for InventoryChanged: available: Input should be >= 0",
        "x-dlq-original-topic": "inventory.changed", "x-dlq-original-partition": "2",
        "x-dlq-original-offset": "17", "x-dlq-consumer-group": "ttshop-catalog", "x-dlq-failed-at": failed_at,
        **headers})


EVENT = json.dumps({"id": "ev-1", "type": "InventoryChanged", "data": {"seller_sku": "SKU-1", "available": -5}})


@pytest.mark.parametrize("name", ["authorization", "Authorization", "x-api-key", "api_key", "apiKey", "access_token",
                                  "refreshToken", "client_secret", "password", "x-tts-signature", "credential",
                                  "key", "privateKey", "Cookie", "webhook_secret", "auth"])
def test_secret_looking_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize("name", ["seller_sku", "available", "x-dlq-reason", "content-type", "id", "type",
                                  "keyword", "monkeys_count", "shop_id", "x-replayed-from", "author"])
def test_ordinary_names(name: str) -> None:
    assert not looks_secret(name)


def test_json_fields_are_hidden_at_any_depth_and_inside_json_strings() -> None:
    redactor = Redactor()
    body = {"data": {"seller_sku": "SKU-1", "auth": {"access_token": SECRET, "user": "anne-user"},
                     "items": [{"password": "hunter22", "n": 1}],
                     "raw": json.dumps({"client_secret": "inner-secret", "ok": True})}}
    out = redactor.json(body)
    assert out["data"]["seller_sku"] == "SKU-1"
    assert out["data"]["auth"] == HIDDEN  # the whole object under a secret name
    assert out["data"]["items"] == [{"password": HIDDEN, "n": 1}]
    assert json.loads(out["data"]["raw"]) == {"client_secret": HIDDEN, "ok": True}
    assert {SECRET, "anne-user", "hunter22", "inner-secret"} <= redactor.found


def test_a_dead_letter_shown_hides_headers_payload_and_the_reason_quoting_them() -> None:
    payload = json.dumps({"id": "ev-1", "type": "InventoryChanged", "data": {"api_token": SECRET, "available": -5}})
    visible = shown({"authorization": "Bearer abcdef123456", "x-dlq-reason": f"bad input_value='{SECRET}'",
                     "content-type": "application/cloudevents+json"}, payload.encode(), b"SKU-1",
                    f"api_token: bad input_value='{SECRET}'")
    assert visible.headers["authorization"] == HIDDEN
    assert visible.headers["content-type"] == "application/cloudevents+json"
    assert SECRET not in visible.headers["x-dlq-reason"] and HIDDEN in visible.headers["x-dlq-reason"]
    assert visible.is_json and json.loads(visible.payload)["data"] == {"api_token": HIDDEN, "available": -5}
    assert SECRET not in visible.reason and visible.reason.startswith("api_token: bad input_value=")
    assert visible.key == "SKU-1"
    assert "abcdef123456" not in repr(visible)


def test_a_payload_that_is_no_json_has_its_secret_pairs_and_bearer_tokens_hidden() -> None:
    text = f"token={SECRET}&sku=SKU-1 Authorization: Bearer abcdef123456 password: 'pw-9999'"
    visible = shown({}, text.encode(), None, "not JSON")
    assert not visible.is_json
    assert SECRET not in visible.payload and "abcdef123456" not in visible.payload and "pw-9999" not in visible.payload
    assert "sku=SKU-1" in visible.payload and f"token={HIDDEN}" in visible.payload
    assert visible.key == ""


def test_a_letter_row_names_it_as_the_cli_does() -> None:
    row = views.letter_row(letter(EVENT.encode(), **{"x-replayed-from": "inventory.changed.dlq:0:1"}))
    assert row.ref == "inventory.changed.dlq:0:4" and row.href == "/dead-letters/inventory.changed.dlq%3A0%3A4"
    assert (row.original_topic, row.consumer, row.event_type, row.event_id) == (
        "inventory.changed", "ttshop-catalog", "InventoryChanged", "ev-1")
    assert row.reason.startswith("invalid data for InventoryChanged") and row.failed_at == 1764770000
    assert row.replayed_from == "inventory.changed.dlq:0:1"
    raw = views.letter_row(letter(b"\xff not json", failed_at="soon"))
    assert (raw.event_type, raw.event_id, raw.failed_at, raw.replayed_from) == ("(not an event)", "", None, "")


def test_a_long_reason_is_cut_in_the_list_only() -> None:
    long = letter(EVENT.encode(), **{"x-dlq-reason": "x" * 1000})
    row = views.letter_row(long)
    assert len(row.reason) == 1000 and len(row.reason_short) == views.REASON_SHORT and row.reason_short[-1] == "…"


def test_letters_newest_first_and_the_detail_with_its_origin() -> None:
    older, newer = letter(EVENT.encode(), offset=1, failed_at="100"), letter(EVENT.encode(), offset=2, failed_at="200")
    assert [r.ref for r in views.letter_rows([older, newer])] == ["inventory.changed.dlq:0:2", "inventory.changed.dlq:0:1"]
    detail = views.letter_detail(letter(("{" + '"p": "' + "y" * 70_000 + '"}').encode()))
    assert (detail.original_partition, detail.original_offset) == ("2", "17")
    assert len(detail.payload) == views.PAYLOAD_MAX and detail.payload_cut > 0


def test_topics_with_dead_letters_first_and_unknown_counts() -> None:
    rows = views.topic_rows({"shops.changed.dlq": 1, "inventory.changed.dlq": 3}, "inventory.changed.dlq")
    assert [(r.topic, r.count) for r in rows[:2]] == [("inventory.changed.dlq", 3), ("shops.changed.dlq", 1)]
    assert rows[0].selected and not rows[1].selected and all(r.count == 0 for r in rows[2:])
    assert rows[0].href == "/dead-letters?topic=inventory.changed"
    assert all(r.count is None for r in views.topic_rows(None, None))


def test_a_topic_and_a_ref_as_an_operator_names_them() -> None:
    assert views.topic_name("inventory.changed") == views.topic_name("inventory.changed.dlq") == "inventory.changed.dlq"
    assert views.topic_name("") is None
    with pytest.raises(ValueError, match="no dead-letter topic nope.dlq"):
        views.topic_name("nope")
    assert views.valid_ref("inventory.changed.dlq:0:4") and not views.valid_ref("inventory.changed:0:4")
    assert views.replayed_text(2) == "replayed 2 dead letter(s) to their original topics"
