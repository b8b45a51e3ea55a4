"""Properties of the TikTok webhook parser (libs.common.webhooks, issue 12).

Whatever the body (arbitrary bytes, arbitrary JSON, a notification with one field broken) the parser gives
a :class:`TikTokNotification` or :class:`WebhookRefused` with status 400, never another exception; what it
accepts can be stored (no NUL, no lone surrogate, no infinity) and survives JSON and back unchanged.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.common.limits import MAX_ID_CHARS, MAX_INT4, first_unstorable
from libs.common.webhooks import TikTokNotification, WebhookRefused, parse_notification

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REQUIRED = ("type", "tts_notification_id", "shop_id", "data")

#: Any text, lone surrogates and NUL included (JSON can spell both).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
#: Text PostgreSQL stores: no NUL, no lone surrogate.
stored_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | any_text)
any_json = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)
stored_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | stored_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(stored_text, inner, max_size=4), max_leaves=12)
_id_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
#: Ids TikTok could send: short ones, and some exactly at the limit.
ids = st.text(_id_chars, min_size=1, max_size=24) | st.text(_id_chars, min_size=MAX_ID_CHARS, max_size=MAX_ID_CHARS)


@st.composite
def notifications(draw: st.DrawFn) -> dict[str, Any]:
    """A valid notification as TikTok might send it, extra fields included."""
    payload: dict[str, Any] = {
        "type": draw(st.integers(0, MAX_INT4)), "tts_notification_id": draw(ids), "shop_id": draw(ids),
        "data": draw(st.dictionaries(stored_text, stored_json, max_size=5)),
    }
    if draw(st.booleans()):
        payload["timestamp"] = draw(st.none() | st.integers(-(2**40), 2**40))
    extra = draw(st.dictionaries(stored_text.filter(lambda k: k not in (*REQUIRED, "timestamp")), stored_json,
                                 max_size=2))
    return {**payload, **extra}


def parsed(body: bytes) -> TikTokNotification | WebhookRefused:
    """The documented outcomes; any other exception fails the property."""
    try:
        return parse_notification(body)
    except WebhookRefused as refused:
        assert (refused.status, refused.code) == (400, "invalid_webhook")
        assert refused.message.startswith("webhook")
        return refused


def storable_everywhere(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(storable_everywhere(v) for v in value.values())
    if isinstance(value, list):
        return all(storable_everywhere(v) for v in value)
    return True


def check_accepted(outcome: TikTokNotification | WebhookRefused) -> None:
    if isinstance(outcome, TikTokNotification):
        payload = outcome.payload()
        assert first_unstorable(payload) is None and storable_everywhere(payload)
        json.dumps(payload, allow_nan=False).encode("utf-8")  # what the jsonb codec sends, strictly


@PROPERTIES
@given(st.binary(max_size=512))
def test_arbitrary_bytes_give_a_notification_or_a_400(body: bytes) -> None:
    check_accepted(parsed(body))


@PROPERTIES
@given(any_json)
def test_arbitrary_json_gives_a_notification_or_a_400(value: Any) -> None:
    check_accepted(parsed(json.dumps(value).encode()))


@PROPERTIES
@given(notifications(), any_json)
def test_a_notification_whose_data_holds_anything_is_never_an_error_of_ours(payload: dict[str, Any],
                                                                            data: Any) -> None:
    outcome = parsed(json.dumps({**payload, "data": {"x": data}}).encode())
    check_accepted(outcome)
    if isinstance(outcome, WebhookRefused):  # only for what could not be stored
        assert first_unstorable(data) is not None or not storable_everywhere(data)


@PROPERTIES
@given(notifications())
def test_a_valid_notification_round_trips(payload: dict[str, Any]) -> None:
    notification = parsed(json.dumps(payload).encode())
    assert isinstance(notification, TikTokNotification), notification
    assert notification.payload() == payload
    assert (notification.type, notification.tts_notification_id, notification.shop_id, notification.data) == (
        payload["type"], payload["tts_notification_id"], payload["shop_id"], payload["data"])
    assert parse_notification(json.dumps(notification.payload()).encode()) == notification
    assert parse_notification(json.dumps(payload, ensure_ascii=False).encode("utf-8")) == notification


finite = st.floats(allow_nan=False, allow_infinity=False)
wrong_values = {
    "type": st.text(max_size=5) | st.booleans() | finite | st.none() | st.integers(max_value=-1)
    | st.integers(min_value=MAX_INT4 + 1) | st.lists(st.integers(), max_size=2),
    "tts_notification_id": st.integers() | st.none() | st.just("") | st.text(min_size=MAX_ID_CHARS + 1,
                                                                              max_size=MAX_ID_CHARS + 5),
    "shop_id": st.integers() | st.none() | st.just("") | st.lists(st.integers(), max_size=2),
    "data": st.lists(st.integers(), max_size=2) | st.text(max_size=5) | st.none() | st.integers(),
    "timestamp": st.text(max_size=5) | finite | st.booleans(),
}


@PROPERTIES
@given(notifications(), st.sampled_from(sorted(wrong_values)), st.data())
def test_a_field_missing_or_of_the_wrong_type_is_refused_naming_it(payload: dict[str, Any], field: str,
                                                                    data: st.DataObject) -> None:
    if field != "timestamp" and data.draw(st.booleans(), label="drop it"):
        broken = {k: v for k, v in payload.items() if k != field}
    else:
        broken = {**payload, field: data.draw(wrong_values[field], label="wrong value")}
    refused = parsed(json.dumps(broken).encode())
    assert isinstance(refused, WebhookRefused), broken
    assert f"{field}:" in refused.message, refused.message


@PROPERTIES
@given(notifications(), st.sampled_from(["\x00", "\ud800", "\udfff"]), st.sampled_from(["key", "value", "id"]))
def test_text_postgresql_cannot_store_is_refused(payload: dict[str, Any], bad: str, where: str) -> None:
    if where == "key":
        payload = {**payload, "data": {**payload["data"], f"k{bad}": 1}}
    elif where == "value":
        payload = {**payload, "data": {**payload["data"], "k": [f"v{bad}"]}}
    else:
        payload = {**payload, "shop_id": f"s{bad}"}
    refused = parsed(json.dumps(payload).encode())  # ensure_ascii: the JSON spells them as \\u escapes
    assert isinstance(refused, WebhookRefused), payload
    assert "contains a NUL" in refused.message or "contains a lone surrogate" in refused.message, refused.message
