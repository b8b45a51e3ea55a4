"""Rendering admin-API responses for people (tables) — tolerant of extra or missing fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.table import Table

from .client import console


def items(body: Any, *keys: str) -> list[dict[str, Any]]:
    """The list inside a response: the body itself, or ``body[key]`` for the first key present."""
    if isinstance(body, list):
        return [x for x in body if isinstance(x, dict)]
    if isinstance(body, dict):
        for key in (*keys, "items", "data"):
            value = body.get(key)
            if isinstance(value, list):
                return [x for x in value if isinstance(x, dict)]
    return []


def pick(row: Mapping[str, Any] | None, *keys: str, default: Any = "") -> Any:
    """The first of ``keys`` present (and not None) in ``row``."""
    for key in keys:
        if row is not None and row.get(key) is not None:
            return row[key]
    return default


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={text(v)}" for k, v in value.items())
    return str(value)


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    out = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*(text(cell) for cell in row))
    console.print(out)


def key_values(title: str | None, data: Mapping[str, Any], *, skip: Iterable[str] = ()) -> None:
    """A two-column table of a flat mapping (nested values rendered inline)."""
    skipped = set(skip)
    table(title, ("field", "value"), ((k, v) for k, v in data.items() if k not in skipped))
