"""Carrier name (or id) given by a WMS -> the TikTok shipping provider of the shop. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ShippingProvider:
    provider_id: str
    name: str
    delivery_option_ids: tuple[str, ...] = field(default=())


_SPACES = re.compile(r"\s+")


def _normalise(name: str) -> str:
    return _SPACES.sub(" ", name.strip()).casefold()


def match_carrier(carrier: str, providers: Sequence[ShippingProvider]) -> ShippingProvider | None:
    """The TikTok shipping provider a WMS carrier means.

    A TikTok ``shipping_provider_id`` of the shop is used as is; otherwise the name is matched
    case-insensitively (surrounding and repeated spaces ignored).
    """
    value = carrier.strip()
    for provider in providers:
        if provider.provider_id == value:
            return provider
    wanted = _normalise(value)
    for provider in providers:
        if _normalise(provider.name) == wanted:
            return provider
    return None


def unknown_carrier_message(carrier: str, shop_id: str, providers: Sequence[ShippingProvider]) -> str:
    known = ", ".join(f"{p.name} ({p.provider_id})" for p in sorted(providers, key=lambda p: p.name.casefold()))
    return f"unknown carrier {carrier!r} for shop {shop_id}; known: {known or 'none (shop has no providers)'}"


def merge_providers(rows: Iterable[tuple[str, str, str]]) -> list[ShippingProvider]:
    """(delivery_option_id, provider_id, name) rows -> one provider per id."""
    by_id: dict[str, tuple[str, list[str]]] = {}
    for option_id, provider_id, name in rows:
        entry = by_id.setdefault(provider_id, (name, []))
        entry[1].append(option_id)
    return [ShippingProvider(pid, name, tuple(options)) for pid, (name, options) in by_id.items()]
