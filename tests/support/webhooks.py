"""TikTok webhooks for the receivers' tests: signed notifications, every body a receiver must refuse
(derived from a valid one), and raw-socket probes that show a too-large body is refused before it is
sent whole."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.signing import webhook_signature
from libs.common.webhooks import MAX_BODY_BYTES

PATH = "/webhooks/tiktok"


def notification(type_: int, shop_id: str, data: dict[str, Any], *, notification_id: str) -> dict[str, Any]:
    return {"type": type_, "tts_notification_id": notification_id, "shop_id": shop_id, "timestamp": 1_700_000_000,
            "data": data}


def encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def signed(body: bytes, *, app_key: str = SANDBOX_APP_KEY, app_secret: str = SANDBOX_APP_SECRET) -> dict[str, str]:
    return {"Authorization": webhook_signature(app_key, app_secret, body), "Content-Type": "application/json"}


async def post(http: httpx.AsyncClient, url: str, payload: dict[str, Any]) -> httpx.Response:
    """A validly signed notification, as TikTok sends it."""
    body = encode(payload)
    return await http.post(f"{url}{PATH}", content=body, headers=signed(body))


def _chunks(body: bytes, size: int = 64 * 1024) -> Callable[[], AsyncIterator[bytes]]:
    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start:start + size]

    return stream


@dataclass(frozen=True)
class Refusal:
    what: str
    status: int
    code: str
    body: bytes
    headers: dict[str, str | bytes]
    chunked: bool = False

    async def send(self, http: httpx.AsyncClient, url: str) -> httpx.Response:
        content: Any = _chunks(self.body)() if self.chunked else self.body
        return await http.post(f"{url}{PATH}", content=content, headers=self.headers)


def refusals(valid: dict[str, Any]) -> list[Refusal]:
    """Each way a webhook must be refused, built from ``valid`` (a notification the receiver would act on).
    Every body that is not refused for its signature is signed correctly, so only its own fault refuses it."""
    body = encode(valid)
    big = encode({**valid, "data": {**valid["data"], "padding": "x" * MAX_BODY_BYTES}})

    def bad(what: str, changed: Any) -> Refusal:
        raw = changed if isinstance(changed, bytes) else encode(changed)
        return Refusal(what, 400, "invalid_webhook", raw, {**signed(raw)})

    without = {field: {k: v for k, v in valid.items() if k != field}
               for field in ("type", "tts_notification_id", "shop_id", "data")}
    return [
        Refusal("unsigned", 401, "missing_signature", body, {"Content-Type": "application/json"}),
        Refusal("badly signed", 401, "bad_signature", body, {"Authorization": "0" * 64}),
        Refusal("signed with another app secret", 401, "bad_signature", body, {**signed(body, app_secret="not-ours")}),
        Refusal("the signature of another body", 401, "bad_signature", body, {**signed(body + b" ")}),
        Refusal("non-ASCII signature", 401, "bad_signature", body, {"Authorization": "sig-é".encode("latin-1")}),
        Refusal("over 1 MiB with a Content-Length", 413, "webhook_too_large", big, {**signed(big)}),
        Refusal("over 1 MiB chunked, no Content-Length", 413, "webhook_too_large", big, {**signed(big)},
                chunked=True),
        bad("empty", b""),
        bad("not JSON", b"type=1&shop_id=x"),
        bad("truncated JSON", body[:-1]),
        bad("not UTF-8", body.replace(b'"data"', b'"\xff\xfe"')),
        bad("a JSON array", [valid]),
        *(bad(f"missing {field}", rest) for field, rest in without.items()),
        bad("type as a string", {**valid, "type": str(valid["type"])}),
        bad("type as a boolean", {**valid, "type": True}),
        bad("shop_id as a number", {**valid, "shop_id": 123}),
        bad("an empty tts_notification_id", {**valid, "tts_notification_id": ""}),
        bad("data as an array", {**valid, "data": [valid["data"]]}),
        bad("data null", {**valid, "data": None}),
        bad("timestamp as text", {**valid, "timestamp": "yesterday"}),
        bad("a NUL character in data", {**valid, "data": {**valid["data"], "note": "a\x00b"}}),
        bad("NaN in data", body.replace(b'"data":{', b'"data":{"n":NaN,')),
    ]


async def raw_exchange(url: str, head: bytes, body_part: bytes, timeout_s: float = 10.0) -> bytes:
    """Send ``head`` and ``body_part`` on a raw connection and return what the server answers, without
    ever completing the body: an answer proves the server refused it before reading it whole."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        async with asyncio.timeout(timeout_s):
            writer.write(head + body_part)
            await writer.drain()
            return await reader.readline()
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


def request_head(url: str, headers: dict[str, str]) -> bytes:
    host = urlsplit(url).netloc
    lines = [f"POST {PATH} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


async def refused_before_the_body_ends(url: str) -> tuple[bytes, bytes]:
    """Status lines for (a) a Content-Length of 2 MiB with no body byte sent and (b) a chunked body that
    passes 1 MiB and never ends."""
    declared = await raw_exchange(url, request_head(url, {"Content-Length": str(2 * MAX_BODY_BYTES),
                                                          "Authorization": "0" * 64}), b"")
    chunk = b"x" * 65536
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY_BYTES // len(chunk) + 2))
    streamed = await raw_exchange(url, request_head(url, {"Transfer-Encoding": "chunked",
                                                          "Authorization": "0" * 64}), framed)
    return declared, streamed
