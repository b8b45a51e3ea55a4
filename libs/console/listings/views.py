"""What the listings pages show of a product on one shop, from the catalog's answers: its readiness (R32-R37,
every problem with its rule), its posting (R38, R45) and TikTok's review of it (R43) in the CLI's words.
Pure functions: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from libs.cli.catalog import STATUS_WORDS

#: ``state=`` of the catalog's ``GET /products`` (per shop), with what the filter shows.
STATES: tuple[tuple[str, str], ...] = (
    ("unchecked", "never checked"),
    ("ready", "ready"),
    ("not_ready", "not ready"),
    ("unposted", "ready, not on TikTok"),
    ("posting", "being posted"),
    ("failed", "refused by TikTok"),
    ("posted", "on TikTok"),
    ("in_review", "in TikTok's review"),
    ("live", "live on TikTok"),
    ("rejected", "rejected by TikTok's review"),
)
#: TikTok's statuses that are good news, and those that keep a listing off sale.
GOOD_STATUSES = frozenset({"ACTIVATE"})
BAD_STATUSES = frozenset({"FAILED", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED"})


@dataclass(frozen=True)
class Problem:
    """One readiness problem, as ``ttshop catalog products check`` shows it."""

    rule: str
    field: str
    message: str
    value: str
    fix: str
    code: str


@dataclass(frozen=True)
class Readiness:
    state: str  # ready | not_ready | unchecked
    label: str
    count: int
    #: every problem of the check, from the catalog's ``problem_details`` (empty when ready)
    problems: list[Problem]
    checked_version: int | None
    checked_at: str | None
    #: the record changed after this check (the catalog re-checks a record it saves, so this is rare)
    stale: bool

    @property
    def rules(self) -> str:
        """The rules the problems break, e.g. ``R32, R33``."""
        return ", ".join(sorted({p.rule for p in self.problems}, key=_rule_number))


@dataclass(frozen=True)
class Reason:
    """One of TikTok's review reasons (R43): where, what is wrong, what TikTok suggests."""

    position: str
    reasons: str
    suggestions: str


@dataclass(frozen=True)
class Refusal:
    """TikTok's (or our pre-flight's, R45) refusal of a post or an update: code, problem, what to do."""

    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class Posting:
    state: str  # unposted | posting | failed | posted
    label: str
    tone: str  # good | warn | bad | muted (a CSS class)
    product_id: str
    tiktok_status: str
    live: bool
    sku_ids: list[tuple[str, str]]
    errors: list[Refusal]
    reasons: list[Reason]
    posted_version: int | None
    record_version: int | None
    posted_at: str | None
    edited_at: str | None

    @property
    def outdated(self) -> bool:
        """The record changed after the version TikTok has: an update (partial) sends it."""
        return (self.state == "posted" and self.posted_version is not None and self.record_version is not None
                and self.record_version > self.posted_version)

    @property
    def on_tiktok(self) -> bool:
        return bool(self.product_id)


def _rule_number(rule: str) -> tuple[int, str]:
    digits = "".join(ch for ch in rule if ch.isdigit())
    return (int(digits) if digits else 0, rule)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def problem(raw: dict[str, Any]) -> Problem:
    where = _text(raw.get("field"))
    if raw.get("child_sku"):
        where = f"{raw['child_sku']}: {where}"
    return Problem(rule=_text(raw.get("rule")), field=where, message=_text(raw.get("message")),
                   value=_text(raw.get("value")), fix=_text(raw.get("fix")), code=_text(raw.get("code")))


def problems_of(raw: Any) -> list[Problem]:
    return [problem(p) for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []


def readiness(raw: dict[str, Any] | None, *, version: int | None = None) -> Readiness:
    """A product's readiness on a shop from the catalog's ``readiness`` (None: never checked there), as
    ``GET /products/{sku}`` and ``GET /products?shop=`` answer it: ``problems`` how many, ``problem_details``
    each of them with its rule, whoever made the check (this console, the CLI, an import, auto-post)."""
    if not raw or raw.get("ready") is None:
        return Readiness("unchecked", "never checked", 0, [], None, None, False)
    found = problems_of(raw.get("problem_details"))
    listed = raw.get("problems")
    count = max(listed if isinstance(listed, int) else 0, len(found))
    checked_version = raw.get("checked_version")
    ready = bool(raw.get("ready"))
    label = "ready" if ready else f"not ready: {count} problem{'' if count == 1 else 's'}"
    stale = version is not None and isinstance(checked_version, int) and version > checked_version
    return Readiness("ready" if ready else "not_ready", label, 0 if ready else count, [] if ready else found,
                     checked_version if isinstance(checked_version, int) else None,
                     _text(raw.get("checked_at")) or None, stale)


def refusals(raw: Any) -> list[Refusal]:
    return [Refusal(_text(e.get("code")), _text(e.get("message")), _text(e.get("fix")))
            for e in raw or [] if isinstance(e, dict)]


def reasons(raw: Any) -> list[Reason]:
    return [Reason(_text(r.get("position")) or "product", ", ".join(map(str, r.get("reasons") or [])),
                   ", ".join(map(str, r.get("suggestions") or [])))
            for r in raw or [] if isinstance(r, dict)]


def status_words(status: str) -> str:
    """TikTok's listing status in the CLI's plain words (R43)."""
    return STATUS_WORDS.get(status, status or "status not known yet")


def posting(raw: dict[str, Any] | None, *, record_version: int | None = None) -> Posting:
    """A product's posting on a shop (``postings`` of ``GET /products/{sku}``, ``posting`` of ``GET /products``;
    None: never posted there)."""
    if not raw or not raw.get("state"):
        return Posting("unposted", "not on TikTok", "muted", "", "", False, [], [], [], None, record_version,
                       None, None)
    state = str(raw["state"])
    status = _text(raw.get("tiktok_status"))
    live = bool(raw.get("live"))
    if state == "failed":
        label, tone = "not posted: TikTok refused it", "bad"
    elif state == "posting":
        label, tone = "being posted (a retry answers the same TikTok product)", "warn"
    else:
        label = status_words(status or "PENDING")
        tone = "good" if status in GOOD_STATUSES else "bad" if status in BAD_STATUSES else "warn"
        if live and status not in GOOD_STATUSES:
            label += " (the approved version stays on sale meanwhile)"
    version = raw.get("record_version", record_version)
    return Posting(
        state=state, label=label, tone=tone, product_id=_text(raw.get("product_id")), tiktok_status=status,
        live=live, sku_ids=sorted((str(k), str(v)) for k, v in (raw.get("sku_ids") or {}).items()),
        errors=refusals(raw.get("errors")), reasons=reasons(raw.get("audit_failed_reasons")),
        posted_version=raw.get("posted_version") if isinstance(raw.get("posted_version"), int) else None,
        record_version=version if isinstance(version, int) else None,
        posted_at=_text(raw.get("posted_at")) or None, edited_at=_text(raw.get("edited_at")) or None,
    )


def image_sha(ref: Any) -> str | None:
    """The key of ``GET /media/{sha256}`` of an image reference ({source, sha256}); None until it is stored."""
    sha = ref.get("sha256") if isinstance(ref, dict) else None
    return sha if isinstance(sha, str) and is_sha256(sha) else None


def is_sha256(text: str) -> bool:
    return len(text) == 64 and all(ch in "0123456789abcdef" for ch in text)


def product_href(sku: str, shop: str = "", suffix: str = "") -> str:
    """The console's address of a product's page (or of ``suffix`` under it) on ``shop``."""
    query = f"?{urlencode({'shop': shop})}" if shop else ""
    return f"/listings/{quote(sku, safe='')}{suffix}{query}"
