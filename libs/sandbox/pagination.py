"""Opaque page tokens for search endpoints: keyset pagination (last sort key + id), bound to the
filter that produced them, so a token reused with another filter, or garbage, is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from libs.sandbox.errors import PARAM_INVALID, SandboxError

T = TypeVar("T")
MAX_PAGE_SIZE = 100


def filter_hash(filters: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_token(key: tuple[int, int], fhash: str) -> str:
    raw = json.dumps({"k": list(key), "f": fhash}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, fhash: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        key = (int(payload["k"][0]), int(payload["k"][1]))
        bound_to = payload["f"]
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError):
        raise SandboxError(
            PARAM_INVALID, "page_token is invalid: pass back next_page_token unchanged"
        ) from None
    if bound_to != fhash:
        raise SandboxError(
            PARAM_INVALID, "page_token does not belong to this search: filters or sort changed"
        )
    return key


def check_page_size(page_size: int | None) -> int:
    if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SandboxError(PARAM_INVALID, f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def paginate(
    items: Sequence[T],
    key: Callable[[T], tuple[int, int]],
    *,
    page_size: int | None,
    page_token: str | None,
    filters: dict[str, Any],
    descending: bool = False,
) -> tuple[list[T], str, int]:
    """One page of ``items`` (any order) sorted by ``key``: (page, next_page_token, total_count)."""
    size = check_page_size(page_size)
    fhash = filter_hash(filters)
    keyed = [(key(item), item) for item in items]  # each key computed once per request
    if page_token:
        after = decode_token(page_token, fhash)
        keyed = [(k, item) for k, item in keyed if (k < after if descending else k > after)]
    pick = heapq.nlargest if descending else heapq.nsmallest
    window = pick(size + 1, keyed, key=lambda pair: pair[0])  # no full sort for one page
    page = [item for _, item in window[:size]]
    next_token = encode_token(window[size - 1][0], fhash) if len(window) > size else ""
    return page, next_token, len(items)
