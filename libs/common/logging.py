"""structlog JSON logging with a processor that redacts secrets.

Redaction is done by a processor, not by care: any key that names a secret is masked, and
secret-looking query parameters inside string values (``sign=…``, ``access_token=…``) are masked.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from contextlib import AbstractContextManager
from typing import Any

import structlog
from pydantic import SecretStr

REDACTED = "**redacted**"

SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "app_secret",
        "secret",
        "sign",
        "password",
        "authorization",
        "x-tts-access-token",
        "internal_api_token",
        "auth_code",
        "code_verifier",
        "token",
        "encryption_keys",
    }
)
_SECRET_IN_TEXT = re.compile(
    r"(?i)\b(sign|access_token|refresh_token|app_secret|auth_code|x-tts-access-token)"
    r"(=|\"?\s*:\s*\"?)([^&\s\",}]+)"
)
_BEARER = re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=-]+")


def redact_text(text: str) -> str:
    text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _BEARER.sub(f"Bearer {REDACTED}", text)


def redact_value(key: str | None, value: Any) -> Any:
    if key is not None and key.lower() in SECRET_KEYS:
        return REDACTED
    if isinstance(value, SecretStr):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(None, v) for v in value]
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets anywhere in the event dict."""
    for key in list(event_dict):
        event_dict[key] = redact_value(key, event_dict[key])
    return event_dict


class _RedactingFilter(logging.Filter):
    """Masks secrets in records of third-party libraries that log through stdlib logging."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record must still be logged
            return True
        record.msg, record.args = redact_text(message), None
        return True


def log_context(**fields: Any) -> AbstractContextManager[Any]:
    """Bind ``fields`` (those not ``None``) to every log line inside, structlog's and stdlib's alike (the
    consumer binds an event's ids around its handler, the admin app a request's id)."""
    return structlog.contextvars.bound_contextvars(**{k: v for k, v in fields.items() if v is not None})


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and stdlib logging once, in a process's composition root."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact_secrets,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer,
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *processors],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    _adopt_library_loggers()
    for noisy in ("aiokafka", "httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


#: Libraries that give their loggers handlers of their own (FastStream: plain, colourised text on
#: stderr/stdout, not propagated); their records must reach the JSON handler and its redaction.
_OWN_HANDLER_LOGGERS = ("faststream", "faststream.access", "uvicorn", "uvicorn.error", "uvicorn.access")


def _adopt_library_loggers() -> None:
    """Route every library logger through the root handler: drop their own handlers, let them propagate."""
    import faststream._internal.logger.logging  # noqa: F401 - creates FastStream's logger and handler at import

    names = {*_OWN_HANDLER_LOGGERS, *(n for n in logging.root.manager.loggerDict if n.startswith("faststream."))}
    for name in names:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True

