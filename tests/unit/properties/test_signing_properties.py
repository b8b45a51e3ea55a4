"""Properties of TikTok signing (libs.common.tiktok.signing): webhook signatures and request signatures.

The signature of any body verifies; a changed byte, key or secret does not; any text offered as a signature
(non-ASCII, surrogates, empty) is a plain "no", never an exception. Request signatures: sign/verify round
trip over arbitrary paths, query parameters and bodies; ``sign`` and ``access_token`` never change the
signature; a changed parameter value, path or (non-multipart) body does; parameter order does not.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from libs.common.tiktok.signing import EXCLUDED_PARAMS, sign, verify, verify_webhook, webhook_signature

PROPERTIES = settings(max_examples=200, deadline=None)

texts = st.text(max_size=40)
bodies = st.binary(max_size=512)
#: What a client can put in a header or parameter: any text, lone surrogates included.
offered = st.text(st.characters(codec=None, exclude_categories=()), max_size=80) | st.none()
param_values = st.text(max_size=20) | st.integers() | st.lists(st.text(max_size=5) | st.integers(), max_size=3)
params = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in EXCLUDED_PARAMS), param_values,
                         max_size=6)


def hmac_key(secret: str) -> bytes:
    """HMAC pads a key shorter than its block with NULs, so secrets differing only in trailing NULs are one
    key (a property of HMAC, not of our code); the properties below compare secrets as HMAC sees them."""
    return secret.encode().rstrip(b"\x00")


# --- webhooks ----------------------------------------------------------------------------------------------


@PROPERTIES
@given(texts, texts, bodies)
def test_the_signature_of_any_body_verifies(app_key: str, app_secret: str, body: bytes) -> None:
    signature = webhook_signature(app_key, app_secret, body)
    assert len(signature) == 64 and signature == signature.lower()
    assert verify_webhook(app_key, app_secret, body, signature)


@PROPERTIES
@given(texts, texts, bodies.filter(bool), st.data())
def test_a_changed_byte_fails(app_key: str, app_secret: str, body: bytes, data: st.DataObject) -> None:
    signature = webhook_signature(app_key, app_secret, body)
    at = data.draw(st.integers(0, len(body) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != body[at]), label="new byte")
    assert not verify_webhook(app_key, app_secret, body[:at] + bytes([byte]) + body[at + 1:], signature)
    assert not verify_webhook(app_key, app_secret, body + b"\n", signature)
    assert not verify_webhook(app_key, app_secret, body[:-1], signature)


@PROPERTIES
@given(texts, texts, texts, bodies)
def test_a_changed_app_key_fails(app_key: str, other_key: str, app_secret: str, body: bytes) -> None:
    assume(other_key != app_key)
    assert not verify_webhook(other_key, app_secret, body, webhook_signature(app_key, app_secret, body))


@PROPERTIES
@given(texts, texts, texts, bodies)
def test_a_changed_secret_fails(app_key: str, app_secret: str, other_secret: str, body: bytes) -> None:
    assume(hmac_key(other_secret) != hmac_key(app_secret))
    assert not verify_webhook(app_key, other_secret, body, webhook_signature(app_key, app_secret, body))


@PROPERTIES
@given(texts, texts, bodies, offered)
def test_any_offered_signature_is_a_yes_or_a_no(app_key: str, app_secret: str, body: bytes,
                                                given_signature: str | None) -> None:
    expected = webhook_signature(app_key, app_secret, body)
    assert verify_webhook(app_key, app_secret, body, given_signature) is (given_signature == expected)
    assert verify("s", "/p", {}, body, given_signature) is (given_signature == sign("s", "/p", {}, body))


@PROPERTIES
@given(texts, texts, bodies)
def test_a_signature_in_upper_case_or_with_blanks_is_not_ours(app_key: str, app_secret: str, body: bytes) -> None:
    signature = webhook_signature(app_key, app_secret, body)
    for variant in (f" {signature}", f"{signature}\n", f"sha256={signature}", signature[:-1]):
        assert not verify_webhook(app_key, app_secret, body, variant)
    assert verify_webhook(app_key, app_secret, body, signature.upper()) is (signature.upper() == signature)


# --- requests ----------------------------------------------------------------------------------------------


@PROPERTIES
@given(texts, texts, params, bodies, st.booleans())
def test_request_sign_and_verify_round_trip(secret: str, path: str, query: dict[str, Any], body: bytes,
                                            multipart: bool) -> None:
    signature = sign(secret, path, query, body, multipart=multipart)
    assert len(signature) == 64
    assert verify(secret, path, query, body, signature, multipart=multipart)
    assert verify(secret, path, dict(reversed(list(query.items()))), body, signature, multipart=multipart)


@PROPERTIES
@given(texts, texts, params, bodies, texts, texts)
def test_excluded_params_do_not_change_the_signature(secret: str, path: str, query: dict[str, Any], body: bytes,
                                                     sign_value: str, token: str) -> None:
    signature = sign(secret, path, query, body)
    assert sign(secret, path, {**query, "sign": sign_value, "access_token": token}, body) == signature
    assert verify(secret, path, {**query, "sign": signature, "access_token": token}, body, signature)


@PROPERTIES
@given(texts, texts, params.filter(bool), bodies, st.data())
def test_a_changed_param_value_changes_the_signature(secret: str, path: str, query: dict[str, Any], body: bytes,
                                                     data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(query)), label="param")
    old = _wire(query[key])
    new = data.draw(st.text(max_size=20).filter(lambda v: v != old), label="new value")
    assert not verify(secret, path, {**query, key: new}, body, sign(secret, path, query, body))


@PROPERTIES
@given(texts, texts, texts, params, bodies, bodies)
def test_a_changed_path_or_body_changes_the_signature(secret: str, path: str, other_path: str, query: dict[str, Any],
                                                      body: bytes, other_body: bytes) -> None:
    signature = sign(secret, path, query, body)
    if other_path != path:
        assert not verify(secret, other_path, query, body, signature)
    if other_body != body:
        assert not verify(secret, path, query, other_body, signature)
        # a multipart body (a file upload) is not signed: only its path and parameters are
        assert sign(secret, path, query, other_body, multipart=True) == sign(secret, path, query, body,
                                                                               multipart=True)


def _wire(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
