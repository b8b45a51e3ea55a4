"""Every text argument and option of ``ttshop`` is checked before its command runs: one holding a character
no service can store (a NUL) or longer than any value the services keep is a usage error naming it (exit 2),
instead of a request that fails in a service, a URL too long to send, or a traceback.

The checks are installed once on the whole command tree (:class:`CheckedGroup`, the root's class), so a
command added later is covered without remembering to. The limits are those of ``libs.common.limits``; quotes,
``;``, emoji and right-to-left marks pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import typer
from typer.core import TyperGroup

from libs.common.limits import MAX_NAME_CHARS, MAX_SKU_CHARS, MAX_TEXT_CHARS, unstorable

#: Parameters holding one seller SKU.
SKU_PARAMETERS = frozenset({"sku", "shadow", "master"})
#: Parameters holding free text or a list (``--lines A,B``): the free-text limit.
TEXT_PARAMETERS = frozenset({"reason", "lines", "items", "refs"})
#: File paths: what Linux takes for a whole path.
MAX_PATH_CHARS = 4096
_CHECKED = "_ttshop_checked"

Callback = Callable[[Any, Any, Any], Any]


def limit_for(name: str | None, value: object) -> tuple[int, str]:
    """(the most characters, what that limit is) for a parameter's value."""
    if isinstance(value, PurePath):
        return MAX_PATH_CHARS, "a file path"
    if name in SKU_PARAMETERS:
        return MAX_SKU_CHARS, "TikTok's limit for a seller SKU"
    if name in TEXT_PARAMETERS:
        return MAX_TEXT_CHARS, "the limit for a free text"
    return MAX_NAME_CHARS, "the limit for an id or a name"


def problem_with(name: str | None, value: object) -> str | None:
    """What is wrong with one given value (a text or a path), or None."""
    if not isinstance(value, str | PurePath):
        return None
    text = str(value)
    found = unstorable(text)
    if found is not None:
        return found
    limit, why = limit_for(name, value)
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,} ({why})"
    return None


def _values(value: object) -> Iterator[object]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _checked(original: Callback | None) -> Callback:
    def check(ctx: Any, param: Any, value: Any) -> Any:
        for item in _values(value):
            problem = problem_with(param.name, item)
            if problem is not None:
                raise typer.BadParameter(problem, ctx=ctx, param=param)
        return value if original is None else original(ctx, param, value)

    setattr(check, _CHECKED, True)
    return check


def check_parameters(command: Any) -> None:
    """Put the check in front of the callback of every parameter of ``command`` and its subcommands."""
    for param in command.params:
        if not getattr(param.callback, _CHECKED, False):
            param.callback = _checked(param.callback)
    for sub in (getattr(command, "commands", None) or {}).values():
        check_parameters(sub)


class CheckedGroup(TyperGroup):
    """The root command group: checks every text argument and option of the tree (see the module)."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        check_parameters(self)
        return super().main(args, *rest, **kwargs)


def segment(value: object) -> str:
    """``value`` as one path segment of an admin API URL: percent-encoded, so a ``/``, ``?``, ``#`` or ``..``
    in an id stays part of the id (and never reaches another endpoint)."""
    text = quote(str(value), safe="")
    return {".": "%2E", "..": "%2E%2E"}.get(text, text)
