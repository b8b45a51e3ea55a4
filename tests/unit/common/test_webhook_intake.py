"""The shared TikTok webhook intake at the ASGI level (issue 12): a body over 1 MiB is refused on its
Content-Length before a byte is read, and a streamed one as soon as it passes the limit; every refusal is
logged once with its reason, path, size and client, never with the body, the signature or the secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from pydantic import SecretStr
from starlette.requests import Request
from structlog.testing import capture_logs

from libs.common import webhooks
from libs.common.tiktok.signing import webhook_signature
from libs.common.webhooks import MAX_BODY_BYTES, WebhookRefused, intake

APP_KEY, APP_SECRET = "app-key-1", "app-secret-never-logged"
CLIENT = ("203.0.113.9", 4711)
PATH = "/webhooks/tiktok"


class Body:
    """An ASGI ``receive`` handing out ``chunks``, counting how many it was asked for."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.reads = chunks, 0

    async def __call__(self) -> dict[str, Any]:
        self.reads += 1
        chunk = next(self.chunks, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}


def request(body: Body, headers: dict[str, str]) -> Request:
    scope = {
        "type": "http", "method": "POST", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
        "root_path": "", "scheme": "http", "server": ("127.0.0.1", 8080), "client": CLIENT,
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
    }
    return Request(scope, body)  # type: ignore[arg-type]


async def take(r: Request, signature: str | None) -> webhooks.TikTokNotification:
    return await intake(r, signature=signature, app_key=APP_KEY, app_secret=SecretStr(APP_SECRET))


def valid_body(**extra: Any) -> bytes:
    return json.dumps({"type": 1, "tts_notification_id": "n-1", "shop_id": "s-1", "data": {"note": "MARKER-body"},
                       **extra}).encode()


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Log entries of the intake (a fresh logger: one cached under another configuration would bypass the capture)."""
    monkeypatch.setattr(webhooks, "log", structlog.get_logger("libs.common.webhooks.test"))
    with capture_logs() as entries:
        yield entries


async def refusal(r: Request, signature: str | None) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as refused:
        await take(r, signature)
    return refused.value


async def test_a_content_length_over_the_limit_is_refused_before_a_byte_is_read(logged: list[dict[str, Any]]) -> None:
    body = Body(iter([b"x" * 1024] * 2048))
    refused = await refusal(request(body, {"content-length": str(MAX_BODY_BYTES + 1)}), None)
    assert (refused.status, refused.code, body.reads) == (413, "webhook_too_large", 0)
    assert [e["body_bytes"] for e in logged] == [MAX_BODY_BYTES + 1]


async def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(logged: list[dict[str, Any]]) -> None:
    chunk = 64 * 1024
    body = Body(iter([b"x" * chunk] * (4 * MAX_BODY_BYTES // chunk)))  # 4 MiB on offer
    refused = await refusal(request(body, {}), webhook_signature(APP_KEY, APP_SECRET, b""))
    assert (refused.status, refused.code) == (413, "webhook_too_large")
    assert body.reads == MAX_BODY_BYTES // chunk + 1  # the chunk that passed the limit was the last one read
    assert [e["body_bytes"] for e in logged] == [MAX_BODY_BYTES + chunk]


async def test_a_body_of_exactly_the_limit_is_read(logged: list[dict[str, Any]]) -> None:
    raw = valid_body(padding="")
    raw = valid_body(padding="x" * (MAX_BODY_BYTES - len(raw)))
    assert len(raw) == MAX_BODY_BYTES
    pieces = [raw[i:i + 65536] for i in range(0, len(raw), 65536)]
    notification = await take(request(Body(iter(pieces)), {}), webhook_signature(APP_KEY, APP_SECRET, raw))
    assert notification.tts_notification_id == "n-1" and logged == []
    over = raw[:-1] + b" }"  # one byte more
    assert len(over) == MAX_BODY_BYTES + 1
    assert (await refusal(request(Body(iter([over])), {}), webhook_signature(APP_KEY, APP_SECRET, over))).status == 413


@pytest.mark.parametrize(("what", "raw", "signature", "status", "reason"), [
    ("unsigned", valid_body(), None, 401, "missing_signature"),
    ("badly signed", valid_body(), "f" * 64, 401, "bad_signature"),
    ("signed with another secret", valid_body(), webhook_signature(APP_KEY, "other", valid_body()), 401,
     "bad_signature"),
    ("not JSON", b"MARKER-body", webhook_signature(APP_KEY, APP_SECRET, b"MARKER-body"), 400, "invalid_webhook"),
    ("shop_id null", valid_body(shop_id=None), webhook_signature(APP_KEY, APP_SECRET, valid_body(shop_id=None)),
     400, "invalid_webhook"),
])
async def test_each_refusal_is_logged_once_without_body_signature_or_secret(
    logged: list[dict[str, Any]], what: str, raw: bytes, signature: str | None, status: int, reason: str
) -> None:
    refused = await refusal(request(Body(iter([raw])), {"content-length": str(len(raw))}), signature)
    assert (refused.status, refused.code) == (status, reason), what
    [entry] = logged
    assert entry["event"] == "webhook refused" and entry["log_level"] == "warning"
    assert (entry["reason"], entry["status"], entry["path"], entry["body_bytes"], entry["client"]) == (
        reason, status, PATH, len(raw), f"{CLIENT[0]}:{CLIENT[1]}")
    printed = repr(entry)
    assert "MARKER-body" not in printed and APP_SECRET not in printed
    assert signature is None or signature not in printed


async def test_a_signed_notification_is_returned_and_nothing_is_logged(logged: list[dict[str, Any]]) -> None:
    raw = valid_body(timestamp=1700000000, extra_field=[1, 2])
    notification = await take(request(Body(iter([raw[:10], raw[10:]])), {}), webhook_signature(APP_KEY, APP_SECRET, raw))
    assert (notification.type, notification.shop_id, notification.timestamp) == (1, "s-1", 1700000000)
    assert notification.payload() == json.loads(raw)
    assert logged == []
