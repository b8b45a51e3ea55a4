"""Credentials in query strings never reach the access log."""

from __future__ import annotations

import logging

from libs.sandbox.redaction import RedactQueryFilter, redact_url


def test_redact_url_hides_credentials_and_keeps_the_rest() -> None:
    url = "/api/v2/token/get?app_key=k&app_secret=s3cret&auth_code=abc&grant_type=authorized_code"
    redacted = redact_url(url)
    assert "s3cret" not in redacted and "abc" not in redacted
    assert redacted.startswith("/api/v2/token/get?app_key=k&app_secret=***")
    assert "grant_type=authorized_code" in redacted
    assert redact_url("/healthz") == "/healthz"


def test_access_log_filter_rewrites_the_path_argument() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/x?sign=deadbeef&page_size=5", "1.1", 200),
        None,
    )
    assert RedactQueryFilter().filter(record)
    assert "deadbeef" not in record.getMessage() and "page_size=5" in record.getMessage()
