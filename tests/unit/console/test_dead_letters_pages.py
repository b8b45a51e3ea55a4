"""The dead-letter pages in process, the broker faked (and once really unreachable): list, one shown with its
secrets hidden, replay one or a topic with CSRF, and a broker that cannot be reached shown as an error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from libs.cli.infra import free_port
from libs.common.dlq import DeadLetter
from libs.console.dead_letters import broker
from tests.unit.console.conftest import FakeServices, signed_in
from tests.unit.console.test_dead_letters_views import EVENT, SECRET, letter

REF = "inventory.changed.dlq:0:4"


@pytest.fixture
def dlq(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The broker as the pages see it: what it holds, and what was replayed."""
    held = {"letters": [letter(EVENT.encode(), authorization=f"Bearer {SECRET}")], "replayed": [],
            "asked": []}

    async def counts(bootstrap: str, *, timeout_s: float) -> dict[str, int]:
        return {"inventory.changed.dlq": len(held["letters"]), "shops.changed.dlq": 0}

    async def letters(bootstrap: str, topic: str | None, *, timeout_s: float, limit: int = 1000) -> list[DeadLetter]:
        held["asked"].append((topic, limit))
        return list(held["letters"])

    async def one(bootstrap: str, ref: str, *, timeout_s: float) -> DeadLetter | None:
        return next((d for d in held["letters"] if d.ref == ref), None)

    async def replay_letters(bootstrap: str, found: list[DeadLetter], *, timeout_s: float) -> int:
        held["replayed"] += found
        return len(found)

    for name, fake in (("counts", counts), ("letters", letters), ("one", one), ("replay_letters", replay_letters)):
        monkeypatch.setattr(broker, name, fake)
    return held


async def test_the_list_shows_each_dead_letter_with_its_reason_and_the_topic_counts(
        fake: FakeServices, dlq: dict[str, Any]) -> None:
    async with signed_in(fake) as client:
        html = (await client.get("/dead-letters", params={"topic": "inventory.changed"})).text
    assert f'data-ref="{REF}"' in html and "invalid data for InventoryChanged" in html and "ttshop-catalog" in html
    assert 'data-topic="inventory.changed.dlq" data-count="1"' in html
    assert 'hx-get="/dead-letters/table?topic=inventory.changed"' in html
    assert dlq["asked"] == [("inventory.changed.dlq", broker.READ_LIMIT)]
    assert SECRET not in html


async def test_an_unknown_topic_is_refused_without_asking_the_broker(fake: FakeServices, dlq: dict[str, Any]) -> None:
    async with signed_in(fake) as client:
        html = (await client.get("/dead-letters/table", params={"topic": "nope"})).text
    assert "Error: no dead-letter topic nope.dlq" in html and "(unknown_topic)" in html and dlq["asked"] == []


async def test_one_dead_letter_shows_headers_and_payload_with_secrets_hidden(
        fake: FakeServices, dlq: dict[str, Any]) -> None:
    dlq["letters"] = [letter(json.dumps({"id": "ev-1", "type": "InventoryChanged",
                                         "data": {"api_token": SECRET, "available": -5}}).encode(),
                             **{"authorization": f"Bearer {SECRET}", "x-dlq-reason": f"bad '{SECRET}'"})]
    async with signed_in(fake) as client:
        html = (await client.get(f"/dead-letters/{REF}")).text
        missing = (await client.get("/dead-letters/inventory.changed.dlq:0:99")).text
        malformed = (await client.get("/dead-letters/whatever")).text
    assert SECRET not in html and html.count("(hidden)") >= 3  # header, payload field, the reason quoting it
    assert "&#34;available&#34;: -5" in html and "ttshop-catalog" in html and "partition 2, offset 17" in html
    assert f'name="ref" value="{REF}"' in html
    assert "no dead letter inventory.changed.dlq:0:99" in missing
    assert "expected topic.dlq:partition:offset (invalid_ref)" in malformed


async def test_replay_one_needs_the_csrf_token_and_says_what_it_did(fake: FakeServices, dlq: dict[str, Any]) -> None:
    async with signed_in(fake) as client:
        refused = await client.post("/dead-letters/replay", data={"ref": REF})
        assert refused.status_code == 403 and dlq["replayed"] == []
        answer = await client.post("/dead-letters/replay", data={"ref": REF, "csrf": client.csrf},
                                   headers={"referer": f"http://console.test/dead-letters/{REF}"})
        assert answer.status_code == 303 and answer.headers["location"] == f"/dead-letters/{REF}"
        html = (await client.get("/dead-letters")).text
    assert [d.ref for d in dlq["replayed"]] == [REF]
    assert "replayed 1 dead letter(s) to their original topics" in html


async def test_replay_every_one_of_a_topic_and_nothing_named(fake: FakeServices, dlq: dict[str, Any]) -> None:
    async with signed_in(fake) as client:
        await client.post("/dead-letters/replay", data={"topic": "inventory.changed", "csrf": client.csrf})
        await client.post("/dead-letters/replay", data={"csrf": client.csrf})
        await client.post("/dead-letters/replay", data={"ref": "inventory.changed.dlq:0:99", "csrf": client.csrf})
        html = (await client.get("/dead-letters")).text
    assert dlq["asked"][0] == ("inventory.changed.dlq", broker.REPLAY_LIMIT) and len(dlq["replayed"]) == 1
    assert "replayed 1 dead letter(s) to their original topics" in html
    assert "Error: name a dead letter or a topic to replay" in html
    assert "Error: no dead letter inventory.changed.dlq:0:99" in html


async def test_a_broker_that_cannot_be_reached_is_an_error_on_a_page_that_still_renders(fake: FakeServices) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    async with signed_in(fake, kafka_bootstrap_servers=nowhere, api_timeout_s=5.0) as client:
        answer = await client.get("/dead-letters")
        detail = await client.get(f"/dead-letters/{REF}")
        await client.post("/dead-letters/replay", data={"ref": REF, "csrf": client.csrf})
        flashed = (await client.get("/dead-letters")).text
    assert answer.status_code == 200 and "<h1>Dead letters" in answer.text
    assert f"Error: cannot count the dead letters at {nowhere}" in answer.text or (
        f"Error: cannot read dead letters at {nowhere}" in answer.text)
    assert "(broker_unreachable)" in answer.text or "(broker_timeout)" in answer.text
    assert f"Error: cannot read the dead letter at {nowhere}" in detail.text
    assert "The dead letters could not be read." in flashed
    assert f"Error: cannot read the dead letter at {nowhere}" in flashed  # the replay's flash
