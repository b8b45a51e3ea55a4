"""Named credentials: who may call an admin API or the internal token endpoint.

Each caller has its own secret (the CLI, the console, each service), configured on the side that
checks them as ``name=secret`` pairs, comma-separated (``ADMIN_API_CREDENTIALS``,
``AUTH_INTERNAL_CREDENTIALS``). Only SHA-256 digests are kept after parsing, and a presented
secret is compared with every configured one in constant time (no early exit, no length leak), so
neither the answer's timing nor a memory dump says which caller or how much of a secret matched.
A refusal is logged with what was wrong (absent, not a bearer token, unknown) and never the
presented value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import structlog
from pydantic import SecretStr

log = structlog.get_logger(__name__)

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
#: A caller's secret must be at least this long (``secrets.token_urlsafe(32)`` gives 43).
MIN_SECRET_CHARS = 16
_PREFIX = "Bearer "


class CredentialsInvalid(ValueError):
    """A credentials setting that cannot be used; the message names the entry, never its secret."""


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused (logged and answered; holds nothing presented)."""

    reason: str  # absent | not_bearer | unknown


@dataclass(frozen=True)
class Credentials:
    """The callers one endpoint accepts, by name, as digests of their secrets."""

    setting: str
    entries: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, value: SecretStr | str | None, *, setting: str) -> Credentials | None:
        """``name=secret[,name=secret…]``; None when unset or empty. Raises :class:`CredentialsInvalid`."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not text or not text.strip():
            return None
        entries: list[tuple[str, bytes]] = []
        for position, part in enumerate(text.split(","), start=1):
            name, sep, secret = part.strip().partition("=")
            name = name.strip()
            if not sep or not _NAME.match(name):
                raise CredentialsInvalid(
                    f"{setting}: entry {position} must be name=secret with a lower-case name "
                    f"(letters, digits, - or _), got {'a name ' + repr(name) if _NAME.match(name) else 'something else'}"
                )
            if len(secret) < MIN_SECRET_CHARS:
                raise CredentialsInvalid(
                    f"{setting}: the secret of {name!r} is shorter than {MIN_SECRET_CHARS} characters"
                )
            if any(existing == name for existing, _ in entries):
                raise CredentialsInvalid(f"{setting}: {name!r} is given twice")
            entries.append((name, _digest(secret)))
        digests = [d for _, d in entries]
        if len(set(digests)) != len(digests):
            raise CredentialsInvalid(f"{setting}: two callers share one secret; give each its own")
        return cls(setting, tuple(entries))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.entries)

    def identify(self, authorization: str | None) -> str | Refusal:
        """The caller's name for an ``Authorization`` header value, or why it is refused."""
        if not authorization:
            return Refusal("absent")
        if not authorization.startswith(_PREFIX):
            return Refusal("not_bearer")
        presented = _digest(authorization[len(_PREFIX):])
        found: str | None = None
        for name, digest in self.entries:  # every entry compared, whichever matches
            if hmac.compare_digest(presented, digest) and found is None:
                found = name
        return found if found is not None else Refusal("unknown")


def log_refusal(refusal: Refusal, *, setting: str, path: str, client: str | None) -> None:
    log.warning("credential.refused", reason=refusal.reason, path=path, client=client, setting=setting)
