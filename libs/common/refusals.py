"""Domain refusals: what a use case raises when a rule says no, by kind, with a stable code and a message
an operator can act on. The use case knows nothing of HTTP; the service's edge (``api.py``, or the shared
handler in :mod:`libs.common.web`) maps each kind to a status."""

from __future__ import annotations


class Refused(Exception):
    """A rule refused the request; ``code`` is stable, ``message`` says what was wrong and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class NotFound(Refused):
    """What the request names does not exist (here)."""


class Conflict(Refused):
    """The current state forbids it (the shop is not active, TikTok says no, nothing is left to do)."""


class Invalid(Refused):
    """The request itself is wrong (an empty range, an unknown line, a missing reason)."""


class NotStarted(Refused):
    """The service has not finished starting (its clients and workers do not exist yet): retry in a moment."""
