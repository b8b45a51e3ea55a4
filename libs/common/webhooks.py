"""TikTok webhook intake shared by the receivers: a bounded body, a constant-time signature check and
a typed notification, refused before any receiver sees it.

TikTok wants a 200 within 3 s and re-sends what it thinks was not taken (+2 min, +30 min, +3 h, +12 h;
see ../shared/TIKTOK_API.md, "Webhooks"). In the order checked:

- a body over :data:`MAX_BODY_BYTES` is refused with 413, on its Content-Length before a byte is read, or
  as soon as a streamed (chunked) body passes the limit;
- an unsigned body, or one not signed with this app's secret, is refused with 401;
- a body that is not a notification we can store (not UTF-8 JSON, not an object, a field missing or of
  the wrong type, text PostgreSQL cannot hold) is refused with 400 and a message naming what is wrong.

A refused body reaches no receiver, so nothing is stored and nothing published. Each refusal is logged
once (reason, path, body size, client address), never with the body, the signature or the secret.
Receivers make a re-delivered ``tts_notification_id`` a no-op themselves, in the transaction of its effect.
"""

from __future__ import annotations

import json
import math
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from starlette.requests import Request

from libs.common.limits import MAX_ID_CHARS, MAX_INT4, first_unstorable
from libs.common.tiktok.signing import verify_webhook
from libs.common.web import ApiError

log = structlog.get_logger(__name__)

#: TikTok's notifications are a few hundred bytes; anything past 1 MiB is not one.
MAX_BODY_BYTES = 1024 * 1024
#: Nesting deeper than this is not a notification (and would strain json and jsonb alike).
MAX_DEPTH = 64
#: A refusal quotes at most this much of a field name (they come from the body).
MAX_PROBLEM_CHARS = 300

ENVELOPE = "{type, tts_notification_id, shop_id, timestamp?, data}"


class WebhookRefused(ApiError):
    """A webhook body that is not processed. ``code`` is the reason logged and answered; the message quotes
    no value from the body (at most a field's name). ``body_bytes``: the size seen when it was refused before
    being read whole."""

    def __init__(self, status: int, code: str, message: str, *, body_bytes: int | None = None) -> None:
        super().__init__(status, code, message)
        self.body_bytes = body_bytes


class TikTokNotification(BaseModel):
    """One webhook notification as TikTok sends it. Fields TikTok may add are kept (``extra``)."""

    model_config = ConfigDict(strict=True, extra="allow")

    type: int = Field(ge=0, le=MAX_INT4, description="Event type, e.g. 1 ORDER_STATUS_CHANGE.", examples=[1])
    tts_notification_id: str = Field(
        min_length=1, max_length=MAX_ID_CHARS, description="TikTok's id of this notification; a re-send repeats it.",
        examples=["7327112393057371910"],
    )
    shop_id: str = Field(min_length=1, max_length=MAX_ID_CHARS, description="TikTok shop id.",
                         examples=["7494049642642441621"])
    timestamp: int | None = Field(default=None, description="When TikTok sent it (Unix seconds).",
                                  examples=[1700000000])
    data: dict[str, Any] = Field(description="The event's own fields, by type.", examples=[{"order_id": "5764"}])

    def payload(self) -> dict[str, Any]:
        """The notification as received (fields it did not carry are not added)."""
        return self.model_dump(exclude_unset=True)


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused with 413 once it is larger than ``limit`` bytes (without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise WebhookRefused(400, "invalid_webhook", "the Content-Length header is not a number") from None
        if size > limit:
            raise WebhookRefused(413, "webhook_too_large",
                                 f"webhook body of {size} bytes is over the {limit}-byte limit", body_bytes=size)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise WebhookRefused(413, "webhook_too_large", f"webhook body is over the {limit}-byte limit",
                                 body_bytes=len(body))
    return bytes(body)


def check_signature(body: bytes, signature: str | None, *, app_key: str, app_secret: SecretStr) -> None:
    """401 unless ``signature`` is TikTok's HMAC-SHA256 of app key + body (compared in constant time)."""
    if not signature:
        raise WebhookRefused(401, "missing_signature",
                             "webhook is not signed: the Authorization header (HMAC-SHA256 of app key + body) is missing")
    if not verify_webhook(app_key, app_secret.get_secret_value(), body, signature):
        raise WebhookRefused(401, "bad_signature", "webhook signature (Authorization header) does not match")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _not_storable_json(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` is not JSON that jsonb stores as it is (too deep, a number out of range), or None.
    Strings (NUL, lone surrogates) are :func:`libs.common.limits.first_unstorable`'s."""
    if depth > MAX_DEPTH:
        return f"is nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, float) and not math.isfinite(value):
        return "holds a number out of range (it reads as infinity)"
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        problem = _not_storable_json(item, depth + 1)
        if problem:
            return problem
    return None


def _got(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", dict: "an object",
             list: "an array", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def parse_notification(body: bytes) -> TikTokNotification:
    """The notification in ``body``, or :class:`WebhookRefused` (400) naming what is wrong. Nothing else raises."""
    if not body.strip():
        raise WebhookRefused(400, "invalid_webhook", f"webhook body is empty; expected a JSON object {ENVELOPE}")
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise WebhookRefused(400, "invalid_webhook", "webhook body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise WebhookRefused(
            400, "invalid_webhook", f"webhook body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (ValueError, RecursionError) as exc:  # NaN/Infinity, an integer of more than 4300 digits, deep nesting
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise WebhookRefused(400, "invalid_webhook", f"webhook body is not JSON we accept: {reason}") from None
    if not isinstance(payload, dict):
        raise WebhookRefused(400, "invalid_webhook",
                             f"webhook body must be a JSON object {ENVELOPE}, got {_got(payload)}")
    problem = _not_storable_json(payload)  # first: it bounds the depth the next walk recurses to
    if problem:
        raise WebhookRefused(400, "invalid_webhook", f"webhook body {problem}")
    text_problem = first_unstorable(payload)
    if text_problem:
        raise WebhookRefused(400, "invalid_webhook", f"webhook body: {text_problem[:MAX_PROBLEM_CHARS]}")
    try:
        return TikTokNotification.model_validate(payload)
    except ValidationError as exc:
        parts = []
        for error in exc.errors()[:5]:
            field = ".".join(str(p) for p in error["loc"]) or "body"
            got = "" if error["type"] == "missing" else f" (got {_got(error['input'])})"
            parts.append(f"{field}: {error['msg']}{got}")
        raise WebhookRefused(400, "invalid_webhook",
                             f"webhook is not a TikTok notification {ENVELOPE}: {'; '.join(parts)}") from None


def accept(body: bytes, signature: str | None, *, app_key: str, app_secret: SecretStr) -> TikTokNotification:
    """Signature first (an unsigned body is not looked into), then the notification."""
    check_signature(body, signature, app_key=app_key, app_secret=app_secret)
    return parse_notification(body)


def _client(request: Request) -> str | None:
    return f"{request.client.host}:{request.client.port}" if request.client else None


async def intake(request: Request, *, signature: str | None, app_key: str, app_secret: SecretStr,
                 limit: int = MAX_BODY_BYTES) -> TikTokNotification:
    """Read, verify and parse one webhook request; a refusal is logged here, once, and raised."""
    body = b""
    try:
        body = await read_body(request, limit=limit)
        return accept(body, signature, app_key=app_key, app_secret=app_secret)
    except WebhookRefused as refused:
        log.warning(
            "webhook refused", reason=refused.code, status=refused.status, problem=refused.message,
            path=request.url.path, body_bytes=refused.body_bytes if refused.body_bytes is not None else len(body),
            client=_client(request),
        )
        raise
