"""How an admin API's error answer is read by its clients (the CLI and the console), so both say the same.

The services answer ``{"error": {"code", "message"}}`` with a 4xx/5xx status (:mod:`libs.common.web`);
FastAPI's own validation errors come as ``{"detail": …}``; anything else is shown as its first 300 characters.
"""

from __future__ import annotations

import json
from typing import Any


def error_of(service: str, status: int, body: Any, text: str) -> tuple[str, str]:
    """(code, message) of an error answer of ``service``: the service's own words where it gave them."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error.get("code", status)), str(error["message"])
    detail = body.get("detail") if isinstance(body, dict) else None
    shown = json.dumps(detail) if detail is not None else text[:300]
    return f"HTTP {status}", f"{service} service: {shown}"


def unreachable(service: str, base_url: str) -> str:
    return f"{service} service not reachable at {base_url} — is `ttshop dev` running?"


def no_answer(service: str, base_url: str, exc: BaseException) -> str:
    return f"{service} service at {base_url} did not answer in time ({type(exc).__name__})"
