"""Secrets are redacted by a processor, not by care (R6)."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from pydantic import SecretStr

from libs.common.logging import configure_logging, redact_secrets, redact_text


@pytest.fixture(autouse=True)
def _logging_restored_afterwards():
    """These tests configure logging onto pytest's captured stderr, which is closed after the test:
    later tests must not log into it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_processor_masks_secret_keys_nested_values_and_query_strings():
    event = redact_secrets(None, "info", {
        "event": "calling GET /api?app_key=k&sign=abc123&access_token=tok999",
        "access_token": "tok999",
        "headers": {"x-tts-access-token": "tok999", "accept": "json"},
        "secret_obj": SecretStr("s3cr3t"),
        "shop_id": "123",
    })
    dumped = json.dumps(event, default=str)
    assert "tok999" not in dumped and "abc123" not in dumped and "s3cr3t" not in dumped
    assert event["shop_id"] == "123" and event["headers"]["accept"] == "json"


def test_bearer_and_json_style_secrets_are_masked():
    text = redact_text('Authorization: Bearer abc.def-ghi {"refresh_token": "rt-1", "app_secret":"xyz"}')
    assert "abc.def-ghi" not in text and "rt-1" not in text and "xyz" not in text


def test_configured_logging_never_prints_a_token(capsys):
    configure_logging(service="test", level="DEBUG", json=True)
    structlog.get_logger("t").info("token fetched", access_token="tok-abc", url="https://x/?sign=deadbeef")
    logging.getLogger("thirdparty").warning("GET /api/v2/token/get?app_secret=topsecret&auth_code=code1")
    err = capsys.readouterr().err
    assert "tok-abc" not in err and "deadbeef" not in err and "topsecret" not in err and "code1" not in err
    assert "token fetched" in err
    for line in filter(None, err.splitlines()):
        json.loads(line)  # JSON lines
    structlog.reset_defaults()


def test_faststream_aiokafka_and_uvicorn_lines_go_through_the_json_pipeline(capsys):
    """FastStream gives its loggers handlers of their own (plain text, not propagated); after
    configure_logging every line is JSON with the service bound and secrets masked."""
    import faststream._internal.logger.logging as faststream_logging

    configure_logging(service="orders", level="INFO", json=True)
    faststream_logging.logger.warning("consumer failed: Bearer leaked.token-1 and access_token=tok-2")
    logging.getLogger("faststream.access.kafka").error("handler error for order 576")
    logging.getLogger("aiokafka.consumer.group_coordinator").warning("heartbeat failed sign=deadbeef")
    logging.getLogger("uvicorn.error").error("Exception in ASGI application")
    captured = capsys.readouterr()
    assert captured.out == ""  # FastStream's access logger wrote to stdout before
    lines = [json.loads(line) for line in captured.err.splitlines() if line]
    assert [line["logger"] for line in lines] == [
        "faststream", "faststream.access.kafka", "aiokafka.consumer.group_coordinator", "uvicorn.error"]
    assert all(line["service"] == "orders" for line in lines)
    assert "leaked.token-1" not in captured.err and "tok-2" not in captured.err and "deadbeef" not in captured.err
