"""Rendering admin-API responses — tolerant of extra or missing fields.

On a terminal a table is drawn with rich. Anywhere else (a pipe, a file, a script) it is plain text a script
can cut: the title as a ``# title`` line, a header line, then one row a line, cells separated by a tab and
never wrapped or shortened (an order id stays whole), so ``ttshop orders list | grep ORDER`` finds the row.
"""

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


def cell(value: Any) -> str:
    """One cell of piped output: on one line, without tabs."""
    return " ".join(text(value).replace("\t", " ").splitlines())


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    if not console.is_terminal:
        lines = ([f"# {cell(title)}"] if title else []) + ["\t".join(cell(c) for c in columns)]
        lines += ["\t".join(cell(c) for c in row) for row in rows]
        console.file.write("\n".join(lines) + "\n")
        return
    out = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*(text(value) for value in row))
    console.print(out)


def key_values(title: str | None, data: Mapping[str, Any], *, skip: Iterable[str] = ()) -> None:
    """A two-column table of a flat mapping (nested values rendered inline)."""
    skipped = set(skip)
    table(title, ("field", "value"), ((k, v) for k, v in data.items() if k not in skipped))
