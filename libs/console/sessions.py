"""Operator sessions: who is signed in, their CSRF token, and how sign-in attempts are throttled.

A session lives in this process only (a restart signs everyone out; run one replica). The cookie holds
a random id; the store keys sessions by its SHA-256, so a memory dump does not give a usable cookie.
The operator's admin credential stays server-side, in the session, for the calls made on their behalf.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "ttshop_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class Session:
    credential: str = field(repr=False)
    caller: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    started: float = 0.0
    seen: float = 0.0
    #: (kind, text) shown on the next page: what an action did or why it was refused.
    flashes: list[tuple[str, str]] = field(default_factory=list)

    def csrf_ok(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf.encode())


class SessionStore:
    """Sessions by the digest of their cookie; idle and absolute expiry."""

    def __init__(self, *, idle_s: float, max_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s = idle_s
        self.max_s = max_s
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, credential: str, caller: str) -> tuple[str, Session]:
        """A new session; returns the cookie value (shown to nobody but the browser) and the session."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(credential=credential, caller=caller, started=now, seen=now)
        self._sessions[_key(session_id)] = session
        self._prune(now)
        return session_id, session

    def find(self, session_id: str | None) -> Session | None:
        """The live session of this cookie (its idle clock restarted), or None."""
        if not session_id:
            return None
        key = _key(session_id)
        session = self._sessions.get(key)
        now = self._clock()
        if session is None:
            return None
        if now - session.seen > self.idle_s or now - session.started > self.max_s:
            del self._sessions[key]
            return None
        session.seen = now
        return session

    def close(self, session_id: str | None) -> None:
        if session_id:
            self._sessions.pop(_key(session_id), None)

    def latest(self) -> Session | None:
        """The live session seen most recently (without restarting its idle clock), or None."""
        now = self._clock()
        live = [s for s in self._sessions.values() if now - s.seen <= self.idle_s and now - s.started <= self.max_s]
        return max(live, key=lambda s: s.seen) if live else None

    def __len__(self) -> int:
        return len(self._sessions)

    def _prune(self, now: float) -> None:
        expired = [k for k, s in self._sessions.items()
                   if now - s.seen > self.idle_s or now - s.started > self.max_s]
        for key in expired:
            del self._sessions[key]


class SignInThrottle:
    """At most ``per_minute`` failed sign-ins per client address in any 60 s."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def wait_s(self, client: str) -> float:
        """0 when ``client`` may try now; otherwise the seconds until it may."""
        failures = self._recent(client)
        if len(failures) < self.per_minute:
            return 0.0
        return max(0.0, 60.0 - (self._clock() - failures[0]))

    def failed(self, client: str) -> None:
        self._recent(client).append(self._clock())

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        now = self._clock()
        while failures and now - failures[0] >= 60.0:
            failures.popleft()
        return failures
