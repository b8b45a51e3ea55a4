"""TikTok Shop request signing (Open API 202309) and webhook signatures.

Kept in one place so the client and the sandbox sign and verify the same way
(see ../shared/TIKTOK_API.md, "Signing").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

#: Query parameters that never take part in the signature.
EXCLUDED_PARAMS = frozenset({"sign", "access_token"})


def _param_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def string_to_sign(
    path: str,
    params: Mapping[str, object],
    body: bytes = b"",
    *,
    multipart: bool = False,
) -> bytes:
    """The bytes that get wrapped with the secret and HMAC'ed (before wrapping)."""
    parts = "".join(
        f"{key}{_param_value(params[key])}"
        for key in sorted(params)
        if key not in EXCLUDED_PARAMS
    )
    raw = (path + parts).encode()
    if body and not multipart:
        raw += body
    return raw


def sign(
    app_secret: str,
    path: str,
    params: Mapping[str, object],
    body: bytes = b"",
    *,
    multipart: bool = False,
) -> str:
    """Lowercase hex HMAC-SHA256 of ``secret + path + sorted params + body + secret``."""
    secret = app_secret.encode()
    message = secret + string_to_sign(path, params, body, multipart=multipart) + secret
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify(
    app_secret: str,
    path: str,
    params: Mapping[str, object],
    body: bytes,
    given: str,
    *,
    multipart: bool = False,
) -> bool:
    expected = sign(app_secret, path, params, body, multipart=multipart)
    return _same(expected, given)


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    """``Authorization`` header TikTok puts on webhooks: HMAC-SHA256(app_key + body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def verify_webhook(app_key: str, app_secret: str, raw_body: bytes, given: str | None) -> bool:
    return _same(webhook_signature(app_key, app_secret, raw_body), given)


def _same(expected: str, given: str | None) -> bool:
    """Constant-time comparison that takes any text a client sends: ``compare_digest`` refuses ``str``
    with non-ASCII characters (a TypeError, i.e. a 500), so both sides are compared as bytes."""
    return hmac.compare_digest(expected.encode(), (given or "").encode("utf-8", "surrogatepass"))


def flatten_params(params: Mapping[str, object | Sequence[object]]) -> dict[str, str]:
    """Query parameters as TikTok sees them on the wire (lists comma-joined)."""
    return {k: _param_value(v) for k, v in params.items()}
