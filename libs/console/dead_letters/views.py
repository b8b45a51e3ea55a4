"""What the dead-letter pages show: the DLQ topics with their counts, each dead letter with the reason its
consumer gave up (as `ttshop dlq list` names it: ``topic.dlq:partition:offset``), and one dead letter's
headers and payload with every secret hidden (redact.py)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from libs.cli.dlq import REF
from libs.common.dlq import DeadLetter, dlq_topics

from .redact import Shown, shown

#: How much of a reason the list shows (the dead letter's page has all of it).
REASON_SHORT = 240
#: How much of a payload a dead letter's page shows (a poison message may be megabytes).
PAYLOAD_MAX = 64_000


@dataclass(frozen=True)
class TopicRow:
    topic: str
    original_topic: str
    count: int | None
    selected: bool

    @property
    def href(self) -> str:
        return f"/dead-letters?topic={quote(self.original_topic, safe='')}"


@dataclass(frozen=True)
class LetterRow:
    ref: str
    topic: str
    original_topic: str
    consumer: str
    event_type: str
    event_id: str
    reason: str
    reason_short: str
    failed_at: int | None
    replayed_from: str

    @property
    def href(self) -> str:
        return f"/dead-letters/{quote(self.ref, safe='')}"


@dataclass(frozen=True)
class LetterDetail:
    row: LetterRow
    shown: Shown
    original_partition: str
    original_offset: str
    payload: str
    payload_cut: int


def topic_name(topic: str | None) -> str | None:
    """The DLQ topic an operator named (``x`` or ``x.dlq``), None for every topic; ValueError when no service
    dead-letters to it."""
    if not topic:
        return None
    [dlq] = dlq_topics(topic)
    if dlq not in dlq_topics(None):
        raise ValueError(f"no dead-letter topic {dlq} (the topics are {', '.join(dlq_topics(None))})")
    return dlq


def valid_ref(ref: str) -> bool:
    return bool(REF.match(ref))


def topic_rows(counts: dict[str, int] | None, selected: str | None) -> list[TopicRow]:
    """Every DLQ topic (those with dead letters first, most first); a count of None when it is unknown and
    0 for a topic not created yet."""
    rows = [TopicRow(t, t.removesuffix(".dlq"), None if counts is None else counts.get(t, 0), t == selected)
            for t in dlq_topics(None)]
    return sorted(rows, key=lambda r: (-(r.count or 0), r.topic))


def _failed_at(letter: DeadLetter) -> int | None:
    value = letter.headers.get("x-dlq-failed-at", "")
    return int(value) if value.isdigit() else None


def _shown(letter: DeadLetter) -> Shown:
    return shown(letter.headers, letter.value, letter.key, letter.reason)


def letter_row(letter: DeadLetter, visible: Shown | None = None) -> LetterRow:
    visible = visible or _shown(letter)
    event_id, event_type = letter.event_summary()
    reason = visible.reason or "(no reason given)"
    return LetterRow(
        ref=letter.ref, topic=letter.topic, original_topic=letter.original_topic,
        consumer=letter.headers.get("x-dlq-consumer-group", ""),
        event_type=str(event_type) if event_type else "(not an event)", event_id=str(event_id or ""),
        reason=reason, reason_short=reason if len(reason) <= REASON_SHORT else reason[:REASON_SHORT - 1] + "…",
        failed_at=_failed_at(letter), replayed_from=visible.headers.get("x-replayed-from", ""),
    )


def letter_rows(letters: list[DeadLetter]) -> list[LetterRow]:
    """Newest first (by when the consumer gave up, then by place)."""
    ordered = sorted(letters, key=lambda d: (_failed_at(d) or 0, d.topic, d.partition, d.offset), reverse=True)
    return [letter_row(d) for d in ordered]


def letter_detail(letter: DeadLetter) -> LetterDetail:
    visible = _shown(letter)
    return LetterDetail(row=letter_row(letter, visible), shown=visible,
                        original_partition=letter.headers.get("x-dlq-original-partition", ""),
                        original_offset=letter.headers.get("x-dlq-original-offset", ""),
                        payload=visible.payload[:PAYLOAD_MAX], payload_cut=max(0, len(visible.payload) - PAYLOAD_MAX))


def replayed_text(count: int) -> str:
    """The CLI's words after `ttshop dlq replay`."""
    return f"replayed {count} dead letter(s) to their original topics"
