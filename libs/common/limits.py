"""What a value may be before it is stored: lengths and ranges defined once, and the characters PostgreSQL
cannot hold. Checked at every edge (event contracts, admin API request models, product records, the CLI,
orders from TikTok), so a bad value is refused with a reason naming it instead of failing in the database.

PostgreSQL ``text`` and ``jsonb`` cannot hold the NUL character (U+0000), and no UTF-8 text can hold a lone
surrogate (U+D800-U+DFFF; JSON can spell one, ``"\\ud800"``, and Python then carries it). Everything else is
stored and shown verbatim: quotes, ``;``, emoji, right-to-left marks (U+200F, U+202E), combining characters.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import AfterValidator, StringConstraints

#: TikTok's limit on ``seller_sku`` (202309 product create; the sandbox enforces it, ``listing_skus.py``).
MAX_SKU_CHARS: Final = 50
#: Identifiers: TikTok's ids (19-digit numbers), event ids (UUIDs), warehouse, shipment, package and tracking
#: numbers; 128 is also TikTok's ``idempotency_key`` limit.
MAX_ID_CHARS: Final = 128
#: Short text: names, statuses, carriers, event sources.
MAX_NAME_CHARS: Final = 255
#: Free text: notes, reasons, messages, addresses, buyer messages. (Product descriptions have their own
#: setting, ``max_description_chars``.)
MAX_TEXT_CHARS: Final = 65_536
#: What an ``integer`` / ``bigint`` column holds.
MAX_INT4: Final = 2**31 - 1
MAX_INT8: Final = 2**63 - 1
#: Amounts stay below what ``numeric(14, 2)`` holds (the orders' money columns).
MAX_MONEY: Final = Decimal(10**12)

REPLACEMENT: Final = "\ufffd"
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why PostgreSQL cannot store ``text`` (its first NUL or lone surrogate, and where), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char, position = found.group(), found.start()
    if char == "\x00":
        return (f"contains a NUL character (\\x00) at position {position}, which PostgreSQL cannot store; "
                "remove it")
    return (f"contains a lone surrogate (\\u{ord(char):04x}) at position {position}, which is not a Unicode "
            "character and cannot be stored; send the character it was meant to be")


def check_storable(text: str) -> str:
    """``text`` unchanged, or ValueError saying which character cannot be stored (a pydantic validator)."""
    problem = unstorable(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def first_unstorable(value: Any, path: str = "") -> str | None:
    """``path: why`` for the first string (key or value) nested in JSON-like ``value`` that cannot be stored
    (just ``why`` when ``value`` itself is that string)."""
    if isinstance(value, str):
        problem = unstorable(value)
        return None if problem is None else f"{path}: {problem}" if path else problem
    if isinstance(value, dict):
        for key, item in value.items():
            name = printable(key) if isinstance(key, str) else str(key)
            where = f"{path}.{name}" if path else name
            found = first_unstorable(key, f"{where} (the key)") if isinstance(key, str) else None
            found = found or first_unstorable(item, where)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = first_unstorable(item, f"{path}[{index}]")
            if found:
                return found
    return None


def printable(text: str) -> str:
    """``text`` with NULs and lone surrogates spelled as escapes, so a message can quote it (and be encoded)."""
    return _UNSTORABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def check_storable_json(value: Any) -> Any:
    """``value`` unchanged, or ValueError naming the nested string that cannot be stored."""
    problem = first_unstorable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def storable(text: str) -> str:
    """``text`` with each NUL and lone surrogate replaced by U+FFFD, the mark for "a character was here"."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable_json(value: Any) -> Any:
    """JSON-like ``value`` with :func:`storable` applied to every string in it, keys included."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(k) if isinstance(k, str) else k: storable_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_json(v) for v in value]
    return value


_Storable = AfterValidator(check_storable)

#: A seller SKU: 1 to 50 characters once surrounding blanks are stripped.
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SKU_CHARS), _Storable]
#: A required identifier: 1 to 128 characters once surrounding blanks are stripped.
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_CHARS),
                       _Storable]
#: An identifier where one is optional (``""`` is allowed, as it always was): at most 128 characters.
IdentifierText = Annotated[str, StringConstraints(max_length=MAX_ID_CHARS), _Storable]
#: A required short text (a status, a name): 1 to 255 characters once surrounding blanks are stripped.
NonEmptyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS),
                         _Storable]
#: A short text: at most 255 characters.
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS), _Storable]
#: A required free text: 1 to 65,536 characters once surrounding blanks are stripped.
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS),
                         _Storable]
#: Free text: at most 65,536 characters.
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), _Storable]
