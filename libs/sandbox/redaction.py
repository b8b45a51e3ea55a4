"""Keeps credentials out of the access log: TikTok's auth host takes ``app_secret``, ``auth_code``
and ``refresh_token`` in the query string, and every API call carries ``sign``."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = frozenset({"app_secret", "auth_code", "refresh_token", "access_token", "sign"})
REDACTED = "***"


def redact_url(path_with_query: str) -> str:
    parts = urlsplit(path_with_query)
    if not parts.query:
        return path_with_query
    query = [
        (k, REDACTED if k in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


class RedactQueryFilter(logging.Filter):
    """For ``uvicorn.access``, whose record args are (client, method, path, http_version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2]), *args[3:])
        return True
