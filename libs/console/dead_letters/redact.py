"""Secrets never shown: a dead letter's headers and payload with every header or JSON field whose name looks
like a secret, token, password, authorization, signature, credential or key replaced by ``(hidden)``
(recursively, also inside JSON held in a string), and those values hidden wherever else they appear (the
reason often quotes the input that failed)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

HIDDEN = "(hidden)"
#: Parts of a name that make it a secret's, wherever they appear in it (``x-tts-signature``, ``accessToken``).
SECRET_PARTS = ("secret", "token", "passw", "authoriz", "authoris", "signature", "credential", "cookie",
                "apikey", "api_key", "api-key", "private")
#: Whole words of a name that do (``key``, ``x-api-key``, ``privateKey``, ``sig``, ``pwd``, ``auth``).
SECRET_WORDS = re.compile(r"(?:^|[^a-z0-9])(?:key|keys|sig|pwd|auth|pin)(?:$|[^a-z0-9])|[a-z]key$")
#: ``name=value`` / ``name: value`` in text that is no JSON, when the name looks like a secret's.
TEXT_PAIR = re.compile(r"""(?P<name>[\w.\-]+)(?P<sep>["']?\s*[:=]\s*)"""
                       r"""(?P<value>(?:(?i:bearer|basic)\s+)?(?:"[^"]*"|'[^']*'|[^\s,;&"'}]+))""")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{4,}")
#: A value shorter than this is not searched for elsewhere (it would hide ordinary words and numbers).
MIN_HIDDEN_LEN = 4


def looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_PARTS) or bool(SECRET_WORDS.search(lowered)) or (
        re.search(r"[a-z]Key", name) is not None)


@dataclass
class Redactor:
    """Collects the values it hid, so :meth:`text` can hide them anywhere else."""

    found: set[str] = field(default_factory=set)

    def _collect(self, value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                self._collect(item)
        elif isinstance(value, list):
            for item in value:
                self._collect(item)
        elif value is not None and not isinstance(value, bool):
            text = str(value)
            if len(text) >= MIN_HIDDEN_LEN:
                self.found.add(text)

    def json(self, value: Any) -> Any:
        """``value`` with every secret-looking field's value hidden, at any depth."""
        if isinstance(value, dict):
            shown = {}
            for name, item in value.items():
                if looks_secret(str(name)):
                    self._collect(item)
                    shown[name] = HIDDEN
                else:
                    shown[name] = self.json(item)
            return shown
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            try:
                inner = json.loads(value)
            except ValueError:
                return value
            return json.dumps(self.json(inner), ensure_ascii=False)
        return value

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        shown = {}
        for name, value in headers.items():
            if looks_secret(name):
                self._collect(value)
                shown[name] = HIDDEN
            else:
                shown[name] = value
        return shown

    def pairs(self, text: str) -> str:
        """Text that is no JSON: ``token=…``, ``"password": …`` and ``Bearer …`` hidden."""
        def pair(match: re.Match[str]) -> str:
            if not looks_secret(match["name"]):
                return match[0]
            self._collect(match["value"].strip("\"'"))
            return f"{match['name']}{match['sep']}{HIDDEN}"

        return BEARER.sub(lambda m: f"{m[1]} {HIDDEN}", TEXT_PAIR.sub(pair, text))

    def text(self, text: str) -> str:
        """``text`` with every value hidden so far, and any ``Bearer …``, replaced."""
        for secret in sorted(self.found, key=len, reverse=True):
            text = text.replace(secret, HIDDEN)
        return BEARER.sub(lambda m: f"{m[1]} {HIDDEN}", text)


@dataclass(frozen=True)
class Shown:
    """A dead letter as a page may show it."""

    headers: dict[str, str]
    payload: str
    is_json: bool
    reason: str
    key: str


def shown(headers: dict[str, str], value: bytes, key: bytes | None, reason: str) -> Shown:
    """Headers, payload (pretty JSON when it is JSON), reason and Kafka key, secrets hidden in all four."""
    redactor = Redactor()
    visible_headers = redactor.headers(headers)
    text = value.decode(errors="replace")
    try:
        body = json.loads(text)
    except ValueError:
        payload, is_json = redactor.pairs(text), False
    else:
        payload, is_json = json.dumps(redactor.json(body), indent=2, ensure_ascii=False), True
    visible_headers = {name: v if v == HIDDEN else redactor.text(v) for name, v in visible_headers.items()}
    return Shown(headers=visible_headers, payload=redactor.text(payload), is_json=is_json,
                 reason=redactor.text(reason), key=redactor.text(key.decode(errors="replace")) if key else "")
